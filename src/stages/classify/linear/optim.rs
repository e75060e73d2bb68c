//! Fitting multinomial logistic regression: the objective and an L-BFGS minimiser.
//!
//! The objective is the mean log-loss of the softmax model plus `λ/2 ‖W‖²` (biases are not
//! penalised). It is smooth and strictly convex, so L-BFGS with a backtracking (Armijo) line
//! search converges to the unique optimum; no learning rate needs tuning.

use super::model::softmax;

/// A training set in compressed sparse rows: TF-IDF vectors and label indices.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Row `i` is `entries[offsets[i]..offsets[i + 1]]`.
    pub offsets: Vec<usize>,
    /// `(feature, value)` pairs of every row, concatenated.
    pub entries: Vec<(u32, f32)>,
    /// Label index of every row.
    pub labels: Vec<usize>,
    /// Number of features (columns).
    pub n_features: usize,
    /// Number of labels.
    pub n_labels: usize,
}

impl Dataset {
    /// An empty dataset of the given shape.
    pub fn new(n_features: usize, n_labels: usize) -> Self {
        Dataset {
            offsets: vec![0],
            n_features,
            n_labels,
            ..Dataset::default()
        }
    }

    /// Appends one example; `x` must be sorted by feature and within `n_features`.
    pub fn push(&mut self, x: &[(u32, f32)], label: usize) {
        self.entries.extend_from_slice(x);
        self.offsets.push(self.entries.len());
        self.labels.push(label);
    }

    /// Number of examples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True if there is no example.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[(u32, f32)] {
        &self.entries[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Size of the parameter vector: weights (`n_features × n_labels`, row-major), then biases.
    pub fn n_params(&self) -> usize {
        (self.n_features + 1) * self.n_labels
    }

    /// Decision values of row `i` under parameters `theta`.
    pub fn scores(&self, theta: &[f64], i: usize) -> Vec<f64> {
        let k = self.n_labels;
        let bias = &theta[self.n_features * k..];
        let mut s = bias.to_vec();
        for &(j, v) in self.row(i) {
            let w = &theta[j as usize * k..(j as usize + 1) * k];
            for (acc, &wj) in s.iter_mut().zip(w) {
                *acc += wj * f64::from(v);
            }
        }
        s
    }

    /// The regularised objective at `theta`, writing its gradient into `grad`.
    pub fn objective(&self, theta: &[f64], l2: f64, grad: &mut [f64]) -> f64 {
        let k = self.n_labels;
        let nw = self.n_features * k;
        let n = self.len().max(1) as f64;
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut loss = 0.0;
        for i in 0..self.len() {
            let s = self.scores(theta, i);
            let max = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let lse = max + s.iter().map(|x| (x - max).exp()).sum::<f64>().ln();
            let y = self.labels[i];
            loss += lse - s[y];
            let mut r = softmax(&s);
            r[y] -= 1.0;
            for (gb, ri) in grad[nw..].iter_mut().zip(&r) {
                *gb += ri / n;
            }
            for &(j, v) in self.row(i) {
                let scale = f64::from(v) / n;
                let g = &mut grad[j as usize * k..(j as usize + 1) * k];
                for (gj, ri) in g.iter_mut().zip(&r) {
                    *gj += ri * scale;
                }
            }
        }
        let mut penalty = 0.0;
        for (g, w) in grad[..nw].iter_mut().zip(&theta[..nw]) {
            *g += l2 * w;
            penalty += w * w;
        }
        loss / n + 0.5 * l2 * penalty
    }
}

/// When to stop optimising.
#[derive(Debug, Clone, Copy)]
pub struct Stop {
    /// Most iterations.
    pub max_iter: usize,
    /// Stop once the largest gradient component is below this.
    pub grad_tol: f64,
    /// Stop once an iteration lowers the objective by less than this, relatively.
    pub rel_tol: f64,
}

/// What the minimiser reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Final objective value.
    pub value: f64,
    /// Iterations run.
    pub iterations: usize,
}

/// Correction pairs kept by L-BFGS.
const HISTORY: usize = 6;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn dot32(a: &[f32], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| f64::from(*x) * y).sum()
}

