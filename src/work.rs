//! The unit of work that flows through the pipeline, and the synchronous step each stage
//! applies to it. `pipeline` runs these steps on tasks; `cli::process` and `replay` call
//! them directly, so every command shares one code path from bytes to records.

use std::path::Path;

use crate::faults;
use crate::record::Record;
use crate::sink::Outbox;
use crate::source::decode::{decode, DecodeError};
use crate::source::jsonl::{self, LineError};
use crate::source::read::{read_input, ReadError};
use crate::source::Format;
use crate::stages::{self, Analysis, Draft, Models, SourceMeta, Stage};

/// What has been done to one input so far.
#[derive(Debug)]
pub enum Work {
    /// Bytes read and hashed, nothing else yet.
    Read {
        /// Provenance (encoding filled in by decode).
        meta: SourceMeta,
        /// The input's bytes.
        bytes: Vec<u8>,
        /// How to interpret them.
        format: Format,
    },
    /// Split into drafts (cleaned or not yet), each with its JSONL `id`.
    Drafts {
        /// Provenance.
        meta: SourceMeta,
        /// Articles in input order, with their input id and index.
        drafts: Vec<Item>,
        /// JSONL lines that could not be used.
        bad_lines: Vec<LineError>,
        /// Size of the input.
        bytes_in: usize,
    },
    /// Tagged articles.
    Tagged {
        /// Provenance.
        meta: SourceMeta,
        /// Articles with their analysis.
        items: Vec<(Item, Analysis)>,
        /// JSONL lines that could not be used.
        bad_lines: Vec<LineError>,
        /// Size of the input.
        bytes_in: usize,
    },
    /// Finished records, ready for the outbox.
    Done {
        /// Provenance.
        meta: SourceMeta,
        /// The records, in order.
        records: Vec<Record>,
        /// JSONL lines that could not be used.
        bad_lines: Vec<LineError>,
        /// Size of the input.
        bytes_in: usize,
    },
    /// The outbox already holds this content; nothing to compute.
    Duplicate {
        /// SHA-256 of the input.
        sha256: String,
    },
    /// The file disappeared before it could be read.
    Vanished,
    /// A stage failed; the input goes to quarantine.
    Failed(Failure),
}

/// An article inside [`Work`]: its draft, its JSONL id, and its index in the input.
#[derive(Debug, Clone)]
pub struct Item {
    /// The article.
    pub draft: Draft,
    /// `id` from a JSONL input line.
    pub input_id: Option<String>,
    /// Index in the input (article number, or JSONL line number).
    pub index: usize,
}

/// Why an input failed, as written to its `.error.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Stage that failed.
    pub stage: Stage,
    /// Stable code, e.g. `decode.undecodable`.
    pub code: String,
    /// Explanation for people.
    pub reason: String,
    /// SHA-256 of the input, if it was read.
    pub sha256: Option<String>,
}

/// Options that shape records (not where they go).
#[derive(Debug, Clone, Copy)]
pub struct RecordOptions {
    /// Leave `processed_at` null.
    pub deterministic: bool,
    /// Never skip content the outbox already holds.
    pub force: bool,
}

/// Reads one file from disk and hashes it; a file whose output exists becomes `Duplicate`.
pub fn read_file(
    path: &Path,
    name: &str,
    max_bytes: u64,
    outbox: Option<&Outbox>,
    opts: RecordOptions,
) -> Work {
    match read_input(path, max_bytes) {
        Ok(input) => {
            if !opts.force && outbox.is_some_and(|o| o.contains(&input.sha256)) {
                return Work::Duplicate {
                    sha256: input.sha256,
                };
            }
            from_bytes(name, input.bytes, input.sha256, Format::for_name(name))
        }
        Err(ReadError::Vanished) => Work::Vanished,
        Err(e) => Work::Failed(Failure {
            stage: Stage::Read,
            code: e.code().into(),
            reason: e.to_string(),
            sha256: None,
        }),
    }
}

/// Wraps bytes already in memory (stdin, archive members) as read work.
pub fn from_bytes(name: &str, bytes: Vec<u8>, sha256: String, format: Format) -> Work {
    Work::Read {
        meta: SourceMeta {
            file: name.to_string(),
            sha256,
            encoding: String::new(),
        },
        bytes,
        format,
    }
}

