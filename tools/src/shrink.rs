//! `simsock shrink FILE --seed S [--out PATH]`: the smallest scenario found
//! that still fails the same way with seed `S`.
//!
//! Greedy, at the model level: try removing one fault, thread, host (with
//! its links and threads), router (with its links), link or step at a time,
//! latest first; keep a removal when the scenario still passes the check and
//! its run still fails the same way ([`Failure`]); repeat until a whole round
//! removes nothing or [`MAX_RUNS`] runs are spent. The result is written as
//! RON (via a temporary file and a rename), with its seed set to `S`, and is
//! loaded back and run once more before it is written.

use std::fs;
use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use ron::extensions::Extensions;
use ron::ser::PrettyConfig;
use simsock_model::scenario::{Scenario, Step};
use simsock_sim::scenario::{self, RunOptions};
use simsock_sim::trace::TraceMode;
use simsock_sim::world::LimitError;

use crate::cli::ShrinkArgs;
use crate::exit::Exit;
use crate::files;
use crate::sweep::panic_text;

/// At most this many runs per shrink (each candidate that passes the check
/// costs one).
pub const MAX_RUNS: u32 = 2000;

/// How a run failed, in terms that survive removing unrelated parts: the
/// first failing call and what about it failed, else the first other
/// failure with its numbers blanked, else the limit hit, else a panic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    Call {
        host: String,
        thread: String,
        call: String,
        /// `OK` or the WSA name.
        result: String,
        /// What did not hold: `result`, `at` or `took`.
        expectation: &'static str,
    },
    Other(Blanked),
    Limit(&'static str),
    Panic(Blanked),
}

/// A failure's text, compared with its numbers blanked (times and byte
/// counts may change as unrelated parts go) but shown as it was: the
/// blanked form once wrote `#.#.#.#:#` into messages (issue 15, item 4).
#[derive(Clone, Debug)]
pub struct Blanked {
    /// The text with each run of digits replaced by `#`.
    pub key: String,
    /// The text as the run reported it.
    pub text: String,
}

impl Blanked {
    fn new(text: String) -> Self {
        Blanked {
            key: blank_numbers(&text),
            text,
        }
    }
}

impl PartialEq for Blanked {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Blanked {}

/// Runs `s` with `seed`: `None` if it passed, else how it failed.
pub fn failure_of(s: &Scenario, seed: u64) -> Option<Failure> {
    let options = RunOptions {
        seed: Some(seed),
        trace: TraceMode::DigestOnly,
        record_calls: false,
        ..RunOptions::default()
    };
    let report = match panic::catch_unwind(AssertUnwindSafe(|| scenario::run(s, &options))) {
        Ok(report) => report,
        Err(payload) => return Some(Failure::Panic(Blanked::new(panic_text(&*payload)))),
    };
    if report.passed {
        return None;
    }
    if let Some(c) = report.calls.iter().find(|c| c.failure.is_some()) {
        let why = c.failure.as_deref().unwrap_or_default();
        return Some(Failure::Call {
            host: c.host.clone(),
            thread: c.thread.clone(),
            call: c.call.clone(),
            result: c.result.clone(),
            expectation: expectation_kind(why),
        });
    }
    if let Some(first) = report.failures.first() {
        return Some(Failure::Other(Blanked::new(first.clone())));
    }
    Some(Failure::Limit(match report.limit {
        Some(LimitError::Time(_)) => "time",
        // An undefined call (CB-A1) stops the run like a limit (wsaconnect).
        Some(LimitError::Scenario(_)) => "scenario error",
        Some(LimitError::Steps(_)) => "steps",
        _ => "events",
    }))
}

/// Which part of a step's expectation a failure message is about (the
/// messages of `simsock_sim::thread::expect`).
fn expectation_kind(message: &str) -> &'static str {
    if message.starts_with("expected to return at") {
        "at"
    } else if message.starts_with("expected to take") {
        "took"
    } else {
        "result"
    }
}

/// `text` with each run of digits replaced by `#`: times and byte counts
/// may change as unrelated parts go.
fn blank_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if !c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('#') {
            out.push('#');
        }
    }
    out
}

