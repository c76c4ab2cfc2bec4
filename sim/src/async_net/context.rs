//! The simulation a task's sockets belong to: the world shared by the
//! driver and every socket handle of one thread, the map from tokio's
//! paused clock to simulated time, and readiness.
//!
//! The world lives in an `Rc<RefCell<..>>` reached through a thread-local
//! set while [`super::Sim::run`] runs; a borrow never crosses an `.await`
//! (every socket call borrows, calls and returns). Wakers are woken after
//! the borrow ends.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::task::Waker;

use simsock_model::SimTime;
use tokio::time::Instant;

use super::drive::Seen;
use crate::world::{LimitError, World};

/// One socket's readiness, as a reactor keeps it (mio's on Windows):
/// ready until a call says WSAEWOULDBLOCK, ready again when the socket
/// changes (its waiter, the proxy thread, is resumed).
#[derive(Debug, Default)]
pub(crate) struct Readiness {
    pub read_ready: bool,
    pub write_ready: bool,
    pub read: Option<Waker>,
    pub write: Option<Waker>,
}

impl Readiness {
    /// A new socket is taken as ready both ways: its first call tells.
    pub fn fresh() -> Readiness {
        Readiness {
            read_ready: true,
            write_ready: true,
            ..Readiness::default()
        }
    }
}

/// Per host: its life (a crash starts a new epoch: older sockets are
/// gone) and the socket variables and proxy threads free for reuse.
#[derive(Debug, Default)]
pub(crate) struct HostCtx {
    pub epoch: u32,
    /// WSAStartup was called in this epoch.
    pub started: bool,
    pub free: Vec<(u32, u32)>,
    pub sockets_made: u32,
}

/// What the driver must do for the harness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HostEvent {
    Crash(u32),
    Restart(u32),
}

/// The world and everything the async layer keeps beside it.
pub(crate) struct Shared {
    pub world: World,
    /// The scenario, to check faults made at run time.
    pub scenario: simsock_model::scenario::Scenario,
    /// Tokio's instant of simulated time zero.
    pub origin: Instant,
    /// The last instant read and its simulated time (the clock is read
    /// many times between two moves).
    last_now: Cell<(Instant, SimTime)>,
    /// By thread index: the proxy threads' readiness (`None`: a scripted
    /// thread).
    pub proxies: Vec<Option<Readiness>>,
    /// The proxy whose `Resume` only moves the clock.
    pub sentinel: u32,
    pub hosts: Vec<HostCtx>,
    seen: Vec<Seen>,
    pub to_wake: Vec<Waker>,
    pub host_events: Vec<HostEvent>,
    pub limit: Option<LimitError>,
    /// The time the driver sleeps until; a call that makes an earlier
    /// event wakes it.
    pub deadline: Option<SimTime>,
    pub driver: Option<Waker>,
    /// The time of the last complete sync, while nothing has happened
    /// since that could have scheduled an event (a call clears it).
    pub synced: Option<SimTime>,
}

impl Shared {
    pub fn new(
        mut world: World,
        scenario: simsock_model::scenario::Scenario,
        origin: Instant,
    ) -> Shared {
        let hosts = (0..world.hosts.len()).map(|_| HostCtx::default()).collect();
        let sentinel = world.add_proxy(0, "clock");
        let mut proxies: Vec<Option<Readiness>> = (0..world.threads.len()).map(|_| None).collect();
        proxies[sentinel as usize] = Some(Readiness::default());
        Shared {
            world,
            scenario,
            origin,
            last_now: Cell::new((origin, SimTime::ZERO)),
            proxies,
            sentinel,
            hosts,
            seen: Vec::new(),
            to_wake: Vec::new(),
            host_events: Vec::new(),
            limit: None,
            deadline: None,
            driver: None,
            synced: None,
        }
    }

    /// Simulated time now: tokio's paused clock since the origin.
    pub fn now(&self) -> SimTime {
        let now = paused_now();
        let (at, time) = self.last_now.get();
        if at == now {
            return time;
        }
        let time = SimTime::from_nanos(now.duration_since(self.origin).as_nanos() as u64);
        self.last_now.set((now, time));
        time
    }

