//! Running a scenario to a report: its calls, whether every expectation
//! held, and the trace digest.

use simsock_model::SimTime;
use simsock_model::scenario::Scenario;

use super::build::{Prepared, RunOptions, build};
use crate::trace::{Names, TraceEvent};
use crate::why::{self, HostFacts};
use crate::world::{CallCount, CallRecord, LimitError, ResultRecord, World};

/// The outcome of one run.
#[derive(Clone, Debug)]
pub struct Report {
    /// The scenario's `name`.
    pub scenario: String,
    /// The seed the run used (the scenario's, or [`RunOptions::seed`]).
    pub seed: u64,
    /// Every expectation held, every thread finished, no limit was hit.
    pub passed: bool,
    /// SHA-256 of the canonical trace text.
    pub digest: String,
    /// The records of the first calls (all of them in a run of up to
    /// `RunOptions::max_recorded_calls`), plus later failed expectations.
    /// With `RunOptions::results_only`, only the calls whose expectation
    /// failed (each is in `results` too).
    pub calls: Vec<CallRecord>,
    /// With `RunOptions::results_only`, what `calls` would hold, each
    /// call's thread, text and result only; empty otherwise.
    pub results: Vec<ResultRecord>,
    /// How many calls were made and how many are not in `calls`.
    pub call_count: CallCount,
    /// Expectations that failed and threads that never finished.
    pub failures: Vec<String>,
    /// The limit that stopped the run early (`limits.max_events`,
    /// `max_time`, `max_steps`), if one did.
    pub limit: Option<LimitError>,
    /// Engine events processed (dead timer events not counted; calls are
    /// not events: they are in [`Report::call_count`]).
    pub events: u64,
    /// The simulated time the run stopped at: that of its last event, or,
    /// when `limits.max_events` or `max_time` stopped it, that of the first
    /// live event it did not process.
    pub end: SimTime,
    /// The trace events kept (with `TraceMode::Full`: the first
    /// `RunOptions::max_kept_events`); their text is [`Report::trace_lines`].
    pub trace: Vec<TraceEvent>,
    /// Trace events digested but not kept in `trace`.
    pub trace_unkept: u64,
    /// The names of the trace's nodes, links and threads, by index.
    pub names: Names,
}

impl Report {
    /// The canonical text of each kept trace event (the lines the digest
    /// hashes), made on demand: the report keeps the events only.
    pub fn trace_lines(&self) -> Vec<String> {
        self.trace.iter().map(|e| self.trace_line(e)).collect()
    }

    /// Whether any kept canonical trace line contains `needle`.
    pub fn trace_contains(&self, needle: &str) -> bool {
        let mut line = String::new();
        self.trace.iter().any(|e| {
            line.clear();
            self.names.write_event(&mut line, e);
            line.contains(needle)
        })
    }

    /// The canonical text of one event, without the newline.
    pub fn trace_line(&self, event: &TraceEvent) -> String {
        let mut line = String::new();
        self.names.write_event(&mut line, event);
        line
    }
}

/// Builds and runs a checked scenario.
pub fn run(s: &Scenario, opts: &RunOptions) -> Report {
    finish(s, build(s, opts))
}

/// Builds the world of `s` from `prepared` (made from `s`) and runs it:
/// [`run`]'s report, without redoing the seed-independent build work.
///
/// The world goes back to `prepared`, which makes the next seed's world
/// from it in place ([`Prepared::world`]).
pub fn run_prepared(s: &Scenario, prepared: &Prepared, opts: &RunOptions) -> Report {
    let mut world = prepared.world(s, opts);
    let report = run_to_report(s, &mut world);
    prepared.keep(world);
    report
}

/// Runs a built world (perhaps with threads spawned in Rust) to its report.
pub fn finish(s: &Scenario, mut world: World) -> Report {
    run_to_report(s, &mut world)
}

/// [`finish`], leaving the world (its report's parts taken out) to the
/// caller: a world is large, and each move of it is a copy.
fn run_to_report(s: &Scenario, world: &mut World) -> Report {
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
    if world.call_count.unrecorded_failures > 0 {
        failures.push(format!(
            "{} more calls failed their expectation (only the first {} failures are recorded)",
            world.call_count.unrecorded_failures,
            crate::world::MAX_RECORDED_FAILURES
        ));
    }
    failures.extend(world.blocked_threads());
    failures.extend(world.unrun_apcs()); // feature: wsaconnect
    failures.extend(crate::invariants::check(world));
    let trace = world.core.trace.take_events();
    world.core.trace.hash_lines(); // through the prefix memo: sweeps
    // The world ends here: the report takes the names rather than a copy.
    let names = std::mem::take(&mut world.core.trace.names);
    let mut calls = std::mem::take(&mut world.calls);
    annotate(world, &trace, &names, &mut calls);
    Report {
        scenario: s.name.clone(),
        seed: world.seed,
        passed: failures.is_empty() && limit.is_none(),
        digest: world.core.trace.digest(),
        calls,
        results: std::mem::take(&mut world.results),
        call_count: world.call_count,
        failures,
        limit,
        events: world.core.events,
        end: world.core.now(),
        trace,
        trace_unkept: world.core.trace.unkept(),
        names,
    }
}

/// Gives each failed call of `calls` its causal chain when the trace was
/// kept (`events`); nothing to do otherwise ([`why::annotate`]), and then
/// the hosts' facts are not even gathered (a sweep's seeds: issue 18,
/// item 5).
fn annotate(world: &World, events: &[TraceEvent], names: &Names, calls: &mut [CallRecord]) {
    if events.is_empty() || calls.is_empty() {
        return;
    }
    let facts: Vec<HostFacts> = world
        .hosts
        .iter()
        .map(|h| HostFacts {
            node: h.node,
            ephemeral_ports: h.profile.ephemeral_ports,
            bind_rules: h.profile.bind_rules,
        })
        .collect();
    why::annotate(events, names, &facts, calls);
}
