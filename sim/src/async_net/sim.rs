//! The harness for async code: a scenario's topology, hosts whose code is
//! a future (re-made after each restart), clients whose `Err` fails the
//! run, and the driver that moves the engine between tokio's timers.
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

use std::cell::RefCell;
use std::fmt::Display;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;

use simsock_model::SimTime;
use simsock_model::scenario::Scenario;
use tokio::task::{AbortHandle, LocalSet};

use super::context::{Ctx, HostEvent, Shared, in_host, install, next_tick, with};
use crate::scenario::{Report, ScenarioError};

type HostFuture = Pin<Box<dyn Future<Output = Result<(), String>>>>;
type Factory = Rc<dyn Fn() -> HostFuture>;
/// The hosts' factories and the clients, by host index.
type Code = (Vec<(u32, Factory)>, Vec<(u32, HostFuture)>);

/// A simulation whose hosts run async Rust code.
pub struct Sim {
    scenario: Scenario,
    record_calls: bool,
    /// `run_until`'s time.
    until: Option<SimTime>,
    inner: crate::harness::Sim,
    hosts: Vec<(String, Factory)>,
    clients: Vec<(String, HostFuture)>,
}

/// How a client ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientResult {
    /// The host the client ran on (`""` for a host future or a limit).
    pub host: String,
    /// `Err`: the client's error, or why it never finished.
    pub result: Result<(), String>,
}

fn boxed<F, E>(future: F) -> HostFuture
where
    F: Future<Output = Result<(), E>> + 'static,
    E: Display,
{
    let mut future = Box::pin(future);
    // A panic in the user's code (a failed assert) ends its future with
    // the panic's message, rather than silently with the task.
    Box::pin(poll_fn(move |cx| {
        let polled =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| future.as_mut().poll(cx)));
        match polled {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(result)) => Poll::Ready(result.map_err(|e| e.to_string())),
            Err(panic) => Poll::Ready(Err(format!("panicked: {}", panic_text(&panic)))),
        }
    }))
}

/// A panic's message, if it has one.
fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(text) = panic.downcast_ref::<String>() {
        return text.clone();
    }
    panic
        .downcast_ref::<&str>()
        .map_or_else(|| "(no message)".to_string(), |t| (*t).to_string())
}

impl Sim {
    /// A scenario built in code (`simsock_model::builder::ScenarioBuilder`).
    pub fn new(scenario: Scenario) -> Result<Sim, ScenarioError> {
        let inner = crate::harness::Sim::new(scenario.clone())?;
        Ok(Sim {
            scenario,
            record_calls: true,
            until: None,
            inner,
            hosts: Vec::new(),
            clients: Vec::new(),
        })
    }

    /// A scenario from RON text (its threads run beside the async hosts).
    pub fn from_ron(text: &str) -> Result<Sim, ScenarioError> {
        Sim::new(crate::scenario::load(text)?)
    }

    /// Runs with this seed instead of the scenario's.
    pub fn seed(mut self, seed: u64) -> Sim {
        self.inner = self.inner.seed(seed);
        self
    }

    /// How much trace to keep (default: all of it; benchmarks turn it off).
    pub fn trace(mut self, mode: crate::trace::TraceMode) -> Sim {
        self.inner = self.inner.trace(mode);
        self
    }

    /// Whether to keep a record of each call (default yes; benchmarks turn
    /// it off with the trace: then a call formats nothing).
    pub fn record_calls(mut self, on: bool) -> Sim {
        self.record_calls = on;
        self
    }

    /// Registers host `name`'s code: `factory` makes its future at the
    /// start and again after each restart of the host. An `Err` it returns
    /// fails the run.
    pub fn host<F, Fut, E>(&mut self, name: &str, factory: F) -> &mut Sim
    where
        F: Fn() -> Fut + 'static,
        Fut: Future<Output = Result<(), E>> + 'static,
        E: Display,
    {
        let factory: Factory = Rc::new(move || boxed(factory()));
        self.hosts.push((name.to_string(), factory));
        self
    }

    /// Registers a client on host `name`: it runs once; the run ends when
    /// every client has ended, and fails if one returned `Err` (or its host
    /// crashed under it).
    pub fn client<Fut, E>(&mut self, name: &str, future: Fut) -> &mut Sim
    where
        Fut: Future<Output = Result<(), E>> + 'static,
        E: Display,
    {
        self.clients.push((name.to_string(), boxed(future)));
        self
    }

