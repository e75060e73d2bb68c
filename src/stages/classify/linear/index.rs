//! The model's feature lookup table: feature key → (feature index, IDF) in one flat array.
//!
//! Classification looks up every word and character n-gram of an article, and after the tag
//! stage has run the table is no longer in the CPU cache, so the cost of a lookup is the
//! number of cache lines it touches. A general hash map touches two (control bytes, then the
//! entry) and the IDF a third; here a slot holds the whole key, the index and the IDF in
//! 16 bytes, four to a cache line, with linear probing at a load factor of at most 2/3: a
//! lookup, hit or miss, almost always reads one line.

use super::features::fold;

/// One table slot: a full 64-bit key (so lookups are exact), its feature index and IDF.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C, align(16))]
struct Slot {
    key: u64,
    /// Feature index; [`EMPTY`] marks a free slot.
    id: u32,
    idf: f32,
}

/// Keys looked up per batch in [`FeatureIndex::get_all`] (their lines stay in L1 meanwhile).
const BATCH: usize = 64;

/// The `id` of a free slot.
const EMPTY: u32 = u32::MAX;

/// Feature key → feature index and IDF, with exact (full-key) matching.
#[derive(Debug, Clone)]
pub struct FeatureIndex {
    slots: Vec<Slot>,
    mask: usize,
    len: usize,
}

/// The first slot to probe for `key`.
fn home(key: u64, mask: usize) -> usize {
    (fold(key) as usize) & mask
}

impl FeatureIndex {
    /// A table for features `0..n` whose keys and IDFs `entries` yields in index order.
    ///
    /// # Errors
    /// The index of the first feature whose key repeats an earlier one's, or `None` when
    /// there are `u32::MAX` features or more.
    pub fn new(entries: impl ExactSizeIterator<Item = (u64, f32)>) -> Result<Self, Option<u32>> {
        let n = entries.len();
        if n >= EMPTY as usize {
            return Err(None);
        }
        // Capacity a power of two with load factor ≤ 2/3.
        let capacity = (n + n / 2 + 1).next_power_of_two().max(8);
        let mut table = FeatureIndex {
            slots: vec![
                Slot {
                    key: 0,
                    id: EMPTY,
                    idf: 0.0
                };
                capacity
            ],
            mask: capacity - 1,
            len: 0,
        };
        for (i, (key, idf)) in entries.enumerate() {
            let id = i as u32;
            let mut at = home(key, table.mask);
            loop {
                let slot = &mut table.slots[at];
                if slot.id == EMPTY {
                    *slot = Slot { key, id, idf };
                    break;
                }
                if slot.key == key {
                    return Err(Some(id));
                }
                at = (at + 1) & table.mask;
            }
            table.len += 1;
        }
        Ok(table)
    }

    /// The index and IDF of the feature with this key.
    #[inline]
    pub fn get(&self, key: u64) -> Option<(u32, f32)> {
        let mut at = home(key, self.mask);
        loop {
            let slot = self.slots.get(at)?;
            if slot.id == EMPTY {
                return None;
            }
            if slot.key == key {
                return Some((slot.id, slot.idf));
            }
            at = (at + 1) & self.mask;
        }
    }

    /// Looks up every key in `keys`, in order, handing the hits to `hits` a batch at a time
    /// (at most [`BATCH`] per call, in key order).
    ///
    /// Each batch first reads every key's home slot in a loop with no branch on the loaded
    /// data, so the CPU overlaps those cache misses instead of waiting for them one probe at a
    /// time; the probes that follow then find their lines cached. Handing over a whole batch
    /// lets the caller overlap its own misses on the hits the same way.
    pub fn get_all(&self, keys: &[u64], mut hits: impl FnMut(&[(u32, f32)])) {
        let mut found = [(0u32, 0f32); BATCH];
        for batch in keys.chunks(BATCH) {
            let mut touched = 0u32;
            for &key in batch {
                touched ^= self.slots.get(home(key, self.mask)).map_or(0, |s| s.id);
            }
            std::hint::black_box(touched);
            let mut n = 0;
            for &key in batch {
                if let (Some(hit), Some(out)) = (self.get(key), found.get_mut(n)) {
                    *out = hit;
                    n += 1;
                }
            }
            hits(&found[..n]);
        }
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table holds no feature.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A deterministic stream of well-spread keys, some sharing their folded low bits.
    fn keys(n: usize) -> Vec<u64> {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        (0..n)
            .map(|i| {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                // Every fourth key collides with the previous one in its home slot.
                if i % 4 == 3 {
                    x ^ 0x1_0000_0000
                } else {
                    x
                }
            })
            .collect()
    }

    #[test]
    fn finds_every_key_and_only_those() {
        for n in [0usize, 1, 7, 8, 100, 5_000] {
            let ks = keys(2 * n);
            let (present, absent) = ks.split_at(n);
            let t = match FeatureIndex::new(present.iter().enumerate().map(|(i, &k)| (k, i as f32)))
            {
                Ok(t) => t,
                Err(e) => panic!("n={n}: {e:?}"),
            };
            assert_eq!(t.len(), n);
            assert_eq!(t.is_empty(), n == 0);
            let reference: HashMap<u64, usize> =
                present.iter().enumerate().map(|(i, &k)| (k, i)).collect();
            for &k in present {
                let i = reference[&k];
                assert_eq!(t.get(k), Some((i as u32, i as f32)), "n={n}");
            }
            for &k in absent {
                assert_eq!(t.get(k), None, "n={n}");
            }
            let mut all = Vec::new();
            t.get_all(&ks, |hits| {
                assert!(hits.len() <= BATCH);
                all.extend_from_slice(hits);
            });
            let one_by_one: Vec<_> = ks.iter().filter_map(|&k| t.get(k)).collect();
            assert_eq!(all, one_by_one, "n={n}");
            // Load factor stays at most 2/3, so probes end.
            assert!(
                3 * n <= 2 * t.slots.len(),
                "n={n}, capacity {}",
                t.slots.len()
            );
        }
    }

    #[test]
    fn a_repeated_key_is_refused_with_its_index() {
        let r = FeatureIndex::new([(5u64, 1.0f32), (9, 1.0), (5, 2.0)].into_iter());
        assert_eq!(r.err(), Some(Some(2)));
    }

    #[test]
    fn key_zero_is_an_ordinary_key() {
        let t = FeatureIndex::new([(0u64, 0.5f32)].into_iter());
        assert!(t.is_ok_and(|t| t.get(0) == Some((0, 0.5)) && t.get(1).is_none()));
    }
}
