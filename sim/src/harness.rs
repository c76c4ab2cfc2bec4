//! The library's front door for tests: load or build a scenario, pick a
//! seed, add threads written in Rust, run, and assert. A failing run's panic
//! message names the seed and how to replay it.
//!
//! ```
//! use simsock_sim::Sim;
//!
//! let outcome = Sim::from_ron(r#"Scenario(
//!     name: "refused",
//!     hosts: [Host(name: "client", addrs: ["10.0.0.1/24"]),
//!             Host(name: "server", addrs: ["10.0.0.2/24"])],
//!     links: [Link(between: ("client", "server"), latency: "1ms")],
//!     threads: [Thread(host: "client", name: "main", steps: [
//!         Socket(name: "s"),
//!         Connect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAECONNREFUSED)),
//!     ])],
//! )"#)
//! .unwrap()
//! .seed(7)
//! .run();
//! outcome.assert_passed();
//! assert_eq!(outcome.result("client", "main", "connect"), Some("WSAECONNREFUSED"));
//! ```

use simsock_model::scenario::Scenario;

use crate::scenario::{Report, RunOptions, ScenarioError, build, check, parse};
use crate::thread::Program;
use crate::trace::TraceMode;
use crate::world::{CallRecord, World};

/// Where a scenario came from, for the replay advice.
#[derive(Clone, Debug)]
enum Origin {
    /// A file the user can pass to `simsock run`.
    File(String),
    /// RON text or a value built in code.
    Code,
}

/// Makes a Rust thread's program once its host exists.
type MakeProgram = Box<dyn FnOnce(&mut Sockets<'_>) -> Box<dyn Program>>;

/// A thread written in Rust, added to the scenario's own.
struct RustThread {
    host: String,
    name: String,
    make: MakeProgram,
}

/// Names socket variables for a Rust thread: the slots its `Op`s use.
/// Names are shared with the host's scripted threads, as in a scenario.
pub struct Sockets<'a> {
    host: &'a mut crate::winsock::Host,
}

impl Sockets<'_> {
    /// The slot of the socket variable `name` on this host.
    pub fn named(&mut self, name: &str) -> crate::winsock::Slot {
        self.host.slot_named(name)
    }
}

/// A checked scenario ready to run, with its seed and any Rust threads.
pub struct Sim {
    scenario: Scenario,
    origin: Origin,
    options: RunOptions,
    threads: Vec<RustThread>,
}

impl Sim {
    /// A scenario built in code (see `simsock_model::builder`), checked.
    pub fn new(scenario: Scenario) -> Result<Sim, ScenarioError> {
        check(&scenario, "")?;
        Ok(Sim::checked(scenario, Origin::Code))
    }

    /// A scenario from RON text, parsed and checked.
    pub fn from_ron(text: &str) -> Result<Sim, ScenarioError> {
        let scenario = crate::scenario::load(text)?;
        Ok(Sim::checked(scenario, Origin::Code))
    }

    /// A scenario file's text; `path` is named in the replay command.
    pub fn from_file_text(path: &str, text: &str) -> Result<Sim, ScenarioError> {
        let scenario = parse(text)?;
        check(&scenario, text)?;
        Ok(Sim::checked(scenario, Origin::File(path.to_string())))
    }

    fn checked(scenario: Scenario, origin: Origin) -> Sim {
        Sim {
            scenario,
            origin,
            options: RunOptions::default(),
            threads: Vec::new(),
        }
    }

    /// Runs with this seed instead of the scenario's.
    pub fn seed(mut self, seed: u64) -> Sim {
        self.options.seed = Some(seed);
        self
    }

    /// How much trace to keep (default: all of it).
    pub fn trace(mut self, mode: TraceMode) -> Sim {
        self.options.trace = mode;
        self
    }

    /// Whether the run checks its invariants (default yes;
    /// `RunOptions::invariants`: they hash every byte, so benchmarks turn
    /// them off).
    pub fn invariants(mut self, on: bool) -> Sim {
        self.options.invariants = on;
        self
    }

