//! Entities from the tag pass: POS tags (nr → person, ns → place, nt → organization),
//! byline names, merged place+suffix organisations and a small date grammar.

use std::collections::HashMap;

use crate::record::{Entity, EntityType};
use crate::stages::tag::Token;

/// Suffixes that turn a preceding place or name into an organisation (`召陵区` + `财政局`).
const ORG_SUFFIXES: &[&str] = &[
    "局",
    "厅",
    "委",
    "委员会",
    "党委",
    "党支部",
    "支部",
    "政府",
    "集团",
    "公司",
    "煤业",
    "矿业",
    "街道",
    "办事处",
    "医院",
    "学校",
    "大学",
    "中心",
    "协会",
    "银行",
    "法院",
    "检察院",
    "派出所",
];

/// Extracts entities from tagged words plus the byline's authors, each once with its count.
pub fn extract(tokens: &[Token], authors: &[String]) -> Vec<Entity> {
    let mut found: Vec<(String, EntityType)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        if let Some((text, len)) = date_at(tokens, i) {
            found.push((text, EntityType::Date));
            i += len;
            continue;
        }
        let kind = match t.pos.as_str() {
            "nr" | "nrfg" | "nrt" if t.word.chars().count() >= 2 => Some(EntityType::Person),
            "ns" => Some(EntityType::Place),
            "nt" => Some(EntityType::Organization),
            _ => None,
        };
        if let Some(kind) = kind {
            // Merge a place (or organisation) with following organisation parts.
            let mut text = t.word.clone();
            let mut j = i + 1;
            let mut kind = kind;
            if kind != EntityType::Person {
                while let Some(n) = tokens.get(j) {
                    let is_part = matches!(n.pos.as_str(), "ns" | "nt" | "nz")
                        || ORG_SUFFIXES.iter().any(|s| n.word.ends_with(s));
                    if !is_part {
                        break;
                    }
                    if ORG_SUFFIXES.iter().any(|s| n.word.ends_with(s)) || n.pos == "nt" {
                        kind = EntityType::Organization;
                    }
                    text.push_str(&n.word);
                    j += 1;
                }
            }
            found.push((text, kind));
            i = j;
            continue;
        }
        i += 1;
    }
    for a in authors {
        found.push((a.clone(), EntityType::Person));
    }
    count(found)
}

/// Recognises `2021年`, `11月24日`, `2021年11月24日` starting at token `i`.
fn date_at(tokens: &[Token], i: usize) -> Option<(String, usize)> {
    let mut text = String::new();
    let mut j = i;
    let mut parts = 0;
    while let (Some(num), Some(unit)) = (tokens.get(j), tokens.get(j + 1)) {
        let unit_ok = matches!(unit.word.as_str(), "年" | "月" | "日" | "号");
        if !(num.word.chars().all(|c| c.is_ascii_digit()) && !num.word.is_empty() && unit_ok) {
            // jieba often keeps "11月" or "24日" as one m-tagged word.
            let w = &num.word;
            let glued = w.chars().count() >= 2
                && w.ends_with(['年', '月', '日'])
                && w.chars().rev().skip(1).all(|c| c.is_ascii_digit());
            if glued {
                text.push_str(w);
                j += 1;
                parts += 1;
                continue;
            }
            break;
        }
        text.push_str(&num.word);
        text.push_str(&unit.word);
        j += 2;
        parts += 1;
    }
    (parts > 0
        && (text.contains('年') && text.chars().count() >= 5
            || text.contains('月')
            || text.contains('日')))
    .then_some((text, j - i))
}

/// Counts each distinct (text, type), most frequent first, ties in first-seen order.
fn count(found: Vec<(String, EntityType)>) -> Vec<Entity> {
    let mut order: Vec<(String, EntityType)> = Vec::new();
    let mut counts: HashMap<(String, EntityType), usize> = HashMap::new();
    for key in found {
        let n = counts.entry(key.clone()).or_insert(0);
        if *n == 0 {
            order.push(key);
        }
        *n += 1;
    }
    let mut out: Vec<Entity> = order
        .into_iter()
        .map(|(text, kind)| {
            let count = counts.get(&(text.clone(), kind)).copied().unwrap_or(1);
            Entity { text, kind, count }
        })
        .collect();
    out.sort_by_key(|e| std::cmp::Reverse(e.count));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::tag::Zone;

    fn toks(pairs: &[(&str, &str)]) -> Vec<Token> {
        pairs
            .iter()
            .map(|(w, p)| Token {
                word: (*w).into(),
                pos: (*p).into(),
                zone: Zone::Body,
            })
            .collect()
    }

    #[test]
    fn place_plus_suffix_merges_into_organisation() {
        let e = extract(
            &toks(&[("召陵区", "ns"), ("财政局", "n"), ("开展", "v")]),
            &[],
        );
        assert_eq!(e[0].text, "召陵区财政局");
        assert_eq!(e[0].kind, EntityType::Organization);
    }

    #[test]
    fn dates_and_authors_are_found_and_counted() {
        let e = extract(
            &toks(&[
                ("11", "m"),
                ("月", "m"),
                ("24", "m"),
                ("日", "m"),
                ("，", "x"),
            ]),
            &["韦青松".into(), "韦青松".into()],
        );
        assert!(e
            .iter()
            .any(|x| x.text == "11月24日" && x.kind == EntityType::Date));
        assert!(e.iter().any(|x| x.text == "韦青松" && x.count == 2));
    }
}