    /// Brings the engine up to tokio's now: every event up to it runs and
    /// the clock stands at it.
    pub fn sync(&mut self) {
        let now = self.now();
        self.sync_at(now);
    }

    /// [`Shared::sync`] to `now`, tokio's now read by the caller.
    pub fn sync_at(&mut self, now: SimTime) {
        if self.limit.is_some() || self.synced == Some(now) {
            return;
        }
        // Performance: the engine already stands at `now` with nothing due
        // by then (most calls schedule only later events): nothing to run.
        let queue = &self.world.core.queue;
        if queue.now() == now && queue.next_time_bound().is_none_or(|t| t > now) {
            self.handle_seen(); // a fault applied outside the run loop
            self.synced = Some(now);
            return;
        }
        let proxies = &self.proxies;
        let is_proxy = |t: u32| proxies.get(t as usize).is_some_and(Option::is_some);
        let sentinel = self.sentinel;
        if let Err(limit) = self.world.run_to(now, sentinel, &is_proxy, &mut self.seen) {
            self.limit = Some(limit);
            self.wake_driver();
        }
        self.handle_seen();
        self.synced = Some(now);
    }

    /// Files what a fault applied outside the run loop did.
    pub fn seen_push(&mut self, seen: Seen) {
        self.seen.push(seen);
    }

    fn handle_seen(&mut self) {
        for seen in std::mem::take(&mut self.seen) {
            match seen {
                Seen::Woken(t) => {
                    if let Some(Some(r)) = self.proxies.get_mut(t as usize) {
                        r.read_ready = true;
                        r.write_ready = true;
                        self.to_wake.extend(r.read.take());
                        self.to_wake.extend(r.write.take());
                    }
                }
                Seen::Crash(host) | Seen::Restart(host) => {
                    let ctx = &mut self.hosts[host as usize];
                    ctx.epoch += 1;
                    ctx.started = false;
                    ctx.free.clear();
                    self.host_events.push(match seen {
                        Seen::Crash(_) => HostEvent::Crash(host),
                        _ => HostEvent::Restart(host),
                    });
                    self.wake_driver();
                }
            }
        }
    }

    /// Wakes the driver if it sleeps past the engine's next event (a call
    /// made an earlier one), or past the next tick when that is later.
    pub fn check_deadline(&mut self) {
        let tick = next_tick(self.world.core.now()); // synced: tokio's now
        let due = self.world.core.queue.next_time_bound().map(|t| t.max(tick));
        if due.is_some_and(|due| self.deadline.is_some_and(|d| d > due)) {
            self.wake_driver();
        }
    }

    pub fn wake_driver(&mut self) {
        self.deadline = None;
        self.to_wake.extend(self.driver.take());
    }

    /// A socket variable and a proxy thread for a new socket on `host`.
    pub fn alloc(&mut self, host: u32) -> (u32, u32) {
        if let Some(pair) = self.hosts[host as usize].free.pop() {
            self.proxies[pair.1 as usize] = Some(Readiness::fresh());
            return pair;
        }
        let ctx = &mut self.hosts[host as usize];
        ctx.sockets_made += 1;
        let name = format!("t{}", ctx.sockets_made);
        let slot = self.world.hosts[host as usize].slot_named(&name);
        let proxy = self.world.add_proxy(host, "tokio");
        self.proxies.resize_with(self.world.threads.len(), || None);
        self.proxies[proxy as usize] = Some(Readiness::fresh());
        (slot, proxy)
    }
}

/// Tokio's clock on the simulation's runtime: simulated time, not the
/// wall clock. `Sim::run` builds that runtime itself, current-thread and
/// started paused (`Builder::start_paused`), so the clock moves only when
/// every task waits, and then exactly to the next timer. The one place
/// `sim/` reads a clock: clippy.toml bans the standard library's clocks,
/// and `sim/tests/clock.rs` fails on any other read of tokio's.
///
/// Performance: while a host's tasks are polled ([`in_host`]) the clock
/// cannot move (the paused clock moves only while the runtime parks), so
/// it is read once per poll of the host's set rather than once per call
/// (tokio's `Instant::now` takes the clock's lock).
pub(crate) fn paused_now() -> Instant {
    if let Some(now) = NOW.with(Cell::get) {
        return now;
    }
    Instant::now()
}

