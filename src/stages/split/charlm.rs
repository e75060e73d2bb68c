//! A character trigram language model of the join across a column cut: how much more likely
//! the tail's first two characters are as the continuation of the head's last two than as
//! the start of a new sentence (`有力推|动财政`: `推动` runs on, `动` rarely opens one).
//!
//! Trained on the MSRA NER training corpus (50,289 sentences, 2.15M characters; research use,
//! see `NOTICE`) by `examples/charlm_fit.rs`, unpruned, with interpolated (Witten–Bell-like,
//! constant [`K`]) estimates:
//!
//! - `pu(x) = (U[x] + ½) / (N + ½V)`
//! - `pb(x,y) = λ·B[xy]/B1[x] + (1−λ)·pu(y)`, `λ = B1[x]/(B1[x]+K)`
//! - `pt(x,y,z) = λ·T[xyz]/T2[xy] + (1−λ)·pb(y,z)`, `λ = T2[xy]/(T2[xy]+K)`
//! - `ps1(x) = λ·S1[x]/NS + (1−λ)·pu(x)`, `λ = NS/(NS+K)` (sentence-initial character)
//! - `ps2(x,y) = λ·S2[xy]/S1[x] + (1−λ)·pb(x,y)`, `λ = S1[x]/(S1[x]+K)`
//!
//! where `U`, `B`, `T` count characters, bigrams and trigrams inside sentences, `B1[x]` and
//! `T2[xy]` count those followed by another character, `S1`/`S2` count sentence openings,
//! `N` characters, `V` distinct characters and `NS` sentences. Characters are normalised
//! first ([`norm`]). The features are `ln pt(h2,h1,t1) − ln ps1(t1)` and
//! `ln pt(h1,t1,t2) − ln ps2(t1,t2)`: the reference is a Python script of the lead's, which
//! this reproduces to float precision.
//!
//! The model file (`models/charlm.bin.gz`, gzip of the bytes [`fit`] returns) holds counts:
//! after the [`MAGIC`] line, LEB128 varints `V NS`; `V` × (codepoint delta, `U`, `S1`) in
//! codepoint order (a character's id is its position); `NB` then `NB` × (key delta, `B−1`,
//! `S2`) with key `id1·V + id2` ascending; `NT` then `NT` × (key delta, `T−1`) with key
//! `bigram index·V + id3` ascending. `B1` and `T2` are sums over the continuations. Loaded once
//! into a codepoint → id array, a [`CodeMap`] of bigrams and, per bigram, a sorted slice of
//! its continuations (binary-searched): a call is four array reads, three hash lookups and two
//! short binary searches. A corrupt table leaves an empty model, whose features are zero.

use std::io::Read;
use std::sync::OnceLock;

use super::lexical::CodeMap;

const MODEL_GZ: &[u8] = include_bytes!("../../../models/charlm.bin.gz");

/// First bytes of the (decompressed) model file.
pub const MAGIC: &[u8] = b"presswire charlm 1\n";

/// The interpolation constant of every level.
pub const K: f64 = 3.0;

