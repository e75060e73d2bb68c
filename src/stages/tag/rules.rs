//! Rules on top of the learned tagger, for what a model trained on MSRA cannot know about
//! this newspaper: dates from a small grammar, byline names, and long organisation names
//! built from a place plus suffixes (`召陵区财政局`, `大邓陶村党支部`).

use crate::record::EntityType;
use crate::stages::tag::Token;

/// An entity occurrence inside one block, in character offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// What it is.
    pub kind: EntityType,
}

impl Mention {
    /// Do the two mentions share a character?
    pub fn overlaps(&self, o: &Mention) -> bool {
        self.start < o.end && o.start < self.end
    }
}

/// Whole jieba words that make whatever place or organisation precedes them an organisation.
const ORG_WORDS: &[&str] = &[
    "委员会",
    "党委",
    "党工委",
    "党组",
    "党支部",
    "支部",
    "党总支",
    "总支",
    "政府",
    "人民政府",
    "集团",
    "公司",
    "有限公司",
    "煤业",
    "矿业",
    "办事处",
    "医院",
    "卫生院",
    "学校",
    "小学",
    "中学",
    "大学",
    "学院",
    "协会",
    "学会",
    "银行",
    "法院",
    "人民法院",
    "检察院",
    "人民检察院",
    "派出所",
    "公安局",
    "村委会",
    "居委会",
    "村委",
    "社区党委",
    "纪委",
    "监委",
    "妇联",
    "团委",
    "工会",
    "大队",
    "支队",
    "中队",
    "管委会",
    "研究院",
    "研究所",
    "博物馆",
    "图书馆",
    "电视台",
    "报社",
    "合作社",
    "联社",
    "分局",
    "总局",
    "厅",
    "局",
    "委",
    "办",
    "站",
    "所",
    "处",
];

/// Characters that end a one-word organisation name such as `财政局` or `卫健委`.
const ORG_END_CHARS: &[char] = &[
    '局', '委', '厅', '办', '院', '所', '部', '会', '队', '司', '处',
];

/// Is the jieba word an organisation suffix (`财政局`, `党支部`, `集团`)?
fn is_org_word(t: &Token) -> bool {
    if ORG_WORDS.contains(&t.word.as_str()) {
        return true;
    }
    let n = t.word.chars().count();
    (2..=4).contains(&n)
        && t.pos.starts_with('n')
        && t.word
            .chars()
            .last()
            .is_some_and(|c| ORG_END_CHARS.contains(&c))
}

/// Character ranges of the block's tokens.
pub fn token_ranges(tokens: &[Token]) -> Vec<(usize, usize)> {
    let mut at = 0;
    tokens
        .iter()
        .map(|t| {
            let n = t.word.chars().count();
            at += n;
            (at - n, at)
        })
        .collect()
}

/// Extends each place or organisation with the suffix words (and places) that follow it, when
/// that ends in an organisation suffix: `召陵区`+`财政局`, `陕煤集团`+`黄陵`+`矿业`+`双龙`+`煤业`.
pub fn merge_organisations(tokens: &[Token], mentions: &mut Vec<Mention>) {
    let ranges = token_ranges(tokens);
    let token_at = |pos: usize| ranges.iter().position(|r| r.0 == pos);
    mentions.sort_by_key(|m| m.start);
    let mut out: Vec<Mention> = Vec::with_capacity(mentions.len());
    let mut i = 0;
    while i < mentions.len() {
        let m = mentions[i];
        i += 1;
        if m.kind != EntityType::Place && m.kind != EntityType::Organization {
            out.push(m);
            continue;
        }
        // Tentatively extend; commit only if the run ends in an organisation suffix.
        let (mut end, mut committed_end, mut committed_i) = (m.end, m.end, i);
        let mut next_i = i;
        loop {
            if let Some(n) = mentions.get(next_i).filter(|n| n.start == end) {
                if n.kind == EntityType::Place || n.kind == EntityType::Organization {
                    end = n.end;
                    next_i += 1;
                    if n.kind == EntityType::Organization {
                        committed_end = end;
                        committed_i = next_i;
                    }
                    continue;
                }
                break;
            }
            let Some(j) = token_at(end) else { break };
            if is_org_word(&tokens[j]) {
                end = ranges[j].1;
                committed_end = end;
                committed_i = next_i;
                continue;
            }
            let modifier = tokens[j].word.chars().count() <= 3
                && (tokens[j].pos.starts_with('n') || tokens[j].pos == "j");
            match tokens.get(j + 1) {
                Some(s) if modifier && is_org_word(s) => {
                    end = ranges[j + 1].1;
                    committed_end = end;
                    committed_i = next_i;
                }
                _ => break,
            }
        }
        if committed_end > m.end {
            out.push(Mention {
                start: m.start,
                end: committed_end,
                kind: EntityType::Organization,
            });
            i = committed_i;
        } else {
            out.push(m);
        }
    }
    *mentions = out;
}

