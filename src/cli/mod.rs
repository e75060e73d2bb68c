//! The command line: one module per subcommand; this file holds the argument definitions.

pub mod check_config;
pub mod process;
pub mod run;
pub mod schema;
pub mod submit;
pub mod worker;

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};
use presswire::config::{Config, LogFormat};
use presswire::source::Format;

/// presswire: turns raw newspaper dumps into clean, enriched JSON Lines articles.
#[derive(Debug, Parser)]
#[command(name = "presswire", version, about, long_about = None)]
pub struct Cli {
    /// Log format on stderr (overrides the config's `log.format`).
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormat>,
    /// Log level when RUST_LOG is unset: error, warn, info, debug, trace.
    #[arg(long, global = true)]
    pub log_level: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Watch the inbox and process every dump dropped into it, until SIGTERM/SIGINT.
    Run(RunArgs),
    /// Process files (or stdin) once and print records as JSON Lines on stdout.
    Process(ProcessArgs),
    /// Validate a config file: unknown keys, values, folder layout.
    CheckConfig(CheckConfigArgs),
    /// Print the JSON Schema of the output record.
    Schema,
    /// Queue dumps on a NATS JetStream work queue for `presswire worker`s.
    Submit(SubmitArgs),
    /// Process jobs from a NATS JetStream work queue until SIGTERM/SIGINT.
    Worker(WorkerArgs),
}

/// `presswire run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Config file (TOML); built-in defaults apply without one.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Inbox folder (overrides the config).
    #[arg(long)]
    pub inbox: Option<PathBuf>,
    /// Outbox folder (overrides the config).
    #[arg(long)]
    pub outbox: Option<PathBuf>,
    /// Leave `processed_at` null so output depends only on input and config.
    #[arg(long)]
    pub deterministic: bool,
    /// Enqueue inbox files on this NATS server instead of processing them here
    /// (as `[source] kind = "nats"` with `[nats] url`).
    #[arg(long, value_name = "URL")]
    pub submit_to: Option<String>,
}

/// `presswire submit`.
#[derive(Debug, clap::Args)]
pub struct SubmitArgs {
    /// Config file (TOML); its `[nats]` table names the streams.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// NATS server URL (overrides `[nats] url`).
    #[arg(long, value_name = "URL", env = "NATS_URL")]
    pub nats: Option<String>,
    /// Skip content whose output this outbox folder already holds.
    #[arg(long)]
    pub outbox: Option<PathBuf>,
    /// Queue even content seen within the duplicate window (to re-drive a dead letter).
    #[arg(long)]
    pub force: bool,
    /// Folders (their files, not recursively), files, or `-` for stdin.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// `presswire worker`.
#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    /// Config file (TOML).
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// NATS server URL (overrides `[nats] url`).
    #[arg(long, value_name = "URL", env = "NATS_URL")]
    pub nats: Option<String>,
    /// Write `<hash>.jsonl` files here (may be shared by several workers).
    #[arg(long)]
    pub outbox: Option<PathBuf>,
    /// Publish each record to `<S>.<category>` (captured by `[nats] articles_stream`).
    #[arg(long, value_name = "S")]
    pub publish_subject: Option<String>,
    /// Jobs run at once (overrides `[nats] concurrency`).
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Leave `processed_at` null.
    #[arg(long)]
    pub deterministic: bool,
}

/// `presswire process`.
#[derive(Debug, clap::Args)]
pub struct ProcessArgs {
    /// Config file (TOML).
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Input format; by default `*.jsonl` files are JSONL and everything else a dump.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Leave `processed_at` null.
    #[arg(long)]
    pub deterministic: bool,
    /// Files to process; none or `-` reads stdin.
    pub paths: Vec<PathBuf>,
}

/// `presswire check-config`.
#[derive(Debug, clap::Args)]
pub struct CheckConfigArgs {
    /// The config file to check; without it, the built-in defaults are checked.
    pub file: Option<PathBuf>,
    /// Check values only; do not look at the folders.
    #[arg(long)]
    pub no_environment: bool,
}

/// Loads the config file if given, else the defaults, and validates it.
///
/// # Errors
/// If the file cannot be read, parsed or validated.
pub fn load_config(path: Option<&Path>) -> anyhow::Result<Config> {
    let config = match path {
        Some(p) => Config::from_file(p)?,
        None => Config::default(),
    };
    Ok(config)
}

/// Validates a fully assembled config (after flags were applied).
///
/// # Errors
/// With the validation message.
pub fn validated(config: Config) -> anyhow::Result<Config> {
    config.validate().context("configuration rejected")?;
    Ok(config)
}
