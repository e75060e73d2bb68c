//! Column breaks: pair each paragraph cut mid-sentence (a *head*, no closing punctuation)
//! with the paragraph that continues it (its *tail*), adjacent in the dump or not.
//!
//! 1. Every (head, tail) candidate gets a first-stage log-odds from cheap evidence features
//!    ([`evidence`]: position, how the tail starts and the head ends, a dictionary word across
//!    the cut, lexical continuity, language models of the join; boosted trees over them).
//! 2. The pairs scoring at least [`THRESHOLD`] (the best few of each head) are scored again by
//!    a second stage ([`rerank`]) from their first-stage score, their rank and margin among
//!    their head's and their tail's candidates, their position and whether nearby heads
//!    continue elsewhere, then matched one-to-one on those scores (greedy, improved by
//!    pairwise swaps and a local search): each head gets at most one tail and each tail at
//!    most one head.
//! 3. A matched pair is kept when its second-stage log-odds reach [`ACCEPT`].

use std::borrow::{Borrow, Cow};

use super::boost::Flat;
use super::evidence::{self, HeadSide, Place, TailSide};
use super::kinds::{self, is_han, Info, Role};
use super::lexical::{FxMap, Lexicon, Postings, Vector};
use super::rerank;

/// Minimum first-stage log-odds of a pair entering the matching (chosen on the dev seed 1,
/// with the second stage then removing the weak matched pairs).
pub const THRESHOLD: f32 = -3.0;

/// How many candidates per head enter the matching.
const PER_HEAD: usize = 6;

/// A head paragraph joined to its tail.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    /// Index of the head paragraph.
    pub head: usize,
    /// Index of the tail paragraph.
    pub tail: usize,
    /// Evidence score (log-odds).
    pub score: f32,
}

/// Can this paragraph be the head of a broken paragraph?
pub fn is_head(text: &str, info: &Info) -> bool {
    if !matches!(info.role, Role::Body) || info.terminal || info.caption {
        return false;
    }
    let mut rev = text.chars().rev();
    match rev.next() {
        Some(c) => {
            is_han(c)
                || c.is_alphanumeric()
                || matches!(
                    c,
                    '，' | '、'
                        | '：'
                        | '“'
                        | '（'
                        | '《'
                        | '》'
                        | '—'
                        | '·'
                        | '％'
                        | '%'
                        | '-'
                        | '－'
                        | '/'
                )
                // A decimal point cut from its decimals (`0.|341秒`).
                || (matches!(c, '.' | '．') && rev.next().is_some_and(|d| d.is_numeric()))
        }
        None => false,
    }
}

/// Can this paragraph be a tail? Not a dateline lead, nor a paragraph that opens as only an
/// article does (`近日，`, `北京时间`: [`kinds::opens_article`]), nor a photo caption (`…图为…`,
/// `…摄`): captions stand between columns, never continue one (none of the 1,487 captions of
/// the training dumps is a tail, and they were 11 of the first stage's 204 wrong favourites).
fn is_tail_candidate(text: &str, info: &Info) -> bool {
    matches!(info.role, Role::Body)
        && info.dateline.is_none()
        && !info.caption
        && !kinds::opens_article(text)
}

/// A candidate pair with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Index of the head paragraph.
    pub head: usize,
    /// Index of the tail paragraph.
    pub tail: usize,
    /// The evidence features ([`evidence::NAMES`]).
    pub features: [f32; evidence::N],
}

/// Every (head, tail) candidate of a dump with its features: `items` are the non-furniture
/// paragraph indices in dump order.
pub fn candidates(
    texts: &[String],
    infos: &[Info],
    items: &[usize],
    lex: &Lexicon,
) -> Vec<Candidate> {
    let mut cache = TailCache::default();
    each_pair(
        texts,
        infos,
        items,
        lex,
        None,
        &mut cache,
        |head, tail, f| Candidate {
            head,
            tail,
            features: *f,
        },
    )
}

/// Every (head, tail) candidate of a dump with its first-stage score: the same as
/// `score_all(&candidates(…))` without keeping the features.
pub fn scored(texts: &[String], infos: &[Info], items: &[usize], lex: &Lexicon) -> Vec<Link> {
    scored_with(texts, infos, items, lex, None, &mut TailCache::default())
}

/// [`scored`] reusing (and filling) the tails' facts in `cache`, for every head or only the
/// one at position `only` of `items` (empty when that is no head).
pub fn scored_with(
    texts: &[String],
    infos: &[Info],
    items: &[usize],
    lex: &Lexicon,
    only: Option<usize>,
    cache: &mut TailCache,
) -> Vec<Link> {
    each_pair(texts, infos, items, lex, only, cache, |head, tail, f| {
        Link {
            head,
            tail,
            score: evidence::pair_score(f),
        }
    })
}

/// What pairing needs from each tail paragraph of a dump, computed once per paragraph and
/// kept across the pairings of one dump (the headlines `cut_short` tries as heads, then all
/// heads): its [`TailSide`] and its neighbourhood (it and the paragraph after). Both depend
/// only on the paragraph, its cues and its neighbour, never on the head.
#[derive(Debug, Clone, Default)]
pub struct TailCache {
    side: Vec<Option<TailSide>>,
    ctx: Vec<Option<Vector>>,
}

