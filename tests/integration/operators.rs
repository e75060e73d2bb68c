//! Operator surfaces of `presswire run`: `/metrics`, `/healthz`, SIGHUP reload.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::util::{read_records, sample_dump, wait_until, Daemon, Dirs};

const T: Duration = Duration::from_secs(60);

/// The series the issue asks for, by name (labels checked separately).
const SERIES: [&str; 12] = [
    "presswire_dumps_processed_total",
    "presswire_articles_processed_total",
    "presswire_failures_total{stage=\"decode\"}",
    "presswire_failures_total{stage=\"tag\"}",
    "presswire_quarantined_total",
    "presswire_stage_seconds_bucket{stage=\"tag\"",
    "presswire_dump_seconds_count",
    "presswire_queue_depth{stage=\"classify\"}",
    "presswire_inbox_backlog",
    "presswire_bytes_in_total",
    "presswire_bytes_out_total",
    "presswire_config_reloads_total{result=\"error\"}",
];

/// A plain HTTP/1.1 GET; returns the status code and body.
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap_or_else(|e| panic!("send: {e}"));
    let mut raw = String::new();
    s.read_to_string(&mut raw)
        .unwrap_or_else(|e| panic!("read: {e}"));
    let code = raw
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (code, body)
}

/// Starts the daemon with a metrics endpoint on a free port; returns it and the address.
fn start_with_metrics(dirs: &Dirs, extra: &[&str]) -> (Daemon, String) {
    let mut args = vec!["--metrics-addr", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let mut d = Daemon::start(dirs, &args);
    let line = d.wait_log("metrics endpoint listening", T);
    let at = line
        .find("127.0.0.1:")
        .unwrap_or_else(|| panic!("no address in {line}"));
    let port: String = line[at + 10..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (d, format!("127.0.0.1:{port}"))
}

/// The value of an unlabelled series in a scrape.
fn value(scrape: &str, name: &str) -> Option<f64> {
    scrape
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

#[test]
fn metrics_lists_every_series_at_zero_before_any_input_then_counts() {
    let dirs = Dirs::new();
    let (daemon, addr) = start_with_metrics(&dirs, &[]);
    let (code, scrape) = get(&addr, "/metrics");
    assert_eq!(code, 200);
    for s in SERIES {
        assert!(
            scrape.contains(s),
            "{s} missing before any input:\n{scrape}"
        );
    }
    assert_eq!(value(&scrape, "presswire_dumps_processed_total"), Some(0.0));
    assert_eq!(value(&scrape, "presswire_ready"), Some(1.0));
    assert!(
        scrape.contains("# TYPE presswire_stage_seconds histogram"),
        "latencies are histograms"
    );

    dirs.drop_file("page.txt", &sample_dump());
    wait_until(dirs.root.path(), T, "output", || dirs.outputs().len() == 1);
    let articles = read_records(&dirs.outputs()[0]).len() as f64;
    // The INFO line is written after the counters are bumped: it is the event to wait for.
    let mut daemon = daemon;
    daemon.wait_log("processed", T);
    let scrape = get(&addr, "/metrics").1;
    assert_eq!(value(&scrape, "presswire_dumps_processed_total"), Some(1.0));
    assert_eq!(
        value(&scrape, "presswire_articles_processed_total"),
        Some(articles)
    );
    assert_eq!(
        value(&scrape, "presswire_bytes_in_total"),
        Some(sample_dump().len() as f64)
    );
    assert_eq!(value(&scrape, "presswire_dump_seconds_count"), Some(1.0));
    assert_eq!(get(&addr, "/nope").0, 404);
    let (status, _) = daemon.stop(T);
    assert!(status.success());
}

#[test]
fn healthz_is_503_when_the_outbox_is_unwritable_and_while_draining() {
    let dirs = Dirs::new();
    let config = dirs.root.path().join("presswire.toml");
    std::fs::write(&config, "shutdown_timeout = \"3s\"\n").unwrap_or_default();
    let (mut daemon, addr) =
        start_with_metrics(&dirs, &["--config", config.to_str().unwrap_or_default()]);
    assert_eq!(get(&addr, "/healthz"), (200, "ok\n".to_string()));

    // A plain file where the outbox folder was: unwritable even for root.
    std::fs::remove_dir_all(&dirs.outbox).unwrap_or_default();
    std::fs::write(&dirs.outbox, b"not a folder").unwrap_or_default();
    let (code, body) = get(&addr, "/healthz");
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("not writable"), "{body}");

    // A dump now waits in the sink, retrying; SIGTERM drains (up to shutdown_timeout).
    dirs.drop_file("page.txt", &sample_dump());
    daemon.wait_log("cannot write output yet", T);
    daemon.signal("TERM");
    daemon.wait_log("shutting down", T);
    let (code, body) = get(&addr, "/healthz");
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("draining"), "{body}");
    let status = daemon.wait_exit(T);
    assert!(status.success(), "{status}");
    assert!(
        dirs.inbox.join("page.txt").exists(),
        "the unwritten dump stays in the inbox"
    );
}

#[test]
fn sighup_with_a_bad_config_keeps_running_and_a_good_one_applies() {
    let dirs = Dirs::new();
    let config = dirs.root.path().join("presswire.toml");
    std::fs::write(&config, "[tag]\nkeywords = 8\n").unwrap_or_default();
    let path = config.to_str().unwrap_or_default().to_string();
    let (mut daemon, addr) = start_with_metrics(&dirs, &["--config", &path]);

    std::fs::write(&config, "[tag]\nkeywords = \"many\"\n").unwrap_or_default();
    daemon.signal("HUP");
    daemon.wait_log("configuration reload failed", T);
    dirs.drop_file("a.txt", &sample_dump());
    wait_until(dirs.root.path(), T, "first output", || {
        dirs.outputs().len() == 1
    });
    let before = read_records(&dirs.outputs()[0]);
    let most = |records: &[serde_json::Value]| {
        records
            .iter()
            .map(|r| r["keywords"].as_array().map_or(0, Vec::len))
            .max()
            .unwrap_or(0)
    };
    assert!(
        most(&before) > 2,
        "the old config (8 keywords) still applies"
    );
    assert!(get(&addr, "/metrics")
        .1
        .contains("presswire_config_reloads_total{result=\"error\"} 1"));

    std::fs::write(&config, "[tag]\nkeywords = 2\n").unwrap_or_default();
    daemon.signal("HUP");
    daemon.wait_log("configuration reloaded", T);
    let base = String::from_utf8(sample_dump()).unwrap_or_default();
    dirs.drop_file("b.txt", format!("{base}\n附加一段。\n").as_bytes());
    wait_until(dirs.root.path(), T, "second output", || {
        dirs.outputs().len() == 2
    });
    let after: Vec<serde_json::Value> = dirs
        .outputs()
        .iter()
        .flat_map(|p| read_records(p))
        .filter(|r| r["source"]["file"] == "b.txt")
        .collect();
    assert!(!after.is_empty());
    assert!(
        most(&after) <= 2,
        "the reloaded config (2 keywords) applies"
    );
    let (status, _) = daemon.stop(T);
    assert!(status.success());
}
