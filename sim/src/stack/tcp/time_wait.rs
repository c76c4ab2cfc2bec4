//! TIME_WAIT records (RFC 9293 §3.10.7.4, CB-T1..T3).
//!
//! A connection in TIME_WAIT is not a socket and not a TCB: it is a small
//! record (the sequence pair needed to re-acknowledge a retransmitted FIN and
//! its deadline). Every record of a host waits the same TcpTimedWaitDelay,
//! so the records sit in a FIFO ordered by deadline, and one engine timer
//! per host, for its head, is enough.
//!
//! Performance: the FIFO holds the records themselves (32 bytes each) and a
//! hash table of 4-byte FIFO positions finds one by four-tuple; the table is
//! only looked up, never iterated (iteration walks the FIFO, in deadline
//! order). About 40 bytes per record, half of a map entry plus a FIFO entry.

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

/// The TIME_WAIT records of one host.
#[derive(Debug, Default)]
pub struct TimeWaitTable {
    /// Records in the order they were (re)started, so by deadline.
    fifo: VecDeque<Entry>,
    /// The position of `fifo[0]`; positions grow by one per entry and wrap.
    head: u32,
    /// The live record of each four-tuple, by position, once `indexed`.
    index: HashTable<u32>,
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

fn hash(tuple: &FourTuple) -> u64 {
    FxBuildHasher.hash_one(tuple)
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
        self.index
            .find(hash(tuple), |&p| at(p).tuple == *tuple)
            .copied()
    }

    /// Starts (or restarts, for a retransmitted FIN) TIME_WAIT on `tuple`;
    /// returns whether the record is new. A restart to a later deadline
    /// leaves the old FIFO entry behind, stale, to be skipped when it
    /// reaches the head; a restart to the same deadline keeps its place.
    pub fn insert(&mut self, tuple: FourTuple, record: TimeWaitRecord) -> bool {
        // Performance: the FIFO grows 1, 2, 4 ... where std's starts at 4
        // entries (128 bytes): most hosts of a big network hold one record
        // (143 bytes a record at a million hosts x 1, 47 now).
        if self.fifo.len() == self.fifo.capacity() {
            self.fifo.reserve_exact(self.fifo.len().max(1));
        }
        if !self.indexed {
            return self.insert_scanned(tuple, record);
        }
        let position = self.head.wrapping_add(self.fifo.len() as u32);
        let h = hash(&tuple);
        let (fifo, head) = (&mut self.fifo, self.head);
        let found = self
            .index
            .find_mut(h, |&p| fifo[p.wrapping_sub(head) as usize].tuple == tuple);
        if let Some(p) = found {
            let old = &mut fifo[p.wrapping_sub(head) as usize];
            if old.record.until == record.until {
                old.record = record;
            } else {
                *p = position;
                fifo.push_back(Entry { tuple, record });
            }
            return false;
        }
        fifo.push_back(Entry { tuple, record });
        let fifo = &self.fifo;
        let rehash = |&p: &u32| hash(&fifo[p.wrapping_sub(head) as usize].tuple);
        self.index.insert_unique(h, position, rehash);
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
            match self.index.find_mut(h, |&p| at(p).tuple == e.tuple) {
                Some(p) => *p = position,
                None => {
                    let rehash = |&p: &u32| hash(&at(p).tuple);
                    self.index.insert_unique(h, position, rehash);
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
            if let Ok(live) = self.index.find_entry(hash(&tuple), |&p| p == head) {
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
        let slot = std::mem::size_of::<u32>() + 1;
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
    /// and without the index: 20 tuples, every third restarted, pass
    /// [`SCAN`] on the way up and drain again.
    #[test]
    fn the_index_answers_as_the_scan_did() {
        let mut small = TimeWaitTable::default();
        let mut big = TimeWaitTable::default();
        big.build_index();
        for port in 0..20u16 {
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
        for now in (0..260).step_by(7) {
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

    /// Below [`SCAN`] entries the table has no index table.
    #[test]
    fn one_record_allocates_no_index() {
        let mut t = TimeWaitTable::default();
        t.insert(tuple(1), record(10));
        assert!(!t.indexed && t.index.capacity() == 0);
        assert_eq!((t.len(), t.get(&tuple(1))), (1, Some(&record(10))));
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
