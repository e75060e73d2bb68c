//! What each paragraph looks like on its own: page furniture, subtitle, byline, headline or
//! body, plus the cues the later steps use (dateline, lead words, caption marks, how it ends).

/// The role a paragraph plays, judged from its own text (and its predecessor's role).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Page number, running head, issue date, editor credits: removed from the text.
    Furniture,
    /// `——…` under a title.
    Subtitle,
    /// Names of the authors, with or without `记者`/`文/图`/`■` markers.
    Byline,
    /// Short line without closing punctuation: a title or a section heading.
    Headline,
    /// Body text (including photo captions and a lead with a dateline).
    Body,
}

/// A lead-in marker at the start of a body paragraph, e.g. `本报讯(韦青松)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dateline {
    /// The marker without the bracketed names: `本报讯`, `新华社北京1月1日电`.
    pub marker: String,
    /// Names found in the brackets.
    pub names: Vec<String>,
}

/// Everything known about one paragraph before assignment.
#[derive(Debug, Clone, PartialEq)]
pub struct Info {
    /// Its role.
    pub role: Role,
    /// Author names (bylines).
    pub names: Vec<String>,
    /// Dateline at the start of a body paragraph.
    pub dateline: Option<Dateline>,
    /// Opens like the first paragraph of an article (`近日`, `近年来`, a dateline, …).
    pub lead: bool,
    /// Ends with sentence-closing punctuation.
    pub terminal: bool,
    /// Starts with punctuation that cannot open a paragraph (`，`, `。`, `）`, …).
    pub bad_start: bool,
    /// A heading mark (`◎`, `一、`, `（一）`) makes it a section heading, never a title.
    pub heading_mark: bool,
    /// Looks like a photo caption (`图为…`, `…摄`).
    pub caption: bool,
    /// Length in characters.
    pub len: usize,
    /// Preceded by more blank lines than the dump's usual paragraph separation: the start of
    /// a block (a column or a header), set by [`mark_block_starts`].
    pub block_start: bool,
}

#[cfg(test)]
impl Info {
    /// A paragraph of `role` and `len` characters with no cue but `terminal` (for unit tests).
    pub(crate) fn plain(role: Role, len: usize, terminal: bool) -> Self {
        Info {
            role,
            names: Vec::new(),
            dateline: None,
            lead: false,
            terminal,
            bad_start: false,
            heading_mark: false,
            caption: false,
            len,
            block_start: false,
        }
    }
}

const TERMINAL: &[char] = &['。', '！', '？', '…', '!', '?', '；', ';'];
const CLOSERS: &[char] = &['”', '」', '』', '’', '）', ')', '》', '"'];

/// Does the paragraph end a sentence (`。`, `！`, `？`, `…`, optionally followed by a closing
/// quote or bracket)?
pub fn ends_sentence(s: &str) -> bool {
    let mut it = s.chars().rev().skip_while(|c| c.is_whitespace());
    let mut last = it.next();
    // `…。”` or `（吴哥）`: closers after a terminal, or an editor's tag in brackets.
    let mut closers = 0;
    while let Some(c) = last {
        if CLOSERS.contains(&c) {
            closers += 1;
            last = it.next();
        } else {
            break;
        }
    }
    match last {
        Some(c) if TERMINAL.contains(&c) => true,
        // `（吴哥）`, `(维金)`: a bracketed tag closing an article.
        Some(_) if closers > 0 && (s.ends_with('）') || s.ends_with(')')) => {
            let open = s.rfind(['（', '(']).unwrap_or(0);
            s[open..].chars().count() <= 12 && s.chars().count() > 12
        }
        _ => false,
    }
}

const BAD_START: &[char] = &[
    '，', '。', '、', '；', '：', '！', '？', '）', '”', '’', '》', '」', ',', '.', ';', ':', ')',
];

const LEADS: &[&str] = &[
    "近日",
    "日前",
    "近年来",
    "近年",
    "今年以来",
    "近期",
    "目前",
    "据悉",
    "据了解",
    "记者从",
    "本报讯",
    "北京时间",
    "当地时间",
    "今年",
    "去年",
    "昨天",
    "昨日",
    "今天",
    "今日",
    "为切实",
    "为进一步",
    "为深入",
    "为庆祝",
    "为全面",
    "为加强",
    "为推进",
    "为认真",
    "自",
    "随着",
];

