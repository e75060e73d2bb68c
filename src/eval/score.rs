//! Scores split + clean against generated ground truth.
//!
//! Each output paragraph is decomposed into the dump pieces it is made of (longest piece
//! that is a prefix, repeatedly). From that:
//! - *assignment accuracy*: share of body and heading pieces that land in the record matched
//!   to their article (each article is matched to the record holding most of its pieces among
//!   the records where it is the majority), and B-cubed precision/recall/F1 over pieces;
//! - *rejoin precision/recall*: consecutive pieces inside one output paragraph are predicted
//!   joins; consecutive parts of one true paragraph are true joins;
//! - *title/author/dateline/kind accuracy* on matched articles, *article count accuracy* per
//!   dump, and reading-order *Kendall tau* per article.

use std::collections::HashMap;

use serde::Serialize;

use super::truth::{PieceRole, Truth};
use crate::stages::Draft;

/// Counts accumulated over dumps.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    /// Dumps scored.
    pub dumps: usize,
    /// Dumps whose record count equals the true article count.
    pub count_ok: usize,
    /// Body and heading pieces.
    pub pieces: usize,
    /// Pieces in the right record.
    pub assigned_ok: usize,
    /// Sum of B-cubed precision over pieces.
    pub bcubed_p: f64,
    /// Sum of B-cubed recall over pieces.
    pub bcubed_r: f64,
    /// Predicted joins.
    pub joins_pred: usize,
    /// True joins.
    pub joins_true: usize,
    /// Predicted joins that are true.
    pub joins_ok: usize,
    /// True articles.
    pub articles: usize,
    /// Titles exactly right.
    pub title_ok: usize,
    /// Author lists exactly right.
    pub authors_ok: usize,
    /// Datelines exactly right.
    pub dateline_ok: usize,
    /// Kinds right.
    pub kind_ok: usize,
    /// Sum of Kendall tau over articles with at least two pieces found.
    pub tau_sum: f64,
    /// Articles with a tau.
    pub tau_n: usize,
    /// Furniture pieces left in output text.
    pub furniture_leaked: usize,
    /// Characters of output text that match no piece.
    pub unmatched_chars: usize,
    /// Bytes of dump text processed.
    pub bytes: usize,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

impl Tally {
    /// The headline figures, as `(name, value)` pairs.
    pub fn figures(&self) -> Vec<(&'static str, f64)> {
        let p = ratio(self.joins_ok, self.joins_pred);
        let r = ratio(self.joins_ok, self.joins_true);
        let bp = if self.pieces == 0 {
            1.0
        } else {
            self.bcubed_p / self.pieces as f64
        };
        let br = if self.pieces == 0 {
            1.0
        } else {
            self.bcubed_r / self.pieces as f64
        };
        vec![
            ("article_count_accuracy", ratio(self.count_ok, self.dumps)),
            ("assignment_accuracy", ratio(self.assigned_ok, self.pieces)),
            (
                "bcubed_f1",
                if bp + br > 0.0 {
                    2.0 * bp * br / (bp + br)
                } else {
                    0.0
                },
            ),
            ("rejoin_precision", p),
            ("rejoin_recall", r),
            ("title_accuracy", ratio(self.title_ok, self.articles)),
            ("author_accuracy", ratio(self.authors_ok, self.articles)),
            ("dateline_accuracy", ratio(self.dateline_ok, self.articles)),
            ("kind_accuracy", ratio(self.kind_ok, self.articles)),
            (
                "kendall_tau",
                if self.tau_n == 0 {
                    1.0
                } else {
                    self.tau_sum / self.tau_n as f64
                },
            ),
        ]
    }
}

/// Each piece's (record, position), and the joins seen (consecutive pieces in one paragraph).
type Located = (Vec<Option<(usize, usize)>>, Vec<(usize, usize)>);

