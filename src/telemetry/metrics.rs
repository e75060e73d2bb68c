//! The Prometheus recorder and the catalogue of every `presswire_*` series.
//!
//! [`install`] sets `metrics-exporter-prometheus` as the global recorder and registers every
//! series at zero, so a scrape before the first dump already lists them all (dashboards and
//! alerts never see "no data"). The values are updated by [`super::events`], the pipeline and
//! the inbox watcher through the `metrics` macros; without `--metrics-addr` no recorder is
//! installed and those macros cost nothing.

use std::time::Duration;

use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::stages::Stage;

/// Every stage label of `presswire_failures_total`.
pub const FAILURE_STAGES: [Stage; 7] = [
    Stage::Read,
    Stage::Decode,
    Stage::Split,
    Stage::Clean,
    Stage::Tag,
    Stage::Classify,
    Stage::Write,
];

/// The pipeline stages that report latency and queue depth.
pub const PIPELINE_STAGES: [Stage; 4] = [Stage::Split, Stage::Clean, Stage::Tag, Stage::Classify];

/// Counters: name, help.
pub const COUNTERS: [(&str, &str); 8] = [
    (
        "presswire_dumps_processed_total",
        "Inputs processed and written to the outbox.",
    ),
    (
        "presswire_articles_processed_total",
        "Articles written to the outbox.",
    ),
    ("presswire_bytes_in_total", "Input bytes processed."),
    (
        "presswire_bytes_out_total",
        "Output bytes written to the outbox.",
    ),
    (
        "presswire_duplicates_total",
        "Inputs whose output already existed (archived unprocessed).",
    ),
    ("presswire_quarantined_total", "Inputs moved to quarantine."),
    (
        "presswire_sink_retries_total",
        "Outbox writes that failed and will be retried.",
    ),
    (
        "presswire_config_reloads_total",
        "SIGHUP configuration reloads, by result.",
    ),
];

/// Gauges: name, help.
pub const GAUGES: [(&str, &str); 4] = [
    (
        "presswire_inbox_backlog",
        "Files seen in the inbox and not yet finished.",
    ),
    (
        "presswire_queue_depth",
        "Jobs waiting in the channel after each stage.",
    ),
    (
        "presswire_ready",
        "1 while the daemon is running and healthy, else 0.",
    ),
    (
        "presswire_draining",
        "1 while shutting down (finishing in-flight dumps).",
    ),
];

/// Histogram buckets for latencies, in seconds: 1 ms to 1 min.
const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0, 60.0,
];

/// Installs the global recorder and registers every series at zero. Call once, early.
///
/// # Errors
/// If a recorder is already installed or the buckets are rejected.
pub fn install() -> anyhow::Result<PrometheusHandle> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &LATENCY_BUCKETS)?
        .install_recorder()?;
    register_all();
    Ok(handle)
}

/// Describes and zero-initialises every `presswire_*` series.
pub fn register_all() {
    for (name, help) in COUNTERS {
        let unit = if name.starts_with("presswire_bytes") {
            Unit::Bytes
        } else {
            Unit::Count
        };
        describe_counter!(name, unit, help);
    }
    for (name, help) in GAUGES {
        describe_gauge!(name, help);
    }
    describe_counter!(
        "presswire_failures_total",
        Unit::Count,
        "Failures by stage (quarantined inputs and skipped JSONL lines)."
    );
    describe_histogram!(
        "presswire_stage_seconds",
        Unit::Seconds,
        "Time one input spends in a stage."
    );
    describe_histogram!(
        "presswire_dump_seconds",
        Unit::Seconds,
        "Time from claiming an input to its output being durable."
    );

    for (name, _) in COUNTERS {
        if name == "presswire_config_reloads_total" {
            for result in ["ok", "error"] {
                metrics::counter!(name, "result" => result).increment(0);
            }
        } else {
            metrics::counter!(name).increment(0);
        }
    }
    for stage in FAILURE_STAGES {
        metrics::counter!("presswire_failures_total", "stage" => stage.as_str()).increment(0);
    }
    metrics::gauge!("presswire_inbox_backlog").set(0.0);
    metrics::gauge!("presswire_ready").set(0.0);
    metrics::gauge!("presswire_draining").set(0.0);
    for stage in PIPELINE_STAGES {
        metrics::gauge!("presswire_queue_depth", "stage" => stage.as_str()).set(0.0);
        // Registering the handle creates the series (empty buckets, count 0).
        let _ = metrics::histogram!("presswire_stage_seconds", "stage" => stage.as_str());
    }
    let _ = metrics::histogram!("presswire_dump_seconds");
}

/// Drains histogram windows periodically, as the exporter requires when installed without
/// its own listener. Runs until the runtime stops.
pub async fn upkeep(handle: PrometheusHandle) {
    loop {
        tokio::time::sleep(Duration::from_secs(5)).await;
        handle.run_upkeep();
    }
}
