//! Measurement harness for the entity tagger: thread CPU time of the model (`recognise`) and of
//! the rules (`entities::extract`) over a folder of dumps, each alone (jieba's pass is done
//! beforehand and not timed), best of `rounds`, with digests of both outputs so an optimisation
//! can be checked to change nothing. `files` keeps the first N dumps (for callgrind).
//!
//! `cargo run --release --example ner_probe -- DIR [rounds] [files]`
//! (`PROBE_WALL=1` times wall clock instead: rustix's vDSO lookup fails under valgrind.)

use std::hash::{Hash, Hasher};
use std::hint::black_box;

use presswire::stages::tag::entities::{self, Block};
use presswire::stages::tag::ner::{self, Scratch};
use presswire::stages::tag::{intern_pos, TagOptions, Tagger, Token, Zone};
use presswire::stages::{clean, split};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn now_ns() -> u64 {
    // rustix's vDSO lookup crashes under valgrind: `PROBE_WALL=1` uses wall-clock time.
    static WALL: std::sync::OnceLock<Option<std::time::Instant>> = std::sync::OnceLock::new();
    if let Some(t0) =
        WALL.get_or_init(|| std::env::var_os("PROBE_WALL").map(|_| std::time::Instant::now()))
    {
        return t0.elapsed().as_nanos() as u64;
    }
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

struct Raw {
    tokens: Vec<Token>,
    infos: Vec<ner::CharInfo>,
    ranges: Vec<(usize, usize)>,
    chars: Vec<char>,
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "/tmp/rc/corpus".into());
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let tagger = Tagger::new(&TagOptions::default())?;
    let model = ner::load(ner::BUILTIN_MODEL)?;
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| anyhow::anyhow!("{dir}: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    if let Some(n) = args.next().and_then(|a| a.parse().ok()) {
        files.truncate(n);
    }
    // Articles → blocks.
    let mut articles: Vec<(Vec<Raw>, Vec<String>)> = Vec::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        for d in clean(split(&text)) {
            let mut blocks = Vec::new();
            for t in d
                .title
                .iter()
                .chain(d.subtitle.iter())
                .chain(d.paragraphs.iter())
            {
                let mut tokens = Vec::new();
                let mut infos = Vec::new();
                let mut ranges = Vec::new();
                for w in tagger.jieba().tag(t, true) {
                    let at = infos.len();
                    ner::features::push_word(w.word, w.tag, &mut infos);
                    ranges.push((at, infos.len()));
                    tokens.push(Token {
                        word: w.word.to_string(),
                        pos: intern_pos(w.tag),
                        zone: Zone::Body,
                    });
                }
                let chars = infos.iter().filter_map(|c| char::from_u32(c.c)).collect();
                blocks.push(Raw {
                    tokens,
                    infos,
                    ranges,
                    chars,
                });
            }
            articles.push((blocks, d.authors.clone()));
        }
    }
    let n_chars: usize = articles
        .iter()
        .flat_map(|a| a.0.iter())
        .map(|b| b.infos.len())
        .sum();
    println!("{} articles, {} chars", articles.len(), n_chars);
    let mut scratch = Scratch::default();
    let mut best_ner = u64::MAX;
    let mut best_rules = u64::MAX;
    let mut spans_all: Vec<Vec<Vec<ner::Span>>> = Vec::new();
    for _ in 0..rounds {
        let t0 = now_ns();
        let spans: Vec<Vec<Vec<ner::Span>>> = articles
            .iter()
            .map(|(bs, _)| {
                bs.iter()
                    .map(|b| ner::recognise(&model, &b.infos, &mut scratch))
                    .collect()
            })
            .collect();
        best_ner = best_ner.min(now_ns() - t0);
        spans_all = black_box(spans);
    }
    let mut digest = rustc_hash::FxHasher::default();
    spans_all.hash(&mut digest);
    println!("model spans digest {:016x}", digest.finish());
    let mut ents_digest = 0u64;
    for _ in 0..rounds {
        let mut h = rustc_hash::FxHasher::default();
        let t0 = now_ns();
        for ((bs, authors), spans) in articles.iter().zip(&spans_all) {
            let blocks: Vec<Block> = bs
                .iter()
                .zip(spans)
                .map(|(b, s)| Block {
                    chars: b.chars.clone(),
                    tokens: &b.tokens,
                    ranges: b.ranges.clone(),
                    model: s.clone(),
                })
                .collect();
            let e = entities::extract(&blocks, authors);
            for x in &e {
                x.text.hash(&mut h);
                x.count.hash(&mut h);
                format!("{:?}", x.kind).hash(&mut h);
            }
        }
        best_rules = best_rules.min(now_ns() - t0);
        ents_digest = h.finish();
    }
    println!("entities digest {ents_digest:016x}");
    println!(
        "model: {:.1} ms ({:.2} M chars/s, {:.1} ns/char); rules: {:.1} ms ({:.2} M chars/s); best of {rounds}",
        best_ner as f64 / 1e6,
        n_chars as f64 / best_ner as f64 * 1e3,
        best_ner as f64 / n_chars as f64,
        best_rules as f64 / 1e6,
        n_chars as f64 / best_rules as f64 * 1e3,
    );
    Ok(())
}
