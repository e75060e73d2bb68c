//! Evidence that one paragraph (the *tail*) continues another cut short by a column break
//! (the *head*): a fixed list of cheap features per candidate pair, combined by a logistic
//! model whose weights were fitted on generated dumps (see [`WEIGHTS`]).
//!
//! Most features are a few table lookups: the dump's bigram counts ([`Lexicon`]), jieba's two-
//! and three-character words ([`words::freq`]) and facts about the two paragraphs and their
//! neighbours computed once per paragraph. The exceptions, computed only for pairs the others
//! leave plausible: `jieba_word` segments the twelve characters around the cut with jieba
//! ([`segment::crosses`]), and `tail_lm`/`join_lm`, the language model of the join
//! ([`joinlm`]), need the word classes of the head's end and the tail's start (one
//! segmentation per paragraph, at most).

use super::charlm;
use super::joinlm;
use super::kinds::{is_han, Info};
use super::lexical::{Lexicon, Vector};
use super::segment;
use super::words;

/// Number of features.
pub const N: usize = 37;

/// Feature names, in order (for the fitting example and debugging).
pub const NAMES: [&str; N] = [
    "adjacent",
    "bad_start",
    "lead",
    "connector",
    "short_first_clause",
    "topic_sentence",
    "head_open_punct",
    "cut_bigram_once",
    "cut_bigram_often",
    "cross2",
    "cross3_left",
    "cross3_right",
    "digits",
    "repeat_at_cut",
    "overlap",
    "tail_word",
    "head_word",
    "tail_after_head",
    "tail_after_header",
    "log_distance",
    "backwards",
    "topic",
    "long_clause",
    "head_ends_han",
    "back_adjacent",
    "jieba_word",
    "tail_lm",
    "join_lm",
    "head_next_start",
    "tail_block_start",
    "tail_opens_previous_block",
    "column_match",
    "bracket_match",
    "bracket_clash",
    "bracket_open",
    "char_lm_first",
    "char_lm_second",
];

/// Logistic weights of the features (log-odds per unit), and [`BIAS`].
///
/// Fitted by L2-regularised logistic regression (λ = 1, Newton's method; `cargo run
/// --example rejoin_fit -- DIR`, see `docs/SPLIT.md`) over all 24,100 (head, tail)
/// candidates of 300 generated dumps (`gen-dumps --seed 1`, default columns 400–1,200, source
/// `sina_sport_tech_2018.jsonl`, line-rule generator), labelled by the generator's truth, with
/// the annotated sample dump's candidates added at weight 100: the constraint that its five
/// breaks, two of them non-adjacent, stay right (`SAMPLE=tests/fixtures/sample_dump.txt:23-17,
/// 27-19,34-28,50-51,55-56@100`, paragraph indices of the true pairs). Two weights are pinned
/// (`PIN=topic_sentence=-1,bad_start=2.78`): the generator's sources never open a paragraph
/// with a short topic sentence (`强化日常保障。由村委…`), real newspapers often do; and its
/// columns, following the line rules, never open with punctuation, so `bad_start` keeps the
/// weight fitted when they did. Seed 7 is held out. Refitted 2026-11-28 with the three
/// language-model features (`tail_lm`, `join_lm`, `head_next_start`; see `docs/SPLIT.md`),
/// and again (twice, for the gates) on 2026-11-28 with the layout features (`tail_block_start`,
/// `tail_opens_previous_block`, `column_match`) and the bracket features (`bracket_match`,
/// `bracket_clash`, `bracket_open`). The two character-model features (`char_lm_first`,
/// `char_lm_second`, 2026-11-28, session 7) are inputs of the boosted trees only
/// ([`pair_score`]): here they weigh 0, so the linear score and its gates are unchanged.
pub const WEIGHTS: [f32; N] = [
    6.586, 2.780, -3.221, -0.353, 1.819, -1.000, 0.114, 3.161, 4.182, 0.413, -0.116, 0.630, -0.309,
    -1.706, 0.625, 0.234, 0.422, 2.023, 1.475, -0.906, 2.641, 2.836, -1.816, -1.615, -2.775, 2.936,
    0.457, 0.441, 0.252, 0.790, 1.676, 0.681, 3.342, -1.430, -2.524, 0.0, 0.0,
];

