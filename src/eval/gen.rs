//! The dump generator: scrambled newspaper pages with exact ground truth, built from real
//! articles (the Sina news JSONL of `../shared/data/sina-news`, or any JSONL with `title`
//! and `paragraphs`).
//!
//! Each dump holds 3–6 articles laid out in columns of random height, so column breaks fall
//! mid-sentence and mid-word. On top: synthetic bylines and datelines of the newspaper kinds
//! (`应旭初 高远`, `记者 X`, `■X`, `本报讯(X)`, `新华社北京11月5日电（记者X）`), subtitles,
//! photo captions, page furniture, scrambled column order, headers detached from their body,
//! columns moved after another article, duplicated paragraphs, character noise (full-width
//! digits, stray spaces, zero-width characters), three layouts (blank-line separated, one line
//! per paragraph, hard-wrapped) and five encodings. Everything is drawn from [`Rng`] seeded
//! with `seed` and the dump number, so a (source, seed, count) triple always yields the same
//! corpus.

use std::path::Path;

use anyhow::Context;

use super::truth::{PieceRole, Rng, TruthArticle};
use crate::stages::clean::normalise;

/// A cleaned source article.
#[derive(Debug, Clone)]
pub struct Source {
    /// Title (normalised, spaces kept).
    pub title: String,
    /// Paragraphs: text and whether it is a section heading.
    pub paras: Vec<(String, bool)>,
}

/// Loads and cleans source articles from a JSONL file (`title`, `paragraphs`).
///
/// # Errors
/// If the file cannot be read or holds no usable article.
pub fn load_sources(path: &Path) -> anyhow::Result<Vec<Source>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read source articles {}", path.display()))?;
    let mut out = Vec::new();
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let title = v["title"].as_str().unwrap_or_default();
        let paras: Vec<&str> = v["paragraphs"]
            .as_array()
            .map(|a| a.iter().filter_map(|p| p.as_str()).collect())
            .unwrap_or_default();
        if let Some(s) = clean_source(title, &paras) {
            out.push(s);
        }
    }
    anyhow::ensure!(
        out.len() >= 10,
        "{}: only {} usable articles (need 10)",
        path.display(),
        out.len()
    );
    Ok(out)
}

fn han_share(s: &str) -> f64 {
    let n = s.chars().count().max(1);
    s.chars()
        .filter(|c| crate::stages::split::kinds::is_han(*c))
        .count() as f64
        / n as f64
}

fn ends_clean(s: &str) -> bool {
    s.ends_with(['。', '！', '？', '…', '”', '）'])
}

fn clean_source(title: &str, raw: &[&str]) -> Option<Source> {
    let title = normalise(title, false).0;
    let tn = title.chars().count();
    if !(6..=36).contains(&tn) || title.contains(['。', '，']) || ends_clean(&title) {
        return None;
    }
    let junk = [
        "require",
        "ad_state",
        "pid:",
        "{",
        "}",
        "'",
        "稿件来源",
        "查看最新行情",
        "责任编辑",
        "记者",
        "作者",
        "通讯员",
        "■",
        "图为",
        "摄",
    ];
    let mut paras: Vec<(String, bool)> = Vec::new();
    for (k, p) in raw.iter().enumerate() {
        let mut t = if k == 0 {
            strip_dateline(p.trim())
        } else {
            p.to_string()
        };
        t = normalise(&t, true).0;
        let n = t.chars().count();
        if n < 6 || junk.iter().any(|j| t.contains(j)) || han_share(&t) < 0.6 {
            continue;
        }
        if t.starts_with('（') && t.ends_with('）') {
            continue;
        }
        if ends_clean(&t) && t.contains(['。', '！', '？']) {
            paras.push((t, false));
        } else if n <= 24
            && !t.contains(['，', '。', '：', ' '])
            && paras.last().is_some_and(|(_, h)| !h)
        {
            paras.push((t, true));
        }
        if paras.len() >= 14 {
            break;
        }
    }
    while paras.last().is_some_and(|(_, h)| *h) {
        paras.pop();
    }
    (paras.iter().filter(|(_, h)| !h).count() >= 3).then_some(Source { title, paras })
}

