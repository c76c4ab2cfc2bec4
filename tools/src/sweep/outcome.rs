//! One seed of a sweep: run the scenario, keep what the summary and the
//! JSON line need (not the report, which holds every call's detail).

use std::io::{self, Write};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use serde::Serialize;
use simsock_model::scenario::Scenario;
use simsock_sim::scenario::{self, Prepared, Report, RunOptions};
use simsock_sim::trace::{Names, Text, TraceMode};

/// What one seed did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedOutcome {
    pub seed: u64,
    pub passed: bool,
    /// The trace digest; empty when the simulator panicked.
    pub digest: String,
    /// Every completed call, thread by thread in the scenario's order, each
    /// thread's calls in the order it made them.
    pub results: Vec<CallResult>,
    /// The first failure (expectation, blocked thread, invariant, limit or
    /// panic), if any.
    pub failure: Option<String>,
    /// Calls past [`TALLIED_CALLS`] that `results` leaves out.
    pub untallied: u64,
}

/// Calls of one seed whose results a sweep keeps and tallies (the first
/// ones): a seed's memory does not grow with its length (README, "Memory").
pub const TALLIED_CALLS: usize = 10_000;

/// One completed call: which thread, which call, and `OK` or the WSA name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallResult {
    /// Index of the thread in the scenario (orders the list).
    pub thread_index: usize,
    /// `host/thread`, shared by every call of the thread on every seed.
    pub thread: Arc<str>,
    /// The call's text, shared with the trace that hashed it.
    pub call: Text,
    /// `OK` or the WSA name.
    pub result: &'static str,
}

/// Runs the seeds of one scenario; what does not change from seed to seed
/// is made once, here.
pub struct Seeds<'s> {
    scenario: &'s Scenario,
    /// `host/thread` of each of the scenario's threads, by thread index.
    threads: Vec<Arc<str>>,
}

impl<'s> Seeds<'s> {
    pub fn new(scenario: &'s Scenario) -> Seeds<'s> {
        let threads = scenario
            .threads
            .iter()
            .map(|t| Arc::from(format!("{}/{}", t.host, t.name)))
            .collect();
        Seeds { scenario, threads }
    }

    /// The scenario's seed-independent build work, for [`Seeds::run`]:
    /// each worker thread makes one and runs many seeds with it.
    pub fn prepare(&self) -> Prepared {
        Prepared::new(self.scenario)
    }

    /// Runs the scenario with `seed`, its world built from `prepared`
    /// ([`Seeds::prepare`]). A panic in the simulator is caught and
    /// becomes a failure of this seed, so the sweep reports it with the
    /// others.
    pub fn run(&self, prepared: &Prepared, seed: u64) -> SeedOutcome {
        let options = RunOptions {
            seed: Some(seed),
            trace: TraceMode::DigestOnly,
            record_calls: true,
            results_only: true,
            max_recorded_calls: TALLIED_CALLS,
            ..RunOptions::default()
        };
        let run = || scenario::run_prepared(self.scenario, prepared, &options);
        match panic::catch_unwind(AssertUnwindSafe(run)) {
            Ok(report) => self.outcome(seed, report),
            Err(payload) => SeedOutcome {
                seed,
                passed: false,
                digest: String::new(),
                results: Vec::new(),
                failure: Some(format!("the simulator panicked: {}", panic_text(&*payload))),
                untallied: 0,
            },
        }
    }

    fn outcome(&self, seed: u64, report: Report) -> SeedOutcome {
        let failure = report
            .failures
            .first()
            .cloned()
            .or_else(|| report.limit.as_ref().map(ToString::to_string));
        let untallied = report.call_count.unrecorded;
        let mut results: Vec<CallResult> = report
            .results
            .into_iter()
            .take(TALLIED_CALLS)
            .map(|c| {
                let (thread_index, thread) = self.thread(c.thread, &report.names);
                CallResult {
                    thread_index,
                    thread,
                    call: c.call,
                    result: c.result,
                }
            })
            .collect();
        // Stable: each thread's calls keep the order in which it made them.
        results.sort_by_key(|r| r.thread_index);
        SeedOutcome {
            seed,
            passed: report.passed,
            digest: report.digest,
            results,
            failure,
            untallied,
        }
    }

    /// The index and label of the world's thread `index`: the scenario's
    /// threads come first, in its order ([`scenario::run_prepared`] builds
    /// them so); a thread spawned in Rust, unknown to the scenario, comes
    /// last, under its name in the trace.
    fn thread(&self, index: u32, names: &Names) -> (usize, Arc<str>) {
        let index = index as usize;
        match self.threads.get(index) {
            Some(label) => (index, Arc::clone(label)),
            None => (usize::MAX, Arc::from(names.thread(index as u32))),
        }
    }
}

/// The message of a caught panic.
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(no message)".to_string()
    }
}

/// One seed's JSON line: shards' lines merge by concatenation.
#[derive(Debug, Serialize)]
struct SeedLine<'a> {
    scenario: &'a str,
    file: &'a str,
    seed: u64,
    passed: bool,
    digest: &'a str,
    /// `{"host/thread": ["OK", "WSAETIMEDOUT", ...], ...}`: each thread's
    /// results in the order it made its calls, threads in scenario order.
    #[serde(serialize_with = "by_thread")]
    results: &'a [CallResult],
    /// Calls past the first [`TALLIED_CALLS`] of the seed, not in `results`.
    calls_untallied: u64,
    failure: Option<&'a str>,
}

fn by_thread<S: serde::Serializer>(results: &&[CallResult], s: S) -> Result<S::Ok, S::Error> {
    let threads = results.chunk_by(|a, b| a.thread_index == b.thread_index);
    s.collect_map(threads.map(|calls| {
        let results: Vec<&str> = calls.iter().map(|c| c.result).collect();
        (&*calls[0].thread, results)
    }))
}

/// Writes `outcome` as one line of JSON.
pub fn write_json(
    out: &mut dyn Write,
    scenario: &str,
    file: &str,
    outcome: &SeedOutcome,
) -> io::Result<()> {
    let line = SeedLine {
        scenario,
        file,
        seed: outcome.seed,
        passed: outcome.passed,
        digest: &outcome.digest,
        results: &outcome.results,
        calls_untallied: outcome.untallied,
        failure: outcome.failure.as_deref(),
    };
    serde_json::to_writer(&mut *out, &line)?;
    writeln!(out)
}
