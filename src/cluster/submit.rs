//! Publishing dumps as jobs: `Nats-Msg-Id` = the content's SHA-256, the publish ack awaited
//! and checked, content the outbox already holds skipped, big dumps through the object bucket.

use anyhow::Context as _;
use async_nats::jetstream::{message::PublishMessage, object_store::ObjectStore};
use tokio::sync::OnceCell;

use crate::cluster::job::JobHeader;
use crate::cluster::{objects, Queue};
use crate::sink::Outbox;

/// Room left in a message for the subject and headers when deciding if a dump fits inline.
const HEADER_ROOM: usize = 4096;

/// What happened to one submitted dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitted {
    /// Stored as a new job at this stream sequence.
    Queued {
        /// Stream sequence.
        seq: u64,
        /// The bytes went through the object bucket.
        via_object: bool,
    },
    /// JetStream already holds (or held, within the duplicate window) a job with this hash.
    Duplicate {
        /// Sequence of the original job.
        seq: u64,
    },
    /// The outbox already holds this content's output; nothing was sent.
    AlreadyDone,
}

/// Publishes jobs on one [`Queue`].
pub struct Submitter {
    queue: Queue,
    outbox: Option<Outbox>,
    store: OnceCell<ObjectStore>,
    force: bool,
}

impl Submitter {
    /// A submitter; with `outbox`, content whose output is already there is skipped.
    pub fn new(queue: Queue, outbox: Option<Outbox>) -> Self {
        Submitter {
            queue,
            outbox,
            store: OnceCell::new(),
            force: false,
        }
    }

    /// Queues content again even if the outbox holds it or JetStream saw it within the
    /// duplicate window (the message id gets a time suffix): for re-driving a dead letter.
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// The queue this submitter publishes on.
    pub fn queue(&self) -> &Queue {
        &self.queue
    }

    /// Publishes one dump and waits for JetStream to store it.
    ///
    /// # Errors
    /// If the object upload or the publish fails, or the ack is refused (e.g. the stream is
    /// full: `DiscardNew` refuses rather than dropping queued work). Nothing is lost on error:
    /// the caller still holds the dump and may retry.
    pub async fn submit(
        &self,
        file: &str,
        bytes: Vec<u8>,
        sha256: String,
    ) -> anyhow::Result<Submitted> {
        if !self.force && self.outbox.as_ref().is_some_and(|o| o.contains(&sha256)) {
            return Ok(Submitted::AlreadyDone);
        }
        let size = bytes.len();
        let via_object = size + HEADER_ROOM > self.queue.max_payload();
        let mut job = JobHeader {
            file: file.to_string(),
            sha256: sha256.clone(),
            size: size as u64,
            object: None,
        };
        let payload: Vec<u8> = if via_object {
            let store = self
                .store
                .get_or_try_init(|| objects::ensure_bucket(&self.queue))
                .await?;
            objects::put(store, &sha256, &bytes).await?;
            job.object = Some(sha256.clone());
            Vec::new()
        } else {
            bytes
        };
        let id = if self.force {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            format!("{sha256}.{nanos}")
        } else {
            sha256.clone()
        };
        let publish = PublishMessage::build()
            .headers(job.to_headers())
            .message_id(id)
            .payload(payload.into());
        let subject = self.queue.opts.subject.clone();
        let ack = self
            .queue
            .js
            .send_publish(subject.clone(), publish)
            .await
            .with_context(|| format!("cannot publish {file} on {subject}"))?
            .await
            .with_context(|| {
                format!(
                    "JetStream did not store {file} (stream {}; is it full or missing?)",
                    self.queue.opts.stream
                )
            })?;
        metrics::counter!("presswire_jobs_submitted_total", "duplicate" => ack.duplicate.to_string())
            .increment(1);
        Ok(if ack.duplicate {
            Submitted::Duplicate { seq: ack.sequence }
        } else {
            Submitted::Queued {
                seq: ack.sequence,
                via_object,
            }
        })
    }
}
