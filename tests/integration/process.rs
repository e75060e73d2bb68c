//! `presswire process`: the one-shot path, identical records to the daemon.

use std::time::Duration;

use crate::util::{
    fixture, read_records, run_cli, sample_dump, stdout_records, wait_until, Daemon, Dirs,
};

#[test]
fn process_prints_records_identical_to_the_daemon_output() {
    let dirs = Dirs::new();
    std::fs::write(dirs.root.path().join("page.txt"), sample_dump()).unwrap_or_default();
    let path = dirs.root.path().join("page.txt");
    let out = run_cli(
        &[
            "process",
            "--deterministic",
            path.to_str().unwrap_or_default(),
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = stdout_records(&out);
    assert!(!printed.is_empty());

    let daemon = Daemon::start(&dirs, &[]);
    dirs.drop_file("page.txt", &sample_dump());
    wait_until(
        dirs.root.path(),
        Duration::from_secs(60),
        "daemon output",
        || dirs.archive().join("page.txt").exists(),
    );
    let written = read_records(&dirs.outputs()[0]);
    assert_eq!(
        printed, written,
        "process and run must produce identical records"
    );
    let (status, _) = daemon.stop(Duration::from_secs(30));
    assert!(status.success());
}

#[test]
fn process_reads_stdin_and_utf8_stays_unescaped() {
    let out = run_cli(&["process", "--deterministic"], Some(&sample_dump()));
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("陕煤集团"), "Chinese text is written raw");
    assert!(!text.contains("\\u"), "no \\u escapes in output");
    let recs = stdout_records(&out);
    assert_eq!(recs[0]["source"]["file"], "-");
}

#[test]
fn jsonl_input_skips_splitting_and_echoes_ids_in_order() {
    let input = "{\"id\":\"x1\",\"title\":\"消防安全培训\",\"text\":\"近日，双龙煤业开展了消防安全培训。\\n参加培训的人员进行了灭火实操演练。\"}\n{\"id\":\"x2\",\"text\":\"四川省珙县扎实做好省级文明城市创建工作。\"}\n";
    let out = run_cli(
        &["process", "--format", "jsonl", "--deterministic", "-"],
        Some(input.as_bytes()),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = stdout_records(&out);
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["source"]["id"], "x1");
    assert_eq!(recs[0]["title"], "消防安全培训");
    assert_eq!(recs[0]["paragraphs"].as_array().map(Vec::len), Some(2));
    assert_eq!(recs[1]["source"]["id"], "x2");
    assert!(recs[1]["title"].is_null());
}

#[test]
fn a_failed_input_is_reported_and_sets_the_exit_code() {
    let out = run_cli(
        &[
            "process",
            fixture("does-not-exist.txt").to_str().unwrap_or_default(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stderr).is_empty());
}
