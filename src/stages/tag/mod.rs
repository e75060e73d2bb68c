//! Tag: one jieba-rs POS pass per paragraph, shared by keywords, entities and classification.
//!
//! The [`Tagger`] holds the models (jieba dictionary, IDF table, stop words), loaded once and
//! shared by reference. [`tag`] is a plain function: no I/O, no globals.

pub mod dates;
pub mod entities;
pub mod keywords;
pub mod ner;
pub mod persons;
pub mod rules;

use std::io::Read;

use jieba_rs::Jieba;
use rustc_hash::FxHashSet;

use crate::record::{Entity, Keyword};
use crate::stages::draft::Draft;

/// jieba's IDF table (MIT, from jieba via jieba-rs), gzip-compressed; jieba-rs keeps its own
/// copy private, so presswire ships it to compute TF-IDF from its single tag pass.
const IDF_GZ: &[u8] = include_bytes!("../../../config/idf.txt.gz");
/// Default Chinese stop words for keyword extraction.
pub const DEFAULT_STOPWORDS: &str = include_str!("../../../config/stopwords.txt");

/// Options of the tag stage (the `[tag]` table of the config).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TagOptions {
    /// How many keywords each record carries.
    pub keywords: usize,
    /// Extra stop words, added to the built-in list.
    pub extra_stopwords: Vec<String>,
}

impl Default for TagOptions {
    fn default() -> Self {
        TagOptions {
            keywords: 10,
            extra_stopwords: Vec::new(),
        }
    }
}

/// A word and its part of speech from the tag pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The word.
    pub word: String,
    /// jieba POS tag (`n`, `ns`, `nr`, `v`, `x` for punctuation, …).
    pub pos: String,
    /// Which block it came from.
    pub zone: Zone,
}

/// The part of an article a token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// Title or subtitle.
    Title,
    /// Section heading or body paragraph.
    Body,
}

/// Everything the tag stage learns about one article.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Analysis {
    /// The tag pass: every word of title, subtitle and paragraphs, in order.
    pub tokens: Vec<Token>,
    /// Keywords, best first, weights in 0..=1.
    pub keywords: Vec<Keyword>,
    /// Entities, most frequent first.
    pub entities: Vec<Entity>,
    /// Words in the body, punctuation and spaces excluded.
    pub body_words: usize,
}

/// Models the tag stage needs, loaded once per process.
pub struct Tagger {
    jieba: Jieba,
    idf: keywords::IdfTable,
    stopwords: FxHashSet<String>,
    ner: ner::NerModel,
    options: TagOptions,
}

/// Failure to build the tagger's models.
#[derive(Debug, thiserror::Error)]
pub enum TagModelError {
    /// The built-in IDF table could not be decompressed.
    #[error("built-in IDF table is corrupt: {0}")]
    Idf(#[source] std::io::Error),
    /// The built-in entity model could not be parsed.
    #[error("built-in entity model is unusable: {0}")]
    Ner(#[source] ner::ModelError),
}

impl Tagger {
    /// Loads jieba's dictionary, the IDF table, the stop words and the entity model.
    ///
    /// # Errors
    /// If the compiled-in IDF table or entity model is corrupt.
    pub fn new(options: &TagOptions) -> Result<Self, TagModelError> {
        let mut idf_text = String::new();
        flate2::read::GzDecoder::new(IDF_GZ)
            .read_to_string(&mut idf_text)
            .map_err(TagModelError::Idf)?;
        let idf = keywords::IdfTable::parse(&idf_text);
        let stopwords = DEFAULT_STOPWORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .chain(options.extra_stopwords.iter().cloned())
            .collect();
        let ner = ner::load(ner::BUILTIN_MODEL).map_err(TagModelError::Ner)?;
        Ok(Tagger {
            jieba: Jieba::new(),
            idf,
            stopwords,
            ner,
            options: options.clone(),
        })
    }

    /// The jieba instance, for stages that need segmentation evidence (clean's rejoin).
    pub fn jieba(&self) -> &Jieba {
        &self.jieba
    }

    /// Is `word` on the stop list?
    pub fn is_stopword(&self, word: &str) -> bool {
        self.stopwords.contains(word)
    }
}

/// Tags one article: a single jieba POS pass per block, the entity model over the same
/// pass, then entities and keywords.
pub fn tag(tagger: &Tagger, draft: &Draft) -> Analysis {
    let mut tokens = Vec::new();
    let mut raw: Vec<(usize, usize, Vec<char>, Vec<ner::Span>)> = Vec::new();
    let mut infos = Vec::new();
    let mut scratch = ner::Scratch::default();
    let blocks = draft
        .title
        .iter()
        .chain(draft.subtitle.iter())
        .map(|t| (t, Zone::Title))
        .chain(draft.paragraphs.iter().map(|p| (p, Zone::Body)));
    for (text, zone) in blocks {
        let start = tokens.len();
        infos.clear();
        for t in tagger.jieba.tag(text, true) {
            ner::features::push_word(t.word, t.tag, &mut infos);
            tokens.push(Token {
                word: t.word.to_string(),
                pos: t.tag.to_string(),
                zone,
            });
        }
        let spans = ner::recognise(&tagger.ner, &infos, &mut scratch);
        let chars = infos.iter().filter_map(|c| char::from_u32(c.c)).collect();
        raw.push((start, tokens.len(), chars, spans));
    }
    let body_words = tokens
        .iter()
        .filter(|t| t.zone == Zone::Body && t.pos != "x" && !t.word.trim().is_empty())
        .count();
    let blocks: Vec<entities::Block> = raw
        .into_iter()
        .map(|(s, e, chars, model)| entities::Block {
            chars,
            tokens: tokens.get(s..e).unwrap_or(&[]),
            model,
        })
        .collect();
    let entities = entities::extract(&blocks, &draft.authors);
    let keywords = keywords::extract(tagger, &tokens, &entities, tagger.options.keywords);
    Analysis {
        tokens,
        keywords,
        entities,
        body_words,
    }
}

/// Body tokens from `(word, POS)` pairs, for the rule modules' unit tests.
#[cfg(test)]
pub(crate) fn test_tokens(pairs: &[(&str, &str)]) -> Vec<Token> {
    pairs
        .iter()
        .map(|(w, p)| Token {
            word: (*w).into(),
            pos: (*p).into(),
            zone: Zone::Body,
        })
        .collect()
}
