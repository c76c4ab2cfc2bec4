//! A map for lookups only: no iteration in the table's order, so that order
//! can never reach the trace (the determinism rule of README "Architecture
//! invariants"); [`LookupMap::sorted`] lists the entries by key.
//!
//! Performance: a hashbrown table with the fixed Fx hasher keeps each key
//! and value in its bucket, one cache line away from the control bytes; an
//! `IndexMap` adds an index slot and an entry in a separate vector, one more
//! line per packet for a host whose state went cold.

use std::hash::Hash;

use rustc_hash::FxBuildHasher;

/// A lookup-only map with a fixed hasher.
#[derive(Clone, Debug)]
pub struct LookupMap<K, V> {
    map: hashbrown::HashMap<K, V, FxBuildHasher>,
}

impl<K, V> Default for LookupMap<K, V> {
    fn default() -> Self {
        LookupMap {
            map: hashbrown::HashMap::with_hasher(FxBuildHasher),
        }
    }
}

impl<K: Hash + Eq, V> LookupMap<K, V> {
    #[inline]
    pub fn get(&self, key: &K) -> Option<&V> {
        self.map.get(key)
    }

    #[inline]
    pub fn contains_key(&self, key: &K) -> bool {
        self.map.contains_key(key)
    }

    /// Inserts or replaces; returns the old value.
    #[inline]
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.map.insert(key, value)
    }

    #[inline]
    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.map.remove(key)
    }

    #[inline]
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.map.get_mut(key)
    }

    /// The value of `key`, inserted with `make` if absent.
    #[inline]
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        self.map.entry(key).or_insert_with(make)
    }

    /// Every entry, sorted by key: the table's own order never shows.
    pub fn sorted(&self) -> Vec<(K, V)>
    where
        K: Ord + Copy,
        V: Copy,
    {
        let mut entries: Vec<(K, V)> = self.map.iter().map(|(k, v)| (*k, *v)).collect();
        entries.sort_unstable_by_key(|e| e.0);
        entries
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_finds_replaces_and_removes() {
        let mut m = LookupMap::default();
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
}
