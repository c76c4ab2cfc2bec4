//! Reading a scenario's RON text, with errors that point into it.

use std::ops::Range;

use ron::extensions::Extensions;
use simsock_model::scenario::Scenario;

/// What is wrong with a scenario, and where (a byte range of its text).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ScenarioError {
    pub message: String,
    pub span: Option<Range<usize>>,
    pub help: Option<String>,
}

impl ScenarioError {
    pub fn new(message: impl Into<String>) -> Self {
        ScenarioError {
            message: message.into(),
            span: None,
            help: None,
        }
    }

    pub fn at(mut self, span: Option<Range<usize>>) -> Self {
        self.span = span;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// 1-based line and column of the start of the span in `source`.
    pub fn line_col(&self, source: &str) -> Option<(usize, usize)> {
        let start = self.span.as_ref()?.start.min(source.len());
        let before = &source[..start];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Some((line, col))
    }
}

/// Parses RON text (`Option` fields may be written without `Some`).
pub fn parse(source: &str) -> Result<Scenario, ScenarioError> {
    let options = ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME);
    options.from_str(source).map_err(|e| {
        let start = offset(source, e.span.start.line, e.span.start.col);
        let end = offset(source, e.span.end.line, e.span.end.col)
            .max(start + 1)
            .min(source.len().max(start));
        ScenarioError::new(e.code.to_string()).at(Some(start..end))
    })
}

/// Byte offset of a 1-based line and column (in characters).
fn offset(source: &str, line: usize, col: usize) -> usize {
    let line_start: usize = source
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &source[line_start.min(source.len())..];
    let in_line: usize = rest
        .chars()
        .take(col.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    (line_start + in_line).min(source.len())
}

/// The span of the `nth` (0-based) occurrence of `key: "value"` in `source`
/// (of `"value"` anywhere when `key` is empty), pointing at the quoted value;
/// for semantic errors, which serde cannot locate.
pub fn find_value(source: &str, key: &str, value: &str, nth: usize) -> Option<Range<usize>> {
    let quoted = format!("\"{value}\"");
    let mut seen = 0;
    for (pos, _) in source.match_indices(&quoted) {
        let before = source[..pos].trim_end();
        if key.is_empty() || before.ends_with(&format!("{key}:")) {
            if seen == nth {
                return Some(pos..pos + quoted.len());
            }
            seen += 1;
        }
    }
    None
}

/// The span of the first `"value"` after byte `from`.
pub fn find_quoted_after(source: &str, value: &str, from: usize) -> Option<Range<usize>> {
    let quoted = format!("\"{value}\"");
    let start = from.min(source.len());
    source[start..]
        .find(&quoted)
        .map(|i| start + i..start + i + quoted.len())
}

/// The span of the first `key:` after byte `from`.
pub fn find_key(source: &str, key: &str, from: usize) -> Option<Range<usize>> {
    let needle = format!("{key}:");
    let start = from.min(source.len());
    source[start..]
        .find(&needle)
        .map(|i| start + i..start + i + key.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_point_at_line_and_column() {
        let src = "Scenario(\n  name: \"x\",\n  hosts: [ Host(name: 3) ],\n)";
        let err = parse(src).unwrap_err();
        assert_eq!(err.line_col(src).map(|(l, _)| l), Some(3));
    }

    #[test]
    fn finds_quoted_values_after_their_key() {
        let src = "a: \"x\", host: \"x\"";
        assert_eq!(find_value(src, "host", "x", 0), Some(14..17));
    }
}
