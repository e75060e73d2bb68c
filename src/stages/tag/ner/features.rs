//! Hashed features of one character: character unigrams and bigrams in a ±2 window, the
//! trigram around it, and the character's position in its jieba word with that word's POS tag
//! (plus the word's identity and the previous word's POS).
//!
//! Every feature is a template number plus a few values, hashed (a fixed multiply–xor mix,
//! identical on every platform) to a row of a `2^bits`-row table. Features that share a key
//! share a cache line: the five unigram features of a character (it is the −2, −1, 0, +1 and
//! +2 character of five positions) are five consecutive rows, the four bigram features of a
//! character pair are the four rows of one aligned 64-byte line, and a word's features are
//! consecutive rows by position in the word. So a character costs about one new line for its
//! unigrams and one for its bigram instead of nine, and the table keeps the same load per row
//! (collisions are as likely as with independent hashing, only grouped).
//!
//! Changing anything here changes what the weights mean: bump [`FEATURE_VERSION`] and retrain.

/// Version of the feature set, stored in the model file and checked on load.
pub const FEATURE_VERSION: u32 = 3;

/// Number of features per character.
pub const N_FEATURES: usize = 15;

/// What the tagger knows about one character of a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CharInfo {
    /// The character as a code point.
    pub c: u32,
    /// Position in its jieba word: 0 begin, 1 middle, 2 end, 3 single.
    pub wp: u8,
    /// Hash of the word's POS tag.
    pub pos: u32,
    /// Hash of the word itself (0 for one-character words).
    pub word: u32,
    /// Hash of the previous word's POS tag (0 at the start).
    pub prev_pos: u32,
}

/// Code points used for the characters before the start and after the end of a sentence.
const BOS: u32 = 0x11_0001;
const EOS: u32 = 0x11_0002;

/// 32-bit FNV-1a of `s`: a stable identity for words and POS tags.
pub fn fnv(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Appends the [`CharInfo`] of every character of the tagged words `(word, pos)`, in order.
pub fn push_word(word: &str, pos: &str, out: &mut Vec<CharInfo>) {
    let pos_h = fnv(pos);
    let prev_pos = out.last().map_or(0, |p| p.pos);
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return;
    };
    if chars.as_str().is_empty() {
        out.push(CharInfo {
            c: u32::from(first),
            wp: 3,
            pos: pos_h,
            word: 0,
            prev_pos,
        });
        return;
    }
    let word_h = fnv(word);
    let start = out.len();
    for c in word.chars() {
        out.push(CharInfo {
            c: u32::from(c),
            wp: 1,
            pos: pos_h,
            word: word_h,
            prev_pos,
        });
    }
    if let Some(f) = out.get_mut(start) {
        f.wp = 0;
    }
    if let Some(l) = out.last_mut() {
        l.wp = 2;
    }
}

const K1: u64 = 0x9E37_79B9_7F4A_7C15;
const K2: u64 = 0xC2B2_AE3D_27D4_EB4F;

/// Hashes a template number and two values to 64 well-mixed bits.
#[inline]
fn mix(template: u64, a: u64, b: u64) -> u64 {
    let mut x = (template.wrapping_add(1)).wrapping_mul(K1) ^ a;
    x = x.wrapping_mul(K2) ^ b;
    x = x.wrapping_mul(K1);
    x ^= x >> 31;
    x.wrapping_mul(K2)
}

/// A single row of a `2^bits`-row table: the top `bits` bits (bits ≤ 26, so it fits u32).
#[inline]
fn single(h: u64, bits: u32) -> u32 {
    (h >> (64 - bits)) as u32
}

/// The first of `g` consecutive rows starting anywhere in the table (multiply-shift range
/// reduction of the top 32 bits onto `0..=2^bits − g`).
#[inline]
fn group(h: u64, bits: u32, g: u64) -> u32 {
    (((h >> 32) * ((1u64 << bits) - g + 1)) >> 32) as u32
}

/// The first of the four rows of a 4-row-aligned group (one 64-byte line of 16-byte rows).
#[inline]
fn line4(h: u64, bits: u32) -> u32 {
    ((h >> (64 - (bits - 2))) << 2) as u32
}

/// Template numbers (the first argument of the hash; part of the model's meaning).
mod template {
    pub const BIAS: u64 = 0;
    pub const UNIGRAM: u64 = 1;
    pub const BIGRAM: u64 = 6;
    pub const POS: u64 = 12;
    pub const POS_CHAR: u64 = 13;
    pub const WORD: u64 = 14;
    pub const TRIGRAM: u64 = 15;
    pub const POS_PREV_POS: u64 = 16;
}

/// Reusable buffers for [`rows`].
#[derive(Debug, Default)]
pub struct RowScratch {
    /// Per padded position (two before the sentence, two after): its unigram group.
    uni: Vec<u32>,
    /// Per padded position: the bigram group of it and the next one.
    bi: Vec<u32>,
}

