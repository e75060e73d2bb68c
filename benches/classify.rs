//! Classification cost next to the tag pass it reads, on the sample dump's articles.
//!
//! `tag` is the jieba pass + keywords + entities; `classify/taxonomy` and `classify/linear`
//! are the two classifiers on the resulting analyses. The brief's target: classification
//! adds < 10% to a record's processing time, i.e. `classify/*` ≤ 0.1 × `tag`.
//!
//! `record/*` is a record's whole processing with each classifier (split, clean, tag and
//! classify every article of the dump), so `classify/linear` ÷ `record/linear` is
//! classification's share of a record. Times are the thread's CPU time (see `common`).
//!
//! The linear model is `$PRESSWIRE_CLASSIFY_MODEL` if set (e.g. a model trained on the cnews
//! sample, see docs/CLASSIFY.md); otherwise one is trained here on the sample's articles with
//! the taxonomy's labels, which is smaller than a real model and so a little faster.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

mod common;
use common::{meter, Meter};
use presswire::stages::classify::linear::{self, Example, LinearModel, TrainOptions};
use presswire::stages::classify::{classify, taxonomy::DEFAULT_TAXONOMY, Classifier};
use presswire::stages::classify::{LinearClassifier, Taxonomy};
use presswire::stages::tag::{tag, Analysis, TagOptions, Tagger};
use presswire::stages::{clean, split, Draft};
use std::hint::black_box;

const DUMP: &str = include_str!("../tests/fixtures/sample_dump.txt");

fn linear_model(analyses: &[Analysis], taxonomy: &Classifier) -> LinearModel {
    if let Some(path) = std::env::var_os("PRESSWIRE_CLASSIFY_MODEL") {
        match LinearModel::load(std::path::Path::new(&path)) {
            Ok(m) => return m,
            Err(e) => panic!("PRESSWIRE_CLASSIFY_MODEL: {e}"),
        }
    }
    let labels: Vec<String> = analyses
        .iter()
        .map(|a| classify(taxonomy, a).label)
        .collect();
    let examples: Vec<Example<'_>> = analyses
        .iter()
        .zip(&labels)
        .map(|(a, l)| Example {
            tokens: &a.tokens,
            label: l,
        })
        .collect();
    let opts = TrainOptions {
        min_df: 1,
        ..TrainOptions::default()
    };
    match linear::train(&examples, &opts) {
        Ok(m) => m,
        Err(e) => panic!("training the bench model: {e}"),
    }
}

fn bench(c: &mut Criterion<Meter>) {
    let tagger = match Tagger::new(&TagOptions::default()) {
        Ok(t) => t,
        Err(e) => panic!("tagger: {e}"),
    };
    let drafts: Vec<Draft> = clean(split(DUMP));
    let chars: usize = drafts.iter().map(|d| d.text().chars().count()).sum();
    let analyses: Vec<Analysis> = drafts.iter().map(|d| tag(&tagger, d)).collect();
    let taxonomy = match Taxonomy::parse(DEFAULT_TAXONOMY) {
        Ok(t) => Classifier::Taxonomy(t),
        Err(e) => panic!("taxonomy: {e}"),
    };
    let linear = Classifier::Linear(Box::new(LinearClassifier {
        model: linear_model(&analyses, &taxonomy),
        min_score: 0.5,
    }));

    let mut g = c.benchmark_group("sample_dump");
    g.throughput(Throughput::Elements(chars as u64));
    g.bench_function("tag", |b| {
        b.iter(|| {
            for d in &drafts {
                black_box(tag(&tagger, black_box(d)));
            }
        })
    });
    for (name, classifier) in [
        ("classify/taxonomy", &taxonomy),
        ("classify/linear", &linear),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                for a in &analyses {
                    black_box(classify(classifier, black_box(a)));
                }
            })
        });
    }
    for (name, classifier) in [("record/taxonomy", &taxonomy), ("record/linear", &linear)] {
        g.bench_function(name, |b| {
            b.iter(|| {
                for d in clean(split(black_box(DUMP))) {
                    black_box(classify(classifier, &tag(&tagger, &d)));
                }
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(meter());
    targets = bench
}
criterion_main!(benches);
