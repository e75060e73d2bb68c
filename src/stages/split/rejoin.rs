//! Column breaks: pair each paragraph cut mid-sentence (a *head*, no closing punctuation)
//! with the paragraph that continues it (its *tail*), adjacent in the dump or not.
//!
//! Every (head, tail) candidate gets a score from independent pieces of evidence:
//! - position: the tail follows the head directly in the dump;
//! - the head's end (`，`, `、`, `“` cannot end a paragraph) and the tail's start (`，`, `）`
//!   cannot open one; a lead such as `近日` or a dateline opens an article, not a tail);
//! - a word crossing the cut: the two characters either side of it form a bigram seen
//!   elsewhere in the dump (`有力推|动` → `推动`);
//! - lexical continuity: rare bigrams shared by the head's last and the tail's first sentence
//!   (`结对村开展结对共建|活动，帮助结对村`), repetition right at the cut excluded.
//!
//! Pairs are then chosen as a maximum-weight matching (greedy, improved by pairwise swaps):
//! each head gets at most one tail and each tail at most one head.

use super::kinds::{is_han, Info, Role};
use super::lexical::Lexicon;
use super::words;

/// Minimum score of an accepted pair.
pub const THRESHOLD: f32 = 0.2;

/// A head paragraph joined to its tail.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    /// Index of the head paragraph.
    pub head: usize,
    /// Index of the tail paragraph.
    pub tail: usize,
    /// Evidence score.
    pub score: f32,
}

const CONNECTORS: &[&str] = &[
    "此外",
    "同时",
    "其中",
    "另外",
    "然而",
    "但是",
    "因此",
    "所以",
    "眼下",
    "如今",
    "当天",
    "随后",
    "此前",
    "对此",
    "与此同时",
    "不过",
    "而且",
    "据",
    "该",
    "他",
    "她",
    "我们",
    "记者",
    "“",
];

/// Can this paragraph be the head of a broken paragraph?
pub fn is_head(text: &str, info: &Info) -> bool {
    if !matches!(info.role, Role::Body) || info.terminal || info.caption {
        return false;
    }
    match text.chars().last() {
        Some(c) => {
            is_han(c)
                || c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '，' | '、' | '：' | '“' | '（' | '《' | '—' | '·' | '％' | '%'
                )
        }
        None => false,
    }
}

/// Can this paragraph be a tail?
fn is_tail_candidate(info: &Info) -> bool {
    matches!(info.role, Role::Body) && info.dateline.is_none()
}

fn first_clause_len(s: &str) -> usize {
    s.chars()
        .take_while(|c| !matches!(c, '，' | '。' | '、' | '；' | '：' | '！' | '？' | ','))
        .count()
}

fn head_window(s: &str) -> &str {
    // The last sentence-ish window of the head, minus the two characters at the cut.
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let n = chars.len();
    if n < 4 {
        return "";
    }
    let start = n.saturating_sub(24);
    let end = n - 2;
    &s[chars[start].0..chars[end].0]
}

fn tail_window(s: &str) -> &str {
    let chars: Vec<(usize, char)> = s.char_indices().take(26).collect();
    if chars.len() < 4 {
        return "";
    }
    let end = chars.last().map_or(s.len(), |(i, c)| i + c.len_utf8());
    &s[chars[2].0..end]
}

/// Scores the hypothesis that `tail` continues `head`; `adjacent` when it directly follows.
pub fn score(lex: &Lexicon, head: &str, tail: &str, tail_info: &Info, adjacent: bool) -> f32 {
    let mut s = 0.0f32;
    if adjacent {
        s += 1.2;
    }
    if tail_info.bad_start {
        s += 2.0;
    }
    if tail_info.lead {
        s -= 2.5;
    }
    if CONNECTORS.iter().any(|c| tail.starts_with(c)) {
        s -= 0.8;
    }
    let first = first_clause_len(tail);
    if first <= 2 && !tail_info.bad_start {
        s += 0.5;
    }
    // `强化日常保障。由村委…`: a short topic sentence followed by more opens a paragraph.
    if let Some(dot) = tail.find('。') {
        let k = tail[..dot].chars().count();
        if k <= 16 && first == k && tail[dot..].chars().count() > 6 {
            s -= 1.0;
        }
    }
    if head.ends_with(['，', '、', '：', '“', '（', '《']) {
        s += 0.8;
    }
    let a = head.chars().last();
    let b = tail.chars().next();
    if let (Some(a), Some(b)) = (a, b) {
        if is_han(a) && is_han(b) {
            match lex.count(a, b) {
                0 => {}
                1 => s += 0.6,
                _ => s += 1.0,
            }
        }
        s += crossing(head, tail);
        if a.is_ascii_digit() && b.is_ascii_digit() {
            s += 0.8;
        }
    }
    // `…等活动开展|活动，…`: the tail's first word repeated just before the cut.
    let t2: String = tail.chars().take(2).collect();
    let h6: String = head
        .chars()
        .rev()
        .take(6)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if t2.chars().count() == 2 && t2.chars().all(is_han) && h6.contains(&t2) {
        s -= 0.8;
    }
    let ov = lex.overlap(head_window(head), tail_window(tail));
    s += (ov * 0.15).min(0.6);
    s
}