impl TailCache {
    /// The facts of the tails at `tails` (positions in `items`), computed where missing and
    /// borrowed from the cache (so a side's join class, tagged on first use, is tagged once
    /// per dump, and no neighbourhood is copied for each pairing).
    fn of(
        &mut self,
        texts: &[String],
        infos: &[Info],
        items: &[usize],
        lex: &Lexicon,
        tails: &[usize],
    ) -> (Vec<&TailSide>, Vec<&Vector>) {
        if self.side.len() < items.len() {
            self.side.resize(items.len(), None);
            self.ctx.resize(items.len(), None);
        }
        for &k in tails {
            let i = items[k];
            self.side[k]
                .get_or_insert_with(|| TailSide::of_paragraph(lex, i, &texts[i], &infos[i]));
            self.ctx[k].get_or_insert_with(|| evidence::context(lex, items, k, false));
        }
        // Every fact was filled above, so no tail is skipped and the lists stay aligned.
        let sides: Vec<&TailSide> = tails
            .iter()
            .filter_map(|&k| self.side[k].as_ref())
            .collect();
        let ctxs: Vec<&Vector> = tails.iter().filter_map(|&k| self.ctx[k].as_ref()).collect();
        debug_assert_eq!(sides.len(), tails.len());
        debug_assert_eq!(ctxs.len(), tails.len());
        (sides, ctxs)
    }
}

/// `make(head, tail, features)` for every candidate pair, heads in dump order (only the head
/// at position `only` of `items` when given), each head's tails in dump order.
fn each_pair<T>(
    texts: &[String],
    infos: &[Info],
    items: &[usize],
    lex: &Lexicon,
    only: Option<usize>,
    cache: &mut TailCache,
    make: impl Fn(usize, usize, &[f32; evidence::N]) -> T,
) -> Vec<T> {
    let layout = Layout::new(texts, infos, items);
    let heads: Vec<usize> = (0..items.len())
        .filter(|&k| layout.is_head[k] && only.is_none_or(|o| o == k))
        .collect();
    if heads.is_empty() {
        return Vec::new();
    }
    let tails: Vec<usize> = (0..items.len())
        .filter(|&k| is_tail_candidate(&texts[items[k]], &infos[items[k]]))
        .collect();
    let head_side: Vec<HeadSide> = heads
        .iter()
        .map(|&k| HeadSide::new(lex, &texts[items[k]]))
        .collect();
    let (tail_side, tail_ctx) = cache.of(texts, infos, items, lex, &tails);
    // A head's neighbourhood (itself and the paragraph before) is the one of the tail right
    // before it (that paragraph and the next): the same two lists, and `Lexicon::vector` of
    // two lists does not depend on their order, so it is borrowed instead of merged again.
    let head_ctx: Vec<Cow<'_, Vector>> = heads
        .iter()
        .map(
            |&hk| match hk.checked_sub(1).map(|k| tails.binary_search(&k)) {
                Some(Ok(ti)) => Cow::Borrowed(tail_ctx[ti]),
                _ => Cow::Owned(evidence::context(lex, items, hk, true)),
            },
        )
        .collect();
    let mut topics = Topics::new(&tail_ctx, heads.len(), lex.n_ids());
    let mut marks = evidence::WindowMarks::new(lex);
    let log_distance: Vec<f32> = (0..=items.len()).map(evidence::log_distance).collect();
    // When the paragraph after a head is a tail, its first word's class is the one its
    // `TailSide` tags (and keeps for the pairs).
    let next_start: Vec<f32> = heads
        .iter()
        .map(|&hk| match tails.binary_search(&(hk + 1)) {
            Ok(ti) => tail_side[ti]
                .join_class()
                .map_or(0.0, |c| -super::joinlm::tail_prior(c)),
            Err(_) => head_next_start(texts, infos, items, hk),
        })
        .collect();
    let mut out = Vec::with_capacity(heads.len() * tails.len());
    for (hi, &hk) in heads.iter().enumerate() {
        let h = items[hk];
        let row = topics.of(&head_ctx[hi], &tail_ctx);
        marks.set(&head_side[hi], true);
        let mut own: Option<Vector> = None;
        for (ti, &tk) in tails.iter().enumerate() {
            let t = items[tk];
            if t == h {
                continue;
            }
            // Neighbourhoods that share a paragraph compare the two paragraphs alone.
            let topic = if tk + 1 == hk || tk + 2 == hk {
                own.get_or_insert_with(|| lex.vector([h]))
                    .cos(&lex.vector([t]))
            } else {
                row[ti]
            };
            let mut place = place_of(infos, items, &layout, hk, tk, topic);
            place.head_next_start = next_start[hi];
            let shared = marks.shared(lex, tail_side[ti]);
            let f = evidence::pair_features_with(
                lex,
                &head_side[hi],
                tail_side[ti],
                &place,
                shared,
                log_distance[place.distance],
            );
            out.push(make(h, t, &f));
        }
        marks.set(&head_side[hi], false);
    }
    out
}

/// The topic cosines of one head's neighbourhood with every tail's, by whichever way is
/// cheaper for the dump; both give the same bits as one `cos_dense` per pair.
enum Topics {
    /// An inverted index of the tails' vectors: one pass over the bigrams a head shares with
    /// them (many heads; [`Postings::dots`]).
    Postings(Postings, Vec<f32>),
    /// The head scattered into a dense table, then one `cos_dense` per tail (few heads: no
    /// index to build).
    Dense(Vec<f32>, Vec<f32>),
}

