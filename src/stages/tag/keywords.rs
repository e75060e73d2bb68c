//! Keywords: TF-IDF over the tag pass's words, with jieba's IDF table and Chinese stop words.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::record::{Entity, Keyword};
use crate::stages::tag::{Tagger, Token, Zone};

/// Word → inverse document frequency, with the median for unseen words (as jieba does).
pub struct IdfTable {
    idf: FxHashMap<String, f64>,
    median: f64,
    /// The largest IDF [`IdfTable::get`] can return (∞ if the table holds a NaN).
    max: f64,
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
        let max = values
            .iter()
            .copied()
            .chain([median])
            .try_fold(f64::NEG_INFINITY, |m, v| (!v.is_nan()).then(|| m.max(v)))
            .unwrap_or(f64::INFINITY);
        IdfTable { idf, median, max }
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
    let score = |n: u32, in_title: bool, is_named: bool, idf: f64| {
        let mut s = f64::from(n) / f64::from(total) * idf;
        if in_title {
            s *= TITLE_BOOST;
        }
        if is_named {
            s *= ENTITY_BOOST;
        }
        s
    };
    // Every word's score with the table's largest IDF bounds its real score (floating-point
    // products are monotone), so words are scored in order of that bound and the IDF table is
    // only consulted until the bound falls below the k-th best score: a word whose bound is
    // lower cannot enter (or tie into) the top k. Most words occur once and never get looked up.
    let mut candidates: Vec<(&str, u32, bool, bool, f64)> = tf
        .into_iter()
        .map(|(w, (n, in_title))| {
            let is_named = named.contains(w);
            (
                w,
                n,
                in_title,
                is_named,
                score(n, in_title, is_named, tagger.idf.max),
            )
        })
        .collect();
    candidates.sort_by(|a, b| b.4.total_cmp(&a.4));
    let mut scored: Vec<(&str, f64)> = Vec::with_capacity(top_k.min(candidates.len()) * 2);
    // The best `top_k` scores so far, best first.
    let mut top: Vec<f64> = Vec::with_capacity(top_k + 1);
    for (w, n, in_title, is_named, bound) in candidates {
        if top.len() == top_k && top.last().is_some_and(|&kth| bound < kth) {
            break;
        }
        let s = score(n, in_title, is_named, tagger.idf.get(w));
        let at = top.partition_point(|&x| x >= s);
        top.insert(at, s);
        top.truncate(top_k);
        scored.push((w, s));
    }
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
        && t.word
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || c.is_alphabetic())
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

    /// The pruned ranking equals scoring every word, ties and boosts included.
    #[test]
    fn pruned_ranking_matches_scoring_every_word() {
        let tagger = Tagger::new(&crate::stages::tag::TagOptions::default()).expect("tagger");
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        let words = [
            "煤矿", "安全", "培训", "消防", "演练", "逃生", "职工", "应急", "预案", "隐患", "排查",
            "设备", "检修", "巡查", "制度", "落实", "责任", "考核", "班组", "技能",
        ];
        for (i, w) in words.iter().enumerate() {
            for _ in 0..(i % 4 + 1) {
                pairs.push((w, "n"));
            }
        }
        pairs.push(("陕煤集团", "nt"));
        let mut tokens = crate::stages::tag::test_tokens(&pairs);
        tokens[0].zone = Zone::Title;
        let entities = [Entity {
            text: "陕煤集团".into(),
            kind: crate::record::EntityType::Organization,
            count: 1,
        }];
        for k in [1, 3, 5, 10, 40] {
            let got = extract(&tagger, &tokens, &entities, k);
            // Brute force: every candidate scored.
            let cands: Vec<&Token> = tokens.iter().filter(|t| is_candidate(&tagger, t)).collect();
            assert!(cands.len() > 20, "most test words are candidates");
            let total = cands.len() as f64;
            let mut all: Vec<(String, f64)> = Vec::new();
            for t in &cands {
                if all.iter().any(|(w, _)| *w == t.word) {
                    continue;
                }
                let n = cands.iter().filter(|x| x.word == t.word).count() as f64;
                let mut s = n / total * tagger.idf.get(&t.word);
                if tokens
                    .iter()
                    .any(|x| x.word == t.word && x.zone == Zone::Title)
                {
                    s *= TITLE_BOOST;
                }
                if t.word == "陕煤集团" {
                    s *= ENTITY_BOOST;
                }
                all.push((t.word.clone(), s));
            }
            all.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            all.truncate(k);
            let best = all[0].1;
            let want: Vec<(String, f64)> = all
                .into_iter()
                .map(|(w, s)| (w, round4(s / best)))
                .collect();
            let got: Vec<(String, f64)> = got.into_iter().map(|kw| (kw.word, kw.weight)).collect();
            assert_eq!(got, want, "top {k}");
        }
    }
}
