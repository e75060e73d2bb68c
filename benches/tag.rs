//! Tag-stage throughput, in characters per second on one thread, over the sample dump:
//! jieba's POS pass alone, jieba + the entity model, the whole tag stage (entities with rules,
//! keywords), and the time to load the entity model.
//!
//! On Linux the time measured is the benchmark thread's CPU time, not wall-clock time, so the
//! figures stay comparable on a shared machine where other processes take turns on the cores
//! (caches are still shared: a busy neighbour still slows memory-bound code somewhat).
//!
//! Run: `cargo bench --bench tag`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use presswire::stages::tag::ner::{self, Scratch};
use presswire::stages::tag::{tag, TagOptions, Tagger};
use presswire::stages::{clean, split};

const SAMPLE: &str = include_str!("../tests/fixtures/sample_dump.txt");

mod common;
use common::{meter, Meter};

fn benches(c: &mut Criterion<Meter>) {
    let tagger = match Tagger::new(&TagOptions::default()) {
        Ok(t) => t,
        Err(e) => panic!("tagger: {e}"),
    };
    let model = match ner::load(ner::BUILTIN_MODEL) {
        Ok(m) => m,
        Err(e) => panic!("model: {e}"),
    };
    let drafts = clean(split(SAMPLE));
    let blocks: Vec<String> = drafts
        .iter()
        .flat_map(|d| {
            d.title
                .iter()
                .chain(d.subtitle.iter())
                .chain(d.paragraphs.iter())
        })
        .cloned()
        .collect();
    let chars: usize = blocks.iter().map(|b| b.chars().count()).sum();

    let mut g = c.benchmark_group("tag");
    g.throughput(Throughput::Elements(chars as u64));
    g.bench_function("jieba_tag", |b| {
        b.iter(|| {
            for p in &blocks {
                black_box(tagger.jieba().tag(p, true));
            }
        })
    });
    g.bench_function("jieba_tag+entities", |b| {
        let mut scratch = Scratch::default();
        b.iter(|| {
            for p in &blocks {
                let infos = ner::char_infos(tagger.jieba(), p);
                black_box(ner::recognise(&model, &infos, &mut scratch));
            }
        })
    });
    g.bench_function("tag_stage", |b| {
        b.iter(|| {
            for d in &drafts {
                black_box(tag(&tagger, d));
            }
        })
    });
    g.finish();

    c.bench_function("ner_model_load", |b| {
        b.iter(|| black_box(ner::load(black_box(ner::BUILTIN_MODEL))))
    });
}

criterion_group! {
    name = tag_benches;
    config = Criterion::default().with_measurement(meter());
    targets = benches
}
criterion_main!(tag_benches);