/// Runs the command.
pub fn shrink(args: &ShrinkArgs) -> Exit {
    let Some(file) = files::load(&args.file) else {
        return Exit::Invalid;
    };
    let Some(target) = failure_of(&file.scenario, args.seed) else {
        crate::diagnostics::to_stderr(&format!(
            "error: {} passes with seed {}; there is no failure to shrink",
            file.file, args.seed
        ));
        return Exit::Invalid;
    };
    let mut shrinker = Shrinker {
        seed: args.seed,
        target,
        runs: 1,
    };
    let mut smallest = shrinker.minimise(file.scenario.clone());
    smallest.seed = args.seed;
    smallest.about = format!(
        "Cut down by simsock shrink from {} (seed {}); it fails as the original did: {}.",
        file.file,
        args.seed,
        describe(&shrinker.target)
    );
    let out = args.out.clone().unwrap_or_else(|| shrunk_path(&args.file));
    match write_checked(&smallest, &out, &shrinker) {
        Ok(()) => {
            report(&file.scenario, &smallest, &shrinker, &out);
            Exit::Ok
        }
        Err(why) => {
            crate::diagnostics::to_stderr(&format!("error: cannot write {}: {why}", out.display()));
            Exit::Invalid
        }
    }
}

/// `dir/name.ron` -> `dir/name.shrunk.ron`.
pub fn shrunk_path(file: &Path) -> PathBuf {
    file.with_extension("shrunk.ron")
}

/// The search state: what to keep failing, and the runs spent.
struct Shrinker {
    seed: u64,
    target: Failure,
    runs: u32,
}

/// One removal.
#[derive(Clone, Copy, Debug)]
enum Part {
    Fault,
    Thread,
    Host,
    Router,
    Link,
}

impl Shrinker {
    /// Rounds of removals until one removes nothing or the runs run out.
    fn minimise(&mut self, mut s: Scenario) -> Scenario {
        loop {
            let before = size(&s);
            for part in [
                Part::Fault,
                Part::Thread,
                Part::Host,
                Part::Router,
                Part::Link,
            ] {
                s = self.remove_each(part, s);
            }
            s = self.remove_steps(s);
            if size(&s) == before || self.spent() {
                return s;
            }
        }
    }

    fn spent(&self) -> bool {
        self.runs >= MAX_RUNS
    }

    /// Whether `candidate` is valid and fails as the original did.
    fn still_fails(&mut self, candidate: &Scenario) -> bool {
        if self.spent() || scenario::check(candidate, "").is_err() {
            return false;
        }
        self.runs += 1;
        failure_of(candidate, self.seed).as_ref() == Some(&self.target)
    }

    /// Tries removing each `part`, the last first (so the indices still to
    /// try do not move).
    fn remove_each(&mut self, part: Part, mut s: Scenario) -> Scenario {
        for i in (0..count(&s, part)).rev() {
            let candidate = without(&s, part, i);
            if self.still_fails(&candidate) {
                s = candidate;
            }
        }
        s
    }

    /// Tries removing each step (inside `Repeat`s too), the last first.
    fn remove_steps(&mut self, mut s: Scenario) -> Scenario {
        for t in (0..s.threads.len()).rev() {
            for path in step_paths(&s.threads[t].steps).into_iter().rev() {
                let mut candidate = s.clone();
                remove_step(&mut candidate.threads[t].steps, &path);
                if self.still_fails(&candidate) {
                    s = candidate;
                }
            }
        }
        s
    }
}

fn count(s: &Scenario, part: Part) -> usize {
    match part {
        Part::Fault => s.faults.len(),
        Part::Thread => s.threads.len(),
        Part::Host => s.hosts.len(),
        Part::Router => s.routers.len(),
        Part::Link => s.links.len(),
    }
}

/// `s` without its `i`-th `part`; a host takes its links and threads with
/// it, a router its links.
fn without(s: &Scenario, part: Part, i: usize) -> Scenario {
    let mut s = s.clone();
    match part {
        Part::Fault => drop(s.faults.remove(i)),
        Part::Thread => drop(s.threads.remove(i)),
        Part::Link => drop(s.links.remove(i)),
        Part::Host => {
            let name = s.hosts.remove(i).name;
            s.threads.retain(|t| t.host != name);
            drop_links_of(&mut s, &name);
        }
        Part::Router => {
            let name = s.routers.remove(i).name;
            drop_links_of(&mut s, &name);
        }
    }
    s
}

fn drop_links_of(s: &mut Scenario, node: &str) {
    s.links
        .retain(|l| l.between.0 != node && l.between.1 != node);
}

/// Every step's path (indices through `Repeat`s), in document order: a
/// `Repeat` before the steps inside it.
fn step_paths(steps: &[Step]) -> Vec<Vec<usize>> {
    let mut paths = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        paths.push(vec![i]);
        if let Step::Repeat { steps: inner, .. } = step {
            for mut path in step_paths(inner) {
                path.insert(0, i);
                paths.push(path);
            }
        }
    }
    paths
}

fn remove_step(steps: &mut Vec<Step>, path: &[usize]) {
    match path {
        [] => {}
        [i] => drop(steps.remove(*i)),
        [i, rest @ ..] => {
            if let Step::Repeat { steps: inner, .. } = &mut steps[*i] {
                remove_step(inner, rest);
            }
        }
    }
}

