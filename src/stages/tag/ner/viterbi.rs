//! Viterbi decoding over the BMES label lattice, with invalid transitions pruned.
//!
//! The BMES constraints give the lattice a fixed shape that decoding exploits: a label that
//! opens nothing (`O`, `B-x`, `S-x`) may only follow one of the seven labels that close
//! (`O`, `E-x`, `S-x`), and `M-x`/`E-x` may only follow `B-x` or `M-x`. So the scores of one
//! character live in two vectors of eight lanes ([`Lanes`], "lattice order"): the seven labels
//! that open, then the six inside an entity. A step is seven candidate predecessors for the
//! first vector and two for the second, computed lane-wise over fixed-size arrays (which the
//! compiler turns into SSE `addps`/`maxps`) with no shuffling of emissions: the model stores
//! its weight rows in lattice order, so row sums arrive in the lanes they are used in.
//!
//! The forward pass keeps only scores: the best of the seven candidates is taken as a tree of
//! maxima (same value as a scan in label order: the maximum of finite floats and −∞ does not
//! depend on the order, and a zero's sign never changes a later comparison), and the backtrace
//! recomputes the best predecessor of the one label chosen at each step from the stored scores
//! with the same float sums, scanning in label order with ties to the lowest label — the choice
//! a plain Viterbi with full bookkeeping makes (a property test checks it on random scores).

use super::labels::N_LABELS;

/// One character's label scores in lattice order: lanes 0–6 `O`, `B-PER`, `S-PER`, `B-LOC`,
/// `S-LOC`, `B-ORG`, `S-ORG`; lanes 8–13 `M-PER`, `E-PER`, `M-LOC`, `E-LOC`, `M-ORG`,
/// `E-ORG`; lanes 7, 14, 15 padding.
pub type Lanes = [f32; 16];

/// The label of each lane (padding lanes hold `O` but never score above −∞).
pub const LABEL_OF_LANE: [u8; 16] = [0, 1, 4, 5, 8, 9, 12, 0, 2, 3, 6, 7, 10, 11, 0, 0];

/// The lane of each label.
pub const LANE_OF_LABEL: [usize; N_LABELS] = [0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6];

/// Lanes of the labels that close (`O`, `E-x`, `S-x`), in label order: the only predecessors
/// of the opening labels, and the labels a sentence may end with.
const CLOSED: [usize; 7] = [0, 9, 2, 11, 4, 13, 6];
/// For inside lane `8 + j`: the lane of its type's `B` (first predecessor, lower label).
const INSIDE_FROM_B: [usize; 6] = [1, 1, 3, 3, 5, 5];
/// For inside lane `8 + j`: the lane of its type's `M` (second predecessor).
const INSIDE_FROM_M: [usize; 6] = [8, 8, 10, 10, 12, 12];

const NEG: f32 = f32::NEG_INFINITY;

/// Four lanes: one SSE register. Written as plain arrays (no `unsafe` intrinsics); the
/// compiler maps each helper below to one instruction.
type Quad = [f32; 4];

#[inline(always)]
fn add(a: Quad, b: Quad) -> Quad {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]]
}

/// `a > b ? a : b` per lane: x86's `maxps a, b`.
#[inline(always)]
fn max(a: Quad, b: Quad) -> Quad {
    let m = |x: f32, y: f32| if x > y { x } else { y };
    [m(a[0], b[0]), m(a[1], b[1]), m(a[2], b[2]), m(a[3], b[3])]
}

#[inline(always)]
fn add2(a: [Quad; 2], b: [Quad; 2]) -> [Quad; 2] {
    [add(a[0], b[0]), add(a[1], b[1])]
}

#[inline(always)]
fn max2(a: [Quad; 2], b: [Quad; 2]) -> [Quad; 2] {
    [max(a[0], b[0]), max(a[1], b[1])]
}

#[inline(always)]
fn quad<E: Copy>(e: &[E; 16], at: usize) -> Quad
where
    f32: From<E>,
{
    [
        f32::from(e[at]),
        f32::from(e[at + 1]),
        f32::from(e[at + 2]),
        f32::from(e[at + 3]),
    ]
}

/// Transition scores laid out for the fixed BMES lattice shape.
#[derive(Debug, Clone)]
pub struct Lattice {
    /// `open[k]`: score of closed label `CLOSED[k]` → each opening lane (lane 7: −∞).
    open: [[Quad; 2]; 7],
    /// Score of `B-x` → inside lane `8 + j` (lanes 6, 7: −∞).
    inside_b: [Quad; 2],
    /// Score of `M-x` → inside lane `8 + j` (lanes 6, 7: −∞).
    inside_m: [Quad; 2],
}

