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

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::{ArchiveMode, Config};
use crate::faults;
use crate::ledger::{lock::DaemonLock, Ledger};
use crate::models::SharedModels;
use crate::sink::seal::{self, Finished, Sealer};
use crate::sink::{quarantine, Outbox};
use crate::source::inbox::{self, Claim, InFlight, InboxOptions};
use crate::stages::Stage;
use crate::telemetry::events;
use crate::work::{self, Failure, RecordOptions, Work};

/// One input travelling through the pipeline: the claim and permit stay with the task,
/// the [`Work`] goes to the blocking pool and back.
struct Job {
    claim: Claim,
    permit: OwnedSemaphorePermit,
    name: String,
    started: Instant,
    work: Work,
    /// The input's hash once read, so a panic report can name it.
    sha256: Option<String>,
}

/// Shared, read-only context of a running pipeline.
struct Ctx {
    config: Config,
    models: SharedModels,
    outbox: Outbox,
    ledger: Ledger,
    opts: RecordOptions,
}

/// Options of one daemon run that are not configuration.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Process content again even when the ledger or outbox says it is done (`run --force`).
    pub force: bool,
}

/// Sealed jobs per batch: one outbox fsync, one ledger transaction, one archive fsync each.
const SINK_BATCH: usize = 32;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Everything in flight finished.
    Drained,
    /// `shutdown_timeout` passed first; unfinished inputs stay in the inbox.
    TimedOut,
}

/// Creates the inbox, its quarantine folder and (with `archive = "move"`) its archive folder.
///
/// # Errors
/// Naming the folder that could not be created.
pub fn create_inbox_folders(config: &Config) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let mut dirs = vec![config.inbox.clone(), config.quarantine_dir()];
    if config.archive == ArchiveMode::Move {
        dirs.push(config.archive_dir());
    }
    for dir in dirs {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create folder {}", dir.display()))?;
    }
    Ok(())
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
    run_with(config, models, RunOptions::default(), shutdown).await
}

