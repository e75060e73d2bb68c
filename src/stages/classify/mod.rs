//! Classify: assign a topic to an article from its tag pass.
//!
//! Classifiers sit behind one enum chosen in config: the explainable `taxonomy` (labels with
//! weighted terms, from `config/taxonomy.toml` by default).

pub mod taxonomy;

use crate::record::Category;
use crate::stages::tag::Analysis;

pub use taxonomy::Taxonomy;

/// Label used when no topic is confident enough.
pub const UNKNOWN: &str = "unknown";

/// The configured classifier.
pub enum Classifier {
    /// Weighted-term taxonomy.
    Taxonomy(Taxonomy),
}

/// Classifies one tagged article.
pub fn classify(classifier: &Classifier, analysis: &Analysis) -> Category {
    match classifier {
        Classifier::Taxonomy(t) => t.classify(&analysis.tokens),
    }
}
