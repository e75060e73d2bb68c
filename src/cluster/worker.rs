//! `presswire worker`: pulls jobs from the durable consumer and runs the same pipeline cores
//! as the daemon ([`work::run_all`]), so its records are byte-for-byte the daemon's.
//!
//! A job is acked only after its results are durable: every record published to
//! `<publish_subject>.<category>` acknowledged by JetStream (ids `<sha256>:<index>`, so a
//! redelivery re-publishes nothing new), then the outbox file written atomically under the
//! daemon's name. A job whose output the outbox already holds is acked without work, so
//! several workers may share one outbox and a late redelivery does nothing twice. While a job
//! runs, an in-progress ack every third of `ack_wait` keeps it from being redelivered. A
//! failure naks with `nak_delay`; the last allowed attempt goes to the dead-letter stream.
//! On SIGTERM, no new job is pulled; running jobs finish, or are nak'ed for immediate
//! redelivery elsewhere when `shutdown_timeout` passes.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::message::{AckKind, Message};
use async_nats::jetstream::object_store::ObjectStore;
use futures::StreamExt;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::cluster::staging::Staging;

use crate::cluster::dead_letter::{self, DeadJob};
use crate::cluster::job::JobHeader;
use crate::cluster::{objects, subject_token, Queue};
use crate::record::Record;
use crate::sink::quarantine::ErrorReport;
use crate::source::Format;
use crate::stages::{Models, Stage};
use crate::work::{self, Failure, RecordOptions, Work};

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Outbox folder for `<hash>.jsonl` files.
    pub outbox: Option<PathBuf>,
    /// Subject prefix for one message per record (`<prefix>.<category>`).
    pub publish_subject: Option<String>,
    /// Jobs run at once.
    pub concurrency: usize,
    /// Largest dump accepted from the object bucket.
    pub max_file_bytes: u64,
    /// Record options (`deterministic`).
    pub record: RecordOptions,
    /// How long running jobs may take to finish after a shutdown signal.
    pub shutdown_timeout: Duration,
}

/// What a worker did, for its exit log.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Jobs processed and acked.
    pub done: u64,
    /// Jobs skipped because the outbox already held their output.
    pub skipped: u64,
    /// Failed attempts nak'ed for a retry.
    pub retried: u64,
    /// Jobs moved to the dead-letter stream.
    pub dead: u64,
    /// Jobs nak'ed at shutdown.
    pub released: u64,
}

/// Shared by every job task.
struct Ctx {
    queue: Queue,
    models: Arc<Models>,
    opts: WorkerOptions,
    outbox: Option<Staging>,
    store: ObjectStore,
    /// Fires when `shutdown_timeout` has passed after the signal: release running jobs.
    hard_stop: CancellationToken,
    tally: std::sync::Mutex<Tally>,
}

/// How one job ended.
enum Outcome {
    Done,
    Skipped,
    Retried,
    Dead,
    Released,
}

