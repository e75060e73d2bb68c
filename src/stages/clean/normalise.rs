//! Character normalisation, deliberately narrower than NFKC: full-width ASCII letters and
//! digits and the ideographic space become half-width, while Chinese punctuation
//! (，：（）！？；…) stays; zero-width and control characters are dropped; stray spaces
//! between CJK characters are removed from body text.

use crate::record::RepairAction;

/// Normalises one line, returning the text and the kinds of change made; `drop_spaces`
/// removes spaces between CJK characters (wanted in body text, not in headlines).
pub fn normalise(s: &str, drop_spaces: bool) -> (String, Vec<RepairAction>) {
    // Most lines need nothing: check that first instead of rebuilding them.
    let Some(first) = first_special(s, 0, drop_spaces) else {
        return (s.trim().to_string(), Vec::new());
    };
    let mut width = false;
    let mut control = false;
    let mut mapped = String::with_capacity(s.len());
    // Runs of ordinary characters are copied whole; only the special ones are looked at.
    let mut at = 0;
    let mut next = Some(first);
    while let Some(i) = next {
        mapped.push_str(&s[at..i]);
        let Some(c) = s[i..].chars().next() else {
            break;
        };
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
        at = i + c.len_utf8();
        next = first_special(s, at, drop_spaces);
    }
    mapped.push_str(&s[at..]);
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

/// Does `s` hold no character [`normalise`] changes (so that normalising it only trims it)?
pub fn needs_no_work(s: &str, drop_spaces: bool) -> bool {
    first_special(s, 0, drop_spaces).is_none()
}

/// [`normalise`] of a line that [`needs_no_work`]: trimmed, in place when there is nothing to
/// trim (the same text `normalise` returns, without copying it).
pub fn trimmed(s: String) -> String {
    let t = s.trim();
    if t.len() == s.len() {
        s
    } else {
        t.to_string()
    }
}

/// Is `c` a character [`normalise`] changes or may drop (a space only with `drop_spaces`)?
/// Full-width punctuation (`，`, `！`, `（`) is kept as it is, so it is not special: a line
/// whose only wide characters are punctuation is trimmed, not rebuilt. (The scan reads it
/// from the bytes, [`special_at`]; this is the definition the tests compare it with.)
#[cfg(test)]
fn is_special(c: char, drop_spaces: bool) -> bool {
    c.is_ascii_fullwidth_alnum()
        || matches!(
            c,
            '\u{3000}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}'
        )
        || c.is_control()
        || (drop_spaces && c == ' ')
}

/// UTF-8 bytes that may start a special character ([`is_special`]): ASCII controls, space and
/// DEL, and the lead bytes of U+0080–U+009F (`C2`), U+200B–U+2060 (`E2`), U+3000 (`E3`) and
/// U+FEFF–U+FF5E (`EF`). No other byte starts one, and each of these is a character boundary.
const MAY_START: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b <= 0x20 {
        t[b] = true;
        b += 1;
    }
    t[0x7F] = true;
    t[0xC2] = true;
    t[0xE2] = true;
    t[0xE3] = true;
    t[0xEF] = true;
    t
};

/// Byte offset of the first special character of `s` at or after `from` (a character
/// boundary), by a scan of the characters' lead bytes (stepping over each character by the
/// length its lead byte gives) that looks at the following bytes only at the few lead bytes
/// that may start one ([`special_at`]), without decoding.
fn first_special(s: &str, from: usize, drop_spaces: bool) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        if MAY_START[usize::from(b)] && special_at(bytes, i, drop_spaces) {
            return Some(i);
        }
        // `i` is always a character boundary: `b` is a lead byte.
        i += usize::from(UTF8_LEN[usize::from(b)]);
    }
    None
}

/// Length of the UTF-8 sequence a lead byte starts (1 for ASCII, 2 for `C0`–`DF`, 3 for
/// `E0`–`EF`, 4 above; continuation bytes never lead in a `str`).
const UTF8_LEN: [u8; 256] = {
    let mut t = [1u8; 256];
    let mut b = 0x80;
    while b < 256 {
        t[b] = if b <= 0xDF {
            2
        } else if b <= 0xEF {
            3
        } else {
            4
        };
        b += 1;
    }
    t
};

