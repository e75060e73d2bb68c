//! Gradient-boosted regression trees over the column-break evidence: the first-stage log-odds
//! that a tail continues a head, where the features interact (a word across the cut counts for
//! more when the tail is far, a paragraph-start prior matters less right after the head), which
//! one logistic weight per feature cannot express.
//!
//! The forest is fitted by `examples/rejoin_fit.rs` (`BOOST=FILE`, logistic loss, depth-limited
//! trees on binned features, see [`fit`]) and compiled in as text (`config/rejoin-trees.txt`):
//! a first line `base B`, then per tree a line `tree` followed by its nodes in order, each
//! `split FEATURE THRESHOLD LEFT RIGHT` (go to node `LEFT` when the feature is ≤ the threshold)
//! or `leaf VALUE`, node numbers counting from the tree's first node. The log-odds is `B` plus
//! the leaf value of every tree. Hand-rolled rather than a crate: fitting is 150 lines over a
//! few tens of thousands of rows, and scoring (the padded layout [`Flat`]) must stay about 25
//! instructions per tree and pair.

use std::sync::OnceLock;

/// One node of a tree: an internal split or a leaf.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Node {
    /// Go to `left` when `x[feature] <= threshold`, else to `right` (indices into the forest).
    Split {
        feature: u16,
        threshold: f32,
        left: u32,
        right: u32,
    },
    /// Adds `value` to the log-odds.
    Leaf(f32),
}

/// A fitted forest: its trees' nodes and the base log-odds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Forest {
    base: f32,
    nodes: Vec<Node>,
    roots: Vec<u32>,
}

const TREES_TXT: &str = include_str!("../../../config/rejoin-trees.txt");

/// The compiled-in forest, laid out for scoring (empty, scoring 0, if the compiled-in text
/// does not parse: a unit test makes sure it does).
pub fn forest() -> &'static Flat {
    static FOREST: OnceLock<Flat> = OnceLock::new();
    FOREST.get_or_init(|| Flat::new(&Forest::parse(TREES_TXT).unwrap_or_default()))
}

/// The forest written in the file at `path` (as [`Forest::to_text`] writes it), laid out for
/// scoring: for trying a fit without compiling it in.
///
/// # Errors
/// If the file cannot be read or does not parse.
pub fn read_flat(path: &std::path::Path) -> Result<Flat, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    Ok(Flat::new(&Forest::parse(&text)?))
}

/// Depth of every tree of a [`Flat`] forest (shallower trees are padded; deeper ones are not
/// accepted: [`Params::depth`] must stay at or below it).
pub const FLAT_DEPTH: usize = 4;

/// Width of a [`Flat`] forest's input: features are read as `x[feature % WIDTH]`, so the
/// inner loop needs no bounds check (inputs are padded with zeros to this width).
pub const WIDTH: usize = 64;

const SPLITS: usize = (1 << FLAT_DEPTH) - 1;
const LEAVES: usize = 1 << FLAT_DEPTH;

/// One tree of a [`Flat`] forest: its splits in breadth-first order and its leaves. Nodes are
/// numbered from 1 as in a binary heap (the children of `n` are `2n` and `2n + 1`): the splits
/// are 1–15 (slot 0 is unused) and the leaves 16–31, stored at `n − 16`, so the walk is one
/// shift and add per level and an index masked to 16 needs no bounds check. A split keeps its
/// threshold and feature together, so one address serves both.
#[derive(Clone, Copy, Debug)]
struct FlatTree {
    split: [FlatSplit; LEAVES],
    leaf: [f32; LEAVES],
}

/// One split of a [`FlatTree`]: go right when `x[feature] > threshold`.
#[derive(Clone, Copy, Debug)]
struct FlatSplit {
    threshold: f32,
    feature: u32,
}

/// A forest with every tree padded to depth [`FLAT_DEPTH`], so that scoring a tree is four
/// compare-and-step moves with no branch on the node kind (a split under an early leaf always
/// goes left, and every leaf under it carries its value).
#[derive(Clone, Debug, Default)]
pub struct Flat {
    base: f32,
    trees: Vec<FlatTree>,
}