/// Evidence from a dictionary word spanning the cut: `推|动`, `调解工|作`.
fn crossing(head: &str, tail: &str) -> f32 {
    let h: Vec<char> = head.chars().rev().take(2).collect();
    let t: Vec<char> = tail.chars().take(2).collect();
    let mut best = 0u32;
    if let (Some(&a), Some(&b)) = (h.first(), t.first()) {
        best = best.max(words::freq(&[a, b]));
        if let Some(&a2) = h.get(1) {
            best = best.max(words::freq(&[a2, a, b]));
        }
        if let Some(&b2) = t.get(1) {
            best = best.max(words::freq(&[a, b, b2]));
        }
    }
    if best == 0 {
        return 0.0;
    }
    (0.8 + 0.25 * (best as f32 / 20.0).log10()).min(1.6)
}

/// Finds the column breaks of a dump: `items` are the non-furniture paragraph indices in
/// dump order.
pub fn links(texts: &[String], infos: &[Info], items: &[usize], lex: &Lexicon) -> Vec<Link> {
    let heads: Vec<usize> = items
        .iter()
        .copied()
        .filter(|&i| is_head(&texts[i], &infos[i]))
        .collect();
    if heads.is_empty() {
        return Vec::new();
    }
    let mut next_of = vec![usize::MAX; texts.len()];
    for w in items.windows(2) {
        next_of[w[0]] = w[1];
    }
    let tails: Vec<usize> = items
        .iter()
        .copied()
        .filter(|&i| is_tail_candidate(&infos[i]))
        .collect();
    let mut cands: Vec<Link> = Vec::new();
    for &h in &heads {
        let mut mine: Vec<Link> = tails
            .iter()
            .filter(|&&t| t != h)
            .map(|&t| Link {
                head: h,
                tail: t,
                score: score(lex, &texts[h], &texts[t], &infos[t], next_of[h] == t),
            })
            .filter(|l| l.score >= THRESHOLD)
            .collect();
        mine.sort_by(|a, b| b.score.total_cmp(&a.score));
        mine.truncate(6);
        cands.extend(mine);
    }
    matching(cands)
}

/// Greedy maximum-weight matching improved by pairwise swaps.
fn matching(mut cands: Vec<Link>) -> Vec<Link> {
    cands.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.head.cmp(&b.head))
            .then(a.tail.cmp(&b.tail))
    });
    let lookup = |h: usize, t: usize| {
        cands
            .iter()
            .find(|l| l.head == h && l.tail == t)
            .map(|l| l.score)
    };
    let mut chosen: Vec<Link> = Vec::new();
    for l in &cands {
        if chosen.iter().all(|c| c.head != l.head && c.tail != l.tail) {
            chosen.push(*l);
        }
    }
    // Pairwise swaps: (h1,t1),(h2,t2) → (h1,t2),(h2,t1) when the sum improves.
    let mut improved = true;
    let mut rounds = 0;
    while improved && rounds < 4 {
        improved = false;
        rounds += 1;
        for i in 0..chosen.len() {
            for j in i + 1..chosen.len() {
                let (a, b) = (chosen[i], chosen[j]);
                if let (Some(x), Some(y)) = (lookup(a.head, b.tail), lookup(b.head, a.tail)) {
                    if x + y > a.score + b.score + 1e-3 {
                        chosen[i] = Link {
                            head: a.head,
                            tail: b.tail,
                            score: x,
                        };
                        chosen[j] = Link {
                            head: b.head,
                            tail: a.tail,
                            score: y,
                        };
                        improved = true;
                    }
                }
            }
        }
    }
    // Local search: head h2 takes the tail t1 of a chosen pair (h1, t1), h1 moves to a tail
    // that is free (possibly the one h2 releases), whenever the total score improves.
    for _ in 0..3 {
        let mut changed = false;
        let heads: Vec<usize> = cands.iter().map(|l| l.head).collect();
        for h2 in heads {
            let mine = chosen.iter().position(|c| c.head == h2);
            let own = mine.map_or(0.0, |m| chosen[m].score);
            let mut best: Option<(usize, Link, Link, f32)> = None;
            for (ci, c) in chosen.iter().enumerate() {
                if Some(ci) == mine {
                    continue;
                }
                let Some(x) = lookup(h2, c.tail) else {
                    continue;
                };
                for alt in cands
                    .iter()
                    .filter(|l| l.head == c.head && l.tail != c.tail)
                {
                    let taken = chosen
                        .iter()
                        .enumerate()
                        .any(|(k, o)| o.tail == alt.tail && Some(k) != mine);
                    if taken {
                        continue;
                    }
                    let gain = x + alt.score - c.score - own;
                    if gain > 1e-3 && best.as_ref().is_none_or(|b| gain > b.3) {
                        best = Some((
                            ci,
                            Link {
                                head: h2,
                                tail: c.tail,
                                score: x,
                            },
                            *alt,
                            gain,
                        ));
                    }
                }
            }
            if let Some((ci, a, b, _)) = best {
                chosen[ci] = b;
                match mine {
                    Some(m) => chosen[m] = a,
                    None => chosen.push(a),
                }
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // A link must not close a cycle (head → tail → … → head).
    let mut next: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for l in chosen {
        let mut cur = l.tail;
        let mut cyclic = false;
        let mut steps = 0;
        while let Some(&n) = next.get(&cur) {
            if n == l.head {
                cyclic = true;
                break;
            }
            cur = n;
            steps += 1;
            if steps > 10_000 {
                break;
            }
        }
        if !cyclic && l.tail != l.head {
            next.insert(l.head, l.tail);
            out.push(l);
        }
    }
    out.sort_by_key(|l| l.head);
    out
}
