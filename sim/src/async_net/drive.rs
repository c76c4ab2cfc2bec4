//! What the async layer needs from the world, kept apart from `world.rs`:
//! a run loop that stops at a time (its clock left there) and hands back
//! what the async layer acts on (a socket's waiter woken, a host crashed or
//! restarted), and one Winsock call
//! made now on a host's behalf.
//!
//! Everything here goes through the world's own paths (`dispatch`,
//! `start_call`, `winsock::poll`, `record_call`), so calls and their
//! results are traced as a scripted thread's are.

use simsock_model::{SimTime, WsaError};

use crate::engine::Event;
use crate::thread::{Completed, Pending, Step, Thread};
use crate::winsock::{CallCx, CallResult, Op, Poll};
use crate::world::faults::FaultAction;
use crate::world::{LimitError, World};

/// What the run loop saw that the async layer acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Seen {
    /// A socket changed: the thread parked on it (a proxy) was resumed.
    Woken(u32),
    /// Host index.
    Crash(u32),
    /// Host index.
    Restart(u32),
}

impl World {
    /// Runs every event up to `until` in order, as [`World::run`] does,
    /// and leaves the clock at `until`: a `Resume` of `sentinel` (a proxy)
    /// is scheduled at `until` first and the loop stops when it pops, so
    /// the queue is never asked about a later time. (The engine's radix
    /// queue moves its clock to whatever time it is asked about, and a
    /// clock ahead of tokio's would stamp the user's next call late; this
    /// is also why the async layer reads only a bound on the next event's
    /// time, `EventQueue::next_time_bound`, which moves no clock.)
    /// A `Resume` of a thread for which `proxy` says yes is reported in
    /// `seen` instead of run, as are host crashes and restarts (after they
    /// are applied).
    pub(crate) fn run_to(
        &mut self,
        until: SimTime,
        sentinel: u32,
        proxy: &dyn Fn(u32) -> bool,
        seen: &mut Vec<Seen>,
    ) -> Result<(), LimitError> {
        self.steps.max = self.limits.max_steps;
        if until.since(SimTime::ZERO) > self.limits.max_time {
            return Err(LimitError::Time(SimTime::ZERO + self.limits.max_time));
        }
        let until = until.max(self.core.now());
        // Rounds: an event at `until` may schedule more at `until` (a
        // waiter resumed), which queue behind the sentinel; another round
        // runs them, until a round finds only its sentinel.
        let mut again = true;
        while again {
            again = false;
            self.core
                .schedule(until, Event::Resume { thread: sentinel });
            loop {
                if self.core.work() >= self.limits.max_events {
                    return Err(LimitError::Events(self.core.work()));
                }
                let timers = &self.core.timers;
                let Some((at, event)) = self.core.queue.pop(|e| timers.is_live(e)) else {
                    break; // unreachable: the sentinel is live
                };
                if matches!(event, Event::Resume { thread } if thread == sentinel) {
                    break;
                }
                again |= at == until;
                self.run_hooked(event, proxy, seen);
                self.stopped()?;
            }
        }
        Ok(())
    }

    /// Runs one event, or reports it (see [`World::run_to`]).
    fn run_hooked(&mut self, event: Event, proxy: &dyn Fn(u32) -> bool, seen: &mut Vec<Seen>) {
        self.core.events += 1;
        match event {
            Event::Resume { thread } if proxy(thread) => seen.push(Seen::Woken(thread)),
            Event::Fault { index } => {
                let action = self.faults.get(index as usize).cloned();
                let _ = self.dispatch(event);
                match action {
                    Some(FaultAction::HostCrash(host)) => seen.push(Seen::Crash(host)),
                    Some(FaultAction::HostRestart { host, .. }) => seen.push(Seen::Restart(host)),
                    _ => {}
                }
            }
            event => {
                let _ = self.dispatch(event);
            }
        }
    }

    /// Adds a thread that only makes calls for the async layer on host
    /// `host` (by index) and parks on sockets; it has no program of its own
    /// and counts as finished, so reports never call it blocked.
    pub(crate) fn add_proxy(&mut self, host: u32, name: &str) -> u32 {
        let index = self.threads.len() as u32;
        let name = crate::trace::Name::from(name);
        self.core.trace.push_thread_name(name.clone());
        let program = |_: Option<&Completed<'_>>| -> Option<Op> { None };
        let mut thread = Thread::new(name, host, self.core.now(), Box::new(program));
        thread.finished = true;
        self.threads.push(thread);
        index
    }

    /// Makes `op` now as thread `proxy`, traced like any call; a recv's
    /// bytes are left in `received`. A call that would wait (only a
    /// blocking socket's, which the async layer never makes) returns
    /// WSAEWOULDBLOCK, as it would on a nonblocking socket (CB-N1).
    pub(crate) fn call_as(&mut self, proxy: u32, op: Op, received: &mut Vec<u8>) -> CallResult {
        let now = self.core.now();
        let t = proxy as usize;
        self.threads[t].pending = Some(Pending {
            step: Step::from(op),
            start: now,
            call: None,
        });
        self.start_call(proxy, None);
        let thread = &mut self.threads[t];
        let pending = thread.pending.as_ref().expect("set above");
        let mut cx = CallCx {
            core: &mut self.core,
            host: &mut self.hosts[thread.host as usize],
            progress: &mut thread.progress,
            received: &mut thread.received,
            first: true,
            start: now,
            thread: proxy,
            completed: &mut thread.completed,
        };
        let result = match crate::winsock::poll(&mut cx, &pending.step.op) {
            Poll::Ready(result) => result,
            Poll::Pending => Err(WsaError::WSAEWOULDBLOCK),
        };
        thread.progress = 0;
        self.record_call(proxy, None, result);
        let thread = &mut self.threads[t];
        thread.pending = None;
        std::mem::swap(received, &mut thread.received);
        thread.received.clear();
        result
    }
}
