//! Tag: one jieba-rs POS pass per paragraph, shared by keywords, entities and classification.
//!
//! The [`Tagger`] holds the models (jieba dictionary, IDF table, stop words), loaded once and
//! shared by reference. [`tag`] is a plain function: no I/O, no globals.

pub mod charset;
pub mod dates;
pub mod entities;
pub mod keywords;
pub mod ner;
pub mod persons;
pub mod rules;

use std::borrow::Cow;
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
    /// jieba POS tag (`n`, `ns`, `nr`, `v`, `x` for punctuation, …); one of [`POS_TAGS`]
    /// (borrowed, nothing allocated per word) unless a custom dictionary brings others.
    pub pos: Cow<'static, str>,
    /// Which block it came from.
    pub zone: Zone,
}

/// Every POS tag jieba's default dictionary, its POS HMM and its out-of-vocabulary guesses
/// produce (`eng`), sorted.
pub const POS_TAGS: [&str; 65] = [
    "a", "ad", "ag", "an", "b", "bg", "c", "d", "df", "dg", "e", "en", "eng", "f", "g", "h", "i",
    "in", "j", "jn", "k", "l", "ln", "m", "mg", "mq", "n", "ng", "nr", "nrfg", "nrt", "ns", "nt",
    "nz", "o", "p", "q", "qe", "qg", "r", "rg", "rr", "rz", "s", "t", "tg", "u", "ud", "ug", "uj",
    "ul", "uv", "uz", "v", "vd", "vg", "vi", "vn", "vq", "w", "x", "y", "yg", "z", "zg",
];

