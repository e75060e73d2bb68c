//! Clean: normalise characters and drop duplicate paragraphs inside each draft.
//!
//! Rejoining broken paragraphs and restoring reading order happen in split (see
//! `stages::split`), which sees the whole dump; clean works on one draft at a time and
//! returns exactly one draft per input draft, in the same order.
//!
//! Normalisation is deliberately narrower than NFKC: full-width ASCII letters and digits and
//! the ideographic space become half-width, while Chinese punctuation (，：（）！？；…) stays.

use crate::record::RepairAction;
use crate::stages::draft::{excerpt, Draft};

pub mod normalise;
pub use normalise::{is_cjk, normalise};

/// Cleans every draft of a dump: normalises text and drops duplicate paragraphs.
pub fn clean(drafts: Vec<Draft>) -> Vec<Draft> {
    drafts.into_iter().map(clean_draft).collect()
}

fn clean_draft(mut d: Draft) -> Draft {
    let mut repairs = Vec::new();
    // Spaces inside headlines separate phrases on purpose (`党建领航聚合力 文明花香溢财苑`);
    // only body paragraphs lose their stray spaces.
    let norm = |s: &str, body: bool, repairs: &mut Vec<(RepairAction, String)>| {
        let (out, changes) = normalise(s, body);
        for action in changes {
            repairs.push((action, excerpt(s, 20)));
        }
        out
    };
    d.title = d.title.as_deref().map(|t| norm(t, false, &mut repairs));
    d.subtitle = d.subtitle.as_deref().map(|t| norm(t, false, &mut repairs));
    let raw_headings: Vec<String> = d.headings.clone();
    d.headings = d
        .headings
        .iter()
        .map(|h| norm(h, false, &mut repairs))
        .collect();
    let mut paragraphs: Vec<String> = Vec::with_capacity(d.paragraphs.len());
    for p in std::mem::take(&mut d.paragraphs) {
        let body = !raw_headings.contains(&p);
        // Most paragraphs need no work: moved (and trimmed) rather than copied.
        let p = if normalise::needs_no_work(&p, body) {
            normalise::trimmed(p)
        } else {
            norm(&p, body, &mut repairs)
        };
        if p.is_empty() {
            continue;
        }
        // Articles have tens of paragraphs: a linear scan beats hashing every one.
        if paragraphs.iter().any(|q| q.len() == p.len() && *q == p) {
            repairs.push((RepairAction::DuplicateRemoved, excerpt(&p, 20)));
            continue;
        }
        paragraphs.push(p);
    }
    d.paragraphs = paragraphs;
    for (action, detail) in repairs {
        d.repair(action, detail);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_paragraphs_are_removed_and_reported() {
        let d = Draft {
            paragraphs: vec!["同一段。".into(), "同一段。".into(), "另一段。".into()],
            ..Draft::default()
        };
        let out = clean(vec![d]);
        assert_eq!(out[0].paragraphs, vec!["同一段。", "另一段。"]);
        assert_eq!(out[0].repairs[0].action, RepairAction::DuplicateRemoved);
    }

    #[test]
    fn titles_keep_their_spaces_and_body_loses_them() {
        let d = Draft {
            title: Some("党建领航聚合力 文明花香溢财苑".into()),
            paragraphs: vec!["党建 引领。".into()],
            ..Draft::default()
        };
        let out = clean(vec![d]);
        assert_eq!(
            out[0].title.as_deref(),
            Some("党建领航聚合力 文明花香溢财苑")
        );
        assert_eq!(out[0].paragraphs, vec!["党建引领。"]);
    }
}