/// The first characters of the [`LEADS`] of more than one character: a paragraph opening
/// with none of them opens with no lead word, and the list is not searched.
const LEAD_FIRSTS: &[char] = &[
    '近', '日', '今', '目', '据', '记', '本', '北', '当', '去', '昨', '为', '随',
];

/// Opens the way only an article's first paragraph does: one of the [`LEADS`] closed by a
/// comma (`近日，`, `今天，`) or a time zone (`北京时间`, `当地时间`). No tail of the training
/// dumps does (none of 3,236), while 1,697 of their paragraphs do.
pub fn opens_article(s: &str) -> bool {
    s.starts_with("北京时间")
        || s.starts_with("当地时间")
        || (s.starts_with(LEAD_FIRSTS)
            && LEADS.iter().any(|l| {
                l.chars().count() > 1 && s.strip_prefix(l).is_some_and(|r| r.starts_with('，'))
            }))
}

/// Opens like an article's first paragraph.
fn is_lead(s: &str) -> bool {
    if s.starts_with(LEAD_FIRSTS)
        && LEADS
            .iter()
            .any(|l| s.starts_with(l) && l.chars().count() > 1)
    {
        return true;
    }
    opens_dated(s)
}

/// Times of day after a date (`11月3日晚，`, `10月22日一早，`).
const TIMES_OF_DAY: &[&str] = &[
    "上午", "下午", "晚间", "晚上", "晚", "凌晨", "早上", "早间", "一早", "中午", "傍晚", "夜间",
    "起",
];

/// What a source did, after `据` and its name (`据…报道`, `据…介绍`).
const CITED: &[&str] = &[
    "报道", "消息", "介绍", "了解", "统计", "透露", "披露", "显示", "获悉", "悉",
];

/// Opens with a time phrase, a dated `消息` or a source's own lead-in (the part of
/// [`is_lead`] that is not a lead word).
fn opens_dated(s: &str) -> bool {
    // `11月24日，`, `党史学习教育开展以来，`, `11月5日消息，`: a time phrase (or a dated
    // `消息`) closed by a comma early on.
    let head = &s[..s.char_indices().nth(16).map_or(s.len(), |(i, _)| i)];
    if let Some(pos) = head.find('，') {
        let before = &head[..pos];
        // `11月5日上午消息，`: a date, a time of day, `消息`.
        let dated = before.strip_suffix("消息").unwrap_or(before);
        let dated = TIMES_OF_DAY
            .iter()
            .find_map(|t| dated.strip_suffix(t))
            .unwrap_or(dated);
        if before.ends_with("以来")
            || before.ends_with("期间")
            || before.ends_with('日')
            || (dated.ends_with('日') && dated.contains('月'))
        {
            return true;
        }
    }
    // `据新华社北美11月2日报道，`, `据业内不完全统计，`: the source cited first.
    if let Some(rest) = s.strip_prefix('据') {
        let clause: String = rest
            .chars()
            .take(24)
            .take_while(|c| !matches!(c, '，' | '。' | '；'))
            .collect();
        if CITED.iter().any(|w| clause.contains(w)) {
            return true;
        }
    }
    // `新浪科技讯 北京时间…`, `中国台球协会官网讯（记者…）`: a source's own lead-in, 2–10 Han
    // characters and `讯`, then a space, a bracket, a date or `北京时间`.
    let prefix = s
        .chars()
        .take(11)
        .take_while(|&c| is_han(c) && c != '讯')
        .count();
    if !(2..=10).contains(&prefix) {
        return false;
    }
    let mut rest = s.char_indices().skip(prefix);
    match (rest.next(), rest.next()) {
        (Some((_, '讯')), Some((i, c))) => {
            matches!(c, ' ' | '\u{3000}' | '（' | '(')
                || c.is_ascii_digit()
                || ('０'..='９').contains(&c)
                || s[i..].starts_with("北京时间")
        }
        _ => false,
    }
}