/// Lane `j` of a pair of quads.
#[inline(always)]
fn lane(q: &[Quad; 2], j: usize) -> f32 {
    q[j / 4][j % 4]
}

fn lane_mut(q: &mut [Quad; 2], j: usize) -> &mut f32 {
    &mut q[j / 4][j % 4]
}

impl Lattice {
    /// A lattice with the given transition scores (`from * N_LABELS + to`, length 13²;
    /// missing entries count as 0). Scores must be finite (model loading checks it).
    pub fn new(trans: &[f32]) -> Self {
        let t = |from: u8, to: u8| {
            trans
                .get(usize::from(from) * N_LABELS + usize::from(to))
                .copied()
                .unwrap_or(0.0)
        };
        let mut open = [[[NEG; 4]; 2]; 7];
        for (row, &from) in open.iter_mut().zip(&CLOSED) {
            for (j, &to) in LABEL_OF_LANE.iter().enumerate().take(7) {
                *lane_mut(row, j) = t(LABEL_OF_LANE[from], to);
            }
        }
        let mut inside_b = [[NEG; 4]; 2];
        let mut inside_m = [[NEG; 4]; 2];
        for j in 0..6 {
            let to = LABEL_OF_LANE[8 + j];
            *lane_mut(&mut inside_b, j) = t(LABEL_OF_LANE[INSIDE_FROM_B[j]], to);
            *lane_mut(&mut inside_m, j) = t(LABEL_OF_LANE[INSIDE_FROM_M[j]], to);
        }
        Lattice {
            open,
            inside_b,
            inside_m,
        }
    }

    /// The best label sequence for `emit` (`n * N_LABELS` scores in label order, row per
    /// character), written into `out`. `back` is scratch space reused between calls.
    /// (Training's entry point; tagging calls [`Lattice::decode_lanes`].)
    pub fn decode(&self, emit: &[f32], back: &mut Vec<Lanes>, out: &mut Vec<u8>) {
        let lanes: Vec<Lanes> = emit
            .chunks_exact(N_LABELS)
            .map(|row| {
                let mut l = [0f32; 16];
                for (&lane, &e) in LANE_OF_LABEL.iter().zip(row) {
                    l[lane] = e;
                }
                l
            })
            .collect();
        self.decode_lanes(&lanes, back, out);
    }

