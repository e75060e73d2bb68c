//! Persons the model cannot know: byline and dateline names, names run together by the
//! cleaner, and names after a role word that jieba splits apart.

use crate::record::EntityType;
use crate::stages::tag::charset::CharList;
use crate::stages::tag::rules::{token_ranges, Mention};
use crate::stages::tag::Token;

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
    // A block of names is short: longer blocks need no splitting.
    if chars.len() > 30 {
        return out;
    }
    let pieces: Vec<&[char]> = chars
        .split(|c| c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    if pieces.len() >= 2 && pieces.iter().all(|p| name_like(p)) {
        let known = model.iter().any(|m| m.kind == EntityType::Person)
            || tokens.iter().any(|t| t.pos.starts_with("nr"));
        if known {
            names_in(chars, 0, chars.len(), &mut out);
        }
    } else if pieces.len() == 1 && chars.len() <= 16 && tokens.len() >= 2 {
        // Names run together when the cleaner removed the spaces: `应旭初高远任晓静`.
        let words: Vec<Vec<char>> = tokens.iter().map(|t| t.word.chars().collect()).collect();
        let names = tokens.iter().filter(|t| t.pos.starts_with("nr")).count();
        if names >= 2 && words.iter().all(|w| name_like(w) && w.len() <= 3) {
            for (s, e) in token_ranges(tokens) {
                out.push(Mention {
                    start: s,
                    end: e,
                    kind: EntityType::Person,
                });
            }
        }
    }
    out
}

/// Titles and roles that introduce a name in news copy (`书记冯有堂`, `村民初增仁`): two or
/// three characters each, sorted (byte order) for binary search.
const ROLE_WORDS: &[&str] = &[
    "主任",
    "主席",
    "乡长",
    "书记",
    "代表",
    "会长",
    "党员",
    "农民",
    "副主任",
    "副书记",
    "副县长",
    "副局长",
    "副队长",
    "区长",
    "医生",
    "厂长",
    "县长",
    "同志",
    "委员",
    "局长",
    "居民",
    "市长",
    "干部",
    "志愿者",
    "所长",
    "支书",
    "教授",
    "村民",
    "村长",
    "校长",
    "民警",
    "省长",
    "社长",
    "站长",
    "组长",
    "经理",
    "网格员",
    "群众",
    "老师",
    "职工",
    "联系人",
    "菜农",
    "董事长",
    "记者",
    "负责人",
    "通讯员",
    "镇长",
    "队长",
    "院长",
];

/// Last characters of the [`ROLE_WORDS`]: a word ending otherwise ends in no role word.
const ROLE_LAST_CHARS: CharList = CharList::new(&[
    '记', '任', '长', '席', '理', '人', '民', '员', '部', '表', '志', '师', '生', '授', '书', '者',
    '众', '工', '警', '农',
]);

/// Does `word` end with one of the [`ROLE_WORDS`]? (Its last two or three characters are one.)
fn ends_with_role(word: &str) -> bool {
    if !word
        .chars()
        .next_back()
        .is_some_and(|c| ROLE_LAST_CHARS.contains(c))
    {
        return false;
    }
    let mut starts = word.char_indices().rev().map(|(i, _)| i).skip(1);
    starts
        .by_ref()
        .take(2)
        .any(|i| ROLE_WORDS.binary_search(&&word[i..]).is_ok())
}

/// The most common Chinese surnames (single characters), for names jieba splits apart.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘\
于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺\
顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左\
柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾\
尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和\
仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝初";