/// Codepoint ranges beyond ASCII that Python's `str.isdigit` accepts (Unicode 14), which the
/// reference maps to `0` like ASCII digits (`①`, `²`, Arabic-Indic digits; not `〇`).
const DIGITS: [(u32, u32); 80] = [
    (0xb2, 0xb3),
    (0xb9, 0xb9),
    (0x660, 0x669),
    (0x6f0, 0x6f9),
    (0x7c0, 0x7c9),
    (0x966, 0x96f),
    (0x9e6, 0x9ef),
    (0xa66, 0xa6f),
    (0xae6, 0xaef),
    (0xb66, 0xb6f),
    (0xbe6, 0xbef),
    (0xc66, 0xc6f),
    (0xce6, 0xcef),
    (0xd66, 0xd6f),
    (0xde6, 0xdef),
    (0xe50, 0xe59),
    (0xed0, 0xed9),
    (0xf20, 0xf29),
    (0x1040, 0x1049),
    (0x1090, 0x1099),
    (0x1369, 0x1371),
    (0x17e0, 0x17e9),
    (0x1810, 0x1819),
    (0x1946, 0x194f),
    (0x19d0, 0x19da),
    (0x1a80, 0x1a89),
    (0x1a90, 0x1a99),
    (0x1b50, 0x1b59),
    (0x1bb0, 0x1bb9),
    (0x1c40, 0x1c49),
    (0x1c50, 0x1c59),
    (0x2070, 0x2070),
    (0x2074, 0x2079),
    (0x2080, 0x2089),
    (0x2460, 0x2468),
    (0x2474, 0x247c),
    (0x2488, 0x2490),
    (0x24ea, 0x24ea),
    (0x24f5, 0x24fd),
    (0x24ff, 0x24ff),
    (0x2776, 0x277e),
    (0x2780, 0x2788),
    (0x278a, 0x2792),
    (0xa620, 0xa629),
    (0xa8d0, 0xa8d9),
    (0xa900, 0xa909),
    (0xa9d0, 0xa9d9),
    (0xa9f0, 0xa9f9),
    (0xaa50, 0xaa59),
    (0xabf0, 0xabf9),
    (0xff10, 0xff19),
    (0x104a0, 0x104a9),
    (0x10a40, 0x10a43),
    (0x10d30, 0x10d39),
    (0x10e60, 0x10e68),
    (0x11052, 0x1105a),
    (0x11066, 0x1106f),
    (0x110f0, 0x110f9),
    (0x11136, 0x1113f),
    (0x111d0, 0x111d9),
    (0x112f0, 0x112f9),
    (0x11450, 0x11459),
    (0x114d0, 0x114d9),
    (0x11650, 0x11659),
    (0x116c0, 0x116c9),
    (0x11730, 0x11739),
    (0x118e0, 0x118e9),
    (0x11950, 0x11959),
    (0x11c50, 0x11c59),
    (0x11d50, 0x11d59),
    (0x11da0, 0x11da9),
    (0x16a60, 0x16a69),
    (0x16ac0, 0x16ac9),
    (0x16b50, 0x16b59),
    (0x1d7ce, 0x1d7ff),
    (0x1e140, 0x1e149),
    (0x1e2f0, 0x1e2f9),
    (0x1e950, 0x1e959),
    (0x1f100, 0x1f10a),
    (0x1fbf0, 0x1fbf9),
];

/// Whether Python's `str.isdigit` holds for `c`.
fn is_digit(c: char) -> bool {
    let o = c as u32;
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    // Han, kana, hangul and CJK punctuation fall in this gap: no table search for them.
    if (0x2793..0xa620).contains(&o) {
        return false;
    }
    DIGITS
        .binary_search_by(|&(lo, hi)| {
            if hi < o {
                std::cmp::Ordering::Less
            } else if lo > o {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// The model's character normalisation: full-width ASCII (U+FF01–FF5E) to half-width, any
/// digit to `0`, ASCII letters to `a`.
pub fn norm(c: char) -> char {
    let o = c as u32;
    let c = if (0xFF01..=0xFF5E).contains(&o) {
        char::from_u32(o - 0xFEE0).unwrap_or(c)
    } else {
        c
    };
    if is_digit(c) {
        '0'
    } else if c.is_ascii_alphabetic() {
        'a'
    } else {
        c
    }
}

/// `[f1, f2]` for a cut between `head_end` and `tail_start` (only the head's last two and the
/// tail's first two characters are read, so whole paragraphs may be passed): how many nats
/// more likely the tail's first character is after the head's last two than as a sentence's
/// first, and its second after the head's last and the tail's first than as a sentence's
/// second. Zeros when either side has fewer than two characters.
pub fn join_features(head_end: &str, tail_start: &str) -> [f32; 2] {
    let mut h = head_end.chars().rev();
    let mut t = tail_start.chars();
    let (Some(h1), Some(h2), Some(t1), Some(t2)) = (h.next(), h.next(), t.next(), t.next()) else {
        return [0.0, 0.0];
    };
    let [f1, f2] = model().features([norm(h2), norm(h1), norm(t1), norm(t2)]);
    [f1 as f32, f2 as f32]
}

/// The compiled-in model, parsed on first use.
fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let mut bytes = Vec::new();
        // The table is compiled in; a corrupt build leaves it empty rather than failing split.
        if flate2::read::GzDecoder::new(MODEL_GZ)
            .read_to_end(&mut bytes)
            .is_err()
        {
            return Model::default();
        }
        Model::from_bytes(&bytes).unwrap_or_default()
    })
}

/// Counts of one character.
#[derive(Debug, Clone, Copy, Default)]
struct Uni {
    /// Occurrences.
    u: u32,
    /// Occurrences followed by another character.
    b1: u32,
    /// Sentences it opens.
    s1: u32,
}

/// Counts of one bigram.
#[derive(Debug, Clone, Copy, Default)]
struct Bi {
    /// Occurrences.
    b: u32,
    /// Occurrences followed by another character.
    t2: u32,
    /// Sentences it opens.
    s2: u32,
    /// Start of its continuations in [`Model::tri_next`].
    start: u32,
}

/// The loaded model (see the module documentation).
#[derive(Debug, Default)]
struct Model {
    /// BMP codepoint → id + 1 (0: unseen).
    ids: Vec<u16>,
    /// Counts by character id.
    uni: Vec<Uni>,
    /// `id1·V + id2` → index in `bi`.
    bi_index: CodeMap<u32, u32>,
    /// Counts by bigram index, plus a sentinel holding the end of the last continuations.
    bi: Vec<Bi>,
    /// Third characters' ids, sorted within each bigram's range.
    tri_next: Vec<u16>,
    /// Trigram counts, parallel to `tri_next`.
    tri_count: Vec<u32>,
    /// Sentences.
    ns: f64,
    /// `N + ½V`.
    pu_den: f64,
}

/// A reader of LEB128 varints.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = self.0.split_first()?;
            self.0 = rest;
            v |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.varint()?).ok()
    }

    /// The next key of an ascending list stored as deltas (`key` holds the previous one):
    /// `None` when the list does not ascend (a zero delta after the first) or overflows.
    fn next_key(&mut self, key: &mut u64, first: bool) -> Option<u64> {
        let delta = self.varint()?;
        if delta == 0 && !first {
            return None;
        }
        *key = key.checked_add(delta)?;
        Some(*key)
    }
}

