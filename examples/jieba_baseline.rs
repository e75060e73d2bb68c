//! The plain jieba-rs baseline for `scripts/bench.sh`: over every file in a folder, on
//! `--jobs` threads, run `cut` and `tag` on each line and TF-IDF keywords on the whole text,
//! and nothing else. presswire's replay throughput is reported as a ratio to this.
//!
//! `cargo run --release --example jieba_baseline -- [--jobs N] DIR`

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use jieba_rs::{Jieba, KeywordExtract, TfIdf};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut dir = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--jobs" | "-j" => {
                jobs = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| anyhow::anyhow!("--jobs needs a number"))?;
            }
            _ => dir = Some(PathBuf::from(a)),
        }
    }
    let dir = dir.ok_or_else(|| anyhow::anyhow!("usage: jieba_baseline [--jobs N] DIR"))?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();

    let started = Instant::now();
    let jieba = Jieba::new();
    let tfidf = TfIdf::default();
    let loaded = started.elapsed();
    let next = AtomicUsize::new(0);
    let bytes = AtomicU64::new(0);
    let words = AtomicU64::new(0);
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| {
                while let Some(path) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let Ok(text) = std::fs::read_to_string(path) else {
                        continue;
                    };
                    let mut n = 0u64;
                    for line in text.lines().filter(|l| !l.trim().is_empty()) {
                        n += jieba.cut(line, true).len() as u64;
                        n += jieba.tag(line, true).len() as u64;
                    }
                    n += tfidf.extract_keywords(&jieba, &text, 10, vec![]).len() as u64;
                    words.fetch_add(n, Ordering::Relaxed);
                    bytes.fetch_add(text.len() as u64, Ordering::Relaxed);
                }
            });
        }
    });
    let secs = t.elapsed().as_secs_f64();
    let b = bytes.load(Ordering::Relaxed);
    println!(
        "baseline: files={} bytes={} jobs={} secs={:.3} mb_per_s={:.3} load_ms={} tokens={}",
        files.len(),
        b,
        jobs,
        secs,
        b as f64 / 1e6 / secs.max(1e-9),
        loaded.as_millis(),
        words.load(Ordering::Relaxed)
    );
    Ok(())
}