impl Flat {
    /// The padded layout of `f`; empty if a tree is deeper than [`FLAT_DEPTH`] or reads a
    /// feature at or past [`WIDTH`].
    pub fn new(f: &Forest) -> Self {
        let fits = f
            .roots
            .iter()
            .all(|&r| f.depth_at(r as usize) <= FLAT_DEPTH)
            && f.nodes.iter().all(|n| match n {
                Node::Split { feature, .. } => usize::from(*feature) < WIDTH,
                Node::Leaf(_) => true,
            });
        if !fits {
            return Flat::default();
        }
        let blank = FlatTree {
            split: [FlatSplit {
                threshold: f32::INFINITY,
                feature: 0,
            }; LEAVES],
            leaf: [0.0; LEAVES],
        };
        let trees = f
            .roots
            .iter()
            .map(|&root| {
                let mut t = blank;
                place(f, root as usize, &mut t, 0);
                t
            })
            .collect();
        Flat {
            base: f.base,
            trees,
        }
    }

    /// The log-odds for the features `x` (padded with zeros to [`WIDTH`]).
    pub fn score(&self, x: &[f32; WIDTH]) -> f32 {
        let mut sum = self.base;
        for t in &self.trees {
            // Heap numbering: `n` < 16 at every split, 16–31 at the end (the masks only drop
            // the bounds checks).
            let mut n = 1usize;
            for _ in 0..FLAT_DEPTH {
                let sp = t.split[n % LEAVES];
                let v = x[sp.feature as usize % WIDTH];
                n = 2 * n + usize::from(v > sp.threshold);
            }
            sum += t.leaf[n % LEAVES];
        }
        sum
    }

    /// Number of trees.
    pub fn len(&self) -> usize {
        self.trees.len()
    }

    /// Whether the forest has no tree.
    pub fn is_empty(&self) -> bool {
        self.trees.is_empty()
    }
}

/// Copies the subtree at `node` of `f` into `t` at breadth-first position `pos` (from 0; heap
/// node `pos + 1`).
fn place(f: &Forest, node: usize, t: &mut FlatTree, pos: usize) {
    match f.nodes.get(node) {
        Some(Node::Split {
            feature,
            threshold,
            left,
            right,
        }) if pos < SPLITS => {
            t.split[pos + 1] = FlatSplit {
                threshold: *threshold,
                feature: u32::from(*feature),
            };
            place(f, *left as usize, t, 2 * pos + 1);
            place(f, *right as usize, t, 2 * pos + 2);
        }
        Some(Node::Leaf(v)) => {
            // Every leaf position under `pos` (the splits there stay ≤ +∞: always left).
            let (mut lo, mut hi) = (pos, pos);
            while lo < SPLITS {
                (lo, hi) = (2 * lo + 1, 2 * hi + 2);
            }
            for k in lo..=hi {
                t.leaf[k - SPLITS] = *v;
            }
        }
        _ => {}
    }
}

impl Forest {
    /// Depth of the subtree at `node` (a leaf: 0).
    fn depth_at(&self, node: usize) -> usize {
        match self.nodes.get(node) {
            Some(Node::Split { left, right, .. }) => {
                1 + self
                    .depth_at(*left as usize)
                    .max(self.depth_at(*right as usize))
            }
            _ => 0,
        }
    }

    /// Number of trees.
    pub fn len(&self) -> usize {
        self.roots.len()
    }

    /// Whether the forest has no tree.
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    /// The log-odds for the features `x`.
    pub fn score(&self, x: &[f32]) -> f32 {
        let mut sum = self.base;
        for &root in &self.roots {
            let mut at = root as usize;
            loop {
                match self.nodes.get(at) {
                    Some(Node::Split {
                        feature,
                        threshold,
                        left,
                        right,
                    }) => {
                        let v = x.get(usize::from(*feature)).copied().unwrap_or(0.0);
                        at = if v <= *threshold { *left } else { *right } as usize;
                    }
                    Some(Node::Leaf(v)) => {
                        sum += v;
                        break;
                    }
                    None => break,
                }
            }
        }
        sum
    }

