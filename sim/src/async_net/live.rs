//! A started async simulation: the tokio runtime, its clock and the
//! driver that moves the engine between tokio's timers, one step at a time.
//!
//! Time: one current-thread tokio runtime, started paused, runs every
//! host's tasks and the driver. When every task waits, tokio moves its
//! paused clock to the next timer, the driver's included; the driver
//! sleeps until the engine's next event, so neither time nor CPU is spent
//! on idle simulated time. A socket call first brings the engine up to
//! tokio's now (simulated time = tokio's clock since the run began); a
//! call that makes an earlier event wakes the driver to sleep less.
//! Tokio's timer wheel counts whole milliseconds, so a task woken by the
//! network runs at the next whole millisecond after the event that woke
//! it; the network's own events keep their exact nanoseconds.
//!
//! Steps: the runtime and its `LocalSet` outlive each `block_on`, so the
//! driver runs one wake at a time ([`Live::advance`]) and the test's own
//! code (faults, assertions) runs between two, at a standing clock.

use std::cell::{Cell, RefCell};
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;

use simsock_model::scenario::Scenario;
use simsock_model::{SimDuration, SimTime};
use tokio::task::{AbortHandle, LocalSet};

use super::context::{Ctx, HostEvent, Shared, in_host, install, next_tick, paused_now, with};
use crate::world::World;

pub(crate) type HostFuture = Pin<Box<dyn Future<Output = Result<(), String>>>>;
pub(crate) type Factory = Rc<dyn Fn() -> HostFuture>;
/// The hosts' factories and the clients, by host index.
pub(crate) type Code = (Vec<(u32, Factory)>, Vec<(u32, HostFuture)>);

/// Where a step left the simulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Progress {
    /// Clients still run (or events are left, with no client).
    Running,
    /// Every client has ended (with no client: no event is left).
    Done,
    /// A limit stopped the run.
    Stopped,
}

/// One life of a host's code.
struct Running {
    abort: AbortHandle,
}

/// Each client's result, `None` while it runs.
type Results = Rc<RefCell<Vec<(u32, Option<Result<(), String>>)>>>;

/// Records "killed" for a client dropped before it ended.
struct ClientGuard {
    results: Results,
    index: usize,
}

impl Drop for ClientGuard {
    fn drop(&mut self) {
        let mut results = self.results.borrow_mut();
        let entry = &mut results[self.index].1;
        if entry.is_none() {
            *entry = Some(Err("the client's host crashed before it ended".to_string()));
        }
        drop(results);
        super::context::try_with(|| with(|s| s.wake_driver()));
    }
}

/// The driver's state between steps.
struct Driver {
    /// The code of each host's first life, until the first step starts it.
    first: Option<Vec<Vec<HostFuture>>>,
    hosts: Vec<(u32, Factory)>,
    running: Vec<Option<Running>>,
    results: Results,
    failures: Rc<RefCell<Vec<String>>>,
    /// By host: tasks its code started with `tokio::spawn` in this life.
    spawned: Rc<Vec<Cell<usize>>>,
    any_clients: bool,
    max_time: SimDuration,
}

/// A simulation between two steps.
pub(crate) struct Live {
    rt: tokio::runtime::Runtime,
    local: LocalSet,
    ctx: Rc<Ctx>,
    driver: Driver,
}

/// What [`Live::finish`] hands back.
pub(crate) struct Finished {
    /// Each client's end, then one `u32::MAX` entry per failed host
    /// future or limit.
    pub results: Vec<(u32, Result<(), String>)>,
    pub stopped: SimTime,
    pub world: World,
}

impl Live {
    /// Builds the runtime (paused) and the shared state; the hosts' code
    /// starts with the first step.
    ///
    /// # Panics
    ///
    /// If the tokio runtime cannot be built.
    pub fn start(world: World, scenario: Scenario, (hosts, clients): Code) -> Live {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .event_interval(u32::MAX)
            .build()
            .expect("a current-thread tokio runtime");
        let max_time = world.limits.max_time;
        let host_count = world.hosts.len();
        let origin = {
            let _entered = rt.enter();
            paused_now()
        };
        let ctx = Rc::new(Ctx {
            shared: RefCell::new(Shared::new(world, scenario, origin)),
            closes: RefCell::new(Vec::new()),
        });
        let results: Results = Rc::new(RefCell::new(
            clients.iter().map(|(h, _)| (*h, None)).collect(),
        ));
        let mut first: Vec<Vec<HostFuture>> = (0..host_count).map(|_| Vec::new()).collect();
        for (host, factory) in &hosts {
            first[*host as usize].push(factory());
        }
        let any_clients = !clients.is_empty();
        for (index, (host, future)) in clients.into_iter().enumerate() {
            let guard = ClientGuard {
                results: results.clone(),
                index,
            };
            first[host as usize].push(Box::pin(async move {
                let result = future.await;
                guard.results.borrow_mut()[guard.index].1 = Some(result);
                Ok(())
            }));
        }
        let mut running = Vec::new();
        running.resize_with(host_count, || None);
        Live {
            rt,
            local: LocalSet::new(),
            ctx,
            driver: Driver {
                first: Some(first),
                hosts,
                running,
                results,
                failures: Rc::default(),
                spawned: Rc::new((0..host_count).map(|_| Cell::new(0)).collect()),
                any_clients,
                max_time,
            },
        }
    }

