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

use super::truth::{Piece, PieceRole, Rng, Truth, TruthArticle};
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
    s.chars().filter(|c| crate::stages::split::kinds::is_han(*c)).count() as f64 / n as f64
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
    let junk = ["require", "ad_state", "pid:", "{", "}", "'", "稿件来源", "查看最新行情", "责任编辑", "记者", "作者", "通讯员", "■", "图为", "摄"];
    let mut paras: Vec<(String, bool)> = Vec::new();
    for (k, p) in raw.iter().enumerate() {
        let mut t = if k == 0 { strip_dateline(p.trim()) } else { p.to_string() };
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
        } else if n <= 24 && !t.contains(['，', '。', '：', ' ']) && !paras.is_empty() {
            if paras.last().is_some_and(|(_, h)| !h) {
                paras.push((t, true));
            }
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
                    return stripped[close..].chars().skip(1).collect::<String>().trim().to_string();
                }
            }
            if t[i + c.len_utf8()..].starts_with(' ') {
                return rest.to_string();
            }
        }
    }
    t.to_string()
}

const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "韩", "冯", "邓", "曹", "彭", "任", "韦", "应"];
const GIVEN: &[char] = &['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀', '霞', '平', '刚', '桂', '英', '华', '青', '松', '旭', '初', '远', '晓', '梅', '杨', '宇', '浩', '凯', '鑫', '婷', '雪', '琳', '欣'];
const CITIES: &[&str] = &["北京", "上海", "广州", "成都", "武汉", "南京", "杭州", "西安"];
const PAPERS: &[&str] = &["人民日报", "光明日报", "经济日报", "工人日报", "中国青年报", "法治日报"];

fn name(rng: &mut Rng) -> String {
    let mut s = (*rng.pick(SURNAMES)).to_string();
    for _ in 0..rng.range(1, 2) {
        s.push(*rng.pick(GIVEN));
    }
    s
}

struct Planned {
    truth: TruthArticle,
    header: Vec<(String, PieceRole)>,
    columns: Vec<Vec<PieceDraft>>,
}

#[derive(Clone)]
struct PieceDraft {
    shown: String,
    clean: String,
    role: PieceRole,
    para: usize,
    part: usize,
}

/// Builds one article's header, truth and columns.
fn plan(rng: &mut Rng, src: &Source) -> Planned {
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
        let clause = paras
            .iter()
            .filter(|(_, h)| !h)
            .nth(1)
            .and_then(|(p, _)| p.split(['，', '。']).find(|c| (8..=26).contains(&c.chars().count())).map(str::to_string));
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
        let used: Vec<String> = if line.contains(&names.join(" ")) { names } else { vec![names[0].clone()] };
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
                2 => (format!("新华社{city}{m}月{d}日电（记者{n}）"), format!("新华社{city}{m}月{d}日电"), vec![n]),
                3 => ("本报讯 ".to_string(), "本报讯".to_string(), Vec::new()),
                _ => (format!("新华社{city}{m}月{d}日电 "), format!("新华社{city}{m}月{d}日电"), Vec::new()),
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
    let columns = layout(rng, &paras);
    Planned { truth, header, columns }
}

/// Flows paragraphs into columns of random capacity, cutting paragraphs at column ends.
fn layout(rng: &mut Rng, paras: &[(String, bool)]) -> Vec<Vec<PieceDraft>> {
    let cap = rng.range(90, 320);
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
            while cut > start + 4 && (is_stop(chars[cut - 1]) || chars[cut - 1] == ' ') {
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

fn is_stop(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '…' | '”' | '）' | '；' | '」' | '’' | ')' | '"')
}

fn push_piece(rng: &mut Rng, cols: &mut [Vec<PieceDraft>], clean: String, role: PieceRole, para: usize, part: usize) {
    let shown = if role == PieceRole::Body { noisy(rng, &clean) } else { clean.clone() };
    if let Some(c) = cols.last_mut() {
        c.push(PieceDraft { shown, clean, role, para, part });
    }
}

/// Adds noise clean must undo: full-width digits, stray spaces, zero-width characters.
fn noisy(rng: &mut Rng, s: &str) -> String {
    let mut out: String = s.to_string();
    if rng.chance(0.15) {
        out = out
            .chars()
            .map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 + 0xFEE0).unwrap_or(c) } else { c })
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

/// One placed element of a dump.
enum Item {
    Header(usize),
    Column(usize, usize),
    Caption(String, usize),
    Furniture(String),
}

