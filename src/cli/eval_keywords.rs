//! `presswire eval-keywords FILE`: P/R/F1@k of the keywords against reference keyword lists
//! (the CLUE TNEWS format: JSON lines with `sentence` and comma-separated `keywords`), next to
//! jieba-rs's own TF-IDF extractor scored the same way.

use std::collections::HashSet;
use std::path::PathBuf;

use anyhow::Context;
use jieba_rs::{KeywordExtract, TfIdf};
use presswire::stages::tag::{self, TagOptions, Tagger};
use presswire::stages::Draft;

/// `presswire eval-keywords`.
#[derive(Debug, clap::Args)]
pub struct EvalKeywordsArgs {
    /// JSON lines with `sentence` and `keywords` (`kw1,kw2,…`), e.g. TNEWS `dev.json`.
    pub file: PathBuf,
}

#[derive(Default)]
struct Tally {
    docs: usize,
    p: [f64; 2],
    r: [f64; 2],
}

const KS: [usize; 2] = [3, 5];

impl Tally {
    fn add(&mut self, got: &[String], gold: &HashSet<String>) {
        self.docs += 1;
        for (i, k) in KS.iter().enumerate() {
            let hits = got.iter().take(*k).filter(|w| gold.contains(*w)).count() as f64;
            self.p[i] += hits / *k as f64;
            self.r[i] += hits / gold.len() as f64;
        }
    }

    fn print(&self, name: &str) {
        let n = self.docs.max(1) as f64;
        for (i, k) in KS.iter().enumerate() {
            let (p, r) = (self.p[i] / n, self.r[i] / n);
            let f = if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            };
            println!("{name:<22} @{k}: P {p:.4}  R {r:.4}  F1 {f:.4}");
        }
    }
}

/// Runs the command.
///
/// # Errors
/// If the file cannot be read or a line is not the expected JSON.
pub fn run(a: EvalKeywordsArgs) -> anyhow::Result<usize> {
    let text = std::fs::read_to_string(&a.file)
        .with_context(|| format!("cannot read {}", a.file.display()))?;
    let tagger = Tagger::new(&TagOptions {
        keywords: 5,
        ..TagOptions::default()
    })?;
    let baseline = TfIdf::default();
    let (mut ours, mut base, mut skipped) = (Tally::default(), Tally::default(), 0usize);
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("{} line {}", a.file.display(), n + 1))?;
        let sentence = v["sentence"].as_str().unwrap_or_default();
        let gold: HashSet<String> = v["keywords"]
            .as_str()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty() && sentence.contains(*k))
            .map(str::to_string)
            .collect();
        if gold.is_empty() {
            skipped += 1;
            continue;
        }
        let draft = Draft {
            title: Some(sentence.to_string()),
            ..Draft::default()
        };
        let got: Vec<String> = tag::tag(&tagger, &draft)
            .keywords
            .into_iter()
            .map(|k| k.word)
            .collect();
        ours.add(&got, &gold);
        let b: Vec<String> = baseline
            .extract_keywords(tagger.jieba(), sentence, 5, vec![])
            .into_iter()
            .map(|k| k.keyword)
            .collect();
        base.add(&b, &gold);
    }
    println!(
        "{}: {} lines with reference keywords in the text ({skipped} without, skipped)",
        a.file.display(),
        ours.docs
    );
    ours.print("presswire");
    base.print("jieba-rs TfIdf default");
    Ok(0)
}
