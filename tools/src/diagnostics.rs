//! Errors about files, as miette diagnostics on stderr: the file, the line
//! and column, a snippet with the span labelled, and the help text if any.

use std::io;

use miette::{Diagnostic, SourceSpan};

use crate::excerpt::Excerpt;
use simsock_sim::scenario::ScenarioError;

/// A scenario that does not parse or does not pass the semantic check.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{location}: {message}")]
#[diagnostic(code(simsock::invalid_scenario))]
pub struct InvalidScenario {
    /// `file:line:col`, or only the file when the error has no span.
    location: String,
    message: String,
    #[source_code]
    source_code: Option<Excerpt>,
    #[label("{label}")]
    span: Option<SourceSpan>,
    label: String,
    #[help]
    help: Option<String>,
}

impl InvalidScenario {
    pub fn new(file: &str, source: &str, error: ScenarioError) -> Self {
        let location = match error.line_col(source) {
            Some((line, col)) => format!("{file}:{line}:{col}"),
            None => file.to_string(),
        };
        // Clamped to the text (a span past the end would hide the
        // snippet), the snippet a few lines of it, each cut to a window.
        let source_code = error
            .span
            .clone()
            .map(|s| Excerpt::new(file, source, s.start.min(source.len())..s.end));
        InvalidScenario {
            location,
            label: short_label(&error.message),
            message: error.message,
            span: source_code.as_ref().map(Excerpt::label),
            source_code,
            help: error.help,
        }
    }
}

/// The label under the snippet: the message's first clause, kept short.
fn short_label(message: &str) -> String {
    let first = message.split([':', ';']).next().unwrap_or(message).trim();
    if first.chars().count() <= 60 {
        first.to_string()
    } else {
        "here".to_string()
    }
}

/// A path that cannot be read (missing, unreadable, not UTF-8).
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("cannot read {file}: {error}")]
#[diagnostic(code(simsock::unreadable))]
pub struct Unreadable {
    pub file: String,
    pub error: io::Error,
}

/// A directory (or the bundled suite) with no `*.ron` file in it.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("no scenario files (*.ron) under {dir}")]
#[diagnostic(
    code(simsock::no_scenarios),
    help("pass scenario files or a directory that holds some")
)]
pub struct NoScenarios {
    pub dir: String,
}

/// Writes a diagnostic to stderr with miette's handler.
pub fn emit(diagnostic: impl Diagnostic + Send + Sync + 'static) {
    to_stderr(&format!("{:?}", miette::Report::new(diagnostic)));
}

/// Writes a line to stderr, ignoring failure: `eprintln!` panics when
/// stderr is a closed pipe (exit 101, issue 15, item 4), and a message that
/// cannot be shown changes nothing about the exit code that tells it.
pub fn to_stderr(line: &str) {
    use std::io::Write;
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_has_file_line_and_column() {
        let source = "Scenario(\n  name: 1,\n)";
        let error = ScenarioError::new("expected a string").at(Some(18..19));
        let d = InvalidScenario::new("bad.ron", source, error);
        assert_eq!(d.to_string(), "bad.ron:2:9: expected a string");
        assert_eq!(d.span, Some(SourceSpan::from(18..19)));
    }

    #[test]
    fn span_past_the_end_is_clamped() {
        let error = ScenarioError::new("unexpected end").at(Some(5..9));
        let d = InvalidScenario::new("x.ron", "abc", error);
        assert_eq!(d.span, Some(SourceSpan::from(3..3)));
        assert_eq!(d.to_string(), "x.ron:1:4: unexpected end");
    }

    #[test]
    fn without_span_only_the_file() {
        let error = ScenarioError::new("no hosts").help("add a host");
        let d = InvalidScenario::new("x.ron", "abc", error);
        assert_eq!(d.to_string(), "x.ron: no hosts");
        assert_eq!(d.help.as_deref(), Some("add a host"));
    }
}
