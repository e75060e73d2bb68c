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
    /// Column size range in characters, `MIN-MAX` (default 400-1200, the sample dump's rate
    /// of column breaks; `90-320` is a stress setting with four times as many).
    #[arg(long, value_parser = parse_columns)]
    pub columns: Option<(usize, usize)>,
}

fn parse_columns(s: &str) -> Result<(usize, usize), String> {
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| format!("expected MIN-MAX, got {s:?}"))?;
    let min: usize = a
        .trim()
        .parse()
        .map_err(|e| format!("bad MIN {a:?}: {e}"))?;
    let max: usize = b
        .trim()
        .parse()
        .map_err(|e| format!("bad MAX {b:?}: {e}"))?;
    if min < 20 || max < min {
        return Err(format!("need 20 <= MIN <= MAX, got {min}-{max}"));
    }
    Ok((min, max))
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
    let opts = args
        .columns
        .map_or_else(gen::GenOptions::default, |(column_min, column_max)| {
            gen::GenOptions {
                column_min,
                column_max,
            }
        });
    let g = gen::generate(&sources, &args.out, &truth, args.count, args.seed, &opts)
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
