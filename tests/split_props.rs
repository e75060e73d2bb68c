//! Property tests: split and clean never panic, whatever the input, and lose no content:
//! every input paragraph ends up in a record (title, subtitle, byline authors, paragraphs) or
//! in a record's `repairs` (furniture), and clean keeps one draft per input draft.

use presswire::record::RepairAction;
use presswire::source::decode::decode;
use presswire::stages::split::blocks::paragraphs;
use presswire::stages::split::kinds::{classify, Role};
use presswire::stages::{clean, split, Draft};
use proptest::prelude::*;

/// Is `p` (one input paragraph) accounted for somewhere in `drafts`?
fn accounted(p: &str, role: Role, drafts: &[Draft]) -> bool {
    drafts.iter().any(|d| {
        d.title.as_deref() == Some(p)
            || d.subtitle.as_deref().is_some_and(|s| p.contains(s))
            || d.paragraphs.iter().any(|x| x.contains(p))
            || d.repairs
                .iter()
                .any(|r| r.action == RepairAction::FurnitureRemoved && r.detail == p)
            || (role == Role::Byline
                && d.authors
                    .iter()
                    .any(|a| p.replace([' ', '\u{3000}'], "").contains(a.as_str())))
    })
}

fn check(text: &str) -> Result<(), TestCaseError> {
    let drafts = split(text);
    let paras = paragraphs(text);
    let texts: Vec<String> = paras.iter().map(|p| p.text.clone()).collect();
    let infos = classify(&texts);
    for (p, info) in texts.iter().zip(&infos) {
        prop_assert!(accounted(p, info.role, &drafts), "lost paragraph {p:?}");
    }
    let n = drafts.len();
    let cleaned = clean(drafts);
    prop_assert_eq!(cleaned.len(), n);
    Ok(())
}

/// Text built from newspaper-like pieces: headlines, bylines, datelines, broken sentences.
fn dumpish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("党建领航聚合力 文明花香溢财苑".to_string()),
        Just("——河南省漯河市召陵区财政局纪实".to_string()),
        Just("应旭初 高远 任晓静".to_string()),
        Just("本报讯(韦青松)为切实加强矿井消防安全管理，".to_string()),
        Just("第3版".to_string()),
        Just("◎ 党建引领，搭建网格化治理体系".to_string()),
        Just("近年来，四川省珙县扎实做好省级文明城市创建工作。".to_string()),
        Just("该局打造党建品牌，有力推".to_string()),
        Just("动财政各项工作稳步发展。".to_string()),
        Just("图为11月24日，菜农在田间管理。".to_string()),
        "[\\u4e00-\\u4e20，。、“”]{1,40}",
        "[a-z0-9 ]{0,10}",
    ];
    let sep = prop_oneof![
        Just("\n"),
        Just("\n\n"),
        Just("\n\n\n"),
        Just("\r\n"),
        Just(" ")
    ];
    prop::collection::vec((piece, sep), 0..40).prop_map(|v| {
        v.into_iter()
            .map(|(p, s)| format!("{p}{s}"))
            .collect::<String>()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_unicode_never_panics_and_loses_nothing(text in "\\PC{0,400}") {
        check(&text)?;
    }

    #[test]
    fn newspaper_like_text_loses_nothing(text in dumpish()) {
        check(&text)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(d) = decode(&bytes) {
            check(&d.text)?;
        }
    }
}
