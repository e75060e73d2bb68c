//! Article-stream input: one JSON object per line, `{"id": "...", "title": "...", "text": "..."}`
//! (`id` and `title` optional). Splitting is skipped; each good line becomes one draft and a
//! broken line is reported without stopping the rest.

use serde::Deserialize;

use crate::stages::Draft;

/// One input line as written.
#[derive(Debug, Clone, Deserialize)]
struct Line {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    title: Option<String>,
    text: String,
}

/// A parsed line: its 0-based line number, its `id`, and its draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonlArticle {
    /// 0-based line number in the input.
    pub line: usize,
    /// The `id` field, as a string (numbers are written in decimal).
    pub id: Option<String>,
    /// The article, one paragraph per non-empty line of `text`.
    pub draft: Draft,
}

/// A line that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineError {
    /// 1-based line number, as editors show it.
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// Parses every non-blank line; good lines become articles, bad ones errors.
pub fn parse(text: &str) -> (Vec<JsonlArticle>, Vec<LineError>) {
    let mut articles = Vec::new();
    let mut errors = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        if raw.len() > crate::work::MAX_LINE_BYTES {
            errors.push(LineError {
                line: n + 1,
                reason: format!(
                    "line is {} bytes, over the {}-byte limit for one article",
                    raw.len(),
                    crate::work::MAX_LINE_BYTES
                ),
            });
            continue;
        }
        match serde_json::from_str::<Line>(raw) {
            Ok(l) => {
                let id = l.id.map(|v| match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                });
                let paragraphs = l
                    .text
                    .lines()
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
                    .collect();
                articles.push(JsonlArticle {
                    line: n,
                    id,
                    draft: Draft {
                        title: l.title.filter(|t| !t.trim().is_empty()),
                        paragraphs,
                        ..Draft::default()
                    },
                });
            }
            Err(e) => errors.push(LineError {
                line: n + 1,
                reason: e.to_string(),
            }),
        }
    }
    (articles, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_lines_parse_and_a_broken_line_is_reported() {
        let (ok, bad) = parse("{\"id\":\"a\",\"title\":\"标题\",\"text\":\"一段。\\n二段。\"}\n{broken\n\n{\"id\":7,\"text\":\"无题。\"}\n");
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].id.as_deref(), Some("a"));
        assert_eq!(ok[0].draft.paragraphs, vec!["一段。", "二段。"]);
        assert_eq!(ok[1].id.as_deref(), Some("7"));
        assert_eq!(ok[1].line, 3);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].line, 2);
    }
}
