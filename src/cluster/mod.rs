//! Scaling out on NATS JetStream: many workers on many machines, one durable work queue.
//!
//! ```text
//! submit / run --submit-to ─▶ PRESSWIRE_JOBS (WorkQueue, DiscardNew, Nats-Msg-Id = sha256)
//!                                   │ durable pull consumer, explicit acks
//!                                   ▼
//!                    worker × N ─▶ outbox/<hash>.jsonl and/or <publish-subject>.<category>
//!                                   │ after max_deliver failures
//!                                   ▼
//!                             PRESSWIRE_DEAD (error reports; dumps kept in the object bucket)
//! ```
//! - [`config`]: the `[nats]` and `[source]` tables.
//! - [`job`]: what a job message carries (headers and payload).
//! - [`submit`]: publishing jobs with checked acks, big dumps via [`objects`].
//! - [`relay`]: `run --submit-to`, the inbox daemon enqueueing instead of processing.
//! - [`worker`]: pulling jobs and running the same pipeline cores as the daemon.
//! - [`staging`]: per-worker staging so workers can share one outbox folder.
//! - [`dead_letter`]: jobs that failed `max_deliver` times, with their error report.
//!
//! Every stream, the consumer and the bucket are created idempotently by [`Queue::connect`]
//! and its `ensure_*` helpers, so any command may come first. Only what nats-server 2.9
//! understands is ever sent (the `server_2_10`+ features of async-nats are off).

pub mod config;
pub mod dead_letter;
pub mod job;
pub mod objects;
pub mod relay;
pub mod staging;
pub mod submit;
pub mod worker;

use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{self, consumer, stream};

pub use config::{NatsOptions, SourceKind, SourceOptions};

/// A connection to the work queue, with its configuration.
#[derive(Clone)]
pub struct Queue {
    /// The core NATS client.
    pub client: async_nats::Client,
    /// JetStream on that client.
    pub js: jetstream::Context,
    /// Names and limits.
    pub opts: NatsOptions,
}

impl Queue {
    /// Connects to `url` (comma-separated list allowed) and ensures the job stream exists.
    ///
    /// # Errors
    /// If the server cannot be reached, has no JetStream, or refuses the stream.
    pub async fn connect(url: &str, opts: NatsOptions, name: &str) -> anyhow::Result<Queue> {
        let client = async_nats::ConnectOptions::new()
            .name(name)
            .connection_timeout(opts.request_timeout)
            .request_timeout(Some(opts.request_timeout))
            .connect(url)
            .await
            .with_context(|| format!("cannot connect to NATS at {url}"))?;
        let js = jetstream::ContextBuilder::new()
            .timeout(opts.request_timeout)
            .build(client.clone());
        let q = Queue { client, js, opts };
        q.ensure_jobs_stream().await?;
        Ok(q)
    }

    /// The largest message the server accepts (payload plus headers), in bytes.
    pub fn max_payload(&self) -> usize {
        self.client.server_info().max_payload
    }

    /// Ensures the WorkQueue job stream exists.
    ///
    /// # Errors
    /// If it cannot be looked up or created.
    pub async fn ensure_jobs_stream(&self) -> anyhow::Result<stream::Stream> {
        let o = &self.opts;
        self.ensure_stream(stream::Config {
            name: o.stream.clone(),
            description: Some("presswire jobs: one raw dump per message".into()),
            subjects: vec![o.subject.clone()],
            retention: stream::RetentionPolicy::WorkQueue,
            discard: stream::DiscardPolicy::New,
            max_messages: limit(o.max_jobs),
            max_bytes: limit(o.max_bytes),
            max_consumers: -1,
            max_messages_per_subject: -1,
            duplicate_window: o.duplicate_window,
            storage: storage(o),
            num_replicas: o.replicas,
            ..Default::default()
        })
        .await
    }

    /// Ensures the dead-letter stream exists (limits retention, kept until an operator acts).
    ///
    /// # Errors
    /// If it cannot be looked up or created.
    pub async fn ensure_dead_letter_stream(&self) -> anyhow::Result<stream::Stream> {
        let o = &self.opts;
        self.ensure_stream(stream::Config {
            name: o.dead_letter_stream.clone(),
            description: Some("presswire jobs that failed max_deliver times".into()),
            subjects: vec![format!("{}.>", o.dead_letter_subject)],
            max_messages: -1,
            max_bytes: -1,
            max_consumers: -1,
            max_messages_per_subject: -1,
            duplicate_window: o.duplicate_window,
            storage: storage(o),
            num_replicas: o.replicas,
            ..Default::default()
        })
        .await
    }

    /// Ensures a stream captures `<prefix>.>` for published records.
    ///
    /// # Errors
    /// If it cannot be looked up or created.
    pub async fn ensure_articles_stream(&self, prefix: &str) -> anyhow::Result<stream::Stream> {
        let o = &self.opts;
        self.ensure_stream(stream::Config {
            name: o.articles_stream.clone(),
            description: Some("presswire records, one per article".into()),
            subjects: vec![format!("{prefix}.>")],
            max_messages: -1,
            max_bytes: -1,
            max_consumers: -1,
            max_messages_per_subject: -1,
            duplicate_window: o.duplicate_window,
            storage: storage(o),
            num_replicas: o.replicas,
            ..Default::default()
        })
        .await
    }

