//! Short column ends read as headlines: a paragraph whose first words end a column
//! (`我们鼓励中小企业根据` | `自身的特色和优势，…`) has no closing punctuation and looks like a
//! headline. When its tail directly follows it, the rejoin score alone tells (`HEADLINE_CUT`
//! in `split/mod.rs`); when the tail is elsewhere, a logistic model decides from how the line
//! reads (the classes of its first and last words, how likely a comma or a full stop is after
//! its last two characters, its length and marks), where it sits (the paragraphs around it),
//! whether the next paragraphs restate it (titles and headings are restated, sentence starts
//! are not) and, for the lines that pass a first look without it, its best tail anywhere in
//! the dump (see `docs/SPLIT.md` §3).

use super::kinds::{Info, Role};
use super::lexical::Lexicon;
use super::{charlm, joinlm, rejoin};

/// Number of inputs (see [`features`] for their order).
pub const DIM: usize = 2 * joinlm::CLASSES + 27;

/// Index of the first of the three best-tail inputs, which the gate model does not read.
pub const BEST_AT: usize = DIM - 3;

/// Names of the inputs after the two word-class blocks, for reports.
pub const NAMES: [&str; 27] = [
    "lm_comma",
    "lm_stop",
    "len",
    "len_over_24",
    "len_over_30",
    "space",
    "colon",
    "quote",
    "next_body",
    "next_headline",
    "next_subtitle",
    "next_byline",
    "next_none",
    "prev_body",
    "prev_headline",
    "prev_subtitle",
    "prev_byline",
    "prev_none",
    "prev_terminal",
    "prev_head",
    "next_lead",
    "block_start",
    "restated",
    "adjacent_score",
    "best",
    "best_adjacent",
    "best_margin",
];

/// The best tails of one headline read as a head.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Best {
    /// Its best tail (a paragraph index).
    pub tail: usize,
    /// First-stage log-odds of its best tail.
    pub score: f32,
    /// That tail directly follows it.
    pub adjacent: bool,
    /// Its lead over the second best tail.
    pub margin: f32,
}

fn role_slot(role: Option<Role>) -> usize {
    match role {
        Some(Role::Body) => 0,
        Some(Role::Headline) => 1,
        Some(Role::Subtitle) => 2,
        Some(Role::Byline) => 3,
        Some(Role::Furniture) | None => 4,
    }
}

/// The inputs for the headline at position `k` of `items`: `adjacent` is the rejoin score
/// with the paragraph after it (when that is body), `best` its best tails (zeros without).
pub fn features(
    texts: &[String],
    infos: &[Info],
    items: &[usize],
    lex: &Lexicon,
    k: usize,
    adjacent: Option<f32>,
    best: Option<Best>,
) -> [f32; DIM] {
    let mut f = layout_features(texts, infos, items, lex, k, adjacent);
    set_classes(&mut f, &texts[items[k]]);
    set_best(&mut f, best);
    f
}

/// The first and last words' classes (jieba segmentation: the costly inputs).
fn set_classes(f: &mut [f32; DIM], text: &str) {
    let chars: Vec<char> = text.chars().collect();
    let last6: String = chars[chars.len().saturating_sub(6)..].iter().collect();
    let first6: String = chars.iter().take(6).collect();
    if let Some(c) = joinlm::head_class(&last6) {
        f[usize::from(c)] = 1.0;
    }
    if let Some(c) = joinlm::tail_class(&first6) {
        f[joinlm::CLASSES + usize::from(c)] = 1.0;
    }
}

/// The best-tail inputs.
fn set_best(f: &mut [f32; DIM], best: Option<Best>) {
    let b = best.unwrap_or(Best {
        tail: 0,
        score: 0.0,
        adjacent: false,
        margin: 0.0,
    });
    f[BEST_AT] = b.score.clamp(-12.0, 12.0) / 10.0;
    f[BEST_AT + 1] = f32::from(u8::from(b.adjacent));
    f[BEST_AT + 2] = b.margin.clamp(0.0, 10.0) / 10.0;
}

