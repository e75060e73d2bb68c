//! The second stage of the column-break decision: each pair that enters the matching is scored
//! again in the light of its competition and its neighbourhood, which the first stage, judging
//! one pair at a time, cannot see.
//!
//! Inputs ([`NAMES`]): the pair's first-stage log-odds; where the tail lies (adjacent,
//! backwards, distance, right after a head or a header line, block starts, column lengths:
//! the first stage's own position features, [`PLACE`]); its rank and margin among its head's
//! candidates and among its tail's (a tail two heads want is doubtful for both); and the
//! *region*: how strongly the heads within 20 paragraphs prefer a tail that is not the next
//! paragraph (`flip`, best non-adjacent minus best adjacent log-odds). Where nearby heads
//! confidently continue elsewhere, the columns around are scrambled and "the next paragraph"
//! is weak evidence; in the generated dumps 45 % of the first stage's wrong favourites were an
//! adjacent paragraph while the true tail was elsewhere.
//!
//! Boosted trees ([`super::boost`], compiled in from `config/rejoin-rerank.txt`) map the
//! inputs to the log-odds that the pair is a true break. They are fitted by
//! `examples/rejoin_fit.rs` (`BOOST=… RERANK=…`) on the pairs the matching considers in the
//! training dumps (seeds 1–5 and 12–16), with first-stage scores from trees that never saw the
//! dump (out of fold), so that the inputs look as they do on new dumps, and on copies of those
//! pools with some true tails missing (a column continued on another page), so that a head is
//! not assumed to have a tail somewhere.

use std::sync::OnceLock;

use super::boost::{Flat, Forest, WIDTH};
use super::evidence;
use super::kinds::{Info, Role};
use super::rejoin::Link;

/// The first-stage features carried into this stage, by name.
const PLACE_NAMES: [&str; PLACE] = [
    "adjacent",
    "backwards",
    "log_distance",
    "tail_after_head",
    "tail_after_header",
    "back_adjacent",
    "tail_block_start",
    "column_match",
    "tail_opens_previous_block",
    "lead",
    "tail_lm",
];

/// Number of first-stage features carried into this stage ([`place`]).
pub const PLACE: usize = 11;

/// Number of inputs.
pub const N: usize = 15 + PLACE;

/// The inputs computed here, before the first-stage features of [`PLACE_NAMES`].
const OWN_NAMES: [&str; N - PLACE] = [
    "score",
    "head_rank",
    "tail_rank",
    "head_margin",
    "tail_margin",
    "region_max",
    "region_count",
    "region_heads",
    "rival_tail_need",
    "rival_tail_lm",
    "rival_tail_after_header",
    "rival_head_need",
    "tail_after_headline",
    "tail_after_inner_headline",
    "column_ratio",
];

/// Input names, in order.
pub const NAMES: [&str; N] = {
    let mut names = [""; N];
    let mut k = 0;
    while k < N {
        names[k] = if k < OWN_NAMES.len() {
            OWN_NAMES[k]
        } else {
            PLACE_NAMES[k - OWN_NAMES.len()]
        };
        k += 1;
    }
    names
};

/// Index of `name` in `names` (a compile-time error when it is missing).
const fn position(names: &[&str], name: &str) -> usize {
    let mut i = 0;
    while i < names.len() {
        let (a, b) = (names[i].as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return i;
            }
        }
        i += 1;
    }
    panic!("no such name")
}

/// Index of `name` in [`evidence::NAMES`] (a compile-time error when it is missing).
const fn feature(name: &str) -> usize {
    position(&evidence::NAMES, name)
}

/// Where `adjacent` sits among [`PLACE_NAMES`].
const ADJACENT: usize = position(&PLACE_NAMES, "adjacent");

/// Where `tail_after_header` sits among [`PLACE_NAMES`].
const TAIL_AFTER_HEADER: usize = position(&PLACE_NAMES, "tail_after_header");

/// Where `tail_lm` sits among [`PLACE_NAMES`].
const TAIL_LM: usize = position(&PLACE_NAMES, "tail_lm");

/// Where [`PLACE_NAMES`] sit among the first-stage features.
const PLACE_AT: [usize; PLACE] = {
    let mut at = [0; PLACE];
    let mut k = 0;
    while k < PLACE {
        at[k] = feature(PLACE_NAMES[k]);
        k += 1;
    }
    at
};

