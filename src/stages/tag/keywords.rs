//! Keywords: TF-IDF over the tag pass's words, with jieba's IDF table and Chinese stop words.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::record::{Entity, Keyword};
use crate::stages::tag::{Tagger, Token, Zone};

/// Word → inverse document frequency, with the median for unseen words (as jieba does).
pub struct IdfTable {
    idf: FxHashMap<String, f64>,
    median: f64,
}

impl IdfTable {
    /// Parses `word idf` lines; malformed lines are skipped.
    pub fn parse(text: &str) -> Self {
        let mut idf = FxHashMap::with_capacity_and_hasher(text.len() / 20, Default::default());
        let mut values = Vec::with_capacity(text.len() / 20);
        for line in text.lines() {
            let mut parts = line.split_whitespace();
            if let (Some(w), Some(v)) = (
                parts.next(),
                parts.next().and_then(|v| v.parse::<f64>().ok()),
            ) {
                idf.insert(w.to_string(), v);
                values.push(v);
            }
        }
        values.sort_by(f64::total_cmp);
        let median = values
            .get(values.len().saturating_sub(1) / 2)
            .copied()
            .unwrap_or(10.0);
        IdfTable { idf, median }
    }

    /// The IDF of `word`, or the table's median when unknown.
    pub fn get(&self, word: &str) -> f64 {
        self.idf.get(word).copied().unwrap_or(self.median)
    }
}

/// POS tags that never make keywords: punctuation, numerals, function words, pronouns.
fn skip_pos(pos: &str) -> bool {
    matches!(
        pos,
        "x" | "m"
            | "mq"
            | "q"
            | "uj"
            | "ul"
            | "uz"
            | "ud"
            | "ug"
            | "uv"
            | "p"
            | "c"
            | "r"
            | "d"
            | "f"
            | "y"
            | "e"
            | "o"
            | "u"
            | "eng"
    )
}

/// Weight multiplier for a word that also occurs in the title.
const TITLE_BOOST: f64 = 1.5;
/// Weight multiplier for a word that is (part of) a named entity.
const ENTITY_BOOST: f64 = 1.3;

/// Extracts the `top_k` keywords from the tagged words, weights normalised to 0..=1.
pub fn extract(
    tagger: &Tagger,
    tokens: &[Token],
    entities: &[Entity],
    top_k: usize,
) -> Vec<Keyword> {
    let mut tf: FxHashMap<&str, (u32, bool)> = FxHashMap::default();
    let mut total = 0u32;
    for t in tokens {
        if !is_candidate(tagger, t) {
            continue;
        }
        total += 1;
        let e = tf.entry(t.word.as_str()).or_insert((0, false));
        e.0 += 1;
        e.1 |= t.zone == Zone::Title;
    }
    if total == 0 || top_k == 0 {
        return Vec::new();
    }
    let named: FxHashSet<&str> = entities.iter().map(|e| e.text.as_str()).collect();
    let mut scored: Vec<(&str, f64)> = tf
        .into_iter()
        .map(|(w, (n, in_title))| {
            let mut s = f64::from(n) / f64::from(total) * tagger.idf.get(w);
            if in_title {
                s *= TITLE_BOOST;
            }
            if named.contains(w) {
                s *= ENTITY_BOOST;
            }
            (w, s)
        })
        .collect();
    // Ties broken by the word itself so output never depends on hash order.
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    scored.truncate(top_k);
    let best = scored.first().map(|s| s.1).unwrap_or(1.0);
    scored
        .into_iter()
        .map(|(w, s)| Keyword {
            word: w.to_string(),
            weight: round4(s / best),
        })
        .collect()
}

fn is_candidate(tagger: &Tagger, t: &Token) -> bool {
    !skip_pos(&t.pos)
        && t.word.chars().nth(1).is_some()
        && !tagger.is_stopword(&t.word)
        && t.word.chars().any(|c| c.is_alphabetic())
}

/// Rounds to 4 decimals so records stay short and stable across platforms.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idf_table_parses_and_falls_back_to_median() {
        let t = IdfTable::parse("甲 1.0\n乙 2.0\n丙 3.0\nbroken\n");
        assert_eq!(t.get("乙"), 2.0);
        assert_eq!(t.get("未知"), 2.0);
        assert_eq!(t.get("丙"), 3.0);
    }
}
