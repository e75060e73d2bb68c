//! The output record: one JSON object per article, written as JSON Lines.
//!
//! This module is the specification of presswire's output. `docs/SCHEMA.md` describes the same
//! fields for readers who do not read Rust, and `presswire schema` prints the JSON Schema
//! generated from these types. Every field is always present (`null` or `[]` when empty), and a
//! record's content depends only on the input bytes, the input's file name and the
//! configuration; the single exception is `processed_at`, which is `null` in deterministic mode.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of the record layout; bumped on any incompatible change.
pub const SCHEMA_VERSION: &str = "presswire.article/1";

/// One enriched article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// Stable identifier: the first 16 hex digits of the dump's SHA-256, a dash, the article index.
    pub id: String,
    /// Record layout version, always [`SCHEMA_VERSION`].
    pub schema: String,
    /// Where the article came from.
    pub source: Source,
    /// Headline, or `null` for a headless item such as a photo caption.
    pub title: Option<String>,
    /// Sub-headline (the `——…` line under a title), without its leading dashes.
    pub subtitle: Option<String>,
    /// Names from the byline and dateline, in the order they appear.
    pub authors: Vec<String>,
    /// Lead-in marker such as `本报讯` or `新华社北京1月1日电`.
    pub dateline: Option<String>,
    /// What sort of item this is.
    pub kind: Kind,
    /// Section headings inside the article, in reading order (they also appear in `paragraphs`).
    pub headings: Vec<String>,
    /// Cleaned paragraphs in reading order: section headings and body, not title/subtitle/byline.
    pub paragraphs: Vec<String>,
    /// The cleaned body: `paragraphs` joined with `\n`.
    pub text: String,
    /// Keywords, best first, weights normalised so the best is 1.0.
    pub keywords: Vec<Keyword>,
    /// Named entities and dates, each once, most frequent first.
    pub entities: Vec<Entity>,
    /// Topic assigned by the classifier.
    pub category: Category,
    /// Every change split and clean made to the input, in the order made.
    pub repairs: Vec<Repair>,
    /// Sizes of the cleaned article.
    pub stats: Stats,
    /// RFC 3339 time the record was produced, or `null` in deterministic mode.
    pub processed_at: Option<String>,
}

/// Provenance of an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The input file's name, without folders (`-` for standard input).
    pub file: String,
    /// SHA-256 of the input file's bytes, lowercase hex.
    pub sha256: String,
    /// Character encoding the input was decoded from (`UTF-8`, `GB18030`, `UTF-16LE`, …).
    pub encoding: String,
    /// Position of the article in its dump (or line in a JSONL input), from 0.
    pub index: usize,
    /// The `id` given on a JSONL input line, else `null`.
    pub id: Option<String>,
}

/// The sort of item a record holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A headed article, usually with several paragraphs.
    #[default]
    Article,
    /// A short news item, typically opening with a dateline such as `本报讯(…)`.
    Brief,
    /// A picture's caption (`图为…`), with no headline of its own.
    PhotoCaption,
}

/// A keyword and its weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Keyword {
    /// The word as it appears in the text.
    pub word: String,
    /// Relative importance in 0..=1; the best keyword has 1.0.
    pub weight: f64,
}

/// Entity types presswire recognises.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    /// A person's name.
    Person,
    /// A geographic or administrative place.
    Place,
    /// An organisation: company, bureau, committee, party branch, …
    Organization,
    /// A calendar date or year (`11月24日`, `2021年`).
    Date,
}

/// A named entity found in the article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entity {
    /// The entity as written.
    pub text: String,
    /// What it is.
    #[serde(rename = "type")]
    pub kind: EntityType,
    /// How many times it occurs in title, paragraphs and byline.
    pub count: usize,
}

/// The topic of an article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Topic label, or `unknown` when no label is confident enough.
    pub label: String,
    /// Confidence in 0..=1 (see `docs/SCHEMA.md` for how each model computes it).
    pub score: f64,
    /// Which classifier decided (`taxonomy` or `linear:<model name>`).
    pub model: String,
    /// The terms that weighed most for the chosen label, best first.
    pub evidence: Vec<String>,
}

/// One change made while splitting or cleaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Repair {
    /// What was done.
    pub action: RepairAction,
    /// Human-readable detail: the text affected, shortened.
    pub detail: String,
}

/// The kinds of repair split and clean perform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RepairAction {
    /// A paragraph cut by a column break was joined to its tail.
    Rejoined,
    /// Paragraphs were put back into reading order.
    Reordered,
    /// A header found away from its body was reunited with it.
    HeaderReunited,
    /// Page furniture (page number, running head, issue date) was removed.
    FurnitureRemoved,
    /// A paragraph repeated verbatim was dropped.
    DuplicateRemoved,
    /// Full-width ASCII letters, digits or ideographic spaces were made half-width.
    WidthNormalised,
    /// Stray spaces between CJK characters were removed.
    SpacesRemoved,
    /// Zero-width or control characters were dropped.
    ControlRemoved,
    /// A paragraph wrapped over several lines was unwrapped.
    Unwrapped,
}

/// Sizes of the cleaned article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stats {
    /// Characters (Unicode scalar values) in `text`.
    pub chars: usize,
    /// Number of `paragraphs`.
    pub paragraphs: usize,
    /// Words jieba found in `text`, punctuation excluded.
    pub words: usize,
}

impl Record {
    /// Serialises the record as one JSON line (no trailing newline), UTF-8 left unescaped.
    ///
    /// # Errors
    /// Only if a float is not finite, which the stages never produce.
    pub fn to_json_line(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }
}
