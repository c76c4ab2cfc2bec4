//! What an async run did, and the checks a test makes on it.

use crate::scenario::Report;

/// How a client ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientResult {
    /// The host the client ran on (`""` for a host future or a limit).
    pub host: String,
    /// `Err`: the client's error, or why it never finished.
    pub result: Result<(), String>,
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
    /// The scenario's nodes (hosts, routers, switches), for the views of
    /// the trace (`simsock_tools::trace::OutcomeViews`).
    pub nodes: Vec<crate::net::topology::Node>,
    /// The scenario's links, as declared (a fault's changes are in the trace).
    pub links: Vec<crate::net::Link>,
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
        self.report.trace_contains(needle)
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
