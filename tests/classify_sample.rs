//! The default taxonomy on the six articles of the sample dump.
//!
//! Articles are rebuilt from the hand annotation's paragraph numbers (non-empty lines of
//! `tests/fixtures/sample_dump.txt`, counted from 0), so this test measures the classifier
//! alone, whatever the split stage does.

use presswire::stages::classify::{classify, taxonomy::DEFAULT_TAXONOMY, Classifier, Taxonomy};
use presswire::stages::tag::{tag, TagOptions, Tagger};
use presswire::stages::Draft;

const DUMP: &str = include_str!("fixtures/sample_dump.txt");

/// An annotated article: key, title paragraph, body paragraphs, acceptable labels.
type Annotated = (
    &'static str,
    Option<usize>,
    &'static [usize],
    &'static [&'static str],
);

/// The six articles; the first acceptable label is the preferred one.
const ARTICLES: &[Annotated] = &[
    (
        "luohe-finance",
        Some(0),
        &[
            1, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
        ],
        &["party_building", "civic_civilization"],
    ),
    (
        "qingdao-jiaonan",
        Some(3),
        &[4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
        &["party_building"],
    ),
    (
        "gongxian-civilized-city",
        Some(35),
        &[36, 37, 38, 39, 40],
        &["civic_civilization"],
    ),
    (
        "shaanmei-fire-training",
        Some(41),
        &[42, 43],
        &["work_safety"],
    ),
    (
        "yongfeng-pepper-photo",
        None,
        &[44],
        &["rural_revitalisation"],
    ),
    (
        "pingshan-jufu",
        Some(45),
        &[47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60],
        &["governance_law", "rural_revitalisation"],
    ),
];

#[test]
fn sample_articles_get_their_beat() {
    let paras: Vec<&str> = DUMP
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert!(paras.len() > 60, "fixture has {} paragraphs", paras.len());
    let tagger = match Tagger::new(&TagOptions::default()) {
        Ok(t) => t,
        Err(e) => panic!("tagger: {e}"),
    };
    let taxonomy = Taxonomy::parse(DEFAULT_TAXONOMY).map_err(|e| e.to_string());
    let Ok(taxonomy) = taxonomy else {
        panic!("{taxonomy:?}")
    };
    let classifier = Classifier::Taxonomy(taxonomy);
    let mut failures = Vec::new();
    for (key, title, body, labels) in ARTICLES {
        let draft = Draft {
            title: title.map(|t| paras[t].to_string()),
            paragraphs: body.iter().map(|&i| paras[i].to_string()).collect(),
            ..Draft::default()
        };
        let c = classify(&classifier, &tag(&tagger, &draft));
        eprintln!("{key}: {} {} {:?}", c.label, c.score, c.evidence);
        let ok = labels.contains(&c.label.as_str())
            && !c.evidence.is_empty()
            && c.score > 0.0
            && c.score <= 1.0
            && c.model == "taxonomy";
        if !ok {
            failures.push(format!("{key}: got {c:?}, want one of {labels:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
