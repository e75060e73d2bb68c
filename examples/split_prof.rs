//! Times split's phases over dumps: `cargo run --release --example split_prof -- PATH...`
//! (files or folders of dumps, any supported encoding; default: the sample dump).
use std::path::{Path, PathBuf};
use std::time::Instant;

use presswire::source::decode::decode;
use presswire::stages::split::{assign, blocks, evidence, kinds, lexical, rejoin, segment};

fn files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map(|rd| rd.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for e in entries {
            if !e
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                files(&e, out);
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
}

fn main() {
    let mut paths = Vec::new();
    for a in std::env::args().skip(1) {
        files(Path::new(&a), &mut paths);
    }
    if paths.is_empty() {
        paths.push("tests/fixtures/sample_dump.txt".into());
    }
    let texts: Vec<String> = paths
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .filter_map(|b| decode(&b).ok().map(|d| d.text))
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let rounds = (20_000_000 / bytes.max(1)).clamp(1, 50);
    let mut t = [0f64; 7];
    for _ in 0..rounds {
        for text in &texts {
            let s = Instant::now();
            let paras = blocks::paragraphs(text);
            let texts: Vec<String> = paras.iter().map(|p| p.text.clone()).collect();
            t[0] += s.elapsed().as_secs_f64();
            let s = Instant::now();
            let infos = kinds::classify(&texts);
            let items: Vec<usize> = (0..texts.len())
                .filter(|&i| infos[i].role != kinds::Role::Furniture)
                .collect();
            t[1] += s.elapsed().as_secs_f64();
            let s = Instant::now();
            let lex = lexical::Lexicon::new(&texts);
            t[2] += s.elapsed().as_secs_f64();
            let s = Instant::now();
            let links = rejoin::links(&texts, &infos, &items, &lex);
            t[3] += s.elapsed().as_secs_f64();
            let s = Instant::now();
            let arts = assign::assign(&texts, &infos, &items, &links, &lex);
            t[4] += s.elapsed().as_secs_f64();
            let s = Instant::now();
            let drafts = presswire::stages::split(text);
            t[5] += s.elapsed().as_secs_f64();
            let s = Instant::now();
            let _ = presswire::stages::clean(drafts);
            t[6] += s.elapsed().as_secs_f64();
            let _ = arts;
        }
    }
    let mb = (bytes * rounds) as f64 / 1e6;
    println!(
        "{} dumps, {:.2} MB x {rounds} rounds",
        texts.len(),
        bytes as f64 / 1e6
    );
    for (name, v) in [
        "blocks",
        "classify",
        "lexicon",
        "links",
        "assign",
        "split total",
        "clean",
    ]
    .iter()
    .zip(t)
    {
        println!("{name:<12} {:8.1} ms/MB", v / mb * 1e3);
    }
    println!("split+clean  {:8.2} MB/s", mb / (t[5] + t[6]));
    // The jieba feature's share of `links`: the segmentations of the pairs that pass its gate.
    let (mut calls, mut tj) = (0usize, 0f64);
    let last = |s: &str, n: usize| -> String {
        let k = s.chars().count();
        s.chars().skip(k.saturating_sub(n)).collect()
    };
    for text in &texts {
        let p = presswire::stages::split::prepare(text);
        for c in rejoin::candidates(&p.texts, &p.infos, &p.items, &p.lex) {
            let mut f = c.features;
            f[evidence::N - 1] = 0.0;
            if evidence::score(&f) >= evidence::JIEBA_GATE {
                let (l, r) = (
                    last(&p.texts[c.head], 6),
                    p.texts[c.tail].chars().take(6).collect::<String>(),
                );
                let s = Instant::now();
                let _ = segment::crosses(&l, &r);
                tj += s.elapsed().as_secs_f64();
                calls += 1;
            }
        }
    }
    println!(
        "of links: jieba {:6.1} ms/MB ({calls} segmentations, {:.1} per dump)",
        tj / (bytes as f64 / 1e6) * 1e3,
        calls as f64 / texts.len().max(1) as f64
    );
}
