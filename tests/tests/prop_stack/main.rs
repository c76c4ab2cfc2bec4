//! Property tests of the stack (issue 15, item 5): random calls on both
//! ends of TCP connections (connect, sends of random sizes, recvs,
//! shutdowns, closes, in random orders at random times) over a link with
//! random loss, duplication, reordering, jitter, partitions and link
//! failures. After every run:
//!
//! - what one side read is a prefix of what the other wrote (in order, no
//!   byte twice), and all of it once a recv returned the end of the stream:
//!   each byte exactly once when the application closes gracefully, reading
//!   to the end before it closes (RFC 9293 §1; see `checks::streams` for
//!   why a graceful close of both TCP ends alone is not enough);
//! - no socket, connection, TCB, TIME_WAIT record, port hold, listener or
//!   packet is left once the threads end and TIME_WAIT expires;
//! - every TIME_WAIT lasts exactly the host's `tcp_timed_wait_delay` from
//!   its start or its last restart by a retransmitted FIN (CB-T2, RFC 9293
//!   §3.10.7.4);
//! - nothing panics, and the same seed gives the same digest.
//!
//! A case may process [`scenario::CASE_MAX_EVENTS`] events: one that does
//! not end by then fails (a livelock), and is shrunk in seconds.
//!
//! `cargo test --release -p simsock-tests --test prop_stack` runs
//! [`CI_CASES`] cases from a fixed seed; `PROPTEST_CASES=100000` runs more
//! and `PROP_SEED=N` other ones; `PROP_STACK_LOG=N` writes out every case
//! of `N` events or more (see `log_if_slow`). A failing case is shrunk and
//! written as a scenario file whose path the failure names (`simsock run
//! PATH` replays it).

mod case;
mod checks;
mod observe;
mod replay;
mod scenario;

use std::cell::RefCell;
use std::path::PathBuf;

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use simsock_model::scenario::{Scenario, Step};

/// Cases in the normal test run (a few seconds in release on one core).
const CI_CASES: u32 = 2_000;
/// Shrinking stops after this many steps (each one runs a case twice).
const MAX_SHRINK_ITERS: u32 = 4_000;

/// A property that failed, after shrinking.
#[derive(Debug)]
struct Failure {
    why: String,
    scenario: Scenario,
    digest: String,
    /// The scenario file written for it, or why it could not be.
    file: Result<PathBuf, String>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "a property of the stack failed (shrunk case):\n{}",
            self.why
        )?;
        match &self.file {
            Ok(path) => write!(
                f,
                "the case is written to {0}\nreplay: simsock run {0} (digest {1})",
                path.display(),
                self.digest
            ),
            Err(e) => write!(f, "the case could not be written: {e}"),
        }
    }
}

fn seed() -> u64 {
    std::env::var("PROP_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15)
}

fn runner(cases: u32, max_shrink_iters: u32) -> TestRunner {
    let config = Config {
        cases,
        max_shrink_iters,
        failure_persistence: None,
        ..Config::default()
    };
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed().to_le_bytes());
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// Runs `property` on the scenarios of `cases` random cases; on a failure,
/// shrinks it and writes the smallest failing scenario to a file named
/// `name`.
fn check_cases(
    mut runner: TestRunner,
    cases: impl Strategy<Value = case::Case>,
    name: &str,
    property: impl Fn(&Scenario) -> Result<(), String>,
) -> Result<(), Box<Failure>> {
    let result = runner.run(&cases, |case| {
        property(&scenario::scenario(&case)).map_err(TestCaseError::fail)
    });
    let (why, case) = match result {
        Ok(()) => return Ok(()),
        Err(TestError::Fail(why, case)) => (why.to_string(), case),
        Err(TestError::Abort(why)) => panic!("proptest gave up: {why}"),
    };
    let scenario = scenario::scenario(&case);
    let digest = observe::execute(&scenario).report.digest;
    let file = replay::write(&scenario, &why, &digest, name);
    Err(Box::new(Failure {
        why,
        scenario,
        digest,
        file,
    }))
}

/// How much the cases exercised, so the test cannot pass on cases that
/// do nothing.
#[derive(Debug, Default)]
struct Coverage {
    cases: u64,
    /// Directions of a connection read to their end, with data.
    whole_streams: u64,
    bytes_read: u64,
    time_waits: u64,
    duplicated: u64,
    lost: u64,
    resets: u64,
}

impl Coverage {
    fn add(&mut self, run: &observe::Run) {
        self.cases += 1;
        for (client, acceptor) in checks::connections(&run.logs) {
            for (from, to) in [(client, acceptor), (acceptor, client)] {
                self.whole_streams += u64::from(to.eof && !from.written.is_empty());
                self.bytes_read += to.read.len() as u64;
            }
        }
        let lines = run.report.trace_lines();
        let count = |needle: &str| lines.iter().filter(|l| l.contains(needle)).count() as u64;
        self.time_waits += count("TIME_WAIT ended");
        self.duplicated += count("(duplicate)");
        self.lost += count("(lost)");
        self.resets += count("[RST");
    }
}

/// `PROP_STACK_LOG=N`: every case whose run processes at least `N` events
/// is named on stderr (with `--nocapture`: its events, simulated end, wall
/// time and limit, if it hit one) and written to
/// `target/tmp/prop_stack/slow-<events>.ron`, so the slowest cases of a
/// long run can be found and replayed.
fn log_if_slow(scenario: &Scenario, run: &observe::Run, wall: std::time::Duration) {
    let threshold: Option<u64> = std::env::var("PROP_STACK_LOG")
        .ok()
        .and_then(|n| n.parse().ok());
    let report = &run.report;
    if threshold.is_none_or(|n| report.events < n) {
        return;
    }
    let name = format!("slow-{}", report.events);
    let why = format!("a slow case: {} events", report.events);
    let file = match replay::write(scenario, &why, &report.digest, &name) {
        Ok(path) => path.display().to_string(),
        Err(e) => e,
    };
    let limit = match &report.limit {
        Some(limit) => format!("; {limit}"),
        None => String::new(),
    };
    eprintln!(
        "prop_stack: {} events to {} (simulated), {} ms wall{limit}: {file}",
        report.events,
        report.end,
        wall.as_millis(),
    );
}

/// Every property of the module documentation, on one scenario; counts
/// what it exercised into `coverage`.
#[allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "the wall time of a slow case is reported (PROP_STACK_LOG), never simulated"
)]
fn stack_properties(scenario: &Scenario, coverage: &RefCell<Coverage>) -> Result<(), String> {
    let started = std::time::Instant::now();
    let first = observe::execute(scenario);
    log_if_slow(scenario, &first, started.elapsed());
    coverage.borrow_mut().add(&first);
    let mut broken = checks::all(scenario, &first);
    if !broken.is_empty() {
        // Already failed: a second run would only slow the shrinking.
        return Err(broken.join("\n"));
    }
    let again = observe::execute(scenario).report.digest;
    if again != first.report.digest {
        broken.push(format!(
            "the same seed gave two digests: {} and {again}",
            first.report.digest
        ));
    }
    match broken.is_empty() {
        true => Ok(()),
        false => Err(broken.join("\n")),
    }
}

