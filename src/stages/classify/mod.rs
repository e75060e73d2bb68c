//! Classify: assign a topic to an article from its tag pass.
//!
//! Classifiers sit behind one enum chosen in config:
//! - [`Taxonomy`] (default): labels with weighted terms, from `config/taxonomy.toml` by
//!   default; `evidence` names the terms that decided.
//! - [`linear::LinearClassifier`]: a learned TF-IDF + multinomial logistic regression model
//!   (`presswire train`), selected with `classify.model` or `--model`; `score` is the softmax
//!   probability of the label.
//!
//! Both read only the tag stage's single jieba pass ([`Analysis::tokens`]).

pub mod linear;
pub mod taxonomy;

use crate::record::Category;
use crate::stages::tag::Analysis;

pub use linear::LinearClassifier;
pub use taxonomy::Taxonomy;

/// Label used when no topic is confident enough.
pub const UNKNOWN: &str = "unknown";

/// The configured classifier.
#[derive(Debug, Clone)]
pub enum Classifier {
    /// Weighted-term taxonomy.
    Taxonomy(Taxonomy),
    /// Learned linear model.
    Linear(Box<LinearClassifier>),
}

/// Classifies one tagged article.
pub fn classify(classifier: &Classifier, analysis: &Analysis) -> Category {
    match classifier {
        Classifier::Taxonomy(t) => t.classify(&analysis.tokens),
        Classifier::Linear(l) => l.classify(&analysis.tokens),
    }
}
