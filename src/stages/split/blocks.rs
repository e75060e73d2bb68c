//! Lines → paragraphs: blank lines separate paragraphs, every other line break ends one too,
//! except inside a hard-wrapped paragraph, which is unwrapped.
//!
//! A dump is hard-wrapped when many of its long lines share one display width (a CJK
//! character counts 2, ASCII 1): a line that fills that width continues on the next line.

use super::lexical::FxMap;

/// One paragraph of the dump, in dump order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Para {
    /// The paragraph's text, trimmed, wrapped lines joined.
    pub text: String,
    /// Blank lines before it (0 for the first line of a dump without leading blanks).
    pub gap: usize,
    /// How many wrapped lines were joined into it (0 when it was a single line).
    pub unwrapped: usize,
}

/// Display width of a line: wide (CJK, full-width) characters count 2, others 1.
pub fn display_width(s: &str) -> usize {
    // By bytes: ASCII is 1 wide and U+3000–U+9FFF (lead bytes E3–E9: CJK punctuation, kana,
    // ideographs) 2 wide without decoding; only other characters are decoded and looked up.
    let bytes = s.as_bytes();
    let (mut w, mut i) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            w += 1;
            i += 1;
        } else if (0xE3..=0xE9).contains(&b) {
            w += 2;
            i += 3;
        } else if let (0xEF, Some(&[b1, b2])) = (b, bytes.get(i + 1..i + 3)) {
            // U+F000–U+FFFF (full-width punctuation `，：（）`), decoded from its three bytes.
            let cp = 0xF000 | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F);
            w += if char::from_u32(cp).is_some_and(is_wide) {
                2
            } else {
                1
            };
            i += 3;
        } else if let Some(c) = s.get(i..).and_then(|t| t.chars().next()) {
            w += if is_wide(c) { 2 } else { 1 };
            i += c.len_utf8();
        } else {
            i += 1;
        }
    }
    w
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// The wrap width of a hard-wrapped dump, if its long lines share one width.
fn wrap_width(widths: &[usize]) -> Option<usize> {
    // The most frequent width wins, ties to the wider: the map's order does not matter.
    let mut counts: FxMap<usize, usize> = FxMap::default();
    let mut long = 0usize;
    for &w in widths {
        if w >= 20 {
            long += 1;
            *counts.entry(w).or_default() += 1;
        }
    }
    let (&best, _) = counts.iter().max_by_key(|(w, n)| (**n, **w))?;
    // Lines ending in a two-column character may fall one short of the width.
    let near = counts.get(&best).copied().unwrap_or(0)
        + counts.get(&(best + 1)).copied().unwrap_or(0)
        + counts.get(&(best.saturating_sub(1))).copied().unwrap_or(0);
    let width = if counts.get(&(best + 1)).copied().unwrap_or(0) * 2 > near {
        best + 1
    } else {
        best
    };
    (near >= 5 && near * 10 >= long * 3).then_some(width)
}

/// Splits decoded dump text into paragraphs.
pub fn paragraphs(text: &str) -> Vec<Para> {
    let raw: Vec<&str> = text.lines().collect();
    let lines: Vec<&str> = raw.iter().map(|l| l.trim()).collect();
    let widths: Vec<usize> = lines.iter().map(|l| display_width(l)).collect();
    let wrap = wrap_width(&widths);
    let mut out: Vec<Para> = Vec::new();
    let mut gap = 0usize;
    let mut open: Option<Para> = None;
    for (n, (line, width)) in lines.into_iter().zip(widths).enumerate() {
        if line.is_empty() {
            if let Some(p) = open.take() {
                out.push(p);
            }
            gap += 1;
            continue;
        }
        let continues = open.is_some();
        match open.as_mut() {
            Some(p) if continues => {
                // A space the wrap fell on (`…屏蔽|␠黄章：已跟进`) stays one space.
                let space = raw[n - 1]
                    .chars()
                    .next_back()
                    .filter(|c| c.is_whitespace())
                    .or_else(|| raw[n].chars().next().filter(|c| c.is_whitespace()));
                if let Some(c) = space {
                    p.text.push(c);
                }
                p.text.push_str(line);
                p.unwrapped += 1;
            }
            _ => {
                open = Some(Para {
                    text: line.to_string(),
                    gap,
                    unwrapped: 0,
                });
            }
        }
        gap = 0;
        // A line that fills the wrap width continues on the next line; any other ends here.
        let full = wrap.is_some_and(|w| width + 2 >= w);
        if !full {
            if let Some(p) = open.take() {
                out.push(p);
            }
        }
    }
    if let Some(p) = open.take() {
        out.push(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_and_line_breaks_both_end_paragraphs() {
        let ps = paragraphs("标题\n正文一。\n\n\n正文二。\n");
        let texts: Vec<_> = ps.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, vec!["标题", "正文一。", "正文二。"]);
        assert_eq!(ps[2].gap, 2);
    }

    #[test]
    fn hard_wrapped_paragraphs_are_unwrapped() {
        let line = "一二三四五六七八九十一二三四五";
        let mut text = String::new();
        for i in 0..4 {
            text.push_str(&format!("{line}\n{line}\n末尾{i}。\n\n"));
        }
        let ps = paragraphs(&text);
        assert_eq!(ps.len(), 4);
        assert_eq!(ps[0].text, format!("{line}{line}末尾0。"));
        assert_eq!(ps[0].unwrapped, 2);
    }

    #[test]
    fn byte_widths_equal_the_character_widths() {
        let all = "abc 党建，（）「」\u{1100}\u{115F}\u{1160}\u{2E7F}\u{2E80}\u{A4CF}\u{A4D0}\u{AC00}\u{D7A3}\u{D7A4}\u{F8FF}\u{F900}\u{FAFF}\u{FE2F}\u{FE30}\u{FE4F}\u{FE50}\u{FF00}\u{FF60}\u{FF61}\u{FFE0}\u{FFE6}\u{FFE7}\u{1F600}\u{20000}\u{3FFFD}\u{3FFFE}é—“”…\u{3000}\u{9FFF}";
        let chars: Vec<char> = all.chars().collect();
        for i in 0..chars.len() {
            for j in i..=chars.len() {
                let s: String = chars[i..j].iter().collect();
                let plain: usize = s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum();
                assert_eq!(display_width(&s), plain, "{s}");
            }
        }
    }

    #[test]
    fn a_space_at_a_wrap_is_kept() {
        let line = "一二三四五六七八九十一二三四五";
        let mut text = String::new();
        for _ in 0..4 {
            text.push_str(&format!("{line}\n{line}\n末尾。\n\n"));
        }
        text.push_str(&format!("{line}\n 黄章：已跟进\n"));
        let ps = paragraphs(&text);
        assert_eq!(ps[4].text, format!("{line} 黄章：已跟进"));
        assert_eq!(ps[0].text, format!("{line}{line}末尾。"));
    }

    #[test]
    fn unwrapped_text_is_not_joined() {
        let ps = paragraphs("短的一行\n另一行也不长。\n第三行。");
        assert_eq!(ps.len(), 3);
    }
}
