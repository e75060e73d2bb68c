//! Promise 6: unsafe folder layouts are refused by `check-config` and at start-up with a clear
//! message; output names never come from input names, so nothing escapes the outbox.

use std::time::Duration;

use crate::bad_input::drop_os;
use crate::util::{list, read_records, run_cli, wait_until, Daemon, Dirs};

/// Writes a config with `inbox`/`outbox` under the test root plus `extra`, returns its path.
fn config(dirs: &Dirs, extra: &str) -> String {
    let path = dirs.root.path().join("unsafe.toml");
    let text = format!(
        "inbox = {:?}\noutbox = {:?}\n{extra}",
        dirs.inbox.display().to_string(),
        dirs.outbox.display().to_string()
    );
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    path.display().to_string()
}

fn refused(args: &[&str], needle: &str) {
    let out = run_cli(args, None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?} must be refused: {err}"
    );
    assert!(
        err.contains(needle),
        "{args:?}: message should name {needle:?}: {err}"
    );
}

#[test]
fn unsafe_layouts_are_refused_by_check_config_and_at_start_up() {
    let dirs = Dirs::new();
    let r = |p: &str| dirs.root.path().join(p).display().to_string();
    let cases = [
        (
            format!("archive_dir = {:?}", r("outbox/done")),
            "archive_dir",
        ),
        (
            format!("quarantine_dir = {:?}", r("inbox")),
            "quarantine_dir",
        ),
        (format!("state_dir = {:?}", r("outbox/.state")), "state_dir"),
        (format!("archive_dir = {:?}", r("inbox/done")), "dot-folder"),
        (
            format!("quarantine_dir = {:?}", r("")),
            "must not contain the inbox",
        ),
        (format!("outbox = {:?}", r("inbox/out")), "nested"),
    ];
    for (extra, needle) in &cases {
        // A later `outbox =` overrides nothing in TOML (duplicate keys are errors), so the
        // nested-outbox case gets its own file.
        let cfg = if extra.starts_with("outbox") {
            let path = dirs.root.path().join("nested.toml");
            let text = format!("inbox = {:?}\n{extra}\n", dirs.inbox.display().to_string());
            std::fs::write(&path, text).unwrap_or_default();
            path.display().to_string()
        } else {
            config(&dirs, extra)
        };
        refused(&["check-config", &cfg], needle);
        refused(&["run", "--config", &cfg], needle);
    }
    // A symlink can hide a loop from a purely textual check: outbox -> inbox/.done/x is fine
    // textually (different names) but really lives in the inbox.
    let link = dirs.root.path().join("sneaky-outbox");
    std::os::unix::fs::symlink(&dirs.inbox, &link).unwrap_or_else(|e| panic!("{e}"));
    let path = dirs.root.path().join("link.toml");
    let text = format!(
        "inbox = {:?}\noutbox = {:?}\n",
        dirs.inbox.display().to_string(),
        link.display().to_string()
    );
    std::fs::write(&path, text).unwrap_or_default();
    let cfg = path.display().to_string();
    refused(&["check-config", &cfg], "after resolving symlinks");
    refused(&["run", "--config", &cfg], "after resolving symlinks");
    assert!(
        list(&dirs.inbox, |_| true).is_empty(),
        "a refused start creates nothing"
    );
}

#[test]
fn output_names_come_from_content_never_from_input_names_or_ids() {
    let dirs = Dirs::new();
    let daemon = Daemon::start(&dirs, &[]);
    let jsonl = "{\"id\":\"../../../escape\",\"title\":\"../../etc/passwd\",\"text\":\"北京市召开会议。\"}\n";
    let names = [
        "escape...jsonl",
        "-rf ~.txt",
        "%2e%2e%2fescape.txt",
        "a\\..\\b.txt",
    ];
    for (i, name) in names.iter().enumerate() {
        let body = if name.ends_with(".jsonl") {
            jsonl.to_string()
        } else {
            format!("标题{i}\n\n正文第{i}段，内容不同。\n")
        };
        drop_os(&dirs, std::ffi::OsStr::new(name), body.as_bytes());
    }
    wait_until(
        dirs.root.path(),
        Duration::from_secs(60),
        "all four archived",
        || list(&dirs.archive(), |_| true).len() == names.len(),
    );
    for name in dirs.outbox_entries() {
        let stem = name.strip_suffix(".jsonl").unwrap_or_default();
        assert!(
            stem.len() == 16 && stem.chars().all(|c| c.is_ascii_hexdigit()),
            "output name {name:?} is the content hash"
        );
    }
    assert_eq!(dirs.outputs().len(), names.len());
    let mut top: Vec<String> = list(dirs.root.path(), |_| true)
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    top.retain(|n| !n.starts_with(".staging"));
    assert_eq!(
        top,
        ["inbox", "outbox"],
        "nothing written outside the folders"
    );
    let recs: Vec<_> = dirs
        .outputs()
        .iter()
        .flat_map(|p| read_records(p))
        .collect();
    assert!(recs.iter().any(|r| r["source"]["id"] == "../../../escape"));
    let (status, _) = daemon.stop(Duration::from_secs(30));
    assert!(status.success());
}