/// The value and length of a number (ASCII, full-width or Chinese numerals) at `i`.
fn number_at(chars: &[char], i: usize, max_len: usize) -> Option<(u32, usize)> {
    let digit = |c: char| -> Option<u32> {
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
    };
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
        let after_number = i > 0 && number_at(chars, i - 1, 1).is_some();
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

/// Role words before a name in a byline.
const ROLES: &[&str] = &[
    "本报记者",
    "特约记者",
    "见习记者",
    "全媒体记者",
    "融媒体记者",
    "实习记者",
    "记者",
    "通讯员",
    "实习生",
    "特约通讯员",
    "摄影",
    "文/图",
    "文",
    "图",
];

/// Is `s` shaped like a Chinese name (2–4 CJK ideographs)?
fn name_like(s: &[char]) -> bool {
    (2..=4).contains(&s.len()) && s.iter().all(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
}

/// Names in a byline-shaped span `chars[start..end]`: pieces split on spaces and `、，,`,
/// role words stripped.
fn names_in(chars: &[char], start: usize, end: usize, out: &mut Vec<Mention>) {
    let mut k = start;
    while k < end {
        let sep = |c: char| c.is_whitespace() || matches!(c, '、' | '，' | ',' | '/' | '：' | ':');
        while k < end && sep(chars[k]) {
            k += 1;
        }
        let piece_start = k;
        while k < end && !sep(chars[k]) {
            k += 1;
        }
        let mut s = piece_start;
        // Strip a leading role (`记者王洋`) — longest role first.
        let piece: String = chars[piece_start..k].iter().collect();
        if let Some(r) = ROLES.iter().find(|r| piece.starts_with(*r)) {
            s += r.chars().count();
        }
        if name_like(&chars[s..k]) {
            out.push(Mention {
                start: s,
                end: k,
                kind: EntityType::Person,
            });
        }
    }
}

/// Persons from bylines and datelines inside a block: `本报讯(韦青松)`, `(记者 王洋 通讯员
/// 李四)`, and a block that is only a list of names (`应旭初 高远 任晓静`), the latter
/// accepted when the model or jieba already sees one of the names as a person.
pub fn byline_persons(chars: &[char], tokens: &[Token], model: &[Mention]) -> Vec<Mention> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '(' || chars[i] == '（' {
            let close = chars[i + 1..]
                .iter()
                .take(40)
                .position(|&c| c == ')' || c == '）')
                .map(|p| i + 1 + p);
            if let Some(close) = close {
                let before: String = chars[i.saturating_sub(3)..i].iter().collect();
                let inside: String = chars[i + 1..close].iter().collect();
                let dateline = before.ends_with('讯') || before.ends_with('电');
                if dateline || ROLES[..10].iter().any(|r| inside.starts_with(r)) {
                    names_in(chars, i + 1, close, &mut out);
                }
                i = close + 1;
                continue;
            }
        }
        i += 1;
    }
    let pieces: Vec<&[char]> = chars
        .split(|c| c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    if chars.len() <= 30 && pieces.len() >= 2 && pieces.iter().all(|p| name_like(p)) {
        let known = model.iter().any(|m| m.kind == EntityType::Person)
            || tokens.iter().any(|t| t.pos.starts_with("nr"));
        if known {
            names_in(chars, 0, chars.len(), &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::tag::Zone;

    fn toks(pairs: &[(&str, &str)]) -> Vec<Token> {
        pairs
            .iter()
            .map(|(w, p)| Token {
                word: (*w).into(),
                pos: (*p).into(),
                zone: Zone::Body,
            })
            .collect()
    }

    fn text(chars: &[char], m: &Mention) -> String {
        chars[m.start..m.end].iter().collect()
    }

    #[test]
    fn date_grammar_accepts_years_and_month_days() {
        let c: Vec<char> =
            "2021年11月24日，11月24日上午；二〇二一年；十一月二十四日；12021年；5月；第3号"
                .chars()
                .collect();
        let got: Vec<String> = dates(&c).iter().map(|m| text(&c, m)).collect();
        assert_eq!(
            got,
            vec!["2021年11月24日", "11月24日", "二〇二一年", "十一月二十四日"]
        );
    }

    #[test]
    fn place_and_suffix_become_one_organisation() {
        let t = toks(&[("召陵区", "ns"), ("财政局", "n"), ("开展", "v")]);
        let mut m = vec![Mention {
            start: 0,
            end: 3,
            kind: EntityType::Place,
        }];
        merge_organisations(&t, &mut m);
        assert_eq!(
            m,
            vec![Mention {
                start: 0,
                end: 6,
                kind: EntityType::Organization
            }]
        );
    }

    #[test]
    fn chains_of_places_and_suffixes_merge_but_bare_places_do_not() {
        let t = toks(&[
            ("陕煤", "j"),
            ("集团", "n"),
            ("黄陵", "ns"),
            ("矿业", "n"),
            ("双龙", "nz"),
            ("煤业", "n"),
            ("开展", "v"),
            ("江西省", "ns"),
            ("吉安市", "ns"),
            ("永丰县", "ns"),
        ]);
        let mut m = vec![
            Mention {
                start: 0,
                end: 4,
                kind: EntityType::Organization,
            },
            Mention {
                start: 4,
                end: 6,
                kind: EntityType::Place,
            },
            Mention {
                start: 14,
                end: 17,
                kind: EntityType::Place,
            },
            Mention {
                start: 17,
                end: 20,
                kind: EntityType::Place,
            },
        ];
        merge_organisations(&t, &mut m);
        assert_eq!(
            m[0],
            Mention {
                start: 0,
                end: 12,
                kind: EntityType::Organization
            }
        );
        assert_eq!(m.len(), 3, "{m:?}");
        assert!(m[1..].iter().all(|x| x.kind == EntityType::Place));
    }

    #[test]
    fn village_party_branch_merges() {
        let t = toks(&[("大邓陶村", "ns"), ("党支部", "n"), ("书记", "n")]);
        let mut m = vec![Mention {
            start: 0,
            end: 4,
            kind: EntityType::Place,
        }];
        merge_organisations(&t, &mut m);
        assert_eq!(m[0].end, 7);
        assert_eq!(m[0].kind, EntityType::Organization);
    }

    #[test]
    fn dateline_and_reporter_bylines_give_persons() {
        let c: Vec<char> = "本报讯(韦青松)近日，（记者 王洋 通讯员 李小四）报道。（图为现场）"
            .chars()
            .collect();
        let got: Vec<String> = byline_persons(&c, &[], &[])
            .iter()
            .map(|m| text(&c, m))
            .collect();
        assert_eq!(got, vec!["韦青松", "王洋", "李小四"]);
    }

    #[test]
    fn a_line_of_names_is_a_byline_only_with_evidence() {
        let c: Vec<char> = "应旭初 高远 任晓静".chars().collect();
        let t = toks(&[
            ("应旭初", "nr"),
            (" ", "x"),
            ("高远", "a"),
            (" ", "x"),
            ("任晓静", "nr"),
        ]);
        let got: Vec<String> = byline_persons(&c, &t, &[])
            .iter()
            .map(|m| text(&c, m))
            .collect();
        assert_eq!(got, vec!["应旭初", "高远", "任晓静"]);
        let h: Vec<char> = "强基础 促发展".chars().collect();
        let t = toks(&[
            ("强", "a"),
            ("基础", "n"),
            (" ", "x"),
            ("促", "v"),
            ("发展", "vn"),
        ]);
        assert!(byline_persons(&h, &t, &[]).is_empty());
    }
}
