//! A trained linear model: vocabulary, IDF, weights; prediction and the model file.
//!
//! # File format (version 1)
//! The whole file is one gzip stream. Inside, all integers and floats are little-endian:
//! - magic `PWLM`, then `u16` format version (`1`);
//! - `u32` length, then that many bytes of a UTF-8 JSON [`Header`] (name, labels, feature
//!   options, feature count, training summary);
//! - per feature, `n_features` times: `u8` kind (`w` word, `c` character n-gram), `u8` byte
//!   length, the normalised UTF-8 text, `f32` IDF, then one `f32` weight per label;
//! - one `f32` bias per label.
//!
//! Feature keys are recomputed from kind and text when loading
//! ([`super::features::feature_key`]), so the file holds no hash-dependent data.

use std::io::{Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::features::{self, FeatureOptions, CHAR, WORD};
use super::index::FeatureIndex;
use crate::stages::tag::Token;

/// File magic.
const MAGIC: &[u8; 4] = b"PWLM";
/// Current file format version.
pub const FORMAT_VERSION: u16 = 1;
/// Largest header accepted when loading, in bytes.
const MAX_HEADER: usize = 1 << 20;

/// Metadata at the start of a model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Model name, reported as `linear:<name>` in records.
    pub name: String,
    /// Labels, in weight-column order.
    pub labels: Vec<String>,
    /// Which features the model reads.
    pub features: FeatureOptions,
    /// Number of features that follow.
    pub n_features: usize,
    /// How the model was trained.
    pub training: TrainingSummary,
}

/// How a model was trained, kept for provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    /// Training articles.
    pub examples: usize,
    /// Minimum document frequency of a kept feature.
    pub min_df: u32,
    /// L2 penalty λ of the objective.
    pub l2: f64,
    /// Optimiser iterations run.
    pub iterations: usize,
    /// Final value of the regularised objective (mean log-loss + penalty).
    pub objective: f64,
    /// Accuracy on the training set itself.
    pub train_accuracy: f64,
    /// Features before pruning to the strongest (`presswire train --prune`), if pruned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pruned_from: Option<usize>,
}

/// One vocabulary entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// [`WORD`] or [`CHAR`].
    pub kind: u8,
    /// Normalised text.
    pub text: String,
    /// Inverse document frequency.
    pub idf: f32,
}

/// A multinomial logistic regression over TF-IDF features.
#[derive(Debug, Clone)]
pub struct LinearModel {
    header: Header,
    features: Vec<Feature>,
    index: FeatureIndex,
    weights: Weights,
    bias: Vec<f32>,
}

/// Sixteen weights on one 64-byte cache line.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
struct Line([f32; 16]);

/// The `n_features × n_labels` weights, each feature's row starting on its own cache line, so
/// that reading a row (10 labels: 40 bytes) costs one cache miss, never two.
#[derive(Debug, Clone)]
struct Weights {
    lines: Vec<Line>,
    /// Lines per feature row.
    per_row: usize,
    labels: usize,
}

impl Weights {
    /// From row-major `n × labels` weights.
    fn new(flat: &[f32], labels: usize) -> Self {
        let per_row = labels.div_ceil(16).max(1);
        let mut lines = Vec::with_capacity(flat.len() / labels.max(1) * per_row);
        for row in flat.chunks(labels.max(1)) {
            for part in row.chunks(16) {
                let mut line = Line([0.0; 16]);
                line.0[..part.len()].copy_from_slice(part);
                lines.push(line);
            }
        }
        Weights {
            lines,
            per_row,
            labels,
        }
    }

    /// Feature `j`'s weights, in label order (empty for an unknown feature).
    fn row(&self, j: usize) -> impl Iterator<Item = f32> + '_ {
        let start = (j * self.per_row).min(self.lines.len());
        let end = (start + self.per_row).min(self.lines.len());
        self.lines[start..end]
            .iter()
            .flat_map(|l| l.0)
            .take(self.labels)
    }

    /// Feature `j`'s weight for label `l` (0 if either is out of range).
    fn get(&self, j: usize, l: usize) -> f32 {
        if l >= self.labels {
            return 0.0;
        }
        self.lines
            .get(j * self.per_row + l / 16)
            .map_or(0.0, |line| line.0[l % 16])
    }
}

