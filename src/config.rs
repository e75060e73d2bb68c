//! Configuration: TOML → typed [`Config`], with defaults compiled in from `config/`.
//!
//! Precedence is built-in defaults < `--config FILE` < command-line flags. A file is read only
//! when given: behaviour never depends on the working directory. Unknown keys are errors.

use std::path::{Path, PathBuf};
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::cluster::config::{NatsOptions, SourceOptions};
use crate::stages::tag::TagOptions;

/// The shipped default configuration; [`Config::default`] equals it (a test checks).
pub const DEFAULT_CONFIG: &str = include_str!("../config/presswire.toml");

/// presswire's whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Folder watched for dumps.
    pub inbox: PathBuf,
    /// Folder the JSON Lines output is written to.
    pub outbox: PathBuf,
    /// Where the daemon keeps its state (ledger, lock); default `<inbox>/.presswire`.
    pub state_dir: Option<PathBuf>,
    /// Where processed inputs are moved; default `<inbox>/.done`.
    pub archive_dir: Option<PathBuf>,
    /// What happens to an input once its output is safely written: `move` or `delete`.
    pub archive: ArchiveMode,
    /// Where failed inputs go, each with `<name>.error.json`; default `<inbox>/.quarantine`.
    pub quarantine_dir: Option<PathBuf>,
    /// Full rescan period of the inbox, in case a notification was missed (e.g. `30s`).
    #[serde(with = "humantime_serde")]
    #[schemars(with = "String")]
    pub rescan_interval: Duration,
    /// How long a file written in place must keep its size and mtime before it is read.
    #[serde(with = "humantime_serde")]
    #[schemars(with = "String")]
    pub settle: Duration,
    /// How long SIGTERM waits for in-flight dumps before exiting.
    #[serde(with = "humantime_serde")]
    #[schemars(with = "String")]
    pub shutdown_timeout: Duration,
    /// Files larger than this are quarantined without being read.
    pub max_file_bytes: u64,
    /// Dumps processed concurrently (claimed but not yet written).
    pub max_in_flight: usize,
    /// Quarantine an input after the daemon died this many times while it was in flight
    /// (a dump that crashes the whole process); 0 never does.
    pub max_attempts: u32,
    /// Capacity of each channel between stages.
    pub channel_capacity: usize,
    /// Threads for CPU-heavy stage work; 0 means one per core.
    pub workers: usize,
    /// Omit `processed_at` so output bytes depend only on input and config.
    pub deterministic: bool,
    /// Tag stage options.
    pub tag: TagOptions,
    /// Classifier options.
    pub classify: ClassifyOptions,
    /// Logging options.
    pub log: LogOptions,
    /// What `run` does with inbox files: process them here, or enqueue them on NATS.
    pub source: SourceOptions,
    /// The NATS JetStream work queue (`submit`, `worker`, `run --submit-to`).
    pub nats: NatsOptions,
}

/// What to do with an input after its output is durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArchiveMode {
    /// Move it into `archive_dir`.
    Move,
    /// Delete it.
    Delete,
}

/// Classifier selection: the `taxonomy` classifier unless `model` names a linear model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ClassifyOptions {
    /// A taxonomy TOML file to use instead of the built-in one.
    pub taxonomy: Option<PathBuf>,
    /// A linear model file from `presswire train`; when set it replaces the taxonomy.
    pub model: Option<PathBuf>,
    /// Linear model only: below this softmax probability of the best label, the category
    /// is `unknown` (0 never gives `unknown`).
    pub min_score: f64,
}

/// Logging options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LogOptions {
    /// `text` for people, `json` for machines.
    pub format: LogFormat,
    /// Level filter when `RUST_LOG` is unset (`error`, `warn`, `info`, `debug`, `trace`).
    pub level: String,
}

