//! Prints what split + clean make of a dump: `cargo run --example split_debug -- FILE`.
use presswire::source::decode::decode;
use presswire::stages::{clean, split};

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/fixtures/sample_dump.txt".into());
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let text = match decode(&bytes) {
        Ok(d) => d.text,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    for (i, d) in clean(split(&text)).iter().enumerate() {
        println!(
            "=== {i} {:?} title={:?} sub={:?} authors={:?} dateline={:?}",
            d.kind, d.title, d.subtitle, d.authors, d.dateline
        );
        for h in &d.headings {
            println!("  H {h}");
        }
        for p in &d.paragraphs {
            let s: String = p.chars().take(14).collect();
            let n = p.chars().count();
            let e: String = p.chars().skip(n.saturating_sub(8)).collect();
            println!("  | {s} … {e}");
        }
        for r in &d.repairs {
            println!("  R {:?} {}", r.action, r.detail);
        }
    }
}