    /// [`Sim::run`], stopping at simulated time `at` at the latest; a
    /// client still running then ends the run with an `Err` that says so.
    pub fn run_until(mut self, at: std::time::Duration) -> Outcome {
        self.until = Some(SimTime::from_nanos(at.as_nanos() as u64));
        self.run()
    }

    /// Runs until every client has ended (with no client: until the
    /// engine has no event left), or a limit.
    ///
    /// # Panics
    ///
    /// If a registered name is no host of the scenario, or the tokio
    /// runtime cannot be built.
    pub fn run(self) -> Outcome {
        let seed = self.inner.seed_used();
        let scenario = self.scenario;
        let mut world = self.inner.world();
        world.record_calls = self.record_calls;
        let index = |name: &str| {
            world
                .hosts
                .iter()
                .position(|h| h.name == name)
                .unwrap_or_else(|| panic!("async_net::Sim: the scenario has no host `{name}`"))
                as u32
        };
        let hosts: Vec<(u32, Factory)> = self
            .hosts
            .into_iter()
            .map(|(n, f)| (index(&n), f))
            .collect();
        let clients: Vec<(u32, HostFuture)> = self
            .clients
            .into_iter()
            .map(|(n, f)| (index(&n), f))
            .collect();
        let names: Vec<String> = world.hosts.iter().map(|h| h.name.clone()).collect();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .event_interval(u32::MAX)
            .build()
            .expect("a current-thread tokio runtime");
        let local = LocalSet::new();
        let slot: Rc<RefCell<Option<World>>> = Rc::new(RefCell::new(Some(world)));
        let until = self.until;
        let (results, stopped) = rt.block_on(local.run_until(drive(
            slot.clone(),
            scenario.clone(),
            (hosts, clients),
            until,
        )));
        drop(local);
        drop(rt);
        let world = slot.borrow_mut().take().expect("the world comes back");
        let report = crate::scenario::finish(&scenario, world);
        let clients = results
            .into_iter()
            .map(|(host, result)| ClientResult {
                host: names.get(host as usize).cloned().unwrap_or_default(),
                result,
            })
            .collect();
        Outcome {
            report,
            clients,
            seed,
            elapsed: std::time::Duration::from_nanos(stopped.as_nanos()),
        }
    }
}

use crate::world::World;

