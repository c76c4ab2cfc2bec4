//! The human summary of a sweep: how many seeds passed, how each call whose
//! result varied was distributed over the results, and the first failing
//! seeds with the command that replays each.
//!
//! ```text
//! timeout  scenarios/timeout.ron  seeds 1..9: 8 runs
//! results that vary with the seed:
//!   phone/main #2 connect(s, 10.0.2.2:443)
//!          6  75.0%  OK
//!          2  25.0%  WSAETIMEDOUT
//! PASS  8 passed, 0 failed
//! ```

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::outcome::SeedOutcome;
use crate::output::style::Style;
use crate::output::width;

/// How many failing seeds the summary lists.
pub const FIRST_FAILURES_MAX: usize = 10;

/// What a call counted as on the seeds where its thread never made it.
const NOT_REACHED: &str = "(not reached)";

/// Tallies of a sweep, fed one seed at a time in increasing seed order, so
/// the summary is the same whatever the number of workers.
#[derive(Debug, Default)]
pub struct Summary {
    pub runs: u64,
    pub passed: u64,
    /// Per thread index, each call of the thread in the order it made
    /// them (the n-th call at n - 1).
    calls: BTreeMap<usize, Vec<CallTally>>,
    /// The first failing seeds and their first failure.
    pub first_failures: Vec<(u64, String)>,
    /// Seeds that made more calls than a seed tallies
    /// ([`TALLIED_CALLS`](super::outcome::TALLIED_CALLS)).
    pub long_seeds: u64,
}

#[derive(Debug, Default)]
struct CallTally {
    /// `host/thread #n call`.
    label: String,
    /// Each result seen and on how many seeds, in the order first seen (a
    /// call has few; the summary sorts them).
    results: Vec<(&'static str, u64)>,
}

impl Summary {
    pub fn add(&mut self, outcome: &SeedOutcome) {
        self.runs += 1;
        self.long_seeds += u64::from(outcome.untallied > 0);
        if outcome.passed {
            self.passed += 1;
        } else if self.first_failures.len() < FIRST_FAILURES_MAX {
            let why = outcome.failure.clone().unwrap_or_default();
            self.first_failures.push((outcome.seed, why));
        }
        // `results` holds each thread's calls together, in order.
        for calls in outcome
            .results
            .chunk_by(|a, b| a.thread_index == b.thread_index)
        {
            let tallies = self.calls.entry(calls[0].thread_index).or_default();
            for (i, r) in calls.iter().enumerate() {
                if tallies.len() == i {
                    let label = format!("{} #{} {}", r.thread, i + 1, r.call);
                    let results = Vec::new();
                    tallies.push(CallTally { label, results });
                }
                let results = &mut tallies[i].results;
                match results.iter_mut().find(|(seen, _)| *seen == r.result) {
                    Some((_, count)) => *count += 1,
                    None => results.push((r.result, 1)),
                }
            }
        }
    }

    pub fn failed(&self) -> u64 {
        self.runs - self.passed
    }

    /// The calls whose result was not the same on every seed (counting
    /// "not reached" as a result), with their counts.
    fn varying(&self) -> Vec<(&str, Vec<(&str, u64)>)> {
        let mut varying = Vec::new();
        for tally in self.calls.values().flatten() {
            let mut counts: Vec<(&str, u64)> =
                tally.results.iter().map(|(r, n)| (*r, *n)).collect();
            counts.sort_unstable();
            let reached: u64 = counts.iter().map(|(_, n)| n).sum();
            if reached < self.runs {
                counts.push((NOT_REACHED, self.runs - reached));
            }
            if counts.len() > 1 {
                varying.push((tally.label.as_str(), counts));
            }
        }
        varying
    }
}

/// What the header says about the sweep.
pub struct Header<'a> {
    pub scenario: &'a str,
    pub file: &'a str,
    /// `seeds 1..9`, perhaps with `shard 0/2`.
    pub seeds: String,
}

