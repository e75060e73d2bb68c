//! The async wiring, and the only module that spawns tasks or makes channels.
//!
//! ```text
//! inbox watcher ─▶ gate ─▶ split ─▶ clean ─▶ tag ─▶ classify ─▶ sink (outbox, archive, quarantine)
//! ```
//! Each arrow is a bounded channel; a semaphore caps inputs in flight. Each stage task runs its
//! synchronous core from [`crate::work`] under `spawn_blocking`, up to `workers` inputs at once
//! and in order, so a big dump never stalls the watcher. A panic in a core is caught and turns
//! the input into a quarantined failure. Shutdown: cancel the watcher; each stage finishes
//! what it holds and closes its output when its input closes; the sink drains last.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::{ArchiveMode, Config};
use crate::models::SharedModels;
use crate::sink::quarantine::{self, ErrorReport};
use crate::sink::{archive, outbox::OutboxError, Outbox};
use crate::source::inbox::{self, Claim, InFlight, InboxOptions};
use crate::stages::Stage;
use crate::telemetry::events;
use crate::work::{self, Failure, RecordOptions, Work};

/// One input travelling through the pipeline: the claim and permit stay with the task,
/// the [`Work`] goes to the blocking pool and back.
struct Job {
    claim: Claim,
    _permit: OwnedSemaphorePermit,
    name: String,
    started: Instant,
    work: Work,
}

/// Shared, read-only context of a running pipeline.
struct Ctx {
    config: Config,
    models: SharedModels,
    outbox: Outbox,
    opts: RecordOptions,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Everything in flight finished.
    Drained,
    /// `shutdown_timeout` passed first; unfinished inputs stay in the inbox.
    TimedOut,
}

/// Runs the daemon until `shutdown` resolves, then drains.
///
/// # Errors
/// If the inbox cannot be watched or the outbox and state folders cannot be created.
pub async fn run(
    config: Config,
    models: impl Into<SharedModels>,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<Stopped> {
    use anyhow::Context as _;
    for dir in [
        config.inbox.clone(),
        config.state_dir(),
        config.quarantine_dir(),
    ] {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create folder {}", dir.display()))?;
    }
    if config.archive == ArchiveMode::Move {
        let dir = config.archive_dir();
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create archive folder {}", dir.display()))?;
    }
    let outbox = Outbox::new(config.outbox.clone(), true);
    outbox
        .prepare()
        .with_context(|| format!("cannot prepare outbox {}", config.outbox.display()))?;

    let ctx = Arc::new(Ctx {
        opts: RecordOptions {
            deterministic: config.deterministic,
            force: false,
        },
        outbox,
        models: models.into(),
        config,
    });
    let cap = ctx.config.channel_capacity;
    let workers = ctx.config.workers();
    let cancel = CancellationToken::new();
    let tracker = TaskTracker::new();
    let in_flight = InFlight::default();

    let (claim_tx, claim_rx) = mpsc::channel::<Claim>(cap);
    let (read_tx, read_rx) = mpsc::channel::<Job>(cap);
    let (split_tx, split_rx) = mpsc::channel::<Job>(cap);
    let (clean_tx, clean_rx) = mpsc::channel::<Job>(cap);
    let (tag_tx, tag_rx) = mpsc::channel::<Job>(cap);
    let (done_tx, done_rx) = mpsc::channel::<Job>(cap);

    let watcher = tracker.spawn(inbox::watch(
        InboxOptions {
            dir: ctx.config.inbox.clone(),
            settle: ctx.config.settle,
            rescan_interval: ctx.config.rescan_interval,
        },
        in_flight.clone(),
        claim_tx,
        cancel.clone(),
    ));
    tracker.spawn(gate(ctx.clone(), claim_rx, read_tx));
    let c = ctx.clone();
    tracker.spawn(stage(Stage::Split, workers, read_rx, split_tx, move |w| {
        work::split(w)
    }));
    tracker.spawn(stage(
        Stage::Clean,
        workers,
        split_rx,
        clean_tx,
        work::clean,
    ));
    tracker.spawn(stage(Stage::Tag, workers, clean_rx, tag_tx, move |w| {
        work::tag(&c.models.current(), w)
    }));
    let c = ctx.clone();
    tracker.spawn(stage(Stage::Classify, workers, tag_rx, done_tx, move |w| {
        work::classify(&c.models.current(), w, c.opts)
    }));
    tracker.spawn(sink(ctx.clone(), done_rx));
    tracker.close();

    tokio::select! {
        () = shutdown => {}
        res = watcher => {
            // The watcher only ends early when the inbox cannot be listed at start-up.
            cancel.cancel();
            match res {
                Ok(Err(e)) => return Err(e.into()),
                Err(e) => return Err(anyhow::anyhow!("inbox watcher task failed: {e}")),
                Ok(Ok(())) => {}
            }
        }
    }
    events::draining(in_flight.len(), ctx.config.shutdown_timeout);
    cancel.cancel();
    let stopped = match tokio::time::timeout(ctx.config.shutdown_timeout, tracker.wait()).await {
        Ok(()) => Stopped::Drained,
        Err(_) => Stopped::TimedOut,
    };
    events::stopped(stopped == Stopped::Drained);
    Ok(stopped)
}

/// Admits claimed files into the pipeline, at most `max_in_flight` at a time, and reads them.
async fn gate(ctx: Arc<Ctx>, mut claims: mpsc::Receiver<Claim>, out: mpsc::Sender<Job>) {
    let permits = Arc::new(Semaphore::new(ctx.config.max_in_flight));
    while let Some(claim) = claims.recv().await {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            return;
        };
        let name = claim
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let job = Job {
            claim,
            _permit: permit,
            name,
            started: Instant::now(),
            work: Work::Vanished,
        };
        let c = ctx.clone();
        let job = run_step(Stage::Read, job, move |path_work| {
            let (path, name) = path_work;
            work::read_file(
                &path,
                &name,
                c.config.max_file_bytes,
                Some(&c.outbox),
                c.opts,
            )
        })
        .await;
        if out.send(job).await.is_err() {
            return;
        }
    }
}

