//! Lexical evidence: character bigrams of CJK text, weighted by how rare they are in the dump
//! (IDF over the dump's paragraphs), so words shared by every article (`工作`, `党建`) count
//! little and article-specific names (`胶南`, `珙县`) count a lot.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::kinds::is_han;

/// A small, fast hasher for integer keys (FxHash's multiply-rotate).
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A `HashMap` keyed by bigram codes with the fast hasher.
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// [`FxHasher`] whose result has its product's high bits rotated down, for keys of packed
/// characters. hashbrown picks a key's first bucket from the hash's low bits, and the low
/// bits of FxHash's product depend only on the key's low bits: those of the last packed
/// character, so every bigram ending in `的` (every word ending in `性`) would start probing
/// at the same bucket. Maps of it are only looked up, never iterated, so the hash changes
/// no output.
#[derive(Default, Clone, Copy)]
pub struct CodeHasher(FxHasher);

impl Hasher for CodeHasher {
    fn finish(&self) -> u64 {
        self.0.finish().rotate_left(26)
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }
    fn write_u64(&mut self, n: u64) {
        self.0.write_u64(n);
    }
}

/// A `HashMap` keyed by packed characters (bigrams, words), with [`CodeHasher`].
pub type CodeMap<K, V> = HashMap<K, V, BuildHasherDefault<CodeHasher>>;

/// A bigram of two CJK characters, packed.
pub type Bigram = u64;

fn pack(a: char, b: char) -> Bigram {
    (u64::from(a as u32) << 21) | u64::from(b as u32)
}

/// The CJK bigrams of a text, in order (pairs broken by any non-CJK character).
pub fn bigrams(s: &str) -> Vec<Bigram> {
    let mut out = Vec::with_capacity(s.len() / 3);
    bigrams_into(s, &mut out);
    out
}

/// [`bigrams`] into a reused buffer (cleared first).
fn bigrams_into(s: &str, out: &mut Vec<Bigram>) {
    out.clear();
    let mut prev: Option<char> = None;
    for c in s.chars() {
        if is_han(c) {
            if let Some(p) = prev {
                out.push(pack(p, c));
            }
            prev = Some(c);
        } else {
            prev = None;
        }
    }
}

/// A text's bigrams looked up in a [`Lexicon`] ([`Lexicon::text_bigrams`]).
#[derive(Debug, Clone, Default)]
pub struct TextBigrams {
    /// Sorted, deduplicated ids of the bigrams seen in the dump.
    ids: Vec<u32>,
    /// Number of distinct bigrams unseen in the dump.
    unseen: usize,
}

/// A sparse, IDF-weighted, length-normalised bigram vector, sorted by bigram id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vector(Vec<(u32, f32)>);

/// Bigram statistics of one dump: each distinct bigram gets a dense id, so per-paragraph
/// lists are small sorted `u32` arrays and weights are array lookups, not hash probes.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// Bigram → dense id.
    ids: CodeMap<Bigram, u32>,
    /// IDF weight per id (0 for bigrams in most paragraphs).
    weight: Vec<f32>,
    /// Occurrences per id over the whole dump (for the word-crossing test of rejoins).
    total: Vec<u32>,
    /// Bigram ids of each paragraph, sorted and deduplicated.
    grams: Vec<Vec<u32>>,
    /// Weight of a bigram seen nowhere in the dump (as if in one paragraph).
    unseen: f32,
    /// Each paragraph's tail-window ids (see [`Lexicon::tail_window_ids`]), all paragraphs'
    /// runs concatenated; paragraph `i`'s run is `windows[window_at[i]..window_at[i + 1]]`.
    windows: Vec<u32>,
    /// Start of each paragraph's run in `windows`, plus the end of the last.
    window_at: Vec<u32>,
}

