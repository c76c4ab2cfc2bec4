//! `simsock tour [N]`: the guided tour, numbered scenarios under
//! `scenarios/tour/` (`01-handshake.ron`, `02-refused.ron`, ...), each a
//! short story with a question to answer before running it.
//!
//! Without N it lists the stops (number, title, question). With N it prints
//! the stop's question and its choices ([`quiz`]), reads the reader's answer
//! (at a terminal, or `--answer X` for scripts), says whether it is right
//! and why, then runs the stop as `simsock run` does: every call, each
//! failure with its causal chain, and the verdict; it ends by pointing to
//! the stop's page, `simsock tour N --html`, which writes the HTML view of
//! the run and prints its path instead of running it.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Args;

use crate::cli::RunArgs;
use crate::exit::Exit;
use crate::files::{self, ScenarioFile};
use crate::output::width::{self, hanging, wrap};
use crate::run::{self, finish};
use crate::trace_command as trace;

mod quiz;

use quiz::Quiz;

#[derive(Debug, Args)]
pub struct TourArgs {
    /// The stop to run (1, 2, ...); without it, the list of stops.
    #[arg(value_name = "N")]
    pub stop: Option<u32>,

    /// Your answer to the stop's question (a, b, c or d), instead of
    /// typing it at the terminal.
    #[arg(long, value_name = "X", requires = "stop", value_parser = parse_answer)]
    pub answer: Option<usize>,

    /// Write the stop's run as an HTML page to step through in a browser,
    /// and print its path, instead of asking and running.
    #[arg(long, requires = "stop", conflicts_with = "answer")]
    pub html: bool,
}

fn parse_answer(text: &str) -> Result<usize, String> {
    quiz::choice(text).ok_or_else(|| format!("`{text}` is not a choice: give a, b, c or d"))
}

/// Where questions wrap, at most (narrower when the width is:
/// [`width::prose`]).
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
        Some(n) => run_stop(&stops, n, args),
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
    let intro = format!(
        "Guided tour: {} short stories. Answer each question, then run the stop with \
         `simsock tour N`.",
        stops.len()
    );
    for line in wrap(&intro, width::prose(WRAP_COLS + 4)) {
        writeln!(out, "{line}")?;
    }
    for (stop, file) in stops.iter().zip(loaded) {
        writeln!(out)?;
        writeln!(out, "{:>2}. {}", stop.number, file.scenario.name)?;
        for line in wrap(&file.scenario.question, width::prose(WRAP_COLS) - 4) {
            writeln!(out, "    {line}")?;
        }
    }
    Ok(())
}

fn run_stop(stops: &[Stop], n: u32, args: &TourArgs) -> Exit {
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
    if args.html {
        let stem = stop.path.file_stem().map(|s| s.to_string_lossy());
        let path = trace::default_page_path(&format!("tour-{}", stem.unwrap_or_default()));
        return trace::write_page(&file, None, &path);
    }
    let interactive = io::stdin().is_terminal() && io::stdout().is_terminal();
    let quiz = quiz::of(&file.scenario.name);
    if let Err(e) = quiz_stop(stop, &file, stops.len(), quiz, args.answer, interactive) {
        return finish(Err(e), Exit::Ok);
    }
    let run_args = RunArgs {
        paths: vec![stop.path.clone()],
        seed: None,
        json: false,
    };
    let exit = run::run(&run_args);
    let pointer = writeln!(
        io::stdout().lock(),
        "\nStep through this run in a browser: simsock tour {n} --html"
    );
    finish(pointer, exit)
}

/// The question and its choices, the reader's answer and the verdict on
/// it. Without a quiz for the stop, waits for Enter at a terminal.
fn quiz_stop(
    stop: &Stop,
    file: &ScenarioFile,
    count: usize,
    quiz: Option<&Quiz>,
    answer: Option<usize>,
    interactive: bool,
) -> io::Result<()> {
    let mut out = io::stdout().lock();
    ask(&mut out, stop, file, count, quiz, interactive)?;
    let Some(quiz) = quiz else {
        if interactive {
            // Enter (or end of input) runs it; what was typed does not matter.
            let _ = io::stdin().lock().read_line(&mut String::new());
        }
        return Ok(());
    };
    let answer = match answer {
        Some(answer) => Some(answer),
        None if interactive => read_answer(&mut out, &mut io::stdin().lock())?,
        None => None,
    };
    match answer {
        Some(answer) => judge(&mut out, quiz, answer),
        None => Ok(()),
    }
}

