//! Sources: where inputs come from. [`inbox`] watches a folder; [`read`] opens and hashes one
//! file safely; [`decode`] turns bytes into text; [`jsonl`] parses article-stream inputs.

pub mod decode;
pub mod inbox;
pub mod jsonl;
pub mod read;

/// How an input file is interpreted.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Raw page text holding several articles.
    Dump,
    /// One JSON article per line: `{"id", "title", "text"}`.
    Jsonl,
}

impl Format {
    /// The format implied by a file name: `*.jsonl` is an article stream, anything else a dump.
    pub fn for_name(name: &str) -> Format {
        if name.ends_with(".jsonl") {
            Format::Jsonl
        } else {
            Format::Dump
        }
    }
}
