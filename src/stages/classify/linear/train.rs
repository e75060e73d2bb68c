//! Training a [`LinearModel`] from labelled articles: vocabulary, IDF, then the optimiser.

use std::collections::BTreeMap;

use super::features::{self, FeatureOptions, KeyMap};
use super::model::{argmax, Feature, Header, LinearModel, ModelError, TrainingSummary};
use super::optim::{lbfgs, Dataset, Stop};
use crate::stages::tag::Token;

/// Features kept by pruning unless told otherwise (`presswire train --prune`).
pub const DEFAULT_PRUNE: usize = 10_000;

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
    /// Fit, keep only this many features (those with the largest weights), and fit again;
    /// `None` keeps every feature of the first fit. Default: 10,000.
    pub prune: Option<usize>,
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
            prune: Some(DEFAULT_PRUNE),
            l2: 1e-5,
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
    let ctx = Fit {
        examples,
        doc_keys: &doc_keys,
        labels: &labels,
        label_index: &label_index,
        opts,
    };
    let (model, strength) = ctx.fit(&kept, None)?;
    let Some(keep) = opts.prune.filter(|&k| k < kept.len()) else {
        return Ok(model);
    };
    if keep == 0 {
        return Err(TrainError::Options(
            "--prune must keep at least one feature".into(),
        ));
    }
    // The strongest features, ties by index; then back in vocabulary (kind, text) order.
    let mut order: Vec<usize> = (0..kept.len()).collect();
    order.sort_by(|&a, &b| strength[b].total_cmp(&strength[a]).then(a.cmp(&b)));
    order.truncate(keep);
    order.sort_unstable();
    let pruned: Vec<Kept> = order.into_iter().map(|j| kept[j].clone()).collect();
    Ok(ctx.fit(&pruned, Some(kept.len()))?.0)
}

/// A vocabulary entry: document frequency, kind, normalised text, key.
type Kept = (u32, u8, String, u64);

/// What fitting a vocabulary needs besides the vocabulary.
struct Fit<'a> {
    examples: &'a [Example<'a>],
    doc_keys: &'a [Vec<u64>],
    labels: &'a [String],
    label_index: &'a BTreeMap<&'a str, usize>,
    opts: &'a TrainOptions,
}