/// Builds dump number `index` of a corpus: its text (before encoding) and its truth.
pub fn build_dump(sources: &[Source], seed: u64, index: usize) -> (String, Truth) {
    let mut rng = Rng::new(seed.wrapping_mul(1_000_003).wrapping_add(index as u64));
    let n = rng.range(3, 6);
    let mut chosen: Vec<usize> = Vec::new();
    while chosen.len() < n.min(sources.len()) {
        let k = rng.below(sources.len());
        if !chosen.contains(&k) {
            chosen.push(k);
        }
    }
    let mut planned: Vec<Planned> = chosen.iter().map(|&k| plan(&mut rng, &sources[k])).collect();
    // Column order inside an article: sometimes reversed or shuffled.
    for p in &mut planned {
        if p.columns.len() > 1 && rng.chance(0.3) {
            if rng.chance(0.5) {
                p.columns.reverse();
            } else {
                rng.shuffle(&mut p.columns);
            }
        }
    }
    let mut items: Vec<Item> = Vec::new();
    for (a, p) in planned.iter().enumerate() {
        items.push(Item::Header(a));
        for c in 0..p.columns.len() {
            items.push(Item::Column(a, c));
        }
    }
    // A header detached to the top of the dump.
    if planned.len() > 2 && rng.chance(0.25) {
        let a = rng.range(1, planned.len() - 1);
        if let Some(pos) = items.iter().position(|it| matches!(it, Item::Header(x) if *x == a)) {
            let h = items.remove(pos);
            items.insert(0, h);
        }
    }
    // A column moved after the next article.
    for a in 0..planned.len() {
        if planned[a].columns.len() > 2 && rng.chance(0.2) {
            let c = rng.range(1, planned[a].columns.len() - 1);
            let Some(pos) = items.iter().position(|it| matches!(it, Item::Column(x, y) if *x == a && *y == c)) else {
                continue;
            };
            let col = items.remove(pos);
            let next_end = items
                .iter()
                .rposition(|it| matches!(it, Item::Column(x, _) if *x == a + 1))
                .map_or(items.len(), |p| p + 1);
            items.insert(next_end.min(items.len()), col);
        }
    }
    let mut truth = Truth::default();
    let mut arts: Vec<TruthArticle> = planned.iter().map(|p| p.truth.clone()).collect();
    // Photo captions between articles.
    for _ in 0..rng.below(3) {
        let src = &sources[rng.below(sources.len())];
        let body: Vec<&String> = src.paras.iter().filter(|(_, h)| !h).map(|(t, _)| t).collect();
        let first = body[0].split('。').next().unwrap_or_default();
        let clause = body.last().and_then(|t| t.split(['，', '。']).find(|c| (6..=30).contains(&c.chars().count()))).unwrap_or("比赛现场");
        let mut text: String = first.chars().take(60).collect();
        text.push_str("。图为");
        text.push_str(clause);
        text.push('。');
        if rng.chance(0.5) {
            text.push_str(&format!("（{} 摄）", name(&mut rng)));
        }
        let text = normalise(&text, true).0;
        let a = arts.len();
        arts.push(TruthArticle {
            kind: "photo_caption".into(),
            paragraphs: vec![text.clone()],
            ..TruthArticle::default()
        });
        let at = boundary(&mut rng, &items);
        items.insert(at, Item::Caption(text, a));
    }
    // Page furniture: running head at the top, page numbers and credits elsewhere.
    let paper = rng.pick(PAPERS).to_string();
    let page = rng.range(1, 16);
    if rng.chance(0.6) {
        let (m, d) = (rng.range(1, 12), rng.range(1, 28));
        let wd = rng.pick(&["一", "二", "三", "四", "五", "六", "日"]).to_string();
        let line = match rng.below(3) {
            0 => format!("{paper} 2021年{m}月{d}日 星期{wd}"),
            1 => format!("2021年{m}月{d}日 星期{wd} 第{page}版"),
            _ => format!("第{page}版"),
        };
        items.insert(0, Item::Furniture(line));
    }
    if rng.chance(0.4) {
        let line = if rng.chance(0.5) { format!("- {page} -") } else { format!("责任编辑：{}", name(&mut rng)) };
        let at = if rng.chance(0.5) { items.len() } else { boundary(&mut rng, &items) };
        items.insert(at, Item::Furniture(line));
    }
    // Duplicated paragraph.
    let mut dup: Option<(usize, usize)> = None;
    if rng.chance(0.1) {
        let a = rng.below(planned.len());
        let c = rng.below(planned[a].columns.len());
        dup = Some((a, c));
    }
    // Render.
    let mode = rng.below(100);
    let (blank_mode, wrap) = match mode {
        0..=69 => (true, None),
        70..=84 => (false, None),
        _ => (true, Some(rng.range(15, 22) * 2)),
    };
    let mut lines: Vec<String> = Vec::new();
    let mut emit = |text: &str, role: PieceRole, article: Option<usize>, para: Option<usize>, part: usize, shown: &str, item_start: bool, rng: &mut Rng, truth: &mut Truth| {
        if blank_mode && !lines.is_empty() {
            let blanks = if item_start && rng.chance(0.3) { rng.range(2, 3) } else { 1 };
            for _ in 0..blanks {
                lines.push(String::new());
            }
        }
        match wrap {
            Some(w) => lines.extend(wrap_line(shown, w)),
            None => lines.push(shown.to_string()),
        }
        truth.pieces.push(Piece { text: text.to_string(), role, article, para, part });
    };
    for it in &items {
        match it {
            Item::Header(a) => {
                for (k, (line, role)) in planned[*a].header.iter().enumerate() {
                    let clean = match role {
                        PieceRole::Subtitle => planned[*a].truth.subtitle.clone().unwrap_or_default(),
                        _ => line.clone(),
                    };
                    emit(&clean, *role, Some(*a), None, 0, line, k == 0, &mut rng, &mut truth);
                }
            }
            Item::Column(a, c) => {
                for (k, pc) in planned[*a].columns[*c].iter().enumerate() {
                    emit(&pc.clean, pc.role, Some(*a), Some(pc.para), pc.part, &pc.shown, k == 0, &mut rng, &mut truth);
                    let whole = pc.part == 0 && planned[*a].columns[*c].len() > k + 1 && pc.role == PieceRole::Body;
                    if dup == Some((*a, *c)) && whole {
                        emit(&pc.clean, PieceRole::Duplicate, Some(*a), Some(pc.para), 0, &pc.shown, false, &mut rng, &mut truth);
                        dup = None;
                    }
                }
            }
            Item::Caption(text, a) => emit(text, PieceRole::Body, Some(*a), Some(0), 0, text, true, &mut rng, &mut truth),
            Item::Furniture(line) => emit(line, PieceRole::Furniture, None, None, 0, line, true, &mut rng, &mut truth),
        }
    }
    truth.articles = arts;
    let mut text = lines.join("\n");
    text.push('\n');
    (text, truth)
}

