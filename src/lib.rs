//! presswire turns raw newspaper dumps into clean, enriched JSON Lines articles.
//!
//! # Layout, in pipeline order
//! - [`config`]: TOML → typed [`Config`], defaults compiled in from `config/`.
//! - [`source`]: the inbox watcher, safe file reading, charset decoding, JSONL input.
//! - [`stages`]: the synchronous stage cores, split → clean → tag → classify, and the
//!   [`Record`] assembly.
//! - [`work`]: the unit of work and the step each stage applies to it, shared by every command.
//! - [`pipeline`]: the async wiring (tasks, bounded channels, `spawn_blocking`, drain).
//! - [`replay`]: batch replay of folders and archives on a worker pool, same steps as the daemon.
//! - [`sink`]: atomic outbox writes, archive, quarantine, and sealing a batch in crash-safe order.
//! - [`ledger`]: processed content hashes (SQLite, WAL) and the daemon lock.
//! - [`faults`]: the test seam (named crash points, injected faults), inert unless enabled.
//! - [`record`]: the output record and its schema version.
//! - [`cluster`]: scaling out on a NATS JetStream work queue (`submit`, `worker`).
//! - [`eval`]: the scrambled-dump generator and the split/clean scorer.
//! - [`models`], [`shutdown`], [`telemetry`]: model loading, signals, logs and metrics.
#![warn(missing_docs)]

pub mod cluster;
pub mod config;
pub mod eval;
pub mod faults;
pub mod ledger;
pub mod models;
pub mod pipeline;
pub mod record;
pub mod replay;
pub mod shutdown;
pub mod sink;
pub mod source;
pub mod stages;
pub mod telemetry;
pub mod work;

pub use config::Config;
pub use record::{Record, SCHEMA_VERSION};
