//! The harness for async code: a scenario's topology, hosts whose code is
//! a future (re-made after each restart), clients whose `Err` fails the
//! run; driven to the end ([`Sim::run`]) or step by step ([`Sim::step`],
//! [`Sim::run_until`]) with faults and checks between steps. The runtime
//! and the driver are in `live.rs`.

use std::fmt::Display;
use std::future::{Future, poll_fn};
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use simsock_model::SimTime;
use simsock_model::scenario::{FaultAction, Scenario};

use super::live::{Factory, HostFuture, Live, Progress};
use super::outcome::{ClientResult, Outcome};
use crate::scenario::ScenarioError;

/// A simulation whose hosts run async Rust code.
pub struct Sim {
    scenario: Scenario,
    record_calls: bool,
    seed: u64,
    /// Until the first step: the engine's builder.
    inner: Option<crate::harness::Sim>,
    hosts: Vec<(String, Factory)>,
    clients: Vec<(String, HostFuture)>,
    /// From the first step on: the running simulation.
    live: Option<Live>,
    names: Vec<String>,
    /// The topology as built, for the outcome's views.
    topology: (Vec<crate::net::topology::Node>, Vec<crate::net::Link>),
}

/// Why [`Sim::step`] or [`Sim::run_until`] cannot go on: a client returned
/// `Err` (or its host crashed under it), a host's code failed, or a limit
/// stopped the run. [`Sim::finish`] gives the whole outcome and its
/// message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("simsock: {host}: {message}")]
pub struct StepError {
    /// The client's host (`"run"` for a host future or a limit).
    pub host: String,
    /// The error.
    pub message: String,
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

const STARTED: &str = "simsock: async_net::Sim: seed, trace, record_calls, host and client \
must be called before the first step";

impl Sim {
    /// A scenario built in code (`simsock_model::builder::ScenarioBuilder`).
    pub fn new(scenario: Scenario) -> Result<Sim, ScenarioError> {
        let inner = crate::harness::Sim::new(scenario.clone())?;
        Ok(Sim {
            seed: inner.seed_used(),
            scenario,
            record_calls: true,
            inner: Some(inner),
            hosts: Vec::new(),
            clients: Vec::new(),
            live: None,
            names: Vec::new(),
            topology: (Vec::new(), Vec::new()),
        })
    }

    /// A scenario from RON text (its threads run beside the async hosts).
    pub fn from_ron(text: &str) -> Result<Sim, ScenarioError> {
        Sim::new(crate::scenario::load(text)?)
    }

    fn unstarted(&mut self) -> &mut Sim {
        assert!(self.live.is_none(), "{STARTED}");
        self
    }

    fn map_inner(mut self, f: impl FnOnce(crate::harness::Sim) -> crate::harness::Sim) -> Sim {
        let inner = self.unstarted().inner.take().expect(STARTED);
        self.inner = Some(f(inner));
        self
    }

    /// Runs with this seed instead of the scenario's.
    ///
    /// # Panics
    ///
    /// After the first step (as do the other builders below).
    pub fn seed(mut self, seed: u64) -> Sim {
        self.seed = seed;
        self.map_inner(|inner| inner.seed(seed))
    }

    /// How much trace to keep (default: all of it; benchmarks turn it off).
    pub fn trace(self, mode: crate::trace::TraceMode) -> Sim {
        self.map_inner(|inner| inner.trace(mode))
    }

    /// Whether the run checks the simulator's invariants (default yes: no
    /// byte lost on a closed connection, no port held without a holder;
    /// they hash every byte, so benchmarks turn them off).
    pub fn invariants(self, on: bool) -> Sim {
        self.map_inner(|inner| inner.invariants(on))
    }

    /// Whether to keep a record of each call (default yes; benchmarks turn
    /// it off with the trace: then a call formats nothing).
    pub fn record_calls(mut self, on: bool) -> Sim {
        self.unstarted().record_calls = on;
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
        self.unstarted().hosts.push((name.to_string(), factory));
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
        self.unstarted()
            .clients
            .push((name.to_string(), boxed(future)));
        self
    }

