//! Times split's phases on a dump: `cargo run --release --example split_prof -- FILE`.
use std::time::Instant;

use presswire::stages::split::{assign, blocks, kinds, lexical, rejoin};

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/fixtures/sample_dump.txt".into());
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let n = 50;
    let mut t = [0f64; 6];
    for _ in 0..n {
        let s = Instant::now();
        let paras = blocks::paragraphs(&text);
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
        let _ = presswire::stages::split(&text);
        t[5] += s.elapsed().as_secs_f64();
        let _ = arts;
    }
    for (name, v) in [
        "blocks",
        "classify",
        "lexicon",
        "links",
        "assign",
        "split total",
    ]
    .iter()
    .zip(t)
    {
        println!("{name:<12} {:.3} ms", v / n as f64 * 1e3);
    }
}
