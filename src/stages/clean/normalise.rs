//! Character normalisation, deliberately narrower than NFKC: full-width ASCII letters and
//! digits and the ideographic space become half-width, while Chinese punctuation
//! (，：（）！？；…) stays; zero-width and control characters are dropped; stray spaces
//! between CJK characters are removed from body text.

use crate::record::RepairAction;

/// Normalises one line, returning the text and the kinds of change made; `drop_spaces`
/// removes spaces between CJK characters (wanted in body text, not in headlines).
pub fn normalise(s: &str, drop_spaces: bool) -> (String, Vec<RepairAction>) {
    // Most lines need nothing: check that first instead of rebuilding them.
    let plain = !s.chars().any(|c| {
        matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}')
            || c.is_control()
            || (drop_spaces && c == ' ')
    });
    if plain {
        return (s.trim().to_string(), Vec::new());
    }
    let mut width = false;
    let mut control = false;
    let mut mapped = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{FF01}'..='\u{FF5E}' if c.is_ascii_fullwidth_alnum() => {
                width = true;
                mapped.push(char::from_u32(c as u32 - 0xFEE0).unwrap_or(c));
            }
            '\u{3000}' => {
                width = true;
                mapped.push(' ');
            }
            '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' => control = true,
            c if c.is_control() => {
                control = true;
                if c == '\t' {
                    mapped.push(' ');
                }
            }
            c => mapped.push(c),
        }
    }
    let (out, spaces) = if drop_spaces {
        drop_cjk_spaces(mapped.trim())
    } else {
        (mapped.trim().to_string(), false)
    };
    let mut changes = Vec::new();
    if width {
        changes.push(RepairAction::WidthNormalised);
    }
    if control {
        changes.push(RepairAction::ControlRemoved);
    }
    if spaces {
        changes.push(RepairAction::SpacesRemoved);
    }
    (out, changes)
}

trait FullwidthExt {
    #[allow(clippy::wrong_self_convention)] // `char` is `Copy`, like `char::is_alphanumeric`
    fn is_ascii_fullwidth_alnum(self) -> bool;
}

impl FullwidthExt for char {
    /// Full-width digits and Latin letters (Ｆ０ etc.); full-width punctuation is left alone.
    fn is_ascii_fullwidth_alnum(self) -> bool {
        matches!(self, '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}')
    }
}

/// Is `c` a CJK ideograph or CJK punctuation, between which spaces are never meaningful?
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20)
}

/// Removes runs of spaces that sit between two CJK characters.
fn drop_cjk_spaces(s: &str) -> (String, bool) {
    if !s.contains(' ') {
        return (s.to_string(), false);
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' {
            let start = i;
            while i < chars.len() && chars[i] == ' ' {
                i += 1;
            }
            let before = start.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i).copied();
            if before.is_some_and(is_cjk) && after.is_some_and(is_cjk) {
                changed = true;
            } else {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    (out, changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fullwidth_alnum_becomes_ascii_but_punctuation_stays() {
        let (out, changes) = normalise("２０２１年ＡＢＣ，“好！”（注）", true);
        assert_eq!(out, "2021年ABC，“好！”（注）");
        assert_eq!(changes, vec![RepairAction::WidthNormalised]);
    }

    #[test]
    fn spaces_between_cjk_are_removed_but_not_between_latin() {
        let (out, changes) = normalise("党建 引领　发展 New York", true);
        assert_eq!(out, "党建引领发展 New York");
        assert!(changes.contains(&RepairAction::SpacesRemoved));
    }

    #[test]
    fn zero_width_and_control_characters_are_dropped() {
        let (out, changes) = normalise("文\u{200B}明\u{0007}", true);
        assert_eq!(out, "文明");
        assert_eq!(changes, vec![RepairAction::ControlRemoved]);
    }
}
