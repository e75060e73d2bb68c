//! Labelled training data: JSON Lines `{"text": ..., "label": ..., "title": ...}`.
//!
//! Articles are read exactly as `process --format jsonl` reads them (one paragraph per
//! non-empty line of `text`), so training sees the same drafts as prediction.

use serde::Deserialize;

use crate::source::jsonl;
use crate::stages::Draft;

/// The label of one training line (other fields are read by [`jsonl::parse`]).
#[derive(Debug, Deserialize)]
struct LabelOnly {
    label: String,
}

/// A training file line that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct CorpusError {
    /// 1-based line number.
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// Parses a training file into drafts and labels, in file order. Every non-blank line must
/// be a JSON object with a string `text` and a non-empty string `label`.
///
/// # Errors
/// The first unusable line.
pub fn parse(text: &str) -> Result<Vec<(Draft, String)>, CorpusError> {
    let (articles, bad) = jsonl::parse(text);
    if let Some(b) = bad.first() {
        return Err(CorpusError {
            line: b.line,
            reason: b.reason.clone(),
        });
    }
    let lines: Vec<&str> = text.lines().collect();
    articles
        .into_iter()
        .map(|a| {
            let err = |reason: String| CorpusError {
                line: a.line + 1,
                reason,
            };
            let raw = lines.get(a.line).copied().unwrap_or_default();
            let l: LabelOnly =
                serde_json::from_str(raw).map_err(|e| err(format!("no usable label: {e}")))?;
            let label = l.label.trim().to_string();
            if label.is_empty() {
                return Err(err("empty label".into()));
            }
            Ok((a.draft, label))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_labels_titles_and_paragraphs() {
        let text = "{\"text\":\"第一段\\n第二段\",\"label\":\"体育\",\"title\":\"标题\"}\n\n{\"text\":\"正文\",\"label\":\" 财经 \"}\n";
        let got = parse(text).map_err(|e| e.to_string());
        let Ok(got) = got else { panic!("{got:?}") };
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0.title.as_deref(), Some("标题"));
        assert_eq!(got[0].0.paragraphs, ["第一段", "第二段"]);
        assert_eq!(got[0].1, "体育");
        assert_eq!(got[1].1, "财经");
    }

    #[test]
    fn missing_or_empty_labels_name_the_line() {
        let e = parse("{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"b\"}\n").map(|_| ());
        assert!(matches!(e, Err(CorpusError { line: 2, .. })));
        let e = parse("{\"text\":\"a\",\"label\":\"  \"}\n").map(|_| ());
        assert!(matches!(e, Err(CorpusError { line: 1, .. })));
        assert!(parse("not json\n").is_err());
    }
}