/// Is the character at byte `i` of `bytes` (a character boundary of a `str`) special
/// ([`is_special`]), read from its UTF-8 bytes: ASCII controls and DEL, the space (with
/// `drop_spaces`), U+0080–U+009F (`C2 80`–`C2 9F`), U+200B–U+200F (`E2 80 8B`–`8F`), U+2060
/// (`E2 81 A0`), U+3000 (`E3 80 80`), U+FEFF (`EF BB BF`) and the full-width digits and
/// letters U+FF10–U+FF19, U+FF21–U+FF3A (`EF BC 90`–`99`, `A1`–`BA`), U+FF41–U+FF5A
/// (`EF BD 81`–`9A`).
fn special_at(bytes: &[u8], i: usize, drop_spaces: bool) -> bool {
    let at = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
    match at(0) {
        b' ' => drop_spaces,
        0x00..=0x1F | 0x7F => true,
        0xC2 => (0x80..=0x9F).contains(&at(1)),
        0xE2 => matches!((at(1), at(2)), (0x80, 0x8B..=0x8F) | (0x81, 0xA0)),
        0xE3 => at(1) == 0x80 && at(2) == 0x80,
        0xEF => matches!(
            (at(1), at(2)),
            (0xBB, 0xBF) | (0xBC, 0x90..=0x99 | 0xA1..=0xBA) | (0xBD, 0x81..=0x9A)
        ),
        _ => false,
    }
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
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    // `at` is where the text not yet copied starts; each run of spaces is kept or dropped
    // by the characters on either side of it.
    let mut at = 0;
    let mut i = 0;
    while let Some(k) = bytes[i..].iter().position(|&b| b == b' ') {
        let start = i + k;
        let mut end = start;
        while end < bytes.len() && bytes[end] == b' ' {
            end += 1;
        }
        let before = s[..start].chars().next_back();
        let after = s[end..].chars().next();
        out.push_str(&s[at..start]);
        if before.is_some_and(is_cjk) && after.is_some_and(is_cjk) {
            changed = true;
        } else {
            out.push(' ');
        }
        at = end;
        i = end;
    }
    out.push_str(&s[at..]);
    (out, changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `first_special` as a scan of every byte, kept as the reference.
    fn first_special_bytes(s: &str, from: usize, drop_spaces: bool) -> Option<usize> {
        let bytes = s.as_bytes();
        let mut i = from;
        while i < bytes.len() {
            let k = bytes[i..].iter().position(|&b| MAY_START[usize::from(b)])?;
            i += k;
            if let Some(c) = s.get(i..).and_then(|t| t.chars().next()) {
                if is_special(c, drop_spaces) {
                    return Some(i);
                }
            }
            i += 1;
        }
        None
    }

    /// `is_special` before full-width punctuation was left out of it.
    fn is_special_old(c: char, drop_spaces: bool) -> bool {
        matches!(c, '\u{FF01}'..='\u{FF5E}' | '\u{3000}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}')
            || c.is_control()
            || (drop_spaces && c == ' ')
    }

    /// The character-by-character version the byte scans replaced, kept as the reference.
    fn normalise_plain(s: &str, drop_spaces: bool) -> (String, Vec<RepairAction>) {
        if !s.chars().any(|c| is_special_old(c, drop_spaces)) {
            return (s.trim().to_string(), Vec::new());
        }
        let (mut width, mut control) = (false, false);
        let mut mapped = String::new();
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
            let chars: Vec<char> = mapped.trim().chars().collect();
            let mut out = String::new();
            let mut changed = false;
            let mut i = 0;
            while i < chars.len() {
                if chars[i] == ' ' {
                    let start = i;
                    while i < chars.len() && chars[i] == ' ' {
                        i += 1;
                    }
                    let before = start.checked_sub(1).map(|j| chars[j]);
                    if before.is_some_and(is_cjk) && chars.get(i).copied().is_some_and(is_cjk) {
                        changed = true;
                    } else {
                        out.push(' ');
                    }
                    continue;
                }
                out.push(chars[i]);
                i += 1;
            }
            (out, changed)
        } else {
            (mapped.trim().to_string(), false)
        };
        let mut changes = Vec::new();
        for (on, a) in [
            (width, RepairAction::WidthNormalised),
            (control, RepairAction::ControlRemoved),
            (spaces, RepairAction::SpacesRemoved),
        ] {
            if on {
                changes.push(a);
            }
        }
        (out, changes)
    }

    proptest::proptest! {
        #[test]
        fn byte_scans_equal_the_character_loop(
            cs in proptest::collection::vec(proptest::sample::select(vec![
                ' ', ' ', '\t', '\n', '\u{7}', '\u{7F}', '\u{85}', '\u{9F}', '\u{A0}', '\u{C2}',
                '\u{200A}', '\u{200B}', '\u{200F}', '\u{2010}', '\u{2060}', '\u{2061}',
                '\u{3000}', '\u{3001}', '\u{FEFF}', '\u{FF00}', '\u{FF01}', '\u{FF10}',
                '\u{FF21}', '\u{FF41}', '\u{FF5E}', '\u{FF5F}', '党', '建', '，', 'a', 'Z', '1',
                'é', '\u{1F600}', '\u{20000}',
            ]), 0..40),
            drop in proptest::bool::ANY,
        ) {
            let s: String = cs.into_iter().collect();
            proptest::prop_assert_eq!(normalise(&s, drop), normalise_plain(&s, drop));
            for (i, _) in s.char_indices() {
                proptest::prop_assert_eq!(
                    first_special(&s, i, drop),
                    first_special_bytes(&s, i, drop)
                );
            }
        }
    }

    #[test]
    fn lines_needing_no_work_are_only_trimmed() {
        for s in [
            "  党建 引领。 ",
            "党建引领。",
            "",
            " ",
            "２０２１年",
            "a\u{200B}b",
            "“好！”（注）",
        ] {
            for drop in [false, true] {
                if needs_no_work(s, drop) {
                    assert_eq!(
                        normalise(s, drop),
                        (trimmed(s.to_string()), Vec::new()),
                        "{s:?}"
                    );
                }
            }
        }
        assert!(needs_no_work("“好！”（注）", true));
        assert!(!needs_no_work("党建 引领", true));
        assert!(needs_no_work("党建 引领", false));
    }

    #[test]
    fn special_bytes_equal_the_decoded_test() {
        // Over all of Unicode, alone and between other characters: reading the bytes gives
        // `is_special` of the decoded character, and the scan finds what the decoding one did.
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let mut buf = [0u8; 4];
            let one = c.encode_utf8(&mut buf).as_bytes();
            for drop in [false, true] {
                assert_eq!(special_at(one, 0, drop), is_special(c, drop), "{c:?}");
            }
        }
        for c in (0..=0x10FFFF).step_by(7).filter_map(char::from_u32) {
            let s = format!("党a{c}，\u{3000}");
            for drop in [false, true] {
                for (i, _) in s.char_indices() {
                    assert_eq!(
                        first_special(&s, i, drop),
                        first_special_bytes(&s, i, drop),
                        "{c:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_special_character_starts_with_a_may_start_byte() {
        // Over all of Unicode: the byte table lets every special character through, and the
        // characters left out of `is_special` are exactly those the rebuild copies unchanged.
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let mut buf = [0u8; 4];
            let lead = c.encode_utf8(&mut buf).as_bytes()[0];
            for drop in [false, true] {
                if is_special(c, drop) {
                    assert!(MAY_START[usize::from(lead)], "{c:?}");
                }
                if is_special_old(c, drop) && !is_special(c, drop) {
                    let s = format!("a{c}b");
                    assert_eq!(normalise_plain(&s, drop), (s.clone(), Vec::new()), "{c:?}");
                }
            }
        }
    }

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
