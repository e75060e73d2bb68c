//! A lexicon of common two- and three-character words with their frequencies, for the
//! word-crossing test of column breaks (`有力推|动财政` → `推动`).
//!
//! The list is jieba's dictionary (MIT licence, shipped with jieba-rs) reduced to all-Han
//! words of two or three characters with frequency ≥ 20 (`config/words.txt.gz`, 63k words,
//! 330 kB). It is compiled in and parsed once on first use into an immutable table, so split
//! keeps its plain `split(&str)` signature and needs no model from the caller.

use std::io::Read;
use std::sync::OnceLock;

use super::lexical::CodeMap;

const WORDS_GZ: &[u8] = include_bytes!("../../../config/words.txt.gz");

fn key(cs: &[char]) -> u64 {
    cs.iter()
        .fold(0u64, |k, &c| (k << 21) | u64::from(c as u32))
}

/// Word → (frequency, `log10` of the frequency).
fn table() -> &'static CodeMap<u64, (u32, f32)> {
    static TABLE: OnceLock<CodeMap<u64, (u32, f32)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut text = String::new();
        let mut map = CodeMap::default();
        // The table is compiled in; a corrupt build leaves it empty rather than failing split.
        if flate2::read::GzDecoder::new(WORDS_GZ)
            .read_to_string(&mut text)
            .is_err()
        {
            return map;
        }
        for line in text.lines() {
            let mut it = line.split(' ');
            let (Some(w), Some(f)) = (it.next(), it.next()) else {
                continue;
            };
            let cs: Vec<char> = w.chars().collect();
            if let Ok(f) = f.parse::<u32>() {
                map.insert(key(&cs), (f, strength_of(f)));
            }
        }
        map
    })
}

/// Frequency of the word made of `cs` (two or three characters), 0 when not a word.
pub fn freq(cs: &[char]) -> u32 {
    if !(2..=3).contains(&cs.len()) {
        return 0;
    }
    table().get(&key(cs)).map_or(0, |e| e.0)
}

/// `log10` of a frequency, 0 for a non-word.
fn strength_of(f: u32) -> f32 {
    if f == 0 {
        0.0
    } else {
        (f as f32).log10()
    }
}

/// `log10` of the frequency of the word made of `cs`, 0 when not a word: the same value as
/// computing it from [`freq`], looked up instead of recomputed.
pub fn strength(cs: &[char]) -> f32 {
    if !(2..=3).contains(&cs.len()) {
        return 0.0;
    }
    table().get(&key(cs)).map_or(0.0, |e| e.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_words_are_known() {
        assert!(freq(&['推', '动']) > 1000);
        assert!(freq(&['工', '作']) > 1000);
        assert_eq!(freq(&['建', '活']), 0);
        assert!(freq(&['生', '产', '力']) > 0);
        for w in [
            &['推', '动'][..],
            &['建', '活'],
            &['生', '产', '力'],
            &['推'],
        ] {
            assert_eq!(strength(w).to_bits(), strength_of(freq(w)).to_bits());
        }
        assert!(strength(&['推', '动']) > 3.0);
    }
}