    /// The running simulation, started on first use: the world is built
    /// and the registered names resolved.
    ///
    /// # Panics
    ///
    /// If a registered name is no host of the scenario, or the tokio
    /// runtime cannot be built.
    fn live(&mut self) -> &mut Live {
        if self.live.is_none() {
            let inner = self.inner.take().expect(STARTED);
            let mut world = inner.world();
            world.record_calls = self.record_calls;
            self.names = world.hosts.iter().map(|h| h.name.to_string()).collect();
            let topo = world.topology();
            self.topology = (topo.nodes.clone(), topo.links.clone());
            let names = &self.names;
            let index =
                |name: &str| {
                    names.iter().position(|h| h == name).unwrap_or_else(|| {
                        panic!("async_net::Sim: the scenario has no host `{name}`")
                    }) as u32
                };
            let hosts = std::mem::take(&mut self.hosts);
            let hosts: Vec<(u32, Factory)> =
                hosts.into_iter().map(|(n, f)| (index(&n), f)).collect();
            let clients = std::mem::take(&mut self.clients);
            let clients: Vec<(u32, HostFuture)> =
                clients.into_iter().map(|(n, f)| (index(&n), f)).collect();
            let scenario = self.scenario.clone();
            self.live = Some(Live::start(world, scenario, (hosts, clients)));
        }
        self.live.as_mut().expect("started above")
    }

    /// Runs one step: the tasks that can run now, then simulated time moves
    /// on until the driver wakes, and the step ends there. The driver wakes
    /// at the engine's next event (the step ends before the tasks that
    /// event wakes run: they run first in the next step), or earlier when
    /// a task's call changes what comes next (a task woken by its own timer
    /// sends a SYN; a client ends), after that task ran. Idle time is one
    /// step. Between two steps the test may call [`Sim::fault`],
    /// [`Sim::elapsed`] and its own checks; the clock stands still.
    ///
    /// `Ok(true)`: every client has ended (with no client: the engine has
    /// no event left), as turmoil's `Sim::step` says. `Err`: a client
    /// returned `Err`, a host's code failed, or a limit stopped the run
    /// (then and on every later step); [`Sim::finish`] gives the outcome.
    ///
    /// # Panics
    ///
    /// As [`Sim::run`].
    pub fn step(&mut self) -> Result<bool, StepError> {
        let progress = self.live().advance(None);
        self.progress(progress)
    }

    fn progress(&self, progress: Progress) -> Result<bool, StepError> {
        let live = self.live.as_ref().expect("started");
        if let Some((host, message)) = live.failure() {
            let host = self.names.get(host as usize).map_or("run", String::as_str);
            return Err(StepError {
                host: host.to_string(),
                message,
            });
        }
        Ok(progress == Progress::Done)
    }

    /// Steps until every client has ended or simulated time reaches `at`
    /// (it then stands exactly at `at`); `Ok(true)` if every client
    /// ended. Errors as [`Sim::step`]'s.
    ///
    /// # Panics
    ///
    /// As [`Sim::run`].
    pub fn run_until(&mut self, at: Duration) -> Result<bool, StepError> {
        let until = SimTime::from_nanos(at.as_nanos() as u64);
        loop {
            let live = self.live();
            let progress = live.advance(Some(until));
            let done = self.progress(progress)?;
            let now = self.live.as_ref().expect("started").now();
            if done || now >= until {
                return Ok(done);
            }
        }
    }

    /// Simulated time since the start (zero before the first step).
    pub fn elapsed(&self) -> Duration {
        self.live
            .as_ref()
            .map_or(Duration::ZERO, |l| Duration::from_nanos(l.now().as_nanos()))
    }

    /// Applies a fault now, between two steps, as [`super::fault`] does
    /// from a host's code: `FaultAction::Partition`, `LinkSet`,
    /// `HostCrash("server".into())`, ... (a crash ends the host's tasks at
    /// the next step).
    ///
    /// # Panics
    ///
    /// As [`Sim::run`].
    pub fn fault(&mut self, action: FaultAction) -> std::io::Result<()> {
        self.live().between(|| super::fault(action))
    }

    /// Runs until every client has ended (with no client: until the
    /// engine has no event left), or a limit; then [`Sim::finish`].
    ///
    /// # Panics
    ///
    /// If a registered name is no host of the scenario, or the tokio
    /// runtime cannot be built.
    pub fn run(mut self) -> Outcome {
        while self.live().advance(None) == Progress::Running {}
        self.finish()
    }

    /// Stops the simulation now and reports: a client still running fails
    /// ("still running at ..."); the engine then runs what is left of the
    /// scenario's own threads for the report.
    ///
    /// # Panics
    ///
    /// As [`Sim::run`].
    pub fn finish(mut self) -> Outcome {
        self.live();
        let live = self.live.take().expect("started above");
        let finished = live.finish();
        let report = crate::scenario::finish(&self.scenario, finished.world);
        let clients = finished
            .results
            .into_iter()
            .map(|(host, result)| ClientResult {
                host: self.names.get(host as usize).cloned().unwrap_or_default(),
                result,
            })
            .collect();
        let (nodes, links) = std::mem::take(&mut self.topology);
        Outcome {
            report,
            clients,
            nodes,
            links,
            seed: self.seed,
            elapsed: Duration::from_nanos(finished.stopped.as_nanos()),
        }
    }
}
