//! Every operational event presswire reports, one function each: the function writes the
//! log line and bumps the matching `presswire_*` metrics, so logs and metrics never disagree.

use std::collections::BTreeMap;
use std::time::Duration;

use tracing::{debug, error, info, warn};

/// The inbox watcher is running and has done its start-up scan.
pub fn ready() {
    super::health::set_ready();
    info!("inbox watcher ready");
}

/// The filesystem watcher reported a problem; rescans keep discovery going.
pub fn watch_error(detail: &str) {
    warn!(
        detail,
        "inbox watcher problem; periodic rescans continue to find files (if it repeats, raise fs.inotify.max_user_watches or check the inbox folder)"
    );
}

/// A full rescan was triggered by something other than the timer.
pub fn rescan(reason: &str) {
    debug!(reason, "rescanning inbox");
}

/// A dump was processed and its output is durable.
pub fn dump_done(
    file: &str,
    sha256: &str,
    articles: usize,
    categories: &BTreeMap<String, usize>,
    bytes_in: usize,
    bytes_out: u64,
    took: Duration,
) {
    let cats = categories
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    // Metrics first, then the line: whoever sees the line sees the counters updated.
    super::health::sink_ok();
    metrics::counter!("presswire_dumps_processed_total").increment(1);
    metrics::counter!("presswire_articles_processed_total").increment(articles as u64);
    metrics::counter!("presswire_bytes_in_total").increment(bytes_in as u64);
    metrics::counter!("presswire_bytes_out_total").increment(bytes_out);
    metrics::histogram!("presswire_dump_seconds").record(took.as_secs_f64());
    info!(
        file,
        hash = crate::stages::short_hash(sha256),
        articles,
        categories = %cats,
        ms = took.as_millis() as u64,
        "processed"
    );
}

/// Content already processed (ledger or outbox holds it): the input was archived unprocessed.
pub fn dump_duplicate(file: &str, sha256: &str) {
    info!(
        file,
        hash = crate::stages::short_hash(sha256),
        "duplicate content, output already in outbox; archived without reprocessing"
    );
    metrics::counter!("presswire_duplicates_total").increment(1);
}

/// The output was already in the outbox from a run that stopped before recording it (a crash
/// between the output rename and the ledger): recorded now, input archived, nothing recomputed.
pub fn dump_recovered(file: &str, sha256: &str) {
    info!(
        file,
        hash = crate::stages::short_hash(sha256),
        "output found from an interrupted run; recorded and archived without reprocessing"
    );
    metrics::counter!("presswire_recovered_total").increment(1);
}

/// An input was in flight each of the last `max_attempts` times the daemon died: it now runs
/// with nothing else in flight, to tell whether it is the cause.
pub fn isolating(file: &str, max_attempts: u32) {
    warn!(
        file,
        max_attempts,
        "the daemon died while this input was in flight; processing it alone to find out whether it is the cause"
    );
}

/// A dump failed and was quarantined.
pub fn dump_quarantined(file: &str, stage: &str, code: &str, reason: &str, dest: &str) {
    error!(file, stage, code, reason, quarantined_to = dest, "input failed; moved to quarantine with an .error.json beside it (fix it and move it back into the inbox to retry)");
    metrics::counter!("presswire_quarantined_total").increment(1);
    metrics::counter!("presswire_failures_total", "stage" => stage.to_string()).increment(1);
}

/// A JSONL input had unusable lines; the rest were processed.
pub fn jsonl_bad_lines(file: &str, lines: usize, report: &str) {
    warn!(
        file,
        bad_lines = lines,
        report,
        "some JSONL lines were skipped; see the report for line numbers and reasons"
    );
    metrics::counter!("presswire_failures_total", "stage" => "read").increment(lines as u64);
}

/// The file vanished before it could be read; nothing to do.
pub fn dump_vanished(file: &str) {
    debug!(file, "file disappeared before it was read; skipped");
}

/// A sink step failed in a way that may heal (disk full, read-only outbox): retried later.
pub fn sink_retry(file: &str, error: &str, retry_in: Duration) {
    super::health::sink_failed();
    warn!(file, error, retry_in_ms = retry_in.as_millis() as u64, "cannot write output yet; the input stays in the inbox and will be retried (check outbox space and permissions)");
    metrics::counter!("presswire_sink_retries_total").increment(1);
}

/// The input could not be archived after its output was written.
pub fn archive_failed(file: &str, error: &str) {
    error!(file, error, "output written but the input could not be archived (check permissions and space of archive_dir); it stays in the inbox and will be skipped as a duplicate");
}

/// Time spent in one stage for one dump.
pub fn stage_latency(stage: &'static str, took: Duration) {
    metrics::histogram!("presswire_stage_seconds", "stage" => stage).record(took.as_secs_f64());
}

/// Draining started: no new inputs are taken.
pub fn draining(in_flight: usize, timeout: Duration) {
    super::health::set_draining();
    info!(
        in_flight,
        timeout_ms = timeout.as_millis() as u64,
        "shutting down: finishing in-flight dumps"
    );
}

/// Drain finished or timed out.
pub fn stopped(clean: bool) {
    if clean {
        info!("stopped cleanly");
    } else {
        warn!("shutdown timeout reached; unfinished inputs stay in the inbox and are picked up at the next start");
    }
}

/// SIGHUP: the configuration file was re-read and the new models are in use.
pub fn config_reloaded(path: &str, restart_needed: bool) {
    if restart_needed {
        warn!(path, "configuration reloaded: [tag] and [classify] now apply to new dumps; other changed settings (folders, workers, timeouts, log) take effect only after a restart");
    } else {
        info!(path, "configuration reloaded; new dumps use it");
    }
    metrics::counter!("presswire_config_reloads_total", "result" => "ok").increment(1);
}

/// SIGHUP: the new configuration was rejected; the running one stays.
pub fn config_reload_failed(path: &str, error: &str) {
    error!(path, error, "configuration reload failed; still running with the previous configuration (fix the file, check it with `presswire check-config FILE`, then send SIGHUP again)");
    metrics::counter!("presswire_config_reloads_total", "result" => "error").increment(1);
}

/// SIGHUP without `--config`: the built-in defaults cannot change.
pub fn config_reload_skipped() {
    info!("SIGHUP ignored: started without --config, so there is no file to reload");
}

/// The metrics and health endpoint is listening.
pub fn metrics_listening(addr: &str) {
    info!(
        addr,
        "metrics endpoint listening: /metrics (Prometheus text) and /healthz"
    );
}
