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
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A `HashMap` keyed by bigram codes with the fast hasher.
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A bigram of two CJK characters, packed.
pub type Bigram = u64;

fn pack(a: char, b: char) -> Bigram {
    (u64::from(a as u32) << 21) | u64::from(b as u32)
}

/// The CJK bigrams of a text, in order (pairs broken by any non-CJK character).
pub fn bigrams(s: &str) -> Vec<Bigram> {
    let mut out = Vec::with_capacity(s.len() / 3);
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
    out
}

/// A sparse, IDF-weighted, length-normalised bigram vector, sorted by key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vector(Vec<(Bigram, f32)>);

/// Document frequencies of bigrams over the dump's paragraphs.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    df: FxMap<Bigram, u32>,
    docs: usize,
    /// Bigram lists of each paragraph, sorted and deduplicated.
    grams: Vec<Vec<Bigram>>,
    /// Bigram counts over the whole dump (for the word-crossing test of rejoins).
    total: FxMap<Bigram, u32>,
}

impl Lexicon {
    /// Builds the table from the dump's paragraphs.
    pub fn new(paras: &[String]) -> Self {
        let mut df: FxMap<Bigram, u32> = FxMap::default();
        let mut total: FxMap<Bigram, u32> = FxMap::default();
        let mut grams = Vec::with_capacity(paras.len());
        for p in paras {
            let mut g = bigrams(p);
            for b in &g {
                *total.entry(*b).or_default() += 1;
            }
            g.sort_unstable();
            g.dedup();
            for b in &g {
                *df.entry(*b).or_default() += 1;
            }
            grams.push(g);
        }
        Lexicon {
            df,
            docs: paras.len(),
            grams,
            total,
        }
    }

    /// How often a bigram occurs in the whole dump.
    pub fn count(&self, a: char, b: char) -> u32 {
        self.total.get(&pack(a, b)).copied().unwrap_or(0)
    }

    fn idf(&self, b: Bigram) -> f32 {
        let df = self.df.get(&b).copied().unwrap_or(1).max(1) as f32;
        ((self.docs as f32 + 1.0) / df).ln()
    }

    /// IDF weight of a bigram, 0 for bigrams in most paragraphs.
    pub fn weight(&self, b: Bigram) -> f32 {
        self.idf(b).max(0.0)
    }

    /// The vector of a set of paragraphs (by index).
    pub fn vector(&self, paras: impl IntoIterator<Item = usize>) -> Vector {
        let mut acc: FxMap<Bigram, f32> = FxMap::default();
        for i in paras {
            if let Some(g) = self.grams.get(i) {
                for b in g {
                    *acc.entry(*b).or_default() += 1.0;
                }
            }
        }
        self.finish(acc)
    }

    /// The vector of a free text (a header).
    pub fn text_vector(&self, s: &str) -> Vector {
        let mut acc: FxMap<Bigram, f32> = FxMap::default();
        for b in bigrams(s) {
            *acc.entry(b).or_default() += 1.0;
        }
        self.finish(acc)
    }

    fn finish(&self, acc: FxMap<Bigram, f32>) -> Vector {
        let mut v: Vec<(Bigram, f32)> = acc
            .into_iter()
            .map(|(b, tf)| (b, (1.0 + tf.ln()) * self.weight(b)))
            .filter(|(_, w)| *w > 0.0)
            .collect();
        v.sort_unstable_by_key(|(b, _)| *b);
        let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, w) in &mut v {
                *w /= norm;
            }
        }
        Vector(v)
    }

    /// IDF-weighted share of `text`'s bigrams that occur in the paragraphs `paras`.
    pub fn coverage(&self, text: &str, paras: &[usize]) -> f32 {
        let mut g = bigrams(text);
        g.sort_unstable();
        g.dedup();
        let (mut hit, mut all) = (0.0f32, 0.0f32);
        for b in g {
            let w = self.weight(b);
            all += w;
            // Each paragraph's bigrams are sorted: probe them rather than merging all.
            let found = paras
                .iter()
                .filter_map(|i| self.grams.get(*i))
                .any(|gs| gs.binary_search(&b).is_ok());
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

    /// Number of rare bigrams (in at most `max_df` paragraphs of the dump) that occur both in
    /// the paragraphs `a` and in the paragraphs `b`.
    pub fn rare_shared(&self, a: &[usize], b: &[usize], max_df: u32) -> usize {
        let collect = |ps: &[usize]| {
            let mut v: Vec<Bigram> = ps
                .iter()
                .filter_map(|i| self.grams.get(*i))
                .flatten()
                .copied()
                .filter(|g| self.df.get(g).copied().unwrap_or(0) <= max_df)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let (va, vb) = (collect(a), collect(b));
        va.iter().filter(|g| vb.binary_search(g).is_ok()).count()
    }

    /// IDF-weighted overlap between two short texts (used near a column break).
    pub fn overlap(&self, a: &str, b: &str) -> f32 {
        let mut ga = bigrams(a);
        ga.sort_unstable();
        ga.dedup();
        let mut gb = bigrams(b);
        gb.sort_unstable();
        gb.dedup();
        ga.iter()
            .filter(|x| gb.binary_search(x).is_ok())
            .map(|x| self.weight(*x))
            .sum()
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

    /// True when the vector has no weight (no CJK bigrams).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_paragraphs_score_higher_than_unrelated_ones() {
        let paras: Vec<String> = [
            "胶南街道党委书记说胶南街道很好。",
            "胶南街道组织开展活动。",
            "珙县创建文明城市工作。",
            "珙县开展创建工作。",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
        let lex = Lexicon::new(&paras);
        let a = lex.vector([0]);
        assert!(a.cos(&lex.vector([1])) > a.cos(&lex.vector([2])));
        assert!(lex.coverage("胶南街道", &[1]) > 0.99);
        assert_eq!(lex.count('珙', '县'), 2);
    }
}
