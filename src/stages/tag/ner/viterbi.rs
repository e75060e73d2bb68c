//! Viterbi decoding over the BMES label lattice, with invalid transitions pruned.
//!
//! The BMES constraints give the lattice a fixed shape that decoding exploits: a label that
//! opens nothing (`O`, `B-x`, `S-x`) may only follow one of the seven labels that close
//! (`O`, `E-x`, `S-x`), and `M-x`/`E-x` may only follow `B-x` or `M-x`. So each step is
//! seven candidate predecessors for seven targets plus two for six, computed lane-wise over
//! fixed-size arrays (which the compiler vectorises) instead of walking predecessor lists.
//! Ties go to the lowest predecessor label, as a plain loop over labels in order would.
//!
//! The forward pass keeps only scores (a max per label, no argmax bookkeeping) and stores each
//! character's label scores; the backtrace recomputes the best predecessor of the one label
//! chosen at each step from those stored scores — the same float sums in the same order, so the
//! same choice the full bookkeeping would have made.

use super::labels::{allowed_end, allowed_start, N_LABELS};

/// Targets that may follow a closed label: `O`, then `B`, `S` of each type (label order).
const OPEN_TO: [usize; 7] = [0, 1, 4, 5, 8, 9, 12];
/// The closed labels, the only predecessors of [`OPEN_TO`]: `O`, then `E`, `S` of each type.
const OPEN_FROM: [usize; 7] = [0, 3, 4, 7, 8, 11, 12];
/// Targets inside an entity: `M`, `E` of each type.
const INSIDE_TO: [usize; 6] = [2, 3, 6, 7, 10, 11];
/// First predecessor of each [`INSIDE_TO`] label: the `B` of its type.
const INSIDE_FROM_B: [usize; 6] = [1, 1, 5, 5, 9, 9];
/// Second predecessor of each [`INSIDE_TO`] label: the `M` of its type.
const INSIDE_FROM_M: [usize; 6] = [2, 2, 6, 6, 10, 10];

/// Lanes per vector of scores (7 or 6 used, the rest padding at −∞).
const LANES: usize = 8;

/// The label scores of one character after the forward step (16 for alignment).
pub type Back = [f32; 16];

/// Predecessors of each label, in label order (what `allowed` permits).
const PREDS: [&[usize]; N_LABELS] = [
    &OPEN_FROM,
    &OPEN_FROM,
    &[1, 2],
    &[1, 2],
    &OPEN_FROM,
    &OPEN_FROM,
    &[5, 6],
    &[5, 6],
    &OPEN_FROM,
    &OPEN_FROM,
    &[9, 10],
    &[9, 10],
    &OPEN_FROM,
];

/// Transition scores laid out for the fixed BMES lattice shape.
#[derive(Debug, Clone)]
pub struct Lattice {
    /// `open[k][j]`: score of `OPEN_FROM[k]` → `OPEN_TO[j]`.
    open: [[f32; LANES]; 7],
    /// Score of `INSIDE_FROM_B[j]` → `INSIDE_TO[j]`.
    inside_b: [f32; LANES],
    /// Score of `INSIDE_FROM_M[j]` → `INSIDE_TO[j]`.
    inside_m: [f32; LANES],
    /// `trans[from][to]`, for the backtrace.
    trans: [[f32; N_LABELS]; N_LABELS],
    start: [bool; N_LABELS],
    end: [bool; N_LABELS],
}

impl Lattice {
    /// A lattice with the given transition scores (`from * N_LABELS + to`, length 13²;
    /// missing entries count as 0).
    pub fn new(trans: &[f32]) -> Self {
        let t = |from: usize, to: usize| trans.get(from * N_LABELS + to).copied().unwrap_or(0.0);
        let mut open = [[f32::NEG_INFINITY; LANES]; 7];
        for (row, &from) in open.iter_mut().zip(&OPEN_FROM) {
            for (cell, &to) in row.iter_mut().zip(&OPEN_TO) {
                *cell = t(from, to);
            }
        }
        let mut inside_b = [f32::NEG_INFINITY; LANES];
        let mut inside_m = [f32::NEG_INFINITY; LANES];
        for j in 0..INSIDE_TO.len() {
            inside_b[j] = t(INSIDE_FROM_B[j], INSIDE_TO[j]);
            inside_m[j] = t(INSIDE_FROM_M[j], INSIDE_TO[j]);
        }
        let mut full = [[0f32; N_LABELS]; N_LABELS];
        for (from, row) in full.iter_mut().enumerate() {
            for (to, cell) in row.iter_mut().enumerate() {
                *cell = t(from, to);
            }
        }
        let mut start = [false; N_LABELS];
        let mut end = [false; N_LABELS];
        for l in 0..N_LABELS {
            start[l] = allowed_start(l as u8);
            end[l] = allowed_end(l as u8);
        }
        Lattice {
            open,
            inside_b,
            inside_m,
            trans: full,
            start,
            end,
        }
    }