/// [`run`] with options.
///
/// # Errors
/// If another daemon holds the inbox or state folder, the ledger cannot be opened, the inbox
/// cannot be watched, or the outbox and state folders cannot be created.
pub async fn run_with(
    config: Config,
    models: impl Into<SharedModels>,
    options: RunOptions,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<Stopped> {
    use anyhow::Context as _;
    config.validate_on_disk()?;
    if let Some(seam) = faults::describe() {
        tracing::warn!(seam = %seam, "test fault-injection seam is active (PRESSWIRE_* variables); never set these in production");
    }
    create_inbox_folders(&config)?;
    let state = config.state_dir();
    std::fs::create_dir_all(&state)
        .with_context(|| format!("cannot create state folder {}", state.display()))?;
    // Held until this function returns; the kernel releases it if the process dies.
    let _lock = DaemonLock::acquire(&config.inbox, &config.state_dir())?;
    let ledger = Ledger::open(&config.state_dir())?;
    let outbox = Outbox::new(config.outbox.clone(), true);
    outbox
        .prepare()
        .with_context(|| format!("cannot prepare outbox {}", config.outbox.display()))?;
    quarantine::recover(&config.quarantine_dir()).with_context(|| {
        format!(
            "cannot tidy quarantine {}",
            config.quarantine_dir().display()
        )
    })?;

    let ctx = Arc::new(Ctx {
        opts: RecordOptions {
            deterministic: config.deterministic,
            force: options.force,
        },
        outbox,
        ledger,
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
            permit,
            name,
            started: Instant::now(),
            work: Work::Vanished,
            sha256: None,
        };
        let c = ctx.clone();
        let isolate = Arc::new(AtomicBool::new(false));
        let isolate_flag = isolate.clone();
        let mut job = run_step(Stage::Read, job, move |path_work| {
            let (path, name) = path_work;
            let work = work::read_file(&path, &name, c.config.max_file_bytes, None, c.opts);
            match work {
                Work::Read { meta, .. } if !c.opts.force && already_done(&c, &meta.sha256) => {
                    Work::Duplicate {
                        sha256: meta.sha256,
                    }
                }
                Work::Read { meta, bytes, format } => match suspicion(&c, &meta.sha256, &name) {
                    Suspicion::Guilty => Work::Failed(Failure {
                        stage: Stage::Read,
                        code: "pipeline.crashed_repeatedly".into(),
                        reason: format!(
                            "the daemon died while processing this input, {} times beside others and once with nothing else in flight (max_attempts = {}); set aside so it cannot stop the daemon again. Move it back into the inbox to retry",
                            c.config.max_attempts, c.config.max_attempts
                        ),
                        sha256: Some(meta.sha256),
                    }),
                    s => {
                        isolate_flag.store(s == Suspicion::Isolate, Ordering::Relaxed);
                        Work::Read { meta, bytes, format }
                    }
                },
                other => other,
            }
        })
        .await;
        if isolate.load(Ordering::Relaxed) {
            // Wait until nothing else is in flight, then run this input alone: if the daemon
            // dies now, this input is the cause, and the next start sets it aside.
            events::isolating(&job.name, ctx.config.max_attempts);
            let others = u32::try_from(ctx.config.max_in_flight.saturating_sub(1)).unwrap_or(0);
            let Ok(rest) = permits.clone().acquire_many_owned(others).await else {
                return;
            };
            job.permit.merge(rest);
            if let Work::Read { meta, .. } = &job.work {
                let (c, sha) = (ctx.clone(), meta.sha256.clone());
                let marked =
                    tokio::task::spawn_blocking(move || c.ledger.mark_isolated(&sha)).await;
                if let Ok(Err(e)) = marked {
                    tracing::warn!(file = %job.name, error = %e, "cannot record isolation in the ledger");
                }
            }
        }
        job.sha256 = match &job.work {
            Work::Read { meta, .. } => Some(meta.sha256.clone()),
            Work::Duplicate { sha256 } => Some(sha256.clone()),
            _ => None,
        };
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
                        Err(e) if e.is_panic() => Work::Failed(work::panicked(
                            stage,
                            e.into_panic().as_ref(),
                            job.sha256.clone(),
                        )),
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

/// Is this content already done? The ledger is the record; an output in the outbox that the
/// ledger lacks was written by a run that crashed before recording it. A ledger error here only
/// means the work is done again: the sink checks once more before writing.
fn already_done(ctx: &Ctx, sha256: &str) -> bool {
    ctx.ledger.is_done(sha256).unwrap_or(false) || ctx.outbox.contains(sha256)
}

/// What the attempt count says about an input about to be processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Suspicion {
    /// Nothing unusual (or `max_attempts = 0`).
    None,
    /// In flight during `max_attempts` deaths, never alone: run it alone to find out.
    Isolate,
    /// Also in flight, alone, during a death: it is the cause.
    Guilty,
}

/// Counts one more start for this content and judges it. A ledger error only disables the
/// check for this input.
fn suspicion(ctx: &Ctx, sha256: &str, name: &str) -> Suspicion {
    let max = ctx.config.max_attempts;
    if max == 0 {
        return Suspicion::None;
    }
    match ctx.ledger.begin(sha256, name) {
        Ok(a) if a.count > max && a.isolated => Suspicion::Guilty,
        Ok(a) if a.count > max => Suspicion::Isolate,
        Ok(_) => Suspicion::None,
        Err(e) => {
            tracing::warn!(file = name, error = %e, "cannot count attempts in the ledger");
            Suspicion::None
        }
    }
}

/// The sink task: seals finished jobs in batches (outputs, then ledger, then archive; see
/// [`crate::sink::seal`]). A transient failure (full or read-only outbox) keeps the input in the
/// inbox and retries the job with exponential backoff, reported on every attempt.
async fn sink(ctx: Arc<Ctx>, mut rx: mpsc::Receiver<Job>) {
    let mut batch: Vec<Finished> = Vec::new();
    while let Some(job) = rx.recv().await {
        batch.push(finished(job));
        while batch.len() < SINK_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(finished(job)),
                Err(_) => break,
            }
        }
        let mut backoff = Duration::from_millis(100);
        while !batch.is_empty() {
            let c = ctx.clone();
            let jobs = std::mem::take(&mut batch);
            let sealed = tokio::task::spawn_blocking(move || {
                let sealer = Sealer {
                    config: &c.config,
                    outbox: &c.outbox,
                    ledger: &c.ledger,
                    force: c.opts.force,
                };
                seal::seal(&sealer, jobs)
            })
            .await;
            let retry = match sealed {
                Ok(r) => r,
                Err(e) => {
                    // The jobs (and their claims) are gone; their inputs are still in the inbox
                    // and the next rescan hands them out again.
                    events::archive_failed("(batch)", &format!("sink task failed: {e}"));
                    break;
                }
            };
            if retry.is_empty() {
                break;
            }
            for (job, why) in &retry {
                events::sink_retry(&job.name, why, backoff);
            }
            batch = retry.into_iter().map(|(job, _)| job).collect();
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(30));
        }
    }
}

fn finished(job: Job) -> Finished {
    Finished {
        path: job.claim.path().to_path_buf(),
        name: job.name,
        started: job.started,
        work: job.work,
        hold: Box::new((job.claim, job.permit)),
    }
}
