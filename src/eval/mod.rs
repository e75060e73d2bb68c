//! Measuring split + clean: a generator of scrambled dumps with exact ground truth
//! ([`gen`]), the truth format ([`truth`]) and the scorer ([`score`]). The CLI exposes them as
//! `presswire gen-dumps` and `presswire eval-split`; `docs/SPLIT.md` has the figures.

pub mod dump;
pub mod gen;
pub mod score;
pub mod truth;

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::source::decode::decode;
use crate::stages::{clean, split};
use score::Tally;
use truth::Truth;

/// Scores every dump in `dir` that has a truth file in `truth_dir`; also returns the time
/// spent in split + clean alone.
///
/// # Errors
/// If a folder cannot be listed or a truth file is unreadable.
pub fn evaluate(dir: &Path, truth_dir: &Path) -> anyhow::Result<(Tally, Duration)> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt") && !n.starts_with('.'))
        .collect();
    names.sort();
    let mut tally = Tally::default();
    let mut spent = Duration::ZERO;
    for name in names {
        let stem = name.trim_end_matches(".txt");
        let tpath = truth_dir.join(format!("{stem}.json"));
        let Ok(tjson) = std::fs::read(&tpath) else {
            continue;
        };
        let truth: Truth = serde_json::from_slice(&tjson)
            .with_context(|| format!("invalid truth file {}", tpath.display()))?;
        let bytes = std::fs::read(dir.join(&name))
            .with_context(|| format!("cannot read {}", dir.join(&name).display()))?;
        let decoded = decode(&bytes).with_context(|| format!("{name}: decode"))?;
        anyhow::ensure!(
            decoded.encoding == truth.encoding,
            "{name}: decoded as {} but written as {}",
            decoded.encoding,
            truth.encoding
        );
        let start = Instant::now();
        let records = clean(split(&decoded.text));
        spent += start.elapsed();
        tally.bytes += decoded.text.len();
        score::score(&truth, &records, &mut tally);
    }
    Ok((tally, spent))
}
