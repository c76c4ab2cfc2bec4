//! TIME_WAIT records (RFC 9293 §3.10.7.4, CB-T1..T3).
//!
//! A connection in TIME_WAIT is not a socket and not a TCB: it is a small
//! record (the sequence pair needed to re-acknowledge a retransmitted FIN and
//! its deadline) in a hash map keyed by the four-tuple, and an entry in a
//! FIFO of deadlines. Every record of a host waits the same
//! TcpTimedWaitDelay, so the FIFO is ordered by deadline and one engine timer
//! per host, for its head, is enough.

use std::collections::VecDeque;
use std::net::SocketAddrV4;

use indexmap::IndexMap;
use rustc_hash::FxBuildHasher;
use simsock_model::SimTime;

/// Local and remote address of a connection.
pub type FourTuple = (SocketAddrV4, SocketAddrV4);

/// One connection in TIME_WAIT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeWaitRecord {
    pub until: SimTime,
    pub snd_nxt: u32,
    pub rcv_nxt: u32,
}

/// The TIME_WAIT records of one host.
#[derive(Debug, Default)]
pub struct TimeWaitTable {
    records: IndexMap<FourTuple, TimeWaitRecord, FxBuildHasher>,
    expiry: VecDeque<(SimTime, FourTuple)>,
    /// When the engine timer for the head is scheduled, if it is.
    pub timer_at: Option<SimTime>,
}

impl TimeWaitTable {
    /// Starts (or restarts, for a retransmitted FIN) TIME_WAIT on `tuple`;
    /// returns whether the record is new.
    pub fn insert(&mut self, tuple: FourTuple, record: TimeWaitRecord) -> bool {
        self.expiry.push_back((record.until, tuple));
        self.records.insert(tuple, record).is_none()
    }

    pub fn get(&self, tuple: &FourTuple) -> Option<&TimeWaitRecord> {
        self.records.get(tuple)
    }

    pub fn contains(&self, tuple: &FourTuple) -> bool {
        self.records.contains_key(tuple)
    }

    /// The deadline of the oldest entry, if any.
    pub fn next_deadline(&self) -> Option<SimTime> {
        self.expiry.front().map(|(t, _)| *t)
    }

    /// Removes one record whose deadline is `<= now`, if any, with that
    /// deadline; entries made stale by a restart are skipped.
    pub fn pop_expired(&mut self, now: SimTime) -> Option<(FourTuple, SimTime)> {
        while let Some(&(due, tuple)) = self.expiry.front() {
            if due > now {
                return None;
            }
            self.expiry.pop_front();
            if self.records.get(&tuple).is_some_and(|r| r.until == due) {
                self.records.swap_remove(&tuple);
                return Some((tuple, due));
            }
        }
        None
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// The records, in the map's (deterministic) order.
    pub fn iter(&self) -> impl Iterator<Item = (&FourTuple, &TimeWaitRecord)> {
        self.records.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Bytes held per record, for the memory benchmark: the map's entry and
    /// index slot and the FIFO entry, at current capacity.
    pub fn bytes_allocated(&self) -> usize {
        let entry = std::mem::size_of::<(u64, FourTuple, TimeWaitRecord)>()
            + std::mem::size_of::<usize>()
            + 1;
        let fifo = std::mem::size_of::<(SimTime, FourTuple)>();
        self.records.capacity() * entry + self.expiry.capacity() * fifo
    }
}
