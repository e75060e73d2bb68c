//! Viterbi decoding over the BMES label lattice, with invalid transitions pruned.

use super::labels::{allowed, allowed_end, allowed_start, N_LABELS};

/// Transition scores and the predecessor lists that the BMES constraints allow.
#[derive(Debug, Clone)]
pub struct Lattice {
    /// `trans[from * N_LABELS + to]`.
    trans: Vec<f32>,
    /// For each label, the labels allowed before it.
    preds: Vec<Vec<u8>>,
}

impl Lattice {
    /// A lattice with the given transition scores (`from * N_LABELS + to`, length 13²).
    pub fn new(trans: &[f32]) -> Self {
        let mut t = vec![0.0; N_LABELS * N_LABELS];
        for (d, s) in t.iter_mut().zip(trans) {
            *d = *s;
        }
        let preds = (0..N_LABELS as u8)
            .map(|to| (0..N_LABELS as u8).filter(|&f| allowed(f, to)).collect())
            .collect();
        Lattice { trans: t, preds }
    }

    /// The best label sequence for `emit` (`n * N_LABELS` scores, row per character),
    /// written into `out`. `back` is scratch space reused between calls.
    pub fn decode(&self, emit: &[f32], back: &mut Vec<u8>, out: &mut Vec<u8>) {
        out.clear();
        let n = emit.len() / N_LABELS;
        if n == 0 {
            return;
        }
        back.clear();
        back.resize(n * N_LABELS, 0);
        let mut prev = [f32::NEG_INFINITY; N_LABELS];
        for (l, p) in prev.iter_mut().enumerate() {
            if allowed_start(l as u8) {
                *p = emit[l];
            }
        }
        let mut cur = [f32::NEG_INFINITY; N_LABELS];
        for i in 1..n {
            let row = &emit[i * N_LABELS..(i + 1) * N_LABELS];
            let brow = &mut back[i * N_LABELS..(i + 1) * N_LABELS];
            for to in 0..N_LABELS {
                let mut best = f32::NEG_INFINITY;
                let mut arg = 0u8;
                for &f in &self.preds[to] {
                    let s = prev[usize::from(f)] + self.trans[usize::from(f) * N_LABELS + to];
                    if s > best {
                        best = s;
                        arg = f;
                    }
                }
                cur[to] = best + row[to];
                brow[to] = arg;
            }
            prev = cur;
        }
        let mut best = f32::NEG_INFINITY;
        let mut arg = 0u8;
        for (l, &s) in prev.iter().enumerate() {
            if allowed_end(l as u8) && s > best {
                best = s;
                arg = l as u8;
            }
        }
        out.resize(n, 0);
        out[n - 1] = arg;
        for i in (1..n).rev() {
            arg = back[i * N_LABELS + usize::from(arg)];
            out[i - 1] = arg;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::labels::{label, spans, NerType, Part, O};
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

    #[test]
    fn empty_input_decodes_to_nothing() {
        let lat = Lattice::new(&[0.0; N_LABELS * N_LABELS]);
        let (mut back, mut out) = (Vec::new(), vec![1]);
        lat.decode(&[], &mut back, &mut out);
        assert!(out.is_empty());
    }
}
