//! `presswire gen-dumps`: write a corpus of scrambled dumps with ground truth.

use std::path::PathBuf;

use anyhow::Context;
use presswire::eval::gen;

/// `presswire gen-dumps`.
#[derive(Debug, clap::Args)]
pub struct GenDumpsArgs {
    /// Source articles: JSONL with `title` and `paragraphs` (e.g. the Sina news file).
    #[arg(long)]
    pub source: PathBuf,
    /// Folder for the dumps (`000000.txt`, …); created if missing.
    #[arg(long)]
    pub out: PathBuf,
    /// Folder for the truth files; default `<out>/.truth` (hidden from the inbox watcher).
    #[arg(long)]
    pub truth: Option<PathBuf>,
    /// Number of dumps.
    #[arg(long, default_value_t = 200)]
    pub count: usize,
    /// Random seed: the same source, seed and count give the same corpus.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Generates the corpus and prints a one-line summary.
///
/// # Errors
/// If the source cannot be read or a file cannot be written.
pub fn run(args: GenDumpsArgs) -> anyhow::Result<()> {
    let sources = gen::load_sources(&args.source)?;
    let truth = args
        .truth
        .clone()
        .unwrap_or_else(|| args.out.join(".truth"));
    let g = gen::generate(&sources, &args.out, &truth, args.count, args.seed)
        .context("generating dumps")?;
    println!(
        "wrote {} dumps ({} bytes) to {} from {} source articles; truth in {}",
        g.files,
        g.bytes,
        args.out.display(),
        sources.len(),
        truth.display()
    );
    Ok(())
}