/// Hosts, routers, links, threads, faults and steps, all counted.
fn size(s: &Scenario) -> usize {
    fn steps(list: &[Step]) -> usize {
        list.iter()
            .map(|st| match st {
                Step::Repeat { steps: inner, .. } => 1 + steps(inner),
                _ => 1,
            })
            .sum()
    }
    let step_count: usize = s.threads.iter().map(|t| steps(&t.steps)).sum();
    s.hosts.len() + s.routers.len() + s.links.len() + s.threads.len() + s.faults.len() + step_count
}

/// Serialises `s`, checks that the text loads back and fails the same way,
/// then writes it whole (temporary file, then rename) or not at all.
fn write_checked(s: &Scenario, out: &Path, shrinker: &Shrinker) -> io::Result<()> {
    let config = PrettyConfig::new()
        .struct_names(true)
        .extensions(Extensions::IMPLICIT_SOME)
        .depth_limit(4);
    let text = ron::ser::to_string_pretty(s, config).map_err(io::Error::other)?;
    let loaded = scenario::load(&text).map_err(|e| io::Error::other(e.message))?;
    if failure_of(&loaded, shrinker.seed).as_ref() != Some(&shrinker.target) {
        return Err(io::Error::other(
            "the shrunk scenario does not fail the same way",
        ));
    }
    let mut tmp = out.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, text + "\n")?;
    fs::rename(&tmp, out).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

/// What went, on stdout.
fn report(before: &Scenario, after: &Scenario, shrinker: &Shrinker, out: &Path) {
    let sizes = |s: &Scenario| {
        [
            ("hosts", s.hosts.len()),
            ("routers", s.routers.len()),
            ("links", s.links.len()),
            ("threads", s.threads.len()),
            ("faults", s.faults.len()),
        ]
    };
    let parts: Vec<String> = sizes(before)
        .iter()
        .zip(sizes(after))
        .filter(|(b, a)| b.1 > 0 || a.1 > 0)
        .map(|(b, a)| format!("{} {} -> {}", b.0, b.1, a.1))
        .collect();
    println!(
        "{}, size {} -> {}",
        parts.join(", "),
        size(before),
        size(after)
    );
    println!("failure kept: {}", describe(&shrinker.target));
    let budget = if shrinker.spent() {
        " (budget spent; it may shrink further)"
    } else {
        ""
    };
    println!("{} runs{budget}", shrinker.runs);
    println!("wrote {}", out.display());
    println!("replay: simsock run {}", out.display());
}

fn describe(f: &Failure) -> String {
    match f {
        Failure::Call {
            host,
            thread,
            call,
            result,
            expectation,
        } => format!("{host}/{thread}: {call} returned {result} ({expectation} not as expected)"),
        Failure::Other(failure) => failure.text.clone(),
        Failure::Limit("scenario error") => "the run stopped on a scenario error".to_string(),
        Failure::Limit(which) => format!("the run hit its {which} limit"),
        Failure::Panic(failure) => format!("the simulator panicked: {}", failure.text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_blanked() {
        assert_eq!(
            blank_numbers("invariant: a: 12 bytes at 3.5s"),
            "invariant: a: # bytes at #.#s"
        );
    }

    #[test]
    fn expectation_kinds_follow_the_messages() {
        assert_eq!(expectation_kind("expected OK, got WSAETIMEDOUT"), "result");
        assert_eq!(
            expectation_kind("expected to return at 21s, returned at 9s"),
            "at"
        );
        assert_eq!(expectation_kind("expected to take 2ms, took 1s"), "took");
    }

    #[test]
    fn steps_inside_repeats_have_paths_and_can_go() {
        let sleep = || Step::Sleep(Default::default());
        let mut steps = vec![
            sleep(),
            Step::Repeat {
                times: 2,
                steps: vec![sleep(), sleep()],
            },
        ];
        let paths = step_paths(&steps);
        assert_eq!(paths, [vec![0], vec![1], vec![1, 0], vec![1, 1]]);
        remove_step(&mut steps, &[1, 0]);
        assert_eq!(step_paths(&steps), [vec![0], vec![1], vec![1, 0]]);
        remove_step(&mut steps, &[0]);
        assert!(matches!(steps[..], [Step::Repeat { .. }]));
    }

    #[test]
    fn shrunk_files_sit_beside_the_original() {
        assert_eq!(
            shrunk_path(Path::new("scenarios/timeout.ron")),
            Path::new("scenarios/timeout.shrunk.ron")
        );
    }
}
