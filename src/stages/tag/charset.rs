//! Character sets for the rules' per-character and per-word filters.
//!
//! - [`CharList`]: a fixed list (organisation-suffix endings, numerals, …) behind a 1,024-bit
//!   hashed filter built at compile time, so the common answer — "not in the list" — costs a
//!   multiply and a bit test instead of a scan; members are confirmed against the list.
//! - [`PairSet`]: a hashed filter built at run time over a block's adjacent character pairs
//!   (false positives, never false negatives), to skip looking for a text the block lacks.

/// The filter bit of `c` among `64 × words` bits (multiplicative hashing, top bits).
const fn slot(c: char, words: usize) -> (usize, u64) {
    let h = (c as u32).wrapping_mul(0x9E37_79B9);
    let bits = (words * 64).trailing_zeros();
    let h = h >> (32 - bits);
    ((h >> 6) as usize, 1u64 << (h & 63))
}

/// A fixed list of characters with a hashed filter in front (exact membership).
#[derive(Debug)]
pub struct CharList {
    bits: [u64; 16],
    chars: &'static [char],
}

impl CharList {
    /// The set of `chars` (built at compile time when used in a `const`).
    pub const fn new(chars: &'static [char]) -> Self {
        let mut bits = [0u64; 16];
        let mut i = 0;
        while i < chars.len() {
            let (w, b) = slot(chars[i], 16);
            bits[w] |= b;
            i += 1;
        }
        CharList { bits, chars }
    }

    /// Is `c` one of the characters?
    #[inline]
    pub fn contains(&self, c: char) -> bool {
        let (w, b) = slot(c, 16);
        self.bits[w] & b != 0 && self.chars.contains(&c)
    }

    /// The characters, as given.
    pub fn chars(&self) -> &'static [char] {
        self.chars
    }
}

/// A 4,096-bit set of the adjacent character pairs of a block (hashed: false positives, no
/// false negatives): a text of two or more characters occurs in the block only if its first
/// and its last pair are in the set.
pub struct PairSet([u64; 64]);

impl PairSet {
    fn slot(a: char, b: char) -> (usize, u64) {
        let h = (u64::from(a) << 21 | u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52;
        ((h >> 6) as usize, 1u64 << (h & 63))
    }

    /// The set of the pairs of `chars`.
    pub fn of(chars: &[char]) -> Self {
        let mut bits = [0u64; 64];
        for w in chars.windows(2) {
            let (i, b) = Self::slot(w[0], w[1]);
            bits[i] |= b;
        }
        PairSet(bits)
    }

    /// Might `text` occur in the block? Always true when it does; texts of fewer than two
    /// characters are always let through.
    #[inline]
    pub fn may_contain_ends(&self, text: &[char]) -> bool {
        let has = |a: char, b: char| {
            let (i, bit) = Self::slot(a, b);
            self.0[i] & bit != 0
        };
        match text {
            [a, b, ..] if !has(*a, *b) => false,
            [.., y, z] => has(*y, *z),
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: CharList = CharList::new(&['局', '委', 'a', '0', '〇']);

    #[test]
    fn char_list_is_exact() {
        for c in ('\0'..='\u{ffff}').chain(['\u{10000}', '\u{10ffff}']) {
            assert_eq!(LIST.contains(c), LIST.chars().contains(&c), "{c:?}");
        }
    }

    #[test]
    fn pair_set_never_misses_a_text() {
        let chars: Vec<char> = "召陵区财政局大邓陶村党支部abc".chars().collect();
        let set = PairSet::of(&chars);
        for i in 0..chars.len() {
            for j in i..=chars.len() {
                assert!(set.may_contain_ends(&chars[i..j]), "{i}..{j}");
            }
        }
        let absent = ["财政厅", "党委", "陶村长", "abd"]
            .iter()
            .filter(|t| !set.may_contain_ends(&t.chars().collect::<Vec<_>>()))
            .count();
        assert!(absent >= 3, "too many false positives");
    }
}