/// One life of a host's code.
struct Running {
    abort: Option<AbortHandle>,
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

/// Starts a life of host `host`: a fresh set of tasks running `futures`
/// with the host as their context.
fn start(host: u32, futures: Vec<HostFuture>, failures: &Rc<RefCell<Vec<String>>>) -> Running {
    let set = LocalSet::new();
    for future in futures {
        let failures = failures.clone();
        set.spawn_local(async move {
            if let Err(e) = future.await {
                failures.borrow_mut().push(e);
            }
        });
    }
    let mut set = Box::pin(set);
    let task = tokio::task::spawn_local(poll_fn(move |cx| in_host(host, || set.as_mut().poll(cx))));
    Running {
        abort: Some(task.abort_handle()),
    }
}

/// Ends a host's tasks on a crash; starts them again on a restart.
fn restart_or_stop(
    event: HostEvent,
    hosts: &[(u32, Factory)],
    running: &mut [Option<Running>],
    failures: &Rc<RefCell<Vec<String>>>,
) {
    let (HostEvent::Crash(host) | HostEvent::Restart(host)) = event;
    if let Some(run) = running[host as usize].take() {
        run.abort.into_iter().for_each(|a| a.abort());
    }
    if let HostEvent::Restart(host) = event {
        let futures: Vec<HostFuture> = hosts
            .iter()
            .filter(|(h, _)| *h == host)
            .map(|(_, f)| f())
            .collect();
        running[host as usize] = Some(start(host, futures, failures));
    }
}

async fn drive(
    slot: Rc<RefCell<Option<World>>>,
    scenario: Scenario,
    (hosts, clients): Code,
    until: Option<SimTime>,
) -> (Vec<(u32, Result<(), String>)>, SimTime) {
    let world = slot.borrow_mut().take().expect("a world to run");
    let ctx = Rc::new(Ctx {
        shared: RefCell::new(Shared::new(world, scenario, super::context::paused_now())),
        closes: RefCell::new(Vec::new()),
    });
    let installed = install(ctx.clone());
    let failures: Rc<RefCell<Vec<String>>> = Rc::default();
    let results: Results = Rc::new(RefCell::new(
        clients.iter().map(|(h, _)| (*h, None)).collect(),
    ));
    let mut running: Vec<Option<Running>> = Vec::new();
    running.resize_with(ctx.shared.borrow().hosts.len(), || None);
    // Each host's first life: its code and its clients.
    let mut first: Vec<Vec<HostFuture>> = (0..running.len()).map(|_| Vec::new()).collect();
    for (host, factory) in &hosts {
        first[*host as usize].push(factory());
    }
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
    for (host, futures) in first.into_iter().enumerate() {
        if !futures.is_empty() {
            running[host] = Some(start(host as u32, futures, &failures));
        }
    }
    let max_time = ctx.shared.borrow().world.limits.max_time;
    let any_clients = !results.borrow().is_empty();
    loop {
        let (events, next, stop) = with(|s| {
            s.sync();
            let events = std::mem::take(&mut s.host_events);
            (
                events,
                s.world.core.queue.next_time_bound(),
                s.limit.is_some(),
            )
        });
        let idle = next.is_none();
        for event in events {
            restart_or_stop(event, &hosts, &mut running, &failures);
        }
        let clients_done = results.borrow().iter().all(|(_, r)| r.is_some());
        let now = with(|s| s.now());
        if stop
            || (any_clients && clients_done)
            || (!any_clients && idle)
            || until.is_some_and(|u| now >= u)
        {
            break;
        }
        // The driver sleeps until the engine's next event (a bound: a
        // cancelled timer may come first, and then it sleeps again), at
        // least to the next whole millisecond, tokio's resolution; a user's
        // timer that is due earlier fires first (tokio's paused clock jumps
        // to it), and a call it makes brings the engine up to that time.
        // With no event pending, tokio jumps straight to the next timer.
        let limit = SimTime::ZERO + max_time;
        let deadline = match next {
            None => limit + simsock_model::SimDuration::from_nanos(1),
            Some(next) => next_tick(now).max(next),
        };
        let deadline = until.map_or(deadline, |u| deadline.min(u));
        sleep_until(deadline).await;
    }
    let stopped = with(|s| s.now());
    for (_, result) in results.borrow_mut().iter_mut().filter(|(_, r)| r.is_none()) {
        *result = Some(Err(format!("the client was still running at {stopped}")));
    }
    // The hosts' tasks end here, with the sockets they hold.
    for run in running.iter_mut().filter_map(Option::take) {
        run.abort.into_iter().for_each(|a| a.abort());
    }
    tokio::task::yield_now().await;
    let failures = failures.borrow().clone();
    let mut out: Vec<(u32, Result<(), String>)> = results
        .borrow()
        .iter()
        .map(|(h, r)| {
            (
                *h,
                r.clone()
                    .unwrap_or_else(|| Err(format!("the client was still running at {stopped}"))),
            )
        })
        .collect();
    for failure in failures {
        out.push((u32::MAX, Err(format!("a host's code failed: {failure}"))));
    }
    drop(installed);
    let shared = match Rc::try_unwrap(ctx) {
        Ok(ctx) => ctx.shared.into_inner(),
        Err(_) => panic!("simsock: the simulation's state is still shared after the run"),
    };
    if let Some(limit) = shared.limit.clone() {
        out.push((u32::MAX, Err(format!("the run stopped: {limit}"))));
    }
    *slot.borrow_mut() = Some(shared.world);
    (out, stopped)
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

/// What an async run did.
#[derive(Debug)]
pub struct Outcome {
    /// The run's report: digest, calls, failures and `why:` lines, as `simsock run` gives.
    pub report: Report,
    /// Each client's end, in registration order; then one entry per
    /// failed host future or limit (host `""`).
    pub clients: Vec<ClientResult>,
    /// The seed the run used (the scenario's, or the one given to `Sim::seed`).
    pub seed: u64,
    /// Simulated time when the async part of the run stopped (the engine
    /// then runs what is left of the scenario for the report).
    pub elapsed: std::time::Duration,
}

impl Outcome {
    /// Every client returned `Ok`, no host's code failed, and the
    /// scenario's own expectations held.
    pub fn passed(&self) -> bool {
        self.report.passed && self.clients.iter().all(|c| c.result.is_ok())
    }

    /// Whether any canonical trace line contains `needle`.
    pub fn trace_contains(&self, needle: &str) -> bool {
        let mut line = String::new();
        self.report.trace.iter().any(|e| {
            line.clear();
            self.report.names.write_event(&mut line, e);
            line.contains(needle)
        })
    }

    /// The trace's digest.
    pub fn digest(&self) -> &str {
        &self.report.digest
    }

    /// Panics unless the run passed: the message names the seed, what
    /// failed, why the last failed call failed, and the trace's last lines.
    #[track_caller]
    pub fn assert_passed(&self) {
        if !self.passed() {
            panic!("{}", super::report::failure_text(self));
        }
    }
}