/// Per-thread buffers for [`LinearModel::vectorize`], all-zero between articles.
#[derive(Debug, Default)]
struct Scratch {
    /// An article's feature keys, repeats included.
    keys: Vec<u64>,
    /// Per feature index: occurrences in the article and the feature's IDF.
    counts: Vec<(u32, f32)>,
    /// One bit per feature index: found in the article.
    seen: Vec<u64>,
}

thread_local! {
    /// Reused across articles so that vectorising allocates only its result.
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// A model's verdict on one article.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Index of the most probable label.
    pub best: usize,
    /// Softmax probability of every label, in label order.
    pub probabilities: Vec<f64>,
    /// Features that pushed most towards the best label, strongest first.
    pub evidence: Vec<String>,
}

/// A model file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// Reading or writing failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The bytes are not a usable model.
    #[error("not a usable presswire linear model: {0}")]
    Format(String),
}

fn bad<T>(m: impl Into<String>) -> Result<T, ModelError> {
    Err(ModelError::Format(m.into()))
}

impl LinearModel {
    /// Assembles a model from its parts, checking that the sizes agree.
    ///
    /// # Errors
    /// [`ModelError::Format`] if sizes disagree, there are fewer than two labels, or a value
    /// is not finite.
    pub fn new(
        mut header: Header,
        features: Vec<Feature>,
        weights: Vec<f32>,
        bias: Vec<f32>,
    ) -> Result<Self, ModelError> {
        let k = header.labels.len();
        if k < 2 {
            return bad("a model needs at least two labels");
        }
        header.n_features = features.len();
        if weights.len() != features.len() * k || bias.len() != k {
            return bad(format!(
                "{} features × {k} labels need {} weights and {k} biases, found {} and {}",
                features.len(),
                features.len() * k,
                weights.len(),
                bias.len()
            ));
        }
        if !weights.iter().chain(&bias).all(|w| w.is_finite())
            || !features.iter().all(|f| f.idf.is_finite())
        {
            return bad("non-finite weight or IDF");
        }
        if let Some((i, f)) = features
            .iter()
            .enumerate()
            .find(|(_, f)| f.kind != WORD && f.kind != CHAR)
        {
            return bad(format!("feature {i} has unknown kind {}", f.kind));
        }
        let entries = features
            .iter()
            .map(|f| (features::feature_key(f.kind, &f.text), f.idf));
        let index = match FeatureIndex::new(entries) {
            Ok(index) => index,
            Err(Some(i)) => {
                let text = features.get(i as usize).map_or("", |f| f.text.as_str());
                return bad(format!("feature {text:?} occurs twice"));
            }
            Err(None) => return bad("too many features"),
        };
        Ok(LinearModel {
            header,
            features,
            index,
            weights: Weights::new(&weights, k),
            bias,
        })
    }

    /// The model's metadata.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Label names, in column order.
    pub fn labels(&self) -> &[String] {
        &self.header.labels
    }

    /// Vocabulary size.
    pub fn n_features(&self) -> usize {
        self.features.len()
    }

