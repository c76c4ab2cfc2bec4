//! The storage a finished run leaves for the next run of the same
//! scenario: a sweep runs one world per seed, and each world's event
//! queue, timer table and packet slab grew to the same sizes as the
//! previous seed's (issue 18, item 5: about a dozen growths a run of the
//! one-connect scenario, ten of them the queue's buckets).
//!
//! Architecture invariant: a core made from a [`Spare`] is a new core in
//! everything but the capacity of its containers, and no behaviour reads a
//! capacity (each part's `reset` names every field it clears; the test
//! `a_sweeps_worlds_reuse_storage_and_run_as_new_ones` in
//! tests/tests/sweep_reuse.rs compares reports byte for byte). The
//! storage is bounded by what one run of the scenario reached, which its
//! `limits` cap.

use super::Event;
use super::queue::EventQueue;
use super::timers::Timers;
use crate::net::PacketPool;

/// The emptied containers of a finished run's engine.
#[derive(Debug, Default)]
pub struct Spare {
    pub(crate) queue: EventQueue<Event>,
    pub(crate) timers: Timers,
    pub(crate) packets: PacketPool,
    /// The trace's buffer of canonical lines not yet hashed.
    pub(crate) trace_line: Vec<u8>,
}

impl Spare {
    /// Empties what a finished run left, keeping the storage.
    pub fn reset(&mut self) {
        let Spare {
            queue,
            timers,
            packets,
            trace_line,
        } = self;
        queue.reset();
        timers.reset();
        packets.reset();
        trace_line.clear();
    }
}