/// Parses a leading dateline: `本报讯(韦青松)`, `新华社北京11月5日电（记者 X）`, `本报讯 `.
pub fn dateline(s: &str) -> Option<(Dateline, usize)> {
    // The marker must be among the first 30 characters, so within the first 120 bytes: most
    // paragraphs have neither `讯` nor `电` there and are rejected by a byte search.
    if !marker_near_start(s) {
        return None;
    }
    let chars: Vec<(usize, char)> = s.char_indices().take(30).collect();
    let pos = chars.iter().position(|&(_, c)| c == '讯' || c == '电')?;
    if !(2..=22).contains(&pos) {
        return None;
    }
    let end = chars[pos].0 + chars[pos].1.len_utf8();
    let marker = &s[..end];
    if marker
        .chars()
        .any(|c| !(is_han(c) || c.is_ascii_alphanumeric() || c == '·'))
    {
        return None;
    }
    let agency = [
        "本报",
        "新华社",
        "中新社",
        "人民网",
        "新华网",
        "央视",
        "社",
        "报",
        "网",
        "台",
        "吧",
    ];
    let prefix = &s[..chars[pos].0];
    let has_agency = agency.iter().any(|a| prefix.contains(a));
    let has_date = prefix.contains('月') && prefix.contains('日');
    if !(has_agency || has_date) {
        return None;
    }
    let rest = &s[end..];
    let (names, used) = if let Some(inner) = bracketed(rest) {
        (names_in(inner.0), inner.1)
    } else if rest.starts_with([' ', '\u{3000}']) || prefix == "本报" || has_date {
        (Vec::new(), 0)
    } else {
        return None;
    };
    Some((
        Dateline {
            marker: marker.to_string(),
            names,
        },
        end + used,
    ))
}

/// Is there a `讯` or `电` within the first 120 bytes? A character that ends by byte 120
/// lies in the longest prefix that ends on a character boundary, where `str::contains`
/// searches for it with `memchr` instead of testing every 3-byte window.
fn marker_near_start(s: &str) -> bool {
    let mut end = s.len().min(120);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let near = &s[..end];
    near.contains('讯') || near.contains('电')
}

/// `(…)` or `（…）` at the start (after optional spaces): the inside and the bytes used.
fn bracketed(s: &str) -> Option<(&str, usize)> {
    let t = s.trim_start_matches([' ', '\u{3000}']);
    let skip = s.len() - t.len();
    let open = t.chars().next().filter(|c| *c == '(' || *c == '（')?;
    let body = &t[open.len_utf8()..];
    let close = body.find([')', '）'])?;
    if body[..close].chars().count() > 30 {
        return None;
    }
    let close_len = body[close..].chars().next().map_or(1, char::len_utf8);
    Some((&body[..close], skip + open.len_utf8() + close + close_len))
}

const ROLES: &[&str] = &[
    "全媒体记者",
    "本报记者",
    "特约记者",
    "特派记者",
    "见习记者",
    "实习记者",
    "首席记者",
    "通讯员",
    "实习生",
    "记者",
    "作者",
    "撰文",
    "摄影",
    "文/图",
    "文／图",
    "图/文",
    "文",
    "图",
];

/// Personal names in a byline or dateline bracket: role words dropped, `贾 丽` rejoined.
pub fn names_in(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let cleaned: String = s
        .chars()
        .map(|c| match c {
            '■' | '●' | '▲' | '★' | '、' | '，' | ',' | '：' | ':' | '\u{3000}' => ' ',
            c => c,
        })
        .collect();
    let mut pending: Option<String> = None;
    for tok in cleaned.split_whitespace() {
        let mut t = tok;
        // Strip role words and media names glued in front: `本报记者王洋`, `新华社记者公兵`.
        loop {
            let before = t;
            if let Some(r) = ROLES
                .iter()
                .find(|r| t.starts_with(**r) && t.len() > r.len())
            {
                t = &t[r.len()..];
            }
            if let Some(i) = t.find("记者").or_else(|| t.find("通讯员")) {
                let skip = if t[i..].starts_with("记者") { 6 } else { 9 };
                t = &t[i + skip..];
            }
            if t == before {
                break;
            }
        }
        for suffix in ["报道", "摄", "发自"] {
            if let Some(s) = t.strip_suffix(suffix) {
                t = s;
            }
        }
        if ROLES.contains(&t) || t.is_empty() || t.starts_with("发自") {
            continue;
        }
        let n = t.chars().count();
        if !t.chars().all(|c| is_han(c) || c == '·') {
            continue;
        }
        if n == 1 {
            // `贾 丽`: single characters separated by a space form one name.
            match pending.take() {
                Some(mut p) => {
                    p.push_str(t);
                    out.push(p);
                }
                None => pending = Some(t.to_string()),
            }
            continue;
        }
        // A lone character before a full name was not part of a name.
        pending = None;
        if (2..=4).contains(&n) {
            out.push(t.to_string());
        }
    }
    out
}

/// A CJK ideograph.
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由";

fn looks_like_name(t: &str) -> bool {
    let n = t.chars().count();
    (2..=4).contains(&n)
        && t.chars().all(is_han)
        && t.chars().next().is_some_and(|c| SURNAMES.contains(c))
}