/// Stage `split`: decode the bytes, then split a dump into drafts or parse JSONL lines.
pub fn split(work: Work) -> Work {
    let Work::Read {
        mut meta,
        bytes,
        format,
    } = work
    else {
        return work;
    };
    seam(Stage::Split, &meta.file);
    let decoded = match decode(&bytes) {
        Ok(d) => d,
        Err(e) => {
            let code = match e {
                DecodeError::Empty => "decode.empty",
                DecodeError::Binary(_) => "decode.binary",
                DecodeError::Undecodable { .. } => "decode.undecodable",
                DecodeError::NotChinese { .. } => "decode.not_chinese",
            };
            return Work::Failed(Failure {
                stage: Stage::Decode,
                code: code.into(),
                reason: e.to_string(),
                sha256: Some(meta.sha256),
            });
        }
    };
    meta.encoding = decoded.encoding.to_string();
    let bytes_in = bytes.len();
    if format == Format::Dump {
        if let Some((line, len)) = longest_line_over(&decoded.text, MAX_LINE_BYTES) {
            return Work::Failed(Failure {
                stage: Stage::Split,
                code: "split.line_too_long".into(),
                reason: format!(
                    "line {line} is {len} bytes, over the {MAX_LINE_BYTES}-byte limit for one line; a dump is page text with line breaks"
                ),
                sha256: Some(meta.sha256),
            });
        }
    }
    let (drafts, bad_lines) = match format {
        Format::Dump => (
            stages::split(&decoded.text)
                .into_iter()
                .enumerate()
                .map(|(index, draft)| Item {
                    draft,
                    input_id: None,
                    index,
                })
                .collect(),
            Vec::new(),
        ),
        Format::Jsonl => {
            let (articles, bad) = jsonl::parse(&decoded.text);
            if articles.is_empty() && !bad.is_empty() {
                return Work::Failed(Failure {
                    stage: Stage::Read,
                    code: "jsonl.no_valid_lines".into(),
                    reason: format!(
                        "no usable JSONL line; first error at line {}: {}",
                        bad[0].line, bad[0].reason
                    ),
                    sha256: Some(meta.sha256),
                });
            }
            let items = articles
                .into_iter()
                .map(|a| Item {
                    draft: a.draft,
                    input_id: a.id,
                    index: a.line,
                })
                .collect();
            (items, bad)
        }
    };
    Work::Drafts {
        meta,
        drafts,
        bad_lines,
        bytes_in,
    }
}

/// Stage `clean`: normalise and repair every draft.
pub fn clean(work: Work) -> Work {
    let Work::Drafts {
        meta,
        drafts,
        bad_lines,
        bytes_in,
    } = work
    else {
        return work;
    };
    seam(Stage::Clean, &meta.file);
    let (keys, ds): (Vec<_>, Vec<_>) = drafts
        .into_iter()
        .map(|i| ((i.input_id, i.index), i.draft))
        .unzip();
    // `stages::clean` returns one draft per input draft, in order (its documented contract).
    let drafts = keys
        .into_iter()
        .zip(stages::clean(ds))
        .map(|((input_id, index), draft)| Item {
            draft,
            input_id,
            index,
        })
        .collect();
    Work::Drafts {
        meta,
        drafts,
        bad_lines,
        bytes_in,
    }
}

/// Stage `tag`: one jieba pass per article, keywords and entities from it.
pub fn tag(models: &Models, work: Work) -> Work {
    let Work::Drafts {
        meta,
        drafts,
        bad_lines,
        bytes_in,
    } = work
    else {
        return work;
    };
    seam(Stage::Tag, &meta.file);
    let items = drafts
        .into_iter()
        .map(|item| {
            let analysis = stages::tag(&models.tagger, &item.draft);
            (item, analysis)
        })
        .collect();
    Work::Tagged {
        meta,
        items,
        bad_lines,
        bytes_in,
    }
}

/// Stage `classify`: assign topics and assemble the records.
pub fn classify(models: &Models, work: Work, opts: RecordOptions) -> Work {
    let Work::Tagged {
        meta,
        items,
        bad_lines,
        bytes_in,
    } = work
    else {
        return work;
    };
    seam(Stage::Classify, &meta.file);
    let processed_at = (!opts.deterministic).then(now_rfc3339);
    let records = items
        .into_iter()
        .map(|(item, analysis)| {
            let category = stages::classify(&models.classifier, &analysis);
            stages::assemble(
                &meta,
                item.index,
                item.input_id,
                item.draft,
                analysis,
                category,
                processed_at.clone(),
            )
        })
        .collect();
    Work::Done {
        meta,
        records,
        bad_lines,
        bytes_in,
    }
}

/// Runs every stage in turn on one input: the one-shot path used by `process` and `replay`.
pub fn run_all(models: &Models, work: Work, opts: RecordOptions) -> Work {
    classify(models, tag(models, clean(split(work))), opts)
}

/// The longest line a dump may hold, in bytes: page text has line breaks, and one enormous
/// line would make a single paragraph that every stage must hold and scan whole.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The first line (1-based) longer than `limit` bytes, with its length.
fn longest_line_over(text: &str, limit: usize) -> Option<(usize, usize)> {
    text.split('\n')
        .enumerate()
        .find(|(_, l)| l.len() > limit)
        .map(|(n, l)| (n + 1, l.len()))
}

/// Test seam at the start of each stage step: a named crash point, and an injected panic
/// (`panic.<stage>` in `PRESSWIRE_FAULTS`) to prove a panicking core is contained.
fn seam(stage: Stage, file: &str) {
    let (point, fault, kill) = match stage {
        Stage::Split => ("stage.split", "panic.split", "kill.split"),
        Stage::Clean => ("stage.clean", "panic.clean", "kill.clean"),
        Stage::Tag => ("stage.tag", "panic.tag", "kill.tag"),
        Stage::Classify => ("stage.classify", "panic.classify", "kill.classify"),
        _ => return,
    };
    faults::crash_point(point);
    if faults::hits(kill, file) {
        faults::kill_now(kill);
    }
    if faults::hits(fault, file) {
        panic!("injected fault {fault} on {file:?} (PRESSWIRE_FAULTS test seam)");
    }
}

/// A failure for a stage that panicked.
pub fn panicked(
    stage: Stage,
    payload: &(dyn std::any::Any + Send),
    sha256: Option<String>,
) -> Failure {
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".into());
    Failure {
        stage,
        code: "stage.panic".into(),
        reason: format!("the {stage} stage panicked: {msg} (this is a bug in presswire; please report it with the input)"),
        sha256,
    }
}

/// Current time as RFC 3339 UTC, for `processed_at`.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
