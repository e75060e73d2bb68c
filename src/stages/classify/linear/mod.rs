//! The learned `linear` classifier: TF-IDF over jieba words and character n-grams, and a
//! multinomial logistic regression whose softmax probability is the record's `score`.
//!
//! - [`corpus`]: reading labelled JSON Lines.
//! - [`features`]: feature extraction from the tag pass and TF-IDF weighting.
//! - [`index`]: the model's flat feature lookup table.
//! - [`optim`]: the objective and the L-BFGS minimiser.
//! - [`train`]: vocabulary building and fitting.
//! - [`model`]: the fitted model, prediction, and the versioned model file.

pub mod corpus;
pub mod features;
pub mod index;
pub mod model;
pub mod optim;
pub mod train;

pub use model::{LinearModel, ModelError, Prediction};
pub use train::{train, Example, TrainError, TrainOptions};

use crate::record::Category;
use crate::stages::classify::UNKNOWN;
use crate::stages::tag::keywords::round4;
use crate::stages::tag::Token;

/// How many features a category lists as evidence.
const EVIDENCE: usize = 5;

/// A loaded model and the probability below which its answer is `unknown`.
#[derive(Debug, Clone)]
pub struct LinearClassifier {
    /// The model.
    pub model: LinearModel,
    /// Minimum probability of the best label; below it the category is `unknown`.
    pub min_score: f64,
}

impl LinearClassifier {
    /// Classifies one article's tag pass.
    ///
    /// `score` is the softmax probability of the best label. When it is below `min_score`
    /// the label is `unknown`, `score` still carries that (low) probability, and `evidence`
    /// is empty.
    pub fn classify(&self, tokens: &[Token]) -> Category {
        let p = self.model.predict(tokens, EVIDENCE);
        let score = p.probabilities.get(p.best).copied().unwrap_or(0.0);
        let model = format!("linear:{}", self.model.header().name);
        if score < self.min_score {
            return Category {
                label: UNKNOWN.into(),
                score: round4(score),
                model,
                evidence: Vec::new(),
            };
        }
        Category {
            label: self.model.labels()[p.best].clone(),
            score: round4(score),
            model,
            evidence: p.evidence,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::stages::tag::test_doc as doc;

    #[test]
    fn low_confidence_is_unknown() {
        let a = doc("球队 比赛 进球");
        let b = doc("股票 银行 利率");
        let examples = [
            Example {
                tokens: &a,
                label: "sport",
            },
            Example {
                tokens: &b,
                label: "finance",
            },
        ];
        let opts = TrainOptions {
            name: "tiny".into(),
            min_df: 1,
            l2: 1e-2,
            ..TrainOptions::default()
        };
        let Ok(model) = train(&examples, &opts) else {
            panic!("training failed")
        };
        let mut c = LinearClassifier {
            model,
            min_score: 0.6,
        };
        let sure = c.classify(&a);
        assert_eq!(sure.label, "sport");
        assert_eq!(sure.model, "linear:tiny");
        assert!(sure.score >= 0.6 && !sure.evidence.is_empty());
        // Half sport, half finance: about 0.5 each, below 0.6.
        let mixed = c.classify(&doc("比赛 银行"));
        assert_eq!(mixed.label, UNKNOWN);
        assert!(mixed.score > 0.3 && mixed.score < 0.6, "{mixed:?}");
        assert!(mixed.evidence.is_empty());
        c.min_score = 0.0;
        assert_ne!(c.classify(&doc("比赛 银行")).label, UNKNOWN);
    }
}
