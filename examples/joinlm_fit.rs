//! Estimates the join language model's table (`split::joinlm::TABLE`) from the article text
//! of generated dumps (their truth files), and prints it as a Rust constant:
//!
//! ```sh
//! cargo run --release --example joinlm_fit -- /tmp/sp/k1 > /tmp/table.rs
//! ```
//!
//! Numerator: every position where the generator may cut a body paragraph (its line rules,
//! `can_cut` in `src/eval/gen.rs`), the head's last and the tail's first six characters tagged
//! as split tags them. Denominator: the first six characters of every body paragraph. Only
//! class counts are kept; `STEP=` (default 2) samples every n-th position. Fit on the dev seed
//! only.
use std::path::Path;

use presswire::eval::gen::can_cut;
use presswire::stages::split::joinlm::{head_class, tail_class, CLASSES};

fn main() {
    let step: usize = std::env::var("STEP")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2)
        .max(1);
    let mut pair = vec![0f64; CLASSES * CLASSES];
    let mut start = vec![0f64; CLASSES];
    let (mut paras, mut cuts) = (0usize, 0usize);
    for a in std::env::args().skip(1) {
        let dir = Path::new(&a);
        let names = presswire::eval::dump_names(dir).unwrap_or_default();
        for name in names {
            let Ok(Some(dump)) = presswire::eval::load_dump(dir, &dir.join(".truth"), &name) else {
                continue;
            };
            for art in &dump.truth.articles {
                for p in &art.paragraphs {
                    if art.headings.contains(p) || art.title.as_ref() == Some(p) {
                        continue;
                    }
                    let cs: Vec<char> = p.chars().collect();
                    if cs.len() < 8 {
                        continue;
                    }
                    paras += 1;
                    let first: String = cs.iter().take(6).collect();
                    if let Some(t) = tail_class(&first) {
                        start[usize::from(t)] += 1.0;
                    }
                    for k in (1..cs.len()).step_by(step) {
                        if !can_cut(cs[k - 1], cs[k]) {
                            continue;
                        }
                        let left: String = cs[k.saturating_sub(6)..k].iter().collect();
                        let right: String = cs[k..(k + 6).min(cs.len())].iter().collect();
                        if let (Some(h), Some(t)) = (head_class(&left), tail_class(&right)) {
                            pair[usize::from(h) * CLASSES + usize::from(t)] += 1.0;
                            cuts += 1;
                        }
                    }
                }
            }
        }
    }
    eprintln!("{paras} paragraphs, {cuts} cuts");
    let c = CLASSES as f64;
    let n_start: f64 = start.iter().sum();
    let col: Vec<f64> = (0..CLASSES)
        .map(|t| (0..CLASSES).map(|h| pair[h * CLASSES + t]).sum())
        .collect();
    let n_cut: f64 = col.iter().sum();
    // Smoothing: a head class's distribution shrinks towards the overall cut distribution
    // with the weight of ALPHA cuts; the start distribution gets add-one.
    let alpha = 20.0;
    let hundredths = |v: f64| format!("{}", (v.clamp(-5.0, 5.0) * 100.0).round() as i64);
    // The tail prior: log P(class | cut) − log P(class | paragraph start).
    let prior: Vec<String> = (0..CLASSES)
        .map(|t| {
            let p_all = (col[t] + 1.0) / (n_cut + c);
            let p_start = (start[t] + 1.0) / (n_start + c);
            hundredths(p_all.ln() - p_start.ln())
        })
        .collect();
    // The pair: log P(tail class | head class, cut) − log P(tail class | cut).
    let mut out = Vec::with_capacity(CLASSES * CLASSES);
    for h in 0..CLASSES {
        let row: f64 = (0..CLASSES).map(|t| pair[h * CLASSES + t]).sum();
        for t in 0..CLASSES {
            let p_all = (col[t] + 1.0) / (n_cut + c);
            let p_cut = (pair[h * CLASSES + t] + alpha * p_all) / (row + alpha);
            out.push(hundredths(p_cut.ln() - p_all.ln()));
        }
    }
    println!("pub const START: [i16; CLASSES] = [");
    for chunk in prior.chunks(CLASSES) {
        println!("    {},", chunk.join(", "));
    }
    println!("];");
    println!();
    println!("#[rustfmt::skip]");
    println!("pub const TABLE: [i16; CLASSES * CLASSES] = [");
    for chunk in out.chunks(CLASSES) {
        println!("    {},", chunk.join(", "));
    }
    println!("];");
}