/// Log line format.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per event.
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            inbox: PathBuf::from("inbox"),
            outbox: PathBuf::from("outbox"),
            state_dir: None,
            archive_dir: None,
            archive: ArchiveMode::Move,
            quarantine_dir: None,
            rescan_interval: Duration::from_secs(30),
            settle: Duration::from_millis(500),
            shutdown_timeout: Duration::from_secs(10),
            max_file_bytes: 64 * 1024 * 1024,
            max_in_flight: 16,
            max_attempts: 3,
            channel_capacity: 8,
            workers: 0,
            deterministic: false,
            tag: TagOptions::default(),
            classify: ClassifyOptions::default(),
            log: LogOptions::default(),
            source: SourceOptions::default(),
            nats: NatsOptions::default(),
        }
    }
}

impl Default for ClassifyOptions {
    fn default() -> Self {
        ClassifyOptions {
            taxonomy: None,
            model: None,
            min_score: 0.5,
        }
    }
}

impl Default for LogOptions {
    fn default() -> Self {
        LogOptions {
            format: LogFormat::Text,
            level: "info".into(),
        }
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The TOML is malformed or has unknown keys.
    #[error("invalid config {path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Why, with line and column.
        source: toml::de::Error,
    },
    /// A value is out of range or folders overlap.
    #[error("invalid config: {0}")]
    Invalid(String),
}

impl Config {
    /// Reads and parses a config file (not yet validated).
    ///
    /// # Errors
    /// [`ConfigError::Read`] or [`ConfigError::Parse`], naming the file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_toml(&text).map_err(|source| ConfigError::Parse {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Parses TOML text; missing keys take their defaults.
    ///
    /// # Errors
    /// On malformed TOML, wrong types or unknown keys.
    pub fn from_toml(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }

    /// The state folder (ledger, lock).
    pub fn state_dir(&self) -> PathBuf {
        self.state_dir
            .clone()
            .unwrap_or_else(|| self.inbox.join(".presswire"))
    }

    /// The archive folder.
    pub fn archive_dir(&self) -> PathBuf {
        self.archive_dir
            .clone()
            .unwrap_or_else(|| self.inbox.join(".done"))
    }

    /// The quarantine folder.
    pub fn quarantine_dir(&self) -> PathBuf {
        self.quarantine_dir
            .clone()
            .unwrap_or_else(|| self.inbox.join(".quarantine"))
    }

    /// Worker threads for stage work.
    pub fn workers(&self) -> usize {
        if self.workers > 0 {
            self.workers
        } else {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        }
    }

    /// Checks values and folder layout without touching the filesystem.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the offending key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: String| Err(ConfigError::Invalid(m));
        if self.max_in_flight == 0 {
            return bad("max_in_flight must be at least 1".into());
        }
        if self.channel_capacity == 0 {
            return bad("channel_capacity must be at least 1".into());
        }
        if self.max_file_bytes == 0 {
            return bad("max_file_bytes must be at least 1".into());
        }
        if self.rescan_interval < Duration::from_millis(100) {
            return bad("rescan_interval must be at least 100ms".into());
        }
        if !(0.0..=1.0).contains(&self.classify.min_score) {
            return bad(format!(
                "classify.min_score must be between 0 and 1 (got {})",
                self.classify.min_score
            ));
        }
        if !matches!(
            self.log.level.as_str(),
            "error" | "warn" | "info" | "debug" | "trace"
        ) {
            return bad(format!(
                "log.level must be one of error, warn, info, debug, trace (got {:?})",
                self.log.level
            ));
        }
        self.nats.validate().map_err(ConfigError::Invalid)?;
        let inbox = lexical(&self.inbox);
        let outbox = lexical(&self.outbox);
        if inbox == outbox {
            return bad(format!(
                "inbox and outbox are the same folder ({})",
                self.inbox.display()
            ));
        }
        if outbox.starts_with(&inbox) || inbox.starts_with(&outbox) {
            return bad(format!(
                "inbox ({}) and outbox ({}) must not be nested in each other",
                self.inbox.display(),
                self.outbox.display()
            ));
        }
        for (name, dir) in [
            ("archive_dir", self.archive_dir()),
            ("quarantine_dir", self.quarantine_dir()),
            ("state_dir", self.state_dir()),
        ] {
            let d = lexical(&dir);
            if d == inbox {
                return bad(format!(
                    "{name} must not be the inbox itself ({})",
                    dir.display()
                ));
            }
            if d.starts_with(&outbox) {
                return bad(format!(
                    "{name} ({}) must not live in the outbox",
                    dir.display()
                ));
            }
            if inbox.starts_with(&d) {
                return bad(format!(
                    "{name} ({}) must not contain the inbox",
                    dir.display()
                ));
            }
            if d.starts_with(&inbox) && !hidden_below(&inbox, &d) {
                return bad(format!(
                    "{name} ({}) is inside the inbox but not in a dot-folder, so its files would be picked up again",
                    dir.display()
                ));
            }
        }
        Ok(())
    }
}

