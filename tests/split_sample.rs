//! The hand-annotated sample dump (`tests/fixtures/sample_dump.txt`): split + clean must find
//! its six articles with their headers, kinds, headings, all five column-break rejoins and no
//! false join, and reunite the first article's header with its scrambled body.
//!
//! The expectations below were written by hand from the annotation (paragraph numbers refer
//! to the dump's non-empty lines, counted from 0).

use presswire::record::{Kind, RepairAction};
use presswire::stages::{clean, split, Draft};

const SAMPLE: &str = include_str!("fixtures/sample_dump.txt");

fn drafts() -> Vec<Draft> {
    clean(split(SAMPLE))
}

/// The dump's paragraphs (non-empty lines), as the annotation numbers them.
fn para(n: usize) -> String {
    SAMPLE
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .nth(n)
        .map(str::to_string)
        .unwrap_or_default()
}

/// Index of the output paragraph of `d` that contains dump paragraph `n`.
fn position(d: &Draft, n: usize) -> Option<usize> {
    let p = para(n).replace(' ', "");
    d.paragraphs
        .iter()
        .position(|x| x.replace(' ', "").contains(&p))
}

#[test]
fn six_records_with_the_annotated_headers_and_kinds() {
    let ds = drafts();
    let titles: Vec<Option<&str>> = ds.iter().map(|d| d.title.as_deref()).collect();
    assert_eq!(
        titles,
        vec![
            Some("党建领航聚合力 文明花香溢财苑"),
            Some("青岛西海岸新区胶南街道·凝聚红色力量烹好惠民大餐"),
            Some("珙县扎实做好省级文明城市创建工作"),
            Some("陕煤集团黄陵矿业双龙煤业开展消防安全培训"),
            None,
            Some("屏山县新安镇聚福村：党建引领基层治理 全面推进乡村振兴"),
        ]
    );
    let kinds: Vec<Kind> = ds.iter().map(|d| d.kind).collect();
    assert_eq!(
        kinds,
        vec![
            Kind::Article,
            Kind::Article,
            Kind::Article,
            Kind::Brief,
            Kind::PhotoCaption,
            Kind::Article
        ]
    );
    assert_eq!(
        ds[0].subtitle.as_deref(),
        Some("河南省漯河市召陵区财政局党建引领助推省级文明单位创建纪实")
    );
    assert_eq!(ds[0].authors, vec!["应旭初", "高远", "任晓静"]);
    assert_eq!(ds[3].dateline.as_deref(), Some("本报讯"));
    assert_eq!(ds[3].authors, vec!["韦青松"]);
    assert_eq!(ds[5].authors, vec!["何杨梅"]);
    for d in [&ds[1], &ds[2], &ds[4]] {
        assert!(
            d.authors.is_empty() && d.dateline.is_none(),
            "{:?}",
            d.title
        );
    }
}

#[test]
fn membership_matches_the_annotation() {
    let ds = drafts();
    let members: [&[usize]; 6] = [
        &[
            17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
        ],
        &[4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
        &[36, 37, 38, 39, 40],
        &[42, 43],
        &[44],
        &[47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60],
    ];
    for (k, list) in members.iter().enumerate() {
        for &n in *list {
            assert!(
                position(&ds[k], n).is_some(),
                "paragraph {n} missing from record {k}"
            );
        }
    }
    // Nothing else: body paragraph counts once the five broken ones are joined.
    let counts: Vec<usize> = ds.iter().map(|d| d.paragraphs.len()).collect();
    assert_eq!(counts, vec![18 - 3, 13, 5, 2, 1, 14 - 2]);
}

#[test]
fn headings_are_the_annotated_ones() {
    let ds = drafts();
    let mut h0 = ds[0].headings.clone();
    h0.sort();
    let mut want0: Vec<String> = [22, 26, 30, 32].iter().map(|&n| para(n)).collect();
    want0.sort();
    assert_eq!(h0, want0);
    assert_eq!(ds[1].headings, vec![para(5), para(9), para(12)]);
    assert_eq!(ds[5].headings, vec![para(48), para(53), para(58)]);
    for d in [&ds[2], &ds[3], &ds[4]] {
        assert!(d.headings.is_empty());
    }
}

#[test]
fn all_five_column_breaks_are_rejoined_and_nothing_else() {
    let ds = drafts();
    let joins = [
        (0, "有力推动财政各项工作"),
        (0, "结对共建活动，帮助结对村"),
        (0, "等活动开展专题学习"),
        (5, "纠纷调解工作，让党员"),
        (5, "应急处突以及其他活动"),
    ];
    for (k, joined) in joins {
        assert!(
            ds[k].paragraphs.iter().any(|p| p.contains(joined)),
            "record {k} lacks the join {joined}"
        );
    }
    let rejoined: usize = ds
        .iter()
        .map(|d| {
            d.repairs
                .iter()
                .filter(|r| r.action == RepairAction::Rejoined)
                .count()
        })
        .sum();
    assert_eq!(rejoined, 5, "exactly the five annotated breaks are joined");
}

#[test]
fn first_article_header_is_reunited_with_its_body_in_reading_order() {
    let ds = drafts();
    let d = &ds[0];
    assert!(d
        .repairs
        .iter()
        .any(|r| r.action == RepairAction::HeaderReunited));
    let pos = |n: usize| position(d, n).unwrap_or(usize::MAX);
    // Each broken paragraph's head comes right where its tail continues it.
    assert_eq!(pos(23), pos(17));
    assert_eq!(pos(27), pos(19));
    assert_eq!(pos(34), pos(28));
    // Every section heading is followed by its own sub-points, never by another section's.
    assert!(pos(32) < pos(33) && pos(33) < pos(34) && pos(34) < pos(29));
    assert!(pos(30) < pos(31));
    assert!(pos(26) < pos(27) && pos(27) < pos(20) && pos(20) < pos(21));
    assert!(pos(22) < pos(23) && pos(23) < pos(18));
    // The recovered order opens with the section whose heading echoes the subtitle.
    assert_eq!(d.paragraphs[0], para(32));
}

#[test]
fn title_spaces_stay_and_body_is_untouched_text() {
    let ds = drafts();
    assert_eq!(
        ds[0].title.as_deref(),
        Some("党建领航聚合力 文明花香溢财苑")
    );
    assert!(ds[3].paragraphs[0].starts_with("本报讯(韦青松)为切实加强"));
}