/// Drops a source's own lead-in (`新浪科技讯 北京时间…，`, `本报讯（记者 X）`).
fn strip_dateline(t: &str) -> String {
    let head: Vec<(usize, char)> = t.char_indices().take(24).collect();
    for &(i, c) in &head {
        if c == '讯' || c == '电' {
            let rest = &t[i + c.len_utf8()..];
            let rest = rest.trim_start();
            if let Some(stripped) = rest.strip_prefix(['（', '(']) {
                if let Some(close) = stripped.find(['）', ')']) {
                    return stripped[close..]
                        .chars()
                        .skip(1)
                        .collect::<String>()
                        .trim()
                        .to_string();
                }
            }
            if t[i + c.len_utf8()..].starts_with(' ') {
                return rest.to_string();
            }
        }
    }
    t.to_string()
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "韩", "冯", "邓", "曹", "彭", "任", "韦",
    "应",
];
const GIVEN: &[char] = &[
    '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明',
    '超', '秀', '霞', '平', '刚', '桂', '英', '华', '青', '松', '旭', '初', '远', '晓', '梅', '杨',
    '宇', '浩', '凯', '鑫', '婷', '雪', '琳', '欣',
];
const CITIES: &[&str] = &[
    "北京", "上海", "广州", "成都", "武汉", "南京", "杭州", "西安",
];
pub(crate) const PAPERS: &[&str] = &[
    "人民日报",
    "光明日报",
    "经济日报",
    "工人日报",
    "中国青年报",
    "法治日报",
];

pub(crate) fn name(rng: &mut Rng) -> String {
    let mut s = (*rng.pick(SURNAMES)).to_string();
    for _ in 0..rng.range(1, 2) {
        s.push(*rng.pick(GIVEN));
    }
    s
}

pub(crate) struct Planned {
    pub(crate) truth: TruthArticle,
    pub(crate) header: Vec<(String, PieceRole)>,
    pub(crate) columns: Vec<Vec<PieceDraft>>,
}

#[derive(Clone)]
pub(crate) struct PieceDraft {
    pub(crate) shown: String,
    pub(crate) clean: String,
    pub(crate) role: PieceRole,
    pub(crate) para: usize,
    pub(crate) part: usize,
}

/// Builds one article's header, truth and columns.
pub(crate) fn plan(rng: &mut Rng, src: &Source, opts: &GenOptions) -> Planned {
    let mut truth = TruthArticle {
        title: Some(src.title.clone()),
        kind: "article".into(),
        ..TruthArticle::default()
    };
    let mut header = vec![(src.title.clone(), PieceRole::Title)];
    let mut paras = src.paras.clone();
    let style = rng.below(100);
    let brief = style >= 70 && rng.chance(0.5);
    if brief {
        let keep = rng.range(2, 3);
        paras.retain(|(_, h)| !h);
        paras.truncate(keep);
    }
    if (35..60).contains(&style) {
        // Subtitle from a clause of the second paragraph.
        let clause = paras.iter().filter(|(_, h)| !h).nth(1).and_then(|(p, _)| {
            p.split(['，', '。'])
                .find(|c| (8..=26).contains(&c.chars().count()))
                .map(str::to_string)
        });
        if let Some(c) = clause.filter(|c| !c.contains(['“', '”', '：', ' '])) {
            header.push((format!("——{c}"), PieceRole::Subtitle));
            truth.subtitle = Some(c);
        }
    }
    if (20..70).contains(&style) {
        let names: Vec<String> = (0..rng.range(1, 3)).map(|_| name(rng)).collect();
        let line = match rng.below(6) {
            0 => names.join(" "),
            1 => format!("记者 {}", names[0]),
            2 => format!("本报记者 {}", names.join(" ")),
            3 => format!("文/图 {}", names[0]),
            4 => format!("■{}", names[0]),
            _ => format!("■本报记者 {}", names[0]),
        };
        let used: Vec<String> = if line.contains(&names.join(" ")) {
            names
        } else {
            vec![names[0].clone()]
        };
        header.push((line, PieceRole::Byline));
        truth.authors = used;
    }
    if style >= 70 {
        if let Some(first) = paras.iter_mut().find(|(_, h)| !h) {
            let n = name(rng);
            let (m, d) = (rng.range(1, 12), rng.range(1, 28));
            let city = rng.pick(CITIES);
            let (prefix, marker, names) = match rng.below(5) {
                0 => (format!("本报讯({n})"), "本报讯".to_string(), vec![n]),
                1 => (format!("本报讯（记者 {n}）"), "本报讯".to_string(), vec![n]),
                2 => (
                    format!("新华社{city}{m}月{d}日电（记者{n}）"),
                    format!("新华社{city}{m}月{d}日电"),
                    vec![n],
                ),
                3 => ("本报讯 ".to_string(), "本报讯".to_string(), Vec::new()),
                _ => (
                    format!("新华社{city}{m}月{d}日电 "),
                    format!("新华社{city}{m}月{d}日电"),
                    Vec::new(),
                ),
            };
            first.0 = normalise(&format!("{prefix}{}", first.0), true).0;
            truth.dateline = Some(marker);
            truth.authors.extend(names);
            if brief {
                truth.kind = "brief".into();
            }
        }
    }
    for (t, h) in &paras {
        truth.paragraphs.push(t.clone());
        if *h {
            truth.headings.push(t.clone());
        }
    }
    let columns = layout(rng, &paras, opts);
    Planned {
        truth,
        header,
        columns,
    }
}

