//! Entities of one article: the learned tagger's spans, corrected by the [`rules`] (merged
//! organisations, dates, byline names), made consistent across the article, then counted.
//!
//! [`rules`]: crate::stages::tag::rules

use rustc_hash::FxHashMap as HashMap;

use crate::record::{Entity, EntityType};
use crate::stages::tag::charset::PairSet;
use crate::stages::tag::ner::{NerType, Span};
use crate::stages::tag::rules::{self, Mention};
use crate::stages::tag::Token;
use crate::stages::tag::{dates, persons};

/// One block of the article (title, subtitle or paragraph) as the entity step sees it.
#[derive(Debug, Clone)]
pub struct Block<'a> {
    /// The block's characters.
    pub chars: Vec<char>,
    /// Its jieba words, in order, covering `chars` exactly.
    pub tokens: &'a [Token],
    /// Character range of each token in `chars`.
    pub ranges: Vec<(usize, usize)>,
    /// Spans the learned tagger found.
    pub model: Vec<Span>,
}

/// The record type of a tagger type.
pub fn record_type(t: NerType) -> EntityType {
    match t {
        NerType::Per => EntityType::Person,
        NerType::Loc => EntityType::Place,
        NerType::Org => EntityType::Organization,
    }
}

/// Puts `add` into `mentions`, replacing whatever it overlaps.
fn overrule(mentions: &mut Vec<Mention>, add: Vec<Mention>) {
    for a in &add {
        mentions.retain(|m| !m.overlaps(a));
    }
    mentions.extend(add);
}

/// All mentions of one block after the rules.
fn block_mentions(b: &Block) -> Vec<Mention> {
    let mut m: Vec<Mention> = b
        .model
        .iter()
        .map(|s| Mention {
            start: s.start,
            end: s.end,
            kind: record_type(s.ty),
        })
        .collect();
    for x in &mut m {
        rules::trim(&b.chars, x);
    }
    m.retain(|x| x.end > x.start);
    let units = rules::admin_units(&b.chars, b.tokens, &b.ranges, &m);
    m.extend(units);
    rules::merge_organisations(b.tokens, &b.ranges, &mut m);
    let persons = persons::byline_persons(&b.chars, b.tokens, &m);
    overrule(&mut m, persons);
    for p in persons::role_persons(b.tokens, &b.ranges) {
        if !m.iter().any(|x| x.overlaps(&p)) {
            m.push(p);
        }
    }
    overrule(&mut m, dates::dates(&b.chars));
    // One-character names (`京`, a lone surname) say little to a reader: drop them.
    m.retain(|x| x.end - x.start >= 2);
    m.sort_by_key(|x| x.start);
    m
}

/// Extracts the article's entities, each (text, type) once with its count, most frequent
/// first (ties in order of first appearance). `authors` from the byline count as persons.
///
/// A name found once is looked for everywhere else in the article, so `count` is the number
/// of times it occurs (not overlapping a longer entity); a text the tagger typed differently
/// in different places gets its most frequent type.
pub fn extract(blocks: &[Block], authors: &[String]) -> Vec<Entity> {
    let mut per_block: Vec<Vec<Mention>> = blocks.iter().map(block_mentions).collect();
    // Votes: text → type → count, in first-seen order.
    let mut order: Vec<String> = Vec::new();
    let mut votes: HashMap<String, [usize; 4]> = HashMap::default();
    fn vote(
        votes: &mut HashMap<String, [usize; 4]>,
        text: String,
        kind: EntityType,
        order: &mut Vec<String>,
    ) {
        let v = votes.entry(text.clone()).or_insert_with(|| {
            order.push(text);
            [0; 4]
        });
        v[kind_index(kind)] += 1;
    }
    for (b, ms) in blocks.iter().zip(&per_block) {
        for m in ms {
            vote(
                &mut votes,
                text(&b.chars[m.start..m.end]),
                m.kind,
                &mut order,
            );
        }
    }
    for a in authors.iter().filter(|a| a.chars().count() >= 2) {
        vote(&mut votes, a.clone(), EntityType::Person, &mut order);
    }
    // Places inside organisation names (`大邓陶村` of `大邓陶村党支部`) are looked for too.
    let derived: Vec<String> = order
        .iter()
        .filter(|t| {
            votes
                .get(*t)
                .is_some_and(|v| best_kind(v) == EntityType::Organization)
        })
        .filter_map(|t| rules::place_in_organisation(t).map(str::to_string))
        .filter(|p| !votes.contains_key(p))
        .collect();
    for p in derived {
        vote(&mut votes, p, EntityType::Place, &mut order);
    }
    let kind_of: HashMap<&str, EntityType> = order
        .iter()
        .filter_map(|t| votes.get(t).map(|v| (t.as_str(), best_kind(v))))
        .collect();
    // Propagate: every other occurrence of a known text, longest texts first (a stable sort:
    // equal lengths keep first-seen order).
    let mut patterns: Vec<(Vec<char>, EntityType)> = order
        .iter()
        .map(|text| {
            let kind = kind_of
                .get(text.as_str())
                .copied()
                .unwrap_or(EntityType::Place);
            (text.chars().collect(), kind)
        })
        .collect();
    patterns.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    for (b, ms) in blocks.iter().zip(per_block.iter_mut()) {
        let present = PairSet::of(&b.chars);
        for (pat, kind) in &patterns {
            let kind = *kind;
            // Most entities occur in few blocks: skip the scan when the block lacks the
            // pattern's first or last character pair.
            if !present.may_contain_ends(pat) {
                continue;
            }
            for s in find_all(&b.chars, pat) {
                let m = Mention {
                    start: s,
                    end: s + pat.len(),
                    kind,
                };
                // Take the place of shorter mentions it contains (`邓陶村` → `大邓陶村`),
                // never cut through one.
                let inside = |x: &Mention| m.start <= x.start && x.end <= m.end;
                if ms.iter().filter(|x| x.overlaps(&m)).all(inside) {
                    ms.retain(|x| !x.overlaps(&m));
                    ms.push(m);
                }
            }
        }
    }
    let mut counts: HashMap<&str, usize> = HashMap::default();
    let mut seen: Vec<String> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    for (b, ms) in blocks.iter().zip(&per_block) {
        let mut ms = ms.clone();
        ms.sort_by_key(|x| x.start);
        for m in ms {
            texts.push(text(&b.chars[m.start..m.end]));
        }
    }
    for a in authors.iter().filter(|a| a.chars().count() >= 2) {
        texts.push(a.clone());
    }
    for t in &texts {
        if !counts.contains_key(t.as_str()) {
            seen.push(t.clone());
        }
        *counts.entry(t.as_str()).or_insert(0) += 1;
    }
    let mut out: Vec<Entity> = seen
        .iter()
        .map(|t| Entity {
            text: t.clone(),
            kind: kind_of
                .get(t.as_str())
                .copied()
                .unwrap_or(EntityType::Place),
            count: counts.get(t.as_str()).copied().unwrap_or(1),
        })
        .collect();
    // Stable: ties keep first-appearance order.
    out.sort_by_key(|e| std::cmp::Reverse(e.count));
    out
}

