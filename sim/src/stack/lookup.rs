//! A map for lookups only: no iteration in the table's order, so that order
//! can never reach the trace (the determinism rule of README "Architecture
//! invariants"); [`LookupMap::sorted`] lists the entries by key.
//!
//! Performance: a hashbrown table with the fixed Fx hasher keeps each key
//! and value in its bucket, one cache line away from the control bytes; an
//! `IndexMap` adds an index slot and an entry in a separate vector, one more
//! line per packet for a host whose state went cold.

use std::hash::Hash;

use arrayvec::ArrayVec;
use rustc_hash::FxBuildHasher;

/// Entries kept inline before the table is used, unless the map says.
const INLINE: usize = 4;

type Table<K, V> = hashbrown::HashMap<K, V, FxBuildHasher>;

/// A lookup-only map with a fixed hasher.
///
/// Performance: up to `N` entries (four by default, `INLINE`) sit in the
/// map itself and are found by comparing keys; the hash table takes over
/// from the next. A client host's few connections and sockets are then
/// found in the host's own memory, without hashing or touching a table of
/// their own. A map of large values keeps fewer inline (`stack::binds`).
/// The table is boxed, allocated at the first spill: 8 bytes in every
/// map that never spills where an inline table took 32 (issue 18: a host
/// that has not connected holds four of these maps).
#[derive(Clone, Debug)]
pub struct LookupMap<K, V, const N: usize = INLINE> {
    /// The entries while `map` is empty (never both in use).
    few: ArrayVec<(K, V), N>,
    map: Option<Box<Table<K, V>>>,
}

impl<K, V, const N: usize> Default for LookupMap<K, V, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K, V, const N: usize> LookupMap<K, V, N> {
    /// An empty map (a `const fn`, for the shared empty values of
    /// `stack::cold`).
    pub const fn new() -> Self {
        LookupMap {
            few: ArrayVec::new_const(),
            map: None,
        }
    }

    /// The table, if it holds the entries (it was spilled to and is not
    /// empty again).
    #[inline]
    fn table(&self) -> Option<&Table<K, V>> {
        self.map.as_deref().filter(|m| !m.is_empty())
    }

    /// The table to change, if it holds the entries.
    #[inline]
    fn table_mut(&mut self) -> Option<&mut Table<K, V>> {
        self.map.as_deref_mut().filter(|m| !m.is_empty())
    }
}

impl<K: Hash + Eq, V, const N: usize> LookupMap<K, V, N> {
    /// The value of `key`, if any.
    #[inline]
    pub fn get(&self, key: &K) -> Option<&V> {
        match self.table() {
            None => self.few.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            Some(map) => map.get(key),
        }
    }

    /// Whether `key` has a value.
    #[inline]
    pub fn contains_key(&self, key: &K) -> bool {
        self.get(key).is_some()
    }