/// Tokio's timer resolution: its wheel counts whole milliseconds.
pub(crate) const TICK_NS: u64 = 1_000_000;

/// The first whole millisecond after `t`: the earliest a user's timer can
/// fire after `t`, so the engine may safely run up to it.
pub(crate) fn next_tick(t: SimTime) -> SimTime {
    SimTime::from_nanos((t.as_nanos() / TICK_NS + 1) * TICK_NS)
}

/// What a thread-local holds while a simulation runs.
pub(crate) struct Ctx {
    pub shared: RefCell<Shared>,
    /// Sockets dropped while the world was borrowed (host, epoch, slot,
    /// proxy): closed at the next call.
    pub closes: RefCell<Vec<[u32; 4]>>,
}

thread_local! {
    static SIM: RefCell<Option<Rc<Ctx>>> = const { RefCell::new(None) };
    static HOST: Cell<Option<u32>> = const { Cell::new(None) };
    /// Tokio's clock, read once while a host's tasks are polled.
    static NOW: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// The message when a socket is used where no simulation runs.
pub(crate) const OUTSIDE: &str = "simsock: an async_net socket was used outside a running \
simulation (async_net::Sim::run), or from another OS thread: simulated hosts run on the \
simulation's own thread only (no OS threads of its own, no tokio multi-thread runtime)";

/// Runs `f` on the shared state, then wakes what it asked to wake.
pub(crate) fn with<R>(f: impl FnOnce(&mut Shared) -> R) -> R {
    let ctx = SIM.with(|s| s.borrow().clone()).expect(OUTSIDE);
    let (result, wake) = {
        let mut shared = ctx.shared.borrow_mut();
        let closes = std::mem::take(&mut *ctx.closes.borrow_mut());
        for [host, epoch, slot, proxy] in closes {
            super::sock::close(&mut shared, host, epoch, slot, proxy);
        }
        let result = f(&mut shared);
        (result, std::mem::take(&mut shared.to_wake))
    };
    for waker in wake {
        waker.wake();
    }
    result
}

/// Runs `f` now if the world is free; otherwise files the close for the
/// next call (a socket dropped inside a call).
pub(crate) fn close_later(close: [u32; 4]) {
    let Some(ctx) = SIM.with(|s| s.borrow().clone()) else {
        return; // the simulation is over
    };
    let free = ctx.shared.try_borrow_mut().is_ok();
    ctx.closes.borrow_mut().push(close);
    if free {
        with(|_| {});
    }
}

/// Installs `ctx` for this thread until the guard drops.
pub(crate) fn install(ctx: Rc<Ctx>) -> Installed {
    SIM.with(|s| *s.borrow_mut() = Some(ctx));
    Installed
}

pub(crate) struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        SIM.with(|s| s.borrow_mut().take());
    }
}

/// The host whose task is being polled, if any.
pub(crate) fn current_host() -> Option<u32> {
    HOST.with(Cell::get)
}

/// Sets the current host while `f` runs (a poll of the host's tasks), and
/// holds tokio's clock, which cannot move meanwhile (see [`paused_now`]).
pub(crate) fn in_host<R>(host: u32, f: impl FnOnce() -> R) -> R {
    let before = HOST.with(|h| h.replace(Some(host)));
    let now = paused_now();
    let held = NOW.with(|n| n.replace(Some(now)));
    let result = f();
    NOW.with(|n| n.set(held));
    HOST.with(|h| h.set(before));
    result
}

/// Runs `f` if a simulation runs here and its world is not borrowed (a
/// drop inside a call skips what it would do).
pub(crate) fn try_with(f: impl FnOnce()) {
    let Some(ctx) = SIM.with(|s| s.borrow().clone()) else {
        return;
    };
    if ctx.shared.try_borrow_mut().is_ok() {
        f();
    }
}

/// Whether a simulation runs on this thread.
pub(crate) fn active() -> bool {
    SIM.with(|s| s.borrow().is_some())
}
