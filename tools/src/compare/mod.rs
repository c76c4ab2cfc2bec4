//! `simsock compare FILE`: one scenario run twice, and where the runs part.
//!
//! - `--profiles a,b` (default `windows,linux`): every host follows
//!   personality `a`, then `b` (a field the scenario wrote on a host keeps
//!   its value in both: [`personality::apply`]); the calls are paired by
//!   host, thread and order, and each pair whose result or return time
//!   differs is shown with the `why:` of each side ([`calls`]).
//! - `--seeds a,b`: the scenario as written under two seeds: the first
//!   trace event where the two runs part, the events that followed on each
//!   side, and the calls that ended differently ([`seeds`]).
//!
//! Expectations are not the point: a scenario written for one personality
//! may fail its checks under the other; the verdict of each run is shown,
//! and the exit code is 0 whenever both ran (2 for a bad file or argument).

mod calls;
mod personality;
mod seeds;

use std::io::{self, Write};
use std::path::PathBuf;

use clap::Args;
use simsock_model::profile::Personality;
use simsock_sim::scenario::{self, Report, RunOptions};
use simsock_sim::trace::TraceMode;

use crate::exit::Exit;
use crate::files;
use crate::output::style::Style;
use crate::output::width;
use crate::run::{KEPT_EVENTS, LISTED_CALLS, finish};

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The scenario file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The two personalities every host follows in turn: windows,
    /// windows-documented or linux.
    #[arg(long, value_name = "A,B", value_parser = parse_profiles, conflicts_with = "seeds")]
    pub profiles: Option<(Personality, Personality)>,

    /// Instead of two profiles: the scenario as written, under two seeds.
    #[arg(long, value_name = "A,B", value_parser = parse_seeds)]
    pub seeds: Option<(u64, u64)>,

    /// With --profiles: run both with this seed instead of the scenario's own.
    #[arg(long, value_name = "N", conflicts_with = "seeds")]
    pub seed: Option<u64>,
}

/// One of the two runs: its label (`windows`, `seed 3`) and report.
pub struct Side {
    pub label: String,
    pub report: Report,
}

/// Runs `simsock compare`.
pub fn compare(args: &CompareArgs) -> Exit {
    let Some(file) = files::load(&args.file) else {
        return Exit::Invalid;
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let style = Style::stdout();
    let written = match args.seeds {
        Some((a, b)) => {
            let sides = [a, b].map(|seed| Side {
                label: format!("seed {seed}"),
                report: run(&file.scenario, Some(seed)),
            });
            seeds::write(&mut out, &file.file, &sides, style)
        }
        None => {
            let (a, b) = args
                .profiles
                .unwrap_or((Personality::Windows, Personality::Linux));
            let sides = [a, b].map(|p| Side {
                label: p.text().to_string(),
                report: run(&personality::apply(&file.scenario, p), args.seed),
            });
            write_profiles(&mut out, &file.file, &sides, style)
        }
    };
    finish(written, Exit::Ok)
}

fn run(s: &simsock_model::scenario::Scenario, seed: Option<u64>) -> Report {
    let options = RunOptions {
        seed,
        trace: TraceMode::Full,
        record_calls: true,
        max_kept_events: KEPT_EVENTS,
        max_recorded_calls: LISTED_CALLS,
        ..RunOptions::default()
    };
    scenario::run(s, &options)
}

fn write_profiles(
    out: &mut dyn Write,
    file: &str,
    sides: &[Side; 2],
    style: Style,
) -> io::Result<()> {
    let [a, b] = sides;
    let head = format!(
        "{}  seed {}  {file}: every host {} | {}",
        a.report.scenario, a.report.seed, a.label, b.label
    );
    wrapped(out, "", &head, Some(style))?;
    calls::write(out, sides, style)?;
    verdicts(out, sides)
}

/// Each run's verdict, call count and end.
pub fn verdicts(out: &mut dyn Write, sides: &[Side; 2]) -> io::Result<()> {
    let width = sides.iter().map(|s| s.label.len()).max().unwrap_or(0);
    for side in sides {
        let r = &side.report;
        let word = if r.passed { "PASS" } else { "FAIL" };
        let failed = r.failures.len();
        let note = match failed {
            0 => String::new(),
            1 => " (1 expectation failed)".to_string(),
            n => format!(" ({n} expectations failed)"),
        };
        let text = format!(
            "{word}{note}: {} calls, ended at {}, digest {}",
            r.call_count.made,
            r.end,
            &r.digest[..16]
        );
        wrapped(out, &format!("{:width$}  ", side.label), &text, None)?;
    }
    Ok(())
}

/// `lead` then `text`, wrapped to the width under itself; with `bold`,
/// the first line is bold (a header).
pub fn wrapped(out: &mut dyn Write, lead: &str, text: &str, bold: Option<Style>) -> io::Result<()> {
    let one = format!("{lead}{text}");
    let lines = match width::display(&one) <= width::columns() {
        // As is: wrapping would also close up the double spaces.
        true => vec![one],
        false => width::hanging(lead, text, width::columns()),
    };
    for (i, line) in lines.iter().enumerate() {
        match (i, bold) {
            (0, Some(style)) => writeln!(out, "{}", style.bold(line))?,
            _ => writeln!(out, "{line}")?,
        }
    }
    Ok(())
}

/// `windows,linux`: two personalities, by the CLI's names.
fn parse_profiles(text: &str) -> Result<(Personality, Personality), String> {
    let names = Personality::ALL.map(Personality::text).join(", ");
    let one = |t: &str| {
        Personality::lookup(t).ok_or_else(|| format!("unknown profile `{t}`: one of {names}"))
    };
    match text.split_once(',') {
        Some((a, b)) => Ok((one(a)?, one(b)?)),
        None => Err(format!("write two profiles, `a,b` (of {names})")),
    }
}

/// `1,2`: two seeds.
fn parse_seeds(text: &str) -> Result<(u64, u64), String> {
    let one = |t: &str| {
        t.trim()
            .parse::<u64>()
            .map_err(|_| format!("`{t}` is not a seed (a whole number)"))
    };
    match text.split_once(',') {
        Some((a, b)) => Ok((one(a)?, one(b)?)),
        None => Err("write two seeds, `a,b`".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_two_profiles_or_seeds() {
        assert_eq!(
            parse_profiles("windows,linux"),
            Ok((Personality::Windows, Personality::Linux))
        );
        assert_eq!(
            parse_profiles("windows-documented,windows"),
            Ok((Personality::WindowsDocumented, Personality::Windows))
        );
        assert!(parse_profiles("windows").is_err());
        assert!(parse_profiles("windows,bsd").unwrap_err().contains("bsd"));
        assert_eq!(parse_seeds("1,2"), Ok((1, 2)));
        assert!(parse_seeds("1,x").is_err());
    }
}
