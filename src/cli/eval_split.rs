//! `presswire eval-split`: score split + clean on a generated corpus.

use std::path::PathBuf;

use presswire::eval;

/// `presswire eval-split`.
#[derive(Debug, clap::Args)]
pub struct EvalSplitArgs {
    /// Folders of dumps written by `gen-dumps`; several are scored together (their counts
    /// pooled: one set of figures over all their dumps).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Folder of truth files, with a single dump folder; default `<dir>/.truth`.
    #[arg(long)]
    pub truth: Option<PathBuf>,
    /// Print the figures as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Scores the corpus and prints the figures.
///
/// # Errors
/// If the folders or a truth file cannot be read.
pub fn run(args: EvalSplitArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.truth.is_none() || args.dirs.len() == 1,
        "--truth names the truth folder of one dump folder, but {} were given",
        args.dirs.len()
    );
    let mut tally = eval::score::Tally::default();
    let mut spent = std::time::Duration::ZERO;
    for dir in &args.dirs {
        let truth = args.truth.clone().unwrap_or_else(|| dir.join(".truth"));
        let before = tally.dumps;
        spent += eval::evaluate(dir, &truth, &mut tally)?;
        anyhow::ensure!(
            tally.dumps > before,
            "no dump with a truth file in {}",
            dir.display()
        );
    }
    let mbps = tally.bytes as f64 / 1e6 / spent.as_secs_f64().max(1e-9);
    let figures = tally.figures();
    if args.json {
        let mut obj = serde_json::Map::new();
        for (k, v) in &figures {
            obj.insert((*k).to_string(), serde_json::json!(v));
        }
        obj.insert("dumps".into(), serde_json::json!(tally.dumps));
        obj.insert("articles".into(), serde_json::json!(tally.articles));
        obj.insert("pieces".into(), serde_json::json!(tally.pieces));
        obj.insert("true_joins".into(), serde_json::json!(tally.joins_true));
        obj.insert(
            "furniture_leaked".into(),
            serde_json::json!(tally.furniture_leaked),
        );
        obj.insert(
            "unmatched_chars".into(),
            serde_json::json!(tally.unmatched_chars),
        );
        obj.insert("split_clean_mb_per_s".into(), serde_json::json!(mbps));
        println!("{}", serde_json::Value::Object(obj));
    } else {
        println!(
            "{} dumps, {} articles, {} pieces, {} true joins",
            tally.dumps, tally.articles, tally.pieces, tally.joins_true
        );
        for (k, v) in &figures {
            println!("{k:<24} {v:.4}");
        }
        println!("{:<24} {}", "furniture_leaked", tally.furniture_leaked);
        println!("{:<24} {}", "unmatched_chars", tally.unmatched_chars);
        println!(
            "{:<24} {mbps:.1} (debug builds are slower; see benches/split_clean.rs)",
            "split_clean_mb_per_s"
        );
    }
    Ok(())
}
