//! Dates from a small grammar: `2021年`, `2021年11月`, `2021年11月24日`, `11月24日`,
//! in digits or Chinese numerals.

use crate::record::EntityType;
use crate::stages::tag::charset::CharList;
use crate::stages::tag::rules::Mention;

/// Every character [`number_at`] reads: the digits of [`digit`] and `十`.
const NUMERALS: CharList = CharList::new(&[
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '０', '１', '２', '３', '４', '５', '６',
    '７', '８', '９', '〇', '零', 'О', '一', '二', '两', '三', '四', '五', '六', '七', '八', '九',
    '十',
]);

/// The value of a digit (ASCII, full-width or Chinese).
fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(u32::from(c) - u32::from('０')),
        '〇' | '零' | 'О' => Some(0),
        '一' => Some(1),
        '二' | '两' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        '七' => Some(7),
        '八' => Some(8),
        '九' => Some(9),
        _ => None,
    }
}

/// The value and length of a number (ASCII, full-width or Chinese numerals) at `i`.
fn number_at(chars: &[char], i: usize, max_len: usize) -> Option<(u32, usize)> {
    let mut j = i;
    let mut value = 0u32;
    let mut seen_ten = false;
    while j < chars.len() && j - i < max_len {
        let c = chars[j];
        if c == '十' && !seen_ten {
            value = if j == i { 10 } else { value * 10 };
            seen_ten = true;
        } else if let Some(d) = digit(c) {
            value = if seen_ten { value + d } else { value * 10 + d };
        } else {
            break;
        }
        j += 1;
    }
    (j > i).then_some((value, j - i))
}

/// A number of `len` characters in `range` followed by one of `units`, at `i`: its end.
fn unit_at(
    chars: &[char],
    i: usize,
    len: std::ops::RangeInclusive<usize>,
    range: std::ops::RangeInclusive<u32>,
    units: &[char],
) -> Option<usize> {
    let (v, n) = number_at(chars, i, *len.end())?;
    let u = chars.get(i + n)?;
    (len.contains(&n) && range.contains(&v) && units.contains(u)).then_some(i + n + 1)
}

/// Dates: `2021年`, `2021年11月`, `2021年11月24日`, `11月24日` (digits or Chinese numerals).
pub fn dates(chars: &[char]) -> Vec<Mention> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        // Every date starts with a number (most characters are not one).
        if !NUMERALS.contains(chars[i]) {
            i += 1;
            continue;
        }
        let after_number = i > 0 && NUMERALS.contains(chars[i - 1]);
        if after_number {
            i += 1;
            continue;
        }
        let mut j = i;
        let year = unit_at(chars, j, 4..=4, 0..=9999, &['年']);
        if let Some(e) = year {
            j = e;
        }
        let month = unit_at(chars, j, 1..=2, 1..=12, &['月']);
        if let Some(e) = month {
            j = e;
        }
        let day = month.and_then(|_| unit_at(chars, j, 1..=3, 1..=31, &['日', '号']));
        if let Some(e) = day {
            j = e;
        }
        if year.is_some() || day.is_some() {
            out.push(Mention {
                start: i,
                end: j,
                kind: EntityType::Date,
            });
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The filter admits exactly the characters a number may start with.
    #[test]
    fn numerals_are_what_number_at_reads() {
        for c in ('\0'..='\u{ffff}').chain(['\u{10000}']) {
            assert_eq!(
                NUMERALS.contains(c),
                number_at(&[c], 0, 1).is_some(),
                "{c:?}"
            );
        }
    }

    #[test]
    fn date_grammar_accepts_years_and_month_days() {
        let c: Vec<char> =
            "2021年11月24日，11月24日上午；二〇二一年；十一月二十四日；12021年；5月；第3号"
                .chars()
                .collect();
        let got: Vec<String> = dates(&c).iter().map(|m| m.text(&c)).collect();
        assert_eq!(
            got,
            vec!["2021年11月24日", "11月24日", "二〇二一年", "十一月二十四日"]
        );
    }
}
