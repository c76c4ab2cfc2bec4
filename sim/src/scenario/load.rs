//! Reading a scenario's RON text, with errors that point into it.

use std::ops::Range;

use ron::extensions::Extensions;
use simsock_model::scenario::Scenario;

/// What is wrong with a scenario, and where (a byte range of its text).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ScenarioError {
    /// What is wrong, cut to [`MAX_MESSAGE_CHARS`] characters.
    pub message: String,
    /// The byte range of the scenario's text it is about, if known; the
    /// CLI turns it into file, line, column and a snippet.
    pub span: Option<Range<usize>>,
    /// How to fix it, if there is a hint (e.g. "add a host").
    pub help: Option<String>,
}

impl ScenarioError {
    /// An error with `message`, cut to [`MAX_MESSAGE_CHARS`].
    pub fn new(message: impl Into<String>) -> Self {
        ScenarioError {
            message: cut(message.into()),
            span: None,
            help: None,
        }
    }

    /// Points the error at `span` of the scenario's text.
    pub fn at(mut self, span: Option<Range<usize>>) -> Self {
        self.span = span;
        self
    }

    /// Adds help, cut to [`MAX_MESSAGE_CHARS`] (a list of 10,000 node
    /// names would be long).
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(cut(help.into()));
        self
    }

    /// 1-based line and column of the start of the span in `source`.
    pub fn line_col(&self, source: &str) -> Option<(usize, usize)> {
        let start = on_char_boundaries(self.span.clone()?, source).start;
        // A byte order mark is no column.
        let before = source[..start].trim_start_matches('\u{feff}');
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Some((line, col))
    }
}

/// The most characters of a name or value a message quotes; a longer one
/// is cut, with `...` and its length (a 10 MB host name once printed 56 MB
/// of stderr; issue 15, item 4).
pub const MAX_QUOTED_CHARS: usize = 80;

/// `text` for a message: whole when short, else its first
/// [`MAX_QUOTED_CHARS`] characters and how long it is.
pub fn quote(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        None => text.into(),
        Some((cut, _)) => format!("{}... ({} bytes)", &text[..cut], text.len()).into(),
    }
}

/// How deeply brackets may nest in a scenario file: RON's own default,
/// named here so the error can say it.
pub const MAX_NESTING: usize = 128;

/// The longest message a [`ScenarioError`] keeps, in characters; values in
/// messages are also cut by [`quote`].
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// `text` cut to [`MAX_MESSAGE_CHARS`] characters, with `...`.
fn cut(text: String) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text,
    }
}

/// Parses RON text (`Option` fields may be written without `Some`). A UTF-8
/// byte order mark at the start is skipped, as editors on Windows write one.
pub fn parse(source: &str) -> Result<Scenario, ScenarioError> {
    let bom = if source.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let body = &source[bom..];
    let options = ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME)
        .with_recursion_limit(MAX_NESTING);
    options.from_str(body).map_err(|e| {
        let start = offset(body, e.span.start.line, e.span.start.col);
        let end = offset(body, e.span.end.line, e.span.end.col);
        // At least one character, ending on a char boundary (a span that
        // ends inside `é` panics whoever slices the text with it).
        let end = end.max(next_boundary(body, start));
        let message = match e.code {
            ron::Error::ExceededRecursionLimit => {
                format!("nesting too deep: brackets may nest at most {MAX_NESTING} levels")
            }
            code => code.to_string(),
        };
        ScenarioError::new(message).at(Some(bom + start..bom + end))
    })
}

/// The byte offset of the character after the one at `at` (`at` itself at
/// the end of the text).
fn next_boundary(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(at, |c| at + c.len_utf8())
}

/// `span` moved outwards to the nearest char boundaries within `text`.
pub fn on_char_boundaries(span: Range<usize>, text: &str) -> Range<usize> {
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
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
    fn a_byte_order_mark_is_skipped_and_is_no_column() {
        let src = "\u{feff}Scenario(name: 3)";
        let err = parse(src).unwrap_err();
        assert_eq!(err.line_col(src), Some((1, 15))); // RON points at the blank before `3`
        let after_key = "\u{feff}Scenario(name:".len();
        assert_eq!(err.span.map(|s| s.start), Some(after_key));
    }

    #[test]
    fn finds_quoted_values_after_their_key() {
        let src = "a: \"x\", host: \"x\"";
        assert_eq!(find_value(src, "host", "x", 0), Some(14..17));
    }
}