#[test]
fn the_stack_keeps_its_promises_under_random_calls_and_faults() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(CI_CASES);
    let coverage = RefCell::default();
    let result = check_cases(
        runner(cases, MAX_SHRINK_ITERS),
        case::case(),
        &format!("failing-seed-{}", seed()),
        |s| stack_properties(s, &coverage),
    );
    if let Err(failure) = result {
        panic!("{failure}");
    }
    let c = coverage.into_inner();
    println!("prop_stack seed {}: {c:#?}", seed());
    // Most cases move data to the end of a stream, and the faults and
    // closes are there: lost, duplicated and reset segments, TIME_WAITs.
    let cases = u64::from(cases);
    assert!(c.whole_streams >= cases / 2, "{c:#?}");
    assert!(c.time_waits >= cases / 2, "{c:#?}");
    assert!(
        c.lost >= cases && c.duplicated >= cases / 10 && c.resets >= cases / 10,
        "{c:#?}"
    );
}

/// The writer: a property that fails on purpose (no side may read more
/// than 100 bytes) is shrunk, and the case is written as a scenario file
/// that loads, runs with the digest the failure names, and still breaks
/// the property.
#[test]
fn a_failing_case_is_shrunk_into_a_scenario_file_that_replays() {
    let over_100 = |scenario: &Scenario| {
        let run = observe::execute(scenario);
        match run.logs.iter().find(|l| l.read.len() > 100) {
            Some(l) => Err(format!(
                "{}/{} read {} bytes",
                l.host,
                l.thread,
                l.read.len()
            )),
            None => Ok(()),
        }
    };
    let failure = check_cases(runner(500, 500), case::case(), "deliberate", over_100)
        .expect_err("some case reads more than 100 bytes");
    let path = failure.file.as_ref().unwrap_or_else(|e| panic!("{e}"));
    assert!(failure.to_string().contains(&path.display().to_string()));
    let text = std::fs::read_to_string(path).expect("the file is there");
    let loaded = simsock_sim::scenario::load(&text).expect("the file loads");
    assert_eq!(loaded.threads, failure.scenario.threads);
    let replayed = observe::execute(&loaded);
    assert_eq!(replayed.report.digest, failure.digest);
    assert!(over_100(&loaded).is_err(), "the replay fails the same way");
    // Shrunk: no fault, and one send of 101 bytes, the least that breaks
    // the property.
    assert!(loaded.faults.is_empty(), "{text}");
    let sends: Vec<usize> = loaded
        .threads
        .iter()
        .flat_map(|t| &t.steps)
        .filter_map(|s| match s {
            Step::Send { data: Some(d), .. } => Some(d.len()),
            _ => None,
        })
        .collect();
    assert_eq!(sends, [101], "{text}");
}