    /// Reads the text form (see the module documentation).
    ///
    /// # Errors
    /// The 1-based number of the first line that does not parse, and why.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut f = Forest::default();
        let mut tree_start = 0usize;
        let mut in_tree = false;
        for (n, line) in text.lines().enumerate() {
            let bad = |why: &str| format!("line {}: {why}: {line:?}", n + 1);
            let w: Vec<&str> = line.split_whitespace().collect();
            let num = |s: &str| s.parse::<f32>().map_err(|_| bad("not a number"));
            let idx = |s: &str| {
                s.parse::<u32>()
                    .map(|k| k + tree_start as u32)
                    .map_err(|_| bad("not a node number"))
            };
            match w.as_slice() {
                [] => {}
                ["base", b] => f.base = num(b)?,
                ["tree"] => {
                    tree_start = f.nodes.len();
                    f.roots.push(tree_start as u32);
                    in_tree = true;
                }
                ["leaf", v] if in_tree => f.nodes.push(Node::Leaf(num(v)?)),
                ["split", k, t, l, r] if in_tree => f.nodes.push(Node::Split {
                    feature: k.parse().map_err(|_| bad("not a feature number"))?,
                    threshold: num(t)?,
                    left: idx(l)?,
                    right: idx(r)?,
                }),
                _ => return Err(bad("expected `base`, `tree`, `split` or `leaf`")),
            }
        }
        let n = f.nodes.len() as u32;
        let dangling = f.nodes.iter().any(|node| match node {
            Node::Split { left, right, .. } => *left >= n || *right >= n,
            Node::Leaf(_) => false,
        });
        if dangling {
            return Err("a split points past the last node".into());
        }
        Ok(f)
    }

    /// The text form that [`Forest::parse`] reads (values written exactly: `f32` `Display`
    /// round-trips).
    pub fn to_text(&self) -> String {
        let mut out = format!("base {}\n", self.base);
        for (t, &root) in self.roots.iter().enumerate() {
            let end = self
                .roots
                .get(t + 1)
                .map_or(self.nodes.len(), |&r| r as usize);
            out.push_str("tree\n");
            for node in &self.nodes[root as usize..end] {
                match node {
                    Node::Split {
                        feature,
                        threshold,
                        left,
                        right,
                    } => out.push_str(&format!(
                        "split {feature} {threshold} {} {}\n",
                        left - root,
                        right - root
                    )),
                    Node::Leaf(v) => out.push_str(&format!("leaf {v}\n")),
                }
            }
        }
        out
    }
}

/// Fitting parameters.
#[derive(Clone, Copy, Debug)]
pub struct Params {
    /// Number of trees.
    pub trees: usize,
    /// Depth of each tree (2^depth leaves at most).
    pub depth: usize,
    /// Shrinkage applied to every leaf.
    pub learning_rate: f32,
    /// L2 penalty on leaf values.
    pub lambda: f64,
    /// Least summed hessian (weighted p(1−p)) on each side of a split.
    pub min_hessian: f64,
    /// Most distinct thresholds tried per feature (quantiles of its values).
    pub bins: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            trees: 200,
            depth: 4,
            learning_rate: 0.075,
            lambda: 1.0,
            min_hessian: 1.0,
            bins: 64,
        }
    }
}

