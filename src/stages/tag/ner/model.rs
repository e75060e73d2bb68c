//! The compact, int8-quantised tagger model: file format, loading and inference.
//!
//! File layout (little-endian): magic `PWNER01\n`; `u32` feature version, hash bits,
//! label count and features per character; `f32` quantisation scale (weight units per int8
//! step, informational); `labels²` `f32` transition scores in int8 units; then
//! `2^bits × labels` `i8` feature weights, row per hash bucket.
//!
//! In memory each bucket's 13 weights are padded to a 16-byte row in the decoder's lattice
//! order ([`LANE_OF_LABEL`]): a row never straddles a cache line (the table is far larger than
//! the cache, so each lookup is one miss, not sometimes two), sums as one vector, and its sum
//! converts to the two score vectors Viterbi works on without a shuffle. Tagging hashes a
//! whole sentence's features first and then sums rows, so the table lookups are independent
//! loads the CPU overlaps.

use super::features::{rows, CharInfo, RowScratch, FEATURE_VERSION, N_FEATURES};
use super::labels::N_LABELS;
use super::viterbi::{Lanes, Lattice, LANE_OF_LABEL};

const MAGIC: &[u8; 8] = b"PWNER01\n";
const HEADER: usize = 8 + 4 * 5;
/// Bytes per in-memory weight row: [`N_LABELS`] weights, then zeros.
const ROW: usize = 16;

/// Why a model file was rejected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelError {
    /// Not a presswire NER model.
    #[error("not a presswire NER model (bad magic)")]
    Magic,
    /// Made for a different feature set, label set or table size.
    #[error("incompatible NER model: {0}")]
    Incompatible(String),
    /// A compressed model that does not inflate.
    #[error("corrupt compressed NER model: {0}")]
    Gzip(String),
    /// Shorter or longer than its header says.
    #[error("truncated NER model: {got} bytes, expected {want}")]
    Size {
        /// Bytes present.
        got: usize,
        /// Bytes the header implies.
        want: usize,
    },
}

/// A loaded int8 model, ready to tag.
#[derive(Debug, Clone)]
pub struct NerModel {
    bits: u32,
    scale: f32,
    trans: Vec<f32>,
    /// One padded row of label weights per hash bucket.
    rows: Vec<[i8; ROW]>,
    lattice: Lattice,
}

/// Reusable buffers for [`NerModel::tag`], so tagging allocates nothing per sentence.
#[derive(Debug, Default)]
pub struct Scratch {
    rows: RowScratch,
    feats: Vec<[u32; N_FEATURES]>,
    emit: Vec<[i16; ROW]>,
    back: Vec<Lanes>,
}

impl NerModel {
    /// A model from its parts; `weights` has `2^bits × 13` entries, `trans` 13².
    pub fn from_parts(bits: u32, scale: f32, trans: Vec<f32>, weights: Vec<i8>) -> Self {
        let rows = padded_rows(weights.chunks(N_LABELS), |&w| w);
        NerModel::from_rows(bits, scale, trans, rows)
    }

    fn from_rows(bits: u32, scale: f32, trans: Vec<f32>, rows: Vec<[i8; ROW]>) -> Self {
        let lattice = Lattice::new(&trans);
        NerModel {
            bits,
            scale,
            trans,
            rows,
            lattice,
        }
    }

    /// The feature weights, `2^bits × 13`, row per hash bucket (the file's order).
    pub fn weights(&self) -> impl Iterator<Item = i8> + '_ {
        self.rows
            .iter()
            .flat_map(|r| LANE_OF_LABEL.iter().map(move |&lane| r[lane]))
    }

    /// Hash bits of the feature table.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Weight units per int8 step.
    pub fn scale(&self) -> f32 {
        self.scale
    }

    /// Serialises the model in the file layout above.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(HEADER + self.trans.len() * 4 + self.rows.len() * N_LABELS);
        out.extend_from_slice(MAGIC);
        for v in [
            FEATURE_VERSION,
            self.bits,
            N_LABELS as u32,
            N_FEATURES as u32,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&self.scale.to_le_bytes());
        for t in &self.trans {
            out.extend_from_slice(&t.to_le_bytes());
        }
        out.extend(self.weights().map(|w| w.to_le_bytes()[0]));
        out
    }

    /// Parses a model file.
    ///
    /// # Errors
    /// On a wrong magic, another feature/label version, or a size mismatch.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err(ModelError::Magic);
        }
        let word = |k: usize| -> u32 {
            let mut b = [0u8; 4];
            b.copy_from_slice(&bytes[8 + 4 * k..12 + 4 * k]);
            u32::from_le_bytes(b)
        };
        let (version, bits, labels, feats) = (word(0), word(1), word(2), word(3));
        let scale = f32::from_bits(word(4));
        if version != FEATURE_VERSION || labels as usize != N_LABELS || feats as usize != N_FEATURES
        {
            return Err(ModelError::Incompatible(format!(
                "feature version {version}, {labels} labels, {feats} features; this build \
                 reads version {FEATURE_VERSION}, {N_LABELS} labels, {N_FEATURES} features"
            )));
        }
        if !(8..=26).contains(&bits) {
            return Err(ModelError::Incompatible(format!("{bits} hash bits")));
        }
        let n_trans = N_LABELS * N_LABELS;
        let n_weights = (1usize << bits) * N_LABELS;
        let want = HEADER + 4 * n_trans + n_weights;
        if bytes.len() != want {
            return Err(ModelError::Size {
                got: bytes.len(),
                want,
            });
        }
        let trans: Vec<f32> = bytes[HEADER..HEADER + 4 * n_trans]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        // The decoder's order-free maximum relies on finite scores (training writes nothing else).
        if let Some(t) = trans.iter().find(|t| !t.is_finite()) {
            return Err(ModelError::Incompatible(format!("transition score {t}")));
        }
        let rows = padded_rows(bytes[HEADER + 4 * n_trans..].chunks(N_LABELS), |&b| {
            i8::from_le_bytes([b])
        });
        Ok(NerModel::from_rows(bits, scale, trans, rows))
    }

    /// Labels every character of `s` (BMES label indices, see [`super::labels`]) into `out`.
    pub fn tag(&self, s: &[CharInfo], scratch: &mut Scratch, out: &mut Vec<u8>) {
        rows(s, self.bits, &mut scratch.rows, &mut scratch.feats);
        scratch.emit.clear();
        scratch.emit.reserve(s.len());
        const ZERO: [i8; ROW] = [0; ROW];
        for (i, f) in scratch.feats.iter().enumerate() {
            // The table is far larger than the caches: start loading the rows of the character
            // `PREFETCH_AHEAD` positions on while this one is summed.
            if let Some(next) = scratch.feats.get(i + PREFETCH_AHEAD) {
                for &b in &next[1..] {
                    if let Some(row) = self.rows.get(b as usize) {
                        prefetch(row);
                    }
                }
            }
            // |sum| ≤ N_FEATURES × 128: exact in i16. Rows are always in the table (the
            // features are hashed to `bits`); the fallback keeps the loop free of branches.
            let mut acc = [0i16; ROW];
            for &b in f {
                let row = self.rows.get(b as usize).unwrap_or(&ZERO);
                for (a, &w) in acc.iter_mut().zip(row) {
                    *a += i16::from(w);
                }
            }
            scratch.emit.push(acc);
        }
        self.lattice
            .decode_lanes(&scratch.emit, &mut scratch.back, out);
    }
}

