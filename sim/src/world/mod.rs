//! The world: core, hosts and threads, and the run loop that pops events in
//! their total order and dispatches them.

use simsock_model::limits::RunLimits;
use simsock_model::{SimTime, WsaError};

use crate::engine::queue::Next;
use crate::engine::timers::Target;
use crate::engine::{Core, Event};
use crate::net::NodeKind;
use crate::thread::{
    Completed, Pending, Program, StepBudget, StepsSpent, Thread, check, describe, expected_error,
    result_text,
};
use crate::trace::{Returned, TraceKind};
use crate::winsock::events::{packet, tcp_timer, time_wait};
use crate::winsock::{CallCx, Host, Op, Poll, Value, poll};

pub mod apc;
pub mod faults;
mod room;

pub use faults::FaultAction;
pub use room::Room;

/// One completed call, for reports and the JSON output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallRecord {
    /// The name of the host the call was made on.
    pub host: String,
    /// The name of the thread that made it.
    pub thread: String,
    /// The call as the trace writes it, socket variables by name, e.g.
    /// `connect(s, 10.0.0.2:80)`.
    pub call: String,
    /// "OK" or the WSA name.
    pub result: String,
    /// The result with its value, e.g. `OK (5 bytes: "hello")`.
    pub detail: String,
    /// When the call was made, in simulated nanoseconds since the start.
    pub start_ns: u64,
    /// When it returned, in simulated nanoseconds since the start.
    pub end_ns: u64,
    /// What the step expected, e.g. `WSAECONNREFUSED` or `5 bytes`.
    pub expected: Option<String>,
    /// The error code the step expected, if it expected one: `Err(code)`, or
    /// a completion with that code (the conformance matrix reads it).
    pub expected_code: Option<simsock_model::WsaError>,
    /// For a call that read an overlapped operation's outcome, that
    /// operation's function: a ConnectEx's refusal arrives through
    /// GetQueuedCompletionStatus (CB-X4).
    pub completes: Option<simsock_model::scenario::ExtensionFunction>,
    /// What the step expected and did not get.
    pub failure: Option<String>,
    /// Why the call failed, read off the trace ([`crate::why`]); filled
    /// after the run when the trace was kept in full.
    pub why: Option<String>,
    /// The call's place among all the calls of the run, from 0: the n-th
    /// `Return` event of the trace (records past
    /// [`World::max_recorded_calls`] are not kept, so this is not always
    /// the record's index).
    pub seq: u64,
}

/// One completed call as a sweep tallies it ([`World::results_only`]):
/// its thread, its text and the name of its result, without the detail,
/// times and expectation of a [`CallRecord`] (five strings fewer per call;
/// issue 18, item 5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultRecord {
    /// The index of the thread that made it (in [`World::threads`]).
    pub thread: u32,
    /// The call as the trace writes it, e.g. `connect(s, 10.0.0.2:80)`:
    /// the very text the trace hashed, shared rather than copied.
    pub call: crate::trace::Text,
    /// "OK" or the WSA name (the errno name on a Linux host), as
    /// [`CallRecord::result`].
    pub result: &'static str,
}

/// Call records a run keeps unless told otherwise
/// ([`World::max_recorded_calls`]): with their strings, some 30 MB.
pub const DEFAULT_RECORDED_CALLS: usize = 100_000;

/// Calls with a failed expectation that a run keeps beyond
/// [`World::max_recorded_calls`]; later ones are only counted.
pub const MAX_RECORDED_FAILURES: usize = 1_000;

/// How many calls a run made, and how many it kept a record of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallCount {
    /// Every call that completed.
    pub made: u64,
    /// Calls not recorded because the run went past its record limit.
    pub unrecorded: u64,
    /// Of those, calls whose expectation failed: the run fails all the
    /// same, and the report says how many.
    pub unrecorded_failures: u64,
}

/// Why a run stopped before its queue ran dry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// The run processed `limits.max_events` events and calls (a call is
    /// not an event of the engine, but it is work: it counts against the
    /// limit); the number processed.
    #[error(
        "the run processed {0} events and calls, the limit (limits.max_events); it may never end"
    )]
    Events(u64),
    /// The limit itself (not the time of the event past it).
    #[error("the run reached simulated time {0}, the limit (limits.max_time)")]
    Time(SimTime),
    #[error(
        "the run's threads executed {0} steps, the limit (limits.max_steps): \
         calls and passes of a Repeat; it may never end"
    )]
    /// The threads executed `limits.max_steps` steps (calls and passes of a
    /// `Repeat`); the number executed.
    Steps(u64),
    /// The scenario asked for something the documents leave undefined
    /// (CB-A1), or that cannot happen (CB-C10 at the SPI level).
    #[error("scenario error: {0}")]
    Scenario(String),
}

