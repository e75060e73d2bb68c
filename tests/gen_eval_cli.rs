//! `presswire gen-dumps` and `presswire eval-split`, run as the real binary on a temp folder
//! with a small hand-written source file (the real corpus lives outside the repository).

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_presswire");

/// Twelve made-up articles, each with a title and four body paragraphs.
fn source() -> String {
    let places = [
        "珙县", "胶南", "屏山", "永丰", "漯河", "召陵", "黄陵", "新安", "聚福", "吉安", "青岛",
        "双龙",
    ];
    let mut out = String::new();
    for (i, p) in places.iter().enumerate() {
        let paras: Vec<String> = (0..4)
            .map(|k| format!("{p}第{k}段讲述了当地干部群众推进乡村振兴的做法，各项工作稳步发展，群众满意度不断提升。据了解，{p}今年共完成项目{}个。", i * 10 + k))
            .collect();
        let line = serde_json::json!({"title": format!("{p}扎实推进乡村振兴工作取得新成效"), "paragraphs": paras});
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

/// `presswire eval-split --json DIRS…`, which must succeed: its figures.
fn eval_json(dirs: &[std::path::PathBuf]) -> serde_json::Value {
    let o = Command::new(BIN)
        .args(["eval-split", "--json"])
        .args(dirs)
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("json: {e}"))
}

#[test]
fn generator_is_deterministic_and_eval_reports_every_figure() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let src = dir.path().join("src.jsonl");
    std::fs::write(&src, source()).unwrap_or_else(|e| panic!("write: {e}"));
    let gen = |out: &str| {
        let o = Command::new(BIN)
            .args(["gen-dumps", "--source"])
            .arg(&src)
            .arg("--out")
            .arg(dir.path().join(out))
            .args(["--count", "8", "--seed", "42"])
            .output()
            .unwrap_or_else(|e| panic!("run: {e}"));
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    gen("a");
    gen("b");
    for i in 0..8 {
        let name = format!("{i:06}.txt");
        let a = std::fs::read(dir.path().join("a").join(&name)).unwrap_or_default();
        let b = std::fs::read(dir.path().join("b").join(&name)).unwrap_or_default();
        assert!(
            !a.is_empty() && a == b,
            "{name} differs between two runs with one seed"
        );
        assert!(dir
            .path()
            .join("a/.truth")
            .join(format!("{i:06}.json"))
            .exists());
    }
    let v = eval_json(&[dir.path().join("a")]);
    assert_eq!(v["dumps"], 8);
    for k in [
        "article_count_accuracy",
        "assignment_accuracy",
        "bcubed_f1",
        "rejoin_precision",
        "rejoin_recall",
        "title_accuracy",
        "author_accuracy",
        "dateline_accuracy",
        "kendall_tau",
    ] {
        let x = v[k].as_f64().unwrap_or(-1.0);
        assert!(
            (0.0..=1.0).contains(&x) || (k == "kendall_tau" && x >= -1.0),
            "{k} = {x}"
        );
    }
    assert_eq!(v["furniture_leaked"], 0);

    // Two folders are scored together: `b` is a copy of `a`, so the counts double and every
    // figure stays what `a` alone gave.
    let both = eval_json(&[dir.path().join("a"), dir.path().join("b")]);
    assert_eq!(both["dumps"], 16);
    assert_eq!(
        both["true_joins"].as_u64(),
        v["true_joins"].as_u64().map(|n| 2 * n)
    );
    for k in [
        "assignment_accuracy",
        "rejoin_recall",
        "title_accuracy",
        "kendall_tau",
    ] {
        let (x, y) = (
            v[k].as_f64().unwrap_or(-9.0),
            both[k].as_f64().unwrap_or(-9.0),
        );
        assert!((x - y).abs() < 1e-9, "{k}: {x} alone, {y} pooled");
    }

    // `--truth` names one folder's truth: with two dump folders it is refused.
    let o = Command::new(BIN)
        .args(["eval-split", "--truth"])
        .arg(dir.path().join("a/.truth"))
        .arg(dir.path().join("a"))
        .arg(dir.path().join("b"))
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--truth"));
}

#[test]
fn a_missing_source_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let o = Command::new(BIN)
        .args(["gen-dumps", "--source"])
        .arg(dir.path().join("nope.jsonl"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope.jsonl"));
}