/// The position features of a candidate pair, taken from its first-stage features.
pub fn place(f: &[f32; evidence::N]) -> [f32; PLACE] {
    PLACE_AT.map(|i| f[i])
}

/// Heads within this many paragraphs of a head make up its region.
const REGION: usize = 20;

/// A `flip` above this counts a head as confidently continuing away from the next paragraph.
const CONFIDENT_FLIP: f32 = 2.0;

/// Stand-in log-odds for a head with no adjacent (or no non-adjacent) candidate.
const MISSING: f32 = -10.0;

/// Stand-in for a region without other heads.
const NOTHING: f32 = -20.0;

/// Stand-in for the missing competitor of a paragraph with a single candidate: a pair scoring
/// at the first stage's floor, as most of a dump's other pairs do (a tiny dump, one head and a
/// few tails, then looks like a big one rather than beyond anything seen in fitting).
const NO_RIVAL: f32 = evidence::BOOST_FLOOR;

/// Margins are clamped to ±this.
const MARGIN_CAP: f32 = 8.0;

/// Every paragraph's candidates, best first, in one list: paragraph `p`'s are
/// `scores[start[p]..start[p + 1]]`, with the other end and the index into the scored
/// candidates of each at the same place in `ends`.
struct Competition {
    start: Vec<usize>,
    scores: Vec<f32>,
    ends: Vec<(usize, usize)>,
}

impl Competition {
    /// The candidates grouped by `key` (a paragraph index below `n`); `other` is the other end.
    fn new(
        scored: &[Link],
        n: usize,
        key: impl Fn(&Link) -> usize,
        other: impl Fn(&Link) -> usize,
    ) -> Self {
        let mut start = vec![0usize; n + 1];
        for l in scored {
            start[key(l) + 1] += 1;
        }
        for p in 0..n {
            start[p + 1] += start[p];
        }
        let mut fill = start.clone();
        let mut order = vec![0usize; scored.len()];
        for (i, l) in scored.iter().enumerate() {
            let p = key(l);
            order[fill[p]] = i;
            fill[p] += 1;
        }
        for p in 0..n {
            order[start[p]..start[p + 1]]
                .sort_by(|&a, &b| scored[b].score.total_cmp(&scored[a].score));
        }
        Competition {
            start,
            scores: order.iter().map(|&i| scored[i].score).collect(),
            ends: order.iter().map(|&i| (other(&scored[i]), i)).collect(),
        }
    }

    fn range(&self, p: usize) -> std::ops::Range<usize> {
        match (self.start.get(p), self.start.get(p + 1)) {
            (Some(&a), Some(&b)) => a..b,
            _ => 0..0,
        }
    }

    fn of(&self, p: usize) -> &[f32] {
        &self.scores[self.range(p)]
    }

    /// `p`'s best candidate whose other end is not `not`: (score, other end, index).
    fn best_other(&self, p: usize, not: usize) -> Option<(f32, usize, usize)> {
        self.range(p)
            .find(|&k| self.ends[k].0 != not)
            .map(|k| (self.scores[k], self.ends[k].0, self.ends[k].1))
    }

    /// 1 + how many of `p`'s candidates score above `s`.
    fn rank(&self, p: usize, s: f32) -> f32 {
        (self.of(p).partition_point(|&x| x > s) + 1) as f32
    }

    /// `s` minus the best other score of `p` (the second best when `s` is the best), within
    /// ±[`MARGIN_CAP`].
    fn margin(&self, p: usize, s: f32) -> f32 {
        let m = match self.of(p) {
            [] => 0.0,
            [best, rest @ ..] if s >= *best => s - rest.first().copied().unwrap_or(NO_RIVAL),
            [best, ..] => s - best,
        };
        m.clamp(-MARGIN_CAP, MARGIN_CAP)
    }
}

/// Number of facts about each paragraph's surroundings ([`context`]).
pub const CONTEXT: usize = 4;

