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

    mod fuzz {
        //! Property tests (a short fuzz run; raise `PROPTEST_CASES` for a longer one).
        use super::super::*;
        use proptest::prelude::*;

        fn article() -> impl Strategy<Value = (Option<String>, Option<String>, String)> {
            (
                proptest::option::of("[a-z0-9/._-]{1,12}"),
                proptest::option::of("\\PC{1,20}"),
                "\\PC{1,80}",
            )
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

            /// Any text: good and bad lines are accounted for, never a panic.
            #[test]
            fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
                let (ok, bad) = parse(&text);
                let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
                prop_assert_eq!(ok.len() + bad.len(), lines);
            }

            /// Valid lines come back in order with their ids; each broken line is reported by
            /// its 1-based number and the others still parse.
            #[test]
            fn good_lines_survive_broken_neighbours(
                articles in proptest::collection::vec(article(), 1..12),
                broken in proptest::collection::vec(any::<bool>(), 12),
            ) {
                let mut text = String::new();
                let mut expected_bad = Vec::new();
                let mut expected_ids = Vec::new();
                let mut line = 0;
                for (i, (id, title, body)) in articles.iter().enumerate() {
                    if broken[i] {
                        line += 1;
                        text.push_str("{\"text\": \"unterminated\n");
                        expected_bad.push(line);
                    }
                    let obj = serde_json::json!({"id": id, "title": title, "text": body});
                    text.push_str(&obj.to_string());
                    text.push('\n');
                    line += 1;
                    expected_ids.push(id.clone());
                }
                let (ok, bad) = parse(&text);
                let ids: Vec<Option<String>> = ok.iter().map(|a| a.id.clone()).collect();
                prop_assert_eq!(ids, expected_ids);
                let bad_lines: Vec<usize> = bad.iter().map(|b| b.line).collect();
                prop_assert_eq!(bad_lines, expected_bad);
            }
        }
    }
}
