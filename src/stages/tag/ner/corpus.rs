//! Reading NER corpora (`char<space or tab>tag` lines, BIO or BMES, blank line between
//! sentences, CRLF tolerated) and scoring predicted spans against gold ones.

use std::collections::BTreeMap;

use super::labels::{NerType, Span};

/// One annotated sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// The sentence's characters.
    pub text: String,
    /// Gold entity spans, in character offsets.
    pub spans: Vec<Span>,
}

/// Parses a corpus. Lines that are not `char tag` are reported as errors with their number.
///
/// # Errors
/// With the 1-based line number of the first malformed line.
pub fn parse(text: &str) -> Result<Vec<Sentence>, String> {
    let mut out = Vec::new();
    let (mut chars, mut tags): (String, Vec<String>) = (String::new(), Vec::new());
    let mut flush = |chars: &mut String, tags: &mut Vec<String>| {
        if !chars.is_empty() {
            out.push(Sentence {
                text: std::mem::take(chars),
                spans: spans_from_tags(tags),
            });
        }
        tags.clear();
    };
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            flush(&mut chars, &mut tags);
            continue;
        }
        let mut it = line.split([' ', '\t']).filter(|p| !p.is_empty());
        match (it.next(), it.next(), it.next()) {
            (Some(c), Some(t), None) if c.chars().count() == 1 => {
                chars.push_str(c);
                tags.push(t.to_string());
            }
            _ => return Err(format!("line {}: expected `char tag`, got {line:?}", n + 1)),
        }
    }
    flush(&mut chars, &mut tags);
    Ok(out)
}

/// Spans from BIO or BMES tags (`B-PER`, `I-PER`/`M-PER`, `E-PER`, `S-PER`, `O`).
pub fn spans_from_tags<S: AsRef<str>>(tags: &[S]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut open: Option<(usize, NerType)> = None;
    let close = |open: &mut Option<(usize, NerType)>, end: usize, out: &mut Vec<Span>| {
        if let Some((start, ty)) = open.take() {
            out.push(Span { start, end, ty });
        }
    };
    for (i, t) in tags.iter().enumerate() {
        let t = t.as_ref();
        let (prefix, ty) = match t.split_once('-') {
            Some((p, ty)) => (p, NerType::parse(ty)),
            None => (t, None),
        };
        let Some(ty) = ty else {
            close(&mut open, i, &mut out);
            continue;
        };
        match prefix {
            "B" => {
                close(&mut open, i, &mut out);
                open = Some((i, ty));
            }
            "S" => {
                close(&mut open, i, &mut out);
                out.push(Span {
                    start: i,
                    end: i + 1,
                    ty,
                });
            }
            "I" | "M" | "E" => {
                if open.map(|o| o.1) != Some(ty) {
                    close(&mut open, i, &mut out);
                    open = Some((i, ty));
                }
                if prefix == "E" {
                    close(&mut open, i + 1, &mut out);
                }
            }
            _ => close(&mut open, i, &mut out),
        }
    }
    close(&mut open, tags.len(), &mut out);
    out
}

/// True positives, false positives and false negatives of one entity type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Predicted spans that match a gold span exactly.
    pub tp: usize,
    /// Predicted spans that match none.
    pub fp: usize,
    /// Gold spans not predicted.
    pub fn_: usize,
}

impl Counts {
    /// Precision, recall, F1 (0 when undefined).
    pub fn prf(&self) -> (f64, f64, f64) {
        let p = ratio(self.tp, self.tp + self.fp);
        let r = ratio(self.tp, self.tp + self.fn_);
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Exact-span-match scores per type, plus micro totals.
#[derive(Debug, Clone, Default)]
pub struct Scores {
    /// Per type.
    pub by_type: BTreeMap<NerType, Counts>,
}

impl Scores {
    /// Adds one sentence's gold and predicted spans.
    pub fn add(&mut self, gold: &[Span], pred: &[Span]) {
        for t in NerType::ALL {
            let c = self.by_type.entry(t).or_default();
            let g: std::collections::HashSet<&Span> = gold.iter().filter(|s| s.ty == t).collect();
            let p: std::collections::HashSet<&Span> = pred.iter().filter(|s| s.ty == t).collect();
            let hit = p.intersection(&g).count();
            c.tp += hit;
            c.fp += p.len() - hit;
            c.fn_ += g.len() - hit;
        }
    }

    /// All types together.
    pub fn micro(&self) -> Counts {
        self.by_type
            .values()
            .fold(Counts::default(), |a, c| Counts {
                tp: a.tp + c.tp,
                fp: a.fp + c.fp,
                fn_: a.fn_ + c.fn_,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bio_and_bmes_alike() {
        let bio = "张\tB-PER\n三\tI-PER\n在\tO\n京\tB-LOC\n\n";
        let bmes = "张 B-PER\r\n三 E-PER\r\n在 O\r\n京 S-LOC\r\n\r\n";
        let a = parse(bio).expect("bio");
        let b = parse(bmes).expect("bmes");
        assert_eq!(a, b);
        assert_eq!(a[0].text, "张三在京");
        assert_eq!(
            a[0].spans,
            vec![
                Span {
                    start: 0,
                    end: 2,
                    ty: NerType::Per
                },
                Span {
                    start: 3,
                    end: 4,
                    ty: NerType::Loc
                },
            ]
        );
    }

    #[test]
    fn malformed_lines_name_their_number() {
        let err = parse("张 B-PER\n三 I-PER extra\n").expect_err("bad line");
        assert!(err.starts_with("line 2"), "{err}");
    }

    #[test]
    fn scores_need_exact_spans() {
        let gold = vec![
            Span {
                start: 0,
                end: 2,
                ty: NerType::Per,
            },
            Span {
                start: 3,
                end: 5,
                ty: NerType::Loc,
            },
        ];
        let pred = vec![
            Span {
                start: 0,
                end: 2,
                ty: NerType::Per,
            },
            Span {
                start: 3,
                end: 4,
                ty: NerType::Loc,
            },
        ];
        let mut s = Scores::default();
        s.add(&gold, &pred);
        let per = s.by_type[&NerType::Per];
        let loc = s.by_type[&NerType::Loc];
        assert_eq!((per.tp, per.fp, per.fn_), (1, 0, 0));
        assert_eq!((loc.tp, loc.fp, loc.fn_), (0, 1, 1));
        let (p, r, f) = s.micro().prf();
        assert_eq!((p, r, f), (0.5, 0.5, 0.5));
    }
}
