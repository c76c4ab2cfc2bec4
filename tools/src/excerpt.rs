//! The snippet under an error: the lines around the span, each cut to a
//! window, so a 10 MB line (a host name of 10 MB) prints a few hundred
//! bytes, not the line (it once printed 56 MB of stderr; issue 15, item 4).
//! Line and column numbers stay those of the file.

use std::ops::Range;

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Characters of a line the snippet shows at most.
pub const MAX_LINE_CHARS: usize = 120;
/// Characters shown before the span when its line is cut on the left.
const BEFORE_SPAN_CHARS: usize = 40;

/// A few lines of a file, cut to windows, as miette's source code.
#[derive(Debug)]
pub struct Excerpt {
    name: String,
    text: String,
    /// The file's line (0-based) of the excerpt's first line.
    first_line: usize,
    /// The label's span in `text`, and the file's column (0-based, in
    /// characters) where it starts.
    label: Range<usize>,
    label_column: usize,
}

impl Excerpt {
    /// The lines of `source` around `span` (one before, one after), each
    /// at most [`MAX_LINE_CHARS`] characters around the span.
    pub fn new(name: &str, source: &str, span: Range<usize>) -> Excerpt {
        let span = simsock_sim::scenario::on_char_boundaries(span, source);
        let line_start = source[..span.start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[span.start..]
            .find('\n')
            .map_or(source.len(), |i| span.start + i);
        let first = source[..line_start.saturating_sub(1)]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let first = if line_start == 0 { 0 } else { first };
        let last = source[line_end.min(source.len())..]
            .char_indices()
            .skip(1)
            .find(|(_, c)| *c == '\n')
            .map_or(source.len(), |(i, _)| line_end + i);
        let mut out = Excerpt {
            name: name.to_string(),
            text: String::new(),
            first_line: source[..first].matches('\n').count(),
            label: 0..0,
            label_column: source[line_start..span.start].chars().count(),
        };
        let mut at = first;
        for line in source[first..last].split('\n') {
            if at == line_start {
                out.push_span_line(line, span.start - at, span.end.min(line_end) - at);
            } else {
                out.push_line(line, 0);
            }
            at += line.len() + 1;
        }
        out
    }

    /// A line from byte `from`, at most [`MAX_LINE_CHARS`] characters;
    /// returns where it starts in the excerpt and how many bytes of it show.
    fn push_line(&mut self, line: &str, from: usize) -> (usize, usize) {
        let cut_left = from > 0;
        let to = line[from..]
            .char_indices()
            .nth(MAX_LINE_CHARS)
            .map_or(line.len(), |(i, _)| from + i);
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        if cut_left {
            self.text.push_str("... ");
        }
        let start = self.text.len();
        self.text.push_str(&line[from..to]);
        if to < line.len() {
            self.text.push_str(" ...");
        }
        (start, to - from)
    }

    /// The span's line, cut on the left when the span starts far in, with
    /// the label (`start..end` in `line`) kept inside the window.
    fn push_span_line(&mut self, line: &str, start: usize, end: usize) {
        let column = line[..start].chars().count();
        let from = match column > BEFORE_SPAN_CHARS + 20 {
            true => line[..start]
                .char_indices()
                .nth(column - BEFORE_SPAN_CHARS)
                .map_or(0, |(i, _)| i),
            false => 0,
        };
        let (text_start, shown) = self.push_line(line, from);
        let label_start = text_start + (start - from);
        let label_end = text_start + (end - from).min(shown);
        self.label = label_start..label_end.max(label_start);
    }

    /// The label's span in the excerpt.
    pub fn label(&self) -> SourceSpan {
        SourceSpan::from(self.label.clone())
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        // The header's column: the file's, not the cut line's.
        let column = match span.offset() == self.label.start && before == 0 && after == 0 {
            true => self.label_column,
            false => inner.column(),
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_line_is_cut_around_the_span() {
        let name = "x".repeat(1_000_000);
        let source = format!("Scenario(\n  hosts: [Host(name: \"{name}\")],\n)");
        let start = source.find("\"x").unwrap();
        let e = Excerpt::new("f.ron", &source, start..start + name.len() + 2);
        assert!(e.text.len() < 3 * MAX_LINE_CHARS, "{}", e.text.len());
        assert_eq!(&e.text[e.label.clone()][..3], "\"xx");
        assert_eq!(e.first_line, 0);
        let far = source.rfind('"').unwrap();
        let e = Excerpt::new("f.ron", &source, far..far + 1);
        assert!(e.text.contains("... xxx"));
        assert_eq!(&e.text[e.label.clone()], "\"");
        assert_eq!(e.label_column, far - source.find("  hosts").unwrap());
    }

    #[test]
    fn short_lines_are_kept_whole() {
        let source = "a\nbb\ncc: 1\ndd\nee";
        let e = Excerpt::new("f.ron", source, 9..10);
        assert_eq!(e.text, "bb\ncc: 1\ndd");
        assert_eq!(e.first_line, 1);
        assert_eq!(&e.text[e.label.clone()], "1");
    }
}