/// A byline: names with role markers, or (right under a title) bare space-separated names.
fn byline(s: &str, after_header: bool) -> Option<Vec<String>> {
    // More than 160 bytes is more than 40 characters: no need to count them.
    if s.len() > 160 || s.chars().count() > 40 || s.contains(['。', '，', '！', '？']) {
        return None;
    }
    let marked = s.starts_with(['■', '●', '▲'])
        || [
            "记者",
            "通讯员",
            "作者",
            "撰文",
            "文/图",
            "文／图",
            "图/文",
            "实习生",
        ]
        .iter()
        .any(|m| s.contains(m));
    if marked {
        let names = names_in(s);
        return (!names.is_empty()).then_some(names);
    }
    if !after_header {
        return None;
    }
    let toks: Vec<&str> = s.split_whitespace().collect();
    (toks.len() <= 5 && toks.iter().all(|t| looks_like_name(t)))
        .then(|| toks.iter().map(|t| (*t).to_string()).collect())
}

/// Page furniture: page numbers, `第3版`, issue dates, running heads, editor credits.
pub fn is_furniture(s: &str) -> bool {
    let t = s.trim();
    // Only lines of at most 40 characters qualify: count no further than 41 (and not at all
    // past 160 bytes, which is more than 40 characters).
    if t.len() > 160 {
        return false;
    }
    let n = t.chars().take(41).count();
    if n == 0 || n > 40 || t.contains(['。', '，']) {
        return false;
    }
    // `3`, `A3`, `- 3 -`, `—3—`.
    // The characters other than dashes, spaces and dots: one to four ASCII letters and
    // digits with a digit among them (looked at without collecting them).
    let core = t
        .chars()
        .filter(|c| !matches!(c, '-' | '—' | '–' | ' ' | '·'));
    let (mut core_len, mut alnum, mut digit) = (0, true, false);
    for c in core.take(5) {
        core_len += 1;
        alnum &= c.is_ascii_alphanumeric();
        digit |= c.is_ascii_digit();
    }
    if (1..=4).contains(&core_len) && alnum && digit {
        return true;
    }
    let credits = [
        "责任编辑",
        "本版编辑",
        "本版责编",
        "责编",
        "美编",
        "校对",
        "版式设计",
        "组版",
        "编辑：",
    ];
    if credits.iter().any(|c| t.starts_with(c)) {
        return true;
    }
    if t.contains("编辑") && t.contains("美编") {
        return true;
    }
    let has_ban = t.contains('版')
        && t.chars()
            .any(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(c))
        && t.starts_with('第');
    let issue_date = t.contains('年') && t.contains('月') && t.contains('日') && t.contains("星期");
    if has_ban || issue_date {
        return true;
    }
    // `第A03版：要闻` in the middle of a running head.
    if let Some(i) = t.find('第') {
        let rest = &t[i + 3..];
        let digits: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !digits.is_empty() && rest[digits.len()..].starts_with('版') {
            return true;
        }
    }
    false
}

/// Photo-caption cues: `图为…`, `…摄`, `（资料图）`.
fn is_caption(s: &str) -> bool {
    // Every cue searched for inside the text has a `图`: one search rules all three out.
    let has_tu = s.contains('图');
    (has_tu && s.contains("图为"))
        || s.ends_with('摄')
        || s.ends_with("摄）")
        || s.ends_with("摄)")
        || (has_tu && (s.contains("供图") || s.contains("（资料图）")))
}

fn is_heading_mark(s: &str) -> bool {
    let mut cs = s.chars();
    let first = cs.next();
    let second = cs.next();
    matches!(
        first,
        Some('◎' | '●' | '◆' | '▲' | '■' | '★' | '□' | '◇' | '△' | '○')
    ) || (first.is_some_and(|c| "一二三四五六七八九十".contains(c)) && second == Some('、'))
        || (matches!(first, Some('（' | '('))
            && second.is_some_and(|c| "一二三四五六七八九十".contains(c)))
        || (first.is_some_and(|c| c.is_ascii_digit()) && matches!(second, Some('、' | '.' | '．')))
}