/// Minimises `f` from `x` (updated in place) with L-BFGS. `f(x, grad)` returns the value
/// and writes the gradient. Correction pairs are stored as `f32` to halve their memory.
pub fn lbfgs(x: &mut [f64], stop: Stop, mut f: impl FnMut(&[f64], &mut [f64]) -> f64) -> Outcome {
    let n = x.len();
    let mut g = vec![0.0; n];
    let mut value = f(x, &mut g);
    let mut hist: Vec<(Vec<f32>, Vec<f32>, f64)> = Vec::with_capacity(HISTORY);
    let mut d = vec![0.0; n];
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let mut iterations = 0;
    while iterations < stop.max_iter {
        if g.iter().fold(0.0f64, |m, v| m.max(v.abs())) < stop.grad_tol {
            break;
        }
        iterations += 1;
        // Two-loop recursion: d = -H g.
        d.copy_from_slice(&g);
        let mut alphas = Vec::with_capacity(hist.len());
        for (s, y, rho) in hist.iter().rev() {
            let a = rho * dot32(s, &d);
            for (di, yi) in d.iter_mut().zip(y) {
                *di -= a * f64::from(*yi);
            }
            alphas.push(a);
        }
        let gamma = hist.last().map_or_else(
            || 1.0 / dot(&g, &g).sqrt().max(1e-12),
            |(s, y, _)| {
                let yy: f64 = y.iter().map(|v| f64::from(*v).powi(2)).sum();
                let sy: f64 = s
                    .iter()
                    .zip(y)
                    .map(|(a, b)| f64::from(*a) * f64::from(*b))
                    .sum();
                sy / yy.max(1e-300)
            },
        );
        d.iter_mut().for_each(|v| *v *= gamma);
        for ((s, y, rho), a) in hist.iter().zip(alphas.iter().rev()) {
            let b = rho * dot32(y, &d);
            for (di, si) in d.iter_mut().zip(s) {
                *di += (a - b) * f64::from(*si);
            }
        }
        d.iter_mut().for_each(|v| *v = -*v);
        let mut slope = dot(&g, &d);
        if slope >= 0.0 {
            // Not a descent direction (numerical trouble): restart from steepest descent.
            hist.clear();
            let scale = 1.0 / dot(&g, &g).sqrt().max(1e-12);
            for (di, gi) in d.iter_mut().zip(&g) {
                *di = -gi * scale;
            }
            slope = dot(&g, &d);
        }
        // Backtracking line search (Armijo condition).
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..40 {
            for ((xn, xi), di) in x_new.iter_mut().zip(x.iter()).zip(&d) {
                *xn = xi + step * di;
            }
            let v = f(&x_new, &mut g_new);
            if v.is_finite() && v <= value + 1e-4 * step * slope {
                accepted = Some(v);
                break;
            }
            step *= 0.5;
        }
        let Some(v_new) = accepted else {
            break;
        };
        let s: Vec<f32> = x_new
            .iter()
            .zip(x.iter())
            .map(|(a, b)| (a - b) as f32)
            .collect();
        let y: Vec<f32> = g_new.iter().zip(&g).map(|(a, b)| (a - b) as f32).collect();
        let sy: f64 = s
            .iter()
            .zip(&y)
            .map(|(a, b)| f64::from(*a) * f64::from(*b))
            .sum();
        if sy > 1e-12 {
            if hist.len() == HISTORY {
                hist.remove(0);
            }
            hist.push((s, y, 1.0 / sy));
        }
        x.copy_from_slice(&x_new);
        g.copy_from_slice(&g_new);
        let decrease = value - v_new;
        value = v_new;
        if decrease <= stop.rel_tol * value.abs().max(1e-12) {
            break;
        }
    }
    Outcome { value, iterations }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lbfgs_finds_the_minimum_of_a_quadratic() {
        // f(x) = Σ c_i (x_i - i)², badly conditioned.
        let c = [1.0, 10.0, 100.0, 0.1];
        let mut x = vec![0.0; 4];
        let stop = Stop {
            max_iter: 200,
            grad_tol: 1e-9,
            rel_tol: 0.0,
        };
        let out = lbfgs(&mut x, stop, |x, g| {
            let mut v = 0.0;
            for i in 0..4 {
                let d = x[i] - i as f64;
                v += c[i] * d * d;
                g[i] = 2.0 * c[i] * d;
            }
            v
        });
        for (i, xi) in x.iter().enumerate() {
            assert!((xi - i as f64).abs() < 1e-4, "x = {x:?}");
        }
        assert!(out.value < 1e-8);
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let mut data = Dataset::new(3, 3);
        data.push(&[(0, 0.6), (2, 0.8)], 0);
        data.push(&[(1, 1.0)], 1);
        data.push(&[(0, 0.3), (1, 0.4), (2, 0.866)], 2);
        let theta: Vec<f64> = (0..data.n_params())
            .map(|i| (i as f64 * 0.37).sin())
            .collect();
        let mut g = vec![0.0; theta.len()];
        let f0 = data.objective(&theta, 0.1, &mut g);
        assert!(f0.is_finite());
        let mut scratch = vec![0.0; theta.len()];
        for i in 0..theta.len() {
            let h = 1e-6;
            let mut t = theta.clone();
            t[i] += h;
            let up = data.objective(&t, 0.1, &mut scratch);
            t[i] -= 2.0 * h;
            let down = data.objective(&t, 0.1, &mut scratch);
            let numeric = (up - down) / (2.0 * h);
            assert!(
                (numeric - g[i]).abs() < 1e-6,
                "param {i}: analytic {} vs numeric {numeric}",
                g[i]
            );
        }
    }
}