/// Writes the summary; it ends with the verdict line, then the failing seeds.
pub fn write(out: &mut dyn Write, header: &Header, s: &Summary, style: Style) -> io::Result<()> {
    let title = style.bold(header.scenario);
    let runs = s.runs;
    let file = style.dim(header.file);
    let seeds = format!("{}: {runs} runs", header.seeds);
    let plain = format!("{}  {}  {seeds}", header.scenario, header.file);
    if width::display(&plain) <= width::columns() {
        writeln!(out, "{title}  {file}  {seeds}")?;
    } else {
        writeln!(out, "{title}  {seeds}")?;
        writeln!(out, "  {file}")?;
    }
    write_varying(out, s)?;
    let word = if s.failed() == 0 {
        style.green("PASS")
    } else {
        style.red("FAIL")
    };
    writeln!(out, "{word}  {} passed, {} failed", s.passed, s.failed())?;
    write_failures(out, header.file, s, style)
}

fn write_varying(out: &mut dyn Write, s: &Summary) -> io::Result<()> {
    if s.long_seeds > 0 {
        writeln!(
            out,
            "({} seeds made more than {} calls: only their first {} are compared)",
            s.long_seeds,
            super::outcome::TALLIED_CALLS,
            super::outcome::TALLIED_CALLS
        )?;
    }
    let varying = s.varying();
    if varying.is_empty() {
        return writeln!(out, "every call returned the same result on every seed");
    }
    writeln!(out, "results that vary with the seed:")?;
    for (label, counts) in varying {
        writeln!(out, "  {label}")?;
        for (result, n) in counts {
            let percent = n as f64 * 100.0 / s.runs as f64;
            writeln!(out, "  {n:>8}  {percent:>5.1}%  {result}")?;
        }
    }
    Ok(())
}

fn write_failures(out: &mut dyn Write, file: &str, s: &Summary, style: Style) -> io::Result<()> {
    if s.first_failures.is_empty() {
        return Ok(());
    }
    let shown = s.first_failures.len();
    writeln!(out, "first failing seeds ({shown} of {}):", s.failed())?;
    for (seed, why) in &s.first_failures {
        let lead = format!("  seed {seed}: ");
        let mut lines = width::hanging(&lead, why, width::columns());
        if lines.is_empty() {
            lines.push(lead.clone());
        }
        // Each line starts with the lead or as many spaces (ASCII both).
        for line in lines {
            let (head, text) = line.split_at(lead.len());
            writeln!(out, "{head}{}", style.red(text))?;
        }
        writeln!(out, "    simsock run {} --seed {seed}", shell_word(file))?;
    }
    Ok(())
}

/// `word`, quoted for a POSIX shell when it needs to be.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::outcome::CallResult;
    use super::*;

    fn outcome(seed: u64, connect: &'static str, passed: bool) -> SeedOutcome {
        let call = |call: &str, result: &'static str| CallResult {
            thread_index: 0,
            thread: "phone/main".into(),
            call: call.into(),
            result,
        };
        SeedOutcome {
            seed,
            passed,
            digest: String::new(),
            results: vec![
                call("s = socket(Inet, Stream)", "OK"),
                call("connect(s)", connect),
            ],
            failure: (!passed).then(|| "phone/main: connect(s): expected OK".into()),
            untallied: 0,
        }
    }

    #[test]
    fn only_varying_calls_are_listed_with_their_counts() {
        let mut s = Summary::default();
        s.add(&outcome(1, "OK", true));
        s.add(&outcome(2, "WSAETIMEDOUT", false));
        s.add(&outcome(3, "OK", true));
        let varying = s.varying();
        assert_eq!(varying.len(), 1);
        assert_eq!(varying[0].0, "phone/main #2 connect(s)");
        assert_eq!(varying[0].1, [("OK", 2), ("WSAETIMEDOUT", 1)]);
        assert_eq!((s.passed, s.failed()), (2, 1));
        assert_eq!(s.first_failures[0].0, 2);
    }

    #[test]
    fn a_call_missing_on_some_seeds_varies() {
        let mut s = Summary::default();
        s.add(&outcome(1, "OK", true));
        let mut short = outcome(2, "OK", true);
        short.results.pop();
        s.add(&short);
        assert_eq!(s.varying()[0].1, [("OK", 1), (NOT_REACHED, 1)]);
    }

    #[test]
    fn file_names_are_quoted_for_the_shell_when_needed() {
        assert_eq!(shell_word("scenarios/timeout.ron"), "scenarios/timeout.ron");
        assert_eq!(shell_word("my file.ron"), "'my file.ron'");
        assert_eq!(shell_word("it's.ron"), r"'it'\''s.ron'");
    }
}
