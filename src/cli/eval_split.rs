//! `presswire eval-split`: score split + clean on a generated corpus.

use std::path::PathBuf;

use presswire::eval;

/// `presswire eval-split`.
#[derive(Debug, clap::Args)]
pub struct EvalSplitArgs {
    /// Folder of dumps written by `gen-dumps`.
    pub dir: PathBuf,
    /// Folder of truth files; default `<dir>/.truth`.
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
    let truth = args
        .truth
        .clone()
        .unwrap_or_else(|| args.dir.join(".truth"));
    let (tally, spent) = eval::evaluate(&args.dir, &truth)?;
    anyhow::ensure!(
        tally.dumps > 0,
        "no dump with a truth file in {}",
        args.dir.display()
    );
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
