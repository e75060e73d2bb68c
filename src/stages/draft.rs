//! The article as it moves between stages: what split found, before tagging.

use crate::record::{Kind, Repair, RepairAction};

/// An article found in a dump, carried from split through clean to tag.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    /// Headline, if the article has one.
    pub title: Option<String>,
    /// Sub-headline without its leading dashes.
    pub subtitle: Option<String>,
    /// Names from byline and dateline.
    pub authors: Vec<String>,
    /// Lead-in marker such as `本报讯`.
    pub dateline: Option<String>,
    /// What sort of item this is.
    pub kind: Kind,
    /// Section headings, in reading order; each also appears in `paragraphs`.
    pub headings: Vec<String>,
    /// Headings and body paragraphs in reading order.
    pub paragraphs: Vec<String>,
    /// Changes made so far.
    pub repairs: Vec<Repair>,
}

impl Draft {
    /// Records a repair on this draft.
    pub fn repair(&mut self, action: RepairAction, detail: impl Into<String>) {
        self.repairs.push(Repair {
            action,
            detail: detail.into(),
        });
    }

    /// The cleaned body: paragraphs joined by newlines.
    pub fn text(&self) -> String {
        self.paragraphs.join("\n")
    }
}

/// Shortens `s` to at most `max` characters for a repair's detail, marking the cut with `…`.
pub fn excerpt(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if s.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}
