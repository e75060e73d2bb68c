//! Dump assembly: placing articles, captions and furniture on a page, scrambling them, and
//! rendering and encoding the text (see [`super::gen`] for the whole generator).

use std::path::Path;

use anyhow::Context;

use super::gen::{name, plan, GenOptions, Planned, Source, PAPERS};
use super::truth::{Piece, PieceRole, Rng, Truth, TruthArticle};
use crate::stages::clean::normalise;

/// One placed element of a dump.
enum Item {
    Header(usize),
    Column(usize, usize),
    Caption(String, usize),
    Furniture(String),
}

/// Builds dump number `index` of a corpus: its text (before encoding) and its truth.
pub fn build_dump(
    sources: &[Source],
    seed: u64,
    index: usize,
    opts: &GenOptions,
) -> (String, Truth) {
    let mut rng = Rng::new(seed.wrapping_mul(1_000_003).wrapping_add(index as u64));
    let n = rng.range(3, 6);
    let mut chosen: Vec<usize> = Vec::new();
    while chosen.len() < n.min(sources.len()) {
        let k = rng.below(sources.len());
        if !chosen.contains(&k) {
            chosen.push(k);
        }
    }
    let mut planned: Vec<Planned> = chosen
        .iter()
        .map(|&k| plan(&mut rng, &sources[k], opts))
        .collect();
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
        if let Some(pos) = items
            .iter()
            .position(|it| matches!(it, Item::Header(x) if *x == a))
        {
            let h = items.remove(pos);
            items.insert(0, h);
        }
    }
    // A column moved after the next article.
    for (a, p) in planned.iter().enumerate() {
        if p.columns.len() > 2 && rng.chance(0.2) {
            let c = rng.range(1, p.columns.len() - 1);
            let Some(pos) = items
                .iter()
                .position(|it| matches!(it, Item::Column(x, y) if *x == a && *y == c))
            else {
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
        let body: Vec<&String> = src
            .paras
            .iter()
            .filter(|(_, h)| !h)
            .map(|(t, _)| t)
            .collect();
        let first = body[0].split('。').next().unwrap_or_default();
        let clause = body
            .last()
            .and_then(|t| {
                t.split(['，', '。'])
                    .find(|c| (6..=30).contains(&c.chars().count()))
            })
            .unwrap_or("比赛现场");
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
        let wd = rng
            .pick(&["一", "二", "三", "四", "五", "六", "日"])
            .to_string();
        let line = match rng.below(3) {
            0 => format!("{paper} 2021年{m}月{d}日 星期{wd}"),
            1 => format!("2021年{m}月{d}日 星期{wd} 第{page}版"),
            _ => format!("第{page}版"),
        };
        items.insert(0, Item::Furniture(line));
    }
    if rng.chance(0.4) {
        let line = if rng.chance(0.5) {
            format!("- {page} -")
        } else {
            format!("责任编辑：{}", name(&mut rng))
        };
        let at = if rng.chance(0.5) {
            items.len()
        } else {
            boundary(&mut rng, &items)
        };
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
    let mut emit = |text: &str,
                    role: PieceRole,
                    article: Option<usize>,
                    para: Option<usize>,
                    part: usize,
                    shown: &str,
                    item_start: bool,
                    rng: &mut Rng,
                    truth: &mut Truth| {
        if blank_mode && !lines.is_empty() {
            let blanks = if item_start && rng.chance(0.3) {
                rng.range(2, 3)
            } else {
                1
            };
            for _ in 0..blanks {
                lines.push(String::new());
            }
        }
        match wrap {
            Some(w) => lines.extend(wrap_line(shown, w)),
            None => lines.push(shown.to_string()),
        }
        truth.pieces.push(Piece {
            text: text.to_string(),
            role,
            article,
            para,
            part,
        });
    };
    for it in &items {
        match it {
            Item::Header(a) => {
                for (k, (line, role)) in planned[*a].header.iter().enumerate() {
                    let clean = match role {
                        PieceRole::Subtitle => {
                            planned[*a].truth.subtitle.clone().unwrap_or_default()
                        }
                        _ => line.clone(),
                    };
                    emit(
                        &clean,
                        *role,
                        Some(*a),
                        None,
                        0,
                        line,
                        k == 0,
                        &mut rng,
                        &mut truth,
                    );
                }
            }
            Item::Column(a, c) => {
                for (k, pc) in planned[*a].columns[*c].iter().enumerate() {
                    emit(
                        &pc.clean,
                        pc.role,
                        Some(*a),
                        Some(pc.para),
                        pc.part,
                        &pc.shown,
                        k == 0,
                        &mut rng,
                        &mut truth,
                    );
                    let whole = pc.part == 0
                        && planned[*a].columns[*c].len() > k + 1
                        && pc.role == PieceRole::Body;
                    if dup == Some((*a, *c)) && whole {
                        emit(
                            &pc.clean,
                            PieceRole::Duplicate,
                            Some(*a),
                            Some(pc.para),
                            0,
                            &pc.shown,
                            false,
                            &mut rng,
                            &mut truth,
                        );
                        dup = None;
                    }
                }
            }
            Item::Caption(text, a) => emit(
                text,
                PieceRole::Body,
                Some(*a),
                Some(0),
                0,
                text,
                true,
                &mut rng,
                &mut truth,
            ),
            Item::Furniture(line) => emit(
                line,
                PieceRole::Furniture,
                None,
                None,
                0,
                line,
                true,
                &mut rng,
                &mut truth,
            ),
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
pub fn generate(
    sources: &[Source],
    out: &Path,
    truth_dir: &Path,
    count: usize,
    seed: u64,
    opts: &GenOptions,
) -> anyhow::Result<Generated> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    std::fs::create_dir_all(truth_dir)
        .with_context(|| format!("cannot create {}", truth_dir.display()))?;
    let mut bytes = 0u64;
    for i in 0..count {
        let (text, mut truth) = build_dump(sources, seed, i, opts);
        let (data, enc) = encode(&text, seed, i);
        let name = format!("{i:06}.txt");
        truth.file = name.clone();
        truth.encoding = enc.to_string();
        let path = out.join(&name);
        // Write under a temporary name and rename, so a watcher never sees half a dump.
        let tmp = out.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, &data).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path)
            .with_context(|| format!("cannot rename {}", path.display()))?;
        let tpath = truth_dir.join(format!("{i:06}.json"));
        let json = serde_json::to_vec(&truth).context("serialising truth")?;
        std::fs::write(&tpath, json)
            .with_context(|| format!("cannot write {}", tpath.display()))?;
        bytes += data.len() as u64;
    }
    Ok(Generated {
        files: count,
        bytes,
    })
}
