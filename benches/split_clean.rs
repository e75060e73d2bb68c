//! Split + clean throughput on one core, in MB/s of decoded dump text.
//!
//! - `sample`: the hand-annotated sample dump (`tests/fixtures/sample_dump.txt`).
//! - `generated`: 200 generated dumps (seed 1), when `PRESSWIRE_BENCH_SOURCE` names a source
//!   JSONL such as `../shared/data/sina-news/sina_sport_tech_2018.jsonl`; skipped otherwise.
//!
//! Run: `cargo bench --bench split_clean` (target: ≥ 20 MB/s). Allocates with mimalloc, as
//! the binary does.

use std::hint::black_box;

/// The `presswire` binary's allocator (`src/main.rs`), so the figure is split + clean as the
/// daemon and `replay` run them (the figures in `docs/SPLIT.md` before 2026-11-28's fourth
/// round were taken with the system allocator).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use presswire::eval::gen;
use presswire::stages::{clean, split};

const SAMPLE: &str = include_str!("../tests/fixtures/sample_dump.txt");

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("split_clean");
    g.throughput(Throughput::Bytes(SAMPLE.len() as u64));
    g.bench_function("sample", |b| b.iter(|| clean(split(black_box(SAMPLE)))));
    if let Some(path) = std::env::var_os("PRESSWIRE_BENCH_SOURCE") {
        match gen::load_sources(std::path::Path::new(&path)) {
            Ok(sources) => {
                let dumps: Vec<String> = (0..200)
                    .map(|i| gen::build_dump(&sources, 1, i, &gen::GenOptions::default()).0)
                    .collect();
                let bytes: usize = dumps.iter().map(String::len).sum();
                g.throughput(Throughput::Bytes(bytes as u64));
                g.sample_size(10);
                g.bench_function("generated", |b| {
                    b.iter(|| {
                        for d in &dumps {
                            black_box(clean(split(black_box(d))));
                        }
                    })
                });
            }
            Err(e) => eprintln!("skipping generated dumps: {e:#}"),
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