/// A stage task: applies `step` to each job under `spawn_blocking`, `concurrency` at a time,
/// keeping input order, until its input channel closes.
async fn stage<F>(
    stage: Stage,
    concurrency: usize,
    rx: mpsc::Receiver<Job>,
    tx: mpsc::Sender<Job>,
    step: F,
) where
    F: Fn(Work) -> Work + Send + Sync + 'static,
{
    let step = Arc::new(step);
    let name = stage.as_str();
    let depth = tx.clone();
    let jobs =
        futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|j| (j, rx)) })
            .map(|mut job| {
                let step = step.clone();
                async move {
                    let work = std::mem::replace(&mut job.work, Work::Vanished);
                    let t = Instant::now();
                    let result = tokio::task::spawn_blocking(move || step(work)).await;
                    events::stage_latency(name, t.elapsed());
                    job.work = match result {
                        Ok(w) => w,
                        Err(e) if e.is_panic() => {
                            Work::Failed(work::panicked(stage, e.into_panic().as_ref(), None))
                        }
                        Err(e) => Work::Failed(Failure {
                            stage,
                            code: "stage.cancelled".into(),
                            reason: format!("the {stage} stage was cancelled: {e}"),
                            sha256: None,
                        }),
                    };
                    job
                }
            })
            .buffered(concurrency.max(1));
    let mut jobs = std::pin::pin!(jobs);
    while let Some(job) = jobs.next().await {
        metrics::gauge!("presswire_queue_depth", "stage" => name)
            .set((depth.max_capacity() - depth.capacity()) as f64);
        if tx.send(job).await.is_err() {
            return;
        }
    }
}

/// Runs the read step for a job (which has no work yet) under `spawn_blocking`.
async fn run_step<F>(stage: Stage, mut job: Job, step: F) -> Job
where
    F: FnOnce((PathBuf, String)) -> Work + Send + 'static,
{
    let arg = (job.claim.path().to_path_buf(), job.name.clone());
    job.work = match tokio::task::spawn_blocking(move || step(arg)).await {
        Ok(w) => w,
        Err(e) if e.is_panic() => {
            Work::Failed(work::panicked(stage, e.into_panic().as_ref(), None))
        }
        Err(e) => Work::Failed(Failure {
            stage,
            code: "stage.cancelled".into(),
            reason: e.to_string(),
            sha256: None,
        }),
    };
    job
}

/// The sink task: writes outputs, then archives inputs; quarantines failures. In this order,
/// an input leaves the inbox only once its output is durable.
async fn sink(ctx: Arc<Ctx>, mut rx: mpsc::Receiver<Job>) {
    while let Some(job) = rx.recv().await {
        let mut backoff = Duration::from_millis(100);
        let mut job = job;
        loop {
            let c = ctx.clone();
            let result = tokio::task::spawn_blocking(move || {
                let outcome = finish(&c, &mut job);
                (job, outcome)
            })
            .await;
            let (returned, outcome) = match result {
                Ok(r) => r,
                Err(e) => {
                    events::archive_failed("?", &format!("sink task failed: {e}"));
                    break;
                }
            };
            job = returned;
            match outcome {
                Ok(()) => break,
                Err(e) => {
                    // Only a transient outbox failure comes back: keep the input, retry later.
                    events::sink_retry(&job.name, &e.to_string(), backoff);
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                }
            }
        }
    }
}