impl Config {
    /// [`Config::validate`], then the same checks again on the real folders: symlinks among the
    /// folders that exist are resolved, so an outbox that is a link into the inbox (which would
    /// loop outputs back in as inputs) is refused too. Run at start-up and by `check-config`.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the offending key.
    pub fn validate_on_disk(&self) -> Result<(), ConfigError> {
        self.validate()?;
        let mut real = self.clone();
        real.inbox = resolved(&self.inbox);
        real.outbox = resolved(&self.outbox);
        real.state_dir = Some(resolved(&self.state_dir()));
        real.archive_dir = Some(resolved(&self.archive_dir()));
        real.quarantine_dir = Some(resolved(&self.quarantine_dir()));
        real.validate().map_err(|e| match e {
            ConfigError::Invalid(m) => ConfigError::Invalid(format!(
                "{m} (after resolving symlinks: inbox is {}, outbox is {})",
                real.inbox.display(),
                real.outbox.display()
            )),
            other => other,
        })
    }
}

/// The path with its longest existing ancestor canonicalised (symlinks resolved) and the rest
/// appended, so folders that do not exist yet are checked where they will be created.
fn resolved(p: &Path) -> PathBuf {
    let abs = lexical(p);
    let mut head = abs.clone();
    let mut tail = Vec::new();
    loop {
        if let Ok(c) = head.canonicalize() {
            let mut out = c;
            for part in tail.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (head.file_name().map(|n| n.to_os_string()), head.parent()) {
            (Some(name), Some(parent)) => {
                tail.push(name);
                head = parent.to_path_buf();
            }
            _ => return abs,
        }
    }
}

/// Absolute, `.`/`..`-resolved form of a path, without touching the filesystem.
fn lexical(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// Is `dir` under `inbox` through a dot-folder (which the inbox scan ignores)?
fn hidden_below(inbox: &Path, dir: &Path) -> bool {
    dir.strip_prefix(inbox)
        .ok()
        .and_then(|rest| rest.components().next())
        .is_some_and(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_file_equals_the_defaults() {
        let parsed = Config::from_toml(DEFAULT_CONFIG).map_err(|e| e.to_string());
        assert_eq!(parsed, Ok(Config::default()));
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(Config::from_toml("inbx = \"x\"").is_err());
        assert!(Config::from_toml("[tag]\nkeywordz = 3").is_err());
    }

    #[test]
    fn durations_parse_from_human_strings() {
        let c = Config::from_toml("rescan_interval = \"2s\"\nsettle = \"250ms\"")
            .map_err(|e| e.to_string());
        assert_eq!(
            c.map(|c| (c.rescan_interval, c.settle)),
            Ok((Duration::from_secs(2), Duration::from_millis(250)))
        );
    }

    #[test]
    fn overlapping_folders_are_refused() {
        let mut c = Config::default();
        assert!(c.validate().is_ok());
        c.outbox = "inbox/out".into();
        assert!(c.validate().is_err());
        c.outbox = "inbox".into();
        assert!(c.validate().is_err());
        let mut c = Config {
            archive_dir: Some("inbox/done".into()),
            ..Config::default()
        };
        assert!(
            c.validate().is_err(),
            "visible folder inside the inbox would loop"
        );
        c.archive_dir = Some("outbox/done".into());
        assert!(c.validate().is_err());
        c.archive_dir = Some("/tmp/elsewhere".into());
        assert!(c.validate().is_ok());
    }
}