/// Persons named right after a role word (`书记冯有堂`, `联系人万果林`): a jieba `nr` word of
/// 2–3 characters, or 2–3 characters jieba split apart that start with a common surname and
/// end where a verb, adverb, preposition or punctuation begins.
///
/// `ranges` are the tokens' character ranges ([`token_ranges`]).
pub fn role_persons(tokens: &[Token], ranges: &[(usize, usize)]) -> Vec<Mention> {
    let mut out = Vec::new();
    for j in 1..tokens.len().min(ranges.len()) {
        if !ends_with_role(&tokens[j - 1].word) {
            continue;
        }
        let t = &tokens[j];
        let n = t.word.chars().count();
        if t.pos.starts_with("nr") && (2..=3).contains(&n) {
            out.push(Mention {
                start: ranges[j].0,
                end: ranges[j].1,
                kind: EntityType::Person,
            });
            continue;
        }
        if !t.word.chars().next().is_some_and(|c| SURNAMES.contains(c)) {
            continue;
        }
        // Up to three characters of short words, then a word that cannot be part of a name.
        let mut k = j;
        let mut len = 0;
        while k < tokens.len().min(ranges.len()) && len < 3 && tokens[k].word.chars().count() <= 2 {
            let cjk = tokens[k]
                .word
                .chars()
                .all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            if !cjk || matches!(&*tokens[k].pos, "v" | "d" | "p" | "uj" | "c") {
                break;
            }
            len += tokens[k].word.chars().count();
            k += 1;
        }
        let stop = match tokens.get(k) {
            None => true,
            Some(s) => matches!(&*s.pos, "v" | "d" | "p" | "x" | "uj" | "c"),
        };
        if k > j + 1 && (2..=3).contains(&len) && stop {
            out.push(Mention {
                start: ranges[j].0,
                end: ranges[k - 1].1,
                kind: EntityType::Person,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::stages::tag::test_tokens as toks;

    #[test]
    fn role_words_are_sorted_two_or_three_characters() {
        assert!(ROLE_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(ROLE_WORDS
            .iter()
            .all(|r| (2..=3).contains(&r.chars().count())));
        // Against the plain definition, on words around every role.
        for r in ROLE_WORDS {
            for w in [
                format!("副{r}"),
                format!("{r}们"),
                r.chars().skip(1).collect(),
            ] {
                assert_eq!(
                    ends_with_role(&w),
                    ROLE_WORDS.iter().any(|x| w.ends_with(x)),
                    "{w}"
                );
            }
        }
    }

    #[test]
    fn every_role_word_passes_the_last_character_filter() {
        for r in ROLE_WORDS {
            let last = r.chars().next_back().expect("non-empty");
            assert!(ROLE_LAST_CHARS.contains(last), "{r}");
            assert!(ends_with_role(r) && ends_with_role(&format!("副{r}")));
        }
        assert!(!ends_with_role("北京") && !ends_with_role(""));
    }

    #[test]
    fn names_after_roles_are_persons() {
        let t = toks(&[
            ("党员", "n"),
            ("联系人", "n"),
            ("万果林", "nr"),
            ("反映", "v"),
            ("书记", "n"),
            ("说", "v"),
            ("村民", "n"),
            ("王", "nr"),
            ("联系人", "n"),
            ("万", "m"),
            ("果林", "n"),
            ("反映", "v"),
            ("村民", "n"),
            ("开展", "v"),
        ]);
        let c: Vec<char> = t.iter().flat_map(|x| x.word.chars()).collect();
        let got: Vec<String> = role_persons(&t, &token_ranges(&t))
            .iter()
            .map(|m| m.text(&c))
            .collect();
        assert_eq!(got, vec!["万果林", "万果林"]);
    }

    #[test]
    fn names_run_together_are_split_by_jieba() {
        let c: Vec<char> = "应旭初高远任晓静".chars().collect();
        let t = toks(&[("应旭初", "nr"), ("高远", "d"), ("任晓静", "nr")]);
        let got: Vec<String> = byline_persons(&c, &t, &[])
            .iter()
            .map(|m| m.text(&c))
            .collect();
        assert_eq!(got, vec!["应旭初", "高远", "任晓静"]);
        let h: Vec<char> = "党建引领".chars().collect();
        let t = toks(&[("党建", "j"), ("引领", "v")]);
        assert!(byline_persons(&h, &t, &[]).is_empty());
    }

    #[test]
    fn dateline_and_reporter_bylines_give_persons() {
        let c: Vec<char> = "本报讯(韦青松)近日，（记者 王洋 通讯员 李小四）报道。（图为现场）"
            .chars()
            .collect();
        let got: Vec<String> = byline_persons(&c, &[], &[])
            .iter()
            .map(|m| m.text(&c))
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
            .map(|m| m.text(&c))
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