    /// Inserts or replaces; returns the old value.
    ///
    /// Performance: a table in use is probed once, by its own `insert`
    /// (a lookup first and then the insert hashed and probed twice: ~50
    /// instructions of each new connection's, issue 18).
    #[inline]
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        if let Some(map) = self.table_mut() {
            return map.insert(key, value);
        }
        if let Some((_, old)) = self.few.iter_mut().find(|(k, _)| *k == key) {
            return Some(std::mem::replace(old, value));
        }
        if self.few.len() < N {
            self.few.push((key, value));
            return None;
        }
        self.spill();
        self.spilled().insert(key, value)
    }

    /// Removes `key`; returns its value, if it had one.
    #[inline]
    pub fn remove(&mut self, key: &K) -> Option<V> {
        match self.table_mut() {
            None => {
                let i = self.few.iter().position(|(k, _)| k == key)?;
                Some(self.few.swap_remove(i).1)
            }
            Some(map) => map.remove(key),
        }
    }

    /// Removes `key` if its value is `value`; returns whether it did: a
    /// `get` and then a `remove`, with the table probed once.
    ///
    /// Performance (issue 18): a connection that closes leaves the table
    /// only if it is still the one there (`stack::sync`); the lookup and
    /// the removal hashed the four-tuple and probed a cold table twice
    /// (~56 instructions a connection at 100 x 200, callgrind).
    #[inline]
    pub fn remove_if_eq(&mut self, key: K, value: &V) -> bool
    where
        V: PartialEq,
    {
        match self.table_mut() {
            None => {
                let found = self.few.iter().position(|(k, v)| *k == key && v == value);
                found.map(|i| self.few.swap_remove(i)).is_some()
            }
            Some(map) => match map.entry(key) {
                hashbrown::hash_map::Entry::Occupied(e) if e.get() == value => {
                    e.remove();
                    true
                }
                _ => false,
            },
        }
    }

    /// The value of `key`, to change.
    #[inline]
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        if self.table().is_none() {
            return self.few.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v);
        }
        self.spilled().get_mut(key)
    }

    /// The value of `key`, inserted with `make` if absent.
    #[inline]
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        if self.table().is_none() {
            match self.few.iter().position(|(k, _)| *k == key) {
                Some(i) => return &mut self.few[i].1,
                None if self.few.len() < N => {
                    self.few.push((key, make()));
                    return &mut self.few.last_mut().expect("just pushed").1;
                }
                None => self.spill(),
            }
        }
        self.spilled().entry(key).or_insert_with(make)
    }

    /// Makes room for `entries` in all, so that a map known to grow that
    /// big allocates its table once instead of rehashing it into a new
    /// one at each doubling; nothing for a count that fits inline.
    pub fn reserve(&mut self, entries: usize) {
        if entries > N {
            let table = self.spilled();
            table.reserve(entries.saturating_sub(table.len()));
        }
    }

    /// The table, allocated if it never was.
    #[inline]
    fn spilled(&mut self) -> &mut Table<K, V> {
        self.map
            .get_or_insert_with(|| Box::new(Table::with_hasher(FxBuildHasher)))
    }

    /// Moves the inline entries into the table.
    fn spill(&mut self) {
        let few = &mut self.few;
        let map = self
            .map
            .get_or_insert_with(|| Box::new(Table::with_hasher(FxBuildHasher)));
        map.reserve(2 * N.max(1));
        map.extend(few.drain(..));
    }

    /// Every entry, sorted by key: the table's own order never shows.
    pub fn sorted(&self) -> Vec<(K, V)>
    where
        K: Ord + Copy,
        V: Copy,
    {
        let inline = self.few.iter().map(|(k, v)| (*k, *v));
        let mut entries: Vec<(K, V)> = inline
            .chain(self.table().into_iter().flatten().map(|(k, v)| (*k, *v)))
            .collect();
        entries.sort_unstable_by_key(|e| e.0);
        entries
    }

    /// Entries in the map.
    pub fn len(&self) -> usize {
        self.few.len() + self.map.as_ref().map_or(0, |m| m.len())
    }

    /// Whether the map has no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_finds_replaces_and_removes() {
        let mut m: LookupMap<_, _> = LookupMap::default();
        assert_eq!(m.insert(1u32, "a"), None);
        assert_eq!(m.insert(1, "b"), Some("a"));
        assert_eq!(m.get(&1), Some(&"b"));
        assert!(m.contains_key(&1) && !m.contains_key(&2));
        assert_eq!(m.len(), 1);
        *m.get_or_insert_with(3, || "c") = "d";
        assert_eq!(m.sorted(), [(1, "b"), (3, "d")]);
        assert_eq!(m.remove(&3), Some("d"));
        assert_eq!(m.remove(&1), Some("b"));
        assert!(m.is_empty());
    }

    /// Past the inline entries the table takes over, and lookups, updates
    /// and removals work the same on both sides of the change.
    #[test]
    fn behaves_the_same_inline_and_in_the_table() {
        let mut m: LookupMap<_, _> = LookupMap::default();
        for k in 0..10u32 {
            assert_eq!(m.insert(k, k * 10), None);
            assert_eq!(m.len(), k as usize + 1);
            for j in 0..=k {
                assert_eq!(m.get(&j), Some(&(j * 10)), "{j} after inserting {k}");
            }
            assert_eq!(m.get(&(k + 1)), None);
        }
        *m.get_or_insert_with(3, || 0) += 1;
        assert_eq!(m.get(&3), Some(&31));
        for k in 0..10u32 {
            assert_eq!(m.remove(&k), Some(k * 10 + u32::from(k == 3)));
        }
        assert!(m.is_empty());
        // Empty again, it starts inline.
        *m.get_or_insert_with(7, || 70) += 1;
        assert_eq!(m.sorted(), [(7, 71)]);
    }

    /// `remove_if_eq` does what `get`, compared, then `remove` did, inline
    /// and in the table: the same answers, the same entries left in the
    /// same inline order.
    #[test]
    fn remove_if_eq_is_get_then_remove() {
        for n in [3u32, 9] {
            let mut a: LookupMap<u32, u32> = LookupMap::default();
            for k in 0..n {
                a.insert(k, k * 10);
            }
            let mut b = a.clone();
            for (k, v) in [
                (1, 10),
                (2, 99),
                (n + 5, 0),
                (0, 0),
                (1, 10),
                (n - 1, (n - 1) * 10),
            ] {
                let want = a.get(&k) == Some(&v);
                if want {
                    a.remove(&k);
                }
                assert_eq!(b.remove_if_eq(k, &v), want, "{n}: {k} {v}");
                assert_eq!(b.sorted(), a.sorted());
                assert_eq!(b.few.as_slice(), a.few.as_slice());
            }
        }
    }

    /// One entry inline: the second spills, and both sides agree.
    #[test]
    fn a_map_with_one_inline_entry_spills_at_the_second() {
        let mut m: LookupMap<u32, u32, 1> = LookupMap::default();
        assert_eq!(m.insert(1, 10), None);
        assert_eq!(m.insert(2, 20), None);
        assert_eq!((m.get(&1), m.get(&2), m.len()), (Some(&10), Some(&20), 2));
        assert_eq!(m.remove(&1), Some(10));
        assert_eq!(m.sorted(), [(2, 20)]);
    }
}
