//! Parking a thread on several objects at once: every socket of a select,
//! every event of WSAWaitForMultipleEvents, and the clock for a time-out
//! (CB-N3, CB-N5). A wake is O(1) per waiting thread; a finished wait
//! leaves the lists of the objects that did not wake it.

use simsock_model::{SimDuration, SimTime};

use super::super::{Op, resolve};
use super::{Named, SelectSets};
use crate::engine::Core;
use crate::stack::Waiters;
use crate::winsock::Host;

/// What a waiting call of this module waits on, if it is one.
enum Waits<'a> {
    Sockets(&'a SelectSets, Option<SimDuration>),
    Window(u32),
    Events(&'a [Named], Option<SimDuration>),
    /// WSAPoll's sockets (issue 14, item 3: `winsock/poll.rs`).
    Polled(
        &'a [crate::winsock::wincalls::PollEntry],
        Option<SimDuration>,
    ),
}

fn waits(op: &Op) -> Option<Waits<'_>> {
    match op {
        Op::Select { sets, timeout, .. } => Some(Waits::Sockets(sets, *timeout)),
        Op::GetMessage { window } => Some(Waits::Window(window.index)),
        Op::WaitForEvents {
            events, timeout, ..
        } => Some(Waits::Events(events, *timeout)),
        Op::Win(win) => match &**win {
            crate::winsock::wincalls::WinOp::Poll { fds, timeout, .. } => {
                Some(Waits::Polled(fds, *timeout))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Whether `op` is a wait of this module, parked by [`park`].
pub fn is_wait(op: &Op) -> bool {
    waits(op).is_some()
}

fn join(waiters: &mut Waiters, thread: u32) {
    if !waiters.contains(&thread) {
        waiters.push(thread);
    }
}

/// Parks `thread` on every object `op` waits for; on its first park (the
/// call just started) also on the clock at its time-out.
pub fn park(core: &mut Core, host: &mut Host, thread: u32, op: &Op, start: SimTime, first: bool) {
    let timeout = match waits(op) {
        Some(Waits::Sockets(sets, timeout)) => {
            for slot in sets.all() {
                if let Ok(index) = resolve(host, slot) {
                    join(&mut host.socket_mut(index).waiters, thread);
                }
            }
            timeout
        }
        Some(Waits::Window(w)) => {
            join(&mut host.notify.window(w).waiters, thread);
            None
        }
        Some(Waits::Events(events, timeout)) => {
            for named in events {
                join(&mut host.notify.event(named.index).waiters, thread);
            }
            timeout
        }
        Some(Waits::Polled(fds, timeout)) => {
            for entry in fds {
                if let Ok(index) = resolve(host, entry.slot) {
                    join(&mut host.socket_mut(index).waiters, thread);
                }
            }
            timeout
        }
        None => None,
    };
    if let (Some(t), true) = (timeout, first) {
        core.schedule_wait(thread, start + t);
    }
}

/// Takes a thread whose wait completed off the lists of the objects it
/// did not wake from, so they do not resume it later.
///
/// Performance: every call completes through here; only the waits of
/// `waits` leave anything, and the others return before a call.
#[inline]
pub fn unpark(host: &mut Host, thread: u32, op: &Op) {
    if matches!(
        op,
        Op::Select { .. } | Op::GetMessage { .. } | Op::WaitForEvents { .. } | Op::Win(_)
    ) {
        unpark_waits(host, thread, op);
    }
}

fn unpark_waits(host: &mut Host, thread: u32, op: &Op) {
    let leave = |waiters: &mut Waiters| waiters.retain(|t| *t != thread);
    match waits(op) {
        Some(Waits::Sockets(sets, _)) => {
            for slot in sets.all() {
                if let Ok(index) = resolve(host, slot) {
                    leave(&mut host.socket_mut(index).waiters);
                }
            }
        }
        Some(Waits::Window(w)) => leave(&mut host.notify.window(w).waiters),
        Some(Waits::Events(events, _)) => {
            for named in events {
                leave(&mut host.notify.event(named.index).waiters);
            }
        }
        Some(Waits::Polled(fds, _)) => {
            for entry in fds {
                if let Ok(index) = resolve(host, entry.slot) {
                    leave(&mut host.socket_mut(index).waiters);
                }
            }
        }
        None => {}
    }
}
