//! Building the stage models from configuration: the one place model files are read.

use anyhow::Context;

use crate::config::Config;
use crate::stages::classify::{taxonomy::DEFAULT_TAXONOMY, Classifier, Taxonomy};
use crate::stages::{Models, Tagger};

/// Loads every model the configuration asks for.
///
/// # Errors
/// If a configured model file cannot be read or parsed; the message names the file.
pub fn load(config: &Config) -> anyhow::Result<Models> {
    let tagger = Tagger::new(&config.tag).context("loading the tag stage's models")?;
    let taxonomy = match &config.classify.taxonomy {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read taxonomy {}", path.display()))?;
            Taxonomy::parse(&text)
                .with_context(|| format!("invalid taxonomy {}", path.display()))?
        }
        None => Taxonomy::parse(DEFAULT_TAXONOMY).context("built-in taxonomy")?,
    };
    Ok(Models {
        tagger,
        classifier: Classifier::Taxonomy(taxonomy),
    })
}
