//! Lays out the dumps of a generated folder whose split has a title or assignment error:
//! every piece in dump order with its true role and article, and where split put it.
//! `cargo run --release --example split_errors -- DIR [SUMMARY=1]`.
//!
//! Each line: `tA role` (true article, role), `→ rR how` (record, as title / subtitle /
//! heading / body, `?` when the piece is found nowhere), the piece's start and end.
use std::path::Path;

use presswire::eval::truth::PieceRole;
use presswire::eval::{dump_names, load_dump};
use presswire::stages::{clean, split, Draft};

fn place(records: &[Draft], text: &str) -> (Option<usize>, &'static str) {
    for (r, d) in records.iter().enumerate() {
        if d.title.as_deref() == Some(text) {
            return (Some(r), "title");
        }
        if d.subtitle
            .as_deref()
            .is_some_and(|s| text.trim_start_matches(['—', '-', ' ']) == s)
        {
            return (Some(r), "subtitle");
        }
        if d.headings.iter().any(|h| h == text) {
            return (Some(r), "heading");
        }
    }
    for (r, d) in records.iter().enumerate() {
        if d.paragraphs.iter().any(|p| p.contains(text)) {
            return (Some(r), "body");
        }
    }
    (None, "?")
}

fn ends(s: &str) -> String {
    let n = s.chars().count();
    if n <= 24 {
        return s.to_string();
    }
    let a: String = s.chars().take(14).collect();
    let b: String = s.chars().skip(n - 8).collect();
    format!("{a}…{b}")
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/sp/k1".into());
    let dir = Path::new(&dir);
    let truth_dir = dir.join(".truth");
    let Ok(names) = dump_names(dir) else {
        eprintln!("cannot list {}", dir.display());
        std::process::exit(2);
    };
    for name in names {
        let d = match load_dump(dir, &truth_dir, &name) {
            Ok(Some(d)) => d,
            Ok(None) => continue,
            Err(e) => {
                eprintln!("{e:#}");
                continue;
            }
        };
        let records = clean(split(&d.text));
        let t = &d.truth;
        // Record of each article: where most of its body pieces went.
        let na = t.articles.len();
        let mut rec_of = vec![None; na];
        for (a, slot) in rec_of.iter_mut().enumerate() {
            let mut counts = vec![0usize; records.len()];
            for p in &t.pieces {
                if p.article == Some(a) && matches!(p.role, PieceRole::Body | PieceRole::Heading) {
                    if let (Some(r), _) = place(&records, &p.text) {
                        counts[r] += 1;
                    }
                }
            }
            *slot = (0..records.len())
                .filter(|&r| counts[r] > 0)
                .max_by_key(|&r| (counts[r], usize::MAX - r));
        }
        let mut errors = Vec::new();
        for (a, ta) in t.articles.iter().enumerate() {
            let got = rec_of[a].and_then(|r| records[r].title.clone());
            if got != ta.title {
                errors.push(format!("TITLE a{a}: {:?} got {:?}", ta.title, got));
            }
        }
        let mut lines = Vec::new();
        let mut misassigned = 0;
        for p in &t.pieces {
            if matches!(p.role, PieceRole::Furniture | PieceRole::Duplicate) {
                continue;
            }
            let (r, how) = place(&records, &p.text);
            let a = p.article.unwrap_or(usize::MAX);
            let bad = matches!(p.role, PieceRole::Body | PieceRole::Heading)
                && (r.is_none() || r != rec_of.get(a).copied().flatten());
            if bad {
                misassigned += 1;
            }
            let role = match p.role {
                PieceRole::Title => "TITLE",
                PieceRole::Subtitle => "sub",
                PieceRole::Byline => "byline",
                PieceRole::Heading => "HEAD",
                PieceRole::Body => "body",
                _ => "",
            };
            let rr = r.map_or("?".to_string(), |r| format!("r{r}"));
            lines.push(format!(
                "{} a{a} {role:6} p{}.{} → {rr} {how:8} {}",
                if bad { "!!" } else { "  " },
                p.para.map_or(-1, |x| x as i64),
                p.part,
                ends(&p.text)
            ));
        }
        if misassigned > 0 {
            errors.push(format!("{misassigned} pieces misassigned"));
        }
        if errors.is_empty() {
            continue;
        }
        println!("##### {name}: {}", errors.join("; "));
        let recs: Vec<String> = rec_of
            .iter()
            .enumerate()
            .map(|(a, r)| format!("a{a}→{}", r.map_or("-".into(), |r| format!("r{r}"))))
            .collect();
        println!("   {}", recs.join(" "));
        for l in lines {
            println!("{l}");
        }
    }
}
