//! `simsock tour [N]`: the guided tour, numbered scenarios under
//! `scenarios/tour/` (`01-handshake.ron`, `02-refused.ron`, ...), each a
//! short story with a question to answer before running it.
//!
//! Without N it lists the stops (number, title, question). With N it prints
//! the stop's question, waits for Enter when stdin and stdout are both a
//! terminal (so the reader can think first), then runs it as `simsock run`
//! does: every call, each failure with its causal chain, and the verdict.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Args;

use crate::cli::RunArgs;
use crate::exit::Exit;
use crate::files::{self, ScenarioFile};
use crate::output::human::wrap;
use crate::run::{self, finish};

#[derive(Debug, Args)]
pub struct TourArgs {
    /// The stop to run (1, 2, ...); without it, the list of stops.
    #[arg(value_name = "N")]
    pub stop: Option<u32>,
}

/// Where questions wrap.
const WRAP_COLS: usize = 88;

/// One stop: its number (from the file name) and file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    pub number: u32,
    pub path: PathBuf,
}

/// Lists the stops, or runs one.
pub fn tour(args: &TourArgs) -> Exit {
    let dir = files::default_dir().join("tour");
    let stops = stops(&dir);
    if stops.is_empty() {
        crate::diagnostics::to_stderr(&format!(
            "error: no tour stops (NN-name.ron) in {}",
            dir.display()
        ));
        return Exit::Invalid;
    }
    match args.stop {
        None => list(&stops),
        Some(n) => run_stop(&stops, n),
    }
}

/// The stops in `dir`: files named `NN-name.ron`, by number.
pub fn stops(dir: &Path) -> Vec<Stop> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut stops: Vec<Stop> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .filter_map(|path| {
            let stem = path.file_stem()?.to_str()?;
            let number = stem.split_once('-')?.0.parse().ok()?;
            Some(Stop { number, path })
        })
        .collect();
    stops.sort_by_key(|s| s.number);
    stops
}

fn list(stops: &[Stop]) -> Exit {
    let paths: Vec<PathBuf> = stops.iter().map(|s| s.path.clone()).collect();
    let Some(loaded) = files::load_all(&paths) else {
        return Exit::Invalid;
    };
    let mut out = io::stdout().lock();
    finish(write_list(&mut out, stops, &loaded), Exit::Ok)
}

/// The list: a line per stop (number and title), its question under it.
pub fn write_list(out: &mut dyn Write, stops: &[Stop], loaded: &[ScenarioFile]) -> io::Result<()> {
    writeln!(
        out,
        "Guided tour: {} short stories. Answer each question, then run the stop with \
         `simsock tour N`.",
        stops.len()
    )?;
    for (stop, file) in stops.iter().zip(loaded) {
        writeln!(out)?;
        writeln!(out, "{:>2}. {}", stop.number, file.scenario.name)?;
        for line in wrap(&file.scenario.question, WRAP_COLS - 4) {
            writeln!(out, "    {line}")?;
        }
    }
    Ok(())
}

fn run_stop(stops: &[Stop], n: u32) -> Exit {
    let Some(stop) = stops.iter().find(|s| s.number == n) else {
        let last = stops.last().map_or(0, |s| s.number);
        crate::diagnostics::to_stderr(&format!(
            "error: the tour has no stop {n}; its stops are 1 to {last} (`simsock tour` lists them)"
        ));
        return Exit::Invalid;
    };
    let Some(file) = files::load(&stop.path) else {
        return Exit::Invalid;
    };
    let interactive = io::stdin().is_terminal() && io::stdout().is_terminal();
    let asked = ask(
        &mut io::stdout().lock(),
        stop,
        &file,
        stops.len(),
        interactive,
    );
    if let Err(e) = asked {
        return finish(Err(e), Exit::Ok);
    }
    if interactive {
        // Enter (or end of input) runs it; what was typed does not matter.
        let _ = io::stdin().lock().read_line(&mut String::new());
    }
    let args = RunArgs {
        paths: vec![stop.path.clone()],
        seed: None,
        json: false,
    };
    run::run(&args)
}

/// The question before the run.
fn ask(
    out: &mut dyn Write,
    stop: &Stop,
    file: &ScenarioFile,
    count: usize,
    interactive: bool,
) -> io::Result<()> {
    let name = &file.scenario.name;
    writeln!(out, "Tour stop {} of {count}: {name}", stop.number)?;
    for line in wrap(&format!("Question: {}", file.scenario.question), WRAP_COLS) {
        writeln!(out, "{line}")?;
    }
    if interactive {
        write!(out, "Think it over, then press Enter to run it. ")?;
        out.flush()?;
    } else {
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tour_dir() -> PathBuf {
        files::default_dir().join("tour")
    }

    /// The tour is numbered 1, 2, 3, ... without gaps, and every stop has
    /// an about and a question.
    #[test]
    fn stops_are_numbered_without_gaps_and_ask_something() {
        let stops = stops(&tour_dir());
        assert!(stops.len() >= 6, "{stops:?}");
        for (i, stop) in stops.iter().enumerate() {
            assert_eq!(stop.number as usize, i + 1, "{}", stop.path.display());
            let file = files::load(&stop.path).expect("a tour stop loads");
            assert!(
                file.scenario.question.ends_with('?'),
                "{}",
                stop.path.display()
            );
            assert!(!file.scenario.about.is_empty(), "{}", stop.path.display());
        }
    }

    #[test]
    fn the_list_shows_number_title_and_question() {
        let stops = stops(&tour_dir());
        let paths: Vec<PathBuf> = stops.iter().map(|s| s.path.clone()).collect();
        let loaded = files::load_all(&paths).unwrap();
        let mut out = Vec::new();
        write_list(&mut out, &stops, &loaded).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("\n 1. handshake\n    The link delays every packet by 10 ms."),
            "{text}"
        );
        assert!(text.contains("\n 3. timeout\n"), "{text}");
    }

    #[test]
    fn the_question_comes_first() {
        let stops = stops(&tour_dir());
        let file = files::load(&stops[1].path).unwrap();
        let mut out = Vec::new();
        ask(&mut out, &stops[1], &file, stops.len(), false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("Tour stop 2 of "), "{text}");
        assert!(
            text.contains("Question: Nobody listens on port 80"),
            "{text}"
        );
        assert!(!text.contains("press Enter"), "{text}");
    }
}