impl Topics {
    /// The cheaper way for `heads` heads against `tails`, over `n_ids` bigram ids.
    fn new<V: Borrow<Vector>>(tails: &[V], heads: usize, n_ids: usize) -> Self {
        let entries: usize = tails.iter().map(|t| t.borrow().len()).sum();
        // The index costs about two passes over the ids and two over the tails' entries; the
        // dense way one pass over the tails' entries per head.
        if heads.saturating_mul(entries) > 2 * n_ids + 2 * entries {
            Topics::Postings(Postings::new(tails, n_ids), vec![0.0; tails.len()])
        } else {
            Topics::Dense(vec![0.0; n_ids], vec![0.0; tails.len()])
        }
    }

    /// The cosine of `head` with each of `tails` (the vectors given to [`Topics::new`]).
    fn of<V: Borrow<Vector>>(&mut self, head: &Vector, tails: &[V]) -> &[f32] {
        match self {
            Topics::Postings(p, out) => {
                p.dots(head, out);
                out
            }
            Topics::Dense(dense, out) => {
                head.scatter(dense);
                for (o, t) in out.iter_mut().zip(tails) {
                    *o = t.borrow().cos_dense(dense);
                }
                head.unscatter(dense);
                out
            }
        }
    }
}

/// How much the paragraph after the head at position `hk` of `items` looks like the start of
/// a paragraph rather than a column's continuation ([`Place::head_next_start`]).
pub fn head_next_start(texts: &[String], infos: &[Info], items: &[usize], hk: usize) -> f32 {
    let Some(&next) = items.get(hk + 1) else {
        return 0.0;
    };
    if infos[next].role != Role::Body {
        return 0.0;
    }
    let text = &texts[next];
    let six = &text[..text.char_indices().nth(6).map_or(text.len(), |(i, _)| i)];
    super::joinlm::tail_class(six).map_or(0.0, |c| -super::joinlm::tail_prior(c))
}

/// The dump's column layout as far as it shows: which items are heads, and the blocks the
/// items fall into (a block ends after a head, before and after header lines and captions,
/// and before a wider gap of blank lines).
pub struct Layout {
    /// Item `k` is a head candidate.
    is_head: Vec<bool>,
    /// Block number of each item.
    block: Vec<u32>,
    /// Item `k` opens its block.
    first: Vec<bool>,
    /// Each block's length in characters.
    chars: Vec<usize>,
    /// Each block ends with a head (a column end).
    ends_head: Vec<bool>,
}

impl Layout {
    /// The layout of `items`.
    pub fn new(texts: &[String], infos: &[Info], items: &[usize]) -> Self {
        Self::cut(texts, infos, items, false)
    }

    /// The layout of `items`; with `through_headings`, a section heading printed under a
    /// finished paragraph stays inside its block, as it stands inside its column.
    fn cut(texts: &[String], infos: &[Info], items: &[usize], through_headings: bool) -> Self {
        let is_head: Vec<bool> = items
            .iter()
            .map(|&i| is_head(&texts[i], &infos[i]))
            .collect();
        let inner_heading = |k: usize| through_headings && heading_in_text(infos, items, k);
        let mut block = Vec::with_capacity(items.len());
        let mut first = Vec::with_capacity(items.len());
        let mut b = 0u32;
        for (k, &i) in items.iter().enumerate() {
            let opens = k == 0 || {
                let p = items[k - 1];
                is_head[k - 1]
                    || (infos[p].role != Role::Body && !inner_heading(k - 1))
                    || infos[p].caption
                    || (infos[i].role != Role::Body && !inner_heading(k))
                    || infos[i].caption
                    || infos[i].block_start
            };
            if opens && k > 0 {
                b += 1;
            }
            block.push(b);
            first.push(opens);
        }
        let n = block.last().map_or(0, |&b| b as usize + 1);
        let mut chars = vec![0usize; n];
        let mut ends_head = vec![false; n];
        for (k, &i) in items.iter().enumerate() {
            let b = block[k] as usize;
            chars[b] += infos[i].len;
            ends_head[b] = is_head[k];
        }
        Layout {
            is_head,
            block,
            first,
            chars,
            ends_head,
        }
    }

    /// How closely the block the head at `hk` ends matches in length the block the tail at
    /// `tk` opens, when that block also ends in a head (two full columns of one article are
    /// about as long): 1 for equal lengths, falling to 0 at a 10 % difference.
    fn column_match(&self, hk: usize, tk: usize) -> f32 {
        let (bh, bt) = (self.block[hk] as usize, self.block[tk] as usize);
        if bh == bt || !self.first[tk] || !self.ends_head[bt] {
            return 0.0;
        }
        let (a, b) = (self.chars[bh] as f32, self.chars[bt] as f32);
        let d = (a - b).abs() / a.max(b).max(1.0);
        (1.0 - d / 0.1).max(0.0)
    }
}

/// Is item `k` of `items` a headline printed right under a finished body paragraph: a section
/// heading inside running text (a title follows another article's end just as well, so this
/// is a hint, not a verdict)?
pub fn heading_in_text(infos: &[Info], items: &[usize], k: usize) -> bool {
    let info = |j: usize| items.get(j).and_then(|&i| infos.get(i));
    k > 0
        && info(k).is_some_and(|h| h.role == Role::Headline)
        && info(k - 1).is_some_and(|p| p.role == Role::Body && p.terminal && !p.caption)
}