    /// The TF-IDF vector of an article's tag pass, sorted by feature index.
    pub fn vectorize(&self, tokens: &[Token]) -> Vec<(u32, f32)> {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.vectorize_with(tokens, &mut scratch),
            Err(_) => self.vectorize_with(tokens, &mut Scratch::default()),
        })
    }

    fn vectorize_with(&self, tokens: &[Token], scratch: &mut Scratch) -> Vec<(u32, f32)> {
        let Scratch { keys, counts, seen } = scratch;
        let n = self.features.len();
        if counts.len() != n {
            // First article on this thread, or another model: fresh all-zero buffers.
            *counts = vec![(0, 0.0); n];
            *seen = vec![0; n.div_ceil(64)];
        }
        keys.clear();
        features::for_each(tokens, &self.header.features, |key, _| keys.push(key));
        let mut distinct = 0usize;
        self.index.get_all(keys, |hits| {
            // Read every hit's entry first, with no branch on the data, so that their cache
            // misses overlap; the updates below then find them cached.
            let mut touched = 0u32;
            for &(id, _) in hits {
                touched ^= counts.get(id as usize).map_or(0, |c| c.0);
            }
            std::hint::black_box(touched);
            for &(id, idf) in hits {
                let (i, bit) = (id as usize, 1u64 << (id % 64));
                if let (Some(c), Some(word)) = (counts.get_mut(i), seen.get_mut(i / 64)) {
                    if c.0 == 0 {
                        *c = (0, idf);
                        *word |= bit;
                        distinct += 1;
                    }
                    c.0 += 1;
                }
            }
        });
        // Walking the set bits visits the features in index order, so the vector comes out
        // sorted with no sort; each visited entry is reset for the next article.
        let mut v: Vec<(u32, f32)> = Vec::with_capacity(distinct);
        for (w, word) in seen.iter_mut().enumerate() {
            let mut bits = std::mem::take(word);
            while bits != 0 {
                let j = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if let Some(c) = counts.get_mut(j) {
                    let (count, idf) = std::mem::take(c);
                    v.push((j as u32, features::tf(count as usize) * idf));
                }
            }
        }
        features::l2_normalise(&mut v);
        v
    }

    /// Raw decision values `b + Wᵀx` of a TF-IDF vector.
    pub fn scores(&self, x: &[(u32, f32)]) -> Vec<f64> {
        // Read each row's first weight in a loop with no dependency between iterations, so
        // the CPU overlaps the rows' cache misses; the sums below then find them cached.
        let mut touched = 0u32;
        for &(j, _) in x {
            touched ^= self.weights.get(j as usize, 0).to_bits();
        }
        std::hint::black_box(touched);
        if self.weights.per_row == 1 {
            return self.scores_one_line(x);
        }
        let mut s: Vec<f64> = self.bias.iter().map(|&b| f64::from(b)).collect();
        for &(j, v) in x {
            for (acc, w) in s.iter_mut().zip(self.weights.row(j as usize)) {
                *acc += f64::from(w * v);
            }
        }
        s
    }

    /// [`Self::scores`] when every row fits one cache line (at most 16 labels): each label's
    /// sum takes the same operations in the same order, over a fixed-width line the compiler
    /// vectorises; the padding lanes sum zeros and are dropped.
    fn scores_one_line(&self, x: &[(u32, f32)]) -> Vec<f64> {
        let mut acc = [0f64; 16];
        for (a, &b) in acc.iter_mut().zip(&self.bias) {
            *a = f64::from(b);
        }
        for &(j, v) in x {
            if let Some(line) = self.weights.lines.get(j as usize) {
                for (a, &w) in acc.iter_mut().zip(&line.0) {
                    *a += f64::from(w * v);
                }
            }
        }
        acc[..self.weights.labels.min(16)].to_vec()
    }

    /// Classifies an article's tag pass; `evidence` names up to `n_evidence` features.
    pub fn predict(&self, tokens: &[Token], n_evidence: usize) -> Prediction {
        let x = self.vectorize(tokens);
        let probabilities = softmax(&self.scores(&x));
        let best = argmax(&probabilities);
        let mut contrib: Vec<(f32, u32)> = x
            .iter()
            .map(|&(j, v)| (v * self.weights.get(j as usize, best), j))
            .filter(|(c, _)| *c > 0.0)
            .collect();
        // A total order (feature indices are unique): selecting the best `n_evidence` first
        // and sorting only those gives the same list as sorting everything.
        let order = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if n_evidence < contrib.len() {
            contrib.select_nth_unstable_by(n_evidence, order);
            contrib.truncate(n_evidence);
        }
        contrib.sort_by(order);
        let evidence = contrib
            .into_iter()
            .take(n_evidence)
            .map(|(_, j)| self.features[j as usize].text.clone())
            .collect();
        Prediction {
            best,
            probabilities,
            evidence,
        }
    }

    /// Serialises the model in the documented file format.
    ///
    /// # Errors
    /// If the header cannot be serialised or a feature text is longer than 255 bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ModelError> {
        let mut raw = Vec::new();
        raw.extend_from_slice(MAGIC);
        raw.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        let header = serde_json::to_vec(&self.header)
            .map_err(|e| ModelError::Format(format!("header: {e}")))?;
        let len = u32::try_from(header.len()).or_else(|_| bad("header too large"))?;
        raw.extend_from_slice(&len.to_le_bytes());
        raw.extend_from_slice(&header);
        for (i, f) in self.features.iter().enumerate() {
            let n = u8::try_from(f.text.len())
                .or_else(|_| bad(format!("feature text too long: {:?}", f.text)))?;
            raw.push(f.kind);
            raw.push(n);
            raw.extend_from_slice(f.text.as_bytes());
            raw.extend_from_slice(&f.idf.to_le_bytes());
            for w in self.weights.row(i) {
                raw.extend_from_slice(&w.to_le_bytes());
            }
        }
        for b in &self.bias {
            raw.extend_from_slice(&b.to_le_bytes());
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&raw)?;
        Ok(gz.finish()?)
    }

    /// Parses a model file's bytes.
    ///
    /// # Errors
    /// [`ModelError::Format`] naming what is wrong (magic, version, truncation, sizes).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut raw)
            .map_err(|e| ModelError::Format(format!("not a gzip stream: {e}")))?;
        let mut r = Reader { buf: &raw, pos: 0 };
        if r.take(4)? != MAGIC {
            return bad("wrong magic (expected PWLM)");
        }
        let version = u16::from_le_bytes([r.u8()?, r.u8()?]);
        if version != FORMAT_VERSION {
            return bad(format!(
                "format version {version}; this presswire reads version {FORMAT_VERSION}"
            ));
        }
        let hlen = r.u32()? as usize;
        if hlen > MAX_HEADER {
            return bad("header too large");
        }
        let header: Header = serde_json::from_slice(r.take(hlen)?)
            .map_err(|e| ModelError::Format(format!("header: {e}")))?;
        let k = header.labels.len();
        let n = header.n_features;
        // Each feature takes at least 2 + 4 + 4k bytes: refuse counts the data cannot hold.
        if n.saturating_mul(6 + 4 * k) > raw.len() {
            return bad("truncated: fewer features than the header announces");
        }
        let mut features = Vec::with_capacity(n);
        let mut weights = Vec::with_capacity(n * k);
        for _ in 0..n {
            let kind = r.u8()?;
            let len = r.u8()? as usize;
            let text = std::str::from_utf8(r.take(len)?)
                .map_err(|_| ModelError::Format("feature text is not UTF-8".into()))?
                .to_string();
            let idf = r.f32()?;
            for _ in 0..k {
                weights.push(r.f32()?);
            }
            features.push(Feature { kind, text, idf });
        }
        let bias = (0..k).map(|_| r.f32()).collect::<Result<Vec<_>, _>>()?;
        if r.pos != raw.len() {
            return bad("trailing bytes after the biases");
        }
        LinearModel::new(header, features, weights, bias)
    }

    /// Writes the model file.
    ///
    /// # Errors
    /// On serialisation or I/O failure.
    pub fn save(&self, path: &Path) -> Result<(), ModelError> {
        Ok(std::fs::write(path, self.to_bytes()?)?)
    }

    /// Reads a model file.
    ///
    /// # Errors
    /// On I/O failure or an unusable file.
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        Self::from_bytes(&std::fs::read(path)?)
    }
}

