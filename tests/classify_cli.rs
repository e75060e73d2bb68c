//! `presswire train` then `process --format jsonl --model`, through the real binary.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_presswire");

fn line(label: &str, text: &str) -> String {
    serde_json::json!({ "label": label, "text": text }).to_string()
}

#[test]
fn train_then_process_with_the_model() {
    let Ok(dir) = tempfile::tempdir() else {
        panic!("no temp dir")
    };
    let sport = [
        "湖人队在比赛中击败国王队，球员进球表现出色。",
        "球队赢得联赛冠军，教练称赞球员的比赛状态。",
        "新赛季联赛开幕，主队球员在比赛中连续进球。",
    ];
    let finance = [
        "股市今日上涨，银行股领涨，基金净值走高。",
        "央行调整利率，银行贷款与股票市场受到影响。",
        "投资者关注股票和基金，股市成交量放大。",
    ];
    let mut data = String::new();
    for t in sport {
        data += &line("体育", t);
        data.push('\n');
    }
    for t in finance {
        data += &line("财经", t);
        data.push('\n');
    }
    let data_path = dir.path().join("train.jsonl");
    let model_path = dir.path().join("topics.pwlm");
    assert!(std::fs::write(&data_path, data).is_ok());
    let out = Command::new(BIN)
        .args(["train", "--data"])
        .arg(&data_path)
        .arg("--out")
        .arg(&model_path)
        .args(["--min-df", "1"])
        .output();
    let Ok(out) = out else { panic!("cannot run") };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(model_path.exists());

    let input = dir.path().join("in.jsonl");
    let articles = "{\"id\":\"a\",\"text\":\"球员在联赛比赛中进球，球队夺得冠军。\"}\n{\"id\":\"b\",\"text\":\"银行股票上涨，股市和基金走强。\"}\n";
    assert!(std::fs::write(&input, articles).is_ok());
    let config = dir.path().join("c.toml");
    assert!(std::fs::write(&config, "[classify]\nmin_score = 0.0\n").is_ok());
    let out = Command::new(BIN)
        .args([
            "process",
            "--deterministic",
            "--format",
            "jsonl",
            "--config",
        ])
        .arg(&config)
        .arg("--model")
        .arg(&model_path)
        .arg(&input)
        .output();
    let Ok(out) = out else { panic!("cannot run") };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(records.len(), 2);
    let cat = |i: usize| &records[i]["category"];
    assert_eq!(cat(0)["label"], "体育");
    assert_eq!(cat(1)["label"], "财经");
    assert_eq!(cat(0)["model"], "linear:topics");
    let score = cat(0)["score"].as_f64().unwrap_or(-1.0);
    assert!(score > 0.5 && score <= 1.0, "score {score}");
    assert!(cat(0)["evidence"].as_array().is_some_and(|e| !e.is_empty()));

    // A missing model file is a configuration error naming the file (exit code 2).
    let out = Command::new(BIN)
        .args(["process", "--format", "jsonl", "--model"])
        .arg(dir.path().join("missing.pwlm"))
        .arg(&input)
        .output();
    let Ok(out) = out else { panic!("cannot run") };
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.pwlm"));
}