    /// Runs one step: the tasks runnable now, then up to the driver's next
    /// wake (the engine's next event, a client's end, a call that made an
    /// earlier event), never past `until`.
    pub fn advance(&mut self, until: Option<SimTime>) -> Progress {
        let _installed = install(self.ctx.clone());
        let Live {
            rt, local, driver, ..
        } = self;
        rt.block_on(local.run_until(driver.step(until)))
    }

    /// Simulated time now.
    pub fn now(&self) -> SimTime {
        let _entered = self.rt.enter();
        self.ctx.shared.borrow().now()
    }

    /// Runs `f` with the simulation installed and tokio's clock readable,
    /// between two steps (a fault called by the test).
    pub fn between<R>(&mut self, f: impl FnOnce() -> R) -> R {
        let _installed = install(self.ctx.clone());
        let _entered = self.rt.enter();
        f()
    }

    /// The first failure so far: a client's `Err`, a host future's, or a
    /// limit (host `u32::MAX`).
    pub fn failure(&self) -> Option<(u32, String)> {
        let results = self.driver.results.borrow();
        let client = results.iter().find_map(|(h, r)| match r {
            Some(Err(e)) => Some((*h, e.clone())),
            _ => None,
        });
        let host = || {
            let failures = self.driver.failures.borrow();
            let failure = failures.first()?;
            Some((u32::MAX, format!("a host's code failed: {failure}")))
        };
        let limit = || {
            let limit = self.ctx.shared.borrow().limit.clone()?;
            Some((u32::MAX, format!("the run stopped: {limit}")))
        };
        client.or_else(host).or_else(limit)
    }

    /// Stops now: clients still running fail, the hosts' tasks end (and
    /// close their sockets), and the world comes back.
    ///
    /// # Panics
    ///
    /// If a socket handle still holds the simulation's state (none can:
    /// the runtime, and every task with it, is gone).
    pub fn finish(self) -> Finished {
        let Live {
            rt,
            local,
            ctx,
            mut driver,
        } = self;
        let installed = install(ctx.clone());
        let stopped = rt.block_on(local.run_until(driver.stop()));
        drop(local);
        drop(rt);
        drop(installed);
        let shared = match Rc::try_unwrap(ctx) {
            Ok(ctx) => ctx.shared.into_inner(),
            Err(_) => panic!("simsock: the simulation's state is still shared after the run"),
        };
        let mut results: Vec<(u32, Result<(), String>)> = driver
            .results
            .borrow()
            .iter()
            .map(|(h, r)| (*h, r.clone().expect("stop() ended every client")))
            .collect();
        for failure in driver.failures.borrow().iter() {
            results.push((u32::MAX, Err(format!("a host's code failed: {failure}"))));
        }
        if let Some(limit) = shared.limit.clone() {
            results.push((u32::MAX, Err(format!("the run stopped: {limit}"))));
        }
        Finished {
            results,
            stopped,
            world: shared.world,
        }
    }
}

/// Starts a life of host `host`: a fresh set of tasks running `futures`
/// with the host as their context. A task its code starts with
/// `tokio::spawn` lands on the runtime, outside the set: the runtime's
/// count of live tasks (which counts no `LocalSet` task) grows while the
/// set is polled, and `spawned` counts it for the host.
fn start(host: u32, futures: Vec<HostFuture>, driver: &Driver) -> Running {
    let set = LocalSet::new();
    for future in futures {
        let failures = driver.failures.clone();
        set.spawn_local(async move {
            if let Err(e) = future.await {
                failures.borrow_mut().push(e);
            }
        });
    }
    let mut set = Box::pin(set);
    let spawned = driver.spawned.clone();
    let metrics = tokio::runtime::Handle::current().metrics();
    let task = tokio::task::spawn_local(poll_fn(move |cx| {
        let before = metrics.num_alive_tasks();
        let polled = in_host(host, || set.as_mut().poll(cx));
        let after = metrics.num_alive_tasks();
        if after > before {
            let count = &spawned[host as usize];
            count.set(count.get() + (after - before));
        }
        polled
    }));
    Running {
        abort: task.abort_handle(),
    }
}

