//! `simsock run`: load every file first (nothing runs if one is bad), then
//! run each scenario and print its report as it finishes.

use std::io::{self, Write};

use simsock_sim::scenario::{self, Report, RunOptions};
use simsock_sim::trace::TraceMode;
use tracing::{debug, info};

use crate::cli::RunArgs;
use crate::exit::Exit;
use crate::files::{self, ScenarioFile};
use crate::output::{human, json, style::Style};

/// Calls a run lists (their records are kept); later calls are counted.
/// With [`KEPT_EVENTS`] this keeps the memory of a run of any length
/// under about 50 MB (README, "Memory").
pub const LISTED_CALLS: usize = 10_000;

/// Trace events a run keeps to explain failed calls (`why:`): under
/// 10 MB. A failed call past them is listed without its `why:`.
pub const KEPT_EVENTS: usize = 100_000;

/// Runs the scenarios the arguments name (the bundled suite if none).
pub fn run(args: &RunArgs) -> Exit {
    let paths = if args.paths.is_empty() {
        vec![files::default_dir()]
    } else {
        args.paths.clone()
    };
    let Some(paths) = files::expand(&paths) else {
        return Exit::Invalid;
    };
    let Some(loaded) = files::load_all(&paths) else {
        return Exit::Invalid;
    };
    let stdout = io::stdout();
    let style = Style::stdout();
    let mut tally = Tally::default();
    let written = run_all(&loaded, args, style, &mut tally, &mut stdout.lock());
    finish(written, tally.exit())
}

/// How many runs passed and failed so far.
#[derive(Debug, Default)]
struct Tally {
    passed: usize,
    failed: usize,
}

impl Tally {
    fn exit(&self) -> Exit {
        if self.failed > 0 {
            Exit::Failed
        } else {
            Exit::Ok
        }
    }
}

fn run_all(
    loaded: &[ScenarioFile],
    args: &RunArgs,
    style: Style,
    tally: &mut Tally,
    out: &mut dyn Write,
) -> io::Result<()> {
    // The trace is kept: each failed call's causal chain (its `why`) is
    // read off it. Only its first events are kept, and the records of the
    // first calls, so that memory does not grow with the run.
    let options = RunOptions {
        seed: args.seed,
        trace: TraceMode::Full,
        record_calls: true,
        max_kept_events: KEPT_EVENTS,
        max_recorded_calls: LISTED_CALLS,
        ..RunOptions::default()
    };
    for (i, file) in loaded.iter().enumerate() {
        let report = run_one(file, &options);
        if report.passed {
            tally.passed += 1;
        } else {
            tally.failed += 1;
        }
        print(out, file, &report, args.json, style, i > 0)?;
    }
    if !args.json && loaded.len() > 1 {
        writeln!(out)?;
        human::summary(out, tally.passed, tally.failed, style)?;
    }
    Ok(())
}

fn run_one(file: &ScenarioFile, options: &RunOptions) -> Report {
    let name = &file.scenario.name;
    info!(scenario = %name, file = %file.file, "running scenario");
    let report = scenario::run(&file.scenario, options);
    debug!(
        scenario = %name,
        seed = report.seed,
        passed = report.passed,
        events = report.events,
        end = %report.end,
        "scenario finished"
    );
    report
}

fn print(
    out: &mut dyn Write,
    file: &ScenarioFile,
    report: &Report,
    as_json: bool,
    style: Style,
    separate: bool,
) -> io::Result<()> {
    if as_json {
        return json::scenario(out, file, report);
    }
    if separate {
        writeln!(out)?;
    }
    human::scenario(out, file, report, style)
}

/// The exit after writing: a closed pipe (`| head`) ends the output quietly;
/// any other write error is reported and ends with [`Exit::Invalid`].
pub fn finish(written: io::Result<()>, exit: Exit) -> Exit {
    match written {
        Ok(()) => exit,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => exit,
        Err(e) => {
            tracing::error!("cannot write to stdout: {e}");
            Exit::Invalid
        }
    }
}