/// A short line without closing punctuation: a title or a heading.
fn is_headline(s: &str) -> bool {
    // More than 168 bytes is more than 42 characters: no need to count them.
    if s.len() > 168 {
        return false;
    }
    let n = s.chars().count();
    if !(2..=42).contains(&n) || ends_sentence(s) {
        return false;
    }
    if s.ends_with(['，', '、', '：', ':', ',', '（', '“', '《']) || s.contains('。') {
        return false;
    }
    if s.contains(['，', ',', '；']) && !is_heading_mark(s) {
        return false;
    }
    // A quote or bracket left open: a sentence cut short, not a headline.
    let count = |c: char| s.matches(c).count();
    if count('“') != count('”') || count('（') != count('）') || count('《') != count('》')
    {
        return false;
    }
    // Mostly Han, or Han with Latin names and digits (`Facebook重组ARVR团队 更专注长期目标`).
    let han = s.chars().filter(|c| is_han(*c)).count();
    let latin = s.chars().filter(char::is_ascii_alphanumeric).count();
    han * 2 >= n || (han >= 4 && (han + latin) * 10 >= n * 8)
}

/// Marks the paragraphs whose `gaps` (blank lines before each) exceed the dump's usual
/// separation (its most common gap after the first paragraph) and are at least two: page
/// extraction leaves wider gaps where a column or a box starts.
pub fn mark_block_starts(infos: &mut [Info], gaps: &[usize]) {
    let mut counts = [0usize; 4];
    for &g in gaps.iter().skip(1) {
        counts[g.min(3)] += 1;
    }
    let usual = (0..4)
        .max_by_key(|&g| (counts[g], std::cmp::Reverse(g)))
        .unwrap_or(0);
    for (info, &g) in infos.iter_mut().zip(gaps).skip(1) {
        info.block_start = g >= 2 && g > usual;
    }
}

/// Classifies every paragraph.
pub fn classify(paras: &[String]) -> Vec<Info> {
    let mut out: Vec<Info> = Vec::with_capacity(paras.len());
    let mut prev_role: Option<Role> = None;
    for s in paras {
        let len = s.chars().count();
        let after_header = matches!(prev_role, Some(Role::Headline | Role::Subtitle));
        let mut info = Info {
            role: Role::Body,
            names: Vec::new(),
            dateline: None,
            lead: false,
            terminal: ends_sentence(s),
            bad_start: s.starts_with(BAD_START),
            heading_mark: false,
            caption: false,
            len,
            block_start: false,
        };
        if is_furniture(s) {
            info.role = Role::Furniture;
        } else if (s.starts_with("——") || s.starts_with("—") || s.starts_with("--"))
            && len <= 60
            && !info.terminal
        {
            info.role = Role::Subtitle;
        } else if let Some(names) = byline(s, after_header) {
            info.role = Role::Byline;
            info.names = names;
        } else if is_headline(s) && !is_caption(s) {
            info.role = Role::Headline;
            info.heading_mark = is_heading_mark(s);
        } else {
            if let Some((d, _)) = dateline(s) {
                info.dateline = Some(d);
                info.lead = true;
            }
            info.lead |= is_lead(s);
            info.caption = is_caption(s);
        }
        if info.role != Role::Furniture {
            prev_role = Some(info.role);
        }
        out.push(info);
    }
    out
}