    /// The best label sequence for `emit` (one row of emission scores per character in
    /// lattice order, see [`Lanes`]; padding lanes must be finite, they are ignored), written
    /// into `out` as label indices. `back` is scratch space reused between calls.
    pub fn decode_lanes<E: Copy>(&self, emit: &[[E; 16]], back: &mut Vec<Lanes>, out: &mut Vec<u8>)
    where
        f32: From<E>,
    {
        out.clear();
        let n = emit.len();
        if n == 0 {
            return;
        }
        back.clear();
        back.resize(n, [NEG; 16]);
        // Scores after each character: opening lanes, inside lanes. Only the opening labels
        // may start a sentence.
        let mut open = [quad(&emit[0], 0), quad(&emit[0], 4)];
        open[1][3] = NEG;
        let mut inside = [[NEG; 4]; 2];
        let store = |b: &mut Lanes, open: &[Quad; 2], inside: &[Quad; 2]| {
            for (dst, src) in b.chunks_exact_mut(4).zip(open.iter().chain(inside)) {
                dst.copy_from_slice(src);
            }
        };
        if let Some(b) = back.first_mut() {
            store(b, &open, &inside);
        }
        for (e, b) in emit[1..].iter().zip(&mut back[1..]) {
            let (o, i) = (&open, &inside);
            // The closed labels, in label order: O, E-PER, S-PER, E-LOC, S-LOC, E-ORG, S-ORG.
            let from = [
                o[0][0], i[0][1], o[0][2], i[0][3], o[1][0], i[1][1], o[1][2],
            ];
            let cand = |k: usize| add2([[from[k]; 4]; 2], self.open[k]);
            let best = max2(
                max2(max2(cand(0), cand(1)), max2(cand(2), cand(3))),
                max2(max2(cand(4), cand(5)), cand(6)),
            );
            let from_b = [
                [o[0][1], o[0][1], o[0][3], o[0][3]],
                [o[1][1], o[1][1], NEG, NEG],
            ];
            let from_m = [
                [i[0][0], i[0][0], i[0][2], i[0][2]],
                [i[1][0], i[1][0], NEG, NEG],
            ];
            // The `M` predecessor wins only when strictly better (`B` is the lower label).
            let via_b = max2(add2(from_b, self.inside_b), [[NEG; 4]; 2]);
            let via = max2(add2(from_m, self.inside_m), via_b);
            // Padding lanes stay −∞ (−∞ plus a finite emission).
            open = add2(best, [quad(e, 0), quad(e, 4)]);
            inside = add2(via, [quad(e, 8), quad(e, 12)]);
            store(b, &open, &inside);
        }
        let last = back[n - 1];
        let (mut best, mut at) = (NEG, 0usize);
        for &l in &CLOSED {
            if last[l] > best {
                best = last[l];
                at = l;
            }
        }
        out.resize(n, 0);
        out[n - 1] = LABEL_OF_LANE[at];
        for i in (1..n).rev() {
            // The best predecessor of lane `at`: the first strictly better one in label order.
            let sc = &back[i - 1];
            let (mut best, mut arg) = (NEG, 0usize);
            if at < 8 {
                for (k, &f) in CLOSED.iter().enumerate() {
                    let s = sc[f] + lane(&self.open[k], at);
                    if s > best {
                        best = s;
                        arg = f;
                    }
                }
            } else {
                let j = at - 8;
                let sb = sc[INSIDE_FROM_B[j]] + lane(&self.inside_b, j);
                if sb > best {
                    best = sb;
                    arg = INSIDE_FROM_B[j];
                }
                if sc[INSIDE_FROM_M[j]] + lane(&self.inside_m, j) > best {
                    arg = INSIDE_FROM_M[j];
                }
            }
            at = arg;
            out[i - 1] = LABEL_OF_LANE[at];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::labels::{
        allowed, allowed_end, allowed_start, label, spans, NerType, Part, O,
    };
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

    /// The lattice's fixed shape is exactly what `allowed` says, and the lane tables agree.
    #[test]
    fn fixed_shape_matches_the_bmes_constraints() {
        for l in 0..N_LABELS {
            assert_eq!(usize::from(LABEL_OF_LANE[LANE_OF_LABEL[l]]), l);
        }
        assert!(CLOSED
            .windows(2)
            .all(|w| LABEL_OF_LANE[w[0]] < LABEL_OF_LANE[w[1]]));
        for to in 0..N_LABELS as u8 {
            let lane = LANE_OF_LABEL[usize::from(to)];
            assert_eq!(allowed_start(to), lane < 8, "start {to}");
            assert_eq!(allowed_end(to), CLOSED.contains(&lane), "end {to}");
            for from in 0..N_LABELS as u8 {
                let f = LANE_OF_LABEL[usize::from(from)];
                let want = if lane < 8 {
                    CLOSED.contains(&f)
                } else {
                    f == INSIDE_FROM_B[lane - 8] || f == INSIDE_FROM_M[lane - 8]
                };
                assert_eq!(allowed(from, to), want, "{from} -> {to}");
            }
        }
        for j in 0..6 {
            assert!(LABEL_OF_LANE[INSIDE_FROM_B[j]] < LABEL_OF_LANE[INSIDE_FROM_M[j]]);
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

        /// The same with fractional scores, negative zeros (the order-free maximum may pick
        /// `-0.0` where a scan picks `0.0`) and sentences longer than the buffers' first growth.
        #[test]
        fn agrees_on_fractional_scores_and_signed_zeros(
            trans in proptest::collection::vec(-12i8..=12, N_LABELS * N_LABELS),
            emit in proptest::collection::vec(-8i8..=8, 0..300 * N_LABELS),
            signs in proptest::prelude::any::<u64>(),
        ) {
            let value = |i: usize, v: i8| {
                let x = f32::from(v) * 0.25;
                if x == 0.0 && signs >> (i % 64) & 1 == 1 { -0.0 } else { x }
            };
            let trans: Vec<f32> = trans.iter().enumerate().map(|(i, &v)| value(i, v)).collect();
            let len = emit.len() / N_LABELS * N_LABELS;
            let emit: Vec<f32> = emit[..len].iter().enumerate().map(|(i, &v)| value(i + 7, v)).collect();
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
