//! `presswire worker`: process jobs from the NATS work queue.

use std::sync::Arc;

use anyhow::Context;
use presswire::cluster::worker::{self, WorkerOptions};
use presswire::cluster::Queue;
use presswire::work::RecordOptions;

use crate::cli::{load_config, validated, WorkerArgs};

/// Runs a worker until SIGTERM/SIGINT, then finishes (or releases) its running jobs.
///
/// # Errors
/// On an invalid config, unloadable models, or no connection to the server.
pub fn run(args: WorkerArgs) -> anyhow::Result<()> {
    let mut config = load_config(args.config.as_deref())?;
    config.deterministic |= args.deterministic;
    if let Some(c) = args.concurrency {
        config.nats.concurrency = c;
    }
    let config = validated(config)?;
    if args.outbox.is_none() && args.publish_subject.is_none() {
        anyhow::bail!("nowhere to put results: give --outbox DIR and/or --publish-subject S");
    }
    if let Some(s) = &args.publish_subject {
        if !presswire::cluster::config::is_literal_subject(s) {
            anyhow::bail!(
                "--publish-subject {s:?} must be a literal subject such as presswire.articles"
            );
        }
    }
    let url = args.nats.unwrap_or_else(|| config.nats.url.clone());
    let models = Arc::new(presswire::models::load(&config)?);
    let opts = WorkerOptions {
        outbox: args.outbox,
        publish_subject: args.publish_subject,
        concurrency: if config.nats.concurrency > 0 {
            config.nats.concurrency
        } else {
            config.workers()
        },
        max_file_bytes: config.max_file_bytes,
        record: RecordOptions {
            deterministic: config.deterministic,
            force: false,
        },
        shutdown_timeout: config.shutdown_timeout,
    };
    let rt = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    rt.block_on(async move {
        presswire::shutdown::ignore_hangups("worker")
            .context("cannot install the SIGHUP handler")?;
        let queue = Queue::connect(&url, config.nats.clone(), "presswire-worker").await?;
        worker::run(queue, models, opts, drain_signal()).await?;
        Ok(())
    })
}

/// Resolves on the first SIGTERM/SIGINT; a second one exits at once (jobs not acked are
/// redelivered to other workers after `ack_wait`, and outputs are atomic). The same signal
/// streams serve both, so the first signal is never mistaken for the second.
pub async fn drain_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let streams = signal(SignalKind::terminate())
        .and_then(|t| signal(SignalKind::interrupt()).map(|i| (t, i)));
    let (mut term, mut int) = match streams {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot install signal handlers; stop with SIGKILL");
            return std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    tokio::spawn(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        tracing::warn!("second signal: exiting without waiting for running jobs");
        std::process::exit(130);
    });
}