/// Runs a worker until `shutdown` resolves, then drains.
///
/// # Errors
/// If the consumer, streams or bucket cannot be set up, or the outbox cannot be prepared.
pub async fn run(
    queue: Queue,
    models: Arc<Models>,
    opts: WorkerOptions,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<Tally> {
    let outbox = match &opts.outbox {
        Some(dir) => Some(Staging::create(dir)?),
        None => None,
    };
    if let Some(p) = &opts.publish_subject {
        queue.ensure_articles_stream(p).await?;
    }
    queue.ensure_dead_letter_stream().await?;
    let consumer = queue.ensure_consumer().await?;
    let store = queue.object_store().await?;
    let concurrency = opts.concurrency.max(1);
    let ctx = Arc::new(Ctx {
        queue: queue.clone(),
        models,
        outbox,
        store: store.clone(),
        hard_stop: CancellationToken::new(),
        tally: std::sync::Mutex::new(Tally::default()),
        opts,
    });
    let stop = CancellationToken::new();
    let tracker = TaskTracker::new();
    tracker.spawn({
        let (q, stop) = (queue.clone(), stop.clone());
        async move {
            if let Err(e) = dead_letter::watch_advisories(q, store, stop).await {
                tracing::warn!(error = %format!("{e:#}"), "not watching max-deliveries advisories");
            }
        }
    });
    let slots = Arc::new(Semaphore::new(concurrency));
    tracing::info!(
        stream = %queue.opts.stream,
        consumer = %queue.opts.consumer,
        concurrency,
        "worker ready"
    );
    let mut shutdown = std::pin::pin!(shutdown);
    'pull: loop {
        let first = tokio::select! {
            () = &mut shutdown => break 'pull,
            p = slots.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break 'pull },
        };
        let want = 1 + slots.available_permits();
        let batch = consumer
            .batch()
            .max_messages(want)
            .expires(Duration::from_secs(2))
            .messages()
            .await;
        let mut batch = match batch {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "cannot pull jobs; retrying");
                drop(first);
                tokio::select! {
                    () = &mut shutdown => break 'pull,
                    () = tokio::time::sleep(Duration::from_secs(1)) => continue 'pull,
                }
            }
        };
        let mut first = Some(first);
        let mut stopping = false;
        loop {
            // The pull ends within its 2 s expiry, so draining it after a signal is bounded.
            let next = tokio::select! {
                () = &mut shutdown, if !stopping => { stopping = true; stop.cancel(); continue }
                m = batch.next() => m,
            };
            let Some(msg) = next else { break };
            let msg = match msg {
                Ok(m) => m,
                Err(e) => {
                    tracing::warn!(error = %e, "pull interrupted");
                    break;
                }
            };
            if stopping {
                release(&msg).await;
                continue;
            }
            let permit = match first.take() {
                Some(p) => p,
                None => match slots.clone().acquire_owned().await {
                    Ok(p) => p,
                    Err(_) => break,
                },
            };
            let c = ctx.clone();
            tracker.spawn(async move {
                let outcome = handle(&c, msg).await;
                drop(permit);
                let mut t = c.tally.lock().unwrap_or_else(|p| p.into_inner());
                match outcome {
                    Outcome::Done => t.done += 1,
                    Outcome::Skipped => t.skipped += 1,
                    Outcome::Retried => t.retried += 1,
                    Outcome::Dead => t.dead += 1,
                    Outcome::Released => t.released += 1,
                }
            });
        }
        if stopping {
            break 'pull;
        }
    }
    stop.cancel();
    tracker.close();
    tracing::info!(
        timeout_ms = ctx.opts.shutdown_timeout.as_millis() as u64,
        "shutting down: finishing running jobs"
    );
    if tokio::time::timeout(ctx.opts.shutdown_timeout, tracker.wait())
        .await
        .is_err()
    {
        ctx.hard_stop.cancel();
        tracker.wait().await;
    }
    if let Some(o) = &ctx.outbox {
        o.remove();
    }
    let tally = *ctx.tally.lock().unwrap_or_else(|p| p.into_inner());
    tracing::info!(
        done = tally.done,
        skipped = tally.skipped,
        retried = tally.retried,
        dead = tally.dead,
        released = tally.released,
        "worker stopped"
    );
    Ok(tally)
}

/// Hands a job back for immediate redelivery to another worker.
async fn release(msg: &Message) {
    if let Err(e) = msg.ack_with(AckKind::Nak(None)).await {
        tracing::warn!(error = %e, "cannot release a job; it is redelivered after ack_wait");
    }
}

