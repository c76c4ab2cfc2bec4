//! Timers that can be cancelled: a TCB's retransmission timer, and the
//! time-out of a thread's wait (a sleep, a select or event wait with a
//! time-out, a completion-port or overlapped wait).
//!
//! A TCB has at most one timer that counts (`TcbSlot::timer`); a thread has
//! at most one time-out, that of its call under way. When a TCB's timer is
//! re-armed earlier or the TCB is freed, or a thread's call returns before
//! its time-out, the entry here is cancelled and the event already queued
//! is dead: the queue drops it unseen (it is not counted, does not move the
//! clock and takes no part in tie draws), as a real stack cancels a timer
//! rather than letting it fire for nothing (RFC 9293 §3.8.1 for the
//! retransmission timer). A run therefore ends at its last real event.
//!
//! Performance: most retransmission timers are cancelled (about four per
//! connection in the storm). Kept as events they made up most of the
//! queue's bytes and a fifth of its pops; the table holds one small entry
//! per pending timer, so the check stays in cache.

use super::Event;

/// A pending timer: an entry of [`Timers`] and its generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerId {
    index: u32,
    generation: u32,
}

/// What a timer is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A timer of host `host`'s stack (a TCB's retransmission timer),
    /// named by a `key` the stack chose and the engine never interprets
    /// (`stack::ConnId::key`).
    Host {
        /// The host, by index into the world's hosts.
        host: u32,
        /// The stack's name for the timer (`stack::ConnId::key`).
        key: u64,
    },
    /// The time-out of a thread's call under way.
    Thread(u32),
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    generation: u32,
    target: Target,
}

/// The live timers, in a slab with a free list.
#[derive(Debug, Default)]
pub struct Timers {
    entries: Vec<Entry>,
    free: Vec<u32>,
    /// Each thread's live time-out, by thread index.
    waits: Vec<Option<TimerId>>,
}

impl Timers {
    /// Forgets every timer for another run, keeping the storage: afterwards
    /// the table is [`Timers::default`] in everything but capacity (the
    /// next ids are the first ones again; issue 18, item 5).
    pub fn reset(&mut self) {
        let Timers {
            entries,
            free,
            waits,
        } = self;
        entries.clear();
        free.clear();
        waits.clear();
    }

    /// Makes room for `timers` pending at once (entries and free list),
    /// allocated once. Capacity only: which entry a timer takes does not
    /// change.
    pub fn reserve(&mut self, timers: usize) {
        self.entries
            .reserve_exact(timers.saturating_sub(self.entries.len()));
        self.free
            .reserve_exact(timers.saturating_sub(self.free.len()));
    }

    /// Timers that were pending at once at the most since the table was
    /// made or reset (its entries), and the entries it has room for.
    pub fn entries(&self) -> (usize, usize) {
        (self.entries.len(), self.entries.capacity())
    }

    /// Records a new timer for `target`.
    pub fn arm(&mut self, target: Target) -> TimerId {
        match self.free.pop() {
            Some(index) => {
                let entry = &mut self.entries[index as usize];
                entry.target = target;
                TimerId {
                    index,
                    generation: entry.generation,
                }
            }
            None => {
                self.entries.push(Entry {
                    generation: 0,
                    target,
                });
                TimerId {
                    index: (self.entries.len() - 1) as u32,
                    generation: 0,
                }
            }
        }
    }

    /// Records the time-out of `thread`'s call under way (replacing any
    /// earlier one of the thread's).
    pub(super) fn arm_wait(&mut self, thread: u32) -> TimerId {
        self.cancel_wait(thread);
        let id = self.arm(Target::Thread(thread));
        let i = thread as usize;
        if self.waits.len() <= i {
            self.waits.resize(i + 1, None);
        }
        self.waits[i] = Some(id);
        id
    }

    /// The thread's call returned: its time-out, if any, is moot.
    pub fn cancel_wait(&mut self, thread: u32) {
        if let Some(id) = self.waits.get_mut(thread as usize).and_then(Option::take) {
            self.cancel(id);
        }
    }

    /// Forgets a timer: its queued event will find nothing.
    pub fn cancel(&mut self, id: TimerId) {
        self.fire(id);
    }

    /// Whether an event is alive: anything but a cancelled timer (the event
    /// queue drops dead events unseen).
    #[inline]
    pub fn is_live(&self, event: &Event) -> bool {
        match event {
            Event::Timer { timer } => self
                .entries
                .get(timer.index as usize)
                .is_some_and(|e| e.generation == timer.generation),
            _ => true,
        }
    }

    /// What a timer whose event is due is for, `None` if it was cancelled;
    /// either way the entry is free afterwards.
    pub fn fire(&mut self, id: TimerId) -> Option<Target> {
        let entry = self.entries.get_mut(id.index as usize)?;
        if entry.generation != id.generation {
            return None;
        }
        entry.generation = entry.generation.wrapping_add(1);
        self.free.push(id.index);
        Some(entry.target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcb(host: u32, index: u32) -> Target {
        Target::Host {
            host,
            key: u64::from(index),
        }
    }

    #[test]
    fn a_timer_fires_once_and_a_cancelled_one_never() {
        let mut timers = Timers::default();
        let a = timers.arm(tcb(1, 7));
        let b = timers.arm(tcb(2, 8));
        timers.cancel(a);
        assert_eq!(timers.fire(a), None);
        assert_eq!(timers.fire(b), Some(tcb(2, 8)));
        assert_eq!(timers.fire(b), None, "fires once");
    }

    #[test]
    fn a_reused_entry_does_not_revive_the_old_timer() {
        let mut timers = Timers::default();
        let old = timers.arm(tcb(1, 1));
        timers.cancel(old);
        let new = timers.arm(tcb(3, 4));
        assert_eq!(timers.entries.len(), 1, "the entry is reused");
        assert_eq!(timers.fire(old), None);
        assert_eq!(timers.fire(new), Some(tcb(3, 4)));
    }

    #[test]
    fn a_thread_has_one_time_out_and_its_return_cancels_it() {
        let mut timers = Timers::default();
        let first = timers.arm_wait(5);
        let second = timers.arm_wait(5);
        assert!(!timers.is_live(&Event::Timer { timer: first }));
        assert!(timers.is_live(&Event::Timer { timer: second }));
        timers.cancel_wait(5);
        assert!(!timers.is_live(&Event::Timer { timer: second }));
        timers.cancel_wait(5); // nothing left: no effect
        let fired = timers.arm_wait(2);
        assert_eq!(timers.fire(fired), Some(Target::Thread(2)));
        let other = timers.arm(tcb(0, 0)); // reuses the fired entry
        timers.cancel_wait(2); // the fired time-out: no effect on `other`
        assert!(timers.is_live(&Event::Timer { timer: other }));
    }
}
