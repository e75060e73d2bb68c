//! The `[nats]` and `[source]` configuration tables: where the work queue lives, what its
//! streams and consumer are called, and their limits.

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where `presswire run` sends what it finds in the inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SourceOptions {
    /// `local` processes inbox files in this process; `nats` enqueues them on `[nats]`.
    pub kind: SourceKind,
}

/// How the daemon handles the files it claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// Run the pipeline here.
    Local,
    /// Publish each file as a job for `presswire worker`s.
    Nats,
}

impl Default for SourceOptions {
    fn default() -> Self {
        SourceOptions {
            kind: SourceKind::Local,
        }
    }
}

/// Storage backend of the streams presswire creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StorageKind {
    /// On disk (survives a server restart).
    File,
    /// In memory.
    Memory,
}

/// The NATS JetStream work queue shared by `submit`, `run --submit-to` and `worker`.
///
/// Streams and the consumer are created on first use by whichever command comes first;
/// an existing stream keeps its configuration (a warning names any difference).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NatsOptions {
    /// Server URL(s), comma-separated; `--nats` / `--submit-to` override it.
    pub url: String,
    /// WorkQueue stream holding the jobs.
    pub stream: String,
    /// Subject jobs are published on (the stream captures exactly this subject).
    pub subject: String,
    /// Durable pull consumer shared by every worker.
    pub consumer: String,
    /// How long the stream remembers a `Nats-Msg-Id`, so a re-submitted dump is not queued twice.
    #[serde(with = "humantime_serde")]
    #[schemars(with = "String")]
    pub duplicate_window: Duration,
    /// Most jobs waiting in the stream; 0 = no limit. Beyond it, submitting fails (DiscardNew).
    pub max_jobs: i64,
    /// Most bytes of jobs waiting in the stream; 0 = no limit. Beyond it, submitting fails.
    pub max_bytes: i64,
    /// Storage of every stream presswire creates: `file` or `memory`.
    pub storage: StorageKind,
    /// Replicas of every stream (1 on a single server; 3 in a cluster).
    pub replicas: usize,
    /// Deliveries of one job before it goes to the dead-letter stream.
    pub max_deliver: i64,
    /// How long a worker may hold a job without acking before it is redelivered elsewhere
    /// (workers send in-progress acks every third of it while a job runs).
    #[serde(with = "humantime_serde")]
    #[schemars(with = "String")]
    pub ack_wait: Duration,
    /// How long a failed job waits before its next delivery.
    #[serde(with = "humantime_serde")]
    #[schemars(with = "String")]
    pub nak_delay: Duration,
    /// Jobs delivered but not yet acked, across all workers (the consumer's `max_ack_pending`).
    pub max_ack_pending: i64,
    /// Jobs one worker runs at once; 0 = the `workers` setting (one per core by default).
    pub concurrency: usize,
    /// Stream receiving failed jobs and their error reports.
    pub dead_letter_stream: String,
    /// Subject prefix of dead letters (`<prefix>.<job stream>`).
    pub dead_letter_subject: String,
    /// Object Store bucket for dumps over the server's max payload (and dead-lettered dumps).
    pub object_bucket: String,
    /// Stream capturing records published by `worker --publish-subject S` (subjects `S.>`).
    pub articles_stream: String,
    /// Deadline of each request to the server (stream set-up, publish acks).
    #[serde(with = "humantime_serde")]
    #[schemars(with = "String")]
    pub request_timeout: Duration,
}

impl Default for NatsOptions {
    fn default() -> Self {
        NatsOptions {
            url: "nats://127.0.0.1:4222".into(),
            stream: "PRESSWIRE_JOBS".into(),
            subject: "presswire.jobs".into(),
            consumer: "presswire-workers".into(),
            duplicate_window: Duration::from_secs(24 * 3600),
            max_jobs: 0,
            max_bytes: 0,
            storage: StorageKind::File,
            replicas: 1,
            max_deliver: 5,
            ack_wait: Duration::from_secs(60),
            nak_delay: Duration::from_secs(10),
            max_ack_pending: 256,
            concurrency: 0,
            dead_letter_stream: "PRESSWIRE_DEAD".into(),
            dead_letter_subject: "presswire.dead".into(),
            object_bucket: "presswire-dumps".into(),
            articles_stream: "PRESSWIRE_ARTICLES".into(),
            request_timeout: Duration::from_secs(10),
        }
    }
}

impl NatsOptions {
    /// Checks names and limits without contacting a server.
    ///
    /// # Errors
    /// A message naming the offending `nats.*` key.
    pub fn validate(&self) -> Result<(), String> {
        for (key, name) in [
            ("nats.stream", &self.stream),
            ("nats.dead_letter_stream", &self.dead_letter_stream),
            ("nats.articles_stream", &self.articles_stream),
            ("nats.consumer", &self.consumer),
        ] {
            if name.is_empty() || name.chars().any(|c| ".*> \t\r\n/\\".contains(c)) {
                return Err(format!(
                    "{key} = {name:?} must be non-empty without '.', '*', '>', '/', '\\' or spaces"
                ));
            }
        }
        if self.object_bucket.is_empty()
            || !self
                .object_bucket
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!(
                "nats.object_bucket = {:?} may only hold letters, digits, '-' and '_'",
                self.object_bucket
            ));
        }
        for (key, subject) in [
            ("nats.subject", &self.subject),
            ("nats.dead_letter_subject", &self.dead_letter_subject),
        ] {
            if !is_literal_subject(subject) {
                return Err(format!(
                    "{key} = {subject:?} must be a literal subject (tokens separated by '.', no wildcards or spaces)"
                ));
            }
        }
        if self
            .subject
            .starts_with(&format!("{}.", self.dead_letter_subject))
            || self.subject == self.dead_letter_subject
        {
            return Err("nats.subject must not lie under nats.dead_letter_subject".into());
        }
        if self.duplicate_window < Duration::from_secs(1) {
            return Err("nats.duplicate_window must be at least 1s".into());
        }
        if self.max_jobs < 0 || self.max_bytes < 0 {
            return Err("nats.max_jobs and nats.max_bytes must be 0 (no limit) or more".into());
        }
        if !(1..=5).contains(&self.replicas) {
            return Err("nats.replicas must be between 1 and 5".into());
        }
        if self.max_deliver < 1 {
            return Err("nats.max_deliver must be at least 1".into());
        }
        if self.ack_wait < Duration::from_secs(1) {
            return Err("nats.ack_wait must be at least 1s".into());
        }
        if self.max_ack_pending < 1 {
            return Err("nats.max_ack_pending must be at least 1".into());
        }
        if self.request_timeout < Duration::from_millis(100) {
            return Err("nats.request_timeout must be at least 100ms".into());
        }
        Ok(())
    }
}

/// Is `s` a valid subject without wildcards?
pub fn is_literal_subject(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|t| !t.is_empty() && t != "*" && t != ">" && !t.chars().any(char::is_whitespace))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_names_are_refused() {
        assert_eq!(NatsOptions::default().validate(), Ok(()));
        let bad = |f: fn(&mut NatsOptions)| {
            let mut o = NatsOptions::default();
            f(&mut o);
            o.validate().is_err()
        };
        assert!(bad(|o| o.stream = "A.B".into()));
        assert!(bad(|o| o.subject = "presswire.*".into()));
        assert!(bad(|o| o.subject = "presswire..jobs".into()));
        assert!(bad(|o| o.object_bucket = "a.b".into()));
        assert!(bad(|o| o.subject = "presswire.dead.x".into()));
        assert!(bad(|o| o.max_deliver = 0));
        assert!(bad(|o| o.max_jobs = -1));
    }
}
