//! Split + clean once over files or folders of dumps, for instruction counts:
//! `valgrind --tool=callgrind --toggle-collect='split_once::run_all' split_once DIR...`
//! (jieba and the word table are loaded before `run_all`, so only the per-dump work is
//! counted; see `docs/SPLIT.md`). Also prints the wall-clock MB/s of the one pass, and with
//! `DIGEST=1` a digest of every draft (to check that a speed change leaves the output as it was).
use std::path::Path;

/// The binary's allocator (`src/main.rs`), as in `benches/split_clean.rs`, so that the counts
/// include allocation as the daemon and the benchmark pay for it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use presswire::source::decode::decode;

fn files(path: &Path, out: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .map(|rd| rd.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for e in entries {
            files(&e, out);
        }
    } else {
        out.push(path.to_path_buf());
    }
}

#[inline(never)]
fn run_all(texts: &[String]) -> usize {
    let mut n = 0;
    for t in texts {
        n += presswire::stages::clean(presswire::stages::split(t)).len();
    }
    n
}

fn main() {
    let mut paths = Vec::new();
    for a in std::env::args().skip(1) {
        files(Path::new(&a), &mut paths);
    }
    let texts: Vec<String> = paths
        .iter()
        .filter(|p| p.extension().is_none_or(|e| e != "json"))
        .filter_map(|p| std::fs::read(p).ok())
        .filter_map(|b| decode(&b).ok().map(|d| d.text))
        .collect();
    let _ = presswire::stages::split::segment::crosses("有力推", "动财政");
    // The word table is parsed on first use too (≈ 0.09 G instructions): load it here.
    let _ = presswire::stages::split::words::freq(&['推', '动']);
    // So are the character model of the join and the boosted trees.
    let _ = presswire::stages::split::charlm::join_features("有力推", "动财政");
    let _ = presswire::stages::split::boost::forest().len();
    let _ = presswire::stages::split::rerank::forest().len();
    if std::env::var_os("DIGEST").is_some() {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for t in &texts {
            format!(
                "{:?}",
                presswire::stages::clean(presswire::stages::split(t))
            )
            .hash(&mut h);
        }
        println!("digest {:016x}", h.finish());
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    let t = std::time::Instant::now();
    let n = run_all(&texts);
    let s = t.elapsed().as_secs_f64();
    println!(
        "{} dumps, {bytes} bytes, {n} drafts, {:.1} MB/s",
        texts.len(),
        bytes as f64 / 1e6 / s
    );
}