/// For every paragraph (index into `texts`): the characters from it to the end of its block
/// when that block ends with a head (a column end; else 0), and, for a head, the characters of
/// the block it ends (its column, when the block opened at a column start).
pub fn column_runs(texts: &[String], infos: &[Info], items: &[usize]) -> Vec<[f32; 2]> {
    let layout = Layout::cut(texts, infos, items, true);
    let mut out = vec![[0.0; 2]; texts.len()];
    let mut rest = 0usize;
    for (k, &i) in items.iter().enumerate().rev() {
        let b = layout.block[k] as usize;
        let last_of_block = k + 1 == items.len() || layout.block[k + 1] as usize != b;
        if last_of_block {
            rest = 0;
        }
        rest += infos[i].len;
        if let Some(o) = out.get_mut(i) {
            if layout.ends_head[b] {
                o[0] = rest as f32;
            }
            if layout.is_head[k] && last_of_block {
                o[1] = layout.chars[b] as f32;
            }
        }
    }
    out
}

/// Where the tail at position `tk` of `items` sits relative to the head at `hk` (all but
/// [`Place::head_next_start`], which is the head's alone).
fn place_of(
    infos: &[Info],
    items: &[usize],
    layout: &Layout,
    hk: usize,
    tk: usize,
    topic: f32,
) -> Place {
    let h = items[hk];
    let pred = tk.checked_sub(1).map(|j| items[j]);
    Place {
        adjacent: tk == hk + 1,
        tail_after_head: pred.is_some_and(|p| p != h) && tk > 0 && layout.is_head[tk - 1],
        tail_after_header: pred.is_none_or(|p| infos[p].role != Role::Body),
        distance: tk.abs_diff(hk),
        backwards: tk < hk,
        topic,
        head_next_start: 0.0,
        tail_block_start: infos[items[tk]].block_start,
        tail_opens_previous_block: tk < hk
            && layout.first[tk]
            && layout.block[tk] + 1 == layout.block[hk],
        column_match: layout.column_match(hk, tk),
    }
}

/// First-stage log-odds ([`evidence::pair_score`]) that body paragraph `tail` continues
/// `head` when it directly follows it (used to tell a cut-short paragraph from a headline).
pub fn adjacent_score(lex: &Lexicon, head: &str, tail: &str, tail_info: &Info) -> f32 {
    evidence::pair_score(&evidence::pair_features(
        lex,
        &HeadSide::new(lex, head),
        &TailSide::new(lex, tail, tail_info),
        &ADJACENT,
    ))
}

/// [`adjacent_score`] of the dump's paragraph `tail` (the text `lex` was built from, its
/// window's ids taken from the lexicon instead of hashed again: the same features).
pub fn adjacent_score_of(
    lex: &Lexicon,
    head: &str,
    tail: usize,
    tail_text: &str,
    tail_info: &Info,
) -> f32 {
    evidence::pair_score(&evidence::pair_features(
        lex,
        &HeadSide::new(lex, head),
        &TailSide::of_paragraph(lex, tail, tail_text, tail_info),
        &ADJACENT,
    ))
}

/// The place of a tail directly after its head.
const ADJACENT: Place = Place {
    adjacent: true,
    tail_after_head: false,
    tail_after_header: false,
    distance: 1,
    backwards: false,
    topic: 0.0,
    head_next_start: 0.0,
    tail_block_start: false,
    tail_opens_previous_block: false,
    column_match: 0.0,
};

/// Finds the column breaks of a dump: `items` are the non-furniture paragraph indices in
/// dump order.
pub fn links(texts: &[String], infos: &[Info], items: &[usize], lex: &Lexicon) -> Vec<Link> {
    links_with(texts, infos, items, lex, &mut TailCache::default())
}

/// [`links`] reusing the tails' facts in `cache`.
pub fn links_with(
    texts: &[String],
    infos: &[Info],
    items: &[usize],
    lex: &Lexicon,
    cache: &mut TailCache,
) -> Vec<Link> {
    let (scored, places): (Vec<Link>, Vec<[f32; rerank::PLACE]>) =
        each_pair(texts, infos, items, lex, None, cache, |head, tail, f| {
            let l = Link {
                head,
                tail,
                score: evidence::pair_score(f),
            };
            (l, rerank::place(f))
        })
        .into_iter()
        .unzip();
    let context = rerank::context(texts, infos, items);
    select(&scored, &places, &context, THRESHOLD, ACCEPT)
}

/// Steps 2–3 on scored candidates (`places`: their position features, parallel to
/// `scored`): the pairs kept by [`rescored_matching`] whose second-stage log-odds reach
/// `accept`.
pub fn select(
    scored: &[Link],
    places: &[[f32; rerank::PLACE]],
    context: &[[f32; rerank::CONTEXT]],
    threshold: f32,
    accept: f32,
) -> Vec<Link> {
    rescored_matching(scored, places, context, threshold, rerank::forest())
        .into_iter()
        .filter(|l| l.score >= accept)
        .collect()
}

/// The pairs entering the matching ([`pool`]), scored again by the second stage (`forest`,
/// see [`rerank`]) and matched one-to-one on those scores, which the returned links carry.
pub fn rescored_matching(
    scored: &[Link],
    places: &[[f32; rerank::PLACE]],
    context: &[[f32; rerank::CONTEXT]],
    threshold: f32,
    forest: &Flat,
) -> Vec<Link> {
    let pool = pool(scored, threshold);
    let rescored = rerank::inputs(scored, places, context, &pool)
        .iter()
        .zip(&pool)
        .map(|(x, &i)| Link {
            score: rerank::score_with(forest, x),
            ..scored[i]
        })
        .collect();
    matching(rescored)
}

