//! `presswire run`: the daemon.

use std::sync::Arc;

use anyhow::Context;
use presswire::pipeline::{self, Stopped};
use presswire::shutdown;

use crate::cli::{load_config, validated, LogFlags, RunArgs};

/// Runs the daemon until a signal, then drains. A second signal exits at once.
///
/// # Errors
/// On an invalid config, unloadable models, or an inbox that cannot be watched.
pub fn run(args: RunArgs, log: &LogFlags) -> anyhow::Result<()> {
    let mut config = load_config(args.config.as_deref())?;
    if let Some(i) = args.inbox {
        config.inbox = i;
    }
    if let Some(o) = args.outbox {
        config.outbox = o;
    }
    config.deterministic |= args.deterministic;
    if let Some(m) = args.model {
        config.classify.model = Some(m);
    }
    let config = validated(config)?;
    log.init(&config.log);
    if args.submit_to.is_some() || config.source.kind == presswire::cluster::SourceKind::Nats {
        return crate::cli::submit::run_relay(config, args.submit_to);
    }
    let rt = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    rt.block_on(async move {
        let models = Arc::new(tokio::task::spawn_blocking({
            let c = config.clone();
            move || presswire::models::load(&c)
        })
        .await
        .context("model loading task failed")??);
        let shutdown = async {
            match shutdown::first_signal().await {
                Ok(_) => {
                    // A second signal while draining means "quit now": outputs are atomic and
                    // inputs leave the inbox only after their output, so nothing is lost.
                    tokio::spawn(async {
                        if shutdown::second_signal().await.is_ok() {
                            tracing::warn!("second signal: exiting without waiting for in-flight dumps");
                            std::process::exit(130);
                        }
                    });
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot install signal handlers; stop with SIGKILL");
                    std::future::pending::<()>().await;
                }
            }
        };
        let options = pipeline::RunOptions { force: args.force };
        let stopped = pipeline::run_with(config, models, options, shutdown).await?;
        if stopped == Stopped::TimedOut {
            tracing::warn!("exited before every in-flight dump finished");
        }
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(())
}