/// Numerically stable softmax.
pub fn softmax(scores: &[f64]) -> Vec<f64> {
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exp: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
    let sum: f64 = exp.iter().sum();
    exp.into_iter().map(|e| e / sum).collect()
}

/// Index of the largest value; ties go to the earlier index.
pub fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| ModelError::Format("truncated file".into()))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, ModelError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, ModelError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn f32(&mut self) -> Result<f32, ModelError> {
        let b = self.take(4)?;
        Ok(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model with `k` labels whose weight for feature `j`, label `l` is `j * 100 + l`.
    fn model(n: usize, k: usize) -> (LinearModel, Vec<f32>) {
        let header = Header {
            name: "t".into(),
            labels: (0..k).map(|l| format!("l{l}")).collect(),
            features: FeatureOptions::default(),
            n_features: n,
            training: TrainingSummary {
                examples: 0,
                min_df: 1,
                l2: 0.0,
                iterations: 0,
                objective: 0.0,
                train_accuracy: 0.0,
                pruned_from: None,
            },
        };
        let features = (0..n)
            .map(|j| Feature {
                kind: WORD,
                text: format!("w{j}"),
                idf: 1.0 + j as f32 / 8.0,
            })
            .collect();
        let flat: Vec<f32> = (0..n)
            .flat_map(|j| (0..k).map(move |l| (j * 100 + l) as f32))
            .collect();
        let bias = vec![0.5; k];
        match LinearModel::new(header, features, flat.clone(), bias) {
            Ok(m) => (m, flat),
            Err(e) => panic!("{e}"),
        }
    }

    /// Walking the bitmap gives the vector that sorting and counting every hit gave, article
    /// after article (the scratch is left all-zero) and with two models taking turns.
    #[test]
    fn vectorize_matches_sorting_the_hits() {
        let reference = |m: &LinearModel, tokens: &[Token]| {
            let mut hits = Vec::new();
            features::for_each(tokens, &m.header.features, |key, _| {
                hits.extend(m.index.get(key));
            });
            hits.sort_unstable_by_key(|&(id, _)| id);
            let mut v: Vec<(u32, f32)> = hits
                .chunk_by(|a, b| a.0 == b.0)
                .map(|run| (run[0].0, features::tf(run.len()) * run[0].1))
                .collect();
            features::l2_normalise(&mut v);
            v
        };
        let (small, _) = model(5, 3);
        let (large, _) = model(200, 2);
        let docs = [
            "w1 w3 w1 w4 w1",
            "w4",
            "",
            "x y z",
            "w199 w0 w64 w63 w64 w65 w128 w63 w5 w200",
        ];
        for _ in 0..2 {
            for d in docs {
                let tokens = crate::stages::tag::test_doc(d);
                for m in [&small, &large] {
                    let v = m.vectorize(&tokens);
                    assert_eq!(v, reference(m, &tokens), "{d:?}");
                    assert_eq!(v.is_empty(), !d.contains('w'), "{d:?}");
                }
            }
        }
    }

    /// Rows padded to cache lines give the same weights, scores and file bytes as the plain
    /// row-major layout, for label counts below, at and above one line.
    #[test]
    fn line_padded_weights_match_row_major() {
        for k in [2usize, 10, 16, 17, 33] {
            let (m, flat) = model(5, k);
            for j in 0..5 {
                let row: Vec<f32> = m.weights.row(j).collect();
                assert_eq!(row, flat[j * k..(j + 1) * k], "k={k} j={j}");
                assert_eq!(m.weights.get(j, k - 1), flat[j * k + k - 1]);
            }
            assert_eq!(m.weights.get(0, k), 0.0);
            assert_eq!(m.weights.row(5).count(), 0);
            let x = [(1u32, 0.5f32), (4, 0.25)];
            let want: Vec<f64> = (0..k)
                .map(|l| 0.5 + f64::from(flat[k + l] * 0.5) + f64::from(flat[4 * k + l] * 0.25))
                .collect();
            assert_eq!(m.scores(&x), want, "k={k}");
            let bytes = m.to_bytes().map_err(|e| e.to_string());
            let again = bytes
                .as_ref()
                .map_err(Clone::clone)
                .and_then(|b| LinearModel::from_bytes(b).map_err(|e| e.to_string()))
                .and_then(|m2| m2.to_bytes().map_err(|e| e.to_string()));
            assert!(bytes.is_ok());
            assert_eq!(bytes, again, "k={k}");
        }
    }
}