/// Intercept of the logistic model (fitted with [`WEIGHTS`]).
pub const BIAS: f32 = -6.945;

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

/// Where the tail sits relative to the head and its own neighbours in the dump.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Place {
    /// The tail directly follows the head.
    pub adjacent: bool,
    /// The paragraph before the tail is another unfinished body paragraph (a column end).
    pub tail_after_head: bool,
    /// The paragraph before the tail is a header line, a caption or nothing.
    pub tail_after_header: bool,
    /// Distance in paragraphs between head and tail.
    pub distance: usize,
    /// The tail comes before the head in the dump.
    pub backwards: bool,
    /// Cosine between the head's and the tail's neighbourhoods.
    pub topic: f32,
    /// How much the paragraph right after the head looks like the start of a paragraph
    /// rather than a continuation (minus its [`joinlm::tail_prior`]; 0 when it is no body
    /// paragraph): a head followed by a paragraph that opens on its own continues elsewhere.
    pub head_next_start: f32,
    /// The tail starts a block: more blank lines before it than the dump's usual
    /// ([`Info::block_start`]), as where a column starts.
    pub tail_block_start: bool,
    /// The tail opens the block right before the head's block (columns printed in reverse
    /// order: the next column stands before the one the head ends).
    pub tail_opens_previous_block: bool,
    /// How closely the head's block and the tail's block match in length when both are
    /// whole columns (0–1; [`super::rejoin`]'s layout).
    pub column_match: f32,
}

/// The log-odds that `tail` continues `head`.
pub fn score(f: &[f32; N]) -> f32 {
    BIAS + f
        .iter()
        .zip(WEIGHTS.iter())
        .map(|(x, w)| x * w)
        .sum::<f32>()
}

/// Linear log-odds ([`score`]) from which a pair is scored by the boosted trees
/// ([`pair_score`]); below it a pair is hopeless either way and keeps the cheaper linear score
/// (the trees were fitted on the pairs at or above it; on held-out seed 7 it keeps 673 of 687
/// true candidates and a quarter of all).
pub const BOOST_FLOOR: f32 = -7.0;

/// The first-stage log-odds that the tail continues the head: the boosted trees
/// ([`super::boost`]) over the features and their linear score, from [`BOOST_FLOOR`] on.
pub fn pair_score(f: &[f32; N]) -> f32 {
    pair_score_with(super::boost::forest(), f)
}

/// [`pair_score`] with another forest than the compiled-in one (for comparing fits).
pub fn pair_score_with(forest: &super::boost::Flat, f: &[f32; N]) -> f32 {
    let s = score(f);
    if s < BOOST_FLOOR {
        return s;
    }
    forest.score(&boost_input(f, s))
}

/// The boosted trees' input: the features, then their linear score `s`, then zeros.
pub fn boost_input(f: &[f32; N], s: f32) -> [f32; super::boost::WIDTH] {
    const { assert!(N < super::boost::WIDTH) };
    let mut x = [0.0; super::boost::WIDTH];
    x[..N].copy_from_slice(f);
    x[N] = s;
    x
}

fn first_clause_len(s: &str) -> usize {
    s.chars()
        .take_while(|c| !matches!(c, '，' | '。' | '、' | '；' | '：' | '！' | '？' | ','))
        .count()
}

fn last_clause_len(s: &str) -> usize {
    s.chars()
        .rev()
        .take_while(|c| !matches!(c, '，' | '。' | '、' | '；' | '：' | '！' | '？' | ','))
        .count()
}

fn head_window(s: &str) -> &str {
    // The last sentence-ish window of the head, minus the two characters at the cut: from
    // character max(0, n − 24) to character n − 2, found from the end.
    let mut offsets = [0usize; 24];
    let mut m = 0;
    for (i, _) in s.char_indices().rev().take(24) {
        offsets[m] = i;
        m += 1;
    }
    if m < 4 {
        return "";
    }
    &s[offsets[m - 1]..offsets[1]]
}

