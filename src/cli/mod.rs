//! The command line: one module per subcommand; this file holds the argument definitions.

pub mod check_config;
pub mod eval_keywords;
pub mod eval_ner;
pub mod eval_split;
pub mod gen_dumps;
pub mod process;
pub mod replay;
pub mod run;
pub mod schema;
pub mod status;
pub mod submit;
pub mod train;
pub mod train_ner;
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
    /// Process folders and archives once, in parallel, into an outbox (resumable).
    Replay(ReplayArgs),
    /// Train a linear topic model from labelled JSON Lines (see docs/CLASSIFY.md).
    Train(TrainArgs),
    /// Queue dumps on a NATS JetStream work queue for `presswire worker`s.
    Submit(SubmitArgs),
    /// Process jobs from a NATS JetStream work queue until SIGTERM/SIGINT.
    Worker(WorkerArgs),
    /// Show recent activity and counts from the daemon's ledger.
    Status(StatusArgs),
    /// Write scrambled test dumps with ground truth, built from real articles.
    GenDumps(gen_dumps::GenDumpsArgs),
    /// Score split + clean on dumps written by `gen-dumps`.
    EvalSplit(eval_split::EvalSplitArgs),
    /// Developer: fetch the MSRA corpus and train the entity tagger model.
    TrainNer(train_ner::TrainNerArgs),
    /// Developer: score the entity tagger on a BIO/BMES corpus (exact span match).
    EvalNer(eval_ner::EvalNerArgs),
    /// Developer: score keywords against reference keyword lists (TNEWS format).
    EvalKeywords(eval_keywords::EvalKeywordsArgs),
}

/// `presswire replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// Config file (TOML).
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Output folder (default: the config's `outbox`). Failure reports go to `<out>/.failed/`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: the config's `workers`, 0 = one per core).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Input format; by default `*.jsonl` files are JSONL and everything else a dump.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Reprocess inputs whose output is already in the output folder.
    #[arg(long)]
    pub force: bool,
    /// Leave `processed_at` null (byte-identical to `run --deterministic`).
    #[arg(long)]
    pub deterministic: bool,
    /// Progress as log lines even on a terminal.
    #[arg(long)]
    pub progress_lines: bool,
    /// Seconds between progress lines.
    #[arg(long, default_value_t = 5)]
    pub progress_every: u64,
    /// No progress output, only the summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Folders (walked recursively), `.tar`, `.tar.gz`/`.tgz` and `.zip` archives, or files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
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
    /// Serve Prometheus `/metrics` and `/healthz` on this address (off by default), e.g.
    /// `127.0.0.1:9898`. Port 0 picks a free port (logged).
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// Allow a non-loopback `--metrics-addr` (the endpoint has no authentication).
    #[arg(long)]
    pub metrics_allow_remote: bool,
    /// Classify with this linear model (from `presswire train`) instead of the taxonomy.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Enqueue inbox files on this NATS server instead of processing them here
    /// (as `[source] kind = "nats"` with `[nats] url`).
    #[arg(long, value_name = "URL")]
    pub submit_to: Option<String>,
    /// Process inputs again even when the ledger says their content is done, rewriting their
    /// output (one file per content still; the ledger records them as `forced`).
    #[arg(long)]
    pub force: bool,
}

/// `presswire status`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Config file (TOML), to find the state folder.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Inbox folder (overrides the config); the state folder defaults to `<inbox>/.presswire`.
    #[arg(long)]
    pub inbox: Option<PathBuf>,
    /// How many recent events to show.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
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
    /// Classify with this linear model (from `presswire train`) instead of the taxonomy.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Files to process; none or `-` reads stdin.
    pub paths: Vec<PathBuf>,
}

/// `presswire train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// Labelled articles, JSON Lines: `{"text": ..., "label": ..., "title": ...}`.
    #[arg(long)]
    pub data: PathBuf,
    /// Where to write the model file.
    #[arg(long)]
    pub out: PathBuf,
    /// Model name reported as `linear:<name>` (default: the file name without extension).
    #[arg(long)]
    pub name: Option<String>,
    /// Config file, for the tag stage's options.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Character n-gram sizes: `MIN-MAX`, `N` or `none` (default: bigrams only; see
    /// docs/CLASSIFY.md).
    #[arg(long, default_value = "2")]
    pub char_ngrams: String,
    /// Do not use jieba words as features.
    #[arg(long)]
    pub no_words: bool,
    /// Keep features found in at least this many articles.
    #[arg(long, default_value_t = 2)]
    pub min_df: u32,
    /// Keep at most this many features (most frequent first).
    #[arg(long, default_value_t = 200_000)]
    pub max_features: usize,
    /// Fit, keep only the N features with the largest weights, and fit again: a smaller,
    /// faster and, on the cnews sample, more accurate model (docs/CLASSIFY.md); 0 keeps all.
    #[arg(long, value_name = "N",
          default_value_t = presswire::stages::classify::linear::train::DEFAULT_PRUNE)]
    pub prune: usize,
    /// L2 penalty λ (objective: mean log-loss + λ/2 ‖W‖²).
    #[arg(long, default_value_t = 1e-5)]
    pub l2: f64,
    /// Most optimiser (L-BFGS) iterations.
    #[arg(long, default_value_t = 300)]
    pub max_iter: usize,
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

/// Log settings from the command line, applied over the config's `[log]` table.
#[derive(Debug, Clone)]
pub struct LogFlags {
    /// `--log-format`.
    pub format: Option<LogFormat>,
    /// `--log-level`.
    pub level: Option<String>,
}

impl LogFlags {
    /// Starts logging: flags win over the config, `RUST_LOG` over both for the level.
    pub fn init(&self, config: &presswire::config::LogOptions) {
        let level = self.level.clone().unwrap_or_else(|| config.level.clone());
        presswire::telemetry::logging::init(self.format.unwrap_or(config.format), &level);
    }
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