/// A whole simulation.
#[derive(Debug)]
pub struct World {
    /// The engine: clock, event queue, network, fault state and trace
    /// (private to the crate; read it through [`World::now`],
    /// [`World::topology`], [`World::trace`] ...).
    pub(crate) core: Core,
    /// The hosts, by host index (the order of the scenario's `hosts`).
    pub hosts: Vec<Host>,
    /// The threads, by thread index (the scenario's, then those added by
    /// [`World::spawn`]).
    pub threads: Vec<Thread>,
    /// The scenario's faults with their names resolved, by fault index.
    pub faults: Vec<FaultAction>,
    /// Limits on events, simulated time and steps; a run that reaches one
    /// stops with a [`LimitError`].
    pub limits: RunLimits,
    /// The seed every random stream of the run is drawn from.
    pub seed: u64,
    /// Keep a [`CallRecord`] per call (off in benchmarks and views that
    /// read the trace only); a call whose expectation failed is recorded
    /// regardless.
    pub record_calls: bool,
    /// At most this many records are kept (the first calls), plus up to
    /// [`MAX_RECORDED_FAILURES`] later ones whose expectation failed; the
    /// rest are counted in [`World::call_count`]. Memory does not grow
    /// with the length of the run.
    pub max_recorded_calls: usize,
    /// Record each call as a [`ResultRecord`] in [`World::results`] instead
    /// of a [`CallRecord`] (sweeps); a call whose expectation failed gets
    /// its [`CallRecord`] in [`World::calls`] as well, so the failures read
    /// the same. Which calls are recorded, and the counts of those that
    /// are not, do not change.
    pub results_only: bool,
    /// The calls recorded so far, in the order they completed (with
    /// [`World::results_only`], only those whose expectation failed).
    pub calls: Vec<CallRecord>,
    /// With [`World::results_only`], the calls recorded so far, in the
    /// order they completed; empty otherwise.
    pub results: Vec<ResultRecord>,
    /// How many calls were made, and how many were not recorded.
    pub call_count: CallCount,
    /// Set when the scenario did something undefined; stops the run
    /// ([`LimitError::Scenario`]).
    pub run_error: Option<String>,
    /// Steps the threads executed, against `limits.max_steps`.
    pub steps: StepBudget,
    /// Poll every woken thread, even one whose call is certain to wait
    /// again (`World::rewait`'s slow path; tests compare the two). Off by
    /// default: the answer is the same, only slower.
    pub poll_every_wake: bool,
    /// Woken threads parked again without a poll ([`World::rewaits`]).
    pub(crate) rewaits: u64,
}

impl World {
    /// The simulated time now: the time of the last event processed.
    pub fn now(&self) -> SimTime {
        self.core.now()
    }

    /// Engine events processed so far: packet arrivals, timers, wake-ups,
    /// faults. A call is not one (it runs inside the event that resumed its
    /// thread); calls count against `limits.max_events` with them
    /// ([`World::calls_started`]).
    pub fn events(&self) -> u64 {
        self.core.events
    }

    /// Woken threads parked again without a poll, their call certain to
    /// wait on (`World::rewait`; none with [`World::poll_every_wake`]).
    pub fn rewaits(&self) -> u64 {
        self.rewaits
    }

    /// Calls started so far (those of APCs included).
    pub fn calls_started(&self) -> u64 {
        self.core.calls
    }

    /// The network: nodes, their addresses, links.
    pub fn topology(&self) -> &crate::net::Topology {
        &self.core.topo
    }

    /// Where a packet from `from` to `dst` goes next, by the simulator's own
    /// static routing (CB-C12, CB-C13: no route gives `Hop::NoRoute`).
    pub fn next_hop(
        &mut self,
        from: crate::net::NodeId,
        dst: std::net::Ipv4Addr,
    ) -> crate::net::Hop {
        self.core.routes.next_hop(&self.core.topo, from, dst)
    }

    /// The run's trace (its digest, and the events a `Full` trace kept).
    pub fn trace(&self) -> &crate::trace::Trace {
        &self.core.trace
    }

