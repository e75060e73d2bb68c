//! Fits the column-break evidence weights (`split::evidence::WEIGHTS`) by logistic regression
//! over every (head, tail) candidate of generated dumps, labelled by their truth files:
//!
//! ```sh
//! presswire gen-dumps --source …/sina_sport_tech_2018.jsonl --out /tmp/fit --count 300 --seed 1
//! cargo run --release --example rejoin_fit -- /tmp/fit
//! ```
//!
//! Prints the fitted weights as Rust constants, and for the compiled-in and the fitted weights
//! the share of heads whose best candidate is their true tail. Never fit on the held-out seeds
//! (7 and 11).
//!
//! `BOOST=config/rejoin-trees.txt` fits the boosted trees (`split::boost`) instead, over the
//! features and the compiled-in linear score, writes them there, and fits the second stage
//! (`split::rerank`) on out-of-fold tree scores (`FOLDS`, default 2: each dump scored by trees
//! fitted without it), printing its out-of-fold precision and recall at several cuts;
//! `RERANK=config/rejoin-rerank.txt` also writes it there (`RR_TREES`, `RR_DEPTH`, `RR_RATE`
//! override its 400 trees of depth 4 at rate 0.05, `RR_UNPRINTED` the share of true tails
//! removed in its training copies, 0.15). Several dump folders may be given (the trees want
//! more data than the linear model: seeds 1–5; the second stage seeds 1–5 and 12–16).
//! `FOREST=FILE` scores the "compiled-in" line with another
//! trees file, e.g. to compare two fits on held-out dumps (`TREES=1` makes the fit itself
//! quick there; its output file is then of no use).
#![allow(clippy::needless_range_loop)] // dense matrix code: indices address rows and columns
use std::path::Path;

use presswire::eval::truth::PieceRole;
use presswire::source::decode::decode;
use presswire::stages::split::{
    boost, cut_short, evidence, prepare, prepare_headlines, rejoin, rerank,
};

#[derive(Clone, Copy)]
struct Row {
    x: [f64; evidence::N + 1],
    y: bool,
    wt: f64,
    head: (usize, usize),
}

/// One dump's candidates (a range of `rows`), for the second stage.
struct Dump {
    rows: std::ops::Range<usize>,
    cands: Vec<rejoin::Candidate>,
    texts: Vec<String>,
    /// Each paragraph's surroundings (`rerank::context`).
    context: Vec<[f32; rerank::CONTEXT]>,
}

fn rows_of(
    dir: &Path,
    rows: &mut Vec<Row>,
    dumps: &mut Vec<Dump>,
    dump_no: &mut usize,
    skipped: &mut usize,
) {
    let names = match presswire::eval::dump_names(dir) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("{e:#}");
            return;
        }
    };
    for name in names {
        let Ok(Some(dump)) = presswire::eval::load_dump(dir, &dir.join(".truth"), &name) else {
            continue;
        };
        let (truth, text) = (dump.truth, dump.text);
        let p = prepare(&text);
        if p.texts.len() != truth.pieces.len() {
            *skipped += 1;
            continue;
        }
        *dump_no += 1;
        let cands = rejoin::candidates(&p.texts, &p.infos, &p.items, &p.lex);
        let start = rows.len();
        for c in &cands {
            let y = true_join(&truth.pieces, c.head, c.tail);
            let mut x = [0.0f64; evidence::N + 1];
            for (k, v) in c.features.iter().enumerate() {
                x[k] = f64::from(*v);
            }
            x[evidence::N] = 1.0;
            rows.push(Row {
                x,
                y,
                wt: 1.0,
                head: (*dump_no, c.head),
            });
        }
        dumps.push(Dump {
            rows: start..rows.len(),
            cands,
            context: rerank::context(&p.texts, &p.infos, &p.items),
            texts: p.texts,
        });
    }
}

const D: usize = evidence::N + 1;