    /// Adds a thread on `host` whose calls a Rust program chooses, one at a
    /// time from the last result (a closure
    /// `FnMut(Option<&Completed>) -> Option<Op>` will do). `make` receives
    /// the host's [`Sockets`] to name the slots its calls use.
    ///
    /// ```
    /// use simsock_model::builder::ScenarioBuilder;
    /// use simsock_model::scenario::{Family, Kind};
    /// use simsock_sim::winsock::Op;
    /// use simsock_sim::Sim;
    ///
    /// let scenario = ScenarioBuilder::new("one-call")
    ///     .host("client", &["10.0.0.1/24"])
    ///     .host("server", &["10.0.0.2/24"])
    ///     .link("client", "server", "1ms")
    ///     .build();
    /// let outcome = Sim::new(scenario).unwrap()
    ///     .thread("client", "rust", |sockets| {
    ///         let s = sockets.named("s");
    ///         let mut ops = vec![
    ///             Op::Connect { slot: s, to: "10.0.0.2:80".parse().unwrap(), namelen: None },
    ///             Op::Socket { slot: s, family: Family::Inet, kind: Kind::Stream },
    ///         ];
    ///         move |_last: Option<&simsock_sim::thread::Completed<'_>>| ops.pop()
    ///     })
    ///     .run();
    /// assert_eq!(outcome.result("client", "rust", "connect"), Some("WSAECONNREFUSED"));
    /// ```
    pub fn thread<P, F>(mut self, host: &str, name: &str, make: F) -> Sim
    where
        P: Program + 'static,
        F: FnOnce(&mut Sockets<'_>) -> P + 'static,
    {
        let make: MakeProgram = Box::new(move |sockets| Box::new(make(sockets)));
        self.threads.push(RustThread {
            host: host.into(),
            name: name.into(),
            make,
        });
        self
    }

    /// The seed the run will use.
    pub fn seed_used(&self) -> u64 {
        self.options.seed.unwrap_or(self.scenario.seed)
    }

    /// Builds the world without running it, for tests that drive the engine
    /// themselves; Rust threads are spawned.
    ///
    /// # Panics
    ///
    /// If a Rust thread names a host the scenario lacks (a mistake in the
    /// test's code, which the scenario check cannot see).
    pub fn world(self) -> World {
        let mut world = build(&self.scenario, &self.options);
        for t in self.threads {
            let Some(host) = world.hosts.iter_mut().find(|h| *h.name == *t.host) else {
                panic!(
                    "Sim::thread `{}`: the scenario has no host `{}`",
                    t.name, t.host
                );
            };
            let program = (t.make)(&mut Sockets { host });
            world.spawn(&t.host, &t.name, program);
        }
        world
    }

    /// Runs to the end (or a limit) and returns the outcome.
    pub fn run(self) -> Outcome {
        let replay = self.replay_advice();
        let scenario = self.scenario.clone();
        let report = crate::scenario::finish(&scenario, self.world());
        Outcome { report, replay }
    }

    fn replay_advice(&self) -> String {
        let seed = self.seed_used();
        if !self.threads.is_empty() {
            return format!(
                "run the test again: it used seed {seed} and Rust threads (Sim::seed({seed}))"
            );
        }
        match &self.origin {
            Origin::File(path) => format!("simsock run {path} --seed {seed}"),
            Origin::Code => {
                let text = ron::ser::to_string_pretty(
                    &self.scenario,
                    ron::ser::PrettyConfig::default().struct_names(true),
                )
                .unwrap_or_else(|e| format!("(the scenario could not be written as RON: {e})"));
                format!(
                    "save this scenario as failing.ron and run `simsock run failing.ron --seed {seed}`:\n{text}"
                )
            }
        }
    }
}

/// What a run did, with assertions that explain themselves.
#[derive(Debug)]
pub struct Outcome {
    /// The run's report: calls, failures, the trace and its digest.
    pub report: Report,
    replay: String,
}

impl Outcome {
    /// Every expectation held, every thread finished, no limit was hit.
    pub fn passed(&self) -> bool {
        self.report.passed
    }

    /// Panics unless the run passed; the message lists what failed, the seed
    /// and the exact way to replay the run.
    #[track_caller]
    pub fn assert_passed(&self) {
        if self.report.passed {
            return;
        }
        let mut why: Vec<String> = self.report.failures.clone();
        if let Some(limit) = &self.report.limit {
            why.push(limit.to_string());
        }
        panic!(
            "simsock: scenario `{}` failed with seed {}:\n  {}\nreplay: {}",
            self.report.scenario,
            self.report.seed,
            why.join("\n  "),
            self.replay
        );
    }

    /// The calls of one thread, in order.
    pub fn calls<'a>(
        &'a self,
        host: &'a str,
        thread: &'a str,
    ) -> impl Iterator<Item = &'a CallRecord> + 'a {
        self.report
            .calls
            .iter()
            .filter(move |c| c.host == host && c.thread == thread)
    }

    /// The result ("OK" or a WSA name) of the first call of a thread whose
    /// text starts with `call` (e.g. "connect").
    pub fn result(&self, host: &str, thread: &str, call: &str) -> Option<&str> {
        self.report
            .calls
            .iter()
            .find(|c| c.host == host && c.thread == thread && c.call.starts_with(call))
            .map(|c| c.result.as_str())
    }

    /// Whether any canonical trace line contains `needle`.
    pub fn trace_contains(&self, needle: &str) -> bool {
        self.report.trace_contains(needle)
    }
}
