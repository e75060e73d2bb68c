//! Reading order inside one article.
//!
//! The article's paragraphs are cut into *blocks*: runs that are contiguous in the dump, cut
//! further before every section heading and at every column break whose two halves are not
//! adjacent. Blocks are then chained:
//! - a column break (head at the end of block A, tail at the start of block B) forces B right
//!   after A;
//! - otherwise blocks that are contiguous in the dump follow each other, unless that would
//!   close a cycle; links into a heading whose text resembles the title are tried last, so
//!   such a heading is left free to open the article;
//! - the chain that opens the article is the one starting right after the header, with a
//!   lead (`近日`, a dateline) or with the heading closest to the title; the others follow in
//!   dump order.

use super::kinds::Info;
use super::lexical::Lexicon;
use super::rejoin::Link;

/// Orders an article's body (`body`, any order) and groups each broken paragraph's pieces:
/// the result lists output paragraphs, each as the paragraph indices to concatenate.
#[allow(clippy::too_many_arguments)] // plain data from split's steps; a struct would only wrap them
pub fn arrange(
    body: &[usize],
    headings: &[usize],
    links: &[Link],
    infos: &[Info],
    pos_of: &[usize],
    lex: &Lexicon,
    header_text: &str,
    header_end: Option<usize>,
) -> Vec<Vec<usize>> {
    let mut body: Vec<usize> = body.to_vec();
    body.sort_by_key(|&i| pos_of[i]);
    body.dedup();
    if body.is_empty() {
        return Vec::new();
    }
    let in_body = |i: usize| {
        body.binary_search_by_key(&pos_of[i], |&b| pos_of[b])
            .is_ok()
    };
    let my_links: Vec<Link> = links
        .iter()
        .copied()
        .filter(|l| in_body(l.head) && in_body(l.tail))
        .collect();
    let next_link = |h: usize| my_links.iter().find(|l| l.head == h).map(|l| l.tail);
    let prev_link = |t: usize| my_links.iter().find(|l| l.tail == t).map(|l| l.head);

    // Blocks.
    let mut blocks: Vec<Vec<usize>> = Vec::new();
    for (k, &i) in body.iter().enumerate() {
        let new_block = match k.checked_sub(1).map(|p| body[p]) {
            None => true,
            Some(p) => {
                pos_of[i] != pos_of[p] + 1
                    || headings.contains(&i)
                    || prev_link(i).is_some_and(|h| h != p)
                    || next_link(p).is_some_and(|t| t != i)
            }
        };
        if new_block {
            blocks.push(vec![i]);
        } else if let Some(b) = blocks.last_mut() {
            b.push(i);
        }
    }
    cut_cycles(&mut blocks, &next_link, infos);
    let nb = blocks.len();
    let block_of = |i: usize| blocks.iter().position(|b| b.contains(&i));
    let mut succ: Vec<Option<usize>> = vec![None; nb];
    let mut pred: Vec<Option<usize>> = vec![None; nb];
    let reaches = |succ: &[Option<usize>], from: usize, to: usize| {
        let mut cur = Some(from);
        let mut steps = 0;
        while let Some(c) = cur {
            if c == to {
                return true;
            }
            cur = succ[c];
            steps += 1;
            if steps > nb {
                return true;
            }
        }
        false
    };
    let try_link =
        |a: usize, b: usize, succ: &mut Vec<Option<usize>>, pred: &mut Vec<Option<usize>>| {
            if a != b && succ[a].is_none() && pred[b].is_none() && !reaches(succ, b, a) {
                succ[a] = Some(b);
                pred[b] = Some(a);
            }
        };
    // Forced links: column breaks.
    for l in &my_links {
        if let (Some(a), Some(b)) = (block_of(l.head), block_of(l.tail)) {
            if blocks[a].last() == Some(&l.head) && blocks[b].first() == Some(&l.tail) {
                try_link(a, b, &mut succ, &mut pred);
            }
        }
    }
    // The header's vector, built once (on first use) for every heading compared with it.
    let header_vec: std::cell::OnceCell<super::lexical::Vector> = std::cell::OnceCell::new();
    let header_cos = |first: usize| {
        header_vec
            .get_or_init(|| lex.text_vector(header_text))
            .cos(&lex.vector([first]))
    };
    // Weak links between blocks that follow each other in the dump.
    let mut weak: Vec<(u8, f32, usize)> = Vec::new();
    for a in 0..nb.saturating_sub(1) {
        let (last, first) = (blocks[a][blocks[a].len() - 1], blocks[a + 1][0]);
        let adjacent = pos_of[first] == pos_of[last] + 1;
        let heading = headings.contains(&first);
        let sim = if heading { header_cos(first) } else { 0.0 };
        let class = match (adjacent, heading) {
            (true, false) => 0,
            (true, true) => 1,
            (false, false) => 2,
            (false, true) => 3,
        };
        weak.push((class, sim, a));
    }
    weak.sort_by(|x, y| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)).then(x.2.cmp(&y.2)));
    for (_, _, a) in weak {
        try_link(a, a + 1, &mut succ, &mut pred);
    }
    // Chains, the opening one first.
    let starts: Vec<usize> = (0..nb).filter(|&b| pred[b].is_none()).collect();
    let opening = |b: usize| -> f32 {
        let first = blocks[b][0];
        let mut s = 0.0;
        if header_end.is_some_and(|h| pos_of[first] == h + 1) {
            s += 1.5;
        }
        if infos[first].dateline.is_some() {
            s += 3.0;
        }
        if infos[first].lead {
            s += 1.0;
        }
        if headings.contains(&first) {
            s += 0.5 + header_cos(first);
        }
        s
    };
    // Each start's score once, not once per comparison.
    let open: Vec<f32> = (0..nb)
        .map(|b| if pred[b].is_none() { opening(b) } else { 0.0 })
        .collect();
    let first_chain = starts
        .iter()
        .copied()
        .max_by(|&a, &b| open[a].total_cmp(&open[b]).then(b.cmp(&a)));
    let mut order: Vec<usize> = Vec::with_capacity(nb);
    let mut chain_starts: Vec<usize> = first_chain.into_iter().collect();
    chain_starts.extend(starts.iter().copied().filter(|&s| Some(s) != first_chain));
    let mut seen = vec![false; nb];
    for s in chain_starts {
        let mut cur = Some(s);
        while let Some(c) = cur {
            if seen[c] {
                break;
            }
            seen[c] = true;
            order.push(c);
            cur = succ[c];
        }
    }
    for (b, s) in seen.iter().enumerate() {
        if !s {
            order.push(b);
        }
    }
    // Paragraphs in order, broken ones joined.
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut prev: Option<usize> = None;
    for b in order {
        for &i in &blocks[b] {
            match prev {
                Some(p) if next_link(p) == Some(i) => {
                    if let Some(g) = out.last_mut() {
                        g.push(i);
                    }
                }
                _ => out.push(vec![i]),
            }
            prev = Some(i);
        }
    }
    out
}

