//! The ground truth written next to each generated dump, and the random source that makes
//! generation deterministic by seed.

use serde::{Deserialize, Serialize};

/// What a piece of dump text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PieceRole {
    /// An article's title line.
    Title,
    /// Its subtitle line.
    Subtitle,
    /// Its byline line.
    Byline,
    /// A section heading.
    Heading,
    /// Body text (a whole paragraph or one part of a broken one).
    Body,
    /// Page furniture that must be removed.
    Furniture,
    /// A verbatim repeat of the body piece before it, which must be dropped.
    Duplicate,
}

/// One paragraph of the dump, in dump order, with where it truly belongs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Piece {
    /// The piece's text as clean output should carry it (normalised).
    pub text: String,
    /// What it is.
    pub role: PieceRole,
    /// Index of its article in `Truth::articles` (none for furniture).
    pub article: Option<usize>,
    /// Index of its paragraph in the article's `paragraphs` (body and headings).
    pub para: Option<usize>,
    /// Part number inside a broken paragraph (0 for the head).
    pub part: usize,
}

/// One article as a perfect split + clean would output it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TruthArticle {
    /// Title, `null` for a photo caption.
    pub title: Option<String>,
    /// Subtitle without dashes.
    pub subtitle: Option<String>,
    /// Author names.
    pub authors: Vec<String>,
    /// Dateline marker.
    pub dateline: Option<String>,
    /// `article`, `brief` or `photo_caption`.
    pub kind: String,
    /// Section headings in order.
    pub headings: Vec<String>,
    /// Paragraphs (headings included) in reading order.
    pub paragraphs: Vec<String>,
}

/// The ground truth of one generated dump.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Truth {
    /// The dump's file name.
    pub file: String,
    /// Encoding the dump was written in.
    pub encoding: String,
    /// Articles in order of their first appearance.
    pub articles: Vec<TruthArticle>,
    /// Every paragraph of the dump in dump order.
    pub pieces: Vec<Piece>,
}

/// SplitMix64: a tiny, well-mixed, seedable generator (no dependency needed for test data).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// A uniform number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// A random element.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    /// Shuffles in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i + 1);
            xs.swap(i, j);
        }
    }
}
