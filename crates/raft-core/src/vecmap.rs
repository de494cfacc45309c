//! A map and a set kept as sorted vectors: the few operations the node and the state machine
//! use of `BTreeMap`/`BTreeSet`, with the same order (ascending keys) and the same `Debug` text.
//!
//! Why not `BTreeMap`: its code (node splitting, merging, balancing, cursors) is compiled once
//! per key/value type, and the WebAssembly module the page downloads carried about a dozen
//! copies. A sorted vector is a binary search and a `Vec` insert or remove, compiled small, and
//! at the sizes these maps have (a cluster's servers, its clients, the keys a person types,
//! entries in flight) it is as fast: one contiguous allocation, no pointer chasing.
//!
//! Insertion of a key larger than every other (the common case for log indexes and rounds) is
//! a push; `from_iter` inserts one by one, so a sorted input costs no sort.

use std::borrow::Borrow;
use std::fmt;

/// Keys in ascending order, each once, with their values.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VecMap<K, V> {
    items: Vec<(K, V)>,
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap { items: Vec::new() }
    }
}

impl<K: Ord, V> VecMap<K, V> {
    pub const fn new() -> Self {
        VecMap { items: Vec::new() }
    }

    /// Where `key` is (`Ok`) or would go (`Err`). Appends are the common case: look at the
    /// last key before searching.
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        match self.items.last() {
            None => Err(0),
            Some((last, _)) if last.borrow() < key => Err(self.items.len()),
            _ => self.items.binary_search_by(|(k, _)| k.borrow().cmp(key)),
        }
    }

    /// Insert or replace; the old value, if any (as `BTreeMap::insert`).
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.items[i].1, value)),
            Err(i) => {
                self.items.insert(i, (key, value));
                None
            }
        }
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.items[i].1)
    }

    /// `get_mut` for the key at which `order(k)` (how `k` compares with the key sought) is
    /// `Equal`; `order` must agree with `Ord`. For keys whose `Ord` is slower than it needs to
    /// be (the state machine's short string keys, see `kv`).
    pub fn get_mut_by(&mut self, order: impl FnMut(&K) -> std::cmp::Ordering) -> Option<&mut V> {
        let mut order = order;
        match self.items.binary_search_by(|(k, _)| order(k)) {
            Ok(i) => Some(&mut self.items[i].1),
            Err(_) => None,
        }
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.items[i].1)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.items.remove(i).1)
    }

    /// The value of `key`, inserted as `default` first if absent.
    pub fn entry_or_insert(&mut self, key: K, default: V) -> &mut V {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.items.insert(i, (key, default));
                i
            }
        };
        &mut self.items[i].1
    }

    /// The smallest key and its value, removed.
    pub fn pop_first(&mut self) -> Option<(K, V)> {
        if self.items.is_empty() {
            None
        } else {
            Some(self.items.remove(0))
        }
    }

    /// Keep the pairs for which `keep` says true (in key order, as `BTreeMap::retain`).
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.items.retain_mut(|(k, v)| keep(k, v));
    }
}

impl<K, V> VecMap<K, V> {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// Pairs in ascending key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator + Clone {
        self.items.iter().map(|(k, v)| (k, v))
    }

    /// The `k`-th smallest key (`k < len()`).
    pub fn key_at(&self, k: usize) -> K
    where
        K: Copy,
    {
        self.items[k].0
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator + Clone {
        self.items.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone {
        self.items.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.items.iter_mut().map(|(_, v)| v)
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for VecMap<K, V> {
    /// As `BTreeMap`: a later value for the same key replaces an earlier one.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = VecMap::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

impl<'a, K, V> IntoIterator for &'a VecMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter().map(|(k, v)| (k, v))
    }
}

impl<K: Ord + Borrow<Q>, V, Q: Ord + ?Sized> std::ops::Index<&Q> for VecMap<K, V> {
    type Output = V;

    /// The value of `key`; panics if there is none (as `BTreeMap`'s index).
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry for the key")
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for VecMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.items.iter().map(|(k, v)| (k, v))).finish()
    }
}

/// Values in ascending order, each once.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct VecSet<T> {
    map: VecMap<T, ()>,
}

impl<T: Ord> VecSet<T> {
    pub const fn new() -> Self {
        VecSet { map: VecMap::new() }
    }

    /// True if `value` was not there (as `BTreeSet::insert`).
    pub fn insert(&mut self, value: T) -> bool {
        self.map.insert(value, ()).is_none()
    }

    pub fn contains(&self, value: &T) -> bool {
        self.map.contains_key(value)
    }

    pub fn remove(&mut self, value: &T) -> bool {
        self.map.remove(value).is_some()
    }
}

impl<T> VecSet<T> {
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn clear(&mut self) {
        self.map.clear();
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator + Clone {
        self.map.keys()
    }
}

impl<T: Ord> FromIterator<T> for VecSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut set = VecSet::new();
        for v in iter {
            set.insert(v);
        }
        set
    }
}

impl<T: fmt::Debug> fmt::Debug for VecSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.map.keys()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// The same operations on a `VecMap` and a `BTreeMap` give the same contents, answers and
    /// `Debug` text, for a seeded mix of inserts, removals, lookups and pops.
    #[test]
    fn behaves_as_btreemap() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut v: VecMap<u8, u64> = VecMap::new();
        let mut b: BTreeMap<u8, u64> = BTreeMap::new();
        let mut vs: VecSet<u8> = VecSet::new();
        let mut bs: BTreeSet<u8> = BTreeSet::new();
        for step in 0..20_000 {
            let k = (next() % 40) as u8;
            let val = next();
            match next() % 7 {
                0 | 1 => assert_eq!(v.insert(k, val), b.insert(k, val)),
                2 => assert_eq!(v.remove(&k), b.remove(&k)),
                3 => {
                    *v.entry_or_insert(k, val) += 1;
                    *b.entry(k).or_insert(val) += 1;
                }
                4 => assert_eq!(v.pop_first(), b.pop_first()),
                5 => {
                    v.retain(|k, _| k % 3 != (step % 3) as u8);
                    b.retain(|k, _| k % 3 != (step % 3) as u8);
                }
                _ => {
                    assert_eq!(v.get(&k), b.get(&k));
                    assert_eq!(v.contains_key(&k), b.contains_key(&k));
                }
            }
            assert_eq!(vs.insert(k), bs.insert(k));
            if step % 5 == 0 {
                assert_eq!(vs.remove(&((val % 40) as u8)), bs.remove(&((val % 40) as u8)));
            }
            assert_eq!(v.len(), b.len());
            assert!(v.iter().eq(b.iter()), "step {step}");
            assert!(vs.iter().eq(bs.iter()), "step {step}");
        }
        assert_eq!(format!("{v:?}"), format!("{b:?}"));
        assert_eq!(format!("{vs:?}"), format!("{bs:?}"));
        let from: VecMap<u8, u64> = [(3, 1), (1, 2), (3, 4)].into_iter().collect();
        let from_b: BTreeMap<u8, u64> = [(3, 1), (1, 2), (3, 4)].into_iter().collect();
        assert!(from.iter().eq(from_b.iter()));
    }
}