/// Cuts blocks until the column breaks no longer chain them in a circle. A circle (block A
/// ends with a head whose tail opens block B, …, and some block ends with a head whose tail
/// opens A) means one of its blocks holds two columns run together: the end of one column and,
/// after a finished paragraph, the start of the article's text. It is cut before a lead
/// paragraph if there is one; else where the part ending in the head is as long as a whole
/// column of the circle (the columns of one article are equally tall); else in the middle.
fn cut_cycles(
    blocks: &mut Vec<Vec<usize>>,
    next_link: &dyn Fn(usize) -> Option<usize>,
    infos: &[Info],
) {
    let chars = |b: &[usize]| b.iter().map(|&i| infos[i].len).sum::<usize>();
    for _ in 0..blocks.len() {
        let succ: Vec<Option<usize>> = blocks
            .iter()
            .map(|b| {
                let t = b.last().and_then(|&h| next_link(h))?;
                blocks.iter().position(|c| c.first() == Some(&t))
            })
            .collect();
        let Some(circle) = find_cycle(&succ) else {
            return;
        };
        // In a circle of two blocks or more, the shortest is one whole column (the others
        // hold one at least).
        let column = (circle.len() > 1)
            .then(|| circle.iter().map(|&b| chars(&blocks[b])).min())
            .flatten();
        let mut cuts: Vec<(usize, usize)> = Vec::new();
        for &b in &circle {
            let blk = &blocks[b];
            cuts.extend(
                (1..blk.len())
                    .filter(|&j| infos[blk[j - 1]].terminal)
                    .map(|j| (b, j)),
            );
        }
        let lead = cuts
            .iter()
            .copied()
            .find(|&(b, j)| infos[blocks[b][j]].lead);
        let by_length = || {
            let target = column? as f32;
            cuts.iter().copied().min_by(|&(b1, j1), &(b2, j2)| {
                let d = |b: usize, j: usize| (chars(&blocks[b][j..]) as f32 - target).abs();
                d(b1, j1).total_cmp(&d(b2, j2))
            })
        };
        let cut = lead.or_else(by_length).or_else(|| {
            let b = circle[0];
            let own: Vec<(usize, usize)> = cuts.iter().copied().filter(|c| c.0 == b).collect();
            own.get(own.len() / 2).copied()
        });
        let Some((b, j)) = cut else {
            return;
        };
        let rest = blocks[b].split_off(j);
        blocks.insert(b + 1, rest);
    }
}

