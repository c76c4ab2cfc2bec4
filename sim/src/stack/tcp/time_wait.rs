//! TIME_WAIT records (RFC 9293 §3.10.7.4, CB-T1..T3).
//!
//! A connection in TIME_WAIT is not a socket and not a TCB: it is a small
//! record (the sequence pair needed to re-acknowledge a retransmitted FIN and
//! its deadline). Every record of a host waits the same TcpTimedWaitDelay,
//! so the records sit in a FIFO ordered by deadline, and one engine timer
//! per host, for its head, is enough.
//!
//! Performance: the FIFO holds the records themselves (32 bytes each) and a
//! hash table of `Slot`s (a FIFO position and the four-tuple's hash, 8
//! bytes) finds one by four-tuple; the table is only looked up, never
//! iterated (iteration walks the FIFO, in deadline order). About 45 bytes
//! per record, half of a map entry plus a FIFO entry.

use std::collections::VecDeque;
use std::hash::BuildHasher;
use std::net::SocketAddrV4;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use simsock_model::SimTime;

/// Local and remote address of a connection.
pub type FourTuple = (SocketAddrV4, SocketAddrV4);

/// One connection in TIME_WAIT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeWaitRecord {
    /// When the record ends: entry into TIME_WAIT, or the last
    /// retransmitted FIN it answered, plus the profile's
    /// `tcp_timed_wait_delay` (CB-T1, CB-T2).
    pub until: SimTime,
    /// SND.NXT at the end: the sequence number of an ACK re-sent for a
    /// retransmitted FIN.
    pub snd_nxt: u32,
    /// RCV.NXT at the end: what that ACK acknowledges.
    pub rcv_nxt: u32,
}

/// A FIFO entry: a record, or a stale one that a restart superseded.
#[derive(Clone, Copy, Debug)]
struct Entry {
    tuple: FourTuple,
    record: TimeWaitRecord,
}

/// An index slot: where a four-tuple's live record is in the FIFO, and the
/// four-tuple's hash ([`hash`]).
///
/// Performance (issue 18): with the hash kept in the slot, the table
/// regrows without reading a FIFO entry or hashing a four-tuple again, and
/// a probe reads the FIFO only for a slot whose hash matches. With
/// positions alone, the regrowth of a client's table (200 records, 100x200)
/// made `TimeWaitTable::insert` ~290 instructions per connection
/// (callgrind).
#[derive(Clone, Copy, Debug)]
struct Slot {
    position: u32,
    hash: u32,
}

/// The TIME_WAIT records of one host.
#[derive(Debug, Default)]
pub struct TimeWaitTable {
    /// Records in the order they were (re)started, so by deadline.
    fifo: VecDeque<Entry>,
    /// The position of `fifo[0]`; positions grow by one per entry and wrap.
    head: u32,
    /// The live record of each four-tuple, by position, once `indexed`.
    index: HashTable<Slot>,
    /// The FIFO once held more than [`SCAN`] entries and `index` is kept.
    indexed: bool,
    /// When the engine timer for the head is scheduled, if it is.
    pub timer_at: Option<SimTime>,
}

/// Entries a table finds by scanning its FIFO before it builds an index.
///
/// Memory: most hosts of a big network hold one record at a time, and the
/// index's first table was an allocation of its own (36 bytes, 48 with
/// the allocator's rounding) for it. The last FIFO entry of a four-tuple
/// is its live record: a restart pushes a later entry, and the earlier
/// ones leave the FIFO before it.
const SCAN: usize = 8;

/// The table of a host that never had a record: a host keeps its table
/// out of line (`stack::cold`), allocated at its first record (88 bytes
/// that a host that has not connected no longer holds, issue 18).
static NO_RECORDS: TimeWaitTable = TimeWaitTable {
    fifo: VecDeque::new(),
    head: 0,
    index: HashTable::new(),
    indexed: false,
    timer_at: None,
};