fn tail_window(s: &str) -> &str {
    // Characters 2..26 (fewer when the tail is shorter), none below four characters.
    let mut it = s.char_indices();
    let (Some(_), Some(_), Some((start, _)), Some(_)) =
        (it.next(), it.next(), it.next(), it.next())
    else {
        return "";
    };
    let end = s.char_indices().nth(26).map_or(s.len(), |(i, _)| i);
    &s[start..end]
}

/// `log10` of a word frequency, 0 for a non-word (the table holds words of frequency ≥ 20).
fn word_strength(cs: &[char]) -> f32 {
    words::strength(cs)
}

/// Which of the two paired marks a paragraph leaves open or closes: Chinese quotation marks
/// (`“…”`) and round brackets (`（…）`, `(…)`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Brackets {
    /// A quotation mark.
    pub quote: bool,
    /// A round bracket.
    pub paren: bool,
}

impl Brackets {
    /// The marks `head` opens and does not close by its end (a quotation or an aside the
    /// column break interrupted).
    pub fn open_at_end(head: &str) -> Self {
        let mut open = Brackets::default();
        for c in head.chars() {
            match c {
                '“' => open.quote = true,
                '”' => open.quote = false,
                '（' | '(' => open.paren = true,
                '）' | ')' => open.paren = false,
                _ => {}
            }
        }
        open
    }

    /// The marks `tail` closes before it opens one (it starts inside a quotation or an aside).
    pub fn closed_first(tail: &str) -> Self {
        // By bytes, as most tails hold no mark and used to be decoded to their end: the first
        // ASCII bracket is one `memchr2`, and the other marks (`“` `”` = E2 80 9C/9D, `（` `）`
        // = EF BC 88/89) are looked for only at the lead bytes E2 and EF.
        let bytes = tail.as_bytes();
        let ascii = memchr::memchr2(b'(', b')', bytes).map(|i| (i, bytes[i] == b')'));
        let (mut quote, mut wide) = (None, None);
        for i in memchr::memchr2_iter(0xE2, 0xEF, bytes) {
            if ascii.is_some_and(|(a, _)| a < i) && quote.is_some() {
                break;
            }
            match bytes.get(i..i + 3) {
                Some([0xE2, 0x80, m @ (0x9C | 0x9D)]) => _ = quote.get_or_insert(*m == 0x9D),
                Some([0xEF, 0xBC, m @ (0x88 | 0x89)]) => _ = wide.get_or_insert((i, *m == 0x89)),
                _ => {}
            }
            if quote.is_some() && wide.is_some() {
                break;
            }
        }
        // The first bracket of either width.
        let paren = match (ascii, wide) {
            (Some((a, ca)), Some((w, cw))) => Some(if a < w { ca } else { cw }),
            (a, w) => a.or(w).map(|(_, c)| c),
        };
        Brackets {
            quote: quote.unwrap_or(false),
            paren: paren.unwrap_or(false),
        }
    }
}

/// What the features need from a head paragraph, computed once per paragraph.
#[derive(Debug, Clone, Default)]
pub struct HeadSide {
    /// Its last and second-last characters.
    last: [Option<char>; 2],
    /// Its last six characters, last first.
    h6: Vec<char>,
    /// Ends in `，、：“（《`.
    open_punct: bool,
    /// Length of its last clause in characters.
    last_clause: usize,
    /// Bigram ids of the window before the cut ([`Lexicon::ids`]).
    window: Vec<u32>,
    /// Its last six characters in order (the left side of the jieba feature's text).
    left6: String,
    /// Quotation marks and brackets it leaves open ([`Brackets::open_at_end`]).
    open: Brackets,
    /// Word strength of its last two characters (the `head_word` feature).
    head_word: f32,
    /// Class of its last word for the join language model ([`joinlm::head_class`]), tagged
    /// on first use (only pairs that pass [`JOIN_LM_GATE`] need it).
    join_class: std::cell::OnceCell<Option<u8>>,
}