impl Model {
    /// Parses the decompressed model file; `None` when it is malformed.
    fn from_bytes(bytes: &[u8]) -> Option<Model> {
        let mut r = Cursor(bytes.strip_prefix(MAGIC)?);
        let v = r.u32()?;
        if v == 0 || v > u32::from(u16::MAX) {
            return None;
        }
        let ns = r.u32()?;
        let mut ids = vec![0u16; 0x10000];
        let mut uni = Vec::with_capacity(v as usize);
        let mut cp = 0u64;
        let mut n = 0u64;
        for id in 1..=v {
            cp += r.varint()?;
            let slot = ids.get_mut(usize::try_from(cp).ok()?)?;
            if *slot != 0 {
                return None;
            }
            *slot = u16::try_from(id).ok()?;
            let (u, s1) = (r.u32()?, r.u32()?);
            n += u64::from(u);
            uni.push(Uni { u, b1: 0, s1 });
        }
        let nb = r.u32()? as usize;
        let mut bi_index = CodeMap::default();
        bi_index.reserve(nb);
        let mut bi = Vec::with_capacity(nb + 1);
        let mut prev = 0u64;
        for index in 0..nb {
            let key = r.next_key(&mut prev, index == 0)?;
            let first = usize::try_from(key / u64::from(v)).ok()?;
            let b = r.u32()?.checked_add(1)?;
            let s2 = r.u32()?;
            let e = uni.get_mut(first)?;
            e.b1 = e.b1.checked_add(b)?;
            bi_index.insert(u32::try_from(key).ok()?, u32::try_from(index).ok()?);
            bi.push(Bi {
                b,
                t2: 0,
                s2,
                start: 0,
            });
        }
        let nt = r.u32()? as usize;
        let mut tri_next = Vec::with_capacity(nt);
        let mut tri_count = Vec::with_capacity(nt);
        let (mut prev, mut filled) = (0u64, 0usize);
        for index in 0..nt {
            let key = r.next_key(&mut prev, index == 0)?;
            let b = usize::try_from(key / u64::from(v)).ok()?;
            let t = r.u32()?.checked_add(1)?;
            // Bigrams up to `b` start here or earlier (continuations are grouped by bigram).
            while filled <= b {
                bi.get_mut(filled)?.start = u32::try_from(index).ok()?;
                filled += 1;
            }
            let e = bi.get_mut(b)?;
            e.t2 = e.t2.checked_add(t)?;
            tri_next.push(u16::try_from(key % u64::from(v)).ok()?);
            tri_count.push(t);
        }
        if !r.0.is_empty() {
            return None;
        }
        let end = u32::try_from(nt).ok()?;
        for e in bi.iter_mut().skip(filled) {
            e.start = end;
        }
        bi.push(Bi {
            start: end,
            ..Bi::default()
        });
        Some(Model {
            ids,
            uni,
            bi_index,
            bi,
            tri_next,
            tri_count,
            ns: f64::from(ns),
            pu_den: n as f64 + 0.5 * f64::from(v),
        })
    }