impl Lexicon {
    /// Builds the table from the dump's paragraphs.
    pub fn new(paras: &[String]) -> Self {
        let chars: usize = paras.iter().map(|p| p.len() / 3).sum();
        let mut ids: CodeMap<Bigram, u32> = CodeMap::default();
        ids.reserve(chars / 2);
        let mut grams = Vec::with_capacity(paras.len());
        let mut fresh: Vec<u32> = Vec::new();
        // Per id: its occurrences, its document frequency and the last paragraph (+1) it was
        // seen in, so each paragraph's list is deduplicated before it is sorted.
        let mut stats: Vec<(u32, u32, u32)> = Vec::with_capacity(chars / 2);
        let mut windows: Vec<u32> = Vec::with_capacity(paras.len() * 24);
        let mut window_at: Vec<u32> = Vec::with_capacity(paras.len() + 1);
        window_at.push(0);
        for (pi, p) in paras.iter().enumerate() {
            let stamp = pi as u32 + 1;
            // Ids first given out in this paragraph come in increasing order and above every
            // older id: only the older ones need sorting, the fresh ones are appended.
            let mut g: Vec<u32> = Vec::with_capacity(p.len() / 3);
            fresh.clear();
            // The bigrams of `bigrams(p)`, in order.
            let mut prev: Option<char> = None;
            let run = windows.len();
            for (ci, c) in p.chars().enumerate() {
                if !is_han(c) {
                    prev = None;
                    continue;
                }
                let Some(a) = prev.replace(c) else {
                    continue;
                };
                let next = stats.len() as u32;
                let id = *ids.entry(pack(a, c)).or_insert(next);
                // The tail window is characters 2..26: bigrams ending at characters 3..=25.
                if (3..=TAIL_WINDOW_LAST).contains(&ci) {
                    windows.push(id);
                }
                if id == next {
                    // Seen once so far, in this paragraph.
                    stats.push((1, 1, stamp));
                    fresh.push(id);
                    continue;
                }
                if let Some((total, df, seen)) = stats.get_mut(id as usize) {
                    *total += 1;
                    if *seen != stamp {
                        *seen = stamp;
                        *df += 1;
                        g.push(id);
                    }
                }
            }
            g.sort_unstable();
            g.extend_from_slice(&fresh);
            grams.push(g);
            let w = &mut windows[run..];
            w.sort_unstable();
            let kept = run + dedup_sorted(w);
            windows.truncate(kept);
            window_at.push(windows.len() as u32);
        }
        let total: Vec<u32> = stats.iter().map(|s| s.0).collect();
        let docs = paras.len() as f32 + 1.0;
        // One logarithm per possible document frequency, not per bigram.
        let idf: Vec<f32> = (0..=paras.len())
            .map(|d| (docs / d.max(1) as f32).ln().max(0.0))
            .collect();
        let weight = stats
            .iter()
            .map(|&(_, d, _)| idf.get(d as usize).copied().unwrap_or(0.0))
            .collect();
        Lexicon {
            ids,
            weight,
            total,
            grams,
            unseen: docs.ln().max(0.0),
            windows,
            window_at,
        }
    }

    /// Sorted, deduplicated bigram ids of paragraph `i`'s characters 2..26 (the column-break
    /// evidence's tail window): `ids(tail_window(paras[i]))`, recorded while the lexicon was
    /// built instead of hashed again. `None` for an index out of range.
    pub fn tail_window_ids(&self, i: usize) -> Option<&[u32]> {
        let (&a, &b) = (self.window_at.get(i)?, self.window_at.get(i + 1)?);
        self.windows.get(a as usize..b as usize)
    }

    /// How often a bigram occurs in the whole dump.
    pub fn count(&self, a: char, b: char) -> u32 {
        self.ids
            .get(&pack(a, b))
            .map_or(0, |&id| self.total[id as usize])
    }

    /// IDF weight of a bigram, 0 for bigrams in most paragraphs.
    pub fn weight(&self, b: Bigram) -> f32 {
        self.ids
            .get(&b)
            .map_or(self.unseen, |&id| self.weight[id as usize])
    }

    /// Sorted, deduplicated ids of a text's bigrams; bigrams unseen in the dump are dropped
    /// (their number is returned alongside).
    fn text_ids(&self, s: &str) -> (Vec<u32>, usize) {
        let mut unseen = 0;
        let mut v: Vec<u32> = Vec::with_capacity(s.len() / 3);
        let mut seen_unknown: Vec<Bigram> = Vec::new();
        // The bigrams of `bigrams(s)`, in order, without collecting them first.
        let mut prev: Option<char> = None;
        for c in s.chars() {
            if !is_han(c) {
                prev = None;
                continue;
            }
            if let Some(p) = prev {
                let b = pack(p, c);
                match self.ids.get(&b) {
                    Some(&id) => v.push(id),
                    None if !seen_unknown.contains(&b) => {
                        seen_unknown.push(b);
                        unseen += 1;
                    }
                    None => {}
                }
            }
            prev = Some(c);
        }
        v.sort_unstable();
        v.dedup();
        (v, unseen)
    }

    /// The vector of a set of paragraphs (by index).
    pub fn vector(&self, paras: impl IntoIterator<Item = usize>) -> Vector {
        let mut lists = paras
            .into_iter()
            .filter_map(|i| self.grams.get(i).map(Vec::as_slice));
        // One or two paragraphs (most calls) without collecting the lists.
        let Some(a) = lists.next() else {
            return Vector::default();
        };
        let Some(b) = lists.next() else {
            return self.finish(a);
        };
        let Some(c) = lists.next() else {
            return self.finish_two(a, b);
        };
        let all: Vec<&[u32]> = [a, b, c].into_iter().chain(lists).collect();
        self.finish_counted(&all)
    }

