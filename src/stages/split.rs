//! Split: cut a decoded dump into article drafts.
//!
//! A first, line-based splitter: paragraphs are the dump's non-empty lines; a short line
//! without closing punctuation followed by a body paragraph opens a new article.

use crate::record::Kind;
use crate::stages::draft::Draft;

/// Splits a dump's text into article drafts, in the order they start in the dump.
pub fn split(text: &str) -> Vec<Draft> {
    let paras: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut drafts: Vec<Draft> = Vec::new();
    let mut current = Draft::default();
    for (i, p) in paras.iter().enumerate() {
        let next_is_body = paras.get(i + 1).is_some_and(|n| !is_headline(n));
        if is_headline(p) && next_is_body && !current.paragraphs.is_empty()
            || current_is_empty(&current) && is_headline(p)
        {
            if !current_is_empty(&current) {
                drafts.push(std::mem::take(&mut current));
            }
            current.title = Some((*p).to_string());
            continue;
        }
        current.paragraphs.push((*p).to_string());
    }
    if !current_is_empty(&current) {
        drafts.push(current);
    }
    for d in &mut drafts {
        if d.title.is_none() && d.paragraphs.iter().any(|p| p.contains("图为")) {
            d.kind = Kind::PhotoCaption;
        }
    }
    drafts
}

fn current_is_empty(d: &Draft) -> bool {
    d.title.is_none() && d.paragraphs.is_empty()
}

/// A headline is short and does not end like a sentence.
fn is_headline(line: &str) -> bool {
    let n = line.chars().count();
    n <= 40 && !line.ends_with(['。', '！', '？', '”', '…', '.', '!', '?'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_line_before_body_becomes_title() {
        let drafts = split("标题一\n\n正文第一段。\n\n正文第二段。\n\n标题二\n\n另一篇正文。\n");
        let titles: Vec<_> = drafts.iter().map(|d| d.title.clone()).collect();
        assert_eq!(titles, vec![Some("标题一".into()), Some("标题二".into())]);
        assert_eq!(drafts[0].paragraphs.len(), 2);
    }
}