    /// Packets still in flight (queued on links or waiting to be emitted).
    pub fn packets_in_flight(&self) -> usize {
        self.core.packets.live()
    }

    /// Schedules every thread's start; call once before [`World::run`].
    pub fn start(&mut self) {
        for (index, thread) in self.threads.iter().enumerate() {
            self.core.schedule(
                thread.start,
                Event::Resume {
                    thread: index as u32,
                },
            );
        }
    }

    /// Adds a thread named `name` on the host named `host`, running
    /// `program` (a closure `FnMut(Option<&Completed>) -> Option<Op>` will
    /// do), and schedules its start at the current simulated time; returns
    /// its index. The host's `slot_named` (e.g.
    /// `world.hosts[0].slot_named("s")`) names its socket variables. Works
    /// before [`World::run`] (after [`World::start`] or
    /// [`scenario::build`](crate::scenario::build), which calls it) and
    /// between runs.
    ///
    /// # Panics
    ///
    /// If no host is named `host`.
    pub fn spawn(&mut self, host: &str, name: &str, program: Box<dyn Program>) -> u32 {
        let by_name = self
            .core
            .topo
            .node_named(host)
            .map(|n| self.core.topo.node(n).kind);
        let Some(NodeKind::Host(host_index)) = by_name else {
            panic!("spawn: no host named {host:?}");
        };
        self.spawn_on(host_index, name, program)
    }

    /// Makes room for `more` threads to be spawned (their records, trace
    /// names and start events) without the lists growing one by one.
    pub fn reserve_threads(&mut self, more: usize) {
        self.threads.reserve(more);
        self.core.trace.names.threads.reserve(more);
        self.core.queue.reserve_now(more);
    }

    /// [`World::spawn`] on `self.hosts[host_index]`, found by index: a program
    /// that already knows its host's index (the storm bench spawns one per
    /// client) needs no name built for the lookup.
    ///
    /// # Panics
    ///
    /// If there is no such host.
    pub fn spawn_on(&mut self, host_index: u32, name: &str, program: Box<dyn Program>) -> u32 {
        assert!(
            (host_index as usize) < self.hosts.len(),
            "spawn_on: no host {host_index}"
        );
        let index = self.threads.len() as u32;
        let start = self.core.now();
        // Performance (issue 18, per-world cost): a name of up to 24 bytes
        // is copied inline, twice, with no allocation (the storm's 16
        // workers and 10 clients at 10 x 1 allocated and freed 52 strings
        // a world).
        let name = crate::trace::Name::from(name);
        self.core.trace.push_thread_name(name.clone());
        self.threads
            .push(Thread::new(name, host_index, start, program));
        self.core.schedule(start, Event::Resume { thread: index });
        index
    }

    /// Runs until no event is left, or a limit is hit.
    pub fn run(&mut self) -> Result<(), LimitError> {
        self.steps.max = self.limits.max_steps; // the library may have changed it
        let (max_time, max_events) = (self.limits.max_time, self.limits.max_events);
        loop {
            let timers = &self.core.timers;
            let work = self.core.work();
            // The earliest live event, unless a limit stops the run first.
            let within = |at: SimTime| at.since(SimTime::ZERO) <= max_time && work < max_events;
            let event = match self.core.queue.pop_if(|e| timers.is_live(e), within) {
                Next::Empty => break,
                Next::Kept(at) if at.since(SimTime::ZERO) > max_time => {
                    return Err(LimitError::Time(SimTime::ZERO + max_time));
                }
                Next::Kept(_) => return Err(LimitError::Events(work)),
                Next::Popped(_, event) => event,
            };
            self.core.events += 1;
            if self.dispatch(event) {
                self.stopped()?;
            }
        }
        Ok(())
    }

    /// The scenario error or spent step budget that stops the run, if a
    /// thread or fault just met one.
    pub(crate) fn stopped(&self) -> Result<(), LimitError> {
        if let Some(message) = &self.run_error {
            return Err(LimitError::Scenario(message.clone()));
        }
        if self.steps.spent {
            return Err(LimitError::Steps(self.steps.taken));
        }
        Ok(())
    }