fn kind_index(k: EntityType) -> usize {
    match k {
        EntityType::Person => 0,
        EntityType::Place => 1,
        EntityType::Organization => 2,
        EntityType::Date => 3,
    }
}

/// The most voted type; ties go to the more specific (date, organisation, person, place).
fn best_kind(v: &[usize; 4]) -> EntityType {
    [
        EntityType::Date,
        EntityType::Organization,
        EntityType::Person,
        EntityType::Place,
    ]
    .into_iter()
    .fold((EntityType::Place, 0), |(bk, bn), k| {
        let n = v[kind_index(k)];
        if n > bn {
            (k, n)
        } else {
            (bk, bn)
        }
    })
    .0
}

/// The text of a run of characters (sized once: CJK characters take three bytes).
fn text(chars: &[char]) -> String {
    let mut s = String::with_capacity(chars.iter().map(|c| c.len_utf8()).sum());
    s.extend(chars);
    s
}

/// Start offsets of the non-overlapping occurrences of `pat` in `hay`.
fn find_all(hay: &[char], pat: &[char]) -> Vec<usize> {
    let mut out = Vec::new();
    if pat.is_empty() || pat.len() > hay.len() {
        return out;
    }
    let first = pat[0];
    let mut i = 0;
    while i + pat.len() <= hay.len() {
        if hay[i] == first && hay[i..i + pat.len()] == *pat {
            out.push(i);
            i += pat.len();
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::stages::tag::test_tokens as toks;

    fn block<'a>(tokens: &'a [Token], model: &[(usize, usize, NerType)]) -> Block<'a> {
        Block {
            chars: tokens.iter().flat_map(|t| t.word.chars()).collect(),
            tokens,
            ranges: crate::stages::tag::rules::token_ranges(tokens),
            model: model
                .iter()
                .map(|&(start, end, ty)| Span { start, end, ty })
                .collect(),
        }
    }

    #[test]
    fn a_name_found_once_is_counted_everywhere() {
        let a = toks(&[("万果林", "nr"), ("反映", "v")]);
        let b = toks(&[("村民", "n"), ("找", "v"), ("万果林", "nr")]);
        let blocks = [block(&a, &[(0, 3, NerType::Per)]), block(&b, &[])];
        let e = extract(&blocks, &[]);
        assert_eq!(e.len(), 1);
        assert_eq!(
            (e[0].text.as_str(), e[0].kind, e[0].count),
            ("万果林", EntityType::Person, 2)
        );
    }

    #[test]
    fn authors_are_persons_and_counted_with_the_byline() {
        let a = toks(&[("韦青松", "nr"), ("报道", "v")]);
        let blocks = [block(&a, &[])];
        let e = extract(&blocks, &["韦青松".into(), "高远".into()]);
        let w = e.iter().find(|x| x.text == "韦青松").expect("author");
        assert_eq!((w.kind, w.count), (EntityType::Person, 2));
        assert!(e.iter().any(|x| x.text == "高远" && x.count == 1));
    }

    #[test]
    fn majority_type_wins_and_longer_entities_are_not_split() {
        let a = toks(&[("胶南", "ns"), ("街道", "n"), ("党工委", "n")]);
        let b = toks(&[("胶南", "ns"), ("街道", "n"), ("开展", "v")]);
        let blocks = [
            block(&a, &[(0, 4, NerType::Loc)]),
            block(&b, &[(0, 4, NerType::Loc)]),
        ];
        let e = extract(&blocks, &[]);
        let org = e
            .iter()
            .find(|x| x.text == "胶南街道党工委")
            .expect("merged org");
        assert_eq!((org.kind, org.count), (EntityType::Organization, 1));
        let place = e.iter().find(|x| x.text == "胶南街道").expect("place");
        assert_eq!((place.kind, place.count), (EntityType::Place, 1));
    }

    #[test]
    fn dates_override_model_spans_and_single_characters_are_dropped() {
        let a = toks(&[("11月", "m"), ("24日", "m"), ("，", "x"), ("京", "j")]);
        let blocks = [block(&a, &[(0, 2, NerType::Org), (7, 8, NerType::Loc)])];
        let e = extract(&blocks, &[]);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(
            (e[0].text.as_str(), e[0].kind),
            ("11月24日", EntityType::Date)
        );
    }
}
