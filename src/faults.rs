//! **Test seam**: named crash points and injected faults, so the reliability tests can hit
//! exact moments ("between output rename and input archive") and faults that cannot happen
//! for real on a test machine (permissions when running as root, a full disk, inotify overflow).
//!
//! Everything here is inert unless one of these environment variables is set; the daemon logs
//! a warning at start-up when any is. Operators never need them.
//!
//! - `PRESSWIRE_CRASH_AT=<point>[@<n>]`: the process kills itself with SIGKILL the `n`-th time
//!   (default first) it reaches the named [`crash_point`]. Points are listed in [`POINTS`].
//! - `PRESSWIRE_TRACE_POINTS=<file>`: append each crash point's name to `file` as it is passed,
//!   so a test that kills the daemon at a random moment can tell which point it passed last.
//! - `PRESSWIRE_FAULTS=<fault>=<arg>;...`: inject faults. `<arg>` is a file-name substring for
//!   per-file faults, a count for counted ones:
//!   - `read.permission_denied=<substr>`: opening the input fails with EACCES;
//!   - `read.truncate=<substr>`: the input is truncated to half after it is opened, before it
//!     is read (a writer truncating it mid-read);
//!   - `read.delete=<substr>`: the input is unlinked after it is opened, before it is read;
//!   - `panic.<stage>=<substr>`: the `split`, `clean`, `tag` or `classify` step panics;
//!   - `kill.<stage>=<substr>`: the process dies (SIGKILL) in that step on that file, as it
//!     would on a stack overflow or an abort: a "poison" input;
//!   - `outbox.full=<n>`: the first `n` outbox writes fail with ENOSPC;
//!   - `watch.overflow=1`: every notify event is dropped and reported as a queue overflow
//!     (what the kernel does when the inotify queue fills);
//!   - `watch.unavailable=1`: the notify watcher cannot be created (inotify limits reached).

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

/// Every named crash point, in the order a dump passes them.
pub const POINTS: &[&str] = &[
    "read.after_open",
    "stage.split",
    "stage.clean",
    "stage.tag",
    "stage.classify",
    "outbox.mid_write",
    "outbox.before_rename",
    "outbox.after_rename",
    "ledger.before_done",
    "ledger.after_done",
    "archive.after_move",
    "ledger.after_failed",
    "quarantine.after_report",
    "quarantine.after_move",
];

/// The parsed seam configuration.
#[derive(Debug, Default)]
struct Faults {
    crash_at: Option<(String, u64)>,
    passed: AtomicU64,
    trace: Option<Mutex<std::fs::File>>,
    rules: HashMap<String, String>,
    counters: Mutex<HashMap<String, u64>>,
}

fn faults() -> &'static Faults {
    static F: OnceLock<Faults> = OnceLock::new();
    F.get_or_init(|| Faults::from_env(|k| std::env::var(k).ok()))
}

impl Faults {
    fn from_env(var: impl Fn(&str) -> Option<String>) -> Faults {
        let crash_at = var("PRESSWIRE_CRASH_AT").map(|s| match s.split_once('@') {
            Some((p, n)) => (p.to_string(), n.parse().unwrap_or(1)),
            None => (s, 1),
        });
        let trace = var("PRESSWIRE_TRACE_POINTS").and_then(|p| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .ok()
                .map(Mutex::new)
        });
        let rules: HashMap<String, String> = var("PRESSWIRE_FAULTS")
            .unwrap_or_default()
            .split(';')
            .filter_map(|r| r.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.to_string()))
            .collect();
        let counters = rules
            .iter()
            .filter_map(|(k, v)| v.parse::<u64>().ok().map(|n| (k.clone(), n)))
            .collect();
        Faults {
            crash_at,
            passed: AtomicU64::new(0),
            trace,
            rules,
            counters: Mutex::new(counters),
        }
    }
}

/// Describes the active seam settings, or `None` when the seam is inert (the normal case).
pub fn describe() -> Option<String> {
    let f = faults();
    if f.crash_at.is_none() && f.trace.is_none() && f.rules.is_empty() {
        return None;
    }
    let mut rules: Vec<_> = f.rules.iter().map(|(k, v)| format!("{k}={v}")).collect();
    rules.sort();
    Some(format!(
        "crash_at={:?} trace={} faults=[{}]",
        f.crash_at,
        f.trace.is_some(),
        rules.join(";")
    ))
}

/// Are crash points observed (a crash or a trace is configured)?
pub fn armed() -> bool {
    let f = faults();
    f.crash_at.is_some() || f.trace.is_some()
}

/// Marks a named moment; kills the process there when `PRESSWIRE_CRASH_AT` names it.
pub fn crash_point(name: &'static str) {
    let f = faults();
    if let Some(trace) = &f.trace {
        let mut file = trace.lock().unwrap_or_else(|p| p.into_inner());
        let _ = writeln!(file, "{name}");
    }
    if let Some((point, n)) = &f.crash_at {
        if point == name && f.passed.fetch_add(1, Ordering::SeqCst) + 1 == *n {
            die(name);
        }
    }
}

/// Is the per-file fault `fault` configured for a file named `file`?
pub fn hits(fault: &str, file: &str) -> bool {
    faults()
        .rules
        .get(fault)
        .is_some_and(|pat| !pat.is_empty() && file.contains(pat.as_str()))
}

/// Consumes one use of the counted fault `fault`; true while uses remain.
pub fn take(fault: &str) -> bool {
    let f = faults();
    let mut counters = f.counters.lock().unwrap_or_else(|p| p.into_inner());
    match counters.get_mut(fault) {
        Some(n) if *n > 0 => {
            *n -= 1;
            true
        }
        _ => false,
    }
}

/// Is the switch-like fault `fault` on (any non-zero count)?
pub fn on(fault: &str) -> bool {
    faults()
        .rules
        .get(fault)
        .is_some_and(|v| v.parse::<u64>().is_ok_and(|n| n > 0))
}

/// Kills the process now (SIGKILL), for the `kill.<stage>` poison-input fault.
pub fn kill_now(why: &str) -> ! {
    die(why)
}

/// Dies the way `kill -9` kills: SIGKILL, no unwinding, no destructors, no buffered writes.
fn die(point: &str) -> ! {
    eprintln!("presswire: test seam: killing the process at {point} (PRESSWIRE_CRASH_AT / PRESSWIRE_FAULTS)");
    let pid = std::process::id().to_string();
    // `kill` runs in a child while this thread waits; the signal ends us before `status` returns.
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &pid])
        .status();
    std::process::abort()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules_and_counts() {
        let f = Faults::from_env(|k| match k {
            "PRESSWIRE_CRASH_AT" => Some("outbox.after_rename@3".into()),
            "PRESSWIRE_FAULTS" => Some("read.truncate=shrink;outbox.full=2".into()),
            _ => None,
        });
        assert_eq!(f.crash_at, Some(("outbox.after_rename".into(), 3)));
        assert_eq!(
            f.rules.get("read.truncate").map(String::as_str),
            Some("shrink")
        );
        let counters = f.counters.lock().map(|c| c.get("outbox.full").copied());
        assert_eq!(counters.ok().flatten(), Some(2));
    }

    #[test]
    fn inert_without_environment() {
        let f = Faults::from_env(|_| None);
        assert!(f.crash_at.is_none() && f.rules.is_empty() && f.trace.is_none());
    }
}
