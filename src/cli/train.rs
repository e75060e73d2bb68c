//! `presswire train`: fit a linear topic model from labelled JSON Lines.

use std::time::Instant;

use anyhow::Context;
use presswire::stages::classify::linear::features::FeatureOptions;
use presswire::stages::classify::linear::{self, corpus, Example};
use presswire::stages::{self, Tagger};

use crate::cli::{load_config, TrainArgs};

/// Reads the data, runs clean and tag exactly as `process` does, trains, writes the model.
///
/// # Errors
/// On unreadable or invalid data, invalid options, or an unwritable output file.
pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let config = load_config(args.config.as_deref())?;
    let text = std::fs::read_to_string(&args.data)
        .with_context(|| format!("cannot read training data {}", args.data.display()))?;
    let examples = corpus::parse(&text)
        .with_context(|| format!("invalid training data {}", args.data.display()))?;
    let (drafts, labels): (Vec<_>, Vec<_>) = examples.into_iter().unzip();
    let drafts = stages::clean(drafts);
    let tagger = Tagger::new(&config.tag).context("loading the tag stage's models")?;
    let tokens = tag_all(&tagger, &drafts, config.workers());
    let examples: Vec<Example<'_>> = tokens
        .iter()
        .zip(&labels)
        .map(|(t, l)| Example {
            tokens: t,
            label: l,
        })
        .collect();
    let tagged = started.elapsed();
    let name = args.name.clone().unwrap_or_else(|| {
        args.out
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into())
    });
    let opts = linear::TrainOptions {
        name,
        features: FeatureOptions::from_flags(!args.no_words, &args.char_ngrams)
            .map_err(|e| anyhow::anyhow!("--char-ngrams: {e}"))?,
        min_df: args.min_df,
        max_features: args.max_features,
        prune: (args.prune > 0).then_some(args.prune),
        l2: args.l2,
        max_iter: args.max_iter,
    };
    let model = linear::train(&examples, &opts)
        .with_context(|| format!("training on {}", args.data.display()))?;
    let bytes = model.to_bytes().context("serialising the model")?;
    std::fs::write(&args.out, &bytes)
        .with_context(|| format!("cannot write model {}", args.out.display()))?;
    let h = model.header();
    tracing::info!(
        examples = h.training.examples,
        labels = h.labels.len(),
        features = h.n_features,
        iterations = h.training.iterations,
        objective = h.training.objective,
        train_accuracy = h.training.train_accuracy,
        tag_seconds = tagged.as_secs_f64(),
        total_seconds = started.elapsed().as_secs_f64(),
        bytes = bytes.len(),
        out = %args.out.display(),
        "model written"
    );
    Ok(())
}

/// Tags every draft, spreading the work over `workers` threads; results keep input order.
fn tag_all(
    tagger: &Tagger,
    drafts: &[stages::Draft],
    workers: usize,
) -> Vec<Vec<presswire::stages::tag::Token>> {
    let chunk = drafts.len().div_ceil(workers.max(1)).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = drafts
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|d| stages::tag(tagger, d).tokens)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                Err(p) => std::panic::resume_unwind(p),
            })
            .collect()
    })
}
