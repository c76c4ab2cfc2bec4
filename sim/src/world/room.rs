//! Sizing hints: room in the engine's tables that grow with a run's load,
//! made before the run so that a big world allocates each table once.
//!
//! Memory (issue 18, flat cost with size): a table grown by doubling is
//! copied into a fresh allocation at each step, and the one it leaves is
//! too big for the small allocations that follow, so each step is memory
//! the kernel zeroes for nothing. At 100,000 hosts x 1 the packet slab
//! doubled up to 21 MB that way. A hint changes capacity only: the same
//! packet takes the same slot, the same timer the same entry, and the run,
//! its trace and its digest are the same with or without it (the test
//! `a_world_with_room_made_runs_as_one_without` in tests/tests/room.rs).

use super::World;

/// How much of the engine's load-driven tables a run holds at once.
///
/// [`World::reserve`] makes room for it; [`World::room_used`] reads what a
/// run held at the most, so that a harness can size the next world of the
/// same shape from one run, and [`World::room_made`] what the tables have
/// room for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Room {
    /// Packets in flight at once: on links, or waiting for ARP.
    pub packets: usize,
    /// Timers pending at once: TCB retransmission and delayed-ACK timers,
    /// thread time-outs.
    pub timers: usize,
}

impl World {
    /// Makes room for `room` in the engine's tables (more than they have
    /// room for already; never less). For the TCBs of a host that serves
    /// many connections at once, see
    /// [`stack::Host::reserve_connections`](crate::stack::Host::reserve_connections);
    /// for threads, [`World::reserve_threads`].
    ///
    /// The event queue's buckets are sized for every packet and timer at
    /// once (each is an event), so that one fills without reallocating
    /// (the engine's `EventQueue::reserve_buckets`).
    pub fn reserve(&mut self, room: Room) {
        self.core.packets.reserve(room.packets);
        self.core.timers.reserve(room.timers);
        let events = room.packets.saturating_add(room.timers);
        self.core.queue.reserve_buckets(events);
    }

    /// The most the run has held at once so far (slots and entries ever
    /// taken: both are reused before new ones are made).
    pub fn room_used(&self) -> Room {
        Room {
            packets: self.core.packets.slots().0,
            timers: self.core.timers.entries().0,
        }
    }

    /// What the tables have room for without growing.
    pub fn room_made(&self) -> Room {
        Room {
            packets: self.core.packets.slots().1,
            timers: self.core.timers.entries().1,
        }
    }
}