/// Writes the table rows of the [`N_FEATURES`] features of every character of `s` into `out`
/// (one array per character): bias; the unigram rows of the characters at −2..+2; the bigram
/// rows (−2,−1) (−1,0) (0,1) (1,2); the position in the word with its POS; the same with the
/// character; the position with the word itself; the trigram (−1,0,+1); and the position and
/// POS with the previous word's POS.
pub fn rows(s: &[CharInfo], bits: u32, scratch: &mut RowScratch, out: &mut Vec<[u32; N_FEATURES]>) {
    out.clear();
    let n = s.len();
    let padded = |p: usize| -> u64 {
        match p {
            0 | 1 => u64::from(BOS),
            _ => s.get(p - 2).map_or(u64::from(EOS), |c| u64::from(c.c)),
        }
    };
    let RowScratch { uni, bi } = scratch;
    uni.clear();
    bi.clear();
    uni.extend((0..n + 4).map(|p| group(mix(template::UNIGRAM, padded(p), 0), bits, 5)));
    bi.extend((0..n + 3).map(|p| line4(mix(template::BIGRAM, padded(p), padded(p + 1)), bits)));
    let bias = single(mix(template::BIAS, 0, 0), bits);
    out.reserve(n);
    for (i, ci) in s.iter().enumerate() {
        // Padded position of character i; every index below is within 0..n+4 / 0..n+3.
        let p = i + 2;
        let (u, b) = (&uni[p - 2..p + 3], &bi[p - 2..p + 2]);
        let (cm1, c0, cp1) = (padded(p - 1), u64::from(ci.c), padded(p + 1));
        let wp = u64::from(ci.wp);
        let wp_pos = wp << 32 | u64::from(ci.pos);
        let word = group(mix(template::WORD, u64::from(ci.word), 0), bits, 4) + u32::from(ci.wp);
        out.push([
            bias,
            u[0],
            u[1] + 1,
            u[2] + 2,
            u[3] + 3,
            u[4] + 4,
            b[0],
            b[1] + 1,
            b[2] + 2,
            b[3] + 3,
            single(mix(template::POS, wp, u64::from(ci.pos)), bits),
            single(mix(template::POS_CHAR, wp_pos, c0), bits),
            word,
            single(mix(template::TRIGRAM, cm1 << 21 | c0, cp1), bits),
            single(
                mix(template::POS_PREV_POS, wp_pos, u64::from(ci.prev_pos)),
                bits,
            ),
        ]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(words: &[(&str, &str)]) -> Vec<CharInfo> {
        let mut s = Vec::new();
        for (w, p) in words {
            push_word(w, p, &mut s);
        }
        s
    }

    fn rows_of(s: &[CharInfo], bits: u32) -> Vec<[u32; N_FEATURES]> {
        let mut out = Vec::new();
        rows(s, bits, &mut RowScratch::default(), &mut out);
        out
    }

    #[test]
    fn word_positions_follow_the_segmentation() {
        let s = sentence(&[("北京市", "ns"), ("在", "p"), ("2021", "m")]);
        let wp: Vec<u8> = s.iter().map(|c| c.wp).collect();
        assert_eq!(wp, vec![0, 1, 2, 3, 0, 1, 1, 2]);
        assert_eq!(s[0].pos, fnv("ns"));
        assert_eq!(s[0].word, fnv("北京市"));
        assert_eq!(s[3].word, 0);
        assert_eq!((s[3].prev_pos, s[4].prev_pos), (fnv("ns"), fnv("p")));
    }

    #[test]
    fn rows_are_in_range_and_mostly_distinct() {
        let bits = 12;
        let s = sentence(&[("北京市", "ns"), ("人民", "n")]);
        let r = rows_of(&s, bits);
        assert_eq!(r.len(), s.len());
        for f in &r {
            assert!(f.iter().all(|&b| b < 1 << bits), "{f:?}");
            let distinct: std::collections::HashSet<u32> = f.iter().copied().collect();
            assert!(distinct.len() >= N_FEATURES - 2, "{f:?}");
        }
    }

    /// A character's unigram rows are one group used at five positions, and a bigram's four
    /// rows are one aligned line used at four positions.
    #[test]
    fn shared_keys_share_a_group() {
        let s = sentence(&[
            ("张", "nr"),
            ("三", "nr"),
            ("说", "v"),
            ("好", "a"),
            ("的", "u"),
        ]);
        let r = rows_of(&s, 16);
        // Character 2 (说) is the +2, +1, 0, −1, −2 character of positions 0..=4.
        let group: Vec<u32> = (0..5).map(|i| r[i][5 - i] - (4 - i as u32)).collect();
        assert!(group.windows(2).all(|w| w[0] == w[1]), "{group:?}");
        // The bigram (说, 好) is (1,2) of position 1, (0,1) of 2, (−1,0) of 3, (−2,−1) of 4.
        let line: Vec<u32> = (1..5).map(|i| r[i][10 - i] - (4 - i as u32)).collect();
        assert!(line.windows(2).all(|w| w[0] == w[1]), "{line:?}");
        assert_eq!(line[0] % 4, 0);
    }

    #[test]
    fn context_changes_the_features() {
        let a = sentence(&[("张三", "nr"), ("说", "v")]);
        let b = sentence(&[("张三", "nr"), ("去", "v")]);
        let (fa, fb) = (rows_of(&a, 18), rows_of(&b, 18));
        // For the first character only the +2 unigram and the (1,2) bigram see the difference.
        let differ = fa[0].iter().zip(&fb[0]).filter(|(x, y)| x != y).count();
        assert_eq!(differ, 2);
    }
}
