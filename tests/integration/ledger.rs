//! Promise 2 (exactly once per content, the ledger, `status`, `--force`), the daemon lock,
//! and promise 4's "a full outbox is retried and reported, never turned into lost input".

use std::time::Duration;

use serde_json::Value;

use crate::bad_input::{daemon_cmd, good_dump};
use crate::util::{list, read_records, run_cli, wait_until, Daemon, Dirs};

const T: Duration = Duration::from_secs(60);

fn status(dirs: &Dirs) -> Value {
    let out = run_cli(
        &[
            "status",
            "--json",
            "--inbox",
            dirs.inbox.to_str().unwrap_or_default(),
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("status JSON: {e}"))
}

fn archived(dirs: &Dirs) -> usize {
    list(&dirs.archive(), |_| true).len()
}

#[test]
fn the_same_content_yields_one_output_whatever_its_name_and_timing() {
    let dirs = Dirs::new();
    let content = good_dump("唯一内容");
    let other = good_dump("另一内容");
    let mut daemon = Daemon::start(&dirs, &[]);

    // Two names, dropped together: both in flight before either finished.
    dirs.drop_file("first.txt", &content);
    dirs.drop_file("twin.txt", &content);
    wait_until(dirs.root.path(), T, "both archived", || {
        archived(&dirs) == 2
    });
    assert_eq!(dirs.outputs().len(), 1, "concurrent twins give one output");

    // After the first finished: same name again, and a third name.
    dirs.drop_file("first.txt", &content);
    dirs.drop_file("late.txt", &content);
    dirs.drop_file("other.txt", &other);
    wait_until(dirs.root.path(), T, "five archived", || {
        archived(&dirs) == 5
    });
    assert_eq!(dirs.outputs().len(), 2);
    assert!(
        dirs.archive().join("first.txt.1").exists(),
        "a second input with the same name is archived beside the first, suffix after the name"
    );
    daemon.wait_log("duplicate content", T);
    let s = status(&dirs);
    assert_eq!(s["counts"]["contents_done"], 2);
    assert_eq!(s["counts"]["events"]["done"], 2);
    assert_eq!(s["counts"]["events"]["duplicate"], 3);
    let (st, _) = daemon.stop(T);
    assert!(st.success());

    // Across a restart, and even after a consumer took the output away: the ledger remembers.
    for out in dirs.outputs() {
        std::fs::remove_file(out).unwrap_or_default();
    }
    let daemon = Daemon::start(&dirs, &[]);
    dirs.drop_file("again.txt", &content);
    wait_until(dirs.root.path(), T, "archived after restart", || {
        archived(&dirs) == 6
    });
    assert!(
        dirs.outputs().is_empty(),
        "content already delivered is not delivered twice"
    );
    let (st, _) = daemon.stop(T);
    assert!(st.success());

    // On purpose: --force reprocesses and rewrites the one output.
    let daemon = Daemon::start(&dirs, &["--force"]);
    dirs.drop_file("forced.txt", &content);
    wait_until(dirs.root.path(), T, "forced output", || {
        dirs.outputs().len() == 1 && archived(&dirs) == 7
    });
    let recs = read_records(&dirs.outputs()[0]);
    assert_eq!(recs[0]["source"]["file"], "forced.txt");
    let (st, _) = daemon.stop(T);
    assert!(st.success());
    let s = status(&dirs);
    assert_eq!(s["counts"]["events"]["forced"], 1);
    assert_eq!(s["recent"][0]["action"], "forced");
    assert_eq!(s["recent"][0]["file"], "forced.txt");
    assert!(s["recent"][0]["output"]
        .as_str()
        .is_some_and(|o| o.ends_with(".jsonl")));
    assert!(s["daemon_pid"].is_null(), "no daemon after a clean stop");

    // The text view names the same things.
    let out = run_cli(
        &["status", "--inbox", dirs.inbox.to_str().unwrap_or_default()],
        None,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("contents: 2 done") && text.contains("forced.txt"),
        "{text}"
    );
}

#[test]
fn the_ledger_lives_in_the_state_folder_and_a_second_daemon_is_refused() {
    let dirs = Dirs::new();
    let daemon = Daemon::start(&dirs, &[]);
    assert!(dirs.inbox.join(".presswire/ledger.sqlite3").is_file());
    assert!(
        dirs.outbox_entries().is_empty(),
        "nothing of the state lives in the outbox"
    );
    // Same inbox, even with its own state folder and outbox.
    let elsewhere = dirs.root.path().join("other-state");
    let cfg = format!("state_dir = {:?}\n", elsewhere.display().to_string());
    let mut second = daemon_cmd(&dirs, &cfg, &[]);
    let out = second
        .output()
        .unwrap_or_else(|e| panic!("spawn second daemon: {e}"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already in use"), "{err}");
    let (st, _) = daemon.stop(T);
    assert!(st.success());
}

#[test]
fn a_full_outbox_is_retried_with_backoff_and_the_input_waits_in_the_inbox() {
    let dirs = Dirs::new();
    let cmd = daemon_cmd(&dirs, "", &[("PRESSWIRE_FAULTS", "outbox.full=3")]);
    let mut daemon = Daemon::spawn(cmd);
    let input = dirs.drop_file("patient.txt", &good_dump("耐心"));
    let first = daemon.wait_log("cannot write output yet", T);
    assert!(
        first.contains("patient.txt") && first.contains("No space left"),
        "{first}"
    );
    assert!(
        input.exists(),
        "the input stays in the inbox while its output cannot be written"
    );
    wait_until(
        dirs.root.path(),
        T,
        "output after the disk recovers",
        || dirs.archive().join("patient.txt").exists(),
    );
    assert_eq!(dirs.outputs().len(), 1);
    let (st, log) = daemon.stop(T);
    assert!(st.success());
    let retries = log
        .iter()
        .filter(|l| l.contains("cannot write output yet"))
        .count();
    assert_eq!(retries, 3, "one report per failed attempt");
}