    /// The best label sequence for `emit` (`n * N_LABELS` scores, row per character),
    /// written into `out`. `back` is scratch space reused between calls.
    pub fn decode(&self, emit: &[f32], back: &mut Vec<Back>, out: &mut Vec<u8>) {
        out.clear();
        let n = emit.len() / N_LABELS;
        if n == 0 {
            return;
        }
        back.clear();
        back.reserve(n);
        let mut prev = [f32::NEG_INFINITY; 16];
        for ((p, &e), &ok) in prev.iter_mut().zip(emit).zip(&self.start) {
            if ok {
                *p = e;
            }
        }
        back.push(prev);
        for row in emit.chunks_exact(N_LABELS).skip(1) {
            // `s > best ? s : best` from −∞ leaves the same value as the strictly-better scan.
            let mut best = [f32::NEG_INFINITY; LANES];
            for (k, trans) in self.open.iter().enumerate() {
                let from = prev[OPEN_FROM[k]];
                for j in 0..LANES {
                    let s = from + trans[j];
                    best[j] = if s > best[j] { s } else { best[j] };
                }
            }
            let mut inside = [f32::NEG_INFINITY; LANES];
            for j in 0..INSIDE_TO.len() {
                let sb = prev[INSIDE_FROM_B[j]] + self.inside_b[j];
                let sm = prev[INSIDE_FROM_M[j]] + self.inside_m[j];
                let s = if sb > f32::NEG_INFINITY {
                    sb
                } else {
                    f32::NEG_INFINITY
                };
                inside[j] = if sm > s { sm } else { s };
            }
            for (j, &l) in OPEN_TO.iter().enumerate() {
                prev[l] = best[j] + row[l];
            }
            for (j, &l) in INSIDE_TO.iter().enumerate() {
                prev[l] = inside[j] + row[l];
            }
            back.push(prev);
        }
        let mut best = f32::NEG_INFINITY;
        let mut label = 0usize;
        for (l, &s) in prev.iter().take(N_LABELS).enumerate() {
            if self.end[l] && s > best {
                best = s;
                label = l;
            }
        }
        out.resize(n, 0);
        out[n - 1] = label as u8;
        for i in (1..n).rev() {
            // The best predecessor of `label`: the first strictly better one in label order.
            let scores = &back[i - 1];
            let (mut best, mut arg) = (f32::NEG_INFINITY, 0usize);
            for &f in PREDS[label] {
                let s = scores[f] + self.trans[f][label];
                if s > best {
                    best = s;
                    arg = f;
                }
            }
            label = arg;
            out[i - 1] = label as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::labels::{allowed, label, spans, NerType, Part, O};
    use super::*;

    fn emissions(prefs: &[(u8, f32)]) -> Vec<f32> {
        let mut e = vec![0.0; prefs.len() * N_LABELS];
        for (i, &(l, s)) in prefs.iter().enumerate() {
            e[i * N_LABELS + usize::from(l)] = s;
        }
        e
    }

    #[test]
    fn follows_emissions_when_they_are_consistent() {
        let b = label(Part::B, NerType::Per);
        let e = label(Part::E, NerType::Per);
        let lat = Lattice::new(&[0.0; N_LABELS * N_LABELS]);
        let (mut back, mut out) = (Vec::new(), Vec::new());
        lat.decode(
            &emissions(&[(O, 1.0), (b, 2.0), (e, 2.0), (O, 1.0)]),
            &mut back,
            &mut out,
        );
        assert_eq!(out, vec![O, b, e, O]);
    }

    #[test]
    fn never_outputs_an_invalid_sequence() {
        // Emissions alone would give O, E-LOC: the lattice must repair it into a valid span.
        let e_loc = label(Part::E, NerType::Loc);
        let lat = Lattice::new(&[0.0; N_LABELS * N_LABELS]);
        let (mut back, mut out) = (Vec::new(), Vec::new());
        lat.decode(&emissions(&[(O, 1.0), (e_loc, 5.0)]), &mut back, &mut out);
        for w in out.windows(2) {
            assert!(allowed(w[0], w[1]), "{out:?}");
        }
        assert!(allowed_start(out[0]) && allowed_end(out[1]));
        assert_eq!(spans(&out).len(), 1, "{out:?}");
    }

    #[test]
    fn transitions_can_outweigh_emissions() {
        let b = label(Part::B, NerType::Org);
        let e = label(Part::E, NerType::Org);
        let mut trans = vec![0.0; N_LABELS * N_LABELS];
        trans[usize::from(b) * N_LABELS + usize::from(e)] = 10.0;
        let lat = Lattice::new(&trans);
        let (mut back, mut out) = (Vec::new(), Vec::new());
        lat.decode(&emissions(&[(b, 1.0), (O, 3.0)]), &mut back, &mut out);
        assert_eq!(out, vec![b, e]);
    }

    /// The lattice's fixed shape is exactly what `allowed` says.
    #[test]
    fn fixed_shape_matches_the_bmes_constraints() {
        for (to, preds) in PREDS.iter().enumerate() {
            let want: Vec<usize> = (0..N_LABELS)
                .filter(|&f| allowed(f as u8, to as u8))
                .collect();
            assert_eq!(preds.to_vec(), want, "predecessors of {to}");
        }
        for to in 0..N_LABELS {
            for from in 0..N_LABELS {
                let want = if OPEN_TO.contains(&to) {
                    OPEN_FROM.contains(&from)
                } else {
                    let j = INSIDE_TO
                        .iter()
                        .position(|&t| t == to)
                        .expect("every label");
                    from == INSIDE_FROM_B[j] || from == INSIDE_FROM_M[j]
                };
                assert_eq!(allowed(from as u8, to as u8), want, "{from} -> {to}");
            }
        }
    }

    /// Plain Viterbi over predecessor lists: what the fixed-shape decoder must reproduce.
    fn reference(trans: &[f32], emit: &[f32]) -> Vec<u8> {
        let n = emit.len() / N_LABELS;
        if n == 0 {
            return Vec::new();
        }
        let mut back = vec![0u8; n * N_LABELS];
        let mut prev = [f32::NEG_INFINITY; N_LABELS];
        for (l, p) in prev.iter_mut().enumerate() {
            if allowed_start(l as u8) {
                *p = emit[l];
            }
        }
        for i in 1..n {
            let mut cur = [f32::NEG_INFINITY; N_LABELS];
            for to in 0..N_LABELS {
                let (mut best, mut arg) = (f32::NEG_INFINITY, 0u8);
                for f in 0..N_LABELS {
                    if allowed(f as u8, to as u8) {
                        let s = prev[f] + trans[f * N_LABELS + to];
                        if s > best {
                            best = s;
                            arg = f as u8;
                        }
                    }
                }
                cur[to] = best + emit[i * N_LABELS + to];
                back[i * N_LABELS + to] = arg;
            }
            prev = cur;
        }
        let (mut best, mut arg) = (f32::NEG_INFINITY, 0u8);
        for (l, &s) in prev.iter().enumerate() {
            if allowed_end(l as u8) && s > best {
                best = s;
                arg = l as u8;
            }
        }
        let mut out = vec![0u8; n];
        out[n - 1] = arg;
        for i in (1..n).rev() {
            arg = back[i * N_LABELS + usize::from(arg)];
            out[i - 1] = arg;
        }
        out
    }

    proptest::proptest! {
        /// Same labels as the reference on random scores, ties included (small integers
        /// make equal path scores common).
        #[test]
        fn agrees_with_the_reference_decoder(
            trans in proptest::collection::vec(-3i8..=3, N_LABELS * N_LABELS),
            emit in proptest::collection::vec(-4i8..=4, 0..40 * N_LABELS),
        ) {
            let trans: Vec<f32> = trans.into_iter().map(f32::from).collect();
            let len = emit.len() / N_LABELS * N_LABELS;
            let emit: Vec<f32> = emit[..len].iter().map(|&e| f32::from(e)).collect();
            let lat = Lattice::new(&trans);
            let (mut back, mut out) = (Vec::new(), Vec::new());
            lat.decode(&emit, &mut back, &mut out);
            proptest::prop_assert_eq!(out, reference(&trans, &emit));
        }
    }

    #[test]
    fn empty_input_decodes_to_nothing() {
        let lat = Lattice::new(&[0.0; N_LABELS * N_LABELS]);
        let (mut back, mut out) = (Vec::new(), vec![1]);
        lat.decode(&[], &mut back, &mut out);
        assert!(out.is_empty());
    }
}