    /// Runs one event (also from `async_net`'s hooked run loop); true when
    /// it ran a thread or a fault, the only events that reach the world's
    /// `run_error` and step budget ([`World::stopped`]): the others run on
    /// a host's stack and the core alone, which cannot borrow them.
    ///
    /// Performance: inlined into the run loop, where it runs for every
    /// event (~7 instructions of entry and exit each time, 12 events per
    /// connection of the storm). The run loop checks `run_error` and the
    /// steps only after the events that return true (issue 18, callgrind
    /// at 100 x 200: checked after every event they cost ~80 instructions
    /// per connection; `tests/tests/limits.rs` checks a timer's wake-up).
    #[inline(always)]
    pub(crate) fn dispatch(&mut self, event: Event) -> bool {
        match event {
            Event::Arrive { pkt, node, link } => match self.core.topo.kind(node) {
                NodeKind::Host(h) => packet(&mut self.hosts[h as usize], &mut self.core, pkt, link),
                NodeKind::Router => self.core.router_input(node, pkt, link),
                NodeKind::Switch => self.core.switch_input(node, pkt, link),
            },
            Event::Emit { pkt, node } => {
                let arp = match self.core.topo.kind(node) {
                    NodeKind::Host(h) => self.hosts[h as usize].profile.arp_timeout,
                    NodeKind::Router | NodeKind::Switch => crate::engine::core::ROUTER_ARP_TIMEOUT,
                };
                self.core.send_generated(node, pkt, arp);
            }
            Event::Timer { timer } => match self.core.timers.fire(timer) {
                Some(Target::Host { host, key }) => {
                    let conn = crate::stack::ConnId::from_key(key);
                    tcp_timer(&mut self.hosts[host as usize], &mut self.core, conn, timer)
                }
                Some(Target::Thread(thread)) => {
                    self.run_thread(thread);
                    return true;
                }
                None => {}
            },
            Event::TimeWait { host } => time_wait(&mut self.hosts[host as usize], &mut self.core),
            Event::Resume { thread } => {
                self.run_thread(thread);
                return true;
            }
            Event::Fault { index } => {
                self.apply_fault(index);
                return true;
            }
        }
        false
    }

    fn apply_fault(&mut self, index: u32) {
        faults::apply(self, index);
    }

    /// Runs a thread until its call is pending, it sleeps, or it ends.
    ///
    /// Performance: the call under way stays in `Thread::pending` from its
    /// start to its completion and is polled, parked and checked there, by
    /// reference; moving the step (~150 bytes) from function to function
    /// cost several copies per call, each a store-forwarding stall.
    fn run_thread(&mut self, index: u32) {
        // The next step: chosen by the program from the call that just
        // completed (so Rust programs see each result), or its first step.
        let thread = &mut self.threads[index as usize];
        let mut next = if thread.pending.is_some() {
            if self.rewait(index) {
                return;
            }
            match self.alertable_poll(index) {
                Poll::Pending => {
                    self.park(index, false);
                    return;
                }
                Poll::Ready(result) => self.complete(index, result),
            }
        } else {
            let host = &self.hosts[thread.host as usize];
            if self.core.faults.engaged && self.core.faults.crashed(host.node) {
                thread.finished = true; // starts on a crashed host: never runs
            }
            if thread.finished {
                return;
            }
            let now = self.core.now();
            let Ok(next) = thread.program.next_within(None, &mut self.steps) else {
                self.steps.stopped = Some(index); // limits.max_steps: the run loop reports it
                return;
            };
            thread.pending = next.map(|step| Pending {
                step,
                start: now,
                call: None,
            });
            thread.pending.is_some()
        };
        while next {
            if self.core.work() >= self.limits.max_events {
                // Calls count against max_events, so a thread that loops on calls that
                // never wait is stopped too: it yields, and the run loop
                // reports the limit (a run stopped by a limit is over).
                self.threads[index as usize].pending = None;
                self.core
                    .schedule(self.core.now(), Event::Resume { thread: index });
                return;
            }
            self.start_call(index, None);
            match self.poll_pending(index, true) {
                Poll::Ready(result) => next = self.complete(index, result),
                Poll::Pending => {
                    self.park(index, true);
                    return;
                }
            }
        }
        if self.steps.spent {
            return; // limits.max_steps: the run stops, the thread does not end
        }
        self.threads[index as usize].finished = true;
        // CB-X8: the thread's pending overlapped I/O is cancelled.
        let host = &mut self.hosts[self.threads[index as usize].host as usize];
        crate::winsock::overlapped::thread_exit(
            host,
            &mut self.core,
            index,
            crate::winsock::connectex::cancel,
        );
    }

