//! The TCP timers that are pending in the event queue, so that a superseded
//! one is known stale without visiting its host.
//!
//! A TCB has at most one timer that counts (`TcbSlot::timer`). When it is
//! re-armed earlier or the TCB is freed, its entry here is cancelled and
//! the event already queued is dead: the queue drops it unseen (it is not
//! counted, does not move the clock and takes no part in tie draws), as a
//! real stack cancels a timer rather than letting it fire for nothing.
//!
//! Performance: most retransmission timers are cancelled (about four per
//! connection in the storm). Kept as events they made up most of the
//! queue's bytes and a fifth of its pops; the table holds one small entry
//! per pending timer, so the check stays in cache.

use super::Event;
use crate::stack::ConnId;

/// A pending TCP timer: an entry of [`Timers`] and its generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerId {
    index: u32,
    generation: u32,
}

/// What a timer is for: a TCB on a host.
#[derive(Clone, Copy, Debug)]
struct Entry {
    generation: u32,
    host: u32,
    conn: ConnId,
}

/// The live TCP timers, in a slab with a free list.
#[derive(Debug, Default)]
pub struct Timers {
    entries: Vec<Entry>,
    free: Vec<u32>,
}

impl Timers {
    /// Records a new timer for `conn` on `host`.
    pub fn arm(&mut self, host: u32, conn: ConnId) -> TimerId {
        match self.free.pop() {
            Some(index) => {
                let entry = &mut self.entries[index as usize];
                entry.host = host;
                entry.conn = conn;
                TimerId {
                    index,
                    generation: entry.generation,
                }
            }
            None => {
                self.entries.push(Entry {
                    generation: 0,
                    host,
                    conn,
                });
                TimerId {
                    index: (self.entries.len() - 1) as u32,
                    generation: 0,
                }
            }
        }
    }

    /// Forgets a timer: its queued event will find nothing.
    pub fn cancel(&mut self, id: TimerId) {
        self.fire(id);
    }

    /// Whether an event is alive: anything but a cancelled TCP timer
    /// (the event queue drops dead events unseen).
    #[inline]
    pub fn is_live(&self, event: &Event) -> bool {
        match event {
            Event::TcpTimer { timer } => self
                .entries
                .get(timer.index as usize)
                .is_some_and(|e| e.generation == timer.generation),
            _ => true,
        }
    }

    /// The host and TCB of a timer whose event is due, `None` if it was
    /// cancelled; either way the entry is free afterwards.
    pub fn fire(&mut self, id: TimerId) -> Option<(u32, ConnId)> {
        let entry = self.entries.get_mut(id.index as usize)?;
        if entry.generation != id.generation {
            return None;
        }
        entry.generation = entry.generation.wrapping_add(1);
        self.free.push(id.index);
        Some((entry.host, entry.conn))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn(index: u32) -> ConnId {
        ConnId {
            index,
            generation: 0,
        }
    }

    #[test]
    fn a_timer_fires_once_and_a_cancelled_one_never() {
        let mut timers = Timers::default();
        let a = timers.arm(1, conn(7));
        let b = timers.arm(2, conn(8));
        timers.cancel(a);
        assert_eq!(timers.fire(a), None);
        assert_eq!(timers.fire(b).map(|(h, c)| (h, c.index)), Some((2, 8)));
        assert_eq!(timers.fire(b), None, "fires once");
    }

    #[test]
    fn a_reused_entry_does_not_revive_the_old_timer() {
        let mut timers = Timers::default();
        let old = timers.arm(1, conn(1));
        timers.cancel(old);
        let new = timers.arm(3, conn(4));
        assert_eq!(timers.entries.len(), 1, "the entry is reused");
        assert_eq!(timers.fire(old), None);
        assert_eq!(timers.fire(new).map(|(h, _)| h), Some(3));
    }
}