impl HeadSide {
    /// The head-side facts of `head`.
    pub fn new(lex: &Lexicon, head: &str) -> Self {
        let h6: Vec<char> = head.chars().rev().take(6).collect();
        let last = [h6.first().copied(), h6.get(1).copied()];
        let head_word = match last {
            [Some(a), Some(a2)] => word_strength(&[a2, a]),
            _ => 0.0,
        };
        HeadSide {
            last,
            open_punct: head.ends_with(['，', '、', '：', '“', '（', '《']),
            last_clause: last_clause_len(head),
            window: lex.ids(head_window(head)),
            left6: h6.iter().rev().collect(),
            open: Brackets::open_at_end(head),
            head_word,
            h6,
            join_class: std::cell::OnceCell::new(),
        }
    }
}

/// What the features need from a tail paragraph, computed once per paragraph.
#[derive(Debug, Clone, Default)]
pub struct TailSide {
    /// Its first and second characters.
    first: [Option<char>; 2],
    bad_start: bool,
    lead: bool,
    connector: bool,
    /// Length of its first clause in characters.
    first_clause: usize,
    topic_sentence: bool,
    /// Bigram ids of the window after the cut ([`Lexicon::ids`]).
    window: Vec<u32>,
    /// Its first six characters.
    t6: String,
    /// Quotation marks and brackets it closes before opening any
    /// ([`Brackets::closed_first`]).
    closes: Brackets,
    /// Word strength of its first two characters (the `tail_word` feature).
    tail_word: f32,
    /// Class of its first word for the join language model ([`joinlm::tail_class`]), tagged
    /// on first use.
    join_class: std::cell::OnceCell<Option<u8>>,
}

impl TailSide {
    /// The tail-side facts of `tail`.
    pub fn new(lex: &Lexicon, tail: &str, info: &Info) -> Self {
        Self::with_window(tail, info, lex.ids(tail_window(tail)))
    }

    /// [`TailSide::new`] of the dump's paragraph `i` (`tail`, the text `lex` was built from),
    /// its window's ids taken from the lexicon's own pass instead of hashed again.
    pub fn of_paragraph(lex: &Lexicon, i: usize, tail: &str, info: &Info) -> Self {
        match lex.tail_window_ids(i) {
            Some(ids) => Self::with_window(tail, info, ids.to_vec()),
            None => Self::new(lex, tail, info),
        }
    }

    /// Class of its first word for the join language model ([`joinlm::tail_class`] of its
    /// first six characters), tagged on first use and kept.
    pub fn join_class(&self) -> Option<u8> {
        *self.join_class.get_or_init(|| joinlm::tail_class(&self.t6))
    }

    fn with_window(tail: &str, info: &Info, window: Vec<u32>) -> Self {
        let mut cs = tail.chars();
        let t = [cs.next(), cs.next()];
        let first = first_clause_len(tail);
        // `强化日常保障。由村委…`: a short topic sentence followed by more opens a paragraph
        // (when it opens with a word: `众成为国民关注的领域。` is the end of a cut sentence).
        // Only a first `。` among the first 17 characters can qualify (at most 16 before it),
        // so the search stops there.
        let dot = tail
            .char_indices()
            .take(17)
            .enumerate()
            .find(|(_, (_, c))| *c == '。');
        let topic_sentence = match (dot, t) {
            (Some((k, (dot, _))), [Some(a), Some(b)]) => {
                k <= 16
                    && first == k
                    && tail[dot..].chars().nth(6).is_some()
                    && words::freq(&[a, b]) > 0
            }
            _ => false,
        };
        let tail_word = match t {
            [Some(c1), Some(c2)] => word_strength(&[c1, c2]),
            _ => 0.0,
        };
        TailSide {
            tail_word,
            first: t,
            bad_start: info.bad_start,
            lead: info.lead,
            connector: CONNECTORS.iter().any(|c| tail.starts_with(c)),
            first_clause: first,
            topic_sentence,
            window,
            t6: tail[..tail.char_indices().nth(6).map_or(tail.len(), |(i, _)| i)].to_string(),
            closes: Brackets::closed_first(tail),
            join_class: std::cell::OnceCell::new(),
        }
    }
}