/// Reads a letter; asks again on anything else; Enter or end of input
/// skips the question.
fn read_answer(out: &mut dyn Write, input: &mut dyn BufRead) -> io::Result<Option<usize>> {
    loop {
        write!(out, "Your answer (a, b, c or d; Enter to just run it): ")?;
        out.flush()?;
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 || line.trim().is_empty() {
            writeln!(out)?;
            return Ok(None);
        }
        if let Some(answer) = quiz::choice(&line) {
            return Ok(Some(answer));
        }
        writeln!(out, "`{}` is not one of the choices.", line.trim())?;
    }
}

/// Right or wrong, the right choice, and why.
fn judge(out: &mut dyn Write, quiz: &Quiz, answer: usize) -> io::Result<()> {
    let right = quiz.answer;
    let said = |i: usize| format!("({}) {}", quiz::letter(i), quiz.choices[i]);
    let verdict = if answer == right {
        format!("Right: {}.", said(right))
    } else {
        format!(
            "Not quite: you chose {}; the answer is {}.",
            said(answer),
            said(right)
        )
    };
    for line in wrap(&verdict, width::prose(WRAP_COLS)) {
        writeln!(out, "{line}")?;
    }
    for line in wrap(&format!("Why: {}", quiz.why), width::prose(WRAP_COLS)) {
        writeln!(out, "{line}")?;
    }
    writeln!(out)
}

/// The question before the run, with its choices when the stop has a quiz.
fn ask(
    out: &mut dyn Write,
    stop: &Stop,
    file: &ScenarioFile,
    count: usize,
    quiz: Option<&Quiz>,
    interactive: bool,
) -> io::Result<()> {
    let name = &file.scenario.name;
    writeln!(out, "Tour stop {} of {count}: {name}", stop.number)?;
    for line in wrap(
        &format!("Question: {}", file.scenario.question),
        width::prose(WRAP_COLS),
    ) {
        writeln!(out, "{line}")?;
    }
    if let Some(quiz) = quiz {
        for (i, choice) in quiz.choices.iter().enumerate() {
            let lead = format!("  ({}) ", quiz::letter(i));
            for line in hanging(&lead, choice, width::prose(WRAP_COLS)) {
                writeln!(out, "{line}")?;
            }
        }
    } else if interactive {
        write!(out, "Think it over, then press Enter to run it. ")?;
        out.flush()?;
        return Ok(());
    }
    writeln!(out)
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
        let quiz = quiz::of(&file.scenario.name);
        ask(&mut out, &stops[1], &file, stops.len(), quiz, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("Tour stop 2 of "), "{text}");
        assert!(
            text.contains("Question: Nobody listens on port 80"),
            "{text}"
        );
        assert!(
            text.contains(
                "\n  (c) doc WSAECONNREFUSED at 2 ms, windows WSAECONNREFUSED at 2.010 s\n"
            ),
            "{text}"
        );
        assert!(!text.contains("press Enter"), "{text}");
    }

    /// At a terminal: a wrong letter is asked again, a right one judged.
    #[test]
    fn an_answer_is_read_and_judged() {
        let mut out = Vec::new();
        let mut input = io::Cursor::new("e\nB\n");
        let answer = read_answer(&mut out, &mut input).unwrap();
        assert_eq!(answer, Some(1));
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("`e` is not one of the choices."), "{text}");
        let quiz = quiz::of("handshake").unwrap();
        let mut out = Vec::new();
        judge(&mut out, quiz, 0).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with(
                "Not quite: you chose (a) connect at 10 ms, accept at 10 ms; the answer is (b)"
            ),
            "{text}"
        );
        assert!(
            text.contains("Why: connect waits for the SYN-ACK"),
            "{text}"
        );
        let mut out = Vec::new();
        assert_eq!(
            read_answer(&mut out, &mut io::Cursor::new("\n")).unwrap(),
            None
        );
    }
}