    /// Parks a woken thread again without polling its call when the poll
    /// is certain to leave it waiting with nothing else done
    /// ([`crate::winsock::waits_again`]: a blocking accept whose listener
    /// has no connection ready); returns whether it did. The thread then
    /// joins the end of the socket's waiters, as the poll and
    /// [`World::park`] would have it: no APC waits to run (CB-A1), no
    /// cancelled call waits to fail (WSAEINTR), and the call is not one
    /// of the waits `winsock::notify` parks.
    ///
    /// Performance: every connection that reaches a listener wakes all its
    /// waiters (`stack::sync::wake`); with the storm's 16 workers per
    /// listener, 0.6 per connection at 10 hosts x 1,000 woke in vain, and
    /// this saves ~770 instructions of poll and park on each (callgrind:
    /// 26,611 -> 26,148 per connection). Which waiter takes
    /// the connection and the order the others wait in stay as they were
    /// (`tests/tests/wake_rewait.rs` compares traces with
    /// [`World::poll_every_wake`]). Waking only the first waiter instead
    /// would not be the same run: under `shuffle_ties` the woken threads
    /// run in an order drawn from the seed, so the first waiter is not
    /// always the one that takes the connection (an accept pool's trace
    /// changed at every seed tried), and a waiter left parked is still in
    /// the list when a close, an APC or a second connection comes before
    /// its wake-up would have run.
    #[inline(always)]
    fn rewait(&mut self, index: u32) -> bool {
        let thread = &self.threads[index as usize];
        let Some(pending) = thread.pending.as_ref() else {
            return false;
        };
        if self.poll_every_wake || thread.apc.cancelled || thread.apc.has_queued() {
            return false;
        }
        let host = &mut self.hosts[thread.host as usize];
        let Some(socket) = crate::winsock::waits_again(&self.core, host, &pending.step.op) else {
            return false;
        };
        let waiters = &mut host.socket_mut(socket).waiters;
        if !waiters.contains(&index) {
            waiters.push(index);
        }
        self.rewaits += 1;
        true
    }

    /// Polls the thread's pending call, after running the APCs queued to
    /// the thread if it waits alertably (CB-A1).
    fn alertable_poll(&mut self, index: u32) -> Poll {
        let thread = &mut self.threads[index as usize];
        let alertable = thread
            .pending
            .as_ref()
            .is_some_and(|p| p.step.op.is_alertable());
        if alertable && thread.apc.has_queued() {
            // The APCs run inside the blocking call, which leaves
            // `Thread::pending` while they do and comes back after.
            let outer = thread.pending.take().expect("a pending call");
            self.run_apcs(index, &outer);
            self.threads[index as usize].pending = Some(outer);
            if self.run_error.is_some() {
                return Poll::Pending;
            }
        }
        self.poll_pending(index, false)
    }

    /// Starts a call: counts it (against `limits.max_events`, not as an
    /// engine event: a call that completes at once needs no event of its
    /// own) and traces it. The call is the thread's pending call, or `apc`,
    /// a call made inside an APC; a traced call keeps its text for its
    /// return ([`Pending::call`]).
    ///
    /// Performance: inlined into the run loop; the trace's part, which
    /// formats the call, is a function of its own that an untraced run
    /// never enters ([`World::trace_call`]).
    #[inline(always)]
    pub(crate) fn start_call(&mut self, index: u32, apc: Option<&mut Pending>) {
        self.core.calls += 1; // a call is work: it counts against max_events
        // A call shows what it received, never what an earlier call did.
        self.threads[index as usize].received.clear();
        if self.core.trace.is_on() {
            self.trace_call(index, apc);
        }
    }

    /// Traces the call [`World::start_call`] starts and keeps its text for
    /// its return.
    #[inline(never)]
    fn trace_call(&mut self, index: u32, apc: Option<&mut Pending>) {
        let thread = &mut self.threads[index as usize];
        let host = &self.hosts[thread.host as usize];
        // Invariant: run_thread starts only a pending call.
        let pending = apc.or(thread.pending.as_mut()).expect("a pending call");
        let op = pending.step.op.display(&host.slot_names);
        let call = self.core.trace.text_with(|out| op.write(out));
        let kind = TraceKind::Call {
            thread: index,
            call: call.clone(),
        };
        self.core.trace.record(self.core.now(), host.node, kind);
        pending.call = Some(call);
    }