/// The features of the pair (`head`, `tail`).
pub fn features(
    lex: &Lexicon,
    head: &str,
    tail: &str,
    tail_info: &Info,
    place: &Place,
) -> [f32; N] {
    pair_features(
        lex,
        &HeadSide::new(lex, head),
        &TailSide::new(lex, tail, tail_info),
        place,
    )
}

/// The features of a pair from its precomputed sides.
pub fn pair_features(lex: &Lexicon, h: &HeadSide, t: &TailSide, place: &Place) -> [f32; N] {
    pair_features_with(
        lex,
        h,
        t,
        place,
        lex.shared_weight(&h.window, &t.window),
        log_distance(place.distance),
    )
}

/// `ln(1 + distance)`, the `log_distance` feature.
pub fn log_distance(distance: usize) -> f32 {
    (1.0 + distance as f32).ln()
}

/// The head windows' bigrams marked in a dense table, so that the overlap with each tail
/// window costs one lookup per tail bigram instead of a merge of the two lists.
#[derive(Debug, Clone, Default)]
pub struct WindowMarks(Vec<bool>);

impl WindowMarks {
    /// A table for the ids of `lex`.
    pub fn new(lex: &Lexicon) -> Self {
        WindowMarks(vec![false; lex.n_ids()])
    }

    /// Marks (`on`) or clears the bigrams of `h`'s window.
    pub fn set(&mut self, h: &HeadSide, on: bool) {
        for &id in &h.window {
            if let Some(m) = self.0.get_mut(id as usize) {
                *m = on;
            }
        }
    }

    /// `lex.shared_weight(h.window, t.window)` for the marked head `h`: the same weights
    /// summed in the same (ascending id) order, so the same bits.
    pub fn shared(&self, lex: &Lexicon, t: &TailSide) -> f32 {
        let mut s = 0.0f32;
        for &id in &t.window {
            if self.0.get(id as usize).copied().unwrap_or(false) {
                s += lex.id_weight(id);
            }
        }
        s
    }
}

