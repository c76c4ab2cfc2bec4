//! A host's live connections by four-tuple ([`super::Host::conns`]): every
//! segment that arrives looks its connection up here.
//!
//! Performance (issue 18, 100,000 hosts): a server holds a thousand
//! connections whose entries went cold between two of their segments, and
//! a lookup in a hashbrown table touched two cache lines, the control
//! bytes and the bucket, and hashed the tuple field by field through
//! `Hash` (six hasher calls). Here a bucket is one cache line holding up
//! to three entries and a count of entries that spilled past it (the
//! overflow counts of Facebook's F14 table), and a tuple hashes in one
//! multiplication: a lookup reads one line unless its bucket overflowed,
//! which the load kept below half rarely has. Like
//! [`super::lookup::LookupMap`], the map is only looked up, never
//! iterated, so its order never reaches the trace; and a host's first
//! connection is kept inline, without a table (a client's).

use std::net::SocketAddrV4;

use super::ConnId;
use super::tcp::FourTuple;

/// Entries in one bucket.
const PER_BUCKET: usize = 3;

/// One entry: the tuple and its connection (20 bytes).
type Entry = (FourTuple, ConnId);

/// A cache line of entries: the first `len` are in use.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
struct Bucket {
    entries: [Entry; PER_BUCKET],
    /// Entries in use.
    len: u16,
    /// Entries placed past this bucket whose probe started here or at a
    /// bucket before it: a lookup that misses here stops when it is 0.
    /// Saturating, as F14's: once at `u16::MAX` it stays there (lookups
    /// through it probe on), so it never wraps to a false 0.
    overflow: u16,
}

const EMPTY_ENTRY: Entry = (
    (
        SocketAddrV4::new(std::net::Ipv4Addr::UNSPECIFIED, 0),
        SocketAddrV4::new(std::net::Ipv4Addr::UNSPECIFIED, 0),
    ),
    ConnId {
        index: 0,
        generation: 0,
    },
);

const EMPTY_BUCKET: Bucket = Bucket {
    entries: [EMPTY_ENTRY; PER_BUCKET],
    len: 0,
    overflow: 0,
};