/// The blocks of one cycle of `succ`, if it has one.
fn find_cycle(succ: &[Option<usize>]) -> Option<Vec<usize>> {
    let mut state = vec![0u8; succ.len()]; // 0 new, 1 on the current walk, 2 done
    for start in 0..succ.len() {
        let mut walk = Vec::new();
        let mut cur = Some(start);
        while let Some(c) = cur {
            match state[c] {
                0 => {
                    state[c] = 1;
                    walk.push(c);
                    cur = succ[c];
                }
                1 => {
                    let from = walk.iter().position(|&w| w == c).unwrap_or(0);
                    return Some(walk[from..].to_vec());
                }
                _ => break,
            }
        }
        for w in walk {
            state[w] = 2;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::split::kinds::Role;

    fn para(len: usize, terminal: bool, lead: bool) -> Info {
        Info {
            lead,
            ..Info::plain(Role::Body, len, terminal)
        }
    }

    #[test]
    fn a_cycle_is_found_and_a_chain_is_not() {
        assert_eq!(find_cycle(&[Some(1), Some(2), None]), None);
        assert_eq!(find_cycle(&[Some(1), Some(2), Some(1)]), Some(vec![1, 2]));
        assert_eq!(find_cycle(&[None, Some(1)]), Some(vec![1]));
    }

    #[test]
    fn two_blocks_chained_in_a_circle_are_cut_where_a_whole_column_ends() {
        // Columns of 100 characters, printed as: [tail of 7 … end of the article (0, 1)]
        // [opening paragraph … head 4 (2, 3, 4)] [tail of 4 … head 7 (6, 7)], the first two run
        // together as one block. Breaks 4 → 6 and 7 → 0 chain the blocks in a circle
        // (paragraph 5 is elsewhere).
        let infos = [
            para(30, false, false),
            para(40, true, false),
            para(30, true, false),
            para(30, true, false),
            para(40, false, false),
            para(0, true, false),
            para(60, true, false),
            para(40, false, false),
        ];
        let next = |h: usize| match h {
            4 => Some(6),
            7 => Some(0),
            _ => None,
        };
        let mut blocks = vec![vec![0, 1, 2, 3, 4], vec![6, 7]];
        cut_cycles(&mut blocks, &next, &infos);
        assert_eq!(blocks, [vec![0, 1], vec![2, 3, 4], vec![6, 7]]);
    }

    #[test]
    fn a_lead_paragraph_marks_the_cut_before_the_lengths_do() {
        let mut infos = vec![para(25, true, false); 4];
        infos[3] = para(25, false, false);
        infos[1].lead = true;
        let next = |h: usize| (h == 3).then_some(0);
        let mut blocks = vec![vec![0, 1, 2, 3]];
        cut_cycles(&mut blocks, &next, &infos);
        assert_eq!(blocks, [vec![0], vec![1, 2, 3]]);
    }
}