/// Is the piece `b` of a dump's truth the tail of the column break whose head is piece `a`?
fn true_join(pieces: &[presswire::eval::truth::Piece], a: usize, b: usize) -> bool {
    let (h, t) = (&pieces[a], &pieces[b]);
    h.role == PieceRole::Body
        && t.role == PieceRole::Body
        && h.article == t.article
        && h.para == t.para
        && t.part == h.part + 1
}

fn fit<R, const D: usize>(
    rows: &[R],
    get: impl Fn(&R) -> ([f64; D], bool, f64),
    lambda: f64,
    pinned: &[(usize, f64)],
) -> [f64; D] {
    let mut w = [0.0f64; D];
    for &(i, v) in pinned {
        w[i] = v;
    }
    for _ in 0..30 {
        let mut g = [0.0f64; D];
        let mut h = [[0.0f64; D]; D];
        for r in rows {
            let (x, y, wt) = get(r);
            let z: f64 = x.iter().zip(w.iter()).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let e = wt * (p - f64::from(u8::from(y)));
            let s = wt * p * (1.0 - p);
            for i in 0..D {
                g[i] += e * x[i];
                for j in 0..D {
                    h[i][j] += s * x[i] * x[j];
                }
            }
        }
        for i in 0..D - 1 {
            g[i] += lambda * w[i];
            h[i][i] += lambda;
        }
        h[D - 1][D - 1] += 1e-6;
        for &(i, _) in pinned {
            g[i] = 0.0;
            for j in 0..D {
                h[i][j] = 0.0;
                h[j][i] = 0.0;
            }
            h[i][i] = 1.0;
        }
        let step = solve(h, g);
        let mut m: f64 = 0.0;
        for i in 0..D {
            w[i] -= step[i];
            m = m.max(step[i].abs());
        }
        if m < 1e-6 {
            break;
        }
    }
    w
}