/// Seals one job's fate. Returns an outbox error when the write should be retried.
fn finish(ctx: &Ctx, job: &mut Job) -> Result<(), OutboxError> {
    let path = job.claim.path().to_path_buf();
    match std::mem::replace(&mut job.work, Work::Vanished) {
        Work::Done {
            meta,
            records,
            bad_lines,
            bytes_in,
        } => {
            let written = match ctx.outbox.write(&meta.sha256, &records) {
                Ok(p) => p,
                Err(e) => {
                    job.work = Work::Done {
                        meta,
                        records,
                        bad_lines,
                        bytes_in,
                    };
                    return Err(e);
                }
            };
            let bytes_out = std::fs::metadata(&written).map(|m| m.len()).unwrap_or(0);
            if !bad_lines.is_empty() {
                let report = ErrorReport {
                    file: job.name.clone(),
                    sha256: Some(meta.sha256.clone()),
                    stage: Stage::Read,
                    code: "jsonl.bad_lines".into(),
                    reason: bad_lines
                        .iter()
                        .map(|l| format!("line {}: {}", l.line, l.reason))
                        .collect::<Vec<_>>()
                        .join("; "),
                };
                let dest = ctx.config.quarantine_dir().join(&job.name);
                let shown = dest.display().to_string();
                match std::fs::create_dir_all(ctx.config.quarantine_dir())
                    .and_then(|()| quarantine::write_report(&dest, &report))
                {
                    Ok(()) => events::jsonl_bad_lines(
                        &job.name,
                        bad_lines.len(),
                        &format!("{shown}.error.json"),
                    ),
                    Err(e) => events::jsonl_bad_lines(
                        &job.name,
                        bad_lines.len(),
                        &format!("report not written: {e}"),
                    ),
                }
            }
            retire(ctx, &path, &job.name);
            let mut cats = BTreeMap::new();
            for r in &records {
                *cats.entry(r.category.label.clone()).or_insert(0) += 1;
            }
            events::dump_done(
                &job.name,
                &meta.sha256,
                records.len(),
                &cats,
                bytes_in,
                bytes_out,
                job.started.elapsed(),
            );
        }
        Work::Duplicate { sha256 } => {
            events::dump_duplicate(&job.name, &sha256);
            retire(ctx, &path, &job.name);
        }
        Work::Vanished => events::dump_vanished(&job.name),
        Work::Failed(f) => quarantine_input(ctx, &path, &job.name, f),
        other => quarantine_input(
            ctx,
            &path,
            &job.name,
            Failure {
                stage: Stage::Write,
                code: "pipeline.incomplete".into(),
                reason: format!(
                    "reached the sink unfinished ({:?}); this is a bug",
                    std::mem::discriminant(&other)
                ),
                sha256: None,
            },
        ),
    }
    Ok(())
}

/// Archives or deletes a processed input.
fn retire(ctx: &Ctx, path: &std::path::Path, name: &str) {
    let result = match ctx.config.archive {
        ArchiveMode::Move => archive::move_into(path, &ctx.config.archive_dir()).map(|_| ()),
        ArchiveMode::Delete => std::fs::remove_file(path).or_else(|e| {
            if path.is_dir() {
                std::fs::remove_dir_all(path)
            } else {
                Err(e)
            }
        }),
    };
    if let Err(e) = result {
        events::archive_failed(name, &e.to_string());
    }
}

fn quarantine_input(ctx: &Ctx, path: &std::path::Path, name: &str, f: Failure) {
    let report = ErrorReport {
        file: name.to_string(),
        sha256: f.sha256.clone(),
        stage: f.stage,
        code: f.code.clone(),
        reason: f.reason.clone(),
    };
    match quarantine::quarantine(path, &ctx.config.quarantine_dir(), &report) {
        Ok(dest) => events::dump_quarantined(
            name,
            f.stage.as_str(),
            &f.code,
            &f.reason,
            &dest.display().to_string(),
        ),
        Err(e) => events::dump_quarantined(
            name,
            f.stage.as_str(),
            &f.code,
            &f.reason,
            &format!("(could not move: {e})"),
        ),
    }
}
