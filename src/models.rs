//! Building the stage models from configuration: the one place model files are read.

use anyhow::Context;

use crate::config::Config;
use crate::stages::classify::linear::LinearModel;
use crate::stages::classify::{taxonomy::DEFAULT_TAXONOMY, Classifier, LinearClassifier, Taxonomy};
use crate::stages::{Models, Tagger};

/// Loads every model the configuration asks for.
///
/// # Errors
/// If a configured model file cannot be read or parsed; the message names the file.
pub fn load(config: &Config) -> anyhow::Result<Models> {
    let tagger = Tagger::new(&config.tag).context("loading the tag stage's models")?;
    Ok(Models {
        tagger,
        classifier: load_classifier(&config.classify)?,
    })
}

/// Loads the classifier `[classify]` selects: the linear model if `model` is set, else the
/// configured or built-in taxonomy.
///
/// # Errors
/// If the model or taxonomy file cannot be read or parsed; the message names the file.
pub fn load_classifier(options: &crate::config::ClassifyOptions) -> anyhow::Result<Classifier> {
    if let Some(path) = &options.model {
        let model = LinearModel::load(path)
            .with_context(|| format!("cannot load classifier model {}", path.display()))?;
        return Ok(Classifier::Linear(Box::new(LinearClassifier {
            model,
            min_score: options.min_score,
        })));
    }
    let taxonomy = match &options.taxonomy {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read taxonomy {}", path.display()))?;
            Taxonomy::parse(&text)
                .with_context(|| format!("invalid taxonomy {}", path.display()))?
        }
        None => Taxonomy::parse(DEFAULT_TAXONOMY).context("built-in taxonomy")?,
    };
    Ok(Classifier::Taxonomy(taxonomy))
}
