//! Building the stage models from configuration: the one place model files are read.

use std::sync::{Arc, RwLock};

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

/// Models that SIGHUP can replace while the daemon runs. Each step takes the current
/// snapshot ([`SharedModels::current`]); a reload swaps it atomically for later steps.
#[derive(Clone)]
pub struct SharedModels(Arc<RwLock<Arc<Models>>>);

impl SharedModels {
    /// Wraps loaded models.
    pub fn new(models: Arc<Models>) -> Self {
        SharedModels(Arc::new(RwLock::new(models)))
    }

    /// The models in use now.
    pub fn current(&self) -> Arc<Models> {
        match self.0.read() {
            Ok(m) => m.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the models for every step that starts from now on.
    pub fn replace(&self, models: Arc<Models>) {
        match self.0.write() {
            Ok(mut m) => *m = models,
            Err(poisoned) => *poisoned.into_inner() = models,
        }
    }
}

impl From<Arc<Models>> for SharedModels {
    fn from(models: Arc<Models>) -> Self {
        SharedModels::new(models)
    }
}