/// Flows paragraphs into columns of random capacity, cutting paragraphs at column ends.
fn layout(rng: &mut Rng, paras: &[(String, bool)], opts: &GenOptions) -> Vec<Vec<PieceDraft>> {
    let cap = rng.range(opts.column_min, opts.column_max.max(opts.column_min));
    let mut cols: Vec<Vec<PieceDraft>> = vec![Vec::new()];
    let mut room = cap;
    for (pi, (text, heading)) in paras.iter().enumerate() {
        let chars: Vec<char> = text.chars().collect();
        if *heading {
            if chars.len() + 4 > room && cols.last().is_some_and(|c| !c.is_empty()) {
                cols.push(Vec::new());
                room = cap;
            }
            push_piece(rng, &mut cols, text.clone(), PieceRole::Heading, pi, 0);
            room = room.saturating_sub(chars.len() + 4);
            continue;
        }
        let mut start = 0;
        let mut part = 0;
        loop {
            let rest = chars.len() - start;
            if rest <= room {
                let piece: String = chars[start..].iter().collect();
                push_piece(rng, &mut cols, piece, PieceRole::Body, pi, part);
                room -= rest;
                break;
            }
            let col_empty = cols.last().is_none_or(|c| c.is_empty());
            if room < 8 && !col_empty {
                cols.push(Vec::new());
                room = cap;
                continue;
            }
            let mut cut = (start + room).min(chars.len() - 2);
            while cut > start + 4 && !can_cut(chars[cut - 1], chars[cut]) {
                cut -= 1;
            }
            if cut <= start + 4 {
                if col_empty {
                    let piece: String = chars[start..].iter().collect();
                    push_piece(rng, &mut cols, piece, PieceRole::Body, pi, part);
                    room = room.saturating_sub(rest);
                    break;
                }
                cols.push(Vec::new());
                room = cap;
                continue;
            }
            let piece: String = chars[start..cut].iter().collect();
            push_piece(rng, &mut cols, piece, PieceRole::Body, pi, part);
            part += 1;
            start = cut;
            cols.push(Vec::new());
            room = cap;
        }
    }
    cols.retain(|c| !c.is_empty());
    cols
}

