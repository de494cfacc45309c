//! Stable sorting with one compiled sort for the whole program.
//!
//! `slice::sort_by_key` and friends are compiled anew for every element type and every
//! comparison closure: a few kilobytes each, and the WebAssembly module the page downloads
//! carried about twenty of them. Here the work is done once, on `u32` positions with the
//! comparison behind `&mut dyn FnMut`: a merge sort of the positions, then the slice is put in
//! that order by following the permutation's cycles (a small loop per element type).
//!
//! The result is the one every stable sort gives: elements in comparison order, equal ones in
//! their original order, so a call replaced by these is the same as before, and, where equal
//! elements cannot be told apart (numbers, `derive(Ord)` types), the same as an unstable sort.
//! For a handful of elements in a hot path, [`insertion_sort_by`] needs no allocation.

use std::cmp::Ordering;

/// Sort `v` stably by `less` (strictly less than).
pub fn sort_by<T>(v: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    if v.len() < 2 {
        return;
    }
    if v.len() <= RUN {
        insertion_dyn(v, &mut less);
        return;
    }
    assert!(v.len() <= u32::MAX as usize, "too many elements to sort");
    let mut order: Vec<u32> = (0..v.len() as u32).collect();
    {
        let items: &[T] = v;
        merge_sort(&mut order, &mut |a, b| less(&items[a as usize], &items[b as usize]));
    }
    permute(v, &order);
}

/// Sort `v` stably by the key `key` gives (computed at every comparison: keep it cheap).
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a) < key(b));
}

/// Sort `v` into ascending order.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, |a, b| a.cmp(b) == Ordering::Less);
}

/// Stable insertion sort, for a few elements (a cluster's servers) where the allocation of
/// [`sort_by`] would cost more than the sort.
pub fn insertion_sort_by<T>(v: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && less(&v[j], &v[j - 1]) {
            v.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// Insertion sort behind a `dyn` comparison: one copy per element type, no allocation.
fn insertion_dyn<T>(v: &mut [T], less: &mut dyn FnMut(&T, &T) -> bool) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && less(&v[j], &v[j - 1]) {
            v.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// Slices this short are sorted by insertion; longer ones are merged from runs this long.
const RUN: usize = 12;

/// Stable merge sort of positions; the only sort loop compiled.
fn merge_sort(order: &mut [u32], less: &mut dyn FnMut(u32, u32) -> bool) {
    let n = order.len();
    for run in order.chunks_mut(RUN) {
        for i in 1..run.len() {
            let mut j = i;
            while j > 0 && less(run[j], run[j - 1]) {
                run.swap(j, j - 1);
                j -= 1;
            }
        }
    }
    if n <= RUN {
        return;
    }
    let mut buf = vec![0u32; n];
    let mut width = RUN;
    // Bottom-up: merge neighbouring sorted runs from `order` into `buf`, then swap roles.
    let (mut src, mut dst): (&mut [u32], &mut [u32]) = (order, &mut buf);
    let mut in_buf = false;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j, mut k) = (start, mid, start);
            while i < mid && j < end {
                // Take from the right only when strictly less: equal elements keep their order.
                if less(src[j], src[i]) {
                    dst[k] = src[j];
                    j += 1;
                } else {
                    dst[k] = src[i];
                    i += 1;
                }
                k += 1;
            }
            dst[k..k + (mid - i)].copy_from_slice(&src[i..mid]);
            k += mid - i;
            dst[k..k + (end - j)].copy_from_slice(&src[j..end]);
            start = end;
        }
        std::mem::swap(&mut src, &mut dst);
        in_buf = !in_buf;
        width *= 2;
    }
    if in_buf {
        // The sorted positions are in the buffer (`src` after the last swap).
        dst.copy_from_slice(src);
    }
}

/// Put `v` in the order `order` gives: afterwards `v[i]` is the element that was at
/// `order[i]`. One pass along each cycle of the permutation, by swaps.
fn permute<T>(v: &mut [T], order: &[u32]) {
    let mut done = vec![false; v.len()];
    for start in 0..v.len() {
        if done[start] {
            continue;
        }
        let mut cur = start;
        loop {
            done[cur] = true;
            let next = order[cur] as usize;
            if next == start {
                break;
            }
            v.swap(cur, next);
            cur = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same order as the standard library's stable sort, for every length up to 300 and
    /// many duplicate keys (equal keys keep their original order).
    #[test]
    fn same_order_as_std_stable_sort() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for n in 0..300usize {
            for spread in [1u64, 3, 50, 1_000_000] {
                let v: Vec<(u64, usize)> = (0..n).map(|i| (next() % spread, i)).collect();
                let mut ours = v.clone();
                let mut std_sorted = v.clone();
                sort_by_key(&mut ours, |p| p.0);
                std_sorted.sort_by_key(|p| p.0);
                assert_eq!(ours, std_sorted, "n {n}, spread {spread}");
                let mut small = v.clone();
                insertion_sort_by(&mut small, |a, b| a.0 < b.0);
                assert_eq!(small, std_sorted, "insertion, n {n}, spread {spread}");
                let mut desc = v.clone();
                let mut desc_std = v.clone();
                sort_by(&mut desc, |a, b| b.0 < a.0);
                desc_std.sort_by(|a, b| b.0.cmp(&a.0));
                assert_eq!(desc, desc_std);
            }
        }
        let mut words = vec!["b".to_string(), "a".into(), "c".into(), "a".into()];
        sort(&mut words);
        assert_eq!(words, ["a", "a", "b", "c"]);
    }
}