    /// `finish` of the sorted union (with repeats) of several deduplicated sorted lists,
    /// without merging or sorting them: each id is counted in a dense table and marked in a
    /// bitset, and the bitset is read in ascending order. The same entries in the same
    /// order as `finish(&sorted)`, so the same bits.
    fn finish_counted(&self, lists: &[&[u32]]) -> Vector {
        SCRATCH.with(|scratch| {
            let Ok(mut scratch) = scratch.try_borrow_mut() else {
                // Never nested; but if it were, merging by sorting gives the same vector.
                let mut all: Vec<u32> = lists.concat();
                all.sort_unstable();
                return self.finish(&all);
            };
            let (counts, bits) = &mut *scratch;
            let n = self.weight.len();
            if counts.len() < n {
                counts.resize(n, 0);
            }
            let words = n.div_ceil(64);
            if bits.len() < words {
                bits.resize(words, 0);
            }
            let mut entries = 0;
            for list in lists {
                entries += list.len();
                for &id in *list {
                    let i = id as usize;
                    if let (Some(c), Some(b)) = (counts.get_mut(i), bits.get_mut(i >> 6)) {
                        *c += 1;
                        *b |= 1 << (i & 63);
                    }
                }
            }
            let small = tf_small();
            let mut v: Vec<(u32, f32)> = Vec::with_capacity(entries);
            // Both tables are left zeroed for the next call.
            for (k, word) in bits[..words].iter_mut().enumerate() {
                let mut rest = std::mem::take(word);
                while rest != 0 {
                    let id = k * 64 + rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    let n = counts.get_mut(id).map_or(0, std::mem::take);
                    let w = self.weight[id];
                    if w > 0.0 {
                        let tf = small
                            .get(n as usize)
                            .copied()
                            .unwrap_or_else(|| tf_weight(n));
                        v.push((id as u32, tf * w));
                    }
                }
            }
            normalised(v)
        })
    }

    /// Number of distinct bigram ids (the size of a dense vector for [`Vector::scatter`]).
    pub fn n_ids(&self) -> usize {
        self.weight.len()
    }

    /// The vector of a free text (a header).
    pub fn text_vector(&self, s: &str) -> Vector {
        let mut all: Vec<u32> = bigrams(s)
            .into_iter()
            .filter_map(|b| self.ids.get(&b).copied())
            .collect();
        all.sort_unstable();
        self.finish(&all)
    }

    /// Weighted, normalised vector from sorted ids (repeats are term frequencies).
    fn finish(&self, sorted: &[u32]) -> Vector {
        let mut v: Vec<(u32, f32)> = Vec::with_capacity(sorted.len());
        let small = tf_small();
        let mut k = 0;
        while k < sorted.len() {
            let id = sorted[k];
            let mut j = k + 1;
            while j < sorted.len() && sorted[j] == id {
                j += 1;
            }
            let w = self.weight[id as usize];
            if w > 0.0 {
                let n = j - k;
                let tf = small.get(n).copied().unwrap_or_else(|| tf_weight(n as u32));
                v.push((id, tf * w));
            }
            k = j;
        }
        normalised(v)
    }