/// Gaussian elimination with partial pivoting.
fn solve<const D: usize>(mut a: [[f64; D]; D], mut b: [f64; D]) -> [f64; D] {
    for c in 0..D {
        let p = (c..D)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap_or(c);
        a.swap(c, p);
        b.swap(c, p);
        if a[c][c].abs() < 1e-12 {
            continue;
        }
        for r in c + 1..D {
            let f = a[r][c] / a[c][c];
            for k in c..D {
                a[r][k] -= f * a[c][k];
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = [0.0f64; D];
    for c in (0..D).rev() {
        let s: f64 = (c + 1..D).map(|k| a[c][k] * x[k]).sum();
        x[c] = if a[c][c].abs() < 1e-12 {
            0.0
        } else {
            (b[c] - s) / a[c][c]
        };
    }
    x
}

/// Share of true heads whose best-scoring candidate is the true tail, and the number of
/// candidates scoring ≥ 0 that are false.
fn top1<const D: usize>(
    rows: &[Row],
    get: impl Fn(&Row) -> [f64; D],
    w: &[f64; D],
) -> (f64, usize, usize) {
    top1_by(rows, |i| {
        get(&rows[i]).iter().zip(w.iter()).map(|(a, b)| a * b).sum()
    })
}

/// [`top1`] for any scoring of the rows (by row index).
fn top1_by(rows: &[Row], score: impl Fn(usize) -> f64) -> (f64, usize, usize) {
    let mut best: std::collections::HashMap<(usize, usize), (f64, bool)> = Default::default();
    let mut false_pos = 0;
    let mut true_pos = 0;
    for (i, r) in rows.iter().enumerate() {
        let z = score(i);
        if z >= 0.0 {
            if r.y {
                true_pos += 1;
            } else {
                false_pos += 1;
            }
        }
        let e = best.entry(r.head).or_insert((f64::NEG_INFINITY, false));
        if z > e.0 {
            *e = (z, r.y);
        }
    }
    let heads: std::collections::HashSet<(usize, usize)> =
        rows.iter().filter(|r| r.y).map(|r| r.head).collect();
    let ok = heads
        .iter()
        .filter(|h| best.get(h).is_some_and(|b| b.1))
        .count();
    (ok as f64 / heads.len().max(1) as f64, true_pos, false_pos)
}

/// `SHOW=FILE`: every candidate of one dump scoring ≥ −3, with its features.
fn show(path: &str) {
    let text = std::fs::read(path)
        .ok()
        .and_then(|b| decode(&b).ok())
        .map(|d| d.text)
        .unwrap_or_default();
    let p = prepare(&text);
    let ex = |i: usize, end: bool| -> String {
        let t = &p.texts[i];
        let n = t.chars().count();
        if end {
            t.chars().skip(n.saturating_sub(8)).collect()
        } else {
            t.chars().take(8).collect()
        }
    };
    for c in rejoin::candidates(&p.texts, &p.infos, &p.items, &p.lex) {
        let s = evidence::score(&c.features);
        if s >= show_min() {
            let fs: Vec<String> = c
                .features
                .iter()
                .enumerate()
                .filter(|(_, v)| **v != 0.0)
                .map(|(k, v)| format!("{}={v:.2}", evidence::NAMES[k]))
                .collect();
            println!(
                "{:>3}->{:<3} {s:+.2} {}|{}  {}",
                c.head,
                c.tail,
                ex(c.head, true),
                ex(c.tail, false),
                fs.join(" ")
            );
        }
    }
}

fn show_min() -> f32 {
    std::env::var("SHOW_MIN")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(-3.0)
}

fn main() {
    if let Ok(f) = std::env::var("SHOW") {
        show(&f);
        return;
    }
    if std::env::var("CUT_SHORT").is_ok() {
        let dirs: Vec<String> = std::env::args().skip(1).collect();
        cut_short_main(&dirs);
        return;
    }
    let mut rows = Vec::new();
    let mut groups: Vec<Dump> = Vec::new();
    let (mut dumps, mut skipped) = (0, 0);
    for a in std::env::args().skip(1) {
        rows_of(
            Path::new(&a),
            &mut rows,
            &mut groups,
            &mut dumps,
            &mut skipped,
        );
    }
    // `STATS=1`: how often each feature fires (≠ 0) on true and on false candidates.
    if std::env::var("STATS").is_ok() {
        let heads: std::collections::HashSet<(usize, usize)> =
            rows.iter().map(|r| r.head).collect();
        let true_heads: std::collections::HashSet<(usize, usize)> =
            rows.iter().filter(|r| r.y).map(|r| r.head).collect();
        println!(
            "head candidates {}, with a true tail {}",
            heads.len(),
            true_heads.len()
        );
        for (k, name) in evidence::NAMES.iter().enumerate() {
            let fires = |y: bool| {
                let n = rows.iter().filter(|r| r.y == y).count().max(1);
                let on = rows.iter().filter(|r| r.y == y && r.x[k] != 0.0).count();
                (on, on as f64 / n as f64)
            };
            let ((ton, tshare), (fon, fshare)) = (fires(true), fires(false));
            println!("{name:26} true {ton:5} ({tshare:.3})  false {fon:6} ({fshare:.4})");
        }
        return;
    }
    // `CSV=FILE`: every candidate as a line `dump,head,tail,label,head end,tail start,
    // first-stage score,linear score,features…`, for exploring
    // other models of the same evidence outside Rust.
    if let Ok(path) = std::env::var("CSV") {
        let mut out = String::from("dump,head,tail,y,head_end,tail_start,score,linear");
        for name in evidence::NAMES {
            out.push(',');
            out.push_str(name);
        }
        out.push('\n');
        for (g, d) in groups.iter().enumerate() {
            for (c, r) in d.cands.iter().zip(&rows[d.rows.clone()]) {
                let clip = |s: String| s.replace(',', "，");
                let end: String = d.texts[c.head].chars().rev().take(8).collect();
                let start: String = d.texts[c.tail].chars().take(8).collect();
                out.push_str(&format!(
                    "{g},{},{},{},{},{},{},{}",
                    c.head,
                    c.tail,
                    u8::from(r.y),
                    clip(end.chars().rev().collect()),
                    clip(start),
                    evidence::pair_score_with(boost::forest(), &features_of(r)),
                    evidence::score(&features_of(r))
                ));
                for v in &r.x[..evidence::N] {
                    out.push_str(&format!(",{v}"));
                }
                out.push('\n');
            }
        }
        if let Err(e) = std::fs::write(&path, out) {
            eprintln!("{path}: {e}");
        }
        return;
    }
    // `SAMPLE=FILE:h-t,h-t,…@WEIGHT`: an annotated real dump whose true pairs (paragraph
    // indices) are given; its candidates enter the fit with that weight, as a constraint
    // that the real layout's decisions stay right.
    if let Ok(spec) = std::env::var("SAMPLE") {
        let (spec, wt) = spec.split_once('@').unwrap_or((&spec, "20"));
        let wt: f64 = wt.parse().unwrap_or(20.0);
        if let Some((file, pairs)) = spec.split_once(':') {
            let truth: Vec<(usize, usize)> = pairs
                .split(',')
                .filter_map(|p| {
                    let (h, t) = p.split_once('-')?;
                    Some((h.parse().ok()?, t.parse().ok()?))
                })
                .collect();
            let text = std::fs::read_to_string(file).unwrap_or_default();
            let p = prepare(&text);
            dumps += 1;
            let cands = rejoin::candidates(&p.texts, &p.infos, &p.items, &p.lex);
            let start = rows.len();
            for c in &cands {
                let mut x = [0.0f64; D];
                for (k, v) in c.features.iter().enumerate() {
                    x[k] = f64::from(*v);
                }
                x[evidence::N] = 1.0;
                rows.push(Row {
                    x,
                    y: truth.contains(&(c.head, c.tail)),
                    wt,
                    head: (dumps, c.head),
                });
            }
            groups.push(Dump {
                rows: start..rows.len(),
                cands,
                context: rerank::context(&p.texts, &p.infos, &p.items),
                texts: p.texts,
            });
        }
    }
    let pos = rows.iter().filter(|r| r.y).count();
    println!(
        "{dumps} dumps ({skipped} skipped: paragraphs ≠ pieces), {} candidates, {pos} true",
        rows.len()
    );
    let mut cur = [0.0f64; D];
    for (k, w) in evidence::WEIGHTS.iter().enumerate() {
        cur[k] = f64::from(*w);
    }
    cur[evidence::N] = f64::from(evidence::BIAS);
    let (a, tp, fp) = top1(&rows, |r| r.x, &cur);
    println!("compiled-in weights: top-1 {a:.4}, ≥0: {tp} true {fp} false");
    // `BOOST=FILE`: fit the boosted trees over the features and the compiled-in linear score
    // instead, write them to FILE, and fit the second stage on their scores.
    if let Ok(out) = std::env::var("BOOST") {
        boost_main(&rows, &groups, &out);
        return;
    }
    let lambda = std::env::var("LAMBDA")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    // `PIN=adjacent=3.0,backwards=0`: hold some weights fixed (a layout prior the generator
    // exaggerates) and fit the rest.
    let pinned: Vec<(usize, f64)> = std::env::var("PIN")
        .unwrap_or_default()
        .split(',')
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            let i = evidence::NAMES.iter().position(|n| *n == k)?;
            Some((i, v.parse().ok()?))
        })
        .collect();
    let w = fit(&rows, |r: &Row| (r.x, r.y, r.wt), lambda, &pinned);
    let (a, tp, fp) = top1(&rows, |r| r.x, &w);
    println!("fitted weights:      top-1 {a:.4}, ≥0: {tp} true {fp} false");
    for (k, n) in evidence::NAMES.iter().enumerate() {
        println!("  {n:<20} {:+.3}", w[k]);
    }
    println!("  bias                 {:+.3}", w[evidence::N]);
    let list: Vec<String> = w[..evidence::N].iter().map(|x| format!("{x:.3}")).collect();
    println!("pub const WEIGHTS: [f32; N] = [{}];", list.join(", "));
    println!("pub const BIAS: f32 = {:.3};", w[evidence::N]);
    let all: Vec<String> = w.iter().map(|x| format!("{x:.3}")).collect();
    println!("PW_W={}", all.join(","));
}

fn features_of(r: &Row) -> [f32; evidence::N] {
    let mut f = [0.0f32; evidence::N];
    for (a, v) in f.iter_mut().zip(&r.x) {
        *a = *v as f32;
    }
    f
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Fits the boosted trees (`TREES`, `DEPTH`, `RATE`, `MIN_HESS` override the defaults) on the
/// candidates the linear score leaves at or above [`evidence::BOOST_FLOOR`], writes them to
/// `out`, then fits and prints the second stage on their scores.
fn boost_main(rows: &[Row], groups: &[Dump], out: &str) {
    let d = boost::Params::default();
    let params = boost::Params {
        trees: env_or("TREES", d.trees),
        depth: env_or("DEPTH", d.depth),
        learning_rate: env_or("RATE", d.learning_rate),
        min_hessian: env_or("MIN_HESS", d.min_hessian),
        ..d
    };
    let folds = env_or("FOLDS", 2usize).max(2);
    let mut fold = vec![0usize; rows.len()];
    for (g, d) in groups.iter().enumerate() {
        for i in d.rows.clone() {
            fold[i] = g % folds;
        }
    }
    let fit_on = |keep: &dyn Fn(usize) -> bool| {
        let (mut x, mut y, mut w) = (Vec::new(), Vec::new(), Vec::new());
        for (i, r) in rows.iter().enumerate() {
            let f = features_of(r);
            let s = evidence::score(&f);
            if s >= evidence::BOOST_FLOOR && keep(i) {
                x.push(evidence::boost_input(&f, s)[..=evidence::N].to_vec());
                y.push(r.y);
                w.push(r.wt);
            }
        }
        println!(
            "boosting on {} candidates ({} true)",
            x.len(),
            y.iter().filter(|&&t| t).count()
        );
        boost::fit(&x, &y, &w, &params)
    };
    let score_with = |forest: &boost::Forest, r: &Row| {
        let f = features_of(r);
        let s = evidence::score(&f);
        if s < evidence::BOOST_FLOOR {
            s
        } else {
            forest.score(&evidence::boost_input(&f, s))
        }
    };
    println!("{params:?}, {folds} folds for the second stage");
    let forest = fit_on(&|_| true);
    let (a, tp, fp) = top1_by(rows, |i| f64::from(evidence::score(&features_of(&rows[i]))));
    println!("linear (compiled-in):   top-1 {a:.4}, ≥0: {tp} true {fp} false");
    // `FOREST=FILE`: score "compiled-in" with that trees file instead (to compare forests on
    // held-out dumps without compiling them in).
    let loaded = std::env::var("FOREST").ok().map(|p| {
        boost::read_flat(Path::new(&p)).unwrap_or_else(|e| {
            eprintln!("{p}: {e}");
            std::process::exit(2)
        })
    });
    let compiled = loaded.as_ref().unwrap_or_else(|| boost::forest());
    let (a, tp, fp) = top1_by(rows, |i| {
        f64::from(evidence::pair_score_with(compiled, &features_of(&rows[i])))
    });
    println!("trees (compiled-in):    top-1 {a:.4}, ≥0: {tp} true {fp} false");
    let (a, tp, fp) = top1_by(rows, |i| f64::from(score_with(&forest, &rows[i])));
    println!("trees (fitted, seen):   top-1 {a:.4}, ≥0: {tp} true {fp} false");
    if let Err(e) = std::fs::write(out, forest.to_text()) {
        eprintln!("{out}: {e}");
    }
    // Out-of-fold scores: each dump scored by trees fitted without it, as on unseen dumps.
    let mut oof = vec![0.0f32; rows.len()];
    for k in 0..folds {
        let f = fit_on(&|i| fold[i] != k);
        for (i, r) in rows.iter().enumerate() {
            if fold[i] == k {
                oof[i] = score_with(&f, r);
            }
        }
    }
    let (a, tp, fp) = top1_by(rows, |i| f64::from(oof[i]));
    println!("trees (out of fold):    top-1 {a:.4}, ≥0: {tp} true {fp} false");
    let threshold = env_or("THRESH", rejoin::THRESHOLD);
    rerank_main(
        rows,
        groups,
        &oof,
        threshold,
        std::env::var("RERANK").ok().as_deref(),
    );
}

/// A second-stage row: the inputs of one pair of a matching pool, its label and weight.
struct RerankRow {
    x: [f32; rerank::N],
    y: bool,
    wt: f64,
    dump: usize,
    head: usize,
    tail: usize,
}

/// The second-stage rows of dump `g` (`d`) with only its candidates `keep` printed: the pool
/// those candidates form under their out-of-fold scores, with inputs and labels.
fn pool_rows(
    rows: &[Row],
    d: &Dump,
    g: usize,
    oof: &[f32],
    threshold: f32,
    keep: &[usize],
) -> Vec<RerankRow> {
    let scored: Vec<rejoin::Link> = keep
        .iter()
        .map(|&k| rejoin::Link {
            head: d.cands[k].head,
            tail: d.cands[k].tail,
            score: oof[d.rows.start + k],
        })
        .collect();
    let places: Vec<[f32; rerank::PLACE]> = keep
        .iter()
        .map(|&k| rerank::place(&d.cands[k].features))
        .collect();
    let pool = rejoin::pool(&scored, threshold);
    rerank::inputs(&scored, &places, &d.context, &pool)
        .into_iter()
        .zip(&pool)
        .map(|(x, &i)| {
            let r = &rows[d.rows.start + keep[i]];
            RerankRow {
                x,
                y: r.y,
                wt: r.wt,
                dump: g,
                head: scored[i].head,
                tail: scored[i].tail,
            }
        })
        .collect()
}

/// Fits the second stage (`split::rerank`) on the pairs entering the matching when every dump
/// is scored by first-stage trees fitted without it (`oof`), prints its precision and recall
/// at several cuts out of fold (two folds by dump, the matching run on its scores) and, with
/// `RERANK=FILE` (`out`), writes the forest fitted on all of them there.
fn rerank_main(rows: &[Row], groups: &[Dump], oof: &[f32], threshold: f32, out: Option<&str>) {
    // Each dump's pool as it is, and again with some true tails never printed (a column
    // continued on another page): the generator always prints every tail, real pages do not,
    // and without such heads the second stage would learn that every head has a tail
    // somewhere. Those copies (`RR_UNPRINTED`, the share of true tails dropped) only train.
    let unprinted = env_or("RR_UNPRINTED", 0.15f64);
    let mut rr: Vec<RerankRow> = Vec::new();
    let mut copies: Vec<RerankRow> = Vec::new();
    for (g, d) in groups.iter().enumerate() {
        let all: Vec<usize> = (0..d.cands.len()).collect();
        let dropped: std::collections::HashSet<usize> = d
            .cands
            .iter()
            .zip(d.rows.clone())
            .filter(|&(c, i)| {
                let draw =
                    (g as u64 * 1_000_003 + c.tail as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                rows[i].y
                    && rows[i].wt == 1.0
                    && (((draw >> 40) % 1000) as f64) < unprinted * 1000.0
            })
            .map(|(c, _)| c.tail)
            .collect();
        let printed: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&k| !dropped.contains(&d.cands[k].tail))
            .collect();
        rr.extend(pool_rows(rows, d, g, oof, threshold, &all));
        if !dropped.is_empty() {
            copies.extend(pool_rows(rows, d, g, oof, threshold, &printed));
        }
    }
    let d = boost::Params::default();
    let params = boost::Params {
        trees: env_or("RR_TREES", 400),
        depth: env_or("RR_DEPTH", d.depth),
        learning_rate: env_or("RR_RATE", 0.05),
        ..d
    };
    let fit_on = |keep: &dyn Fn(&RerankRow) -> bool| {
        let sel: Vec<&RerankRow> = rr.iter().chain(&copies).filter(|r| keep(r)).collect();
        let x: Vec<Vec<f32>> = sel.iter().map(|r| r.x.to_vec()).collect();
        let y: Vec<bool> = sel.iter().map(|r| r.y).collect();
        let w: Vec<f64> = sel.iter().map(|r| r.wt).collect();
        boost::fit(&x, &y, &w, &params)
    };
    let folds = env_or("FOLDS", 2usize).max(2);
    let mut score = vec![0.0f32; rr.len()];
    for k in 0..folds {
        let f = boost::Flat::new(&fit_on(&|r| r.dump % folds != k));
        for (s, r) in score.iter_mut().zip(&rr) {
            if r.dump % folds == k {
                *s = rerank::score_with(&f, &r.x);
            }
        }
    }
    let truth = rows.iter().filter(|r| r.y && r.wt == 1.0).count();
    let cuts = [-1.0f32, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5];
    let mut kept = vec![(0usize, 0usize); cuts.len()];
    let mut sample = Vec::new();
    let mut start = 0;
    while start < rr.len() {
        let end = start
            + rr[start..]
                .iter()
                .take_while(|r| r.dump == rr[start].dump)
                .count();
        let links: Vec<rejoin::Link> = (start..end)
            .map(|i| rejoin::Link {
                head: rr[i].head,
                tail: rr[i].tail,
                score: score[i],
            })
            .collect();
        for l in rejoin::matching(links) {
            let Some(r) = rr[start..end]
                .iter()
                .find(|r| r.head == l.head && r.tail == l.tail)
            else {
                continue;
            };
            if r.wt != 1.0 {
                sample.push(format!("{}{:+.2}", if r.y { "T" } else { "F" }, l.score));
                continue;
            }
            for (k, &c) in cuts.iter().enumerate() {
                if l.score >= c {
                    kept[k].0 += 1;
                    kept[k].1 += usize::from(r.y);
                }
            }
        }
        start = end;
    }
    println!(
        "second stage on {} pool pairs ({} true), {truth} true candidates; out of fold:",
        rr.len(),
        rr.iter().filter(|r| r.y).count()
    );
    for (c, (n, t)) in cuts.iter().zip(&kept) {
        println!(
            "  ≥ {c:+.1}: {n} kept, {t} true: precision {:.4}, recall {:.4}",
            *t as f64 / (*n).max(1) as f64,
            *t as f64 / truth.max(1) as f64
        );
    }
    println!(
        "sample's matched pairs, out of fold (T/F, log-odds): {}",
        sample.join(" ")
    );
    let Some(out) = out else {
        return;
    };
    let forest = fit_on(&|_| true);
    if let Err(e) = std::fs::write(out, forest.to_text()) {
        eprintln!("{out}: {e}");
    }
}

const DH: usize = cut_short::DIM + 1;

/// A headline row: inputs (bias last), a true head, and its best tail is its true tail.
struct HeadlineRow {
    x: [f64; DH],
    y: bool,
    best_true: bool,
}

/// `CUT_SHORT=1`: fits the gate and the full model of `split::cut_short` over every headline
/// (no heading mark) the adjacent rule leaves, labelled by whether it is the head of a true
/// column break, and prints both as constants with the conversions they make at several cuts.
fn cut_short_main(dirs: &[String]) {
    let mut rows: Vec<HeadlineRow> = Vec::new();
    for dir in dirs {
        let dir = Path::new(dir);
        let Ok(names) = presswire::eval::dump_names(dir) else {
            continue;
        };
        for name in names {
            let Ok(Some(dump)) = presswire::eval::load_dump(dir, &dir.join(".truth"), &name) else {
                continue;
            };
            let (mut p, adjacent) = prepare_headlines(&dump.text);
            let pieces = &dump.truth.pieces;
            if p.texts.len() != pieces.len() {
                continue;
            }
            let is_true = |a: usize, b: usize| true_join(pieces, a, b);
            for (k, &i) in p.items.iter().enumerate() {
                let info = &p.infos[i];
                if info.role != presswire::stages::split::kinds::Role::Headline || info.heading_mark
                {
                    continue;
                }
                let best = cut_short::best_tails(
                    &p.texts,
                    &mut p.infos,
                    &p.items,
                    &p.lex,
                    k,
                    &mut p.tails,
                );
                let f =
                    cut_short::features(&p.texts, &p.infos, &p.items, &p.lex, k, adjacent[k], best);
                let mut x = [0.0f64; DH];
                for (a, v) in x.iter_mut().zip(f) {
                    *a = f64::from(v);
                }
                x[cut_short::DIM] = 1.0;
                let best_tail = best.map(|b| b.tail);
                rows.push(HeadlineRow {
                    x,
                    y: (0..pieces.len()).any(|b| is_true(i, b)),
                    best_true: best_tail.is_some_and(|t| is_true(i, t)),
                });
            }
        }
    }
    let lambda = env_or("LAMBDA", 1.0);
    let pos = rows.iter().filter(|r| r.y).count();
    println!("{} headlines, {pos} true heads", rows.len());
    let pinned: Vec<(usize, f64)> = (cut_short::BEST_AT..cut_short::DIM)
        .map(|i| (i, 0.0))
        .collect();
    let gate = fit(&rows, |r: &HeadlineRow| (r.x, r.y, 1.0), lambda, &pinned);
    let full = fit(&rows, |r: &HeadlineRow| (r.x, r.y, 1.0), lambda, &[]);
    let z =
        |w: &[f64; DH], r: &HeadlineRow| -> f64 { w.iter().zip(&r.x).map(|(a, b)| a * b).sum() };
    for (name, w) in [("gate", &gate), ("full", &full)] {
        for cut in [-5.0, -4.0, -3.5, -3.0, -2.0, -1.4, -1.0, 0.0] {
            let sel: Vec<&HeadlineRow> = rows.iter().filter(|r| z(w, r) >= cut).collect();
            let tp = sel.iter().filter(|r| r.y).count();
            let good = sel.iter().filter(|r| r.y && r.best_true).count();
            println!("{name} cut {cut:+.1}: {} selected, {tp} true heads ({good} with their true tail best), {} false", sel.len(), sel.len() - tp);
        }
        let names = cut_short::NAMES;
        for (k, n) in names.iter().enumerate() {
            println!(
                "  {name} {n:<16} {:+.3}",
                w[2 * presswire::stages::split::joinlm::CLASSES + k]
            );
        }
        println!("  {name} bias {:+.3}", w[cut_short::DIM]);
    }
    let fmt = |w: &[f64; DH]| {
        w.iter()
            .map(|x| format!("{x:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!("pub const GATE: [f32; DIM + 1] = [{}];", fmt(&gate));
    println!("pub const WEIGHTS: [f32; DIM + 1] = [{}];", fmt(&full));
}
