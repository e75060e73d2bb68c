//! The sample dump through the real binary: byline authors, quoted persons, counties, towns,
//! villages and bureaus/committees come out as entities of the right type.

use std::collections::HashMap;
use std::process::Command;

#[test]
fn sample_dump_entities_are_found() {
    let out = Command::new(env!("CARGO_BIN_EXE_presswire"))
        .args([
            "process",
            "--deterministic",
            "tests/fixtures/sample_dump.txt",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run presswire");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut found: HashMap<String, String> = HashMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let r: serde_json::Value = serde_json::from_str(line).expect("JSON line");
        for e in r["entities"].as_array().expect("entities array") {
            let text = e["text"].as_str().expect("text").to_string();
            let kind = e["type"].as_str().expect("type").to_string();
            assert!(e["count"].as_u64().expect("count") >= 1);
            found.insert(text, kind);
        }
    }
    let expect = [
        // Byline and dateline authors.
        ("应旭初", "person"),
        ("任晓静", "person"),
        ("韦青松", "person"),
        // People quoted or named with their role.
        ("冯有堂", "person"),
        ("贾茂兵", "person"),
        ("刘兵兵", "person"),
        ("万果林", "person"),
        // Counties, towns, villages, sub-districts.
        ("珙县", "place"),
        ("永丰县", "place"),
        ("屏山县", "place"),
        ("新安镇", "place"),
        ("聚福村", "place"),
        ("大邓陶村", "place"),
        ("胶南街道", "place"),
        // Bureaus, committees, party branches, companies.
        ("召陵区财政局", "organization"),
        ("大邓陶村党支部", "organization"),
        ("陕煤集团黄陵矿业双龙煤业", "organization"),
        ("胶南街道党工委", "organization"),
        ("县市场监管局", "organization"),
        // Dates.
        ("11月24日", "date"),
        ("2021年", "date"),
    ];
    let missing: Vec<String> = expect
        .iter()
        .filter(|(t, k)| found.get(*t).map(String::as_str) != Some(*k))
        .map(|(t, k)| format!("{t} ({k}): got {:?}", found.get(*t)))
        .collect();
    assert!(missing.is_empty(), "missing or mistyped: {missing:#?}");
}
