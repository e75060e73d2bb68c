//! `presswire run --submit-to URL` (or `[source] kind = "nats"`): the inbox daemon as a
//! submitter. It claims files exactly as the local daemon does, publishes each as a job, and
//! archives (or deletes) the file only once JetStream has acknowledged the job. A file that
//! cannot be read is quarantined; a publish that fails (server down, stream full) is retried
//! with backoff while the file stays in the inbox. It takes the daemon lock, so it never runs
//! beside another `presswire run` on the same inbox.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::cluster::submit::{Submitted, Submitter};
use crate::cluster::{pause, Queue};
use crate::config::{ArchiveMode, Config};
use crate::ledger::lock::DaemonLock;
use crate::sink::quarantine::{self, ErrorReport};
use crate::sink::{archive, Outbox};
use crate::source::inbox::{self, Claim, InFlight, InboxOptions};
use crate::work::{self, RecordOptions, Work};

/// Watches the inbox and enqueues every file until `shutdown` resolves, then finishes the
/// publishes in flight (at most `shutdown_timeout`).
///
/// # Errors
/// If the folders cannot be created or the inbox cannot be watched.
pub async fn run(
    config: Config,
    queue: Queue,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    crate::pipeline::create_inbox_folders(&config)?;
    // The local daemon's lock: one `presswire run` per inbox, submitting or processing.
    let _lock = DaemonLock::acquire(&config.inbox, &config.state_dir())?;
    let config = Arc::new(config);
    let submitter = Arc::new(Submitter::new(
        queue,
        Some(Outbox::new(config.outbox.clone(), true)),
    ));
    let cancel = CancellationToken::new();
    let (tx, rx) = mpsc::channel::<Claim>(config.channel_capacity);
    let watcher = tokio::spawn(inbox::watch(
        InboxOptions {
            dir: config.inbox.clone(),
            settle: config.settle,
            rescan_interval: config.rescan_interval,
        },
        InFlight::default(),
        tx,
        cancel.clone(),
    ));
    let jobs =
        futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) })
            .map({
                let (config, submitter, cancel) =
                    (config.clone(), submitter.clone(), cancel.clone());
                move |claim| {
                    let (config, submitter, cancel) =
                        (config.clone(), submitter.clone(), cancel.clone());
                    async move { relay_one(&config, &submitter, claim, &cancel).await }
                }
            })
            .buffer_unordered(config.max_in_flight);
    let drained = tokio::spawn(jobs.count());
    shutdown.await;
    tracing::info!("shutting down: finishing publishes in flight");
    cancel.cancel();
    match watcher.await {
        Ok(Err(e)) => return Err(e.into()),
        Err(e) => return Err(anyhow::anyhow!("inbox watcher task failed: {e}")),
        Ok(Ok(())) => {}
    }
    if tokio::time::timeout(config.shutdown_timeout, drained)
        .await
        .is_err()
    {
        tracing::warn!("shutdown timeout reached; unsent files stay in the inbox");
    }
    Ok(())
}

/// Reads, publishes and retires one claimed file.
async fn relay_one(
    config: &Config,
    submitter: &Submitter,
    claim: Claim,
    cancel: &CancellationToken,
) {
    let path = claim.path().to_path_buf();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let max = config.max_file_bytes;
    let (p, n) = (path.clone(), name.clone());
    let opts = RecordOptions {
        deterministic: config.deterministic,
        force: true,
    };
    let read = tokio::task::spawn_blocking(move || work::read_file(&p, &n, max, None, opts)).await;
    let (bytes, sha256) = match read {
        Ok(Work::Read { meta, bytes, .. }) => (bytes, meta.sha256),
        Ok(Work::Vanished) => return,
        Ok(Work::Failed(f)) => {
            let report = ErrorReport {
                file: name.clone(),
                sha256: f.sha256,
                stage: f.stage,
                code: f.code,
                reason: f.reason,
            };
            match quarantine::quarantine(&path, &config.quarantine_dir(), &report) {
                Ok(dest) => {
                    tracing::error!(file = %name, code = %report.code, reason = %report.reason, quarantined_to = %dest.display(), "input not submitted; moved to quarantine")
                }
                Err(e) => {
                    tracing::error!(file = %name, code = %report.code, error = %e, "input not submitted and could not be quarantined")
                }
            }
            return;
        }
        Ok(_) => return,
        Err(e) => {
            tracing::error!(file = %name, error = %e, "read task failed; the file stays in the inbox");
            return;
        }
    };
    let mut backoff = Duration::from_millis(200);
    loop {
        match submitter.submit(&name, bytes.clone(), sha256.clone()).await {
            Ok(outcome) => {
                match outcome {
                    Submitted::Queued { seq, via_object } => {
                        tracing::info!(file = %name, seq, via_object, "queued")
                    }
                    Submitted::Duplicate { seq } => {
                        tracing::info!(file = %name, seq, "already queued (same content within the duplicate window)")
                    }
                    Submitted::AlreadyDone => {
                        tracing::info!(file = %name, "output already in outbox; not queued")
                    }
                }
                retire(config, &path, &name);
                return;
            }
            Err(e) => {
                tracing::warn!(file = %name, error = %format!("{e:#}"), retry_in_ms = backoff.as_millis() as u64, "cannot queue yet; the file stays in the inbox");
                if cancel.is_cancelled() {
                    return;
                }
                pause(backoff, cancel).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
            }
        }
    }
}

/// Archives or deletes a file once its job is acknowledged.
fn retire(config: &Config, path: &Path, name: &str) {
    let result = match config.archive {
        ArchiveMode::Move => archive::move_into(path, &config.archive_dir()).map(|_| ()),
        ArchiveMode::Delete => std::fs::remove_file(path),
    };
    if let Err(e) = result {
        tracing::error!(file = %name, error = %e, "queued but not archived; it will be seen again and refused as a duplicate");
    }
}