/// How many characters ahead [`NerModel::tag`] prefetches weight rows.
const PREFETCH_AHEAD: usize = 8;

/// Asks the CPU to start loading the cache line of `row` (a hint: no effect on results).
///
/// This is presswire's one `unsafe` block, kept because it measured: over the 2.81 M characters
/// of the 8 MB replay corpus, entity tagging alone took 101–105 ns per character of thread CPU
/// time without it and 82–86 ns with it (three alternated runs each, 2026-11-27), as the row
/// lookups (about five cache misses per character into an 8.4 MB table) then overlap with the
/// summing of earlier characters instead of waiting at each one.
#[inline(always)]
fn prefetch(row: &[i8; ROW]) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse"))]
    // SAFETY: `_mm_prefetch` is a cache hint: it never faults, reads nothing into the program
    // and has no architectural effect; the pointer comes from a live reference anyway. Its
    // only requirement, the `sse` target feature, is enabled at compile time (the `cfg` above;
    // it is part of the x86_64 baseline).
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(row.as_ptr());
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse")))]
    let _ = row;
}

/// Copies rows of [`N_LABELS`] values in label order into zero-padded [`ROW`]-byte rows in
/// lattice order.
fn padded_rows<'a, T: 'a>(
    chunks: impl Iterator<Item = &'a [T]>,
    weight: impl Fn(&T) -> i8,
) -> Vec<[i8; ROW]> {
    chunks
        .map(|c| {
            let mut row = [0i8; ROW];
            for (&lane, x) in LANE_OF_LABEL.iter().zip(c) {
                row[lane] = weight(x);
            }
            row
        })
        .collect()
}

/// A small deterministic model for tests elsewhere in the tagger.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    /// A 2^8-bucket model with arbitrary but fixed weights.
    pub(crate) fn tiny() -> NerModel {
        let bits = 8;
        let weights = (0..(1usize << bits) * N_LABELS)
            .map(|i| ((i * 37 % 255) as i32 - 127) as i8)
            .collect();
        let trans = (0..N_LABELS * N_LABELS).map(|i| i as f32 * 0.5).collect();
        NerModel::from_parts(bits, 0.01, trans, weights)
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::tiny;
    use super::*;

    #[test]
    fn model_round_trips_through_bytes() {
        let m = tiny();
        let bytes = m.to_bytes();
        let back = NerModel::from_bytes(&bytes).expect("valid model");
        assert_eq!(back.to_bytes(), bytes);
        assert_eq!((back.bits(), back.scale()), (8, 0.01));
        assert!(back.weights().eq(m.weights()));
        assert_eq!(back.weights().count(), 256 * N_LABELS);
        assert_eq!(back.trans, m.trans);
    }

    #[test]
    fn damaged_models_are_rejected() {
        let bytes = tiny().to_bytes();
        assert_eq!(
            NerModel::from_bytes(b"PWNER02\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxx").err(),
            Some(ModelError::Magic)
        );
        assert!(matches!(
            NerModel::from_bytes(&bytes[..bytes.len() - 1]),
            Err(ModelError::Size { .. })
        ));
        let mut other = bytes.clone();
        other[8] ^= 0xff;
        assert!(matches!(
            NerModel::from_bytes(&other),
            Err(ModelError::Incompatible(_))
        ));
        let mut nan = bytes.clone();
        nan[HEADER..HEADER + 4].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(matches!(
            NerModel::from_bytes(&nan),
            Err(ModelError::Incompatible(_))
        ));
    }
}