    /// Polls the thread's pending call.
    ///
    /// Performance: the thread is looked up once; only the calls the world
    /// answers itself go through [`World::wsaconnect_poll`]; inlined into
    /// its two callers, every call's first poll and every later one (~9
    /// instructions of entry and exit a poll).
    #[inline(always)]
    fn poll_pending(&mut self, index: u32, first: bool) -> Poll {
        let now = self.core.now();
        let thread = &mut self.threads[index as usize];
        // Invariant: callers poll only a thread with a pending call.
        let pending = thread.pending.as_ref().expect("a pending call");
        match pending.step.op {
            Op::Sleep(d) => {
                return if now >= pending.start + d {
                    Poll::Ready(Ok(Value::None))
                } else {
                    Poll::Pending
                };
            }
            Op::SleepUntil(t) => {
                return if now >= t {
                    Poll::Ready(Ok(Value::None))
                } else {
                    Poll::Pending
                };
            }
            Op::LastError => return Poll::Ready(last_error(thread.last_error)),
            Op::QueueApc { .. }
            | Op::CancelBlockingCall { .. }
            | Op::WsaConnect { spi: true, .. }
            | Op::Ex(_) => return self.poll_in_world(index, first),
            _ if !first && thread.apc.cancelled => return self.poll_in_world(index, first),
            _ => {}
        }
        let host = &mut self.hosts[thread.host as usize];
        winsock_poll(&mut self.core, host, thread, index, first)
    }

    /// [`World::poll_pending`] for a call the world may answer itself
    /// ([`World::wsaconnect_poll`]), or the Winsock layer.
    #[inline(never)]
    fn poll_in_world(&mut self, index: u32, first: bool) -> Poll {
        if let Some(poll) = self.wsaconnect_poll(index, first) {
            return poll;
        }
        let thread = &mut self.threads[index as usize];
        let host = &mut self.hosts[thread.host as usize];
        winsock_poll(&mut self.core, host, thread, index, first)
    }

    /// Parks a thread on its pending call: on its socket for a call, on
    /// the clock for a sleep (once, on its `first` park: a thread resumed
    /// early re-parks without a second timer), on several objects for
    /// select and WSAWaitForMultipleEvents (`winsock::notify::park`).
    fn park(&mut self, index: u32, first: bool) {
        let thread = &mut self.threads[index as usize];
        let Some(pending) = thread.pending.as_ref() else {
            return;
        };
        match pending.step.op {
            Op::Sleep(_) | Op::SleepUntil(_) if !first => {}
            Op::Sleep(d) => self.core.schedule_wait(index, pending.start + d),
            Op::SleepUntil(t) => self.core.schedule_wait(index, t),
            ref op if crate::winsock::notify::is_wait(op) => {
                let host = &mut self.hosts[thread.host as usize];
                crate::winsock::notify::park(&mut self.core, host, index, op, pending.start, first);
            }
            ref op if op.is_alertable() && thread.apc.has_queued() => {
                // CB-A1: an APC is waiting for this alertable wait.
                let now = self.core.now();
                self.core.schedule(now, Event::Resume { thread: index });
            }
            ref op => {
                let host = &mut self.hosts[thread.host as usize];
                let socket = host.slot_socket(op.slot().unwrap_or(u32::MAX));
                if let Ok(socket) = socket {
                    let waiters = &mut host.socket_mut(socket).waiters;
                    if !waiters.contains(&index) {
                        waiters.push(index);
                    }
                }
            }
        }
    }

    /// Checks and records the pending call, now completed, then asks the
    /// thread's program for its next step, given this result, and makes it
    /// the pending call; false when the program is done.
    ///
    /// Performance: inlined into `run_thread`, once per call (~17
    /// instructions of entry and exit a call, six registers saved).
    #[inline(always)]
    fn complete(&mut self, index: u32, result: crate::winsock::CallResult) -> bool {
        self.record_call(index, None, result);
        self.core.timers.cancel_wait(index);
        let now = self.core.now();
        let Thread {
            host,
            program,
            pending: slot,
            received,
            next,
            ..
        } = &mut self.threads[index as usize];
        // Invariant: only a thread with a pending call completes one.
        let pending = slot.as_mut().expect("a pending call");
        let host = &self.hosts[*host as usize];
        let done = completed(&pending.step.op, pending.start, result, received, host, now);
        // Performance: the program writes its next step into the thread's
        // spare one ([`Thread::next`]), which then trades places with the
        // pending one.
        match program.next_into(Some(&done), &mut self.steps, next) {
            Ok(true) => {
                std::mem::swap(&mut pending.step, next);
                pending.start = now;
                true
            }
            Ok(false) => {
                *slot = None;
                false
            }
            Err(StepsSpent) => {
                // limits.max_steps: the thread stops here, the run loop reports it.
                *slot = None;
                self.steps.stopped = Some(index);
                false
            }
        }
    }

