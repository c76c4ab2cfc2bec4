//! A seeded mutation fuzzer for the scenario loader and checker (issue 15,
//! item 6): the bundled scenarios under `scenarios/`, mutated (byte flips,
//! token splices between two scenarios, edge-value numbers and units,
//! repeated or dropped lines), go through `load` (RON parse and semantic
//! check) and the error's text and location; a scenario that passes runs
//! with at most [`MAX_EVENTS`] events. A panic anywhere fails the test and
//! the input is written under `target/tmp/fuzz_loader/`.
//!
//! The normal run makes [`CI_EXECS`] executions from a fixed seed;
//! `FUZZ_EXECS=1000000 FUZZ_SEED=N cargo test --release -p simsock-tests
//! --test fuzz_loader -- --nocapture` makes more and prints what it saw.
//! Execution `i` of seed `s` is always the same input.
//!
//! (cargo-fuzz needs a nightly compiler's sanitizer flags; this fuzzer runs
//! on stable, in the normal test run.)

mod mutate;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use mutate::Rng;
use simsock_model::scenario::{Scenario, Step};
use simsock_sim::scenario::{RunOptions, load, run};
use simsock_tests::scenario_files;

/// Executions in the normal test run (about two seconds in release).
const CI_EXECS: u64 = 20_000;
/// Events one run of an accepted input may take.
const MAX_EVENTS: u64 = 20_000;
/// Steps of a scenario's threads once every `Repeat` is unrolled (an empty
/// body counts one per round): inputs above are checked but not run, since
/// steps that take no simulated time count against no run limit (issue 15,
/// item 1, fixed separately).
const MAX_UNROLLED_STEPS: u64 = 200_000;

/// What the executions did.
#[derive(Debug, Default)]
struct Stats {
    execs: u64,
    rejected: u64,
    accepted: u64,
    ran: u64,
    hit_a_limit: u64,
    too_big_to_run: u64,
    /// Errors whose span is out of the text or splits a character.
    bad_spans: u64,
    first_bad_span: Option<String>,
    panics: Vec<String>,
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn unrolled(steps: &[Step]) -> u64 {
    steps
        .iter()
        .map(|s| match s {
            Step::Repeat { times, steps } => u64::from(*times).saturating_mul(1 + unrolled(steps)),
            _ => 1,
        })
        .fold(0, u64::saturating_add)
}

fn scenario_size(s: &Scenario) -> u64 {
    s.threads
        .iter()
        .map(|t| unrolled(&t.steps))
        .fold(0, u64::saturating_add)
}

/// Loads, checks and (when small enough) runs one input.
fn exercise(source: &str, stats: &mut Stats) {
    match load(source) {
        Err(e) => {
            stats.rejected += 1;
            let _ = e.to_string();
            let _ = e.line_col(source);
            let on_chars = |i: usize| i <= source.len() && source.is_char_boundary(i);
            if let Some(span) = e
                .span
                .as_ref()
                .filter(|s| !(on_chars(s.start) && on_chars(s.end)))
            {
                stats.bad_spans += 1;
                stats
                    .first_bad_span
                    .get_or_insert_with(|| format!("{span:?} in {} bytes: {e}", source.len()));
            }
        }
        Ok(mut scenario) => {
            stats.accepted += 1;
            if scenario_size(&scenario) > MAX_UNROLLED_STEPS {
                stats.too_big_to_run += 1;
                return;
            }
            scenario.limits.max_events = scenario.limits.max_events.min(MAX_EVENTS);
            let report = run(&scenario, &RunOptions::default());
            stats.ran += 1;
            stats.hit_a_limit += u64::from(report.limit.is_some());
        }
    }
}

/// The input of execution `exec`: a bundled scenario with 1 to 4
/// mutations.
fn input(seeds: &[String], seed: u64, exec: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed ^ exec.wrapping_mul(0xD134_2543_DE82_EF95));
    let mut text = rng.pick(seeds).clone().into_bytes();
    for _ in 0..1 + rng.below(4) {
        let other = rng.pick(seeds);
        mutate::mutate_once(&mut text, other, &mut rng);
    }
    text
}

fn save(text: &[u8], seed: u64, exec: u64) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz_loader");
    let path = dir.join(format!("panic-seed{seed}-exec{exec}.ron"));
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(&path, text);
    path
}

fn fuzz(seed: u64, execs: u64) -> Stats {
    let seeds: Vec<String> = scenario_files()
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("a bundled scenario"))
        .collect();
    let mut stats = Stats::default();
    for exec in 0..execs {
        let bytes = input(&seeds, seed, exec);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        stats.execs += 1;
        let outcome = catch_unwind(AssertUnwindSafe(|| exercise(&text, &mut stats)));
        if let Err(panic) = outcome {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let path = save(text.as_bytes(), seed, exec);
            stats.panics.push(format!("{}: {why}", path.display()));
        }
    }
    stats
}

#[test]
fn mutated_scenarios_never_panic_the_loader_checker_or_a_run() {
    let (seed, execs) = (env_u64("FUZZ_SEED", 6), env_u64("FUZZ_EXECS", CI_EXECS));
    let stats = fuzz(seed, execs);
    println!("fuzz_loader seed {seed}: {stats:#?}");
    assert!(
        stats.panics.is_empty(),
        "{} of {} inputs panicked:\n{}",
        stats.panics.len(),
        stats.execs,
        stats.panics.join("\n")
    );
    // The mutations reach both sides of the checker and the engine.
    // Issue 15, item 4: an error's span lies on character boundaries, so
    // a library user may slice the source with it.
    assert_eq!(stats.bad_spans, 0, "{stats:#?}");
    assert!(stats.rejected > execs / 10, "{stats:#?}");
    assert!(stats.ran > execs / 20, "{stats:#?}");
}

/// The fuzzer is deterministic: the same seed and execution number give
/// the same input, and mutations change it.
#[test]
fn an_execution_is_named_by_its_seed_and_number() {
    let seeds = vec![std::fs::read_to_string(&scenario_files()[0]).expect("a scenario")];
    assert_eq!(input(&seeds, 1, 7), input(&seeds, 1, 7));
    assert_ne!(input(&seeds, 1, 7), input(&seeds, 1, 8));
    let changed = (0..20).filter(|&i| input(&seeds, 1, i) != seeds[0].as_bytes());
    assert!(changed.count() >= 15);
}