impl Driver {
    /// Ends a host's tasks on a crash; starts them again on a restart.
    fn restart_or_stop(&mut self, event: HostEvent) {
        let (HostEvent::Crash(host) | HostEvent::Restart(host)) = event;
        if let Some(run) = self.running[host as usize].take() {
            run.abort.abort();
        }
        if let HostEvent::Crash(host) = event {
            self.check_spawned(host);
        }
        if let HostEvent::Restart(host) = event {
            let futures: Vec<HostFuture> = self
                .hosts
                .iter()
                .filter(|(h, _)| *h == host)
                .map(|(_, f)| f())
                .collect();
            self.running[host as usize] = Some(start(host, futures, self));
        }
    }

    /// A crash of `host` cannot end the tasks its code started with
    /// `tokio::spawn`: they run on the runtime, which has no notion of
    /// hosts (README, "Testing your own code": one runtime, and why). If
    /// the host started some and the runtime still runs any, the run fails
    /// saying so, rather than going on with code of a dead host.
    fn check_spawned(&mut self, host: u32) {
        let spawned = self.spawned[host as usize].replace(0);
        let alive = tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks();
        if spawned == 0 || alive == 0 {
            return;
        }
        let (name, now) = with(|s| (s.world.hosts[host as usize].name.clone(), s.now()));
        self.failures.borrow_mut().push(format!(
            "simsock: host `{name}` crashed at {now} while tasks started with tokio::spawn were \
             alive ({spawned} started by its code, {alive} alive in all): such a task runs on \
             the simulation's runtime, not on the host, and cannot die with it; start the \
             host's tasks with tokio::task::spawn_local"
        ));
    }

    /// One wake of the driver (see [`Live::advance`]).
    async fn step(&mut self, until: Option<SimTime>) -> Progress {
        if let Some(first) = self.first.take() {
            for (host, futures) in first.into_iter().enumerate() {
                if !futures.is_empty() {
                    self.running[host] = Some(start(host as u32, futures, self));
                }
            }
        }
        let (events, next, stop) = with(|s| {
            s.sync();
            let events = std::mem::take(&mut s.host_events);
            let next = s.world.core.queue.next_time_bound();
            (events, next, s.limit.is_some())
        });
        for event in events {
            self.restart_or_stop(event);
        }
        let clients_done = self.results.borrow().iter().all(|(_, r)| r.is_some());
        let now = with(|s| s.now());
        if stop {
            return Progress::Stopped;
        }
        if (self.any_clients && clients_done) || (!self.any_clients && next.is_none()) {
            return Progress::Done;
        }
        if until.is_some_and(|u| now >= u) {
            return Progress::Running;
        }
        // The driver sleeps until the engine's next event (a bound: a
        // cancelled timer may come first, and then it sleeps again), at
        // least to the next whole millisecond, tokio's resolution; a user's
        // timer that is due earlier fires first (tokio's paused clock jumps
        // to it), and a call it makes brings the engine up to that time.
        // With no event pending, tokio jumps straight to the next timer.
        let limit = SimTime::ZERO + self.max_time;
        let deadline = match next {
            None => limit + SimDuration::from_nanos(1),
            Some(next) => next_tick(now).max(next),
        };
        let deadline = until.map_or(deadline, |u| deadline.min(u));
        sleep_until(deadline).await;
        Progress::Running
    }

    /// Marks clients still running as failed and ends every host's tasks
    /// (their sockets close while the simulation is installed); returns the
    /// time it stopped.
    async fn stop(&mut self) -> SimTime {
        let stopped = with(|s| {
            s.sync();
            s.now()
        });
        for (_, result) in self.results.borrow_mut().iter_mut() {
            if result.is_none() {
                *result = Some(Err(format!("the client was still running at {stopped}")));
            }
        }
        for run in self.running.iter_mut().filter_map(Option::take) {
            run.abort.abort();
        }
        tokio::task::yield_now().await;
        stopped
    }
}

/// Sleeps until simulated time `deadline`, or until a call makes an
/// earlier event (it clears `Shared::deadline` and wakes the driver).
async fn sleep_until(deadline: SimTime) {
    let (origin, now) = with(|s| {
        s.deadline = Some(deadline);
        (s.origin, s.now())
    });
    if deadline <= now {
        return;
    }
    let at = origin + std::time::Duration::from_nanos(deadline.as_nanos());
    let mut sleep = Box::pin(tokio::time::sleep_until(at));
    poll_fn(|cx| {
        let shortened = with(|s| {
            if s.deadline.is_none() {
                return true;
            }
            s.driver = Some(cx.waker().clone());
            false
        });
        if shortened {
            return Poll::Ready(());
        }
        sleep.as_mut().poll(cx)
    })
    .await
}
