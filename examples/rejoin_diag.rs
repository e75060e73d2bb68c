//! Where each true column break of generated dumps is lost: `cargo run --release --example
//! rejoin_diag -- DIR` prints one line per true (head, tail) pair that the links miss, with
//! the step that lost it, and per-step counts; false links are listed too.
//!
//! Steps: `head` (the head paragraph is not a head: its role or ending), `tail` (the tail is
//! not a candidate), `score` (below the matching threshold or not among its head's best),
//! `matching` (the one-to-one matching chose other pairs), `stage2` (the second stage refused
//! it). Found links then still have to survive assignment and ordering (`eval-split`).
//! False links are counted by what the truth says of their ends: the head has its true tail
//! elsewhere (`H` on the line), the tail its true head elsewhere (`T`), both, or neither.
//!
//! To try a model before compiling it in: `PW_W=…` (linear first stage, bias last, as
//! `rejoin_fit` prints it), `RERANK=FILE` (a second-stage forest `rejoin_fit RERANK=` wrote),
//! `THRESH=…`, `ACCEPT=…`; `QUIET=1`
//! prints the counts only. `HEADLINES=1` instead counts, for each cut, the headlines directly
//! followed by body that a rejoin score would turn back into body (true breaks and not):
//! with the linear score, or with `HEADLINES=trees` the first stage's (boosted trees).
use std::collections::BTreeMap;
use std::path::Path;

