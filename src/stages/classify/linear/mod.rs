//! The learned `linear` classifier: TF-IDF over jieba words and character n-grams, and a
//! multinomial logistic regression whose softmax probability is the record's `score`.
//!
//! - [`corpus`]: reading labelled JSON Lines.
//! - [`features`]: feature extraction from the tag pass and TF-IDF weighting.
//! - [`optim`]: the objective and the L-BFGS minimiser.
//! - [`train`]: vocabulary building and fitting.
//! - [`model`]: the fitted model, prediction, and the versioned model file.

pub mod corpus;
pub mod features;
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
