//! `presswire run`: the daemon.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use presswire::models::SharedModels;
use presswire::pipeline::{self, Stopped};
use presswire::telemetry::{events, http, metrics};
use presswire::{shutdown, Config};

use crate::cli::{load_config, validated, LogFlags, RunArgs};

/// The command-line overrides of `run`, re-applied on every reload.
#[derive(Debug, Clone)]
struct Overrides {
    inbox: Option<PathBuf>,
    outbox: Option<PathBuf>,
    deterministic: bool,
    model: Option<PathBuf>,
}

impl Overrides {
    fn apply(&self, mut config: Config) -> anyhow::Result<Config> {
        if let Some(i) = &self.inbox {
            config.inbox = i.clone();
        }
        if let Some(o) = &self.outbox {
            config.outbox = o.clone();
        }
        config.deterministic |= self.deterministic;
        if let Some(m) = &self.model {
            config.classify.model = Some(m.clone());
        }
        validated(config)
    }
}

/// Runs the daemon until a signal, then drains. A second signal exits at once; SIGHUP
/// reloads the config file.
///
/// # Errors
/// On an invalid config, unloadable models, an unusable metrics address, or an inbox that
/// cannot be watched.
pub fn run(args: RunArgs, log: &LogFlags) -> anyhow::Result<()> {
    let overrides = Overrides {
        inbox: args.inbox,
        outbox: args.outbox,
        deterministic: args.deterministic,
        model: args.model,
    };
    let config = overrides.apply(load_config(args.config.as_deref())?)?;
    log.init(&config.log);
    if args.submit_to.is_some() || config.source.kind == presswire::cluster::SourceKind::Nats {
        return crate::cli::submit::run_relay(config, args.submit_to);
    }
    let rt = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    rt.block_on(async move {
        // Before anything slow: SIGHUP must not kill a starting daemon, and /healthz should
        // answer "starting" while the models load.
        let hangups = shutdown::hangups().context("cannot install the SIGHUP handler")?;
        if let Some(addr) = args.metrics_addr {
            let listener = http::bind(addr, args.metrics_allow_remote).await?;
            let handle = metrics::install().context("cannot install the metrics recorder")?;
            let local = listener.local_addr().map_or_else(|_| addr.to_string(), |a| a.to_string());
            tokio::spawn(metrics::upkeep(handle.clone()));
            tokio::spawn(http::serve(listener, handle, config.outbox.clone()));
            events::metrics_listening(&local);
        }
        let models = SharedModels::new(Arc::new(
            tokio::task::spawn_blocking({
                let c = config.clone();
                move || presswire::models::load(&c)
            })
            .await
            .context("model loading task failed")??,
        ));
        tokio::spawn(reload_on_hangup(
            hangups,
            args.config.clone(),
            overrides,
            config.clone(),
            models.clone(),
        ));
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

/// On each SIGHUP: re-read the config file, validate it, rebuild the models and swap them in;
/// on any error keep the running ones. Folder and worker settings need a restart.
async fn reload_on_hangup(
    mut hangups: tokio::signal::unix::Signal,
    path: Option<PathBuf>,
    overrides: Overrides,
    running: Config,
    models: SharedModels,
) {
    while hangups.recv().await.is_some() {
        let Some(path) = path.clone() else {
            events::config_reload_skipped();
            continue;
        };
        let shown = path.display().to_string();
        let o = overrides.clone();
        let loaded = tokio::task::spawn_blocking(move || load_models(&path, &o))
            .await
            .map_err(|e| anyhow::anyhow!("reload task failed: {e}"))
            .and_then(|r| r);
        match loaded {
            Ok((config, new_models)) => {
                models.replace(Arc::new(new_models));
                let mut rest = config;
                rest.tag = running.tag.clone();
                rest.classify = running.classify.clone();
                events::config_reloaded(&shown, rest != running);
            }
            Err(e) => events::config_reload_failed(&shown, &format!("{e:#}")),
        }
    }
}

fn load_models(path: &Path, o: &Overrides) -> anyhow::Result<(Config, presswire::stages::Models)> {
    let config = o.apply(Config::from_file(path)?)?;
    let models = presswire::models::load(&config)?;
    Ok((config, models))
}
