//! `simsock conformance [--json]`: the 74-row matrix of the per-API error
//! tables. For each row (API, code) it runs
//! `scenarios/conformance/<api>/<CODE>.ron` and says whether the run proves
//! the row ([`simsock_sim::conformance::proves`]): the scenario passes and a
//! call of that API returned that code where its step expected it.
//!
//! `--profile windows` or `--profile linux` then runs that personality's
//! own stories (`stories.rs`) and lists them after the rows.
//!
//! Every file is loaded before anything runs; an invalid one is reported
//! with its file, line and column and nothing runs (exit 2). A missing or
//! failing row, or a failing story, makes the exit 1.

mod stories;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;
use simsock_sim::conformance::{self, Row};
use simsock_sim::scenario::{self, Report, RunOptions};

use crate::exit::Exit;
use crate::files::{self, ScenarioFile};
use crate::output::style::Style;
use crate::output::width::{self, display};
use crate::run::finish;

#[derive(Debug, Args)]
pub struct ConformanceArgs {
    /// One JSON object per row: `api`, `code`, `scenario`, `passed` (and
    /// `reason` when it did not pass).
    #[arg(long)]
    pub json: bool,
    /// The scenario folder that holds `conformance/` (default: the bundled
    /// `scenarios/`).
    #[arg(long, value_name = "DIR")]
    pub scenarios: Option<PathBuf>,
    /// Also run this personality's own stories beside the rows:
    /// `scenarios/windows/` (observed Windows) or `scenarios/linux/`;
    /// windows-documented has the rows only.
    #[arg(long, value_enum, value_name = "PROFILE")]
    pub profile: Option<stories::Profile>,
}

/// One row's verdict.
#[derive(Debug, Serialize)]
struct Verdict {
    api: &'static str,
    code: &'static str,
    /// The scenario file, `null` when the row has none.
    scenario: Option<String>,
    passed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

pub fn conformance(args: &ConformanceArgs) -> Exit {
    let root = args.scenarios.clone().unwrap_or_else(files::default_dir);
    let rows = conformance::rows();
    let Some(loaded) = load_rows(&root, &rows) else {
        return Exit::Invalid;
    };
    let profile = args.profile.unwrap_or(stories::Profile::WindowsDocumented);
    let Some(stories) = stories::run(&root, profile) else {
        return Exit::Invalid;
    };
    let verdicts: Vec<Verdict> = rows
        .iter()
        .zip(&loaded)
        .map(|(&row, file)| judge(row, file.as_ref()))
        .collect();
    let exit = if verdicts.iter().all(|v| v.passed) && stories.iter().all(|s| s.passed) {
        Exit::Ok
    } else {
        Exit::Failed
    };
    let mut out = io::stdout().lock();
    let written = if args.json {
        write_json(&mut out, &verdicts, &stories)
    } else {
        let style = Style::stdout();
        write_table(&mut out, &verdicts, style)
            .and_then(|()| write_stories(&mut out, &stories, style))
    };
    finish(written, exit)
}

/// Loads each row's scenario if it exists; `None` if any present file is
/// invalid (each problem reported on stderr).
fn load_rows(root: &Path, rows: &[Row]) -> Option<Vec<Option<ScenarioFile>>> {
    let mut ok = true;
    let loaded = rows
        .iter()
        .map(|row| {
            let path = root.join(row.path());
            if !path.is_file() {
                return None;
            }
            let file = files::load(&path);
            ok &= file.is_some();
            file
        })
        .collect();
    ok.then_some(loaded)
}

fn judge(row: Row, file: Option<&ScenarioFile>) -> Verdict {
    let mut verdict = Verdict {
        api: row.api.name(),
        code: row.code.name(),
        scenario: file.map(|f| f.file.clone()),
        passed: false,
        reason: None,
    };
    let Some(file) = file else {
        verdict.reason = Some(match row.impossible() {
            Some(why) => format!("impossible: {why}"),
            None => format!("no scenario at {}", row.path()),
        });
        return verdict;
    };
    let options = RunOptions {
        record_calls: true,
        ..RunOptions::default()
    };
    let report = scenario::run(&file.scenario, &options);
    verdict.passed = conformance::proves(&report, row);
    if !verdict.passed {
        verdict.reason = Some(why_not(&report, row));
    }
    verdict
}

fn why_not(report: &Report, row: Row) -> String {
    if !report.passed {
        let first = report
            .failures
            .first()
            .map_or("a run limit", String::as_str);
        return format!("the scenario fails: {first}");
    }
    format!(
        "no {} call returned {} where its step expected it",
        row.api.name(),
        row.code.name()
    )
}

fn write_json(
    out: &mut dyn Write,
    verdicts: &[Verdict],
    stories: &[stories::Story],
) -> io::Result<()> {
    for verdict in verdicts {
        serde_json::to_writer(&mut *out, verdict)?;
        writeln!(out)?;
    }
    for story in stories {
        serde_json::to_writer(&mut *out, story)?;
        writeln!(out)?;
    }
    Ok(())
}

/// The stories after the rows: one line each, then the count.
fn write_stories(out: &mut dyn Write, stories: &[stories::Story], style: Style) -> io::Result<()> {
    let Some(first) = stories.first() else {
        return Ok(());
    };
    writeln!(out, "\nthe {} profile's own stories:", first.profile)?;
    let cols = width::columns();
    for s in stories {
        let mark = if s.passed {
            style.green("pass")
        } else {
            style.red("FAIL")
        };
        let line = format!("{mark} {:<32} {}", s.name, s.scenario);
        if display(&line) <= cols {
            writeln!(out, "{line}")?;
        } else {
            writeln!(out, "{mark} {}", s.name)?;
            for line in width::hanging("     ", &s.scenario, cols) {
                writeln!(out, "{line}")?;
            }
        }
        if let Some(reason) = &s.reason {
            for line in width::hanging("     ", reason, cols) {
                writeln!(out, "{line}")?;
            }
        }
    }
    let passed = stories.iter().filter(|s| s.passed).count();
    writeln!(out, "\n{passed} of {} stories pass", stories.len())
}

/// Where the scenarios of the rows live; a table too wide for the width
/// names them from there.
const ROWS_DIR: &str = "scenarios/conformance/";

fn write_table(out: &mut dyn Write, verdicts: &[Verdict], style: Style) -> io::Result<()> {
    let cols = width::columns();
    let widest = verdicts
        .iter()
        .filter_map(|v| v.scenario.as_deref())
        .map(display)
        .max()
        .unwrap_or(0);
    let short = 36 + widest > cols;
    let heading = if short {
        format!("scenario (in {ROWS_DIR})")
    } else {
        "scenario".to_string()
    };
    writeln!(out, "{:<11} {:<19} {:<4} {heading}", "API", "code", "")?;
    for v in verdicts {
        let mark = if v.passed {
            style.green("pass")
        } else {
            style.red("FAIL")
        };
        let scenario = v.scenario.as_deref().unwrap_or("-");
        let scenario = match short {
            true => scenario.strip_prefix(ROWS_DIR).unwrap_or(scenario),
            false => scenario,
        };
        writeln!(out, "{:<11} {:<19} {mark} {scenario}", v.api, v.code)?;
        if let Some(reason) = &v.reason {
            for line in width::hanging(&" ".repeat(36), reason, cols) {
                writeln!(out, "{line}")?;
            }
        }
    }
    let proven = verdicts.iter().filter(|v| v.passed).count();
    writeln!(out, "\n{proven} of {} rows proven", verdicts.len())
}
