//! Training: an averaged structured perceptron over the BMES lattice, then int8 quantisation.
//!
//! Deterministic by construction: integer weight updates, a fixed-seed shuffle, one thread.
//! The same corpus and options give the same model bytes on every run.

use super::features::{rows, CharInfo, RowScratch, N_FEATURES};
use super::labels::N_LABELS;
use super::model::NerModel;
use super::viterbi::Lattice;

/// One training sentence: its characters (with jieba word info) and gold BMES labels.
#[derive(Debug, Clone)]
pub struct Example {
    /// Characters with their word position and POS.
    pub chars: Vec<CharInfo>,
    /// Gold label per character.
    pub gold: Vec<u8>,
}

/// Training options.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    /// Passes over the corpus.
    pub epochs: usize,
    /// The feature table has `2^bits` rows.
    pub bits: u32,
    /// Seed of the per-epoch shuffle.
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 15,
            bits: 19,
            seed: 20_211_124,
        }
    }
}

/// The averaged (float) weights a training run produced.
#[derive(Debug, Clone)]
pub struct Averaged {
    bits: u32,
    weights: Vec<f32>,
    trans: Vec<f32>,
}

/// Current and accumulated weights of the perceptron (lazy averaging trick).
struct Perceptron {
    w: Vec<i32>,
    u: Vec<i64>,
    tw: Vec<i32>,
    tu: Vec<i64>,
    c: i64,
}

impl Perceptron {
    fn bump(&mut self, feats: &[u32], label: u8, delta: i32) {
        for &f in feats {
            let k = f as usize * N_LABELS + usize::from(label);
            if let (Some(w), Some(u)) = (self.w.get_mut(k), self.u.get_mut(k)) {
                *w += delta;
                *u += self.c * i64::from(delta);
            }
        }
    }

    fn bump_trans(&mut self, from: u8, to: u8, delta: i32) {
        let k = usize::from(from) * N_LABELS + usize::from(to);
        if let (Some(w), Some(u)) = (self.tw.get_mut(k), self.tu.get_mut(k)) {
            *w += delta;
            *u += self.c * i64::from(delta);
        }
    }
}

/// A small xorshift generator: the shuffle must not depend on a crate's version.
fn next(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    x
}

