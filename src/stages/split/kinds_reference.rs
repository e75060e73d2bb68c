//! The classification code before its fast paths (byte-length bounds instead of counting
//! characters, `memchr` for the dateline marker, a first-character filter for lead words),
//! kept as the reference the fast paths are tested against.

use super::*;

fn is_lead_old(s: &str) -> bool {
    LEADS
        .iter()
        .any(|l| s.starts_with(l) && l.chars().count() > 1)
        || opens_dated(s)
}

fn dateline_old(s: &str) -> Option<(Dateline, usize)> {
    // The marker must be among the first 30 characters, so within the first 120 bytes: most
    // paragraphs have neither `讯` nor `电` there and are rejected by a byte search.
    let near = s.as_bytes().get(..120).unwrap_or(s.as_bytes());
    // `讯` is E8 AE AF, `电` E7 94 B5.
    if !near
        .windows(3)
        .any(|w| matches!(w, [0xE8, 0xAE, 0xAF] | [0xE7, 0x94, 0xB5]))
    {
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

fn byline_old(s: &str, after_header: bool) -> Option<Vec<String>> {
    let n = s.chars().count();
    if n > 40 || s.contains(['。', '，', '！', '？']) {
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

fn is_furniture_old(s: &str) -> bool {
    let t = s.trim();
    // Only lines of at most 40 characters qualify: count no further than 41.
    let n = t.chars().take(41).count();
    if n == 0 || n > 40 || t.contains(['。', '，']) {
        return false;
    }
    // `3`, `A3`, `- 3 -`, `—3—`.
    let core: String = t
        .chars()
        .filter(|c| !matches!(c, '-' | '—' | '–' | ' ' | '·'))
        .collect();
    if !core.is_empty()
        && core.chars().count() <= 4
        && core.chars().all(|c| c.is_ascii_alphanumeric())
        && core.chars().any(|c| c.is_ascii_digit())
    {
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

fn is_headline_old(s: &str) -> bool {
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

fn check(s: &str) {
    assert_eq!(super::is_lead(s), is_lead_old(s), "{s:?}");
    assert_eq!(super::dateline(s), dateline_old(s), "{s:?}");
    for after in [false, true] {
        assert_eq!(super::byline(s, after), byline_old(s, after), "{s:?}");
    }
    assert_eq!(super::is_furniture(s), is_furniture_old(s), "{s:?}");
    assert_eq!(super::is_headline(s), is_headline_old(s), "{s:?}");
}

#[test]
fn fast_paths_equal_the_old_code_on_the_sample() {
    let text = include_str!("../../../tests/fixtures/sample_dump.txt");
    let mut datelines = 0;
    for line in text.lines() {
        check(line);
        datelines += usize::from(dateline_old(line).is_some());
        // Every cut of the line, so the byte and character bounds are crossed.
        for (i, _) in line.char_indices() {
            check(&line[..i]);
            check(&line[i..]);
        }
    }
    assert!(datelines > 0);
}

proptest::proptest! {
    #[test]
    fn fast_paths_equal_the_old_code(
        cs in proptest::collection::vec(proptest::sample::select(vec![
            ' ', '\u{3000}', '讯', '电', '本', '报', '新', '华', '社', '月', '日', '近', '今',
            '年', '来', '以', '，', '。', '（', '）', '(', ')', '记', '者', '王', '洋', '第', '版',
            '1', '2', 'A', 'b', '-', '—', '–', '·', '“', '”', '图', '为', '摄', '\u{20000}', '\u{1F600}', 'é', '■',
        ]), 0..70),
    ) {
        let s: String = cs.into_iter().collect();
        check(&s);
    }
}