/// May a column end between `before` and `after`? Never at a sentence end (`。！？…”`: that
/// is no broken paragraph, nothing shows it), and never against typesetting's line rules
/// (避头尾): a column does not start with punctuation that closes (`，。、；：）”》`) or a
/// space, nor end with one that opens (`“（《`). The cut moves back until both hold, so every
/// break falls mid-sentence, as in the annotated sample.
pub fn can_cut(before: char, after: char) -> bool {
    !(is_stop(before)
        || before == ' '
        || matches!(before, '“' | '（' | '《' | '「' | '‘' | '(')
        || after == ' '
        || matches!(
            after,
            '，' | '。'
                | '、'
                | '；'
                | '：'
                | '！'
                | '？'
                | '）'
                | '”'
                | '’'
                | '》'
                | '」'
                | '…'
                | ','
                | '.'
                | ';'
                | ':'
                | '!'
                | '?'
                | ')'
                | '%'
                | '％'
        ))
}

fn is_stop(c: char) -> bool {
    matches!(
        c,
        '。' | '！' | '？' | '…' | '”' | '）' | '；' | '」' | '’' | ')' | '"'
    )
}

fn push_piece(
    rng: &mut Rng,
    cols: &mut [Vec<PieceDraft>],
    clean: String,
    role: PieceRole,
    para: usize,
    part: usize,
) {
    let shown = if role == PieceRole::Body {
        noisy(rng, &clean)
    } else {
        clean.clone()
    };
    if let Some(c) = cols.last_mut() {
        c.push(PieceDraft {
            shown,
            clean,
            role,
            para,
            part,
        });
    }
}

/// Adds noise clean must undo: full-width digits, stray spaces, zero-width characters.
fn noisy(rng: &mut Rng, s: &str) -> String {
    let mut out: String = s.to_string();
    if rng.chance(0.15) {
        out = out
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)
                } else {
                    c
                }
            })
            .collect();
    }
    let chars: Vec<char> = out.chars().collect();
    if chars.len() > 6 && rng.chance(0.1) {
        let i = rng.range(1, chars.len() - 2);
        let is_han = crate::stages::split::kinds::is_han;
        if is_han(chars[i - 1]) && is_han(chars[i]) {
            let zw = rng.chance(0.5);
            let mut s2: String = chars[..i].iter().collect();
            s2.push(if zw { '\u{200B}' } else { ' ' });
            s2.extend(&chars[i..]);
            out = s2;
        }
    }
    out
}

pub use super::dump::{build_dump, encode, generate, Generated};

/// How scrambled the generated dumps are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenOptions {
    /// Smallest column, in characters: every paragraph crossing a column end is cut there.
    pub column_min: usize,
    /// Largest column, in characters.
    pub column_max: usize,
}

impl Default for GenOptions {
    /// Columns of 400–1,200 characters: about one column break per 800 characters, as in the
    /// annotated sample dump (5 breaks in 5,009 characters).
    fn default() -> Self {
        GenOptions {
            column_min: 400,
            column_max: 1200,
        }
    }
}

impl GenOptions {
    /// Columns of 90–320 characters: a column break every ~200 characters, four to five
    /// times the sample's rate (a stress setting).
    pub fn harsh() -> Self {
        GenOptions {
            column_min: 90,
            column_max: 320,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_never_break_at_a_sentence_end_or_against_line_rules() {
        let text = "他说：“我们赢了。”比赛（第一场）结束了，大家都很高兴！这是一个很长的句子，用来测试分栏。";
        let paras: Vec<(String, bool)> = (0..6).map(|_| (text.to_string(), false)).collect();
        let opts = GenOptions {
            column_min: 9,
            column_max: 17,
        };
        let mut breaks = 0;
        for seed in 0..40 {
            let cols = layout(&mut Rng::new(seed), &paras, &opts);
            let pieces: Vec<&PieceDraft> = cols.iter().flatten().collect();
            for w in pieces.windows(2) {
                let (h, t) = (&w[0].clean, &w[1].clean);
                if w[1].part == 0 {
                    continue;
                }
                breaks += 1;
                let (a, b) = (h.chars().last(), t.chars().next());
                assert!(
                    a.zip(b).is_some_and(|(a, b)| can_cut(a, b)),
                    "bad break {h}|{t}"
                );
            }
        }
        assert!(breaks > 100, "{breaks} breaks");
    }
}
