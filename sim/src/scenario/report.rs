//! Running a scenario to a report: its calls, whether every expectation
//! held, and the trace digest.

use simsock_model::SimTime;
use simsock_model::scenario::Scenario;

use super::build::{RunOptions, build};
use crate::trace::{Names, TraceEvent};
use crate::why::{self, HostFacts};
use crate::world::{CallRecord, LimitError, World};

/// The outcome of one run.
#[derive(Clone, Debug)]
pub struct Report {
    pub scenario: String,
    pub seed: u64,
    /// Every expectation held, every thread finished, no limit was hit.
    pub passed: bool,
    /// SHA-256 of the canonical trace text.
    pub digest: String,
    pub calls: Vec<CallRecord>,
    /// Expectations that failed and threads that never finished.
    pub failures: Vec<String>,
    pub limit: Option<LimitError>,
    pub events: u64,
    pub end: SimTime,
    /// The trace events and their canonical text lines.
    pub trace: Vec<TraceEvent>,
    /// The names of the trace's nodes, links and threads, by index.
    pub names: Names,
    pub trace_lines: Vec<String>,
}

/// Builds and runs a checked scenario.
pub fn run(s: &Scenario, opts: &RunOptions) -> Report {
    finish(s, build(s, opts))
}

/// Runs a built world (perhaps with threads spawned in Rust) to its report.
pub fn finish(s: &Scenario, mut world: World) -> Report {
    let limit = world.run().err();
    let mut failures: Vec<String> = world
        .calls
        .iter()
        .filter_map(|c| {
            c.failure
                .as_ref()
                .map(|f| format!("{}/{}: {}: {f}", c.host, c.thread, c.call))
        })
        .collect();
    failures.extend(world.blocked_threads());
    failures.extend(world.unrun_apcs()); // feature: wsaconnect
    failures.extend(crate::invariants::check(&world));
    let trace = world.core.trace.events().to_vec();
    let facts: Vec<HostFacts> = world
        .hosts
        .iter()
        .map(|h| HostFacts {
            node: h.node,
            ephemeral_ports: h.profile.ephemeral_ports,
        })
        .collect();
    let names = world.core.trace.names.clone();
    let mut calls = world.calls;
    // Empty unless the trace was kept in full: then each failed call gets
    // its causal chain.
    why::annotate(&trace, &names, &facts, &mut calls);
    let trace_lines = trace
        .iter()
        .map(|e| world.core.trace.canonical(e))
        .collect();
    Report {
        scenario: s.name.clone(),
        seed: world.seed,
        passed: failures.is_empty() && limit.is_none(),
        digest: world.core.trace.digest(),
        calls,
        failures,
        limit,
        events: world.core.events,
        end: world.core.now(),
        trace,
        trace_lines,
        names,
    }
}
