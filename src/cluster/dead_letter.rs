//! Jobs that failed `max_deliver` times: an error report (the same shape as a quarantine
//! `.error.json`) on `<dead_letter_subject>.<job stream>`, with the dump kept in the object
//! bucket under its SHA-256 so an operator can fetch it, fix it and submit it again.
//!
//! A worker dead-letters a job itself when its last allowed attempt fails. A job whose every
//! delivery died with its worker (SIGKILL, OOM) never gets that far: the server then emits a
//! max-deliveries advisory, and [`watch_advisories`] (run by every worker, one of them
//! handling each advisory) moves the job over with code `job.max_deliveries`.

use anyhow::Context as _;
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::object_store::ObjectStore;
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::cluster::job::{JobHeader, OBJECT};
use crate::cluster::{objects, Queue};
use crate::sink::quarantine::ErrorReport;
use crate::stages::Stage;

/// Header with the number of deliveries the job had.
pub const DELIVERIES: &str = "Presswire-Deliveries";
/// Header with the job's sequence in the job stream.
pub const JOB_SEQ: &str = "Presswire-Job-Seq";

/// One job to dead-letter.
pub struct DeadJob<'a> {
    /// The job's headers, when they could be read.
    pub job: Option<&'a JobHeader>,
    /// The dump's bytes, when they are at hand (stored in the bucket unless already there).
    pub bytes: Option<&'a [u8]>,
    /// Why it failed.
    pub report: ErrorReport,
    /// Deliveries so far.
    pub deliveries: i64,
    /// Its sequence in the job stream.
    pub seq: u64,
}

/// Stores the dump (if at hand) and publishes the report; returns once JetStream acked it.
///
/// # Errors
/// If the dump cannot be stored or the report is not acknowledged.
pub async fn send(q: &Queue, store: &ObjectStore, dead: DeadJob<'_>) -> anyhow::Result<()> {
    let mut headers = dead.job.map(JobHeader::to_headers).unwrap_or_default();
    if let (Some(job), Some(bytes)) = (dead.job, dead.bytes) {
        if job.object.is_none() {
            objects::put(store, &job.sha256, bytes).await?;
            headers.insert(OBJECT, job.sha256.as_str());
        }
    }
    headers.insert(DELIVERIES, dead.deliveries.to_string().as_str());
    headers.insert(JOB_SEQ, dead.seq.to_string().as_str());
    // One report per job: a worker and the advisory watcher racing on it store one.
    let id = format!("{}-{}", q.opts.stream, dead.seq);
    let body = serde_json::to_vec_pretty(&dead.report).context("serialising an error report")?;
    let subject = format!("{}.{}", q.opts.dead_letter_subject, q.opts.stream);
    q.js.send_publish(
        subject.clone(),
        PublishMessage::build()
            .headers(headers)
            .message_id(id)
            .payload(body.into()),
    )
    .await
    .with_context(|| format!("cannot publish dead letter on {subject}"))?
    .await
    .with_context(|| {
        format!(
            "dead-letter stream {} did not store the report",
            q.opts.dead_letter_stream
        )
    })?;
    tracing::error!(
        file = %dead.report.file,
        seq = dead.seq,
        deliveries = dead.deliveries,
        stage = %dead.report.stage,
        code = %dead.report.code,
        reason = %dead.report.reason,
        dead_letter_stream = %q.opts.dead_letter_stream,
        "job failed for the last time; moved to the dead-letter stream (the dump is in the object bucket under its sha256)"
    );
    metrics::counter!("presswire_jobs_dead_lettered_total").increment(1);
    Ok(())
}

/// The max-deliveries advisory (only the fields used).
#[derive(serde::Deserialize)]
struct MaxDeliveries {
    stream_seq: u64,
    deliveries: i64,
}

/// Dead-letters jobs the server gave up on, until `cancel` fires.
///
/// # Errors
/// If the advisory subscription cannot be made.
pub async fn watch_advisories(
    q: Queue,
    store: ObjectStore,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    let subject = format!(
        "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{}.{}",
        q.opts.stream, q.opts.consumer
    );
    let mut sub = q
        .client
        .queue_subscribe(subject.clone(), "presswire-dead-letter".into())
        .await
        .with_context(|| format!("cannot subscribe to {subject}"))?;
    let stream = q.ensure_jobs_stream().await?;
    loop {
        let msg = tokio::select! {
            () = cancel.cancelled() => return Ok(()),
            m = sub.next() => match m { Some(m) => m, None => return Ok(()) },
        };
        let Ok(adv) = serde_json::from_slice::<MaxDeliveries>(&msg.payload) else {
            continue;
        };
        // Gone already: a worker acked or dead-lettered it after all.
        let Ok(raw) = stream.get_raw_message(adv.stream_seq).await else {
            continue;
        };
        let job = JobHeader::from_headers(Some(&raw.headers)).ok();
        let report = ErrorReport {
            file: job.as_ref().map(|j| j.file.clone()).unwrap_or_default(),
            sha256: job.as_ref().map(|j| j.sha256.clone()),
            stage: Stage::Read,
            code: "job.max_deliveries".into(),
            reason: format!(
                "delivered {} times without an outcome: each worker holding it stopped or exceeded ack_wait",
                adv.deliveries
            ),
        };
        let bytes = (!raw.payload.is_empty()).then_some(&raw.payload[..]);
        let sent = send(
            &q,
            &store,
            DeadJob {
                job: job.as_ref(),
                bytes,
                report,
                deliveries: adv.deliveries,
                seq: adv.stream_seq,
            },
        )
        .await;
        match sent {
            Ok(()) => {
                if let Err(e) = stream.delete_message(adv.stream_seq).await {
                    tracing::warn!(seq = adv.stream_seq, error = %e, "dead-lettered job could not be removed from the job stream");
                }
            }
            Err(e) => {
                tracing::error!(seq = adv.stream_seq, error = %format!("{e:#}"), "cannot dead-letter a job the server gave up on; it stays in the job stream")
            }
        }
    }
}