    /// Ends a completed call: WSAGetLastError, the waits it leaves, the
    /// count; then checks it against its step, traces and records it when
    /// anything wants that. The call is the thread's pending call, or
    /// `apc`, a call made inside an APC.
    ///
    /// Performance: a call that nobody checks, traces or records (a
    /// benchmark's) ends here, inlined in its caller (`#[inline]` alone
    /// left it a call of its own, ~16 instructions of entry and exit per
    /// call); the checks and the trace are [`World::check_call`].
    #[inline(always)]
    pub(crate) fn record_call(
        &mut self,
        index: u32,
        mut apc: Option<&mut Pending>,
        result: crate::winsock::CallResult,
    ) {
        let thread = &mut self.threads[index as usize];
        // Invariant: only a thread with a pending call completes one.
        let pending = match apc.as_deref_mut() {
            Some(apc) => apc,
            None => thread.pending.as_mut().expect("a pending call"),
        };
        if let Err(e) = result
            && !pending.step.op.is_spi()
        {
            // CB-C1: per thread; an SPI call writes lpErrno instead.
            thread.last_error = e.number();
        }
        let completes = thread.completed.take();
        let host = &mut self.hosts[thread.host as usize];
        crate::winsock::notify::unpark(host, index, &pending.step.op); // CB-N3, CB-N5
        let seq = self.call_count.made;
        self.call_count.made += 1;
        if self.core.trace.is_on() || self.record_calls || pending.step.expect.is_some() {
            let call = Ended {
                result,
                completes,
                seq,
            };
            self.check_call(index, apc, call);
        }
    }

    /// Checks a completed call against its step, traces and records it.
    ///
    /// Performance: the call's text was written by [`World::start_call`]
    /// and its result is formatted once, for the trace and the record
    /// alike; nothing is formatted when neither wants it.
    #[inline(never)]
    fn check_call(&mut self, index: u32, apc: Option<&mut Pending>, ended: Ended) {
        let now = self.core.now();
        let thread = &mut self.threads[index as usize];
        // Invariant: only a thread with a pending call completes one.
        let pending = apc.or(thread.pending.as_mut()).expect("a pending call");
        let Ended {
            result,
            completes,
            seq,
        } = ended;
        let tracing = self.core.trace.is_on();
        let mut call = pending.call.take();
        let pending = &*pending;
        let host = &self.hosts[thread.host as usize];
        let (op, start) = (&pending.step.op, pending.start);
        let done = completed(op, start, result, &thread.received, host, now);
        let failure = check(pending.step.expect(), &done);
        let wanted = self.record_calls || failure.is_some();
        if !tracing && !wanted {
            return;
        }
        let detail = result_text(&done);
        if tracing {
            let op = &pending.step.op;
            let trace = &mut self.core.trace;
            let op = op.display(&host.slot_names);
            let call = call.get_or_insert_with(|| trace.text_with(|out| op.write(out)));
            let r = Returned {
                thread: index,
                call,
                result: &detail,
                start: pending.start,
            };
            self.core.trace.record_return(now, host.node, r);
        }
        let recorded = match self.results_only {
            true => self.results.len(),
            false => self.calls.len(),
        };
        if !wanted || !keep_record(recorded, self.max_recorded_calls, failure.is_some()) {
            self.call_count.unrecorded += u64::from(wanted);
            self.call_count.unrecorded_failures += u64::from(failure.is_some());
            return;
        }
        let result_name = match (result, done.errno) {
            (Ok(_), _) => "OK",
            (Err(_), Some(errno)) => errno.name(),
            (Err(e), None) => e.name(),
        };
        let op_text = || pending.step.op.display(&host.slot_names).to_string();
        let call = match (call, self.results_only) {
            (Some(call), false) => call.to_string(),
            (None, false) => op_text(),
            (call, true) => {
                let call = call.unwrap_or_else(|| op_text().as_str().into());
                let failed = failure.is_some();
                let result = (index, result_name);
                // A failed expectation keeps its full record as well.
                match push_result(&mut self.results, call, result, failed) {
                    Some(call) => call,
                    None => return,
                }
            }
        };
        let expect = pending.step.expect();
        self.calls.push(CallRecord {
            host: host.name.to_string(),
            thread: thread.name.to_string(),
            call,
            result: result_name.to_string(),
            detail: detail.into_owned(),
            start_ns: pending.start.as_nanos(),
            end_ns: now.as_nanos(),
            expected: expect.result.as_ref().map(describe),
            expected_code: expect.result.as_ref().and_then(expected_error),
            completes,
            failure,
            why: None,
            seq,
        });
    }