#[cfg(test)]
#[path = "kinds_reference.rs"]
mod reference;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wider_gaps_than_the_dumps_usual_mark_block_starts() {
        let texts: Vec<String> = ["甲。", "乙。", "丙。", "丁。", "戊。"]
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        let mut infos = classify(&texts);
        mark_block_starts(&mut infos, &[2, 1, 3, 1, 2]);
        let starts: Vec<bool> = infos.iter().map(|i| i.block_start).collect();
        assert_eq!(starts, [false, false, true, false, true]);
        // Paragraphs separated by two blank lines throughout: none stands out.
        let mut infos = classify(&texts);
        mark_block_starts(&mut infos, &[0, 2, 2, 2, 2]);
        assert!(infos.iter().all(|i| !i.block_start));
    }

    fn roles(lines: &[&str]) -> Vec<Role> {
        let v: Vec<String> = lines.iter().map(|s| (*s).to_string()).collect();
        classify(&v).into_iter().map(|i| i.role).collect()
    }

    #[test]
    fn header_lines_are_recognised() {
        assert_eq!(
            roles(&[
                "党建领航聚合力 文明花香溢财苑",
                "——河南省漯河市召陵区财政局纪实",
                "应旭初 高远 任晓静",
                "正文。"
            ]),
            vec![Role::Headline, Role::Subtitle, Role::Byline, Role::Body]
        );
    }

    #[test]
    fn bylines_yield_names() {
        assert_eq!(names_in("■本报记者 贾 丽"), vec!["贾丽"]);
        assert_eq!(names_in("记者 谢洋"), vec!["谢洋"]);
        assert_eq!(names_in("文/图 王小明 李四"), vec!["王小明", "李四"]);
        assert_eq!(names_in("记者公兵"), vec!["公兵"]);
    }

    #[test]
    fn datelines_are_parsed() {
        let (d, used) = dateline("本报讯(韦青松)为切实加强").unwrap_or_else(|| panic!("none"));
        assert_eq!(d.marker, "本报讯");
        assert_eq!(d.names, vec!["韦青松"]);
        assert_eq!(&"本报讯(韦青松)为切实加强"[used..], "为切实加强");
        let (d, _) = dateline("新华社北京11月5日电（夏鑫铭　卢羽晨）在2018年")
            .unwrap_or_else(|| panic!("none"));
        assert_eq!(d.marker, "新华社北京11月5日电");
        assert_eq!(d.names, vec!["夏鑫铭", "卢羽晨"]);
        assert!(dateline("电视台播出了节目").is_none());
        assert!(dateline("他通讯录里的人").is_none());
    }

    #[test]
    fn furniture_is_recognised() {
        for f in [
            "第3版",
            "- 3 -",
            "A3",
            "2021年11月30日 星期二",
            "责任编辑：王强",
            "第A03版：要闻",
        ] {
            assert!(is_furniture(f), "{f}");
        }
        for f in ["第三届运动会开幕", "2021年是关键一年。"] {
            assert!(!is_furniture(f), "{f}");
        }
    }

    #[test]
    fn sentence_ends() {
        assert!(ends_sentence("很好。"));
        assert!(ends_sentence("他说：“很好。”"));
        assert!(ends_sentence(
            "拿下这场比赛，76人报了一箭之仇，赢了。（吴哥）"
        ));
        assert!(!ends_sentence("有力推"));
        assert!(!ends_sentence("“三会一课”“主题党日”等活动开展"));
    }

    #[test]
    fn a_lead_word_closed_by_a_comma_or_a_time_zone_opens_only_an_article() {
        assert!(opens_article("近日，苹果公司公布了新款手机的销量"));
        assert!(opens_article("目前，双方仍在谈判"));
        assert!(opens_article("北京时间11月5日，"));
        assert!(opens_article("当地时间周日"));
        // The word without its comma may well continue a sentence cut before it.
        assert!(!opens_article("近日发布的报告显示"));
        assert!(!opens_article("今天虽然比赛输了"));
        assert!(!opens_article("近期——我们在未来"));
        assert!(!opens_article("，近日，"));
    }

    #[test]
    fn dated_news_and_source_lead_ins_open_articles() {
        assert!(is_lead("11月5日消息，巨人网络发布公告"));
        assert!(is_lead("北京时间１１月４日消息，"));
        assert!(is_lead("新浪科技讯 北京时间11月3日上午消息"));
        assert!(is_lead("新浪科技讯北京时间11月3日上午消息"));
        assert!(is_lead("中国台球协会官网讯（记者 王伟）"));
        assert!(is_lead("新浪美股讯１１月４日"));
        // `讯` inside an ordinary word, or too far in, is not a lead-in.
        assert!(!is_lead("移动通讯市场今年增长很快"));
        assert!(!is_lead("通讯 员们"));
        assert!(!is_lead("这是一段很长很长很长的前缀讯 北京"));
        assert!(!is_lead("有关消息，他说"));
    }

    #[test]
    fn dates_with_a_time_of_day_and_cited_sources_open_articles() {
        assert!(is_lead("11月3日晚，他们在天河主场输球"));
        assert!(is_lead("11月5日上午消息，今日，百度"));
        assert!(is_lead("10月22日一早，大奖得主胡先生"));
        assert!(is_lead("据新华社北美11月2日报道，特斯拉承认"));
        assert!(is_lead("据业内不完全统计，短短不到两年"));
        // A time of day without a date, or `据` without a cited source, is no lead.
        assert!(!is_lead("当天晚上，他们输了"));
        assert!(!is_lead("据理力争，他们赢了"));
    }

    #[test]
    fn headlines_may_carry_latin_names() {
        assert!(is_headline("Facebook重组ARVR团队 更专注长期目标"));
        assert!(is_headline("商务办公首选 戴尔Latitude 5491笔记本体验"));
        assert!(!is_headline("iPhone XS Max vs Galaxy S9+"));
    }
}
