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

/// A generated dump, decoded, with its ground truth.
#[derive(Debug)]
pub struct Labelled {
    /// File name in its folder.
    pub name: String,
    /// The truth the generator wrote.
    pub truth: Truth,
    /// The decoded text.
    pub text: String,
    /// The encoding the bytes were decoded from.
    pub encoding: &'static str,
}

/// Names of the dumps in `dir` (`*.txt`, hidden files excluded), sorted.
///
/// # Errors
/// If the folder cannot be listed.
pub fn dump_names(dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt") && !n.starts_with('.'))
        .collect();
    names.sort();
    Ok(names)
}

/// Reads dump `name` of `dir` and its truth from `truth_dir`; `None` when it has no truth file.
///
/// # Errors
/// If the truth file is invalid or the dump cannot be read or decoded.
pub fn load_dump(dir: &Path, truth_dir: &Path, name: &str) -> anyhow::Result<Option<Labelled>> {
    let stem = name.trim_end_matches(".txt");
    let tpath = truth_dir.join(format!("{stem}.json"));
    let Ok(tjson) = std::fs::read(&tpath) else {
        return Ok(None);
    };
    let truth: Truth = serde_json::from_slice(&tjson)
        .with_context(|| format!("invalid truth file {}", tpath.display()))?;
    let bytes = std::fs::read(dir.join(name))
        .with_context(|| format!("cannot read {}", dir.join(name).display()))?;
    let decoded = decode(&bytes).with_context(|| format!("{name}: decode"))?;
    Ok(Some(Labelled {
        name: name.to_string(),
        truth,
        text: decoded.text,
        encoding: decoded.encoding,
    }))
}

/// Scores every dump in `dir` that has a truth file in `truth_dir`, adding to `tally` (several
/// folders pool their counts); returns the time spent in split + clean alone.
///
/// # Errors
/// If a folder cannot be listed or a truth file is unreadable.
pub fn evaluate(dir: &Path, truth_dir: &Path, tally: &mut Tally) -> anyhow::Result<Duration> {
    let mut spent = Duration::ZERO;
    for name in dump_names(dir)? {
        let Some(d) = load_dump(dir, truth_dir, &name)? else {
            continue;
        };
        anyhow::ensure!(
            d.encoding == d.truth.encoding,
            "{name}: decoded as {} but written as {}",
            d.encoding,
            d.truth.encoding
        );
        let start = Instant::now();
        let records = clean(split(&d.text));
        spent += start.elapsed();
        tally.bytes += d.text.len();
        score::score(&d.truth, &records, tally);
    }
    Ok(spent)
}