/// [`pair_features`] with its two costlier inputs given: `shared`, the summed weight of the
/// bigrams the head's and the tail's windows share ([`WindowMarks::shared`]), and
/// `log_dist`, [`log_distance`] of `place.distance`.
pub fn pair_features_with(
    lex: &Lexicon,
    h: &HeadSide,
    t: &TailSide,
    place: &Place,
    shared: f32,
    log_dist: f32,
) -> [f32; N] {
    let mut f = [0.0f32; N];
    let b = |x: bool| f32::from(u8::from(x));
    f[0] = b(place.adjacent);
    f[1] = b(t.bad_start);
    f[2] = b(t.lead);
    f[3] = b(t.connector);
    f[4] = b(t.first_clause <= 2 && !t.bad_start);
    f[5] = b(t.topic_sentence);
    f[6] = b(h.open_punct);
    if let (Some(a), Some(c)) = (h.last[0], t.first[0]) {
        if is_han(a) && is_han(c) {
            match lex.count(a, c) {
                0 => {}
                1 => f[7] = 1.0,
                _ => f[8] = 1.0,
            }
            f[9] = word_strength(&[a, c]);
            if let Some(a2) = h.last[1] {
                f[10] = word_strength(&[a2, a, c]);
            }
            if let Some(c2) = t.first[1] {
                f[11] = word_strength(&[a, c, c2]);
            }
        }
        f[12] = b(a.is_ascii_digit() && c.is_ascii_digit());
        f[23] = b(is_han(a));
    }
    if let [Some(c1), Some(c2)] = t.first {
        f[15] = t.tail_word;
        // `…等活动开展|活动，…`: the tail's first word repeated just before the cut.
        if is_han(c1) && is_han(c2) {
            f[13] = b(h.h6.windows(2).any(|w| w[1] == c1 && w[0] == c2));
        }
    }
    f[16] = h.head_word;
    f[14] = shared.min(6.0);
    f[17] = b(place.tail_after_head);
    f[18] = b(place.tail_after_header);
    f[19] = log_dist;
    f[20] = b(place.backwards);
    f[21] = place.topic;
    f[22] = b(h.last_clause + t.first_clause > 30);
    // The tail right before its head: only possible when the head is a whole column.
    f[24] = b(place.backwards && place.distance == 1);
    // The head is followed by a paragraph that opens on its own: its tail is elsewhere.
    if !place.adjacent {
        f[28] = place.head_next_start;
    }
    f[29] = b(place.tail_block_start);
    f[30] = b(place.tail_opens_previous_block);
    f[31] = place.column_match;
    // A quotation or an aside the head leaves open and the tail closes.
    let (open, closes) = (h.open, t.closes);
    f[32] = b(open.quote && closes.quote) + b(open.paren && closes.paren);
    f[33] = b(closes.quote && !open.quote) + b(closes.paren && !open.paren);
    f[34] = b(open.quote && !closes.quote) + b(open.paren && !closes.paren);
    // jieba over the characters around the cut, only for pairs the rest does not already
    // rule out (it costs a segmentation per pair).
    if score(&f) >= JIEBA_GATE {
        f[25] = b(segment::crosses(&h.left6, &t.t6));
    }
    // The join language model, for the pairs that could still reach the matching.
    if score(&f) >= JOIN_LM_GATE {
        let hc = h.join_class.get_or_init(|| joinlm::head_class(&h.left6));
        if let (Some(hc), Some(tc)) = (*hc, t.join_class()) {
            f[26] = joinlm::tail_prior(tc);
            f[27] = joinlm::score(hc, tc);
        }
    }
    // The character trigram model of the join (MSRA), for the pairs the trees score.
    if score(&f) >= BOOST_FLOOR {
        [f[35], f[36]] = charlm::join_features(&h.left6, &t.t6);
    }
    f
}

/// Pairs whose log-odds without the join language model fall below this never get it: with
/// their weights (≈ 0.46 and 0.44) and the tables' largest entries (5) the two features add
/// at most ≈ 4.5, so such pairs could not reach the matching threshold (−3) anyway
/// (`join_lm_gate_is_safe` checks it).
pub const JOIN_LM_GATE: f32 = -7.6;

/// Pairs whose log-odds without the jieba feature fall below this never get it: with its
/// weight (≈ 3.1) they could not reach the matching threshold (−3) anyway.
pub const JIEBA_GATE: f32 = -6.0;