/// A random index between two articles' items.
fn boundary(rng: &mut Rng, items: &[Item]) -> usize {
    let spots: Vec<usize> = (0..=items.len())
        .filter(|&i| i == items.len() || matches!(items[i], Item::Header(_)))
        .collect();
    *rng.pick(&spots)
}

/// Hard-wraps a line at display width `w`.
fn wrap_line(s: &str, w: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut width = 0;
    for c in s.chars() {
        let cw = crate::stages::split::blocks::display_width(c.encode_utf8(&mut [0; 4]));
        if width + cw > w {
            out.push(String::new());
            width = 0;
        }
        if let Some(l) = out.last_mut() {
            l.push(c);
        }
        width += cw;
    }
    out
}

/// Encodes dump text the way dump number `index` should be stored: UTF-8 (with or without
/// BOM), GB18030 or UTF-16 with BOM, LF, CRLF or CR line endings.
pub fn encode(text: &str, seed: u64, index: usize) -> (Vec<u8>, &'static str) {
    let mut rng = Rng::new(seed ^ 0x5EED_0000 ^ (index as u64).rotate_left(17));
    let text = match rng.below(20) {
        0..=2 => text.replace('\n', "\r\n"),
        3 => text.replace('\n', "\r"),
        _ => text.to_string(),
    };
    match rng.below(20) {
        0..=11 => (text.into_bytes(), "UTF-8"),
        12..=13 => {
            let mut b = vec![0xEF, 0xBB, 0xBF];
            b.extend_from_slice(text.as_bytes());
            (b, "UTF-8")
        }
        14..=16 => (encoding_rs::GB18030.encode(&text).0.into_owned(), "gb18030"),
        17..=18 => {
            let mut b = vec![0xFF, 0xFE];
            for u in text.encode_utf16() {
                b.extend_from_slice(&u.to_le_bytes());
            }
            (b, "UTF-16LE")
        }
        _ => {
            let mut b = vec![0xFE, 0xFF];
            for u in text.encode_utf16() {
                b.extend_from_slice(&u.to_be_bytes());
            }
            (b, "UTF-16BE")
        }
    }
}

/// Summary of a generated corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generated {
    /// Dumps written.
    pub files: usize,
    /// Bytes of dump files written.
    pub bytes: u64,
}

/// Writes `count` dumps `000000.txt`… into `out` and their truth into `truth_dir`.
///
/// # Errors
/// If a file cannot be written; the message names it.
pub fn generate(sources: &[Source], out: &Path, truth_dir: &Path, count: usize, seed: u64) -> anyhow::Result<Generated> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    std::fs::create_dir_all(truth_dir).with_context(|| format!("cannot create {}", truth_dir.display()))?;
    let mut bytes = 0u64;
    for i in 0..count {
        let (text, mut truth) = build_dump(sources, seed, i);
        let (data, enc) = encode(&text, seed, i);
        let name = format!("{i:06}.txt");
        truth.file = name.clone();
        truth.encoding = enc.to_string();
        let path = out.join(&name);
        // Write under a temporary name and rename, so a watcher never sees half a dump.
        let tmp = out.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, &data).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot rename {}", path.display()))?;
        let tpath = truth_dir.join(format!("{i:06}.json"));
        let json = serde_json::to_vec(&truth).context("serialising truth")?;
        std::fs::write(&tpath, json).with_context(|| format!("cannot write {}", tpath.display()))?;
        bytes += data.len() as u64;
    }
    Ok(Generated { files: count, bytes })
}