/// The hash of a tuple: its 96 bits folded into 64 (the remote address and
/// both ports side by side, the local address over the ports) and
/// multiplied by 2^64 / φ (Fibonacci hashing: the bucket is taken from the
/// top bits, which every input bit reaches). The addresses are read in
/// memory order, not as big-endian numbers: any fixed bijection serves.
#[inline]
fn hash((local, remote): &FourTuple) -> u64 {
    let remote_ip = u64::from(u32::from_ne_bytes(remote.ip().octets()));
    let local_ip = u64::from(u32::from_ne_bytes(local.ip().octets()));
    let x = (remote_ip << 32 | u64::from(remote.port()) << 16 | u64::from(local.port())) ^ local_ip;
    x.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The buckets, a power of two of them.
#[derive(Clone, Debug)]
struct Table {
    buckets: Vec<Bucket>,
    /// Entries in the table.
    len: usize,
    /// `64 - log2(buckets.len())`: a hash's top bits pick its bucket.
    shift: u32,
}

impl Table {
    fn with_buckets(n: usize) -> Table {
        debug_assert!(n.is_power_of_two() && n >= 2);
        Table {
            buckets: vec![EMPTY_BUCKET; n],
            len: 0,
            shift: 64 - n.trailing_zeros(),
        }
    }

    #[inline]
    fn home(&self, key: &FourTuple) -> usize {
        (hash(key) >> self.shift) as usize
    }

    /// The bucket and position of `key`, if present.
    #[inline]
    fn find(&self, key: &FourTuple) -> Option<(usize, usize)> {
        let mask = self.buckets.len() - 1;
        let mut b = self.home(key);
        loop {
            let bucket = &self.buckets[b];
            let used = &bucket.entries[..usize::from(bucket.len)];
            if let Some(i) = used.iter().position(|e| e.0 == *key) {
                return Some((b, i));
            }
            if bucket.overflow == 0 {
                return None;
            }
            b = (b + 1) & mask;
        }
    }

    /// Adds an entry whose key is absent; the caller keeps the load.
    fn add(&mut self, entry: Entry) {
        let mask = self.buckets.len() - 1;
        let mut b = self.home(&entry.0);
        while usize::from(self.buckets[b].len) == PER_BUCKET {
            let overflow = &mut self.buckets[b].overflow;
            *overflow = overflow.saturating_add(1);
            b = (b + 1) & mask;
        }
        let bucket = &mut self.buckets[b];
        bucket.entries[usize::from(bucket.len)] = entry;
        bucket.len += 1;
        self.len += 1;
    }

    /// Removes the entry at bucket `b`, position `i`.
    fn take(&mut self, b: usize, i: usize) -> ConnId {
        let bucket = &mut self.buckets[b];
        bucket.len -= 1;
        let last = usize::from(bucket.len);
        let (key, conn) = bucket.entries[i];
        bucket.entries[i] = bucket.entries[last];
        let mask = self.buckets.len() - 1;
        let mut h = self.home(&key);
        while h != b {
            let overflow = &mut self.buckets[h].overflow;
            if *overflow != u16::MAX {
                *overflow -= 1;
            }
            h = (h + 1) & mask;
        }
        self.len -= 1;
        conn
    }

    /// Whether one more entry keeps the load at or below half the slots.
    fn has_room(&self) -> bool {
        2 * (self.len + 1) <= self.buckets.len() * PER_BUCKET
    }

    /// The same entries in twice the buckets.
    fn grown(&self) -> Table {
        let mut bigger = Table::with_buckets(2 * self.buckets.len());
        for bucket in &self.buckets {
            for &entry in &bucket.entries[..usize::from(bucket.len)] {
                bigger.add(entry);
            }
        }
        bigger
    }
}

/// Live connections by four-tuple; see the module doc.
#[derive(Clone, Debug, Default)]
pub struct ConnMap {
    /// The entry of a map that has never held two (no table yet).
    one: Option<Entry>,
    /// Every entry, once a second one came (`one` is then `None`).
    table: Option<Box<Table>>,
}

impl ConnMap {
    /// An empty map.
    pub const fn new() -> Self {
        ConnMap {
            one: None,
            table: None,
        }
    }

    /// The connection of `key`, if any.
    #[inline]
    pub fn get(&self, key: &FourTuple) -> Option<&ConnId> {
        match self.table.as_deref() {
            Some(t) => t.find(key).map(|(b, i)| &t.buckets[b].entries[i].1),
            None => self.one.as_ref().filter(|e| e.0 == *key).map(|e| &e.1),
        }
    }

    /// Whether `key` has a connection.
    #[inline]
    pub fn contains_key(&self, key: &FourTuple) -> bool {
        self.get(key).is_some()
    }

    /// Inserts or replaces; returns the old connection.
    pub fn insert(&mut self, key: FourTuple, conn: ConnId) -> Option<ConnId> {
        let Some(table) = self.table.as_deref_mut() else {
            match &mut self.one {
                Some(e) if e.0 == key => return Some(std::mem::replace(&mut e.1, conn)),
                None => {
                    self.one = Some((key, conn));
                    return None;
                }
                Some(_) => self.spill(),
            }
            return self.insert(key, conn);
        };
        if let Some((b, i)) = table.find(&key) {
            return Some(std::mem::replace(&mut table.buckets[b].entries[i].1, conn));
        }
        if !table.has_room() {
            *table = table.grown();
        }
        table.add((key, conn));
        None
    }

    /// Removes `key`; returns its connection, if it had one.
    pub fn remove(&mut self, key: &FourTuple) -> Option<ConnId> {
        match self.table.as_deref_mut() {
            Some(t) => t.find(key).map(|(b, i)| t.take(b, i)),
            None => self.one.take_if(|e| e.0 == *key).map(|e| e.1),
        }
    }

    /// Entries in the map.
    pub fn len(&self) -> usize {
        match self.table.as_deref() {
            Some(t) => t.len,
            None => usize::from(self.one.is_some()),
        }
    }

    /// Whether the map has no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Moves the inline entry into a new table of two buckets.
    fn spill(&mut self) {
        let mut table = Table::with_buckets(2);
        if let Some(entry) = self.one.take() {
            table.add(entry);
        }
        self.table = Some(Box::new(table));
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::net::Ipv4Addr;

    use super::*;
    use crate::rng::Stream;

    fn tuple(remote: u32, port: u16) -> FourTuple {
        (
            SocketAddrV4::new(Ipv4Addr::new(10, 0, 255, 1), 5000),
            SocketAddrV4::new(Ipv4Addr::from_bits(0x0a00_0000 + remote), port),
        )
    }

    fn conn(index: u32) -> ConnId {
        ConnId {
            index,
            generation: index / 3,
        }
    }

    #[test]
    fn a_bucket_is_one_cache_line() {
        assert_eq!(size_of::<Bucket>(), 64);
        assert_eq!(align_of::<Bucket>(), 64);
        assert!(size_of::<ConnMap>() <= 32, "{}", size_of::<ConnMap>());
    }

    /// Inline, then in the table: lookups, replacements and removals.
    #[test]
    fn inserts_finds_replaces_and_removes() {
        let mut m = ConnMap::new();
        assert_eq!(m.insert(tuple(1, 9), conn(1)), None);
        assert_eq!(m.insert(tuple(1, 9), conn(2)), Some(conn(1)));
        assert!(m.table.is_none(), "one entry stays inline");
        assert_eq!(m.get(&tuple(1, 9)), Some(&conn(2)));
        assert!(!m.contains_key(&tuple(1, 8)));
        assert_eq!(m.insert(tuple(2, 9), conn(3)), None);
        assert_eq!((m.len(), m.get(&tuple(1, 9))), (2, Some(&conn(2))));
        assert_eq!(m.remove(&tuple(1, 9)), Some(conn(2)));
        assert_eq!(m.remove(&tuple(1, 9)), None);
        assert_eq!(m.remove(&tuple(2, 9)), Some(conn(3)));
        assert!(m.is_empty());
    }

    /// Many keys whose home is the same bucket (the table's smallest size
    /// keeps them together): every one is found past the full buckets, and
    /// removing them in another order leaves no overflow count behind.
    #[test]
    fn overflowing_buckets_are_probed_and_counted_back() {
        let mut t = Table::with_buckets(8);
        let keys: Vec<FourTuple> = (0..5000)
            .map(|i| tuple(i, 7))
            .filter(|k| t.home(k) == 3)
            .take(12)
            .collect();
        assert_eq!(keys.len(), 12);
        for (i, k) in keys.iter().enumerate() {
            t.add((*k, conn(i as u32)));
        }
        for (i, k) in keys.iter().enumerate() {
            let (b, at) = t.find(k).expect("present");
            assert_eq!(t.buckets[b].entries[at].1, conn(i as u32));
        }
        for k in keys.iter().rev().step_by(2).chain(keys.iter().step_by(2)) {
            let (b, i) = t.find(k).expect("present");
            t.take(b, i);
            assert_eq!(t.find(k), None);
        }
        assert!(t.buckets.iter().all(|b| b.len == 0 && b.overflow == 0));
    }

    /// The map answers as a `BTreeMap` does over a long run of random
    /// inserts, replacements and removals (a named stream: the same run
    /// every time), through growth and overflow.
    #[test]
    fn agrees_with_a_btree_map() {
        let mut rng = Stream::new(18, "conn_map");
        let mut m = ConnMap::new();
        let mut want = BTreeMap::new();
        for step in 0..40_000u32 {
            let range = if step < 20_000 { 3_000 } else { 300 };
            let key = tuple(rng.up_to(range) as u32, 1024 + rng.up_to(3) as u16);
            match rng.up_to(2) {
                0 | 1 => assert_eq!(m.insert(key, conn(step)), want.insert(key, conn(step))),
                _ => assert_eq!(m.remove(&key), want.remove(&key)),
            }
            let probe = tuple(rng.up_to(range) as u32, 1024 + rng.up_to(3) as u16);
            assert_eq!(m.get(&probe), want.get(&probe), "step {step}");
            assert_eq!(m.len(), want.len());
        }
        for (k, v) in &want {
            assert_eq!(m.get(k), Some(v));
        }
    }
    /// A saturated overflow count stays saturated: lookups through its
    /// bucket still probe on after removals.
    #[test]
    fn a_saturated_overflow_count_stays() {
        let mut t = Table::with_buckets(8);
        let keys: Vec<FourTuple> = (0..5000)
            .map(|i| tuple(i, 9))
            .filter(|k| t.home(k) == 5)
            .take(4)
            .collect();
        for (i, k) in keys.iter().enumerate() {
            t.add((*k, conn(i as u32)));
        }
        t.buckets[5].overflow = u16::MAX;
        let (b, i) = t.find(&keys[3]).expect("past bucket 5");
        assert_eq!(b, 6);
        t.take(b, i);
        assert_eq!(t.buckets[5].overflow, u16::MAX);
        assert_eq!(t.find(&keys[3]), None);
        assert!(t.find(&keys[0]).is_some());
    }
}