/// For every paragraph (index into `infos`): is the line before it in dump order (`items`) a
/// headline (a title or a section heading), and is that headline printed right after a
/// finished body paragraph (a section heading inside running text, which opens a section:
/// the paragraph under it starts one and continues nothing)? Then its run to the end of its
/// column and, for a head, its column's length ([`rejoin::column_runs`]).
pub fn context(texts: &[String], infos: &[Info], items: &[usize]) -> Vec<[f32; CONTEXT]> {
    let runs = super::rejoin::column_runs(texts, infos, items);
    let mut out: Vec<[f32; CONTEXT]> = runs.iter().map(|r| [0.0, 0.0, r[0], r[1]]).collect();
    for (k, &i) in items.iter().enumerate().skip(1) {
        let p = items[k - 1];
        let Some(prev) = infos.get(p) else { continue };
        if prev.role != Role::Headline || i >= out.len() {
            continue;
        }
        let inner = super::rejoin::heading_in_text(infos, items, k - 1);
        out[i][0] = 1.0;
        out[i][1] = f32::from(u8::from(inner));
    }
    out
}

/// The inputs of the pairs `pool` (indices into `scored`), one per entry of `pool`, given every
/// candidate's first-stage score (`scored`), position features (`places`, parallel to
/// `scored`) and each paragraph's surroundings ([`context`], by paragraph; missing entries read
/// as nothing).
pub fn inputs(
    scored: &[Link],
    places: &[[f32; PLACE]],
    context: &[[f32; CONTEXT]],
    pool: &[usize],
) -> Vec<[f32; N]> {
    let n = scored
        .iter()
        .map(|l| l.head.max(l.tail) + 1)
        .max()
        .unwrap_or(0);
    let by_head = Competition::new(scored, n, |l| l.head, |l| l.tail);
    let by_tail = Competition::new(scored, n, |l| l.tail, |l| l.head);
    // Each head's best adjacent and best non-adjacent score.
    let (mut adjacent, mut elsewhere) = (vec![MISSING; n], vec![MISSING; n]);
    for (l, p) in scored.iter().zip(places) {
        let best = if p[ADJACENT] > 0.0 {
            &mut adjacent[l.head]
        } else {
            &mut elsewhere[l.head]
        };
        *best = best.max(l.score);
    }
    // Every head with a candidate and its flip, in paragraph order.
    let flips: Vec<(usize, f32)> = (0..n)
        .filter(|&h| !by_head.of(h).is_empty())
        .map(|h| (h, elsewhere[h] - adjacent[h]))
        .collect();
    let region = |head: usize| -> [f32; 3] {
        let lo = flips.partition_point(|&(h, _)| h + REGION < head);
        let (mut max, mut confident, mut count) = (NOTHING, 0.0, 0.0);
        for &(h, f) in flips[lo..].iter().take_while(|&&(h, _)| h <= head + REGION) {
            if h != head {
                max = max.max(f);
                confident += f32::from(u8::from(f > CONFIDENT_FLIP));
                count += 1.0;
            }
        }
        [max, confident, count]
    };
    // The head's best other tail: how much more the head wants it than any other head does
    // (a tail with no other home), how much it reads as a continuation, and whether it
    // opens an article's text right after a header line.
    let rival_tail = |h: usize, t: usize| -> [f32; 3] {
        match by_head.best_other(h, t) {
            Some((s, r, i)) => {
                let other = by_tail.best_other(r, h).map_or(NO_RIVAL, |e| e.0);
                let p = places.get(i).copied().unwrap_or([0.0; PLACE]);
                [
                    (s - other).clamp(-MARGIN_CAP, MARGIN_CAP),
                    p[TAIL_LM],
                    p[TAIL_AFTER_HEADER],
                ]
            }
            None => [-MARGIN_CAP, 0.0, 0.0],
        }
    };
    // The tail's best other head: how much more it wants the tail than any other tail.
    let rival_head = |h: usize, t: usize| -> f32 {
        match by_tail.best_other(t, h) {
            Some((s, g, _)) => {
                let other = by_head.best_other(g, t).map_or(NO_RIVAL, |e| e.0);
                (s - other).clamp(-MARGIN_CAP, MARGIN_CAP)
            }
            None => -MARGIN_CAP,
        }
    };
    const OWN: usize = OWN_NAMES.len();
    pool.iter()
        .map(|&i| {
            let l = scored[i];
            let p = places.get(i).copied().unwrap_or([0.0; PLACE]);
            let [max, confident, count] = region(l.head);
            let rival = rival_tail(l.head, l.tail);
            let b = context.get(l.tail).copied().unwrap_or([0.0; CONTEXT]);
            let head_column = context.get(l.head).map_or(0.0, |h| h[3]);
            let mut x = [0.0; N];
            x[..OWN].copy_from_slice(&[
                l.score,
                by_head.rank(l.head, l.score),
                by_tail.rank(l.tail, l.score),
                by_head.margin(l.head, l.score),
                by_tail.margin(l.tail, l.score),
                max,
                confident,
                count,
                rival[0],
                rival[1],
                rival[2],
                rival_head(l.head, l.tail),
                b[0],
                b[1],
                column_ratio(b[2], head_column),
            ]);
            x[OWN..].copy_from_slice(&p);
            x
        })
        .collect()
}

