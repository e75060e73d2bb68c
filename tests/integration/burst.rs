//! Promise 4: bounded resources. 2,000 small dumps dropped as fast as possible into a running
//! daemon all come out exactly once and valid, with memory bounded (peak RSS is reported, not
//! asserted: it is a measurement). Lost notifications are survived by rescanning: a watcher
//! whose every event is dropped as an overflow (`watch.overflow`), and one that cannot be
//! created at all (`watch.unavailable`, as when inotify limits are exhausted), both injected
//! through the `PRESSWIRE_FAULTS` seam since the kernel limits are machine-wide.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::bad_input::{daemon_cmd, good_dump, peak_rss_kib};
use crate::util::{list, read_records, wait_until, Daemon, Dirs};

const BURST: usize = 2000;

#[test]
fn two_thousand_dumps_at_once_each_yield_exactly_one_valid_output() {
    let dirs = Dirs::new();
    let daemon = Daemon::spawn(daemon_cmd(&dirs, "", &[]));
    let pid = daemon.child.id();
    let t = Instant::now();
    for i in 0..BURST {
        dirs.drop_file(&format!("b{i:04}.txt"), &good_dump(&format!("批{i}")));
    }
    let dropped = t.elapsed();
    wait_until(
        dirs.root.path(),
        Duration::from_secs(300),
        "2,000 archived inputs",
        || list(&dirs.archive(), |_| true).len() == BURST,
    );
    let took = t.elapsed();
    let rss = peak_rss_kib(pid);
    let outputs = dirs.outputs();
    assert_eq!(outputs.len(), BURST, "one output per distinct dump");
    let mut files = BTreeSet::new();
    for out in &outputs {
        for r in read_records(out) {
            let file = r["source"]["file"].as_str().unwrap_or_default().to_string();
            assert!(r["id"].is_string() && r["paragraphs"].is_array());
            files.insert(file);
        }
    }
    assert_eq!(
        files.len(),
        BURST,
        "every input is the source of some record"
    );
    assert!(list(&dirs.quarantine(), |_| true).is_empty());
    assert!(
        dirs.outbox_entries().len() == BURST,
        "nothing but outputs in the outbox"
    );
    let (status, _) = daemon.stop(Duration::from_secs(30));
    assert!(status.success());
    eprintln!(
        "burst: {BURST} dumps dropped in {dropped:?}, all processed in {took:?}; daemon peak RSS (VmHWM) {} KiB",
        rss.map_or("?".into(), |k| k.to_string())
    );
}

#[test]
fn dropped_notifications_are_recovered_by_rescanning() {
    // Every event dropped and reported as overflow; the periodic rescan is an hour away, so
    // only the overflow-triggered rescan can find these files.
    let dirs = Dirs::new();
    let cmd = daemon_cmd(
        &dirs,
        "rescan_interval = \"1h\"\n",
        &[("PRESSWIRE_FAULTS", "watch.overflow=1")],
    );
    let daemon = Daemon::spawn(cmd);
    for i in 0..200 {
        dirs.drop_file(&format!("o{i:03}.txt"), &good_dump(&format!("溢出{i}")));
    }
    wait_until(
        dirs.root.path(),
        Duration::from_secs(120),
        "200 outputs",
        || list(&dirs.archive(), |_| true).len() == 200,
    );
    assert_eq!(dirs.outputs().len(), 200);
    let (status, _) = daemon.stop(Duration::from_secs(30));
    assert!(status.success());
}

#[test]
fn without_a_watcher_periodic_rescans_still_find_files() {
    let dirs = Dirs::new();
    let cmd = daemon_cmd(
        &dirs,
        "rescan_interval = \"200ms\"\n",
        &[("PRESSWIRE_FAULTS", "watch.unavailable=1")],
    );
    let mut daemon = Daemon::spawn(cmd);
    let warned = daemon.wait_log("falling back to rescans", Duration::from_secs(10));
    assert!(warned.contains("inotify"), "{warned}");
    dirs.drop_file("found.txt", &good_dump("轮询"));
    wait_until(
        dirs.root.path(),
        Duration::from_secs(60),
        "rescan found it",
        || dirs.archive().join("found.txt").exists(),
    );
    assert_eq!(dirs.outputs().len(), 1);
    let (status, _) = daemon.stop(Duration::from_secs(30));
    assert!(status.success());
}