/// Second-stage log-odds at or above which a matched pair is kept (odds of 1.28 to 1), chosen
/// on the exploration seeds (41–44, 51–60; `eval-split`, 2026-11-29, session 11): cuts 0 /
/// 0.25 / 0.5 gave rejoin precision 0.9775 / 0.97995 / 0.9823 at recall 0.9065 / 0.9016 /
/// 0.8939. Out of fold on the training dumps (seeds 1–5 and 12–16, `rejoin_fit BOOST=…
/// RERANK=…`) the cuts 0 / 0.5 / 1 give precision 0.977 / 0.981 / 0.983 at recall 0.924 /
/// 0.912 / 0.898 of the true candidates. With session 12's 400 trees the exploration seeds
/// give 0.9812 at recall 0.9028 at this cut.
pub const ACCEPT: f32 = 0.25;

/// The first-stage score of every candidate.
pub fn score_all(cands: &[Candidate]) -> Vec<Link> {
    cands
        .iter()
        .map(|c| Link {
            head: c.head,
            tail: c.tail,
            score: evidence::pair_score(&c.features),
        })
        .collect()
}

/// A head's best candidate enters the matching from this first-stage log-odds on, below the
/// threshold the others need: nearly every head has a tail (621 of 625 head candidates on the
/// dev seed), so its clear favourite deserves the second stage's look (chosen on the dev seed
/// among −4, −5, −6 and −8; −6 and −8 gave the same links).
pub const BEST_FLOOR: f32 = -6.0;

/// The pairs entering the matching (indices into `scored`): those scoring at least
/// `threshold` (the best [`PER_HEAD`] of each head), and each head's best pair from
/// [`BEST_FLOOR`] on.
pub fn pool(scored: &[Link], threshold: f32) -> Vec<usize> {
    let floor = BEST_FLOOR.min(threshold);
    let mut by_head: Vec<usize> = (0..scored.len())
        .filter(|&i| scored[i].score >= floor)
        .collect();
    by_head.sort_by(|&a, &b| {
        let (a, b) = (&scored[a], &scored[b]);
        a.head.cmp(&b.head).then(b.score.total_cmp(&a.score))
    });
    let mut out = Vec::new();
    let mut last = usize::MAX;
    let mut n = 0;
    for i in by_head {
        let l = &scored[i];
        if l.head != last {
            last = l.head;
            n = 0;
        }
        if n < PER_HEAD && (l.score >= threshold || n == 0) {
            out.push(i);
        }
        n += 1;
    }
    out
}