/// Where each piece went: (record, position in record) for body and heading pieces.
///
/// Output text that several pieces share (a boilerplate paragraph printed in two articles)
/// goes to an unplaced piece first, then to one of `prefer[record]`'s article, so that
/// identical paragraphs are not counted as swapped between their records.
fn locate(
    truth: &Truth,
    records: &[Draft],
    prefer: &[Option<usize>],
    tally: &mut Tally,
) -> Located {
    let mut by_prefix: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in truth.pieces.iter().enumerate() {
        let key: String = p.text.chars().take(4).collect();
        by_prefix.entry(key).or_default().push(i);
    }
    let mut place: Vec<Option<(usize, usize)>> = vec![None; truth.pieces.len()];
    let mut joins: Vec<(usize, usize)> = Vec::new();
    for (r, d) in records.iter().enumerate() {
        let preferred = |i: usize| {
            prefer
                .get(r)
                .copied()
                .flatten()
                .is_some_and(|a| truth.pieces[i].article == Some(a))
        };
        let mut pos = 0;
        for para in &d.paragraphs {
            let mut rest = para.as_str();
            let mut prev: Option<usize> = None;
            while !rest.is_empty() {
                let mut best: Option<usize> = None;
                // Try prefixes of every length 1..=4 characters as keys (short pieces).
                let keys: Vec<String> = (1..=4).map(|k| rest.chars().take(k).collect()).collect();
                for key in keys.iter().rev() {
                    for &i in by_prefix.get(key).map(Vec::as_slice).unwrap_or(&[]) {
                        let t = &truth.pieces[i].text;
                        if !t.is_empty() && rest.starts_with(t.as_str()) {
                            let better = best.is_none_or(|b| {
                                let bt = &truth.pieces[b].text;
                                (t.len(), place[i].is_none(), preferred(i))
                                    > (bt.len(), place[b].is_none(), preferred(b))
                            });
                            if better {
                                best = Some(i);
                            }
                        }
                    }
                }
                match best {
                    Some(i) => {
                        if place[i].is_none() {
                            place[i] = Some((r, pos));
                        }
                        if truth.pieces[i].role == PieceRole::Furniture {
                            tally.furniture_leaked += 1;
                        }
                        if let Some(p) = prev {
                            joins.push((p, i));
                        }
                        prev = Some(i);
                        pos += 1;
                        rest = &rest[truth.pieces[i].text.len()..];
                    }
                    None => {
                        tally.unmatched_chars += rest.chars().count();
                        break;
                    }
                }
            }
        }
    }
    (place, joins)
}

/// Each record's majority article and how many of the `body` pieces placed in it are of that
/// article (ties go to the lower article index).
fn majorities(
    truth: &Truth,
    body: &[usize],
    place: &[Option<(usize, usize)>],
) -> HashMap<usize, (usize, usize)> {
    let mut counts: HashMap<(usize, usize), usize> = HashMap::new();
    for &i in body {
        if let (Some((r, _)), Some(a)) = (place[i], truth.pieces[i].article) {
            *counts.entry((r, a)).or_default() += 1;
        }
    }
    let mut major: HashMap<usize, (usize, usize)> = HashMap::new();
    for (&(r, a), &n) in &counts {
        let e = major.entry(r).or_insert((a, n));
        if n > e.1 || (n == e.1 && a < e.0) {
            *e = (a, n);
        }
    }
    major
}