/// Fits a forest by gradient boosting with logistic loss on rows `x` (all of one width), labels
/// `y` and row weights `w`.
pub fn fit(x: &[Vec<f32>], y: &[bool], w: &[f64], p: &Params) -> Forest {
    let n = x.len();
    let d = x.first().map_or(0, Vec::len);
    // Candidate thresholds per feature: its distinct values, thinned to quantiles.
    let cuts: Vec<Vec<f32>> = (0..d)
        .map(|k| {
            let mut v: Vec<f32> = x.iter().map(|r| r[k]).collect();
            v.sort_by(f32::total_cmp);
            v.dedup();
            if v.len() > p.bins {
                let m = v.len();
                v = (1..=p.bins)
                    .map(|i| v[(i * m / p.bins).min(m) - 1])
                    .collect();
                v.dedup();
            }
            v
        })
        .collect();
    // Bin of each value: the first cut at or above it.
    let bin: Vec<Vec<u8>> = x
        .iter()
        .map(|r| {
            (0..d)
                .map(|k| cuts[k].partition_point(|&c| c < r[k]).min(255) as u8)
                .collect()
        })
        .collect();
    let (pos, total): (f64, f64) = y.iter().zip(w).fold((0.0, 0.0), |(a, b), (&yi, &wi)| {
        (a + if yi { wi } else { 0.0 }, b + wi)
    });
    let prior = (pos.max(1e-9) / (total - pos).max(1e-9)).ln() as f32;
    let mut forest = Forest {
        base: prior,
        ..Forest::default()
    };
    let mut raw = vec![prior; n];
    for _ in 0..p.trees {
        let (g, h): (Vec<f64>, Vec<f64>) = (0..n)
            .map(|i| {
                let q = 1.0 / (1.0 + (-f64::from(raw[i])).exp());
                let t = if y[i] { 1.0 } else { 0.0 };
                (w[i] * (q - t), (w[i] * q * (1.0 - q)).max(1e-12))
            })
            .unzip();
        let root = forest.nodes.len() as u32;
        forest.roots.push(root);
        let rows: Vec<usize> = (0..n).collect();
        let grow = Grow {
            bin: &bin,
            cuts: &cuts,
            g: &g,
            h: &h,
            p,
        };
        grow.node(&mut forest.nodes, rows, 0, &mut raw);
    }
    forest
}

/// One tree's growth over the binned rows and their gradients.
struct Grow<'a> {
    bin: &'a [Vec<u8>],
    cuts: &'a [Vec<f32>],
    g: &'a [f64],
    h: &'a [f64],
    p: &'a Params,
}