use presswire::eval::truth::PieceRole;
use presswire::stages::split::{boost, evidence, prepare, rejoin, rerank};

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: rejoin_diag DIR");
        std::process::exit(2);
    };
    let dir = Path::new(&dir);
    let names = presswire::eval::dump_names(dir).unwrap_or_default();
    let env_list = |k: &str| -> Option<Vec<f32>> {
        std::env::var(k)
            .ok()
            .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
    };
    let w1 = env_list("PW_W").filter(|w| w.len() == evidence::N + 1);
    // `RERANK=FILE`: another second-stage forest than the compiled-in one.
    let rerank_forest = std::env::var("RERANK").ok().map(|p| {
        boost::read_flat(Path::new(&p)).unwrap_or_else(|e| {
            eprintln!("{p}: {e}");
            std::process::exit(2)
        })
    });
    let forest2 = rerank_forest.as_ref().unwrap_or_else(|| rerank::forest());
    let env_f = |k: &str, d: f32| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let thresh = env_f("THRESH", rejoin::THRESHOLD);
    let accept = env_f("ACCEPT", rejoin::ACCEPT);
    let quiet = std::env::var_os("QUIET").is_some();
    // `HEADLINES=1`: only the headline → body decision of `prepare` (`HEADLINE_CUT`).
    // `HEADLINES=trees`: the same with the first stage's full score (boosted trees).
    let headlines = std::env::var_os("HEADLINES").is_some();
    let trees = std::env::var("HEADLINES").is_ok_and(|v| v == "trees");
    let mut headline_scores: Vec<(f32, bool)> = Vec::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut skipped = 0;
    for name in names {
        let Ok(Some(dump)) = presswire::eval::load_dump(dir, &dir.join(".truth"), &name) else {
            continue;
        };
        let (truth, text) = (dump.truth, dump.text);
        let stem = name.trim_end_matches(".txt");
        let p = prepare(&text);
        if p.texts.len() != truth.pieces.len() {
            skipped += 1;
            continue;
        }
        let is_true = |h: usize, t: usize| {
            let (a, b) = (&truth.pieces[h], &truth.pieces[t]);
            a.role == PieceRole::Body
                && b.role == PieceRole::Body
                && a.article == b.article
                && a.para == b.para
                && b.part == a.part + 1
        };
        if headlines {
            // Every headline (as classified before `prepare` turns some into body) directly
            // followed by a body paragraph: its rejoin score and whether it is a true break.
            let infos = presswire::stages::split::kinds::classify(&p.texts);
            for w in p.items.windows(2) {
                let (h, t) = (w[0], w[1]);
                use presswire::stages::split::kinds::Role;
                if infos[h].role != Role::Headline
                    || infos[h].heading_mark
                    || infos[t].role != Role::Body
                {
                    continue;
                }
                let place = evidence::Place {
                    adjacent: true,
                    distance: 1,
                    ..evidence::Place::default()
                };
                let f = evidence::features(&p.lex, &p.texts[h], &p.texts[t], &infos[t], &place);
                let s = match &w1 {
                    Some(w) => {
                        w[evidence::N] + f.iter().zip(w.iter()).map(|(a, b)| a * b).sum::<f32>()
                    }
                    None if trees => evidence::pair_score(&f),
                    None => evidence::score(&f),
                };
                headline_scores.push((s, is_true(h, t)));
            }
            continue;
        }
        let cands = rejoin::candidates(&p.texts, &p.infos, &p.items, &p.lex);
        let scored: Vec<rejoin::Link> = match &w1 {
            Some(w) => cands
                .iter()
                .map(|c| rejoin::Link {
                    head: c.head,
                    tail: c.tail,
                    score: w[evidence::N]
                        + c.features
                            .iter()
                            .zip(w.iter())
                            .map(|(a, b)| a * b)
                            .sum::<f32>(),
                })
                .collect(),
            None => rejoin::score_all(&cands),
        };
        let places: Vec<[f32; rerank::PLACE]> =
            cands.iter().map(|c| rerank::place(&c.features)).collect();
        let context = rerank::context(&p.texts, &p.infos, &p.items);
        let chosen = rejoin::rescored_matching(&scored, &places, &context, thresh, forest2);
        let links: Vec<rejoin::Link> = chosen
            .iter()
            .filter(|l| l.score >= accept)
            .copied()
            .collect();
        let ex = |i: usize, end: bool| -> String {
            let t = &p.texts[i];
            let n = t.chars().count();
            if end {
                t.chars().skip(n.saturating_sub(10)).collect()
            } else {
                t.chars().take(10).collect()
            }
        };
        let score_of = |h: usize, t: usize| {
            scored
                .iter()
                .find(|l| l.head == h && l.tail == t)
                .map(|l| l.score)
        };
        for l in &links {
            if !is_true(l.head, l.tail) {
                *counts.entry("false link").or_default() += 1;
                // What the truth says of the two ends: the head has a true tail elsewhere
                // (`H`), the tail a true head elsewhere (`T`).
                let n = truth.pieces.len();
                let head_has = (0..n).any(|t| is_true(l.head, t));
                let tail_has = (0..n).any(|h| is_true(h, l.tail));
                let kind = match (head_has, tail_has) {
                    (true, true) => "false link: both ends taken",
                    (true, false) => "false link: head's tail elsewhere",
                    (false, true) => "false link: tail's head elsewhere",
                    (false, false) => "false link: neither end",
                };
                *counts.entry(kind).or_default() += 1;
                if quiet {
                    continue;
                }
                println!(
                    "{stem} FALSE {:>3}->{:<3} {:+.2} {}{} {}|{}",
                    l.head,
                    l.tail,
                    l.score,
                    if head_has { "H" } else { "-" },
                    if tail_has { "T" } else { "-" },
                    ex(l.head, true),
                    ex(l.tail, false)
                );
            }
        }
        for h in 0..truth.pieces.len() {
            for t in 0..truth.pieces.len() {
                if h == t || !is_true(h, t) {
                    continue;
                }
                *counts.entry("true").or_default() += 1;
                if links.iter().any(|l| l.head == h && l.tail == t) {
                    *counts.entry("linked").or_default() += 1;
                    continue;
                }
                let info = &p.infos[h];
                let step = if !rejoin::is_head(&p.texts[h], info) {
                    format!(
                        "head role={:?} terminal={} caption={}",
                        info.role, info.terminal, info.caption
                    )
                } else if p.infos[t].role != presswire::stages::split::kinds::Role::Body
                    || p.infos[t].dateline.is_some()
                {
                    format!("tail role={:?}", p.infos[t].role)
                } else if let Some(c) = chosen.iter().find(|c| c.head == h && c.tail == t) {
                    format!(
                        "stage2 s={:+.2} r={:+.2}",
                        score_of(h, t).unwrap_or(f32::NAN),
                        c.score
                    )
                } else {
                    let s = score_of(h, t).unwrap_or(f32::NAN);
                    let rank = scored.iter().filter(|l| l.head == h && l.score > s).count();
                    if s < thresh || rank >= 6 {
                        format!("score s={s:+.2} rank={rank}")
                    } else {
                        let hg = chosen.iter().find(|c| c.head == h);
                        let tg = chosen.iter().find(|c| c.tail == t);
                        format!(
                            "matching s={s:+.2} head->{:?} tail<-{:?}",
                            hg.map(|c| (c.tail, c.score, is_true(c.head, c.tail))),
                            tg.map(|c| (c.head, c.score, is_true(c.head, c.tail)))
                        )
                    }
                };
                let key = step.split(' ').next().unwrap_or("");
                let key: &'static str = match key {
                    "head" => "miss: head",
                    "tail" => "miss: tail",
                    "stage2" => "miss: stage2",
                    "score" => "miss: score",
                    _ => "miss: matching",
                };
                *counts.entry(key).or_default() += 1;
                if quiet {
                    continue;
                }
                println!(
                    "{stem} MISS {h:>3}->{t:<3} {}|{}  {step}",
                    ex(h, true),
                    ex(t, false)
                );
            }
        }
    }
    if headlines {
        for cut in [0.0f32, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0] {
            let t = headline_scores.iter().filter(|x| x.0 >= cut && x.1).count();
            let f = headline_scores
                .iter()
                .filter(|x| x.0 >= cut && !x.1)
                .count();
            println!("headline cut {cut}: {t} true breaks, {f} false");
        }
        let all = headline_scores.iter().filter(|x| x.1).count();
        println!(
            "headline → body pairs: {} ({all} true)",
            headline_scores.len()
        );
        return;
    }
    for (k, v) in &counts {
        println!("{k:<16} {v}");
    }
    let (t, l, f) = (
        counts.get("true").copied().unwrap_or(0),
        counts.get("linked").copied().unwrap_or(0),
        counts.get("false link").copied().unwrap_or(0),
    );
    println!(
        "links: precision {:.4} recall {:.4}",
        l as f64 / (l + f).max(1) as f64,
        l as f64 / t.max(1) as f64
    );
    println!("skipped (paragraphs ≠ pieces): {skipped}");
}
