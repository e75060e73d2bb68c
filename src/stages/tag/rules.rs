//! Rules on top of the learned tagger for what a model trained on MSRA cannot know about this
//! newspaper: long organisation names built from a place plus suffixes (`召陵区财政局`,
//! `大邓陶村党支部`), administrative units jieba splits apart, and the shared [`Mention`].
//! Dates are in [`super::dates`], byline and role names in [`super::persons`].

use crate::record::EntityType;
use crate::stages::tag::charset::CharList;
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
    /// The mention's text in `chars` (for the rule modules' unit tests).
    #[cfg(test)]
    pub(crate) fn text(&self, chars: &[char]) -> String {
        chars[self.start..self.end].iter().collect()
    }

    /// Do the two mentions share a character?
    pub fn overlaps(&self, o: &Mention) -> bool {
        self.start < o.end && o.start < self.end
    }
}

/// Whole jieba words that make whatever place or organisation precedes them an organisation,
/// sorted (byte order) for binary search.
const ORG_WORDS: &[&str] = &[
    "中学",
    "中队",
    "人民政府",
    "人民检察院",
    "人民法院",
    "党委",
    "党工委",
    "党总支",
    "党支部",
    "党组",
    "公司",
    "公安局",
    "分局",
    "办",
    "办事处",
    "医院",
    "协会",
    "博物馆",
    "卫生院",
    "厅",
    "合作社",
    "团委",
    "图书馆",
    "处",
    "大学",
    "大队",
    "妇联",
    "委",
    "委员会",
    "学会",
    "学校",
    "学院",
    "小学",
    "局",
    "居委会",
    "工会",
    "总局",
    "总支",
    "所",
    "报社",
    "支部",
    "支队",
    "政府",
    "有限公司",
    "村委",
    "村委会",
    "检察院",
    "法院",
    "派出所",
    "煤业",
    "电视台",
    "监委",
    "矿业",
    "研究所",
    "研究院",
    "社区党委",
    "站",
    "管委会",
    "纪委",
    "联社",
    "银行",
    "集团",
];

/// Characters that end a one-word organisation name such as `财政局` or `卫健委`.
const ORG_END_CHARS: &[char] = &[
    '局', '委', '厅', '办', '院', '所', '部', '会', '队', '司', '处',
];

/// Last characters of the [`ORG_WORDS`] and [`ORG_END_CHARS`]: a word ending otherwise is no
/// organisation suffix, which settles most words with one bit test.
const ORG_LAST_CHARS: CharList = CharList::new(&[
    '局', '委', '厅', '办', '院', '所', '部', '会', '队', '司', '处', '组', '支', '府', '团', '业',
    '校', '学', '行', '联', '馆', '台', '社', '站',
]);

