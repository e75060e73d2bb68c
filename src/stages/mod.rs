//! The four stage cores, as plain synchronous functions over plain data:
//! [`split`] → [`clean`] → [`tag`] → [`classify`], and [`assemble`] into a [`Record`].
//!
//! Nothing here touches tokio or the filesystem. Models are loaded once into [`Models`] and
//! passed by reference (jieba's dictionary, immutable, is the one process-wide value:
//! [`dictionary`]), so the daemon, `process` and `replay` all produce
//! identical records by construction: they call [`enrich`] or the same cores one by one.

pub mod classify;
pub mod clean;
pub mod dictionary;
pub mod draft;
pub mod split;
pub mod tag;

use crate::record::{Category, Record, Source, Stats, SCHEMA_VERSION};
pub use classify::{classify, Classifier};
pub use clean::clean;
pub use draft::Draft;
pub use split::split;
pub use tag::{tag, Analysis, Tagger};

/// Everything the stages need that is expensive to build: loaded once, shared by reference.
pub struct Models {
    /// jieba, IDF table, stop words (and the entity model).
    pub tagger: Tagger,
    /// The topic classifier.
    pub classifier: Classifier,
}

/// What the stages know of the input an article came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceMeta {
    /// File name without folders.
    pub file: String,
    /// SHA-256 of the input bytes, lowercase hex.
    pub sha256: String,
    /// Encoding the bytes were decoded from.
    pub encoding: String,
}

/// Identifies the stage a failure happened in, for quarantine reports and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Reading and claiming the input file.
    Read,
    /// Charset detection and decoding.
    Decode,
    /// Splitting into articles.
    Split,
    /// Normalising and repairing.
    Clean,
    /// Words, keywords and entities.
    Tag,
    /// Topic assignment.
    Classify,
    /// Writing the output file.
    Write,
}

impl Stage {
    /// The stage's name as it appears in logs, metrics and error files.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Read => "read",
            Stage::Decode => "decode",
            Stage::Split => "split",
            Stage::Clean => "clean",
            Stage::Tag => "tag",
            Stage::Classify => "classify",
            Stage::Write => "write",
        }
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Builds the output record for the `index`-th article of an input.
pub fn assemble(
    meta: &SourceMeta,
    index: usize,
    input_id: Option<String>,
    draft: Draft,
    analysis: Analysis,
    category: Category,
    processed_at: Option<String>,
) -> Record {
    let text = draft.text();
    let stats = Stats {
        chars: text.chars().count(),
        paragraphs: draft.paragraphs.len(),
        words: analysis.body_words,
    };
    Record {
        id: format!("{}-{index:03}", short_hash(&meta.sha256)),
        schema: SCHEMA_VERSION.to_string(),
        source: Source {
            file: meta.file.clone(),
            sha256: meta.sha256.clone(),
            encoding: meta.encoding.clone(),
            index,
            id: input_id,
        },
        title: draft.title,
        subtitle: draft.subtitle,
        authors: draft.authors,
        dateline: draft.dateline,
        kind: draft.kind,
        headings: draft.headings,
        paragraphs: draft.paragraphs,
        text,
        keywords: analysis.keywords,
        entities: analysis.entities,
        category,
        repairs: draft.repairs,
        stats,
        processed_at,
    }
}

/// The first 16 hex digits of a SHA-256, used in record ids and output names.
pub fn short_hash(sha256: &str) -> &str {
    sha256.get(..16).unwrap_or(sha256)
}

/// Tags and classifies cleaned drafts, then assembles their records, in order.
pub fn finish(
    models: &Models,
    meta: &SourceMeta,
    drafts: Vec<(Draft, Option<String>)>,
    processed_at: Option<String>,
) -> Vec<Record> {
    drafts
        .into_iter()
        .enumerate()
        .map(|(i, (d, id))| {
            let analysis = tag(&models.tagger, &d);
            let category = classify(&models.classifier, &analysis);
            assemble(meta, i, id, d, analysis, category, processed_at.clone())
        })
        .collect()
}

/// Runs a decoded dump through every stage: split → clean → tag → classify.
pub fn enrich(
    models: &Models,
    meta: &SourceMeta,
    text: &str,
    processed_at: Option<String>,
) -> Vec<Record> {
    let drafts = clean(split(text));
    finish(
        models,
        meta,
        drafts.into_iter().map(|d| (d, None)).collect(),
        processed_at,
    )
}
