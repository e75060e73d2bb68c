//! `presswire eval-ner FILE`: exact-span P/R/F1 of the entity tagger on a BIO/BMES corpus.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use presswire::stages::tag::ner::{self, corpus, NerType, Scratch};

/// `presswire eval-ner`.
#[derive(Debug, clap::Args)]
pub struct EvalNerArgs {
    /// Corpus: one `char tag` per line (BIO or BMES), blank line between sentences.
    pub file: PathBuf,
    /// Model file to evaluate instead of the built-in one.
    #[arg(long)]
    pub model: Option<PathBuf>,
}

/// Runs the command and prints a table of scores.
///
/// # Errors
/// If the corpus or model cannot be read or parsed.
pub fn run(a: EvalNerArgs) -> anyhow::Result<usize> {
    let text = std::fs::read_to_string(&a.file)
        .with_context(|| format!("cannot read {}", a.file.display()))?;
    let sentences =
        corpus::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", a.file.display()))?;
    let model = match &a.model {
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
            ner::load(&bytes).with_context(|| format!("model {}", p.display()))?
        }
        None => ner::load(ner::BUILTIN_MODEL).context("built-in model")?,
    };
    let jieba = jieba_rs::Jieba::new();
    let mut scores = corpus::Scores::default();
    let mut scratch = Scratch::default();
    let mut chars = 0usize;
    let t = Instant::now();
    let cpu0 = thread_cpu_ns();
    for s in &sentences {
        let infos = ner::char_infos(&jieba, &s.text);
        chars += infos.len();
        let pred = ner::recognise(&model, &infos, &mut scratch);
        scores.add(&s.spans, &pred);
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu = thread_cpu_ns()
        .zip(cpu0)
        .map(|(b, a)| b.saturating_sub(a) as f64 / 1e9);
    println!(
        "{}: {} sentences, {chars} characters",
        a.file.display(),
        sentences.len()
    );
    println!(
        "{:<6} {:>7} {:>7} {:>7} {:>6} {:>6} {:>6}",
        "type", "gold", "pred", "correct", "P", "R", "F1"
    );
    let row = |name: &str, c: corpus::Counts| {
        let (p, r, f) = c.prf();
        println!(
            "{name:<6} {:>7} {:>7} {:>7} {p:>6.4} {r:>6.4} {f:>6.4}",
            c.tp + c.fn_,
            c.tp + c.fp,
            c.tp
        );
    };
    for t in NerType::ALL {
        row(
            t.as_str(),
            scores.by_type.get(&t).copied().unwrap_or_default(),
        );
    }
    row("micro", scores.micro());
    let cpu_speed = cpu.map_or_else(
        || "n/a".to_string(),
        |c| format!("{:.2}", chars as f64 / c.max(1e-9) / 1e6),
    );
    println!(
        "speed: {:.2} M chars/s wall clock, {cpu_speed} M chars/s of CPU time \
         (jieba tag + entity tagging, one thread)",
        chars as f64 / secs.max(1e-9) / 1e6
    );
    Ok(0)
}

/// CPU time this thread has used, in ns, from `/proc/thread-self/schedstat` (Linux), so
/// the speed is meaningful on a busy machine too.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