    /// `finish(&merge(a, b))` for two deduplicated sorted lists, without building the merged
    /// list: an id in both counts twice. The same entries in the same order, so the same bits.
    fn finish_two(&self, a: &[u32], b: &[u32]) -> Vector {
        let mut v: Vec<(u32, f32)> = Vec::with_capacity(a.len() + b.len());
        let small = tf_small();
        let (t1, t2) = (small[1], small[2]);
        let (mut i, mut j) = (0, 0);
        let mut push = |id: u32, tf: f32| {
            let w = self.weight[id as usize];
            if w > 0.0 {
                v.push((id, tf * w));
            }
        };
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => {
                    push(a[i], t1);
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    push(b[j], t1);
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    push(a[i], t2);
                    i += 1;
                    j += 1;
                }
            }
        }
        for &id in a[i..].iter().chain(&b[j..]) {
            push(id, t1);
        }
        normalised(v)
    }

    /// IDF-weighted share of `text`'s bigrams that occur in the paragraphs `paras`.
    pub fn coverage(&self, text: &str, paras: &[usize]) -> f32 {
        self.coverage_of(&self.text_bigrams(text), paras)
    }

    /// A text's bigrams as [`Lexicon::coverage_of`] reads them: hashed once, for a text whose
    /// coverage of several paragraph sets is wanted.
    pub fn text_bigrams(&self, text: &str) -> TextBigrams {
        let (ids, unseen) = self.text_ids(text);
        TextBigrams { ids, unseen }
    }

    /// [`Lexicon::coverage`] of a text whose bigrams were looked up already (the same sums in
    /// the same order, so the same bits).
    pub fn coverage_of(&self, text: &TextBigrams, paras: &[usize]) -> f32 {
        let mut all = text.unseen as f32 * self.unseen;
        let mut hit = 0.0f32;
        for &id in &text.ids {
            let w = self.weight[id as usize];
            all += w;
            // Each paragraph's ids are sorted: probe them rather than merging all.
            let found = paras
                .iter()
                .filter_map(|i| self.grams.get(*i))
                .any(|gs| gs.binary_search(&id).is_ok());
            if found {
                hit += w;
            }
        }
        if all > 0.0 {
            hit / all
        } else {
            0.0
        }
    }

    /// `coverage(text, &body[k..])` for every `k` in `0..=body.len()`, in one pass.
    pub fn suffix_coverage(&self, text: &str, body: &[usize]) -> Vec<f32> {
        let (ids, unseen) = self.text_ids(text);
        let all = unseen as f32 * self.unseen
            + ids.iter().map(|&id| self.weight[id as usize]).sum::<f32>();
        let mut found = vec![false; ids.len()];
        let mut missing = ids.len();
        let mut hit = 0.0f32;
        let mut out = vec![0.0f32; body.len() + 1];
        for k in (0..body.len()).rev() {
            // Once every id is found, the remaining paragraphs add nothing.
            let gs = self.grams.get(body[k]).filter(|_| missing > 0);
            if let Some(gs) = gs {
                for (n, id) in ids.iter().enumerate() {
                    if !found[n] && gs.binary_search(id).is_ok() {
                        found[n] = true;
                        missing -= 1;
                        hit += self.weight[*id as usize];
                    }
                }
            }
            out[k] = if all > 0.0 { hit / all } else { 0.0 };
        }
        out
    }

    /// Cosine between the vectors of `body[..k]` and `body[k..]` for every `k` in
    /// `0..=body.len()`, updated paragraph by paragraph instead of rebuilt at every cut.
    pub fn cut_cosines(&self, body: &[usize]) -> Vec<f32> {
        let mut left = vec![0u32; self.weight.len()];
        let mut right = vec![0u32; self.weight.len()];
        let mut norm_r = 0.0f64;
        // A bigram occurs at most once per paragraph: tf never exceeds the body's length.
        let tf: Vec<f32> = (0..=body.len() as u32).map(tf_weight).collect();
        let w = |id: u32, n: u32| {
            f64::from(tf.get(n as usize).copied().unwrap_or(0.0) * self.weight[id as usize])
        };
        // A count of 0 weighs exactly 0, and the sums never hold −0 (they start at +0 and
        // only ever add or subtract non-negative terms), so the updates by a zero term that
        // the plain formula would make change no bit and are skipped.
        for &p in body {
            for &id in self.grams.get(p).map_or(&[][..], Vec::as_slice) {
                let r = &mut right[id as usize];
                if *r > 0 {
                    norm_r -= w(id, *r).powi(2);
                }
                *r += 1;
                norm_r += w(id, *r).powi(2);
            }
        }
        let (mut dot, mut norm_l) = (0.0f64, 0.0f64);
        let mut out = vec![0.0f32; body.len() + 1];
        for (k, &p) in body.iter().enumerate() {
            for &id in self.grams.get(p).map_or(&[][..], Vec::as_slice) {
                let (l, r) = (&mut left[id as usize], &mut right[id as usize]);
                // `r` ≥ 1 here: this paragraph is still on the right.
                let wr = w(id, *r);
                if *l > 0 {
                    let wl = w(id, *l);
                    dot -= wl * wr;
                    norm_l -= wl * wl;
                }
                norm_r -= wr * wr;
                *l += 1;
                *r -= 1;
                let wl = w(id, *l);
                if *r > 0 {
                    let wr = w(id, *r);
                    dot += wl * wr;
                    norm_r += wr * wr;
                }
                norm_l += wl * wl;
            }
            let denom = (norm_l.max(0.0) * norm_r.max(0.0)).sqrt();
            out[k + 1] = if denom > 1e-12 {
                (dot / denom) as f32
            } else {
                0.0
            };
        }
        out
    }

    /// Sorted, deduplicated ids of the text's bigrams that occur in the dump.
    pub fn ids(&self, s: &str) -> Vec<u32> {
        self.text_ids(s).0
    }

    /// IDF weight of a bigram id ([`Lexicon::ids`]).
    pub fn id_weight(&self, id: u32) -> f32 {
        self.weight.get(id as usize).copied().unwrap_or(0.0)
    }

    /// Summed weight of the ids two sorted id lists share ([`Lexicon::ids`]).
    pub fn shared_weight(&self, a: &[u32], b: &[u32]) -> f32 {
        let (mut i, mut j, mut s) = (0, 0, 0.0f32);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    s += self.weight[a[i] as usize];
                    i += 1;
                    j += 1;
                }
            }
        }
        s
    }
}

/// `v` divided by its Euclidean norm (left as it is when the norm is 0).
/// Character index of the last character of the tail window (characters 2..26).
const TAIL_WINDOW_LAST: usize = 25;

/// Deduplicates a sorted slice in place; returns the length of the deduplicated prefix.
fn dedup_sorted(w: &mut [u32]) -> usize {
    let mut kept = 0;
    for k in 0..w.len() {
        if kept == 0 || w[k] != w[kept - 1] {
            w[kept] = w[k];
            kept += 1;
        }
    }
    kept
}

fn normalised(mut v: Vec<(u32, f32)>) -> Vector {
    let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        for (_, w) in &mut v {
            *w /= norm;
        }
    }
    Vector(v)
}