impl Fit<'_> {
    /// Fits the model over `kept`; also returns each feature's strength, the Euclidean norm
    /// of its weight row times its IDF (what it can add to a score), for pruning.
    fn fit(
        &self,
        kept: &[Kept],
        pruned_from: Option<usize>,
    ) -> Result<(LinearModel, Vec<f32>), TrainError> {
        let (examples, opts) = (self.examples, self.opts);
        let mut index: KeyMap<u32> = KeyMap::default();
        let mut vocab = Vec::with_capacity(kept.len());
        for (i, (d, kind, text, key)) in kept.iter().enumerate() {
            index.insert(*key, i as u32);
            vocab.push(Feature {
                kind: *kind,
                text: text.clone(),
                idf: features::idf(examples.len(), *d),
            });
        }
        let idf: Vec<f32> = vocab.iter().map(|f| f.idf).collect();

        let k = self.labels.len();
        let mut data = Dataset::new(vocab.len(), k);
        for (e, keys) in examples.iter().zip(self.doc_keys) {
            let x = features::tfidf(&features::count(keys, &index), &idf);
            data.push(&x, self.label_index[e.label]);
        }

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
        let weights: Vec<f32> = theta[..nw].iter().map(|&w| w as f32).collect();
        let bias = theta[nw..].iter().map(|&w| w as f32).collect();
        let strength = weights
            .chunks(k.max(1))
            .zip(&idf)
            .map(|(row, idf)| row.iter().map(|w| w * w).sum::<f32>().sqrt() * idf)
            .collect();
        let header = Header {
            name: opts.name.clone(),
            labels: self.labels.to_vec(),
            features: opts.features,
            n_features: vocab.len(),
            training: TrainingSummary {
                examples: examples.len(),
                min_df: opts.min_df,
                l2: opts.l2,
                iterations: outcome.iterations,
                objective: outcome.value,
                train_accuracy: correct as f64 / data.len().max(1) as f64,
                pruned_from,
            },
        };
        Ok((LinearModel::new(header, vocab, weights, bias)?, strength))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::stages::tag::test_doc as doc;

    fn corpus() -> Vec<(Vec<Token>, &'static str)> {
        vec![
            (doc("球队 比赛 进球 冠军"), "sport"),
            (doc("球员 比赛 联赛 进球"), "sport"),
            (doc("冠军 球队 球员 赛季"), "sport"),
            (doc("股票 银行 利率 上涨"), "finance"),
            (doc("银行 贷款 利率 股市"), "finance"),
            (doc("股市 股票 基金 上涨"), "finance"),
            (doc("芯片 手机 软件 发布"), "tech"),
            (doc("软件 互联网 手机 用户"), "tech"),
            (doc("芯片 互联网 用户 发布"), "tech"),
        ]
    }

    fn examples<'a>(data: &'a [(Vec<Token>, &'static str)]) -> Vec<Example<'a>> {
        data.iter()
            .map(|(t, l)| Example {
                tokens: t,
                label: l,
            })
            .collect()
    }

    fn fit(data: &[(Vec<Token>, &'static str)]) -> LinearModel {
        let examples = examples(data);
        let opts = TrainOptions {
            l2: 1e-3,
            ..TrainOptions::default()
        };
        match train(&examples, &opts) {
            Ok(m) => m,
            Err(e) => panic!("training failed: {e}"),
        }
    }

    #[test]
    fn training_converges_on_a_separable_set() {
        let data = corpus();
        let model = fit(&data);
        let t = &model.header().training;
        assert_eq!(t.train_accuracy, 1.0);
        assert!(t.iterations < 300, "did not converge: {t:?}");
        assert_eq!(model.labels(), ["finance", "sport", "tech"]);
        for (tokens, label) in &data {
            let p = model.predict(tokens, 3);
            assert_eq!(model.labels()[p.best], *label);
            assert!(p.probabilities[p.best] > 0.5, "{p:?}");
            assert!((p.probabilities.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
        // An unseen mix of known words goes to the class they belong to, and says why.
        let p = model.predict(&doc("联赛 赛季 冠军"), 3);
        assert_eq!(model.labels()[p.best], "sport");
        assert!(p
            .evidence
            .iter()
            .all(|e| ["联赛", "赛季", "冠军", "联", "赛", "季", "冠", "军"].contains(&e.as_str())));
        assert!(!p.evidence.is_empty());
        // Nothing known: close to uniform.
        let p = model.predict(&doc("天气 晴朗"), 3);
        assert!(p.probabilities.iter().all(|&q| q < 0.5), "{p:?}");
    }

    /// Pruning keeps the strongest features, refits on them, records how many there were,
    /// and with half the features still separates the classes; asking for more than there
    /// are changes nothing.
    #[test]
    fn pruning_keeps_the_strongest_features() {
        let data = corpus();
        let examples = examples(&data);
        let opts = |prune| TrainOptions {
            l2: 1e-3,
            prune,
            ..TrainOptions::default()
        };
        let (Ok(full), Ok(pruned), Ok(again), Ok(all)) = (
            train(&examples, &opts(None)),
            train(&examples, &opts(Some(16))),
            train(&examples, &opts(Some(16))),
            train(&examples, &opts(Some(100_000))),
        ) else {
            panic!("training failed")
        };
        assert!(full.n_features() >= 32, "{}", full.n_features());
        assert_eq!(full.header().training.pruned_from, None);
        assert_eq!(pruned.n_features(), 16);
        assert_eq!(
            pruned.header().training.pruned_from,
            Some(full.n_features())
        );
        assert_eq!(pruned.to_bytes().ok(), again.to_bytes().ok());
        assert_eq!(all.to_bytes().ok(), full.to_bytes().ok());
        assert_eq!(pruned.header().training.train_accuracy, 1.0);
        assert!(matches!(
            train(&examples, &opts(Some(0))),
            Err(TrainError::Options(_))
        ));
    }

    #[test]
    fn model_round_trips_and_training_is_deterministic() {
        let data = corpus();
        let model = fit(&data);
        let bytes = model.to_bytes().map_err(|e| e.to_string());
        let Ok(bytes) = bytes else {
            panic!("{bytes:?}")
        };
        let again = fit(&data).to_bytes().map_err(|e| e.to_string());
        assert_eq!(again.as_ref(), Ok(&bytes), "same data, same model bytes");
        let loaded = LinearModel::from_bytes(&bytes).map_err(|e| e.to_string());
        let Ok(loaded) = loaded else {
            panic!("{loaded:?}")
        };
        assert_eq!(loaded.header(), model.header());
        for (tokens, _) in &data {
            assert_eq!(loaded.predict(tokens, 5), model.predict(tokens, 5));
        }
        let Ok(dir) = tempfile::tempdir() else {
            panic!("no temp dir")
        };
        let path = dir.path().join("m.pwlm");
        assert!(model.save(&path).is_ok());
        let from_disk = LinearModel::load(&path).map(|m| m.predict(&data[0].0, 5));
        assert_eq!(from_disk.ok(), Some(model.predict(&data[0].0, 5)));
    }

    #[test]
    fn broken_model_files_are_refused() {
        let model = fit(&corpus());
        let Ok(bytes) = model.to_bytes() else {
            panic!("serialise")
        };
        assert!(LinearModel::from_bytes(b"not a model").is_err());
        assert!(LinearModel::from_bytes(&bytes[..bytes.len() / 2]).is_err());
        // A valid gzip stream with a wrong version.
        let mut raw = Vec::new();
        let _ = std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut raw);
        raw[4] = 99;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let _ = std::io::Write::write_all(&mut gz, &raw);
        let Ok(rewrapped) = gz.finish() else {
            panic!("gzip")
        };
        let err = LinearModel::from_bytes(&rewrapped).map(|_| ());
        assert!(err.is_err_and(|e| e.to_string().contains("version 99")));
        // Truncated inside the body.
        raw[4] = 1;
        raw.truncate(raw.len() - 3);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let _ = std::io::Write::write_all(&mut gz, &raw);
        let Ok(short) = gz.finish() else {
            panic!("gzip")
        };
        assert!(LinearModel::from_bytes(&short).is_err());
    }

    #[test]
    fn bad_inputs_are_refused() {
        let one = doc("a b");
        let same = [
            Example {
                tokens: &one,
                label: "x",
            },
            Example {
                tokens: &one,
                label: "x",
            },
        ];
        assert!(matches!(
            train(&same, &TrainOptions::default()),
            Err(TrainError::TooFewLabels(1))
        ));
        let two = [
            same[0],
            Example {
                tokens: &one,
                label: "y",
            },
        ];
        let opts = TrainOptions {
            min_df: 5,
            ..TrainOptions::default()
        };
        assert!(matches!(train(&two, &opts), Err(TrainError::NoFeatures(5))));
        let opts = TrainOptions {
            l2: 0.0,
            ..TrainOptions::default()
        };
        assert!(matches!(train(&two, &opts), Err(TrainError::Options(_))));
    }
}