/// Every input but the word classes and the best tails (left at 0).
fn layout_features(
    texts: &[String],
    infos: &[Info],
    items: &[usize],
    lex: &Lexicon,
    k: usize,
    adjacent: Option<f32>,
) -> [f32; DIM] {
    let mut f = [0.0f32; DIM];
    let i = items[k];
    let text = &texts[i];
    let mut x = 2 * joinlm::CLASSES;
    let mut put = |v: f32| {
        f[x] = v;
        x += 1;
    };
    put(charlm::join_features(text, "，的")[0] / 10.0);
    put(charlm::join_features(text, "。的")[0] / 10.0);
    let n = infos[i].len;
    put((n as f32 / 40.0).min(1.0));
    put(f32::from(u8::from(n > 24)));
    put(f32::from(u8::from(n > 30)));
    put(f32::from(u8::from(text.contains(' '))));
    put(f32::from(u8::from(text.contains('：'))));
    put(f32::from(u8::from(text.contains(['“', '”']))));
    let next = items.get(k + 1).map(|&j| &infos[j]);
    let prev = k.checked_sub(1).map(|j| (items[j], &infos[items[j]]));
    let slot_next = role_slot(next.map(|n| n.role));
    let slot_prev = role_slot(prev.map(|(_, p)| p.role));
    for s in 0..5 {
        put(f32::from(u8::from(s == slot_next)));
    }
    for s in 0..5 {
        put(f32::from(u8::from(s == slot_prev)));
    }
    put(f32::from(u8::from(prev.is_some_and(|(_, p)| p.terminal))));
    put(f32::from(u8::from(
        prev.is_some_and(|(j, p)| rejoin::is_head(&texts[j], p)),
    )));
    put(f32::from(u8::from(
        next.is_some_and(|n| n.lead || n.dateline.is_some()),
    )));
    put(f32::from(u8::from(infos[i].block_start)));
    let after: Vec<usize> = items[k + 1..]
        .iter()
        .take(3)
        .copied()
        .filter(|&j| infos[j].role == Role::Body)
        .collect();
    put(lex.coverage(text, &after));
    put(adjacent.unwrap_or(-12.0).max(-12.0) / 10.0);
    f
}

/// The most the word classes can add to the gate's log-odds (one head class and one tail
/// class, or none).
fn class_bound() -> f32 {
    let c = joinlm::CLASSES;
    let most = |w: &[f32]| w.iter().copied().fold(0.0f32, f32::max);
    most(&GATE[..c]) + most(&GATE[c..2 * c])
}

/// Log-odds of a linear model with weights `w` (bias last).
pub fn logit(w: &[f32; DIM + 1], f: &[f32; DIM]) -> f32 {
    w[DIM] + w[..DIM].iter().zip(f).map(|(a, b)| a * b).sum::<f32>()
}

/// The best tails of the headline at position `k` of `items` read as body.
pub fn best_tails(
    texts: &[String],
    infos: &mut [Info],
    items: &[usize],
    lex: &Lexicon,
    k: usize,
    cache: &mut rejoin::TailCache,
) -> Option<Best> {
    // Read as body for this one pairing, then restored (no copy of every paragraph's cues).
    let i = items[k];
    let role = std::mem::replace(&mut infos[i].role, Role::Body);
    let links = rejoin::scored_with(texts, infos, items, lex, Some(k), cache);
    infos[i].role = role;
    let mut best: Option<(f32, usize)> = None;
    let mut second = -20.0f32;
    for l in links {
        match best {
            Some((s, _)) if l.score <= s => second = second.max(l.score),
            _ => {
                if let Some((s, _)) = best {
                    second = second.max(s);
                }
                best = Some((l.score, l.tail));
            }
        }
    }
    let (score, tail) = best?;
    Some(Best {
        tail,
        score,
        adjacent: items.get(k + 1) == Some(&tail),
        margin: score - second,
    })
}