/// The tag as a static string when it is one of [`POS_TAGS`] (a byte-pattern match: no
/// string comparisons, as this runs once per word).
pub fn intern_pos(tag: &str) -> Cow<'static, str> {
    match tag.as_bytes() {
        [b'a'] => Cow::Borrowed("a"),
        [b'a', b'd'] => Cow::Borrowed("ad"),
        [b'a', b'g'] => Cow::Borrowed("ag"),
        [b'a', b'n'] => Cow::Borrowed("an"),
        [b'b'] => Cow::Borrowed("b"),
        [b'b', b'g'] => Cow::Borrowed("bg"),
        [b'c'] => Cow::Borrowed("c"),
        [b'd'] => Cow::Borrowed("d"),
        [b'd', b'f'] => Cow::Borrowed("df"),
        [b'd', b'g'] => Cow::Borrowed("dg"),
        [b'e'] => Cow::Borrowed("e"),
        [b'e', b'n'] => Cow::Borrowed("en"),
        [b'e', b'n', b'g'] => Cow::Borrowed("eng"),
        [b'f'] => Cow::Borrowed("f"),
        [b'g'] => Cow::Borrowed("g"),
        [b'h'] => Cow::Borrowed("h"),
        [b'i'] => Cow::Borrowed("i"),
        [b'i', b'n'] => Cow::Borrowed("in"),
        [b'j'] => Cow::Borrowed("j"),
        [b'j', b'n'] => Cow::Borrowed("jn"),
        [b'k'] => Cow::Borrowed("k"),
        [b'l'] => Cow::Borrowed("l"),
        [b'l', b'n'] => Cow::Borrowed("ln"),
        [b'm'] => Cow::Borrowed("m"),
        [b'm', b'g'] => Cow::Borrowed("mg"),
        [b'm', b'q'] => Cow::Borrowed("mq"),
        [b'n'] => Cow::Borrowed("n"),
        [b'n', b'g'] => Cow::Borrowed("ng"),
        [b'n', b'r'] => Cow::Borrowed("nr"),
        [b'n', b'r', b'f', b'g'] => Cow::Borrowed("nrfg"),
        [b'n', b'r', b't'] => Cow::Borrowed("nrt"),
        [b'n', b's'] => Cow::Borrowed("ns"),
        [b'n', b't'] => Cow::Borrowed("nt"),
        [b'n', b'z'] => Cow::Borrowed("nz"),
        [b'o'] => Cow::Borrowed("o"),
        [b'p'] => Cow::Borrowed("p"),
        [b'q'] => Cow::Borrowed("q"),
        [b'q', b'e'] => Cow::Borrowed("qe"),
        [b'q', b'g'] => Cow::Borrowed("qg"),
        [b'r'] => Cow::Borrowed("r"),
        [b'r', b'g'] => Cow::Borrowed("rg"),
        [b'r', b'r'] => Cow::Borrowed("rr"),
        [b'r', b'z'] => Cow::Borrowed("rz"),
        [b's'] => Cow::Borrowed("s"),
        [b't'] => Cow::Borrowed("t"),
        [b't', b'g'] => Cow::Borrowed("tg"),
        [b'u'] => Cow::Borrowed("u"),
        [b'u', b'd'] => Cow::Borrowed("ud"),
        [b'u', b'g'] => Cow::Borrowed("ug"),
        [b'u', b'j'] => Cow::Borrowed("uj"),
        [b'u', b'l'] => Cow::Borrowed("ul"),
        [b'u', b'v'] => Cow::Borrowed("uv"),
        [b'u', b'z'] => Cow::Borrowed("uz"),
        [b'v'] => Cow::Borrowed("v"),
        [b'v', b'd'] => Cow::Borrowed("vd"),
        [b'v', b'g'] => Cow::Borrowed("vg"),
        [b'v', b'i'] => Cow::Borrowed("vi"),
        [b'v', b'n'] => Cow::Borrowed("vn"),
        [b'v', b'q'] => Cow::Borrowed("vq"),
        [b'w'] => Cow::Borrowed("w"),
        [b'x'] => Cow::Borrowed("x"),
        [b'y'] => Cow::Borrowed("y"),
        [b'y', b'g'] => Cow::Borrowed("yg"),
        [b'z'] => Cow::Borrowed("z"),
        [b'z', b'g'] => Cow::Borrowed("zg"),
        _ => Cow::Owned(tag.to_string()),
    }
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
    jieba: &'static Jieba,
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
            jieba: crate::stages::dictionary::jieba(),
            idf,
            stopwords,
            ner,
            options: options.clone(),
        })
    }

    /// The jieba instance, for stages that need segmentation evidence (clean's rejoin).
    pub fn jieba(&self) -> &Jieba {
        self.jieba
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
    // A block's tokens are `tokens[start..end]`; blocks borrow them once all are pushed.
    struct Raw {
        start: usize,
        end: usize,
        chars: Vec<char>,
        ranges: Vec<(usize, usize)>,
        model: Vec<ner::Span>,
    }
    let mut raw: Vec<Raw> = Vec::new();
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
        let mut ranges = Vec::new();
        for t in tagger.jieba.tag(text, true) {
            let at = infos.len();
            ner::features::push_word(t.word, t.tag, &mut infos);
            ranges.push((at, infos.len()));
            tokens.push(Token {
                word: t.word.to_string(),
                pos: intern_pos(t.tag),
                zone,
            });
        }
        let spans = ner::recognise(&tagger.ner, &infos, &mut scratch);
        let chars = infos.iter().filter_map(|c| char::from_u32(c.c)).collect();
        raw.push(Raw {
            start,
            end: tokens.len(),
            chars,
            ranges,
            model: spans,
        });
    }
    let body_words = tokens
        .iter()
        .filter(|t| t.zone == Zone::Body && t.pos != "x" && !t.word.trim().is_empty())
        .count();
    let blocks: Vec<entities::Block> = raw
        .into_iter()
        .map(|r| entities::Block {
            chars: r.chars,
            ranges: r.ranges,
            tokens: tokens.get(r.start..r.end).unwrap_or(&[]),
            model: r.model,
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
pub(crate) fn test_tokens(pairs: &[(&str, &'static str)]) -> Vec<Token> {
    pairs
        .iter()
        .map(|(w, p)| Token {
            word: (*w).into(),
            pos: intern_pos(p),
            zone: Zone::Body,
        })
        .collect()
}

/// Body nouns from space-separated words, for the classifiers' unit tests.
#[cfg(test)]
pub(crate) fn test_doc(words: &str) -> Vec<Token> {
    words
        .split(' ')
        .map(|w| Token {
            word: w.into(),
            pos: "n".into(),
            zone: Zone::Body,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pos_tags_are_sorted_and_interned() {
        assert!(POS_TAGS.windows(2).all(|w| w[0] < w[1]));
        for t in POS_TAGS {
            assert!(matches!(intern_pos(t), Cow::Borrowed(b) if b == t));
        }
        assert!(matches!(intern_pos("zz"), Cow::Owned(o) if o == "zz"));
    }

    /// Every tag the default jieba gives a mixed text is a known one.
    #[test]
    fn jieba_tags_are_known() {
        let jieba = Jieba::new();
        let text = "2026年11月27日，陕煤集团黄陵矿业公司在iPhone发布会上说：“我们很高兴！”咱俩嗯";
        for t in jieba.tag(text, true) {
            assert!(
                POS_TAGS.binary_search(&t.tag).is_ok(),
                "{}: {}",
                t.word,
                t.tag
            );
        }
    }
}