impl crate::stack::cold::Empty for TimeWaitTable {
    fn empty() -> &'static Self {
        &NO_RECORDS
    }
}

/// A four-tuple's hash, as kept in its [`Slot`].
fn hash(tuple: &FourTuple) -> u32 {
    // Fx's upper half: its `finish` rotates the last product's well-mixed
    // high bits there.
    (FxBuildHasher.hash_one(tuple) >> 32) as u32
}

/// The table's 64-bit hash of a slot's: hashbrown picks the bucket from
/// the low bits and the control byte from the top seven, and an odd
/// multiplier carries every bit of `hash` into the top ones.
fn spread(hash: u32) -> u64 {
    u64::from(hash).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

impl TimeWaitTable {
    fn entry(&self, position: u32) -> &Entry {
        &self.fifo[position.wrapping_sub(self.head) as usize]
    }

    fn position(&self, tuple: &FourTuple) -> Option<u32> {
        if !self.indexed {
            let i = self.fifo.iter().rposition(|e| e.tuple == *tuple)?;
            return Some(self.head.wrapping_add(i as u32));
        }
        let fifo = (&self.fifo, self.head);
        let at = |p: u32| &fifo.0[p.wrapping_sub(fifo.1) as usize];
        let h = hash(tuple);
        let slot = self
            .index
            .find(spread(h), |s| s.hash == h && at(s.position).tuple == *tuple)?;
        Some(slot.position)
    }

    /// Starts (or restarts, for a retransmitted FIN) TIME_WAIT on `tuple`;
    /// returns whether the record is new. A restart to a later deadline
    /// leaves the old FIFO entry behind, stale, to be skipped when it
    /// reaches the head; a restart to the same deadline keeps its place.
    pub fn insert(&mut self, tuple: FourTuple, record: TimeWaitRecord) -> bool {
        // Performance: the FIFO grows 1, 2, 4 ... where std's starts at 4
        // entries (128 bytes): most hosts of a big network hold one record
        // (143 bytes a record at a million hosts x 1, 47 now). The first
        // is allocated outright: `reserve_exact` from nothing took ~170
        // instructions per connection at 10,000 x 1 (callgrind, issue 18).
        if self.fifo.capacity() == 0 {
            self.fifo = VecDeque::with_capacity(1);
        } else if self.fifo.len() == self.fifo.capacity() {
            self.fifo.reserve_exact(self.fifo.len());
        }
        if !self.indexed {
            return self.insert_scanned(tuple, record);
        }
        let position = self.head.wrapping_add(self.fifo.len() as u32);
        let h = hash(&tuple);
        let (fifo, head) = (&mut self.fifo, self.head);
        let found = self.index.find_mut(spread(h), |s| {
            s.hash == h && fifo[s.position.wrapping_sub(head) as usize].tuple == tuple
        });
        if let Some(slot) = found {
            let old = &mut fifo[slot.position.wrapping_sub(head) as usize];
            if old.record.until == record.until {
                old.record = record;
            } else {
                slot.position = position;
                fifo.push_back(Entry { tuple, record });
            }
            return false;
        }
        fifo.push_back(Entry { tuple, record });
        let slot = Slot { position, hash: h };
        self.index
            .insert_unique(spread(h), slot, |s| spread(s.hash));
        true
    }

    /// [`TimeWaitTable::insert`] while the table has no index; builds it
    /// when the FIFO passes [`SCAN`] entries.
    fn insert_scanned(&mut self, tuple: FourTuple, record: TimeWaitRecord) -> bool {
        let found = self.fifo.iter().rposition(|e| e.tuple == tuple);
        let new = match found.map(|i| &mut self.fifo[i]) {
            Some(old) if old.record.until == record.until => {
                old.record = record;
                return false;
            }
            Some(_) => false,
            None => true,
        };
        self.fifo.push_back(Entry { tuple, record });
        if self.fifo.len() > SCAN {
            self.build_index();
        }
        new
    }

    /// Indexes every four-tuple's last FIFO entry, its live record.
    fn build_index(&mut self) {
        let (fifo, head) = (&self.fifo, self.head);
        let at = |p: u32| &fifo[p.wrapping_sub(head) as usize];
        for (i, e) in fifo.iter().enumerate() {
            let position = head.wrapping_add(i as u32);
            let h = hash(&e.tuple);
            let same = |s: &Slot| s.hash == h && at(s.position).tuple == e.tuple;
            match self.index.find_mut(spread(h), same) {
                Some(slot) => slot.position = position,
                None => {
                    let slot = Slot { position, hash: h };
                    self.index
                        .insert_unique(spread(h), slot, |s| spread(s.hash));
                }
            }
        }
        self.indexed = true;
    }

    /// The live record of a four-tuple, if it is in TIME_WAIT.
    pub fn get(&self, tuple: &FourTuple) -> Option<&TimeWaitRecord> {
        self.position(tuple).map(|p| &self.entry(p).record)
    }

    /// Whether the four-tuple is in TIME_WAIT.
    pub fn contains(&self, tuple: &FourTuple) -> bool {
        self.position(tuple).is_some()
    }

    /// The deadline of the oldest entry, if any.
    pub fn next_deadline(&self) -> Option<SimTime> {
        self.fifo.front().map(|e| e.record.until)
    }

    /// Removes one record whose deadline is `<= now`, if any, with that
    /// deadline; entries made stale by a restart are skipped.
    pub fn pop_expired(&mut self, now: SimTime) -> Option<(FourTuple, SimTime)> {
        while let Some(&Entry { tuple, record }) = self.fifo.front() {
            if record.until > now {
                return None;
            }
            let head = self.head;
            self.fifo.pop_front();
            self.head = head.wrapping_add(1);
            if !self.indexed {
                // Live if it was the four-tuple's last entry.
                if !self.fifo.iter().any(|e| e.tuple == tuple) {
                    return Some((tuple, record.until));
                }
                continue;
            }
            let found = self
                .index
                .find_entry(spread(hash(&tuple)), |s| s.position == head);
            if let Ok(live) = found {
                live.remove();
                return Some((tuple, record.until));
            }
        }
        None
    }

    /// Live records (stale FIFO entries not counted).
    pub fn len(&self) -> usize {
        match self.indexed {
            true => self.index.len(),
            false => self.iter().count(),
        }
    }

    /// The live records, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = (&FourTuple, &TimeWaitRecord)> {
        let head = self.head;
        self.fifo
            .iter()
            .enumerate()
            .filter(move |(i, e)| self.position(&e.tuple) == Some(head.wrapping_add(*i as u32)))
            .map(|(_, e)| (&e.tuple, &e.record))
    }

    /// Whether no record is live.
    pub fn is_empty(&self) -> bool {
        match self.indexed {
            true => self.index.is_empty(),
            // Every four-tuple in the FIFO has a live record (its last entry).
            false => self.fifo.is_empty(),
        }
    }

    /// Bytes held per record, for the memory benchmark: the FIFO entry and
    /// the index slot with its control byte, at current capacity.
    pub fn bytes_allocated(&self) -> usize {
        let fifo = std::mem::size_of::<Entry>();
        let slot = std::mem::size_of::<Slot>() + 1;
        self.fifo.capacity() * fifo + self.index.capacity() * slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuple(port: u16) -> FourTuple {
        let ip = std::net::Ipv4Addr::new(10, 0, 0, 1);
        (SocketAddrV4::new(ip, port), SocketAddrV4::new(ip, 80))
    }

    fn record(until_ns: u64) -> TimeWaitRecord {
        TimeWaitRecord {
            until: SimTime(until_ns),
            snd_nxt: until_ns as u32,
            rcv_nxt: 7,
        }
    }

    #[test]
    fn records_expire_in_deadline_order() {
        let mut t = TimeWaitTable::default();
        assert!(t.insert(tuple(1), record(10)));
        assert!(t.insert(tuple(2), record(20)));
        assert_eq!(t.len(), 2);
        assert_eq!(t.get(&tuple(2)), Some(&record(20)));
        assert_eq!(t.pop_expired(SimTime(15)), Some((tuple(1), SimTime(10))));
        assert_eq!(t.pop_expired(SimTime(15)), None);
        assert!(!t.contains(&tuple(1)) && t.contains(&tuple(2)));
        assert_eq!(t.pop_expired(SimTime(20)), Some((tuple(2), SimTime(20))));
        assert!(t.is_empty() && t.next_deadline().is_none());
    }

    /// The same records, restarts and expiries give the same answers with
    /// and without the index: 100 tuples, every third restarted, pass
    /// [`SCAN`] on the way up (the index regrows five times from the
    /// hashes kept in its slots) and drain again.
    #[test]
    fn the_index_answers_as_the_scan_did() {
        let mut small = TimeWaitTable::default();
        let mut big = TimeWaitTable::default();
        big.build_index();
        for port in 0..100u16 {
            let r = record(u64::from(port) * 10);
            assert_eq!(small.insert(tuple(port), r), big.insert(tuple(port), r));
            if port % 3 == 0 {
                let later = record(u64::from(port) * 10 + 25);
                assert!(!small.insert(tuple(port / 2), later));
                assert!(!big.insert(tuple(port / 2), later));
            }
            assert!(small.indexed == (small.fifo.len() > SCAN));
            assert_eq!(small.len(), big.len());
        }
        for now in (0..1100).step_by(7) {
            loop {
                let (a, b) = (
                    small.pop_expired(SimTime(now)),
                    big.pop_expired(SimTime(now)),
                );
                assert_eq!(a, b, "at {now}");
                if a.is_none() {
                    break;
                }
            }
            assert_eq!(
                small.iter().collect::<Vec<_>>(),
                big.iter().collect::<Vec<_>>()
            );
            assert_eq!((small.len(), small.is_empty()), (big.len(), big.is_empty()));
        }
        assert!(small.is_empty());
    }

    /// Below [`SCAN`] entries the table has no index table, and its FIFO
    /// grows 1, 2, 4 entries from its first allocation.
    #[test]
    fn one_record_allocates_no_index() {
        let mut t = TimeWaitTable::default();
        t.insert(tuple(1), record(10));
        assert!(!t.indexed && t.index.capacity() == 0);
        assert_eq!((t.len(), t.get(&tuple(1))), (1, Some(&record(10))));
        assert_eq!(t.fifo.capacity(), 1);
        let capacities: Vec<usize> = (2..5u16)
            .map(|port| {
                t.insert(tuple(port), record(u64::from(port) * 10));
                t.fifo.capacity()
            })
            .collect();
        assert_eq!(capacities, [2, 4, 4]);
        let live: Vec<u16> = t.iter().map(|(k, _)| k.0.port()).collect();
        assert_eq!(live, [1, 2, 3, 4]);
    }

    /// A retransmitted FIN restarts the wait: the first deadline passes
    /// without ending the record.
    #[test]
    fn a_restart_skips_the_stale_entry() {
        let mut t = TimeWaitTable::default();
        t.insert(tuple(1), record(10));
        t.insert(tuple(2), record(12));
        assert!(!t.insert(tuple(1), record(10)), "same deadline: same place");
        assert!(!t.insert(tuple(1), record(30)));
        assert_eq!(t.len(), 2);
        let live: Vec<u16> = t.iter().map(|(k, _)| k.0.port()).collect();
        assert_eq!(live, [2, 1]);
        assert_eq!(t.pop_expired(SimTime(20)), Some((tuple(2), SimTime(12))));
        assert_eq!(t.pop_expired(SimTime(20)), None);
        assert_eq!(t.get(&tuple(1)), Some(&record(30)));
        assert_eq!(t.pop_expired(SimTime(30)), Some((tuple(1), SimTime(30))));
        assert!(t.is_empty());
    }
}