/// Is the jieba word an organisation suffix (`财政局`, `党支部`, `集团`)?
fn is_org_word(t: &Token) -> bool {
    if !t
        .word
        .chars()
        .next_back()
        .is_some_and(|c| ORG_LAST_CHARS.contains(c))
    {
        return false;
    }
    if ORG_WORDS.binary_search(&t.word.as_str()).is_ok() {
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
///
/// `ranges` are the tokens' character ranges ([`token_ranges`]).
pub fn merge_organisations(
    tokens: &[Token],
    ranges: &[(usize, usize)],
    mentions: &mut Vec<Mention>,
) {
    // The first token starting at `pos` (starts are sorted).
    let token_at = |pos: usize| {
        let j = ranges.partition_point(|r| r.0 < pos);
        ranges.get(j).is_some_and(|r| r.0 == pos).then_some(j)
    };
    mentions.sort_by_key(|m| m.start);
    let mut out: Vec<Mention> = Vec::with_capacity(mentions.len());
    let mut i = 0;
    while i < mentions.len() {
        let m = mentions[i];
        i += 1;
        let next_is_place = mentions
            .get(i)
            .is_some_and(|n| n.start == m.end && n.kind == EntityType::Place);
        // Only the last of a run of places takes the suffix: `漯河市` `召陵区财政局`.
        let chainable =
            m.kind == EntityType::Organization || (m.kind == EntityType::Place && !next_is_place);
        if !chainable {
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
            let Some((j, t)) = token_at(end).and_then(|j| Some((j, tokens.get(j)?))) else {
                break;
            };
            if is_org_word(t) {
                end = ranges[j].1;
                committed_end = end;
                committed_i = next_i;
                continue;
            }
            let modifier = t.word.chars().count() <= 3 && (t.pos.starts_with('n') || t.pos == "j");
            match (tokens.get(j + 1), ranges.get(j + 1)) {
                (Some(s), Some(r)) if modifier && is_org_word(s) => {
                    end = r.1;
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

/// Characters that end the name of an administrative unit (`召陵区`, `大邓陶村`).
pub const ADMIN_END: &[char] = &['省', '市', '县', '区', '镇', '乡', '村', '旗'];
const ADMIN_END_SET: CharList = CharList::new(ADMIN_END);

/// Administrative units jieba splits and the model misses, found from the organisation word
/// after them: in `漯河市召陵区财政局`, the 2–4 characters between the place `漯河市` (or a
/// block start or punctuation) and `财政局` that end in `区` become the place `召陵区`.
///
/// `ranges` are the tokens' character ranges ([`token_ranges`]).
pub fn admin_units(
    chars: &[char],
    tokens: &[Token],
    ranges: &[(usize, usize)],
    mentions: &[Mention],
) -> Vec<Mention> {
    let covered = |k: usize| mentions.iter().any(|m| m.start <= k && k < m.end);
    let mut out = Vec::new();
    for (j, &(s, _)) in ranges.iter().enumerate().take(tokens.len()) {
        // The cheapest test first (all are pure): a unit's last character before the word.
        if s == 0 || !chars.get(s - 1).is_some_and(|&c| ADMIN_END_SET.contains(c)) {
            continue;
        }
        if !is_org_word(&tokens[j]) || covered(s - 1) {
            continue;
        }
        let mut start = s - 1;
        while start > 0
            && s - start < 5
            && !covered(start - 1)
            && ('\u{4e00}'..='\u{9fff}').contains(&chars[start - 1])
        {
            start -= 1;
        }
        let bounded = start == 0
            || covered(start - 1)
            || !('\u{4e00}'..='\u{9fff}').contains(&chars[start - 1]);
        if bounded && (2..=4).contains(&(s - start)) {
            out.push(Mention {
                start,
                end: s,
                kind: EntityType::Place,
            });
        }
    }
    out
}

/// The place an organisation name starts with (`大邓陶村` in `大邓陶村党支部`), if its
/// suffix is a known organisation word and the rest ends like an administrative unit.
pub fn place_in_organisation(name: &str) -> Option<&str> {
    let suffix = ORG_WORDS
        .iter()
        .filter(|w| name.ends_with(*w) && w.chars().count() >= 2)
        .max_by_key(|w| w.len())?;
    let rest = &name[..name.len() - suffix.len()];
    (rest.chars().count() >= 2
        && (rest.ends_with(ADMIN_END) || rest.ends_with("街道") || rest.ends_with("社区")))
    .then_some(rest)
}

/// Shrinks a mention past punctuation at either end (`胶南街道·` → `胶南街道`).
pub fn trim(chars: &[char], m: &mut Mention) {
    let word = |c: &char| c.is_alphanumeric();
    while m.start < m.end && !chars.get(m.start).is_some_and(word) {
        m.start += 1;
    }
    while m.end > m.start && !chars.get(m.end - 1).is_some_and(word) {
        m.end -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::stages::tag::test_tokens as toks;

    #[test]
    fn place_and_suffix_become_one_organisation() {
        let t = toks(&[("召陵区", "ns"), ("财政局", "n"), ("开展", "v")]);
        let mut m = vec![Mention {
            start: 0,
            end: 3,
            kind: EntityType::Place,
        }];
        merge_organisations(&t, &token_ranges(&t), &mut m);
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
        merge_organisations(&t, &token_ranges(&t), &mut m);
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
    fn a_missed_district_before_a_bureau_is_recovered() {
        let t = toks(&[
            ("河南省", "ns"),
            ("漯河市", "ns"),
            ("召", "v"),
            ("陵区", "n"),
            ("财政局", "nt"),
            ("党建", "j"),
        ]);
        let c: Vec<char> = t.iter().flat_map(|x| x.word.chars()).collect();
        let mut m = vec![
            Mention {
                start: 0,
                end: 3,
                kind: EntityType::Place,
            },
            Mention {
                start: 3,
                end: 6,
                kind: EntityType::Place,
            },
        ];
        let units = admin_units(&c, &t, &token_ranges(&t), &m);
        assert_eq!(
            units,
            vec![Mention {
                start: 6,
                end: 9,
                kind: EntityType::Place
            }]
        );
        m.extend(units);
        merge_organisations(&t, &token_ranges(&t), &mut m);
        let got: Vec<(String, EntityType)> = m.iter().map(|x| (x.text(&c), x.kind)).collect();
        assert_eq!(
            got,
            vec![
                ("河南省".into(), EntityType::Place),
                ("漯河市".into(), EntityType::Place),
                ("召陵区财政局".into(), EntityType::Organization),
            ]
        );
    }

    #[test]
    fn organisation_names_yield_their_place_and_trim_drops_punctuation() {
        assert_eq!(place_in_organisation("大邓陶村党支部"), Some("大邓陶村"));
        assert_eq!(place_in_organisation("召陵区财政局"), None);
        assert_eq!(place_in_organisation("红色联盟"), None);
        let c: Vec<char> = "“胶南街道·”".chars().collect();
        let mut m = Mention {
            start: 0,
            end: c.len(),
            kind: EntityType::Place,
        };
        trim(&c, &mut m);
        assert_eq!(m.text(&c), "胶南街道");
    }

    #[test]
    fn organisation_words_are_sorted_for_binary_search() {
        assert!(ORG_WORDS.windows(2).all(|w| w[0] < w[1]));
        for w in ORG_WORDS {
            let t = crate::stages::tag::test_tokens(&[(*w, "x")]);
            assert!(is_org_word(&t[0]), "{w}");
        }
    }

    #[test]
    fn every_organisation_suffix_passes_the_last_character_filter() {
        let ends = ORG_WORDS
            .iter()
            .filter_map(|w| w.chars().next_back())
            .chain(ORG_END_CHARS.iter().copied());
        for c in ends {
            assert!(ORG_LAST_CHARS.contains(c), "{c}");
        }
    }

    #[test]
    fn village_party_branch_merges() {
        let t = toks(&[("大邓陶村", "ns"), ("党支部", "n"), ("书记", "n")]);
        let mut m = vec![Mention {
            start: 0,
            end: 4,
            kind: EntityType::Place,
        }];
        merge_organisations(&t, &token_ranges(&t), &mut m);
        assert_eq!(m[0].end, 7);
        assert_eq!(m[0].kind, EntityType::Organization);
    }
}