    /// Threads that never finished: blocked in a call when the run ended.
    pub fn blocked_threads(&self) -> Vec<String> {
        self.threads
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.finished)
            .map(|(index, t)| {
                let host = &self.hosts[t.host as usize];
                match &t.pending {
                    Some(p) => format!(
                        "{}/{} still blocked in {}",
                        host.name,
                        t.name,
                        p.step.op.display(&host.slot_names)
                    ),
                    None if self.steps.stopped == Some(index as u32) => format!(
                        "{}/{} stopped at the step limit (limits.max_steps)",
                        host.name, t.name
                    ),
                    None => format!("{}/{} never ran", host.name, t.name),
                }
            })
            .collect()
    }
}

/// How a call ended, for [`World::check_call`].
struct Ended {
    result: crate::winsock::CallResult,
    /// The overlapped operation whose outcome it read ([`Thread::completed`]).
    completes: Option<simsock_model::scenario::ExtensionFunction>,
    /// Its place among the run's calls ([`CallRecord::seq`]).
    seq: u64,
}

/// Polls `thread`'s pending call in the Winsock layer.
#[inline]
fn winsock_poll(
    core: &mut Core,
    host: &mut Host,
    thread: &mut Thread,
    index: u32,
    first: bool,
) -> Poll {
    let (mut cx, op) = call_cx(core, host, thread, index, first);
    poll(&mut cx, op)
}

/// The context of `thread`'s pending call in the Winsock layer, and the
/// call.
pub(crate) fn call_cx<'a>(
    core: &'a mut Core,
    host: &'a mut Host,
    thread: &'a mut Thread,
    index: u32,
    first: bool,
) -> (CallCx<'a>, &'a Op) {
    // Invariant: callers poll only a thread with a pending call.
    let pending = thread.pending.as_ref().expect("a pending call");
    let cx = CallCx {
        core,
        host,
        progress: &mut thread.progress,
        received: &mut thread.received,
        completed: &mut thread.completed,
        first,
        start: pending.start,
        thread: index,
    };
    (cx, &pending.step.op)
}

/// A call, `op` made at `start`, that completed at `end`, as its program
/// and its expectation see it (errno names on a Linux host).
fn completed<'a>(
    op: &'a Op,
    start: SimTime,
    result: crate::winsock::CallResult,
    received: &'a [u8],
    host: &'a Host,
    end: SimTime,
) -> Completed<'a> {
    Completed {
        op,
        result,
        // Performance: a success shows no errno; only a failure asks.
        errno: match result {
            Ok(_) => None,
            Err(_) => crate::winsock::errno::shown(host, op, &result),
        },
        received,
        start,
        end,
        names: &host.slot_names,
    }
}

/// WSAGetLastError as a result: the code as an error, so a step can expect
/// `Err(WSAECONNREFUSED)`; `Ok` when no call has failed yet.
pub(crate) fn last_error(code: u32) -> crate::winsock::CallResult {
    match WsaError::ALL.iter().find(|e| e.number() == code) {
        Some(e) => Err(*e),
        None => Ok(Value::Number(code)),
    }
}

/// Pushes the [`ResultRecord`] of a call of thread `index` (`call`, its
/// text, returned `result`), and gives its text as a string when the call
/// `failed` its expectation (for its full [`CallRecord`]).
fn push_result(
    results: &mut Vec<ResultRecord>,
    call: crate::trace::Text,
    (index, result): (u32, &'static str),
    failed: bool,
) -> Option<String> {
    let text = failed.then(|| call.to_string());
    results.push(ResultRecord {
        thread: index,
        call,
        result,
    });
    text
}

/// Whether a run that holds `recorded` records keeps one more: the first
/// `max` calls, then only failed expectations, up to
/// [`MAX_RECORDED_FAILURES`] of them.
fn keep_record(recorded: usize, max: usize, failed: bool) -> bool {
    if recorded < max {
        return true;
    }
    failed && recorded < max.saturating_add(MAX_RECORDED_FAILURES)
}
