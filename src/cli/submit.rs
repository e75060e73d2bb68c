//! `presswire submit`: queue dumps as jobs; and `run --submit-to`, the inbox as a submitter.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;
use futures::StreamExt;
use presswire::cluster::submit::{Submitted, Submitter};
use presswire::cluster::{relay, Queue};
use presswire::sink::Outbox;
use presswire::source::inbox::is_ignored;
use presswire::source::read::{read_input, sha256_hex};
use presswire::Config;

use crate::cli::worker::drain_signal;
use crate::cli::{load_config, validated, SubmitArgs};

/// Publishes at most this many jobs at once, awaiting their acks.
const IN_FLIGHT: usize = 32;

/// Submits every input; returns the number that could not be queued.
///
/// # Errors
/// On an invalid config, an unreadable folder, or no connection to the server.
pub fn run(args: SubmitArgs) -> anyhow::Result<usize> {
    let config = validated(load_config(args.config.as_deref())?)?;
    let url = args.nats.unwrap_or_else(|| config.nats.url.clone());
    let inputs = expand(&args.paths)?;
    let rt = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    rt.block_on(async move {
        let queue = Queue::connect(&url, config.nats.clone(), "presswire-submit").await?;
        let submitter =
            Submitter::new(queue, args.outbox.map(|d| Outbox::new(d, true))).force(args.force);
        let max = config.max_file_bytes;
        let results: Vec<(String, anyhow::Result<Submitted>)> = futures::stream::iter(inputs)
            .map(|path| {
                let submitter = &submitter;
                async move {
                    let shown = path.display().to_string();
                    let outcome = async {
                        let (name, bytes) = tokio::task::spawn_blocking(move || load(&path, max))
                            .await
                            .context("read task failed")??;
                        let sha = sha256_hex(&bytes);
                        submitter.submit(&name, bytes, sha).await
                    }
                    .await;
                    (shown, outcome)
                }
            })
            .buffered(IN_FLIGHT)
            .collect()
            .await;
        let (mut queued, mut dup, mut done, mut failed) = (0, 0, 0, 0);
        for (path, r) in results {
            match r {
                Ok(Submitted::Queued { .. }) => queued += 1,
                Ok(Submitted::Duplicate { seq }) => {
                    dup += 1;
                    tracing::info!(file = %path, seq, "already queued: same content within the duplicate window");
                }
                Ok(Submitted::AlreadyDone) => {
                    done += 1;
                    tracing::info!(file = %path, "output already in outbox; not queued");
                }
                Err(e) => {
                    failed += 1;
                    tracing::error!(file = %path, error = %format!("{e:#}"), "not queued");
                }
            }
        }
        println!("queued {queued}, duplicate {dup}, already done {done}, failed {failed}");
        Ok(failed)
    })
}

/// Runs the inbox daemon as a submitter (`run --submit-to URL` or `[source] kind = "nats"`).
///
/// # Errors
/// If the server cannot be reached or the inbox cannot be watched.
pub fn run_relay(config: Config, url: Option<String>) -> anyhow::Result<()> {
    let url = url.unwrap_or_else(|| config.nats.url.clone());
    let rt = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    rt.block_on(async move {
        presswire::shutdown::ignore_hangups("relay").context("cannot install the SIGHUP handler")?;
        let queue = Queue::connect(&url, config.nats.clone(), "presswire-run-submitter").await?;
        tracing::info!(url = %url, stream = %config.nats.stream, "inbox files are queued on NATS, not processed here");
        relay::run(config, queue, drain_signal()).await
    })
}

/// Folders become their (non-ignored, regular) files in name order; `-` stays stdin.
fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("cannot list {}", p.display()))?
                .flatten()
                .filter(|e| !is_ignored(&e.file_name().to_string_lossy()))
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.path())
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Reads one input (or stdin for `-`): its name and bytes.
fn load(path: &Path, max_bytes: u64) -> anyhow::Result<(String, Vec<u8>)> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(max_bytes + 1)
            .read_to_end(&mut bytes)
            .context("cannot read stdin")?;
        if bytes.len() as u64 > max_bytes {
            anyhow::bail!("stdin is over max_file_bytes = {max_bytes}");
        }
        return Ok(("-".into(), bytes));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let input =
        read_input(path, max_bytes).with_context(|| format!("cannot read {}", path.display()))?;
    Ok((name, input.bytes))
}