impl Grow<'_> {
    /// Appends the subtree for `rows` at `depth`, adding its leaves' values to `raw`.
    fn node(&self, nodes: &mut Vec<Node>, rows: Vec<usize>, depth: usize, raw: &mut [f32]) {
        let (gs, hs) = rows
            .iter()
            .fold((0.0, 0.0), |(a, b), &i| (a + self.g[i], b + self.h[i]));
        let lam = self.p.lambda;
        let split = if depth < self.p.depth {
            self.best_split(&rows, gs, hs)
        } else {
            None
        };
        let Some((k, b)) = split else {
            let v = (-gs / (hs + lam)) as f32 * self.p.learning_rate;
            for &i in &rows {
                raw[i] += v;
            }
            nodes.push(Node::Leaf(v));
            return;
        };
        let at = nodes.len();
        nodes.push(Node::Leaf(0.0));
        let (l, r): (Vec<usize>, Vec<usize>) = rows
            .into_iter()
            .partition(|&i| usize::from(self.bin[i][k]) <= b);
        let left = nodes.len() as u32;
        self.node(nodes, l, depth + 1, raw);
        let right = nodes.len() as u32;
        self.node(nodes, r, depth + 1, raw);
        nodes[at] = Node::Split {
            feature: k as u16,
            threshold: self.cuts[k][b],
            left,
            right,
        };
    }

    /// The (feature, bin) split with the largest gain, if any gains.
    fn best_split(&self, rows: &[usize], gs: f64, hs: f64) -> Option<(usize, usize)> {
        let lam = self.p.lambda;
        let parent = gs * gs / (hs + lam);
        let mut best: Option<(f64, usize, usize)> = None;
        for (k, cuts) in self.cuts.iter().enumerate() {
            if cuts.len() < 2 {
                continue;
            }
            let mut hg = vec![0.0f64; cuts.len() + 1];
            let mut hh = vec![0.0f64; cuts.len() + 1];
            for &i in rows {
                let b = usize::from(self.bin[i][k]);
                hg[b] += self.g[i];
                hh[b] += self.h[i];
            }
            let (mut gl, mut hl) = (0.0, 0.0);
            for b in 0..cuts.len() - 1 {
                gl += hg[b];
                hl += hh[b];
                let (gr, hr) = (gs - gl, hs - hl);
                if hl < self.p.min_hessian || hr < self.p.min_hessian {
                    continue;
                }
                let gain = gl * gl / (hl + lam) + gr * gr / (hr + lam) - parent;
                if gain > 1e-9 && best.is_none_or(|(bg, _, _)| gain > bg) {
                    best = Some((gain, k, b));
                }
            }
        }
        best.map(|(_, k, b)| (k, b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_forest_parses_and_has_trees() {
        let f = Forest::parse(TREES_TXT);
        assert!(f.as_ref().is_ok_and(|f| !f.is_empty()), "{f:?}");
        assert_eq!(forest().len(), f.map(|f| f.len()).unwrap_or(0));
    }

    #[test]
    fn the_flat_layout_scores_as_the_trees_do() {
        let x: Vec<Vec<f32>> = (0..300)
            .map(|i| vec![(i % 11) as f32 * 0.3, (i % 7) as f32 - 2.5, (i % 3) as f32])
            .collect();
        let y: Vec<bool> = x.iter().map(|r| r[0] * r[1] > 0.5 || r[2] > 1.5).collect();
        let p = Params {
            trees: 30,
            ..Params::default()
        };
        let f = fit(&x, &y, &vec![1.0; x.len()], &p);
        let flat = Flat::new(&f);
        assert_eq!(flat.len(), 30);
        let pad = |r: &[f32]| {
            let mut x = [0.0; WIDTH];
            x[..r.len()].copy_from_slice(r);
            x
        };
        for r in &x {
            assert_eq!(flat.score(&pad(r)), f.score(r), "{r:?}");
        }
        // The compiled-in forest, on rows of its own kind.
        let (Ok(f), flat) = (Forest::parse(TREES_TXT), forest()) else {
            panic!("the compiled-in forest must parse");
        };
        for i in 0..200 {
            let r: Vec<f32> = (0..super::super::evidence::N + 1)
                .map(|k| ((i * 7 + k * 13) % 17) as f32 * 0.5 - 4.0)
                .collect();
            assert_eq!(flat.score(&pad(&r)), f.score(&r));
        }
        // A tree deeper than the flat layout takes is refused, not truncated.
        let deep = fit(
            &x,
            &y,
            &vec![1.0; x.len()],
            &Params {
                trees: 3,
                depth: FLAT_DEPTH + 2,
                ..Params::default()
            },
        );
        assert!(Flat::new(&deep).is_empty());
    }

    #[test]
    fn fits_an_interaction_no_single_weight_can() {
        // y = a XOR b: no weight on b alone separates anything (b = 1 makes y = 1 for a = 0 and
        // y = 0 for a = 1); b is unbalanced so that the first split (on a) has a gain.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..600u32 {
            let (a, b) = (i % 2, u32::from(i % 3 == 0));
            x.push(vec![a as f32, b as f32]);
            y.push(a != b);
        }
        let w = vec![1.0; x.len()];
        let f = fit(&x, &y, &w, &Params::default());
        for (r, &t) in x.iter().zip(&y) {
            let s = f.score(r);
            assert!(if t { s > 2.0 } else { s < -2.0 }, "{r:?} {t} {s}");
        }
    }

    #[test]
    fn text_form_round_trips_and_scores_the_same() {
        let x: Vec<Vec<f32>> = (0..200)
            .map(|i| vec![(i % 7) as f32 * 0.3, (i % 5) as f32 - 1.5])
            .collect();
        let y: Vec<bool> = x.iter().map(|r| r[0] + r[1] > 0.4).collect();
        let p = Params {
            trees: 20,
            ..Params::default()
        };
        let f = fit(&x, &y, &vec![1.0; x.len()], &p);
        let back = Forest::parse(&f.to_text());
        assert_eq!(back.as_ref(), Ok(&f));
        for r in &x {
            assert_eq!(back.as_ref().map(|b| b.score(r)), Ok(f.score(r)));
        }
    }

    #[test]
    fn malformed_text_names_its_line() {
        let e = Forest::parse("base 0.5\ntree\nsplit 0 x 1 2\n");
        assert!(e.as_ref().is_err_and(|e| e.starts_with("line 3")), "{e:?}");
        let e = Forest::parse("base 0\ntree\nsplit 0 1 1 5\nleaf 1\n");
        assert!(e.is_err(), "a split past the last node must be refused");
    }
}