/// Runs one job to its end: acked, nak'ed for a retry, dead-lettered, or released.
async fn handle(ctx: &Ctx, msg: Message) -> Outcome {
    let started = Instant::now();
    let (seq, delivered) = match msg.info() {
        Ok(i) => (i.stream_sequence, i.delivered),
        Err(_) => (0, 1),
    };
    let job = match JobHeader::from_headers(msg.headers.as_ref()) {
        Ok(j) => j,
        Err(e) => {
            let f = Failure {
                stage: Stage::Read,
                code: "job.malformed".into(),
                reason: e.to_string(),
                sha256: None,
            };
            // Retrying cannot fix a malformed message: dead-letter it now.
            return give_up(ctx, &msg, None, None, f, delivered, seq).await;
        }
    };
    if ctx.outbox.as_ref().is_some_and(|o| o.contains(&job.sha256)) {
        if let Err(e) = msg.double_ack().await {
            tracing::warn!(file = %job.file, error = %e, "ack of an already-done job failed");
        }
        drop_object(ctx, &job).await;
        tracing::info!(file = %job.file, hash = crate::stages::short_hash(&job.sha256), "output already in outbox; job acked without reprocessing");
        return Outcome::Skipped;
    }
    let bytes = match fetch(ctx, &msg, &job).await {
        Ok(b) => b,
        Err(f) => return fail(ctx, &msg, &job, None, f, delivered, seq).await,
    };
    let work = work::from_bytes(
        &job.file,
        bytes.clone(),
        job.sha256.clone(),
        Format::for_name(&job.file),
    );
    let models = ctx.models.clone();
    let opts = ctx.opts.record;
    let mut running = tokio::task::spawn_blocking(move || work::run_all(&models, work, opts));
    let every = (ctx.queue.opts.ack_wait / 3).max(Duration::from_millis(200));
    let mut progress = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    let result = loop {
        tokio::select! {
            r = &mut running => break r,
            _ = progress.tick() => {
                if let Err(e) = msg.ack_with(AckKind::Progress).await {
                    tracing::warn!(file = %job.file, error = %e, "in-progress ack failed");
                }
            }
            () = ctx.hard_stop.cancelled() => {
                release(&msg).await;
                return Outcome::Released;
            }
        }
    };
    let work = match result {
        Ok(w) => w,
        Err(e) if e.is_panic() => Work::Failed(work::panicked(
            Stage::Tag,
            e.into_panic().as_ref(),
            Some(job.sha256.clone()),
        )),
        Err(e) => Work::Failed(Failure {
            stage: Stage::Read,
            code: "stage.cancelled".into(),
            reason: e.to_string(),
            sha256: Some(job.sha256.clone()),
        }),
    };
    match work {
        Work::Done {
            records, bad_lines, ..
        } => {
            for l in &bad_lines {
                tracing::warn!(file = %job.file, line = l.line, reason = %l.reason, "skipped a bad JSONL line");
            }
            if let Err(f) = deliver(ctx, &job, &records).await {
                return fail(ctx, &msg, &job, Some(&bytes), f, delivered, seq).await;
            }
            if let Err(e) = msg.double_ack().await {
                // The results are durable and idempotent: a redelivery finds them and stops.
                tracing::warn!(file = %job.file, error = %e, "ack failed after the output was written");
            }
            drop_object(ctx, &job).await;
            tracing::info!(
                file = %job.file,
                hash = crate::stages::short_hash(&job.sha256),
                articles = records.len(),
                seq,
                delivered,
                ms = started.elapsed().as_millis() as u64,
                "processed"
            );
            metrics::counter!("presswire_dumps_processed_total").increment(1);
            metrics::counter!("presswire_articles_processed_total").increment(records.len() as u64);
            Outcome::Done
        }
        Work::Failed(f) => fail(ctx, &msg, &job, Some(&bytes), f, delivered, seq).await,
        _ => {
            let f = Failure {
                stage: Stage::Write,
                code: "pipeline.incomplete".into(),
                reason: "the pipeline returned unfinished work; this is a bug".into(),
                sha256: Some(job.sha256.clone()),
            };
            fail(ctx, &msg, &job, Some(&bytes), f, delivered, seq).await
        }
    }
}

/// The job's bytes, from the message or the object bucket, checked against its hash.
async fn fetch(ctx: &Ctx, msg: &Message, job: &JobHeader) -> Result<Vec<u8>, Failure> {
    let failure = |code: &str, reason: String| Failure {
        stage: Stage::Read,
        code: code.into(),
        reason,
        sha256: Some(job.sha256.clone()),
    };
    let bytes = match &job.object {
        None => msg.payload.to_vec(),
        Some(name) => objects::get(&ctx.store, name, ctx.opts.max_file_bytes)
            .await
            .map_err(|e| failure("job.object", format!("{e:#}")))?,
    };
    job.verify(&bytes)
        .map_err(|e| failure("job.hash", e.to_string()))?;
    Ok(bytes)
}