/// Greedy maximum-weight matching improved by pairwise swaps.
pub fn matching(mut cands: Vec<Link>) -> Vec<Link> {
    cands.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.head.cmp(&b.head))
            .then(a.tail.cmp(&b.tail))
    });
    // Indexes for the searches below: score by (head, tail), candidates by head (in order).
    let mut score_of: FxMap<(usize, usize), f32> = FxMap::default();
    let mut by_head: FxMap<usize, Vec<Link>> = FxMap::default();
    for l in &cands {
        score_of.entry((l.head, l.tail)).or_insert(l.score);
        by_head.entry(l.head).or_default().push(*l);
    }
    let lookup = |h: usize, t: usize| score_of.get(&(h, t)).copied();
    // Which chosen pair (its index in `chosen`) holds each head and each tail: chosen pairs
    // never share a head or a tail, so one slot per paragraph is enough.
    let n = cands
        .iter()
        .map(|l| l.head.max(l.tail) + 1)
        .max()
        .unwrap_or(0);
    let mut head_at = vec![usize::MAX; n];
    let mut tail_at = vec![usize::MAX; n];
    let mut chosen: Vec<Link> = Vec::new();
    for l in &cands {
        if head_at[l.head] == usize::MAX && tail_at[l.tail] == usize::MAX {
            head_at[l.head] = chosen.len();
            tail_at[l.tail] = chosen.len();
            chosen.push(*l);
        }
    }
    // Pairwise swaps: (h1,t1),(h2,t2) → (h1,t2),(h2,t1) when the sum improves.
    let mut improved = true;
    let mut rounds = 0;
    while improved && rounds < 4 {
        improved = false;
        rounds += 1;
        for i in 0..chosen.len() {
            for j in i + 1..chosen.len() {
                let (a, b) = (chosen[i], chosen[j]);
                if let (Some(x), Some(y)) = (lookup(a.head, b.tail), lookup(b.head, a.tail)) {
                    if x + y > a.score + b.score + 1e-3 {
                        chosen[i] = Link {
                            head: a.head,
                            tail: b.tail,
                            score: x,
                        };
                        chosen[j] = Link {
                            head: b.head,
                            tail: a.tail,
                            score: y,
                        };
                        tail_at[b.tail] = i;
                        tail_at[a.tail] = j;
                        improved = true;
                    }
                }
            }
        }
    }
    // Local search: head h2 takes the tail t1 of a chosen pair (h1, t1), h1 moves to a tail
    // that is free (possibly the one h2 releases), whenever the total score improves.
    for _ in 0..3 {
        let mut changed = false;
        let heads: Vec<usize> = cands.iter().map(|l| l.head).collect();
        for h2 in heads {
            let mine = Some(head_at[h2]).filter(|&m| m != usize::MAX);
            let own = mine.map_or(0.0, |m| chosen[m].score);
            let mut best: Option<(usize, Link, Link, f32)> = None;
            for (ci, c) in chosen.iter().enumerate() {
                if Some(ci) == mine {
                    continue;
                }
                let Some(x) = lookup(h2, c.tail) else {
                    continue;
                };
                for alt in by_head
                    .get(&c.head)
                    .map_or(&[][..], Vec::as_slice)
                    .iter()
                    .filter(|l| l.tail != c.tail)
                {
                    let holder = tail_at[alt.tail];
                    let taken = holder != usize::MAX && Some(holder) != mine;
                    if taken {
                        continue;
                    }
                    let gain = x + alt.score - c.score - own;
                    if gain > 1e-3 && best.as_ref().is_none_or(|b| gain > b.3) {
                        best = Some((
                            ci,
                            Link {
                                head: h2,
                                tail: c.tail,
                                score: x,
                            },
                            *alt,
                            gain,
                        ));
                    }
                }
            }
            if let Some((ci, a, b, _)) = best {
                // Release the tails that change hands, then record the new holders.
                tail_at[chosen[ci].tail] = usize::MAX;
                if let Some(m) = mine {
                    tail_at[chosen[m].tail] = usize::MAX;
                }
                chosen[ci] = b;
                tail_at[b.tail] = ci;
                let m = match mine {
                    Some(m) => {
                        chosen[m] = a;
                        m
                    }
                    None => {
                        chosen.push(a);
                        chosen.len() - 1
                    }
                };
                head_at[a.head] = m;
                tail_at[a.tail] = m;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    drop_cycles(chosen)
}

/// The chosen links in head order, minus each link that would close a cycle (head → tail →
/// … → head) with the links kept before it.
fn drop_cycles(chosen: Vec<Link>) -> Vec<Link> {
    let mut next: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for l in chosen {
        let mut cur = l.tail;
        let mut cyclic = false;
        let mut steps = 0;
        while let Some(&n) = next.get(&cur) {
            if n == l.head {
                cyclic = true;
                break;
            }
            cur = n;
            steps += 1;
            if steps > 10_000 {
                break;
            }
        }
        if !cyclic && l.tail != l.head {
            next.insert(l.head, l.tail);
            out.push(l);
        }
    }
    out.sort_by_key(|l| l.head);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_end_mid_sentence_decimals_and_titles_included() {
        let texts: Vec<String> = [
            "据介绍，这款模块在测试中最快可以实现0.",
            "他告诉记者，正是这款名为《星际争霸》",
            "公告显示，本次发行的价格为19.61元/",
            "据介绍，比赛在当天下午结束了。",
            "他告诉记者，他最喜欢的演员是Mr.",
        ]
        .map(String::from)
        .to_vec();
        let infos = super::super::kinds::classify(&texts);
        let heads: Vec<bool> = texts
            .iter()
            .zip(&infos)
            .map(|(t, i)| is_head(t, i))
            .collect();
        assert_eq!(heads, [true, true, true, false, false]);
    }

    #[test]
    fn a_heads_best_pair_enters_the_matching_below_the_threshold_but_not_its_others() {
        // Head 0's best tail scores under THRESHOLD but above BEST_FLOOR; its second does not
        // count. Head 5's two tails clear the threshold.
        let low = (THRESHOLD + BEST_FLOOR) / 2.0;
        let scored = [
            link(0, 1, low),
            link(0, 2, low - 0.5),
            link(5, 6, 2.0),
            link(5, 7, 1.0),
            link(8, 9, BEST_FLOOR - 1.0),
        ];
        let chosen = matching(
            pool(&scored, THRESHOLD)
                .iter()
                .map(|&i| scored[i])
                .collect(),
        );
        assert!(chosen.contains(&link(0, 1, low)));
        assert!(chosen.contains(&link(5, 6, 2.0)));
        assert!(
            !chosen.iter().any(|l| l.head == 8),
            "below the floor stays out"
        );
        assert_eq!(chosen.len(), 2);
    }

    #[test]
    fn layout_blocks_end_after_heads_and_match_whole_columns_by_length() {
        // Two columns of one article printed in reverse: the second column (items 0–1) stands
        // before the first (items 2–3), whose last paragraph is cut short.
        let texts: Vec<String> = [
            "续完的句子，在这里结束了。",
            "第二栏的段落，写完了这一句话后又",
            "第一栏开头的段落，讲了一件事。",
            "第一栏最后一段，写到一半没有写",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
        let infos = super::super::kinds::classify(&texts);
        let items = [0, 1, 2, 3];
        let layout = Layout::new(&texts, &infos, &items);
        assert_eq!(layout.block, [0, 0, 1, 1]);
        assert_eq!(layout.first, [true, false, true, false]);
        let place = place_of(&infos, &items, &layout, 3, 0, 0.0);
        assert!(place.tail_opens_previous_block && place.backwards);
        // Block 0 ends in a head and is 29 characters long, block 1 is 30: within 10 %.
        assert!(layout.column_match(3, 0) > 0.5);
        assert_eq!(layout.column_match(3, 1), 0.0, "item 1 opens no block");
    }

    fn link(head: usize, tail: usize, score: f32) -> Link {
        Link { head, tail, score }
    }

    /// The shortcuts of `each_pair` against the computations they replace, on the sample:
    /// a head's context equals the context of the tail right before it, bit for bit; the
    /// next paragraph's start read from its `TailSide` equals `head_next_start`; a paragraph's
    /// adjacent score equals the one with its tail window hashed.
    #[test]
    fn shared_contexts_and_classes_equal_the_recomputed_ones() {
        let text = include_str!("../../../tests/fixtures/sample_dump.txt");
        let p = super::super::prepare(text);
        let (texts, infos, items, lex) = (&p.texts, &p.infos, &p.items, &p.lex);
        let bits = |v: &Vector| format!("{v:?}");
        let (mut contexts, mut classes, mut scores) = (0, 0, 0);
        for k in 1..items.len() {
            let (prev, i) = (items[k - 1], items[k]);
            if is_tail_candidate(&texts[prev], &infos[prev]) {
                let head = evidence::context(lex, items, k, true);
                let tail = evidence::context(lex, items, k - 1, false);
                assert_eq!(bits(&head), bits(&tail), "{k}");
                contexts += 1;
            }
            if is_tail_candidate(&texts[i], &infos[i]) {
                let side = TailSide::of_paragraph(lex, i, &texts[i], &infos[i]);
                let shared = side
                    .join_class()
                    .map_or(0.0, |c| -super::super::joinlm::tail_prior(c));
                let direct = head_next_start(texts, infos, items, k - 1);
                assert_eq!(shared.to_bits(), direct.to_bits(), "{k}");
                classes += 1;
                let a = adjacent_score(lex, &texts[prev], &texts[i], &infos[i]);
                let b = adjacent_score_of(lex, &texts[prev], i, &texts[i], &infos[i]);
                assert_eq!(a.to_bits(), b.to_bits(), "{k}");
                scores += 1;
            }
        }
        assert!(
            contexts > 30 && classes > 30 && scores > 30,
            "{contexts} {classes} {scores}"
        );
    }

    /// The matching as first written (linear searches of `chosen`), for comparison.
    fn matching_slow(mut cands: Vec<Link>) -> Vec<Link> {
        cands.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.head.cmp(&b.head))
                .then(a.tail.cmp(&b.tail))
        });
        // Indexes for the searches below: score by (head, tail), candidates by head (in order).
        let mut score_of: FxMap<(usize, usize), f32> = FxMap::default();
        let mut by_head: FxMap<usize, Vec<Link>> = FxMap::default();
        for l in &cands {
            score_of.entry((l.head, l.tail)).or_insert(l.score);
            by_head.entry(l.head).or_default().push(*l);
        }
        let lookup = |h: usize, t: usize| score_of.get(&(h, t)).copied();
        let mut chosen: Vec<Link> = Vec::new();
        for l in &cands {
            if chosen.iter().all(|c| c.head != l.head && c.tail != l.tail) {
                chosen.push(*l);
            }
        }
        // Pairwise swaps: (h1,t1),(h2,t2) → (h1,t2),(h2,t1) when the sum improves.
        let mut improved = true;
        let mut rounds = 0;
        while improved && rounds < 4 {
            improved = false;
            rounds += 1;
            for i in 0..chosen.len() {
                for j in i + 1..chosen.len() {
                    let (a, b) = (chosen[i], chosen[j]);
                    if let (Some(x), Some(y)) = (lookup(a.head, b.tail), lookup(b.head, a.tail)) {
                        if x + y > a.score + b.score + 1e-3 {
                            chosen[i] = Link {
                                head: a.head,
                                tail: b.tail,
                                score: x,
                            };
                            chosen[j] = Link {
                                head: b.head,
                                tail: a.tail,
                                score: y,
                            };
                            improved = true;
                        }
                    }
                }
            }
        }
        // Local search: head h2 takes the tail t1 of a chosen pair (h1, t1), h1 moves to a tail
        // that is free (possibly the one h2 releases), whenever the total score improves.
        for _ in 0..3 {
            let mut changed = false;
            let heads: Vec<usize> = cands.iter().map(|l| l.head).collect();
            for h2 in heads {
                let mine = chosen.iter().position(|c| c.head == h2);
                let own = mine.map_or(0.0, |m| chosen[m].score);
                let mut best: Option<(usize, Link, Link, f32)> = None;
                for (ci, c) in chosen.iter().enumerate() {
                    if Some(ci) == mine {
                        continue;
                    }
                    let Some(x) = lookup(h2, c.tail) else {
                        continue;
                    };
                    for alt in by_head
                        .get(&c.head)
                        .map_or(&[][..], Vec::as_slice)
                        .iter()
                        .filter(|l| l.tail != c.tail)
                    {
                        let taken = chosen
                            .iter()
                            .enumerate()
                            .any(|(k, o)| o.tail == alt.tail && Some(k) != mine);
                        if taken {
                            continue;
                        }
                        let gain = x + alt.score - c.score - own;
                        if gain > 1e-3 && best.as_ref().is_none_or(|b| gain > b.3) {
                            best = Some((
                                ci,
                                Link {
                                    head: h2,
                                    tail: c.tail,
                                    score: x,
                                },
                                *alt,
                                gain,
                            ));
                        }
                    }
                }
                if let Some((ci, a, b, _)) = best {
                    chosen[ci] = b;
                    match mine {
                        Some(m) => chosen[m] = a,
                        None => chosen.push(a),
                    }
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        // The cycle rule is shared: only the matching differs between the two versions.
        drop_cycles(chosen)
    }

    #[test]
    fn indexed_matching_equals_the_linear_one() {
        // Pseudo-random candidate sets (a fixed LCG), dense enough for swaps and moves.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |m: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) % m
        };
        let mut moved = 0;
        for round in 0..400 {
            let n = 3 + next(12) as usize;
            let mut cands = Vec::new();
            for h in 0..n {
                for t in 0..n {
                    if h != t && next(3) > 0 {
                        cands.push(link(h, t, next(200) as f32 / 10.0 - 3.0));
                    }
                }
            }
            let fast = matching(cands.clone());
            let slow = matching_slow(cands.clone());
            assert_eq!(fast, slow, "round {round}");
            let greedy_heads: Vec<usize> = fast.iter().map(|l| l.head).collect();
            moved += usize::from(greedy_heads.len() > 1);
        }
        assert!(moved > 100);
    }

    #[test]
    fn the_second_stage_rescores_the_pool_before_the_matching() {
        // A second stage that says yes (+1) above a first-stage score of 1.5 and no (−1) below.
        let forest = Flat::new(
            &crate::stages::split::boost::Forest::parse(
                "base 0\ntree\nsplit 0 1.5 1 2\nleaf -1\nleaf 1\n",
            )
            .unwrap_or_default(),
        );
        let scored = [
            link(0, 1, 3.0),
            link(2, 3, 1.0),
            link(4, 5, BEST_FLOOR - 1.0),
        ];
        let places = [[0.0; rerank::PLACE]; 3];
        let chosen = rescored_matching(&scored, &places, &[], THRESHOLD, &forest);
        assert_eq!(
            chosen,
            [link(0, 1, 1.0), link(2, 3, -1.0)],
            "below the floor stays out"
        );
        let kept: Vec<Link> = chosen.into_iter().filter(|l| l.score >= ACCEPT).collect();
        assert_eq!(kept, [link(0, 1, 1.0)]);
    }

    /// The fixture's paragraphs, roles and items, as split prepares them.
    fn sample() -> super::super::Prepared {
        super::super::prepare(include_str!("../../../tests/fixtures/sample_dump.txt"))
    }

    #[test]
    fn scores_and_topics_equal_the_per_pair_computation() {
        let p = sample();
        let cands = candidates(&p.texts, &p.infos, &p.items, &p.lex);
        assert!(cands.len() > 100, "{}", cands.len());
        // The topic feature, recomputed pair by pair with a dense vector as before.
        let pos = |i: usize| p.pos_of[i];
        let mut dense = vec![0.0f32; p.lex.n_ids()];
        let topic = evidence::NAMES.iter().position(|n| *n == "topic");
        let topic = topic.unwrap_or_else(|| unreachable!());
        for c in &cands {
            let (hk, tk) = (pos(c.head), pos(c.tail));
            let expected = if tk + 1 == hk || tk + 2 == hk {
                p.lex.vector([c.head]).cos(&p.lex.vector([c.tail]))
            } else {
                let hv = evidence::context(&p.lex, &p.items, hk, true);
                hv.scatter(&mut dense);
                let d = evidence::context(&p.lex, &p.items, tk, false).cos_dense(&dense);
                hv.unscatter(&mut dense);
                d
            };
            assert_eq!(c.features[topic].to_bits(), expected.to_bits());
        }
        // Every feature, recomputed from the texts with the reference `features`.
        let layout = Layout::new(&p.texts, &p.infos, &p.items);
        for c in &cands {
            let (hk, tk) = (pos(c.head), pos(c.tail));
            let mut place = place_of(&p.infos, &p.items, &layout, hk, tk, c.features[topic]);
            place.head_next_start = head_next_start(&p.texts, &p.infos, &p.items, hk);
            let f = evidence::features(
                &p.lex,
                &p.texts[c.head],
                &p.texts[c.tail],
                &p.infos[c.tail],
                &place,
            );
            assert_eq!(f.map(f32::to_bits), c.features.map(f32::to_bits));
        }
        let fast = scored(&p.texts, &p.infos, &p.items, &p.lex);
        let slow = score_all(&cands);
        assert_eq!(fast.len(), slow.len());
        for (a, b) in fast.iter().zip(&slow) {
            assert_eq!(
                (a.head, a.tail, a.score.to_bits()),
                (b.head, b.tail, b.score.to_bits())
            );
        }
        assert!(cands.iter().any(|c| c.features[topic] > 0.05));
    }

    #[test]
    fn both_topic_ways_give_the_same_bits() {
        let p = sample();
        let ctx = |before: bool| -> Vec<Vector> {
            (0..p.items.len())
                .map(|k| evidence::context(&p.lex, &p.items, k, before))
                .collect()
        };
        let (heads, tails) = (ctx(true), ctx(false));
        let n = p.lex.n_ids();
        let mut index = Topics::Postings(Postings::new(&tails, n), vec![0.0; tails.len()]);
        let mut dense = Topics::Dense(vec![0.0; n], vec![0.0; tails.len()]);
        let mut nonzero = 0;
        for h in &heads {
            let a: Vec<u32> = index.of(h, &tails).iter().map(|x| x.to_bits()).collect();
            let b: Vec<u32> = dense.of(h, &tails).iter().map(|x| x.to_bits()).collect();
            assert_eq!(a, b);
            nonzero += a.iter().filter(|&&x| x != 0).count();
        }
        assert!(nonzero > 100, "{nonzero}");
        assert!(matches!(Topics::new(&tails, 1, n), Topics::Dense(..)));
        assert!(matches!(Topics::new(&tails, 100, n), Topics::Postings(..)));
    }

    #[test]
    fn a_tail_right_before_its_head_is_flagged() {
        let lex = Lexicon::new(&["甲".to_string()]);
        let info = super::super::kinds::classify(&["近日，某地开展活动。".to_string()])
            .pop()
            .unwrap_or_else(|| unreachable!());
        let back = Place {
            backwards: true,
            distance: 1,
            ..Place::default()
        };
        let far = Place {
            backwards: true,
            distance: 3,
            ..Place::default()
        };
        let names = evidence::NAMES;
        let k = names.iter().position(|n| *n == "back_adjacent");
        let f = |p: &Place| evidence::features(&lex, "今天他们推", "动了工作", &info, p);
        assert_eq!(k.map(|k| (f(&back)[k], f(&far)[k])), Some((1.0, 0.0)));
    }
}