/// ln(run from the tail to its column end / the head's column), within ±2; 3 when either is
/// unknown. A tail opens a column as tall as the head's (the columns of one article are
/// equally tall); a paragraph start inside a column leaves a shorter run.
fn column_ratio(run: f32, column: f32) -> f32 {
    if run > 0.0 && column > 0.0 {
        (run / column).ln().clamp(-2.0, 2.0)
    } else {
        3.0
    }
}

const TREES_TXT: &str = include_str!("../../../config/rejoin-rerank.txt");

/// The compiled-in forest (empty, scoring 0, if its text does not parse: a unit test makes
/// sure it does).
pub fn forest() -> &'static Flat {
    static FOREST: OnceLock<Flat> = OnceLock::new();
    FOREST.get_or_init(|| Flat::new(&Forest::parse(TREES_TXT).unwrap_or_default()))
}

/// The second-stage log-odds of one pair's inputs under `forest`.
pub fn score_with(forest: &Flat, x: &[f32; N]) -> f32 {
    const { assert!(N <= WIDTH) };
    let mut padded = [0.0; WIDTH];
    padded[..N].copy_from_slice(x);
    forest.score(&padded)
}

/// The second-stage log-odds of one pair's inputs.
pub fn score(x: &[f32; N]) -> f32 {
    score_with(forest(), x)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(head: usize, tail: usize, score: f32) -> Link {
        Link { head, tail, score }
    }

    fn placed(adjacent: bool) -> [f32; PLACE] {
        let mut p = [0.0; PLACE];
        p[0] = f32::from(u8::from(adjacent));
        p
    }

    #[test]
    fn place_reads_the_named_first_stage_features() {
        let mut f = [0.0; evidence::N];
        for (i, v) in f.iter_mut().enumerate() {
            *v = i as f32;
        }
        let p = place(&f);
        for (k, name) in PLACE_NAMES.iter().enumerate() {
            assert_eq!(evidence::NAMES[p[k] as usize], *name);
            assert_eq!(NAMES[OWN_NAMES.len() + k], *name);
        }
        assert_eq!(PLACE_NAMES[ADJACENT], "adjacent");
    }

    #[test]
    fn ranks_and_margins_compare_with_the_head_and_tail_competition() {
        // Head 0 wants tails 1 (3.0) and 5 (1.0); head 4 also wants tail 5 (2.5); head 6 has
        // one weak candidate.
        let scored = [
            link(0, 1, 3.0),
            link(0, 5, 1.0),
            link(4, 5, 2.5),
            link(6, 7, -4.0),
        ];
        let places = [placed(true), placed(false), placed(true), placed(true)];
        let x = inputs(&scored, &places, &[], &[0, 1, 2, 3]);
        assert_eq!(x.len(), 4);
        // (0, 1): best of its head by 2, alone on its tail (a margin beyond the cap).
        assert_eq!(&x[0][..5], &[3.0, 1.0, 1.0, 2.0, MARGIN_CAP]);
        // (0, 5): second of its head and of its tail.
        assert_eq!(&x[1][..5], &[1.0, 2.0, 2.0, -2.0, -1.5]);
        // (4, 5): best of its tail by 1.5.
        assert_eq!(&x[2][..5], &[2.5, 1.0, 1.0, MARGIN_CAP, 1.5]);
        // (6, 7): alone, measured against a rival at the first stage's floor.
        assert_eq!(&x[3][3..5], &[-4.0 - NO_RIVAL, -4.0 - NO_RIVAL]);
        assert_eq!(x[0][OWN_NAMES.len()], 1.0, "position features follow");
    }

    #[test]
    fn rivals_say_how_much_the_other_ends_need_this_head_and_this_tail() {
        // Head 0 wants tails 1 (3.0) and 5 (1.0); head 4 wants tail 5 more (2.5); head 6 wants
        // tail 1 (0.5) and nothing else.
        let scored = [
            link(0, 1, 3.0),
            link(0, 5, 1.0),
            link(4, 5, 2.5),
            link(6, 1, 0.5),
        ];
        let mut rival_place = placed(false);
        rival_place[TAIL_LM] = 4.0;
        rival_place[TAIL_AFTER_HEADER] = 1.0;
        let places = [placed(true), rival_place, placed(true), placed(false)];
        let x = inputs(&scored, &places, &[], &[0]);
        let own = at("rival_tail_need");
        // (0, 1): head 0's other tail (5) is wanted more by head 4: need 1.0 − 2.5; it reads
        // as a continuation (tail_lm 4) right after a header line. Tail 1's other head (6)
        // has no other tail: 0.5 against the floor.
        assert_eq!(&x[0][own..own + 4], &[-1.5, 4.0, 1.0, 0.5 - NO_RIVAL]);
        // (4, 5): head 4 has no other tail; tail 5's other head (0) wants tail 1 more.
        let x = inputs(&scored, &places, &[], &[2]);
        assert_eq!(&x[0][own..own + 4], &[-MARGIN_CAP, 0.0, 0.0, -2.0]);
    }

    /// Where the input `name` sits.
    fn at(name: &str) -> usize {
        NAMES.iter().position(|n| *n == name).unwrap_or(usize::MAX)
    }

    #[test]
    fn the_column_ratio_compares_the_tails_run_with_the_heads_column() {
        assert_eq!(column_ratio(300.0, 300.0), 0.0);
        assert!((column_ratio(150.0, 300.0) - 0.5f32.ln()).abs() < 1e-6);
        assert_eq!(column_ratio(1.0, 300.0), -2.0, "clamped");
        assert_eq!(column_ratio(0.0, 300.0), 3.0, "unknown run");
        assert_eq!(column_ratio(300.0, 0.0), 3.0, "unknown column");
    }

    #[test]
    fn the_context_says_what_precedes_each_paragraph() {
        // A title, its first paragraph (finished), a section heading, a paragraph under it.
        let infos = [
            Info::plain(Role::Headline, 10, false),
            Info::plain(Role::Body, 80, true),
            Info::plain(Role::Headline, 8, false),
            Info::plain(Role::Body, 60, false),
        ];
        let texts: Vec<String> = ["标题", "第一段。", "小标题", "第二段的开头"]
            .map(String::from)
            .to_vec();
        let c = context(&texts, &infos, &[0, 1, 2, 3]);
        assert_eq!(c[1][..2], [1.0, 0.0], "under a title");
        assert_eq!(c[3][..2], [1.0, 1.0], "under a heading inside running text");
        assert_eq!(c[2][..2], [0.0, 0.0]);
        // Through the heading, paragraph 1 runs to the head at 3 (80 + 8 + 60 characters),
        // the column that head ends.
        assert_eq!(c[1][2], 148.0);
        assert_eq!(c[3][3], 148.0);
        // A pair (3, 1) reads that column ratio.
        let x = inputs(&[link(3, 1, 1.0)], &[placed(false)], &c, &[0]);
        assert_eq!(x[0][at("column_ratio")], 0.0);
        assert_eq!(x[0][at("tail_after_headline")], 1.0);
    }

    #[test]
    fn the_region_counts_nearby_heads_that_favour_a_tail_elsewhere() {
        // Head 10 prefers a far tail by 4 (a confident flip); head 12 its next paragraph; head
        // 40 is out of head 12's region.
        let scored = [
            link(10, 11, 0.0),
            link(10, 30, 4.0),
            link(12, 13, 3.0),
            link(40, 41, 3.0),
        ];
        let places = [placed(true), placed(false), placed(true), placed(true)];
        let x = inputs(&scored, &places, &[], &[2]);
        assert_eq!(&x[0][5..8], &[4.0, 1.0, 1.0]);
        let x = inputs(&scored, &places, &[], &[3]);
        assert_eq!(&x[0][5..8], &[NOTHING, 0.0, 0.0], "no head within reach");
    }

    #[test]
    fn the_compiled_in_forest_parses() {
        let f = Forest::parse(TREES_TXT);
        assert!(f.is_ok_and(|f| !f.is_empty()));
        assert!(!forest().is_empty());
    }
}
