//! Training a [`LinearModel`] from labelled articles: vocabulary, IDF, then the optimiser.

use std::collections::BTreeMap;

use super::features::{self, FeatureOptions, KeyMap};
use super::model::{argmax, Feature, Header, LinearModel, ModelError, TrainingSummary};
use super::optim::{lbfgs, Dataset, Stop};
use crate::stages::tag::Token;

/// Training settings (`presswire train` flags).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// Model name, reported as `linear:<name>`.
    pub name: String,
    /// Which features to use.
    pub features: FeatureOptions,
    /// Keep a feature only if at least this many articles contain it.
    pub min_df: u32,
    /// Keep at most this many features (the most frequent by document frequency).
    pub max_features: usize,
    /// L2 penalty λ on the weights (the objective is mean log-loss + λ/2 ‖W‖²).
    pub l2: f64,
    /// Most optimiser iterations.
    pub max_iter: usize,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            name: "model".into(),
            features: FeatureOptions::default(),
            min_df: 2,
            max_features: 200_000,
            l2: 1e-4,
            max_iter: 300,
        }
    }
}

/// One labelled article: its tag pass and its label.
#[derive(Debug, Clone, Copy)]
pub struct Example<'a> {
    /// Tokens from the tag stage.
    pub tokens: &'a [Token],
    /// The label.
    pub label: &'a str,
}

/// Why training could not produce a model.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// Fewer than two distinct labels.
    #[error("training needs at least two distinct labels, found {0}")]
    TooFewLabels(usize),
    /// No feature survived the `min_df` cut.
    #[error("no feature occurs in at least {0} articles; lower --min-df or add data")]
    NoFeatures(u32),
    /// Invalid settings.
    #[error("invalid training option: {0}")]
    Options(String),
    /// The fitted model is inconsistent (a bug).
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// Trains a model: vocabulary (features in at least `min_df` articles), smoothed IDF,
/// sublinear TF-IDF vectors, then L2-regularised multinomial logistic regression.
///
/// Deterministic: the same examples and options give the same model bytes.
///
/// # Errors
/// See [`TrainError`].
pub fn train(examples: &[Example<'_>], opts: &TrainOptions) -> Result<LinearModel, TrainError> {
    if !(opts.l2.is_finite() && opts.l2 > 0.0) {
        return Err(TrainError::Options(format!(
            "l2 must be positive, got {}",
            opts.l2
        )));
    }
    if !opts.features.words && opts.features.char_min == 0 {
        return Err(TrainError::Options("no feature kind enabled".into()));
    }
    let labels: Vec<String> = examples
        .iter()
        .map(|e| e.label)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(str::to_string)
        .collect();
    if labels.len() < 2 {
        return Err(TrainError::TooFewLabels(labels.len()));
    }
    let label_index: BTreeMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();

    // Vocabulary and document frequencies.
    let mut names = KeyMap::default();
    let mut df: KeyMap<u32> = KeyMap::default();
    let mut doc_keys = Vec::with_capacity(examples.len());
    let mut keys = Vec::new();
    for e in examples {
        keys.clear();
        features::extract(e.tokens, &opts.features, &mut keys, Some(&mut names));
        let mut uniq = keys.clone();
        uniq.sort_unstable();
        uniq.dedup();
        for k in &uniq {
            *df.entry(*k).or_insert(0) += 1;
        }
        doc_keys.push(std::mem::take(&mut keys));
    }
    let mut kept: Vec<(u32, u8, String, u64)> = df
        .iter()
        .filter(|(_, &d)| d >= opts.min_df)
        .filter_map(|(k, &d)| {
            names
                .get(k)
                .map(|(kind, text)| (d, *kind, text.clone(), *k))
        })
        .collect();
    // Most frequent first, ties by kind and text: a deterministic cut at `max_features`.
    kept.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    kept.truncate(opts.max_features);
    if kept.is_empty() {
        return Err(TrainError::NoFeatures(opts.min_df));
    }
    kept.sort_by(|a, b| a.1.cmp(&b.1).then(a.2.cmp(&b.2)));
    let mut index: KeyMap<u32> = KeyMap::default();
    let mut vocab = Vec::with_capacity(kept.len());
    for (i, (d, kind, text, key)) in kept.into_iter().enumerate() {
        index.insert(key, i as u32);
        vocab.push(Feature {
            kind,
            text,
            idf: features::idf(examples.len(), d),
        });
    }
    let idf: Vec<f32> = vocab.iter().map(|f| f.idf).collect();

    let k = labels.len();
    let mut data = Dataset::new(vocab.len(), k);
    for (e, keys) in examples.iter().zip(&doc_keys) {
        let x = features::tfidf(&features::count(keys, &index), &idf);
        data.push(&x, label_index[e.label]);
    }
    drop(doc_keys);

    let mut theta = vec![0.0f64; data.n_params()];
    let stop = Stop {
        max_iter: opts.max_iter,
        grad_tol: 1e-6,
        rel_tol: 1e-7,
    };
    let outcome = lbfgs(&mut theta, stop, |t, g| data.objective(t, opts.l2, g));
    let correct = (0..data.len())
        .filter(|&i| argmax(&data.scores(&theta, i)) == data.labels[i])
        .count();
    let nw = vocab.len() * k;
    let weights = theta[..nw].iter().map(|&w| w as f32).collect();
    let bias = theta[nw..].iter().map(|&w| w as f32).collect();
    let header = Header {
        name: opts.name.clone(),
        labels,
        features: opts.features,
        n_features: vocab.len(),
        training: TrainingSummary {
            examples: examples.len(),
            min_df: opts.min_df,
            l2: opts.l2,
            iterations: outcome.iterations,
            objective: outcome.value,
            train_accuracy: correct as f64 / data.len().max(1) as f64,
        },
    };
    Ok(LinearModel::new(header, vocab, weights, bias)?)
}
