//! Hashed features of one character: character uni/bigrams in a ±2 window, character types,
//! the trigram around it, and the character's position in its jieba word with that word's POS
//! tag (plus the word's identity and the previous word's POS).
//!
//! Every feature is a template number plus a few values, hashed (a fixed multiply–xor mix,
//! identical on every platform) into `2^bits` buckets. Changing anything here changes what
//! the weights mean: bump [`FEATURE_VERSION`] and retrain.

/// Version of the feature set, stored in the model file and checked on load.
pub const FEATURE_VERSION: u32 = 2;

/// Number of features per character.
pub const N_FEATURES: usize = 17;

/// What the tagger knows about one character of a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CharInfo {
    /// The character as a code point.
    pub c: u32,
    /// Its [`char_type`].
    pub ty: u8,
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

/// A coarse class of the character: 1 digit, 2 Chinese numeral, 3 Latin letter, 4 other CJK
/// ideograph, 5 punctuation or space, 6 anything else (0 is kept for padding).
pub fn char_type(c: char) -> u8 {
    match c {
        '0'..='9' | '０'..='９' => 1,
        '〇' | '零' | '一' | '二' | '两' | '三' | '四' | '五' | '六' | '七' | '八' | '九'
        | '十' | '百' | '千' | '万' | '亿' => 2,
        'a'..='z' | 'A'..='Z' | 'ａ'..='ｚ' | 'Ａ'..='Ｚ' => 3,
        '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{20000}'..='\u{2ffff}' => 4,
        _ if c.is_whitespace() || c.is_ascii_punctuation() => 5,
        '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}' | '\u{2000}'..='\u{206f}' => 5,
        _ => 6,
    }
}

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
    let n = word.chars().count();
    let pos_h = fnv(pos);
    let word_h = if n > 1 { fnv(word) } else { 0 };
    let prev_pos = out.last().map_or(0, |p| p.pos);
    for (k, c) in word.chars().enumerate() {
        let wp = match (k, n) {
            (_, 1) => 3,
            (0, _) => 0,
            (k, n) if k + 1 == n => 2,
            _ => 1,
        };
        out.push(CharInfo {
            c: u32::from(c),
            ty: char_type(c),
            wp,
            pos: pos_h,
            word: word_h,
            prev_pos,
        });
    }
}

const K1: u64 = 0x9E37_79B9_7F4A_7C15;
const K2: u64 = 0xC2B2_AE3D_27D4_EB4F;

/// Hashes a template number and two values into a bucket of a `2^bits` table.
#[inline]
pub fn bucket(template: u64, a: u64, b: u64, bits: u32) -> u32 {
    let mut x = (template.wrapping_add(1)).wrapping_mul(K1) ^ a;
    x = x.wrapping_mul(K2) ^ b;
    x = x.wrapping_mul(K1);
    x ^= x >> 31;
    // Top `bits` bits of a final multiply: bits ≤ 32, so the shift result fits u32.
    (x.wrapping_mul(K2) >> (64 - bits)) as u32
}

/// Writes the buckets of the [`N_FEATURES`] features of character `i` of `s` into `out`.
#[inline]
pub fn extract(s: &[CharInfo], i: usize, bits: u32, out: &mut [u32; N_FEATURES]) {
    let at = |k: isize| -> (u64, u64) {
        let j = i as isize + k;
        if j < 0 {
            (u64::from(BOS), 0)
        } else {
            match s.get(j as usize) {
                Some(ci) => (u64::from(ci.c), u64::from(ci.ty)),
                None => (u64::from(EOS), 0),
            }
        }
    };
    let (cm2, tm2) = at(-2);
    let (cm1, tm1) = at(-1);
    let (c0, t0) = at(0);
    let (cp1, tp1) = at(1);
    let (cp2, tp2) = at(2);
    let (wp, pos, word, prev_pos) = match s.get(i) {
        Some(ci) => (
            u64::from(ci.wp),
            u64::from(ci.pos),
            u64::from(ci.word),
            u64::from(ci.prev_pos),
        ),
        None => (0, 0, 0, 0),
    };
    out[0] = bucket(0, 0, 0, bits);
    out[1] = bucket(1, cm2, 0, bits);
    out[2] = bucket(2, cm1, 0, bits);
    out[3] = bucket(3, c0, 0, bits);
    out[4] = bucket(4, cp1, 0, bits);
    out[5] = bucket(5, cp2, 0, bits);
    out[6] = bucket(6, cm2, cm1, bits);
    out[7] = bucket(7, cm1, c0, bits);
    out[8] = bucket(8, c0, cp1, bits);
    out[9] = bucket(9, cp1, cp2, bits);
    out[10] = bucket(10, cm1, cp1, bits);
    out[11] = bucket(11, tm1 << 16 | t0 << 8 | tp1, tm2 << 8 | tp2, bits);
    out[12] = bucket(12, wp, pos, bits);
    out[13] = bucket(13, wp << 32 | pos, c0, bits);
    out[14] = bucket(14, wp, word, bits);
    out[15] = bucket(15, cm1 << 21 | c0, cp1, bits);
    out[16] = bucket(16, wp << 32 | pos, prev_pos, bits);
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

    #[test]
    fn word_positions_and_types_follow_the_segmentation() {
        let s = sentence(&[("北京市", "ns"), ("在", "p"), ("2021", "m")]);
        let wp: Vec<u8> = s.iter().map(|c| c.wp).collect();
        assert_eq!(wp, vec![0, 1, 2, 3, 0, 1, 1, 2]);
        assert_eq!(s[0].pos, fnv("ns"));
        assert_eq!(s[3].word, 0);
        assert_eq!(
            (s[0].ty, s[4].ty, char_type('，'), char_type('五')),
            (4, 1, 5, 2)
        );
    }

    #[test]
    fn buckets_are_stable_in_range_and_template_specific() {
        let bits = 18;
        let s = sentence(&[("北京市", "ns"), ("人民", "n")]);
        let mut f = [0u32; N_FEATURES];
        for i in 0..s.len() {
            extract(&s, i, bits, &mut f);
            assert!(f.iter().all(|&b| b < 1 << bits));
            let distinct: std::collections::HashSet<u32> = f.iter().copied().collect();
            assert!(distinct.len() >= N_FEATURES - 1, "collisions at {i}: {f:?}");
        }
        // Same character, different templates → different buckets.
        assert_ne!(bucket(1, 20013, 0, bits), bucket(2, 20013, 0, bits));
    }

    #[test]
    fn context_changes_the_features() {
        let a = sentence(&[("张三", "nr"), ("说", "v")]);
        let b = sentence(&[("张三", "nr"), ("去", "v")]);
        let (mut fa, mut fb) = ([0u32; N_FEATURES], [0u32; N_FEATURES]);
        extract(&a, 0, 18, &mut fa);
        extract(&b, 0, 18, &mut fb);
        // Only the +2 unigram and the +1/+2 bigram see the difference.
        let differ = fa.iter().zip(&fb).filter(|(x, y)| x != y).count();
        assert_eq!(differ, 2);
    }
}
