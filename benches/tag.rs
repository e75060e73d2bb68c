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

#[cfg(target_os = "linux")]
mod cpu {
    //! A criterion measurement: CPU time of the calling thread, in nanoseconds.
    use criterion::measurement::{Measurement, ValueFormatter, WallTime};
    use rustix::time::{clock_gettime, ClockId};

    /// Thread CPU time (`CLOCK_THREAD_CPUTIME_ID`); formatted like wall-clock durations.
    pub struct ThreadCpu {
        wall: WallTime,
    }

    /// The measurement.
    pub fn meter() -> ThreadCpu {
        ThreadCpu { wall: WallTime }
    }

    fn now_ns() -> u64 {
        let t = clock_gettime(ClockId::ThreadCPUTime);
        u64::try_from(t.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(t.tv_nsec).unwrap_or(0)
    }

    impl Measurement for ThreadCpu {
        type Intermediate = u64;
        type Value = u64;
        fn start(&self) -> u64 {
            now_ns()
        }
        fn end(&self, start: u64) -> u64 {
            now_ns().saturating_sub(start)
        }
        fn add(&self, a: &u64, b: &u64) -> u64 {
            a + b
        }
        fn zero(&self) -> u64 {
            0
        }
        fn to_f64(&self, v: &u64) -> f64 {
            *v as f64
        }
        fn formatter(&self) -> &dyn ValueFormatter {
            self.wall.formatter()
        }
    }
}

#[cfg(target_os = "linux")]
use cpu::{meter, ThreadCpu as Meter};
#[cfg(not(target_os = "linux"))]
use criterion::measurement::WallTime as Meter;
#[cfg(not(target_os = "linux"))]
fn meter() -> Meter {
    Meter
}

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
