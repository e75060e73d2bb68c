//! Tag: one jieba-rs POS pass per paragraph, shared by keywords, entities and classification.
//!
//! The [`Tagger`] holds the models (jieba dictionary, IDF table, stop words), loaded once and
//! shared by reference. [`tag`] is a plain function: no I/O, no globals.

pub mod entities;
pub mod keywords;
pub mod ner;

use std::collections::HashSet;
use std::io::Read;

use jieba_rs::Jieba;

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
    stopwords: HashSet<String>,
    options: TagOptions,
}

/// Failure to build the tagger's models.
#[derive(Debug, thiserror::Error)]
pub enum TagModelError {
    /// The built-in IDF table could not be decompressed.
    #[error("built-in IDF table is corrupt: {0}")]
    Idf(#[source] std::io::Error),
}

impl Tagger {
    /// Loads jieba's dictionary, the IDF table and the stop words.
    ///
    /// # Errors
    /// If the compiled-in IDF table cannot be decompressed.
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
        Ok(Tagger {
            jieba: Jieba::new(),
            idf,
            stopwords,
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

/// Tags one article: a single jieba POS pass, then keywords and entities from that pass.
pub fn tag(tagger: &Tagger, draft: &Draft) -> Analysis {
    let mut tokens = Vec::new();
    for t in draft.title.iter().chain(draft.subtitle.iter()) {
        push_tokens(&tagger.jieba, t, Zone::Title, &mut tokens);
    }
    for p in &draft.paragraphs {
        push_tokens(&tagger.jieba, p, Zone::Body, &mut tokens);
    }
    let body_words = tokens
        .iter()
        .filter(|t| t.zone == Zone::Body && t.pos != "x" && !t.word.trim().is_empty())
        .count();
    let entities = entities::extract(&tokens, &draft.authors);
    let keywords = keywords::extract(tagger, &tokens, &entities, tagger.options.keywords);
    Analysis {
        tokens,
        keywords,
        entities,
        body_words,
    }
}

fn push_tokens(jieba: &Jieba, text: &str, zone: Zone, out: &mut Vec<Token>) {
    out.extend(jieba.tag(text, true).into_iter().map(|t| Token {
        word: t.word.to_string(),
        pos: t.tag.to_string(),
        zone,
    }));
}