    /// Ensures the workers' durable pull consumer exists and returns it.
    ///
    /// # Errors
    /// If it cannot be looked up or created.
    pub async fn ensure_consumer(&self) -> anyhow::Result<consumer::PullConsumer> {
        let o = &self.opts;
        let stream = self.ensure_jobs_stream().await?;
        let want = consumer::pull::Config {
            durable_name: Some(o.consumer.clone()),
            description: Some("presswire workers".into()),
            ack_policy: consumer::AckPolicy::Explicit,
            ack_wait: o.ack_wait,
            max_deliver: o.max_deliver,
            max_ack_pending: o.max_ack_pending,
            deliver_policy: consumer::DeliverPolicy::All,
            replay_policy: consumer::ReplayPolicy::Instant,
            ..Default::default()
        };
        let c: consumer::PullConsumer = stream
            .get_or_create_consumer(&o.consumer, want.clone())
            .await
            .with_context(|| {
                format!(
                    "cannot create or open consumer {} on stream {}",
                    o.consumer, o.stream
                )
            })?;
        let have = &c.cached_info().config;
        if have.ack_wait != want.ack_wait
            || have.max_deliver != want.max_deliver
            || have.max_ack_pending != want.max_ack_pending
        {
            tracing::warn!(
                consumer = %o.consumer,
                ack_wait_ms = have.ack_wait.as_millis() as u64,
                max_deliver = have.max_deliver,
                max_ack_pending = have.max_ack_pending,
                "the existing consumer's limits differ from the config; they are kept (delete the consumer to apply new ones)"
            );
        }
        Ok(c)
    }

    /// Opens (or creates) the object bucket for big dumps.
    ///
    /// # Errors
    /// If it cannot be looked up or created.
    pub async fn object_store(&self) -> anyhow::Result<jetstream::object_store::ObjectStore> {
        objects::ensure_bucket(self).await
    }

    /// Gets a stream, or creates it; a concurrent creation by another command is fine.
    async fn ensure_stream(&self, want: stream::Config) -> anyhow::Result<stream::Stream> {
        let name = want.name.clone();
        match self.js.get_stream(&name).await {
            Ok(mut s) => {
                warn_if_different(&want, &s.info().await?.config);
                Ok(s)
            }
            Err(e) if stream_not_found(&e) => match self.js.create_stream(want).await {
                Ok(s) => {
                    tracing::info!(stream = %name, "created stream");
                    Ok(s)
                }
                Err(create) => self.js.get_stream(&name).await.map_err(|_| {
                    anyhow::Error::new(create).context(format!("cannot create stream {name}"))
                }),
            },
            Err(e) => Err(anyhow::Error::new(e).context(format!(
                "cannot look up stream {name} (is JetStream enabled on the server? start it with -js)"
            ))),
        }
    }
}

/// Is this "stream not found"?
fn stream_not_found(e: &jetstream::context::GetStreamError) -> bool {
    matches!(e.kind(), jetstream::context::GetStreamErrorKind::JetStream(j)
        if j.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND)
}

/// Limit 0 means none, which JetStream spells -1.
fn limit(n: i64) -> i64 {
    if n == 0 {
        -1
    } else {
        n
    }
}

fn storage(o: &NatsOptions) -> stream::StorageType {
    match o.storage {
        config::StorageKind::File => stream::StorageType::File,
        config::StorageKind::Memory => stream::StorageType::Memory,
    }
}

/// Logs when an existing stream was created with other settings than the config asks for.
fn warn_if_different(want: &stream::Config, have: &stream::Config) {
    let mut diffs = Vec::new();
    if want.subjects != have.subjects {
        diffs.push(format!(
            "subjects {:?} (config {:?})",
            have.subjects, want.subjects
        ));
    }
    if want.retention != have.retention {
        diffs.push(format!(
            "retention {:?} (config {:?})",
            have.retention, want.retention
        ));
    }
    if want.duplicate_window != have.duplicate_window {
        diffs.push(format!(
            "duplicate_window {:?} (config {:?})",
            have.duplicate_window, want.duplicate_window
        ));
    }
    if want.max_messages != have.max_messages || want.max_bytes != have.max_bytes {
        diffs.push(format!(
            "max_msgs {} / max_bytes {} (config {} / {})",
            have.max_messages, have.max_bytes, want.max_messages, want.max_bytes
        ));
    }
    if !diffs.is_empty() {
        tracing::warn!(
            stream = %want.name,
            differences = %diffs.join("; "),
            "the existing stream differs from the config; it is used as it is (edit it with `nats stream edit`)"
        );
    }
}

/// A subject token for a category label: `.`/`*`/`>`/whitespace become `_`.
pub fn subject_token(label: &str) -> String {
    let t: String = label
        .chars()
        .map(|c| {
            if c == '.' || c == '*' || c == '>' || c.is_whitespace() || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if t.is_empty() {
        "unknown".into()
    } else {
        t
    }
}

/// Sleeps for `d`, or returns early when `cancel` fires.
pub(crate) async fn pause(d: Duration, cancel: &tokio_util::sync::CancellationToken) {
    tokio::select! {
        () = tokio::time::sleep(d) => {}
        () = cancel.cancelled() => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_labels_become_single_tokens() {
        assert_eq!(subject_token("sports"), "sports");
        assert_eq!(subject_token("a.b c*>"), "a_b_c__");
        assert_eq!(subject_token("体育"), "体育");
        assert_eq!(subject_token(""), "unknown");
    }

    #[test]
    fn shipped_file_mirrors_the_nats_defaults() -> Result<(), String> {
        // The [nats] and [source] tables are commented out in config/presswire.toml; uncomment
        // them and check that every value shown there is the compiled-in default.
        let text: String = crate::config::DEFAULT_CONFIG
            .lines()
            .skip_while(|l| !l.starts_with("# [source]"))
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| {
                l.starts_with('[')
                    || l.split_once(" = ").is_some_and(|(k, _)| {
                        k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    })
            })
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(text.contains("[nats]") && text.contains("max_deliver"));
        let parsed = crate::Config::from_toml(&text).map_err(|e| e.to_string())?;
        assert_eq!(parsed, crate::Config::default());
        Ok(())
    }
}