/// Turns into body the headlines (no heading mark) that read as a paragraph cut short at a
/// column end: those whose gate log-odds reach [`GATE_CUT`] and whose full log-odds, with
/// their best tails, reach [`CUT`]. `adjacent[k]` is the rejoin score of item `k` with the
/// paragraph after it, where it was computed; `cache` keeps the tails' facts for the
/// pairings that follow.
pub fn apply(
    texts: &[String],
    infos: &mut [Info],
    items: &[usize],
    lex: &Lexicon,
    adjacent: &[Option<f32>],
    cache: &mut rejoin::TailCache,
) {
    let mut turn = Vec::new();
    let bound = class_bound();
    for (k, &i) in items.iter().enumerate() {
        if infos[i].role != Role::Headline || infos[i].heading_mark {
            continue;
        }
        let adj = adjacent.get(k).copied().flatten();
        // The gate without the word classes, at their most: most titles stop here, before
        // any segmentation.
        let mut f = layout_features(texts, infos, items, lex, k, adj);
        if logit(&GATE, &f) + bound < GATE_CUT {
            continue;
        }
        set_classes(&mut f, &texts[i]);
        if logit(&GATE, &f) < GATE_CUT {
            continue;
        }
        set_best(&mut f, best_tails(texts, infos, items, lex, k, cache));
        if logit(&WEIGHTS, &f) >= CUT {
            turn.push(i);
        }
    }
    for i in turn {
        infos[i].role = Role::Body;
    }
}

/// Gate log-odds from which a headline's best tails are looked for.
pub const GATE_CUT: f32 = -3.0;

/// Full log-odds from which a headline becomes body.
pub const CUT: f32 = -1.4;

/// Gate weights (the best-tail inputs pinned at 0), bias last.
#[rustfmt::skip]
pub const GATE: [f32; DIM + 1] = [0.791, -1.011, 0.742, -0.340, -0.007, 0.744, 0.945, 0.000, 0.000, 0.000, 0.070, 0.909, 0.000, 0.000, 0.000, 0.000, -0.046, 0.000, 0.000, 0.000, -0.005, 0.000, 0.000, 0.000, 0.000, 1.462, -0.009, 0.000, 0.000, 0.000, 0.000, 0.000, 0.000, 0.000, -0.561, -1.875, -0.610, 0.229, -0.351, -0.100, -0.829, -0.409, -0.172, -0.513, 0.270, 0.135, 0.745, -0.181, -0.164, 0.144, 0.508, 0.333, -0.622, 0.143, -0.366, 0.000, 0.000, 1.781, 0.892, 0.782, 0.850, -0.033, -0.104, 0.000, 0.000, 0.000, 0.000, 0.000, -0.006, 0.021, 0.000, 0.000, 0.995, -0.089, 0.000, 0.000, 0.000, -0.038, -0.276, -0.566, -1.899, -0.531, 0.000, 0.000, 0.000, 0.000, -0.397, 0.000, 0.577, 0.000, -0.213, -1.116, -1.187, -0.736, 0.159, 0.063, -0.630, 0.633, -0.486, -0.533, -0.713, -0.548, 0.731, 1.927, 1.692, -0.082, -0.593, 0.319, -1.158, 0.512, -1.782, -2.077, 1.870, -0.096, 1.503, -1.548, -1.215, -0.413, -3.184, 3.045, -1.586, -1.509, 3.234, -0.053, 2.210, 0.000, -0.243, -1.914, 0.439, -0.468, 0.274, -1.419, -2.159, 3.681, 0.000, 0.000, 0.000, 3.626];