thread_local! {
    /// Scratch for [`Lexicon::finish_counted`]: a count per bigram id and a bitset of the
    /// ids counted, both all zero between calls (grown to the largest lexicon seen).
    static SCRATCH: std::cell::RefCell<(Vec<u32>, Vec<u64>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// [`tf_weight`] of 0..=7, computed once by the same expression (so the same bits).
fn tf_small() -> &'static [f32; 8] {
    static TABLE: std::sync::OnceLock<[f32; 8]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| std::array::from_fn(|n| tf_weight(n as u32)))
}

/// Sublinear term frequency: `1 + ln tf` (0 for 0).
fn tf_weight(tf: u32) -> f32 {
    match tf {
        0 => 0.0,
        1 => 1.0,
        _ => 1.0 + (tf as f32).ln(),
    }
}

/// The sorted union (with repeats) of two sorted lists.
#[cfg(test)]
fn merge(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Many vectors indexed by bigram id, for the dot products of one vector with all of them at
/// once ([`Postings::dots`]): only the entries whose id the other vector has are visited,
/// instead of every entry of every vector ([`Vector::cos_dense`] per pair).
#[derive(Debug, Clone, Default)]
pub struct Postings {
    /// Where each id's entries start in `entries` (one more than the number of ids).
    start: Vec<u32>,
    /// (vector index, weight), grouped by id; within an id, in vector order.
    entries: Vec<(u32, f32)>,
}

impl Postings {
    /// Indexes `vectors` (built from a lexicon with `n_ids` ids, [`Lexicon::n_ids`]).
    pub fn new<V: std::borrow::Borrow<Vector>>(vectors: &[V], n_ids: usize) -> Self {
        let mut start = vec![0u32; n_ids + 1];
        for v in vectors {
            for &(id, _) in &v.borrow().0 {
                if let Some(s) = start.get_mut(id as usize + 1) {
                    *s += 1;
                }
            }
        }
        for i in 0..n_ids {
            start[i + 1] += start[i];
        }
        let mut fill: Vec<u32> = start[..n_ids].to_vec();
        let mut entries = vec![(0u32, 0.0f32); start[n_ids] as usize];
        for (j, v) in vectors.iter().enumerate() {
            for &(id, w) in &v.borrow().0 {
                if let Some(f) = fill.get_mut(id as usize) {
                    entries[*f as usize] = (j as u32, w);
                    *f += 1;
                }
            }
        }
        Postings { start, entries }
    }

    /// `out[j]` = the dot product of `v` with the `j`-th indexed vector (`out` holds one slot
    /// per vector). Bit-identical to `vectors[j].cos_dense(dense)` with `v` scattered into
    /// `dense`: for each `j` the same products are summed in the same (ascending id) order.
    pub fn dots(&self, v: &Vector, out: &mut [f32]) {
        out.fill(0.0);
        for &(id, w) in &v.0 {
            // `cos_dense` skips the ids where the scattered vector is 0.
            if w == 0.0 {
                continue;
            }
            let (Some(&a), Some(&b)) =
                (self.start.get(id as usize), self.start.get(id as usize + 1))
            else {
                continue;
            };
            for &(j, tw) in &self.entries[a as usize..b as usize] {
                if let Some(o) = out.get_mut(j as usize) {
                    *o += w * tw;
                }
            }
        }
    }
}

impl Vector {
    /// Cosine similarity with another vector.
    pub fn cos(&self, other: &Vector) -> f32 {
        let (a, b) = (&self.0, &other.0);
        let (mut i, mut j, mut s) = (0, 0, 0.0f32);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    s += a[i].1 * b[j].1;
                    i += 1;
                    j += 1;
                }
            }
        }
        s
    }

    /// Writes the weights into `dense` (indexed by bigram id), for [`Vector::cos_dense`].
    pub fn scatter(&self, dense: &mut [f32]) {
        for &(id, w) in &self.0 {
            if let Some(d) = dense.get_mut(id as usize) {
                *d = w;
            }
        }
    }

    /// Resets the entries [`Vector::scatter`] wrote to 0.
    pub fn unscatter(&self, dense: &mut [f32]) {
        for &(id, _) in &self.0 {
            if let Some(d) = dense.get_mut(id as usize) {
                *d = 0.0;
            }
        }
    }

    /// [`Vector::cos`] with a vector scattered into `dense`: bit-identical (the same products
    /// summed in the same id order; absent ids add an exact zero), without the merge's branches.
    pub fn cos_dense(&self, dense: &[f32]) -> f32 {
        let mut s = 0.0f32;
        for &(id, w) in &self.0 {
            let d = dense.get(id as usize).copied().unwrap_or(0.0);
            if d != 0.0 {
                s += d * w;
            }
        }
        s
    }

    /// Number of weighted bigrams.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the vector has no weight (no CJK bigrams).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon(paras: &[&str]) -> Lexicon {
        let paras: Vec<String> = paras.iter().map(|s| (*s).to_string()).collect();
        Lexicon::new(&paras)
    }

    #[test]
    fn similar_paragraphs_score_higher_than_unrelated_ones() {
        let lex = lexicon(&[
            "胶南街道党委书记说胶南街道很好。",
            "胶南街道组织开展活动。",
            "珙县创建文明城市工作。",
            "珙县开展创建工作。",
        ]);
        let a = lex.vector([0]);
        assert!(a.cos(&lex.vector([1])) > a.cos(&lex.vector([2])));
        assert!(lex.coverage("胶南街道", &[1]) > 0.99);
        assert_eq!(lex.count('珙', '县'), 2);
    }

    #[test]
    fn code_hasher_ids_equal_the_fx_map_ones() {
        // The bigram map's hasher only changes where keys sit in the table: every bigram
        // gets the id an FxMap built the old way gives it (ids in order of first sight).
        let text = include_str!("../../../tests/fixtures/sample_dump.txt");
        let paras: Vec<String> = text.lines().map(str::to_string).collect();
        let lex = Lexicon::new(&paras);
        let mut old: FxMap<Bigram, u32> = FxMap::default();
        for p in &paras {
            for b in bigrams(p) {
                let next = old.len() as u32;
                old.entry(b).or_insert(next);
            }
        }
        assert_eq!(old.len(), lex.ids.len());
        assert!(old.len() > 1000);
        for (b, id) in &old {
            assert_eq!(lex.ids.get(b), Some(id));
        }
        let mut h = CodeHasher::default();
        h.write_u64(pack('推', '动'));
        let mut f = FxHasher::default();
        f.write_u64(pack('推', '动'));
        assert_eq!(h.finish(), f.finish().rotate_left(26));
    }

    #[test]
    fn dense_cosines_equal_merged_ones_bit_for_bit() {
        let lex = lexicon(&[
            "胶南街道党委书记说胶南街道很好。",
            "胶南街道组织开展活动。",
            "珙县创建文明城市工作。",
            "珙县开展创建工作，胶南街道也开展。",
        ]);
        let mut dense = vec![0.0f32; lex.n_ids()];
        for h in 0..4 {
            let a = lex.vector([h, (h + 1) % 4]);
            a.scatter(&mut dense);
            for t in 0..4 {
                let b = lex.vector([t]);
                assert_eq!(b.cos_dense(&dense).to_bits(), a.cos(&b).to_bits());
            }
            a.unscatter(&mut dense);
            assert!(dense.iter().all(|&d| d == 0.0));
        }
        assert!(lex.vector([0]).cos_dense(&dense) == 0.0);
    }

    #[test]
    fn postings_dots_equal_dense_cosines_bit_for_bit() {
        let lex = lexicon(&[
            "胶南街道党委书记说胶南街道很好。",
            "胶南街道组织开展活动。",
            "珙县创建文明城市工作。",
            "珙县开展创建工作，胶南街道也开展。",
            "abc",
            "街道工作很好，文明城市创建。",
        ]);
        let tails: Vec<Vector> = (0..6).map(|t| lex.vector([t, (t + 1) % 6])).collect();
        let post = Postings::new(&tails, lex.n_ids());
        let mut dense = vec![0.0f32; lex.n_ids()];
        let mut out = vec![1.0f32; tails.len()];
        for h in 0..6 {
            let a = lex.vector([h, (h + 5) % 6]);
            a.scatter(&mut dense);
            post.dots(&a, &mut out);
            for (t, b) in tails.iter().enumerate() {
                assert_eq!(out[t].to_bits(), b.cos_dense(&dense).to_bits(), "{h} {t}");
            }
            a.unscatter(&mut dense);
        }
        assert!(out.iter().any(|&d| d > 0.1));
        post.dots(&Vector::default(), &mut out);
        assert!(out.iter().all(|&d| d == 0.0));
    }

    #[test]
    fn paragraph_lists_and_frequencies_equal_a_plain_rebuild() {
        let paras = [
            "胶南街道党委书记说胶南街道很好。胶南街道",
            "胶南街道组织开展活动。",
            "",
            "abc 珙县创建文明城市工作。珙县",
            "珙县开展创建工作，胶南街道也开展。",
        ];
        let lex = lexicon(&paras);
        let mut df: FxMap<u32, u32> = FxMap::default();
        for (i, p) in paras.iter().enumerate() {
            let mut g: Vec<u32> = bigrams(p).iter().map(|b| lex.ids[b]).collect();
            g.sort_unstable();
            g.dedup();
            assert_eq!(lex.grams[i], g, "{p}");
            for id in g {
                *df.entry(id).or_default() += 1;
            }
            assert_eq!(lex.ids(p), lex.grams[i]);
        }
        let docs = paras.len() as f32 + 1.0;
        for (&id, &d) in &df {
            let idf = (docs / d as f32).ln().max(0.0);
            assert_eq!(lex.weight[id as usize].to_bits(), idf.to_bits());
        }
        assert_eq!(lex.count('胶', '南'), 5);
        assert_eq!(df[&lex.ids[&pack('胶', '南')]], 3);
    }

    #[test]
    fn two_list_vectors_equal_the_merged_list() {
        let lex = lexicon(&[
            "胶南街道党委书记说胶南街道很好。",
            "胶南街道组织开展活动。",
            "珙县创建文明城市工作。",
            "珙县开展创建工作，胶南街道也开展。",
            "abc",
        ]);
        for a in 0..5 {
            for b in 0..5 {
                let fast = lex.vector([a, b]);
                let slow = lex.finish(&merge(&lex.grams[a], &lex.grams[b]));
                let bits = |v: &Vector| -> Vec<(u32, u32)> {
                    v.0.iter().map(|(i, w)| (*i, w.to_bits())).collect()
                };
                assert_eq!(bits(&fast), bits(&slow), "{a} {b}");
            }
        }
        assert!(lex.vector([0, 3]).0.len() > 10);
    }

    /// `finish_two` as it is, kept as the reference if its merge is ever rewritten (a merge
    /// with the comparison folded into arithmetic was tried: more instructions).
    fn finish_two_match(lex: &Lexicon, a: &[u32], b: &[u32]) -> Vector {
        let mut v: Vec<(u32, f32)> = Vec::with_capacity(a.len() + b.len());
        let small = tf_small();
        let (t1, t2) = (small[1], small[2]);
        let (mut i, mut j) = (0, 0);
        let mut push = |id: u32, tf: f32| {
            let w = lex.weight[id as usize];
            if w > 0.0 {
                v.push((id, tf * w));
            }
        };
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => {
                    push(a[i], t1);
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    push(b[j], t1);
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    push(a[i], t2);
                    i += 1;
                    j += 1;
                }
            }
        }
        for &id in a[i..].iter().chain(&b[j..]) {
            push(id, t1);
        }
        normalised(v)
    }

    #[test]
    fn vectors_without_collected_lists_equal_the_merges_on_the_sample() {
        let texts: Vec<String> = include_str!("../../../tests/fixtures/sample_dump.txt")
            .lines()
            .map(str::to_string)
            .collect();
        let lex = Lexicon::new(&texts);
        let bits = |v: &Vector| -> Vec<(u32, u32)> {
            v.0.iter().map(|(i, w)| (*i, w.to_bits())).collect()
        };
        for a in 0..texts.len() {
            for b in [a, a + 1, a + 2, a * 7 % texts.len()] {
                let Some(gb) = lex.grams.get(b) else {
                    continue;
                };
                let old = finish_two_match(&lex, &lex.grams[a], gb);
                assert_eq!(bits(&lex.vector([a, b])), bits(&old), "{a} {b}");
                assert_eq!(
                    bits(&lex.finish_two(gb, &lex.grams[a])),
                    bits(&old),
                    "{a} {b}"
                );
            }
        }
        // One, two and three paragraphs through `vector`, against the plain sorted merge.
        for a in 0..texts.len().saturating_sub(2) {
            let mut all = lex.grams[a].clone();
            assert_eq!(bits(&lex.vector([a])), bits(&lex.finish(&all)));
            for k in 1..3 {
                all.extend_from_slice(&lex.grams[a + k]);
            }
            all.sort_unstable();
            assert_eq!(
                bits(&lex.vector([a, a + 1, a + 2])),
                bits(&lex.finish(&all))
            );
        }
    }

    #[test]
    fn counted_vectors_equal_the_sorted_merge_on_the_sample() {
        let texts: Vec<String> = include_str!("../../../tests/fixtures/sample_dump.txt")
            .lines()
            .map(str::to_string)
            .collect();
        let lex = Lexicon::new(&texts);
        let bits = |v: &Vector| -> Vec<(u32, u32)> {
            v.0.iter().map(|(i, w)| (*i, w.to_bits())).collect()
        };
        let mut x = 7u64;
        let mut long = 0;
        for round in 0..300 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let k = 2 + (x >> 33) as usize % if round % 3 == 0 { 40 } else { 3 };
            let paras: Vec<usize> = (0..k)
                .map(|j| (x >> (j % 20)) as usize % texts.len())
                .collect();
            let mut all: Vec<u32> = paras.iter().flat_map(|&i| lex.grams[i].clone()).collect();
            all.sort_unstable();
            let fast = lex.vector(paras.iter().copied());
            assert_eq!(bits(&fast), bits(&lex.finish(&all)), "{paras:?}");
            let lists: Vec<&[u32]> = paras.iter().map(|&i| lex.grams[i].as_slice()).collect();
            assert_eq!(bits(&lex.finish_counted(&lists)), bits(&fast), "{paras:?}");
            long += usize::from(fast.0.len() > 50);
        }
        assert!(long > 50, "{long}");
    }

    #[test]
    fn merged_vectors_equal_sorting_every_id() {
        let lex = lexicon(&[
            "胶南街道党委书记说胶南街道很好。",
            "胶南街道组织开展活动。",
            "珙县创建文明城市工作。",
            "珙县开展创建工作，胶南街道也开展。",
        ]);
        let v = lex.vector([0, 1, 2, 3, 1]);
        let mut all: Vec<u32> = [0, 1, 2, 3, 1]
            .iter()
            .flat_map(|&i| lex.grams[i].iter().copied())
            .collect();
        all.sort_unstable();
        let mut slow: Vec<(u32, f32)> = Vec::new();
        let mut k = 0;
        while k < all.len() {
            let j = k + all[k..].iter().take_while(|&&x| x == all[k]).count();
            slow.push((
                all[k],
                tf_weight((j - k) as u32) * lex.weight[all[k] as usize],
            ));
            k = j;
        }
        let norm = slow.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        let slow: Vec<(u32, u32)> = slow
            .iter()
            .map(|(i, w)| (*i, (w / norm).to_bits()))
            .collect();
        let fast: Vec<(u32, u32)> = v.0.iter().map(|(i, w)| (*i, w.to_bits())).collect();
        assert_eq!(fast, slow);
        assert!(v.0.len() > 10);
    }

    /// `cut_cosines` as first written (every update made, zero terms included).
    fn cut_cosines_plain(lex: &Lexicon, body: &[usize]) -> Vec<f32> {
        let mut left = vec![0u32; lex.weight.len()];
        let mut right = vec![0u32; lex.weight.len()];
        let mut norm_r = 0.0f64;
        let tf: Vec<f32> = (0..=body.len() as u32).map(tf_weight).collect();
        let w = |id: u32, n: u32| f64::from(tf[n as usize] * lex.weight[id as usize]);
        for &p in body {
            for &id in &lex.grams[p] {
                let r = &mut right[id as usize];
                norm_r -= w(id, *r).powi(2);
                *r += 1;
                norm_r += w(id, *r).powi(2);
            }
        }
        let (mut dot, mut norm_l) = (0.0f64, 0.0f64);
        let mut out = vec![0.0f32; body.len() + 1];
        for (k, &p) in body.iter().enumerate() {
            for &id in &lex.grams[p] {
                let (l, r) = (&mut left[id as usize], &mut right[id as usize]);
                let (wl, wr) = (w(id, *l), w(id, *r));
                dot -= wl * wr;
                norm_l -= wl * wl;
                norm_r -= wr * wr;
                *l += 1;
                *r -= 1;
                let (wl, wr) = (w(id, *l), w(id, *r));
                dot += wl * wr;
                norm_l += wl * wl;
                norm_r += wr * wr;
            }
            let denom = (norm_l.max(0.0) * norm_r.max(0.0)).sqrt();
            out[k + 1] = if denom > 1e-12 {
                (dot / denom) as f32
            } else {
                0.0
            };
        }
        out
    }

    #[test]
    fn cut_cosines_equal_the_plain_updates_bit_for_bit() {
        let lex = lexicon(&[
            "胶南街道党委书记说胶南街道很好。",
            "胶南街道组织开展活动。",
            "珙县创建文明城市工作。",
            "珙县开展创建工作，珙县很好。",
            "abc",
            "胶南街道珙县文明城市开展工作。",
            "党委书记说很好。",
        ]);
        for body in [
            &[0usize, 1, 2, 3, 4, 5, 6][..],
            &[5, 0, 3, 1],
            &[2, 3],
            &[4],
            &[],
        ] {
            let fast: Vec<u32> = lex.cut_cosines(body).iter().map(|c| c.to_bits()).collect();
            let plain: Vec<u32> = cut_cosines_plain(&lex, body)
                .iter()
                .map(|c| c.to_bits())
                .collect();
            assert_eq!(fast, plain, "{body:?}");
        }
        assert!(lex.cut_cosines(&[0, 1, 2, 3, 5, 6])[2] > 0.0);
    }

    #[test]
    fn one_pass_cut_scores_agree_with_direct_computation() {
        let lex = lexicon(&[
            "胶南街道党委书记说胶南街道很好。",
            "胶南街道组织开展活动。",
            "珙县创建文明城市工作。",
            "珙县开展创建工作，珙县很好。",
            "abc",
        ]);
        let body = [0, 1, 2, 3, 4];
        let cos = lex.cut_cosines(&body);
        let cov = lex.suffix_coverage("珙县创建工作", &body);
        assert_eq!((cos.len(), cov.len()), (6, 6));
        for k in 0..=body.len() {
            let direct = lex
                .vector(body[..k].iter().copied())
                .cos(&lex.vector(body[k..].iter().copied()));
            assert!(
                (cos[k] - direct).abs() < 1e-4,
                "cut {k}: {} vs {direct}",
                cos[k]
            );
            let direct = lex.coverage("珙县创建工作", &body[k..]);
            assert!(
                (cov[k] - direct).abs() < 1e-5,
                "cut {k}: {} vs {direct}",
                cov[k]
            );
        }
        assert!(cov[2] > 0.99 && cov[4] == 0.0);
    }
}