/// The neighbourhood vector of a paragraph and the one before (`before`) or after it.
pub fn context(lex: &Lexicon, items: &[usize], k: usize, before: bool) -> Vector {
    let other = if before {
        k.checked_sub(1)
    } else {
        Some(k + 1).filter(|&j| j < items.len())
    };
    lex.vector(std::iter::once(items[k]).chain(other.map(|j| items[j])))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `closed_first` as a scan of every character, kept as the reference.
    fn closed_first_chars(tail: &str) -> Brackets {
        let (mut quote, mut paren) = (None, None);
        for c in tail.chars() {
            match c {
                '“' => _ = quote.get_or_insert(false),
                '”' => _ = quote.get_or_insert(true),
                '（' | '(' => _ = paren.get_or_insert(false),
                '）' | ')' => _ = paren.get_or_insert(true),
                _ => {}
            }
        }
        Brackets {
            quote: quote.unwrap_or(false),
            paren: paren.unwrap_or(false),
        }
    }

    proptest::proptest! {
        #[test]
        fn closed_first_by_bytes_equals_the_character_scan(
            s in "[“”（）()，：。a甲乙\\u{2000}-\\u{2030}\\u{FF00}-\\u{FF10}]{0,24}"
        ) {
            proptest::prop_assert_eq!(Brackets::closed_first(&s), closed_first_chars(&s));
        }
    }

    #[test]
    fn brackets_left_open_by_a_head_and_closed_first_by_a_tail() {
        let open = Brackets::open_at_end("他说：“我觉得今天（第三轮");
        assert_eq!(
            open,
            Brackets {
                quote: true,
                paren: true
            }
        );
        let closed = Brackets::open_at_end("他说：“好。”随后（略）离开");
        assert_eq!(closed, Brackets::default());
        assert_eq!(
            Brackets::closed_first("比赛输了。”他说（完）"),
            Brackets {
                quote: true,
                paren: false
            }
        );
        assert_eq!(
            Brackets::closed_first("轮）的情况下，“仍然”取得"),
            Brackets {
                quote: false,
                paren: true
            }
        );
        assert_eq!(Brackets::closed_first("“开头”的引号"), Brackets::default());
    }

    #[test]
    fn a_tail_closing_the_heads_quotation_scores_higher_than_one_that_does_not() {
        let lex = Lexicon::new(&[]);
        let info = super::super::kinds::classify(&["今天虽然比赛输了。”".to_string()]);
        let place = Place::default();
        let head = "他赛后说：“我觉得";
        let closing = features(&lex, head, "今天虽然比赛输了。”", &info[0], &place);
        let plain = features(&lex, head, "今天虽然比赛输了。", &info[0], &place);
        assert_eq!((closing[32], closing[34]), (1.0, 0.0));
        assert_eq!((plain[32], plain[34]), (0.0, 1.0));
        assert!(score(&closing) > score(&plain) + 3.0);
    }

    /// The window as first written: every character's offset collected.
    fn head_window_slow(s: &str) -> &str {
        let chars: Vec<(usize, char)> = s.char_indices().collect();
        let n = chars.len();
        if n < 4 {
            return "";
        }
        &s[chars[n.saturating_sub(24)].0..chars[n - 2].0]
    }

    fn tail_window_slow(s: &str) -> &str {
        let chars: Vec<(usize, char)> = s.char_indices().take(26).collect();
        if chars.len() < 4 {
            return "";
        }
        let end = chars.last().map_or(s.len(), |(i, c)| i + c.len_utf8());
        &s[chars[2].0..end]
    }

    #[test]
    fn tail_window_and_first_six_equal_the_collected_characters() {
        let all = "一二三四五六七八九十abc，。甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥";
        let chars: Vec<char> = all.chars().collect();
        for n in 0..chars.len() {
            let s: String = chars[..n].iter().collect();
            assert_eq!(tail_window(&s), tail_window_slow(&s), "{s}");
            let info = super::super::kinds::classify(std::slice::from_ref(&s));
            for i in &info {
                let t = TailSide::new(&Lexicon::default(), &s, i);
                assert_eq!(t.t6, s.chars().take(6).collect::<String>());
            }
        }
    }

    #[test]
    fn head_window_from_the_end_equals_the_full_scan() {
        let long = "近日，胶南街道组织党员开展纠纷调解工作，让党员的作用充分发挥，推动工作";
        for s in [
            "",
            "一",
            "一二三",
            "一二三四",
            "ab推动工作",
            long,
            &long[3..],
        ] {
            assert_eq!(head_window(s), head_window_slow(s), "{s}");
        }
        assert_eq!(head_window("一二三四五"), "一二三");
    }

    #[test]
    fn marked_overlap_equals_the_merge() {
        let paras: Vec<String> = [
            "胶南街道党委书记说胶南街道很好，开展纠纷调解工",
            "作，胶南街道组织开展活动。",
            "珙县创建文明城市工作。",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
        let lex = Lexicon::new(&paras);
        let infos = super::super::kinds::classify(&paras);
        let mut marks = WindowMarks::new(&lex);
        let mut hits = 0;
        for h in &paras {
            let hs = HeadSide::new(&lex, h);
            marks.set(&hs, true);
            for (t, info) in paras.iter().zip(&infos) {
                let ts = TailSide::new(&lex, t, info);
                let merged = lex.shared_weight(&hs.window, &ts.window);
                assert_eq!(marks.shared(&lex, &ts).to_bits(), merged.to_bits());
                hits += usize::from(merged > 0.0);
            }
            marks.set(&hs, false);
        }
        assert!(hits >= 3, "{hits}");
        assert!(marks.0.iter().all(|m| !m));
    }

    #[test]
    fn the_join_model_prefers_a_continuation_to_a_paragraph_start() {
        let head = "比赛中，球队的防守一直都做得很好，而对美国自身而言，";
        let good = "持续推演贸易战并不是一件好事。";
        let bad = "大家好，我是技巧君！今天说说挥杆。";
        let paras: Vec<String> = [head, good, bad].iter().map(|s| (*s).to_string()).collect();
        let lex = Lexicon::new(&paras);
        let infos = super::super::kinds::classify(&paras);
        let place = Place {
            adjacent: true,
            distance: 1,
            ..Place::default()
        };
        let f = |k: usize| features(&lex, head, &paras[k], &infos[k], &place);
        let (fg, fb) = (f(1), f(2));
        let lm = |x: &[f32; N]| x[26] + x[27];
        // Both pairs pass the gate (adjacent), and only the language model tells them apart
        // beyond the lexical features: it must favour the continuation.
        assert!(score(&fg) >= JOIN_LM_GATE && score(&fb) >= JOIN_LM_GATE);
        assert!(lm(&fg) > lm(&fb), "{} vs {}", lm(&fg), lm(&fb));
        assert!(score(&fg) > score(&fb));
        // Below the gate the model is not consulted.
        let far = Place {
            distance: 200,
            ..Place::default()
        };
        let ff = features(&lex, head, bad, &infos[2], &far);
        assert!(score(&ff) < JOIN_LM_GATE);
        assert_eq!((ff[26], ff[27]), (0.0, 0.0));
    }

    #[test]
    fn join_lm_gate_is_safe() {
        let most = |table: &[i16]| f32::from(table.iter().copied().max().unwrap_or(0)) / 100.0;
        let k = NAMES.iter().position(|n| *n == "tail_lm").unwrap_or(0);
        let gain = WEIGHTS[k] * most(&joinlm::START) + WEIGHTS[k + 1] * most(&joinlm::TABLE);
        assert_eq!(NAMES[k + 1], "join_lm");
        assert!(gain > 0.0);
        assert!(
            JOIN_LM_GATE + gain <= super::super::rejoin::THRESHOLD,
            "{gain}"
        );
    }

    #[test]
    fn paragraph_tail_windows_equal_the_hashed_ones() {
        let all = "一二三四五六七八九十abc，。甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥天地玄黄";
        let chars: Vec<char> = all.chars().collect();
        // Every prefix and suffix, so windows start and end on and off CJK characters.
        let mut paras: Vec<String> = (0..=chars.len())
            .map(|n| chars[..n].iter().collect())
            .collect();
        paras.extend((0..chars.len()).map(|n| chars[n..].iter().collect::<String>()));
        paras.push("甲乙甲乙甲乙甲乙甲乙甲乙甲乙甲乙甲乙甲乙甲乙甲乙甲乙甲乙".to_string());
        let lex = Lexicon::new(&paras);
        let infos = super::super::kinds::classify(&paras);
        let mut nonempty = 0;
        for (i, (p, info)) in paras.iter().zip(&infos).enumerate() {
            let fast = TailSide::of_paragraph(&lex, i, p, info);
            let slow = TailSide::new(&lex, p, info);
            assert_eq!(fast.window, slow.window, "{p}");
            assert_eq!(fast.window, lex.ids(tail_window(p)), "{p}");
            nonempty += usize::from(!fast.window.is_empty());
        }
        assert!(nonempty > 40, "{nonempty}");
        assert_eq!(lex.tail_window_ids(paras.len()), None);
    }
}