/// Scores one dump's records against its truth, adding to `tally`.
pub fn score(truth: &Truth, records: &[Draft], tally: &mut Tally) {
    tally.dumps += 1;
    if records.len() == truth.articles.len() {
        tally.count_ok += 1;
    }
    let body: Vec<usize> = (0..truth.pieces.len())
        .filter(|&i| matches!(truth.pieces[i].role, PieceRole::Body | PieceRole::Heading))
        .collect();
    // A first pass finds each record's majority article; the second uses it to place text
    // that several pieces share.
    let (first, _) = locate(truth, records, &[], &mut Tally::default());
    let prefer: Vec<Option<usize>> = {
        let major = majorities(truth, &body, &first);
        (0..records.len())
            .map(|r| major.get(&r).map(|&(a, _)| a))
            .collect()
    };
    let (place, joins) = locate(truth, records, &prefer, tally);
    // Majority article of each record, then each article's record.
    let na = truth.articles.len();
    let major = majorities(truth, &body, &place);
    let mut best: Vec<Option<(usize, usize)>> = vec![None; na];
    for (&r, &(a, n)) in &major {
        if best[a].is_none_or(|(br, bn)| n > bn || (n == bn && r < br)) {
            best[a] = Some((r, n));
        }
    }
    // Headless records (captions) that hold no body piece are matched by position.
    for &i in &body {
        tally.pieces += 1;
        let a = truth.pieces[i].article;
        let ok = match (place[i], a) {
            (Some((r, _)), Some(a)) => best[a].is_some_and(|(br, _)| br == r),
            _ => false,
        };
        if ok {
            tally.assigned_ok += 1;
        }
        // B-cubed over pieces.
        let same_pred: Vec<usize> = body
            .iter()
            .copied()
            .filter(|&j| place[j].map(|p| p.0) == place[i].map(|p| p.0) && place[i].is_some())
            .collect();
        let same_true = body
            .iter()
            .filter(|&&j| truth.pieces[j].article == a)
            .count();
        let both = same_pred
            .iter()
            .filter(|&&j| truth.pieces[j].article == a)
            .count();
        if place[i].is_some() {
            tally.bcubed_p += both as f64 / same_pred.len().max(1) as f64;
        }
        if place[i].is_some() {
            tally.bcubed_r += both as f64 / same_true.max(1) as f64;
        }
    }
    if std::env::var_os("PW_EVAL_DEBUG").is_some() {
        for (a, ta) in truth.articles.iter().enumerate() {
            let mut where_: HashMap<Option<usize>, usize> = HashMap::new();
            for &i in &body {
                if truth.pieces[i].article == Some(a) {
                    *where_.entry(place[i].map(|p| p.0)).or_default() += 1;
                }
            }
            let mut w: Vec<_> = where_.into_iter().collect();
            w.sort();
            let title: String = ta
                .title
                .clone()
                .unwrap_or_default()
                .chars()
                .take(12)
                .collect();
            let rec_title: String = best[a]
                .and_then(|(r, _)| records[r].title.clone())
                .unwrap_or_default()
                .chars()
                .take(12)
                .collect();
            eprintln!(
                "{} ART {a} {title} -> {:?} best={:?} rec_title={rec_title}",
                truth.file,
                w,
                best[a].map(|b| b.0)
            );
        }
    }
    // Joins.
    let mut true_joins = 0;
    let mut parts: HashMap<(usize, usize), Vec<(usize, usize)>> = HashMap::new();
    for &i in &body {
        let p = &truth.pieces[i];
        if let (Some(a), Some(para)) = (p.article, p.para) {
            parts.entry((a, para)).or_default().push((p.part, i));
        }
    }
    let mut truth_pairs: Vec<(usize, usize)> = Vec::new();
    for v in parts.values_mut() {
        v.sort_unstable();
        for w in v.windows(2) {
            true_joins += 1;
            truth_pairs.push((w[0].1, w[1].1));
        }
    }
    tally.joins_true += true_joins;
    tally.joins_pred += joins.len();
    tally.joins_ok += joins.iter().filter(|j| truth_pairs.contains(j)).count();
    if std::env::var_os("PW_EVAL_DEBUG").is_some() {
        let ex = |i: usize, head: bool| {
            let t = &truth.pieces[i].text;
            let n = t.chars().count();
            if head {
                t.chars().skip(n.saturating_sub(10)).collect::<String>()
            } else {
                t.chars().take(10).collect()
            }
        };
        for j in &joins {
            if !truth_pairs.contains(j) {
                eprintln!(
                    "{} FALSE JOIN {}|{}",
                    truth.file,
                    ex(j.0, true),
                    ex(j.1, false)
                );
            }
        }
        for j in &truth_pairs {
            if !joins.contains(j) {
                eprintln!(
                    "{} MISSED JOIN {}|{} (placed {:?} {:?})",
                    truth.file,
                    ex(j.0, true),
                    ex(j.1, false),
                    place[j.0],
                    place[j.1]
                );
            }
        }
    }
    // Per article: header fields and order.
    for (a, ta) in truth.articles.iter().enumerate() {
        tally.articles += 1;
        let Some((r, _)) = best[a] else { continue };
        let d = &records[r];
        tally.title_ok += usize::from(d.title == ta.title);
        tally.authors_ok += usize::from(d.authors == ta.authors);
        tally.dateline_ok += usize::from(d.dateline == ta.dateline);
        let kind = match d.kind {
            crate::record::Kind::Article => "article",
            crate::record::Kind::Brief => "brief",
            crate::record::Kind::PhotoCaption => "photo_caption",
        };
        tally.kind_ok += usize::from(kind == ta.kind);
        let mut seq: Vec<((usize, usize), usize)> = body
            .iter()
            .filter(|&&i| truth.pieces[i].article == Some(a))
            .filter_map(|&i| match place[i] {
                Some((rr, pos)) if rr == r => Some((
                    (truth.pieces[i].para.unwrap_or(0), truth.pieces[i].part),
                    pos,
                )),
                _ => None,
            })
            .collect();
        if seq.len() >= 2 {
            seq.sort_unstable();
            let (mut conc, mut disc) = (0i64, 0i64);
            for x in 0..seq.len() {
                for y in x + 1..seq.len() {
                    if seq[x].1 < seq[y].1 {
                        conc += 1;
                    } else {
                        disc += 1;
                    }
                }
            }
            tally.tau_sum += (conc - disc) as f64 / (conc + disc).max(1) as f64;
            tally.tau_n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::truth::{Piece, TruthArticle};

    fn piece(text: &str, article: usize, para: usize) -> Piece {
        Piece {
            text: text.to_string(),
            role: PieceRole::Body,
            article: Some(article),
            para: Some(para),
            part: 0,
        }
    }

    fn record(paragraphs: &[&str]) -> Draft {
        Draft {
            paragraphs: paragraphs.iter().map(|p| p.to_string()).collect(),
            ..Draft::default()
        }
    }

    #[test]
    fn a_paragraph_printed_in_two_articles_counts_for_the_record_holding_it() {
        let ad = "新酷产品第一时间免费试玩。";
        let truth = Truth {
            pieces: vec![
                piece(ad, 0, 0),
                piece("甲队主场两球取胜。", 0, 1),
                piece("甲队教练赛后很满意。", 0, 2),
                piece(ad, 1, 0),
                piece("乙公司发布新款手机。", 1, 1),
                piece("乙公司股价随之上涨。", 1, 2),
            ],
            articles: vec![TruthArticle::default(), TruthArticle::default()],
            ..Truth::default()
        };
        // The second article's record comes first, so the shared paragraph's first copy is
        // met in it.
        let records = [
            record(&[ad, "乙公司发布新款手机。", "乙公司股价随之上涨。"]),
            record(&[ad, "甲队主场两球取胜。", "甲队教练赛后很满意。"]),
        ];
        let mut tally = Tally::default();
        score(&truth, &records, &mut tally);
        assert_eq!(tally.pieces, 6);
        assert_eq!(tally.assigned_ok, 6, "{tally:?}");
        // Without the preference the first copy goes to the first piece: two swapped.
        let body: Vec<usize> = (0..6).collect();
        let (plain, _) = locate(&truth, &records, &[], &mut Tally::default());
        assert_eq!(plain[0].map(|p| p.0), Some(0));
        assert_eq!(majorities(&truth, &body, &plain).get(&0), Some(&(1, 2)));
    }
}