/// Makes the results durable: records published and acked, then the outbox file.
async fn deliver(ctx: &Ctx, job: &JobHeader, records: &[Record]) -> Result<(), Failure> {
    let failure = |code: &str, reason: String| Failure {
        stage: Stage::Write,
        code: code.into(),
        reason,
        sha256: Some(job.sha256.clone()),
    };
    if let Some(prefix) = &ctx.opts.publish_subject {
        let mut acks = Vec::with_capacity(records.len());
        for r in records {
            let line = r
                .to_json_line()
                .map_err(|e| failure("publish.serialise", e.to_string()))?;
            let subject = format!("{prefix}.{}", subject_token(&r.category.label));
            let publish = PublishMessage::build()
                .message_id(format!("{}:{}", job.sha256, r.source.index))
                .payload(line.into_bytes().into());
            let ack = ctx
                .queue
                .js
                .send_publish(subject.clone(), publish)
                .await
                .map_err(|e| failure("publish.send", format!("{subject}: {e}")))?;
            acks.push(ack);
        }
        for ack in acks {
            ack.await
                .map_err(|e| failure("publish.ack", format!("record not stored: {e}")))?;
        }
    }
    if let Some(outbox) = &ctx.outbox {
        let (o, sha, recs) = (outbox.clone(), job.sha256.clone(), records.to_vec());
        tokio::task::spawn_blocking(move || o.publish(&sha, &recs))
            .await
            .map_err(|e| failure("write.task", e.to_string()))?
            .map_err(|e| failure("write.outbox", e.to_string()))?;
    }
    Ok(())
}

/// A failed attempt: nak with a delay, or dead-letter on the last allowed delivery.
async fn fail(
    ctx: &Ctx,
    msg: &Message,
    job: &JobHeader,
    bytes: Option<&[u8]>,
    f: Failure,
    delivered: i64,
    seq: u64,
) -> Outcome {
    if delivered < ctx.queue.opts.max_deliver {
        tracing::warn!(
            file = %job.file,
            stage = %f.stage,
            code = %f.code,
            reason = %f.reason,
            delivered,
            max_deliver = ctx.queue.opts.max_deliver,
            retry_in_ms = ctx.queue.opts.nak_delay.as_millis() as u64,
            "job failed; it will be retried"
        );
        if let Err(e) = msg
            .ack_with(AckKind::Nak(Some(ctx.queue.opts.nak_delay)))
            .await
        {
            tracing::warn!(error = %e, "nak failed; the job is redelivered after ack_wait");
        }
        metrics::counter!("presswire_jobs_retried_total").increment(1);
        return Outcome::Retried;
    }
    give_up(ctx, msg, Some(job), bytes, f, delivered, seq).await
}

/// Dead-letters a job and removes it from the queue; if that fails, naks it instead.
async fn give_up(
    ctx: &Ctx,
    msg: &Message,
    job: Option<&JobHeader>,
    bytes: Option<&[u8]>,
    f: Failure,
    delivered: i64,
    seq: u64,
) -> Outcome {
    let report = ErrorReport {
        file: job.map(|j| j.file.clone()).unwrap_or_default(),
        sha256: f.sha256.or_else(|| job.map(|j| j.sha256.clone())),
        stage: f.stage,
        code: f.code,
        reason: f.reason,
    };
    let dead = DeadJob {
        job,
        bytes,
        report,
        deliveries: delivered,
        seq,
    };
    match dead_letter::send(&ctx.queue, &ctx.store, dead).await {
        Ok(()) => {
            if let Err(e) = msg.double_ack().await {
                tracing::warn!(seq, error = %e, "dead-lettered job could not be acked");
            }
            Outcome::Dead
        }
        Err(e) => {
            tracing::error!(seq, error = %format!("{e:#}"), "cannot dead-letter a job; retrying it later");
            let _ = msg
                .ack_with(AckKind::Nak(Some(ctx.queue.opts.nak_delay)))
                .await;
            Outcome::Retried
        }
    }
}

/// Removes a finished job's object from the bucket (a leftover only costs space).
async fn drop_object(ctx: &Ctx, job: &JobHeader) {
    if let Some(name) = &job.object {
        if let Err(e) = objects::delete(&ctx.store, name).await {
            tracing::warn!(object = %name, error = %format!("{e:#}"), "finished job's object not deleted");
        }
    }
}
