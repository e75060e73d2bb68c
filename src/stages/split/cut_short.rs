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
    let mut f = [0.0f32; DIM];
    let i = items[k];
    let text = &texts[i];
    let chars: Vec<char> = text.chars().collect();
    let last6: String = chars[chars.len().saturating_sub(6)..].iter().collect();
    let first6: String = chars.iter().take(6).collect();
    if let Some(c) = joinlm::head_class(&last6) {
        f[usize::from(c)] = 1.0;
    }
    if let Some(c) = joinlm::tail_class(&first6) {
        f[joinlm::CLASSES + usize::from(c)] = 1.0;
    }
    let mut x = 2 * joinlm::CLASSES;
    let mut put = |v: f32| {
        f[x] = v;
        x += 1;
    };
    put(charlm::join_features(text, "，的")[0] / 10.0);
    put(charlm::join_features(text, "。的")[0] / 10.0);
    let n = chars.len();
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
    let b = best.unwrap_or(Best {
        score: 0.0,
        adjacent: false,
        margin: 0.0,
    });
    put(b.score.clamp(-12.0, 12.0) / 10.0);
    put(f32::from(u8::from(b.adjacent)));
    put(b.margin.clamp(0.0, 10.0) / 10.0);
    f
}

/// Log-odds of a linear model with weights `w` (bias last).
pub fn logit(w: &[f32; DIM + 1], f: &[f32; DIM]) -> f32 {
    w[DIM] + w[..DIM].iter().zip(f).map(|(a, b)| a * b).sum::<f32>()
}

/// The best tails of the headline at position `k` of `items` read as body.
pub fn best_tails(
    texts: &[String],
    infos: &[Info],
    items: &[usize],
    lex: &Lexicon,
    k: usize,
) -> Option<Best> {
    let mut as_body = infos.to_vec();
    as_body[items[k]].role = Role::Body;
    let mut scores: Vec<(f32, usize)> = rejoin::scored_head(texts, &as_body, items, lex, k)
        .into_iter()
        .map(|l| (l.score, l.tail))
        .collect();
    scores.sort_by(|a, b| b.0.total_cmp(&a.0));
    let &(score, tail) = scores.first()?;
    let second = scores.get(1).map_or(-20.0, |s| s.0);
    Some(Best {
        score,
        adjacent: items.get(k + 1) == Some(&tail),
        margin: score - second,
    })
}

/// Turns into body the headlines (no heading mark) that read as a paragraph cut short at a
/// column end: those whose gate log-odds reach [`GATE_CUT`] and whose full log-odds, with
/// their best tails, reach [`CUT`]. `adjacent[k]` is the rejoin score of item `k` with the
/// paragraph after it, where it was computed.
pub fn apply(
    texts: &[String],
    infos: &mut [Info],
    items: &[usize],
    lex: &Lexicon,
    adjacent: &[Option<f32>],
) {
    let mut turn = Vec::new();
    for (k, &i) in items.iter().enumerate() {
        if infos[i].role != Role::Headline || infos[i].heading_mark {
            continue;
        }
        let adj = adjacent.get(k).copied().flatten();
        let f = features(texts, infos, items, lex, k, adj, None);
        if logit(&GATE, &f) < GATE_CUT {
            continue;
        }
        let best = best_tails(texts, infos, items, lex, k);
        let f = features(texts, infos, items, lex, k, adj, best);
        if logit(&WEIGHTS, &f) >= CUT {
            turn.push(i);
        }
    }
    for i in turn {
        infos[i].role = Role::Body;
    }
}

/// Gate log-odds from which a headline's best tails are looked for.
pub const GATE_CUT: f32 = -3.5;

/// Full log-odds from which a headline becomes body.
pub const CUT: f32 = -1.4;

/// Gate weights (the best-tail inputs pinned at 0), bias last.
#[rustfmt::skip]
pub const GATE: [f32; DIM + 1] = [0.792, -1.014, 0.710, -0.305, -0.006, 0.751, 0.886, 0.000, 0.000, 0.000, 0.073, 0.921, 0.000, 0.000, 0.000, 0.000, -0.048, 0.000, 0.000, 0.000, -0.005, 0.000, 0.000, 0.000, 0.000, 1.458, -0.010, 0.000, 0.000, 0.000, 0.000, 0.000, 0.000, 0.000, -0.513, -1.937, -0.625, 0.227, -0.364, -0.076, -0.835, -0.407, -0.232, -0.508, 0.193, 0.090, 0.692, -0.140, -0.156, 0.136, 0.567, 0.338, -0.636, 0.285, -0.302, 0.000, 0.000, 1.797, 0.889, 0.718, 0.969, -0.027, -0.129, 0.000, 0.000, 0.000, 0.000, 0.000, -0.005, 0.058, 0.000, 0.000, 0.990, -0.089, 0.000, 0.000, 0.000, -0.035, -0.278, -0.611, -1.957, -0.587, 0.000, 0.000, 0.000, 0.000, -0.357, 0.000, 0.568, 0.000, -0.182, -1.063, -1.199, -0.764, 0.101, 0.048, -0.689, 0.553, -0.484, -0.543, -0.688, -0.563, 0.813, 1.989, 1.684, -0.066, -0.584, 0.362, -1.133, 0.498, -1.687, -2.124, 1.879, -0.041, 1.398, -1.514, -1.245, -0.483, -3.174, 3.035, -1.590, -1.503, 3.232, -0.023, 2.174, 0.000, -0.223, -1.928, 0.445, -0.439, 0.157, -1.396, -2.302, 3.928, 0.000, 0.000, 0.000, 3.855];

/// Full weights, bias last.
#[rustfmt::skip]
pub const WEIGHTS: [f32; DIM + 1] = [0.784, -0.924, 0.653, 0.142, -0.021, 0.790, 0.953, 0.000, 0.000, 0.000, 0.060, 0.937, 0.000, 0.000, 0.000, 0.000, -0.015, 0.000, 0.000, 0.000, -0.002, 0.000, 0.000, 0.000, 0.000, 1.306, -0.017, 0.000, 0.000, 0.000, 0.000, 0.000, 0.000, 0.000, -0.706, -1.878, -0.750, 0.233, -0.513, -0.044, -0.812, -0.610, -0.452, -0.579, 0.282, 0.236, 0.475, -0.211, -0.046, 0.069, 0.755, 0.532, -0.579, 0.238, -0.286, 0.000, 0.000, 1.970, 0.923, 0.856, 0.761, -0.014, -0.157, 0.000, 0.000, 0.000, 0.000, 0.000, -0.005, 0.275, 0.000, 0.000, 0.912, -0.081, 0.000, 0.000, 0.000, -0.036, -0.168, -0.721, -1.896, -0.624, 0.000, 0.000, 0.000, 0.000, -0.387, 0.000, 0.491, 0.000, -0.142, -1.119, -1.229, -0.832, 0.119, -0.131, -0.884, 0.335, -0.340, -0.671, -0.743, -0.484, 1.056, 2.005, 1.569, -0.020, -0.467, 0.330, -0.928, 0.476, -1.129, -2.055, 1.791, 0.091, 0.884, -1.273, -1.217, -0.468, -1.798, 2.351, -1.519, -1.302, 2.267, -0.174, 1.686, 0.000, -0.252, -1.260, 0.441, -0.582, 0.244, -1.415, -2.695, 2.152, 4.732, -1.375, 1.290, 2.193];