    /// Id of `c`, `None` when the corpus never has it.
    fn id(&self, c: char) -> Option<u16> {
        match self.ids.get(c as usize) {
            Some(&i) if i > 0 => Some(i - 1),
            _ => None,
        }
    }

    fn uni(&self, x: Option<u16>) -> Uni {
        x.and_then(|x| self.uni.get(usize::from(x)).copied())
            .unwrap_or_default()
    }

    /// Index of the bigram `xy` in [`Model::bi`].
    fn bi(&self, x: Option<u16>, y: Option<u16>) -> Option<usize> {
        let (x, y) = (x?, y?);
        let key = u32::from(x) * self.uni.len() as u32 + u32::from(y);
        self.bi_index.get(&key).map(|&i| i as usize)
    }

    fn bi_counts(&self, b: Option<usize>) -> Bi {
        b.and_then(|b| self.bi.get(b).copied()).unwrap_or_default()
    }

    /// Count of the bigram at index `b` followed by `z`.
    fn tri(&self, b: Option<usize>, z: Option<u16>) -> u32 {
        let (Some(b), Some(z)) = (b, z) else {
            return 0;
        };
        let (Some(lo), Some(hi)) = (self.bi.get(b), self.bi.get(b + 1)) else {
            return 0;
        };
        let range = lo.start as usize..hi.start as usize;
        match self.tri_next.get(range.clone()) {
            Some(next) => next
                .binary_search(&z)
                .ok()
                .and_then(|i| self.tri_count.get(range.start + i).copied())
                .unwrap_or(0),
            None => 0,
        }
    }

    fn pu(&self, u: u32) -> f64 {
        (f64::from(u) + 0.5) / self.pu_den
    }

    /// `pb(x,y)` from `B1[x]`, `B[xy]` and `U[y]`.
    fn pb(&self, b1: u32, b: u32, u: u32) -> f64 {
        interpolate(b1, b, self.pu(u))
    }

    /// The two features for the normalised characters `h2 h1 | t1 t2`.
    fn features(&self, [h2, h1, t1, t2]: [char; 4]) -> [f64; 2] {
        if self.uni.is_empty() {
            return [0.0, 0.0];
        }
        let (h2, h1, t1, t2) = (self.id(h2), self.id(h1), self.id(t1), self.id(t2));
        let (uh1, ut1, ut2) = (self.uni(h1), self.uni(t1), self.uni(t2));
        let (bh, bc, bt) = (self.bi(h2, h1), self.bi(h1, t1), self.bi(t1, t2));
        let (bh_c, bc_c, bt_c) = (self.bi_counts(bh), self.bi_counts(bc), self.bi_counts(bt));
        // f1: t1 after h2 h1, against t1 opening a sentence.
        let pb1 = self.pb(uh1.b1, bc_c.b, ut1.u);
        let pt1 = interpolate(bh_c.t2, self.tri(bh, t1), pb1);
        let l = self.ns / (self.ns + K);
        let ps1 = l * f64::from(ut1.s1) / self.ns + (1.0 - l) * self.pu(ut1.u);
        // f2: t2 after h1 t1, against t2 second in a sentence opening with t1.
        let pb2 = self.pb(ut1.b1, bt_c.b, ut2.u);
        let pt2 = interpolate(bc_c.t2, self.tri(bc, t2), pb2);
        let ps2 = interpolate(ut1.s1, bt_c.s2, pb2);
        // One logarithm per feature: ln(a/b) differs from ln a − ln b by rounding only.
        [(pt1 / ps1).ln(), (pt2 / ps2).ln()]
    }
}

/// `λ·count/context + (1−λ)·lower` with `λ = context/(context+K)` (just `lower` for an
/// unseen context), in the reference's order of operations.
fn interpolate(context: u32, count: u32, lower: f64) -> f64 {
    let c = f64::from(context);
    let l = c / (c + K);
    let own = if context > 0 {
        l * f64::from(count) / c
    } else {
        0.0
    };
    own + (1.0 - l) * lower
}

