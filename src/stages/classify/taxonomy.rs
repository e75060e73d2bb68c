//! The `taxonomy` classifier: labels with weighted terms, explainable by construction.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::record::Category;
use crate::stages::classify::UNKNOWN;
use crate::stages::tag::keywords::round4;
use crate::stages::tag::{Token, Zone};

/// The built-in taxonomy, compiled in from `config/taxonomy.toml`.
pub const DEFAULT_TAXONOMY: &str = include_str!("../../../config/taxonomy.toml");

/// How many deciding terms a category lists as evidence.
const EVIDENCE: usize = 5;

/// A taxonomy file as written in TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxonomyFile {
    min_total: f64,
    title_boost: f64,
    labels: BTreeMap<String, LabelDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelDef {
    #[allow(dead_code)]
    description: String,
    terms: BTreeMap<String, f64>,
}

/// A loaded taxonomy: term → (label index, weight) pairs.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    labels: Vec<String>,
    terms: HashMap<String, Vec<(usize, f64)>>,
    min_total: f64,
    title_boost: f64,
}

/// A taxonomy file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TaxonomyError {
    /// Not valid TOML or not the expected layout.
    #[error("taxonomy is not valid: {0}")]
    Parse(#[from] toml::de::Error),
    /// Structurally valid but unusable.
    #[error("taxonomy is not usable: {0}")]
    Invalid(String),
}

impl Taxonomy {
    /// Parses and checks a taxonomy from TOML text.
    ///
    /// # Errors
    /// If the TOML is malformed, has no labels, or has a non-positive or non-finite weight.
    pub fn parse(text: &str) -> Result<Self, TaxonomyError> {
        let file: TaxonomyFile = toml::from_str(text)?;
        if file.labels.is_empty() {
            return Err(TaxonomyError::Invalid("no labels defined".into()));
        }
        let mut labels = Vec::new();
        let mut terms: HashMap<String, Vec<(usize, f64)>> = HashMap::new();
        for (i, (name, def)) in file.labels.into_iter().enumerate() {
            for (term, w) in def.terms {
                if !(w.is_finite() && w > 0.0) {
                    return Err(TaxonomyError::Invalid(format!(
                        "label {name}: term {term} has weight {w}; weights must be positive"
                    )));
                }
                terms.entry(term).or_default().push((i, w));
            }
            labels.push(name);
        }
        Ok(Taxonomy {
            labels,
            terms,
            min_total: file.min_total,
            title_boost: file.title_boost,
        })
    }

    /// Label names, in file order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Scores every label over the tagged words and picks the best.
    pub fn classify(&self, tokens: &[Token]) -> Category {
        let mut totals = vec![0.0f64; self.labels.len()];
        let mut contrib: Vec<HashMap<&str, f64>> = vec![HashMap::new(); self.labels.len()];
        for t in tokens {
            let Some(hits) = self.terms.get(t.word.as_str()) else {
                continue;
            };
            let zone = if t.zone == Zone::Title {
                self.title_boost
            } else {
                1.0
            };
            for &(label, w) in hits {
                totals[label] += w * zone;
                *contrib[label].entry(t.word.as_str()).or_insert(0.0) += w * zone;
            }
        }
        let sum: f64 = totals.iter().sum();
        // Ties go to the earlier label so the result never depends on iteration order.
        let best = totals
            .iter()
            .enumerate()
            .fold(None::<(usize, f64)>, |acc, (i, &t)| match acc {
                Some((_, bt)) if bt >= t => acc,
                _ => Some((i, t)),
            });
        match best {
            Some((i, total)) if total >= self.min_total && sum > 0.0 => {
                let mut terms: Vec<(&str, f64)> =
                    contrib[i].iter().map(|(k, v)| (*k, *v)).collect();
                terms.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
                Category {
                    label: self.labels[i].clone(),
                    score: round4(total / sum),
                    model: "taxonomy".into(),
                    evidence: terms
                        .into_iter()
                        .take(EVIDENCE)
                        .map(|(k, _)| k.to_string())
                        .collect(),
                }
            }
            _ => Category {
                label: UNKNOWN.into(),
                score: 0.0,
                model: "taxonomy".into(),
                evidence: Vec::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(w: &str, zone: Zone) -> Token {
        Token {
            word: w.into(),
            pos: "n".into(),
            zone,
        }
    }

    #[test]
    fn default_taxonomy_parses() {
        let t = Taxonomy::parse(DEFAULT_TAXONOMY).map_err(|e| e.to_string());
        assert!(t.is_ok_and(|t| t.labels().len() >= 10));
    }

    #[test]
    fn best_label_wins_and_names_its_terms() {
        let t = Taxonomy::parse("min_total = 1.0\ntitle_boost = 2.0\n[labels.a]\ndescription = \"\"\nterms = { \"消防\" = 2.0 }\n[labels.b]\ndescription = \"\"\nterms = { \"党建\" = 1.0 }\n")
            .map_err(|e| e.to_string());
        let Ok(t) = t else {
            panic!("parse failed: {t:?}")
        };
        let c = t.classify(&[tok("消防", Zone::Body), tok("党建", Zone::Body)]);
        assert_eq!(c.label, "a");
        assert!((c.score - 2.0 / 3.0).abs() < 1e-3);
        assert_eq!(c.evidence, vec!["消防"]);
        let none = t.classify(&[tok("天气", Zone::Body)]);
        assert_eq!(none.label, UNKNOWN);
    }

    #[test]
    fn non_positive_weights_are_refused() {
        assert!(Taxonomy::parse("min_total = 1.0\ntitle_boost = 1.0\n[labels.a]\ndescription = \"\"\nterms = { \"x\" = -1.0 }\n").is_err());
    }
}