/// Trains on `examples`; `on_epoch(epoch, sentences_with_errors)` reports progress.
pub fn train(
    examples: &[Example],
    opts: &TrainOptions,
    mut on_epoch: impl FnMut(usize, usize),
) -> Averaged {
    let size = (1usize << opts.bits) * N_LABELS;
    let mut p = Perceptron {
        w: vec![0; size],
        u: vec![0; size],
        tw: vec![0; N_LABELS * N_LABELS],
        tu: vec![0; N_LABELS * N_LABELS],
        c: 1,
    };
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = opts.seed | 1;
    let (mut feats, mut emit, mut back, mut pred) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for epoch in 0..opts.epochs {
        for i in (1..order.len()).rev() {
            let j = (next(&mut rng) % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let mut wrong = 0;
        let trans: Vec<f32> = p.tw.iter().map(|&t| t as f32).collect();
        let mut lattice = Lattice::new(&trans);
        for &ix in &order {
            let ex = &examples[ix];
            features(&ex.chars, opts.bits, &mut feats);
            emit.clear();
            for fs in feats.chunks_exact(N_FEATURES) {
                let mut acc = [0i32; N_LABELS];
                for &f in fs {
                    let base = f as usize * N_LABELS;
                    for (a, w) in acc.iter_mut().zip(&p.w[base..base + N_LABELS]) {
                        *a += *w;
                    }
                }
                emit.extend(acc.iter().map(|&a| a as f32));
            }
            lattice.decode(&emit, &mut back, &mut pred);
            if pred != ex.gold {
                wrong += 1;
                for (k, (&g, &q)) in ex.gold.iter().zip(&pred).enumerate() {
                    if g != q {
                        let fs = &feats[k * N_FEATURES..(k + 1) * N_FEATURES];
                        p.bump(fs, g, 1);
                        p.bump(fs, q, -1);
                    }
                }
                for (g, q) in ex.gold.windows(2).zip(pred.windows(2)) {
                    if g != q {
                        p.bump_trans(g[0], g[1], 1);
                        p.bump_trans(q[0], q[1], -1);
                    }
                }
                let trans: Vec<f32> = p.tw.iter().map(|&t| t as f32).collect();
                lattice = Lattice::new(&trans);
            }
            p.c += 1;
        }
        on_epoch(epoch + 1, wrong);
    }
    let c = p.c as f64;
    let avg = |w: &[i32], u: &[i64]| -> Vec<f32> {
        w.iter()
            .zip(u)
            .map(|(&w, &u)| (f64::from(w) - u as f64 / c) as f32)
            .collect()
    };
    Averaged {
        bits: opts.bits,
        weights: avg(&p.w, &p.u),
        trans: avg(&p.tw, &p.tu),
    }
}

/// Buckets of every feature of every character of `s`, row per character.
fn features(s: &[CharInfo], bits: u32, out: &mut Vec<u32>) {
    let mut per_char = Vec::with_capacity(s.len());
    rows(s, bits, &mut RowScratch::default(), &mut per_char);
    out.clear();
    out.extend(per_char.iter().flatten());
}

impl Averaged {
    /// Labels `s` with the float weights (what quantised inference approximates).
    pub fn tag(&self, s: &[CharInfo]) -> Vec<u8> {
        let mut feats = Vec::new();
        features(s, self.bits, &mut feats);
        let mut emit = Vec::with_capacity(s.len() * N_LABELS);
        for fs in feats.chunks_exact(N_FEATURES) {
            let mut acc = [0f32; N_LABELS];
            for &f in fs {
                let base = f as usize * N_LABELS;
                for (a, w) in acc.iter_mut().zip(&self.weights[base..base + N_LABELS]) {
                    *a += *w;
                }
            }
            emit.extend_from_slice(&acc);
        }
        let (mut back, mut out) = (Vec::new(), Vec::new());
        Lattice::new(&self.trans).decode(&emit, &mut back, &mut out);
        out
    }

    /// Quantises the feature weights to int8 with one scale (largest weight ↦ ±127);
    /// transitions stay float, expressed in the same int8 units.
    pub fn quantise(&self) -> NerModel {
        let max = self
            .weights
            .iter()
            .fold(0f32, |m, w| m.max(w.abs()))
            .max(f32::MIN_POSITIVE);
        let scale = max / 127.0;
        let weights = self
            .weights
            .iter()
            .map(|w| (w / scale).round().clamp(-127.0, 127.0) as i8)
            .collect();
        let trans = self.trans.iter().map(|t| t / scale).collect();
        NerModel::from_parts(self.bits, scale, trans, weights)
    }
}

#[cfg(test)]
mod tests {
    use super::super::features::push_word;
    use super::super::labels::{from_spans, spans, NerType, Span};
    use super::super::model::Scratch;
    use super::*;

    /// A toy corpus: `<name>说` is a person, `<place>市` a place, `<org>局` an organisation.
    fn corpus() -> Vec<Example> {
        let names = ["张伟", "李娜", "王强", "刘洋"];
        let places = ["青岛", "漯河", "吉安", "宜宾"];
        let orgs = ["财政局", "公安局", "教育局", "税务局"];
        let mut out = Vec::new();
        for (k, n) in names.iter().enumerate() {
            let p = places[(k + 1) % 4];
            let o = orgs[(k + 2) % 4];
            let words = [
                (*n, "nr"),
                ("在", "p"),
                (p, "ns"),
                ("市", "n"),
                (o, "nt"),
                ("说", "v"),
            ];
            let mut chars = Vec::new();
            for (w, pos) in words {
                push_word(w, pos, &mut chars);
            }
            let gold = from_spans(
                chars.len(),
                &[
                    Span {
                        start: 0,
                        end: 2,
                        ty: NerType::Per,
                    },
                    Span {
                        start: 3,
                        end: 6,
                        ty: NerType::Loc,
                    },
                    Span {
                        start: 6,
                        end: 9,
                        ty: NerType::Org,
                    },
                ],
            );
            out.push(Example { chars, gold });
        }
        out
    }

    #[test]
    fn perceptron_learns_a_separable_toy_corpus() {
        let ex = corpus();
        let opts = TrainOptions {
            epochs: 8,
            bits: 12,
            seed: 7,
        };
        let mut errors = Vec::new();
        let avg = train(&ex, &opts, |_, e| errors.push(e));
        assert_eq!(errors.len(), 8);
        assert_eq!(errors.last().copied(), Some(0), "{errors:?}");
        for e in &ex {
            assert_eq!(spans(&avg.tag(&e.chars)), spans(&e.gold));
        }
    }

    #[test]
    fn quantised_inference_agrees_with_the_trainer() {
        let ex = corpus();
        let avg = train(
            &ex,
            &TrainOptions {
                epochs: 6,
                bits: 12,
                seed: 3,
            },
            |_, _| {},
        );
        let model = avg.quantise();
        let back = NerModel::from_bytes(&model.to_bytes()).expect("round trip");
        let (mut scratch, mut out) = (Scratch::default(), Vec::new());
        for e in &ex {
            back.tag(&e.chars, &mut scratch, &mut out);
            assert_eq!(out, avg.tag(&e.chars));
        }
    }

    #[test]
    fn training_is_deterministic() {
        let ex = corpus();
        let opts = TrainOptions {
            epochs: 3,
            bits: 10,
            seed: 11,
        };
        let a = train(&ex, &opts, |_, _| {}).quantise().to_bytes();
        let b = train(&ex, &opts, |_, _| {}).quantise().to_bytes();
        assert_eq!(a, b);
    }
}