fn push_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The model file's bytes (before gzip) for `sentences`, each normalised with [`norm`]:
/// deterministic (every table in key order).
///
/// # Errors
/// If the corpus has more than 65,535 distinct characters or a count beyond `u32`.
pub fn fit<'a>(sentences: impl IntoIterator<Item = &'a str>) -> Result<Vec<u8>, String> {
    use std::collections::BTreeMap;
    let mut uni: BTreeMap<char, (u64, u64)> = BTreeMap::new();
    let mut bi: BTreeMap<(char, char), (u64, u64)> = BTreeMap::new();
    let mut tri: BTreeMap<(char, char, char), u64> = BTreeMap::new();
    let mut ns = 0u64;
    let mut cs = Vec::new();
    for s in sentences {
        cs.clear();
        cs.extend(s.chars().map(norm));
        if cs.is_empty() {
            continue;
        }
        ns += 1;
        for (i, &c) in cs.iter().enumerate() {
            let e = uni.entry(c).or_default();
            e.0 += 1;
            e.1 += u64::from(i == 0);
        }
        for (i, w) in cs.windows(2).enumerate() {
            let e = bi.entry((w[0], w[1])).or_default();
            e.0 += 1;
            e.1 += u64::from(i == 0);
        }
        for w in cs.windows(3) {
            *tri.entry((w[0], w[1], w[2])).or_default() += 1;
        }
    }
    let v = uni.len() as u64;
    if v > u64::from(u16::MAX) {
        return Err(format!("{v} distinct characters, at most 65,535 fit"));
    }
    let too_big = |n: u64| {
        if n > u64::from(u32::MAX) {
            Err(format!("count {n} does not fit in 32 bits"))
        } else {
            Ok(n)
        }
    };
    let id: BTreeMap<char, u64> = uni.keys().zip(0..).map(|(&c, i)| (c, i)).collect();
    let mut out = MAGIC.to_vec();
    push_varint(&mut out, v);
    push_varint(&mut out, too_big(ns)?);
    let mut prev = 0u64;
    for (&c, &(u, s1)) in &uni {
        push_varint(&mut out, u64::from(c) - prev);
        prev = u64::from(c);
        push_varint(&mut out, too_big(u)?);
        push_varint(&mut out, too_big(s1)?);
    }
    push_varint(&mut out, bi.len() as u64);
    let (mut prev, mut index) = (0u64, BTreeMap::new());
    for (i, (&(x, y), &(b, s2))) in bi.iter().enumerate() {
        let key = id[&x] * v + id[&y];
        push_varint(&mut out, key - prev);
        prev = key;
        push_varint(&mut out, too_big(b)? - 1);
        push_varint(&mut out, too_big(s2)?);
        index.insert((x, y), i as u64);
    }
    push_varint(&mut out, tri.len() as u64);
    let mut prev = 0u64;
    for (&(x, y, z), &t) in &tri {
        let key = index[&(x, y)] * v + id[&z];
        push_varint(&mut out, key - prev);
        prev = key;
        push_varint(&mut out, too_big(t)? - 1);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_across_the_cut_runs_on() {
        // `推动`: 动 follows 推 far more often than it opens a sentence.
        let [f1, _] = join_features("有力推", "动财政");
        assert!(f1 > 2.0, "{f1}");
        // `推进改`: both characters continue.
        let [f1, f2] = join_features("有力推", "进改");
        assert!(f1 > 2.0 && f2 > 2.0, "{f1} {f2}");
        for tail in ["我们", "今天"] {
            let [g1, _] = join_features("有力推", tail);
            assert!(g1 < 0.0, "{tail}: {g1}");
        }
    }

    #[test]
    fn a_sentence_opening_after_a_full_stop_scores_below_a_word_end() {
        let mid_word = join_features("经济发", "展的");
        assert!(mid_word[0] > 2.0 && mid_word[1] > 0.0, "{mid_word:?}");
        for tail in ["我们", "今天"] {
            let after_stop = join_features("会议。", tail);
            assert!(after_stop[0] < 0.0, "{tail}: {after_stop:?}");
            assert!(after_stop[0] < mid_word[0], "{after_stop:?} {mid_word:?}");
        }
    }

    #[test]
    fn short_sides_give_zeros() {
        assert_eq!(join_features("推", "动财政"), [0.0, 0.0]);
        assert_eq!(join_features("有力推", "动"), [0.0, 0.0]);
        assert_eq!(join_features("", ""), [0.0, 0.0]);
    }

    #[test]
    fn only_the_chars_at_the_cut_count() {
        let long = join_features("我们要坚持深化改革，有力推", "动财政体制改革不断深入。");
        assert_eq!(long, join_features("有力推", "动财政"));
    }

    #[test]
    fn digits_and_letters_are_normalised() {
        assert_eq!(norm('７'), '0');
        assert_eq!(norm('7'), '0');
        assert_eq!(norm('①'), '0');
        assert_eq!(norm('〇'), '〇');
        assert_eq!(norm('Ｇ'), 'a');
        assert_eq!(norm('，'), ',');
        assert_eq!(norm('。'), '。');
        assert_eq!(norm('！'), '!');
        assert_eq!(
            join_features("增长１２", "％以上"),
            join_features("增长34", "％以上")
        );
        assert_ne!(join_features("增长12", "%以上"), [0.0, 0.0]);
    }

    /// The reference formulas on a two-sentence corpus, computed by hand.
    #[test]
    fn a_tiny_model_matches_the_formulas() {
        let bytes = fit(["甲乙丙", "乙丙丁"]).expect("fit");
        let m = Model::from_bytes(&bytes).expect("parse");
        // N = 6, V = 4, NS = 2; U: 甲1 乙2 丙2 丁1; B: 甲乙1 乙丙2 丙丁1; T: 甲乙丙1 乙丙丁1.
        let pu = |u: f64| (u + 0.5) / (6.0 + 2.0);
        // f1 for 甲乙|丙丁: pt(甲,乙,丙), T2[甲乙] = 1, T = 1; pb(乙,丙): B1[乙] = 2, B = 2.
        let pb = 2.0 / 5.0 * 2.0 / 2.0 + 3.0 / 5.0 * pu(2.0);
        let pt = 1.0 / 4.0 * 1.0 + 3.0 / 4.0 * pb;
        let ps1 = 2.0 / 5.0 * 0.0 + 3.0 / 5.0 * pu(2.0);
        // f2: pt(乙,丙,丁): T2[乙丙] = 1, T = 1; pb(丙,丁): B1[丙] = 1, B = 1.
        let pb2 = 1.0 / 4.0 * 1.0 + 3.0 / 4.0 * pu(1.0);
        let pt2 = 1.0 / 4.0 * 1.0 + 3.0 / 4.0 * pb2;
        // ps2(丙,丁): S1[丙] = 0, so pb(丙,丁).
        let want = [pt.ln() - ps1.ln(), pt2.ln() - pb2.ln()];
        let got = m.features(['甲', '乙', '丙', '丁']);
        assert!((got[0] - want[0]).abs() < 1e-12 && (got[1] - want[1]).abs() < 1e-12);
        // An unseen character backs off to the unigram floor without failing.
        assert!(m
            .features(['甲', '乙', '戊', '己'])
            .iter()
            .all(|f| f.is_finite()));
    }

    #[test]
    fn corrupt_bytes_give_no_model() {
        let bytes = fit(["甲乙丙", "乙丙丁"]).expect("fit");
        assert!(Model::from_bytes(&bytes[..bytes.len() - 1]).is_none());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Model::from_bytes(&longer).is_none());
        assert!(Model::from_bytes(b"not a model").is_none());
        assert_eq!(
            Model::default().features(['甲', '乙', '丙', '丁']),
            [0.0, 0.0]
        );
    }

    #[test]
    fn fit_is_deterministic() {
        let a = fit(["甲乙丙", "乙丙丁", "丁甲"]).expect("fit");
        let b = fit(["甲乙丙", "乙丙丁", "丁甲"]).expect("fit");
        assert_eq!(a, b);
    }

    /// Compares with the Python reference: `CHARLM_REFERENCE` names a tab-separated file of
    /// `head_end tail_start f1 f2` lines.
    #[test]
    #[ignore = "needs CHARLM_REFERENCE, a file of values from the Python reference"]
    fn matches_the_python_reference() {
        let path = std::env::var("CHARLM_REFERENCE").expect("CHARLM_REFERENCE");
        let text = std::fs::read_to_string(&path).expect("reference file");
        let mut worst = 0f64;
        for line in text.lines() {
            let p: Vec<&str> = line.split('\t').collect();
            let want: [f64; 2] = [p[2].parse().expect("f1"), p[3].parse().expect("f2")];
            let got = join_features(p[0], p[1]);
            println!(
                "{}|{}\t{:.6}\t{:.6}\t{:?}",
                p[0], p[1], got[0], got[1], want
            );
            for k in 0..2 {
                worst = worst.max((f64::from(got[k]) - want[k]).abs());
            }
        }
        println!("max difference {worst:e}");
        assert!(worst < 1e-4, "{worst}");
    }
}
