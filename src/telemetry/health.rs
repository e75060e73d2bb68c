//! Process health for `/healthz`: running, draining, and whether the outbox takes writes.
//!
//! The state is process-wide (like the metrics recorder) and flipped by the events that
//! observe it ([`super::events`]): ready at start-up, draining on SIGTERM, outbox failing
//! on a write that must be retried and healthy again on the next successful write. A health
//! check also probes the outbox directly, so an unwritable outbox is seen even when idle.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

static READY: AtomicBool = AtomicBool::new(false);
static DRAINING: AtomicBool = AtomicBool::new(false);
static SINK_FAILING: AtomicBool = AtomicBool::new(false);

/// Name of the probe file created and removed in the outbox by a health check. Dot-prefixed
/// and `.tmp`, so no `*.jsonl` reader ever sees it.
pub const PROBE: &str = ".presswire-healthz.tmp";

/// The watcher is running.
pub fn set_ready() {
    READY.store(true, Ordering::SeqCst);
    gauges();
}

/// Shutdown started: no new inputs are taken.
pub fn set_draining() {
    DRAINING.store(true, Ordering::SeqCst);
    gauges();
}

/// An outbox write failed and will be retried.
pub fn sink_failed() {
    SINK_FAILING.store(true, Ordering::SeqCst);
    gauges();
}

/// An outbox write succeeded.
pub fn sink_ok() {
    if SINK_FAILING.swap(false, Ordering::SeqCst) {
        gauges();
    }
}

fn gauges() {
    let ready = READY.load(Ordering::SeqCst)
        && !DRAINING.load(Ordering::SeqCst)
        && !SINK_FAILING.load(Ordering::SeqCst);
    metrics::gauge!("presswire_ready").set(if ready { 1.0 } else { 0.0 });
    metrics::gauge!("presswire_draining").set(if DRAINING.load(Ordering::SeqCst) {
        1.0
    } else {
        0.0
    });
}

/// The answer to a health check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Serve 200 (true) or 503 (false).
    pub healthy: bool,
    /// One line for people: `ok`, or what is wrong and what to do.
    pub detail: String,
}

/// Checks the state and probes `outbox` by creating and removing [`PROBE`] in it.
pub fn check(outbox: &Path) -> Status {
    let bad = |detail: String| Status {
        healthy: false,
        detail,
    };
    if DRAINING.load(Ordering::SeqCst) {
        return bad("draining: finishing in-flight dumps before exit".into());
    }
    if !READY.load(Ordering::SeqCst) {
        return bad("starting: loading models and scanning the inbox".into());
    }
    let probe = outbox.join(PROBE);
    if let Err(e) = std::fs::write(&probe, b"").and_then(|()| std::fs::remove_file(&probe)) {
        return bad(format!(
            "outbox {} is not writable ({e}); fix its permissions or free space",
            outbox.display()
        ));
    }
    if SINK_FAILING.load(Ordering::SeqCst) {
        return bad("the last outbox write failed and is being retried; see the WARN log".into());
    }
    Status {
        healthy: true,
        detail: "ok".into(),
    }
}