/// Full weights, bias last.
#[rustfmt::skip]
pub const WEIGHTS: [f32; DIM + 1] = [0.613, -0.975, 0.676, 0.072, -0.023, 0.785, 0.810, 0.000, 0.000, 0.000, 0.022, 0.930, 0.000, 0.000, 0.000, 0.000, -0.017, 0.000, 0.000, 0.000, -0.003, 0.000, 0.000, 0.000, 0.000, 1.367, -0.021, 0.000, 0.000, 0.000, 0.000, 0.000, 0.000, 0.000, -0.670, -1.726, -0.720, 0.168, -0.497, -0.060, -0.765, -0.559, -0.451, -0.487, 0.243, 0.304, 0.467, -0.237, -0.045, 0.015, 0.742, 0.572, -0.455, 0.248, -0.323, 0.000, 0.000, 1.765, 0.927, 0.895, 0.700, -0.011, -0.114, 0.000, 0.000, 0.000, 0.000, 0.000, -0.005, 0.237, 0.000, 0.000, 0.966, -0.082, 0.000, 0.000, 0.000, -0.027, -0.171, -0.699, -1.748, -0.556, 0.000, 0.000, 0.000, 0.000, -0.386, 0.000, 0.493, 0.000, -0.152, -1.111, -1.237, -0.769, 0.138, -0.073, -0.832, 0.429, -0.350, -0.672, -0.745, -0.436, 0.990, 1.854, 1.433, -0.022, -0.447, 0.288, -0.935, 0.467, -1.230, -1.898, 1.647, 0.129, 0.872, -1.324, -1.168, -0.338, -1.632, 2.270, -1.512, -1.280, 2.154, -0.300, 1.691, 0.000, -0.262, -1.129, 0.432, -0.705, 0.525, -1.353, -2.525, 1.682, 5.055, -1.485, 1.832, 1.657];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::split::prepare;

    #[test]
    fn the_names_cover_the_inputs_after_the_classes() {
        assert_eq!(DIM, 2 * joinlm::CLASSES + NAMES.len());
        assert_eq!(NAMES[BEST_AT - 2 * joinlm::CLASSES], "best");
        assert!(
            GATE[BEST_AT..DIM].iter().all(|&w| w == 0.0),
            "the gate reads no best tail"
        );
    }

    #[test]
    fn the_class_bound_is_an_upper_bound_of_the_gate() {
        let base = [0.0f32; DIM];
        let z0 = logit(&GATE, &base);
        let c = joinlm::CLASSES;
        for h in 0..=c {
            for t in 0..=c {
                let mut f = base;
                if h < c {
                    f[h] = 1.0;
                }
                if t < c {
                    f[c + t] = 1.0;
                }
                assert!(logit(&GATE, &f) <= z0 + class_bound() + 1e-4);
            }
        }
    }

    #[test]
    fn a_sentence_cut_at_a_column_end_reads_less_like_a_title_than_a_title() {
        let dump = "华为发布新款折叠屏手机\n\n11月3日，华为在北京发布了新款折叠屏手机，售价一万余元。\n\n\
                    发布会上，余承东介绍了这款手机的设计和性能，并回答了记者的提问。\n\n\
                    我们鼓励中小企业根据\n\n\
                    小米公布第三季度财报\n\n本报讯 小米集团今天公布了第三季度财报，营收同比增长。\n\n\
                    自身的特色和优势，聚焦在某个细分领域，把产品做精做深。\n";
        let p = prepare(dump);
        let gate = |text: &str| {
            let k = p
                .items
                .iter()
                .position(|&i| p.texts[i] == text)
                .unwrap_or(usize::MAX);
            assert!(k < p.items.len(), "{text} not found");
            let mut f = layout_features(&p.texts, &p.infos, &p.items, &p.lex, k, None);
            set_classes(&mut f, text);
            logit(&GATE, &f)
        };
        let cut = gate("我们鼓励中小企业根据");
        let title = gate("小米公布第三季度财报");
        assert!(cut > title + 2.0, "cut short {cut} title {title}");
    }
}
