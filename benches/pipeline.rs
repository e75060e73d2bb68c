//! The whole per-dump path, bytes in → JSON lines out: decode, split, clean, tag, classify,
//! assemble and serialise, on the sample dump (what every command runs per input).
//!
//! `cargo bench --bench pipeline`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use presswire::source::read::sha256_hex;
use presswire::source::Format;
use presswire::work::{self, RecordOptions, Work};

const SAMPLE: &[u8] = include_bytes!("../tests/fixtures/sample_dump.txt");

fn per_dump(c: &mut Criterion) {
    let Ok(models) = presswire::models::load(&presswire::Config::default()) else {
        eprintln!("cannot load the built-in models");
        return;
    };
    let opts = RecordOptions {
        deterministic: true,
        force: true,
    };
    let mut g = c.benchmark_group("pipeline");
    g.throughput(Throughput::Bytes(SAMPLE.len() as u64));
    g.bench_function("sample_dump_to_jsonl", |b| {
        b.iter(|| {
            let w = work::from_bytes(
                "page.txt",
                SAMPLE.to_vec(),
                sha256_hex(SAMPLE),
                Format::Dump,
            );
            let mut out = 0usize;
            if let Work::Done { records, .. } = work::run_all(&models, w, opts) {
                for r in &records {
                    out += r.to_json_line().map_or(0, |l| l.len());
                }
            }
            out
        });
    });
    g.finish();
}

criterion_group!(benches, per_dump);
criterion_main!(benches);
