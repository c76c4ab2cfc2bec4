//! One line of a terminal diagram: a fixed number of cells, each a
//! character and a tone, rendered with or without ANSI colour.
//!
//! A cell is one display column: a wide character (`サ`, two columns by
//! `unicode-width`) takes its cell and the next, which holds [`WIDE_TAIL`]
//! and renders as nothing, so the columns after it stay aligned.

use super::story::Tone;
use crate::output::width::{char_width, display};

/// The second cell of a wide character.
pub const WIDE_TAIL: char = '\u{0}';

/// A line of cells.
#[derive(Clone, Debug)]
pub struct Row {
    cells: Vec<(char, Tone)>,
}

impl Row {
    /// A blank line `width` cells wide with `bar` drawn at each of `lanes`.
    pub fn new(width: usize, lanes: &[usize], bar: char) -> Row {
        let mut row = Row {
            cells: vec![(' ', Tone::Plain); width],
        };
        for &x in lanes {
            row.set(x, bar, Tone::Dim);
        }
        row
    }

    /// Sets one cell; cells past the end are ignored.
    pub fn set(&mut self, x: usize, c: char, tone: Tone) {
        if let Some(cell) = self.cells.get_mut(x) {
            *cell = (c, tone);
        }
    }

    /// Writes `text` from cell `x`, clipped at the end of the line.
    pub fn put(&mut self, x: usize, text: &str, tone: Tone) {
        for (i, c) in columns(text).into_iter().enumerate() {
            self.set(x + i, c, tone);
        }
    }

    /// Writes `text` so that it ends just before cell `end`.
    pub fn put_before(&mut self, end: usize, text: &str, tone: Tone) {
        let start = end.saturating_sub(display(text));
        self.put(start, text, tone);
    }

    /// Draws `c` over the cells `from..to`.
    pub fn fill(&mut self, from: usize, to: usize, c: char, tone: Tone) {
        for x in from..to {
            self.set(x, c, tone);
        }
    }

    /// The line without trailing blanks, coloured if `color`.
    pub fn render(&self, color: bool) -> String {
        let end = self
            .cells
            .iter()
            .rposition(|(c, _)| *c != ' ')
            .map_or(0, |i| i + 1);
        let mut out = String::new();
        let mut current = Tone::Plain;
        for &(c, tone) in &self.cells[..end] {
            if c == WIDE_TAIL {
                continue;
            }
            if color && tone != current && c != ' ' {
                out.push_str(ansi(tone));
                current = tone;
            }
            out.push(c);
        }
        if color && current != Tone::Plain {
            out.push_str(ansi(Tone::Plain));
        }
        out
    }
}

/// The escape that switches to `tone` (SGR codes, ECMA-48 §8.3.117).
fn ansi(tone: Tone) -> &'static str {
    match tone {
        Tone::Plain => "\x1b[0m",
        Tone::Dim => "\x1b[0;2m",
        Tone::Ok => "\x1b[0;32m",
        Tone::Error | Tone::Drop => "\x1b[0;31m",
        Tone::State => "\x1b[0;33m",
        Tone::Packet => "\x1b[0;36m",
        Tone::Fault => "\x1b[0;35m",
    }
}

/// The characters of `text`, one per display column: a wide character is
/// followed by a [`WIDE_TAIL`]; zero-width characters are left out.
pub fn columns(text: &str) -> Vec<char> {
    let mut cells = Vec::with_capacity(text.len());
    for c in text.chars() {
        match char_width(c) {
            0 => {}
            1 => cells.push(c),
            _ => cells.extend([c, WIDE_TAIL]),
        }
    }
    cells
}

/// `text` cut to `max` display columns, with `…` if it was longer.
pub fn clip(text: &str, max: usize) -> String {
    if display(text) <= max {
        return text.to_string();
    }
    let mut cut = String::new();
    let mut used = 0;
    for c in text.chars() {
        used += char_width(c);
        if used + 1 > max {
            break;
        }
        cut.push(c);
    }
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_and_text_without_colour() {
        let mut row = Row::new(12, &[1, 10], '│');
        row.put(3, "SYN", Tone::Packet);
        assert_eq!(row.render(false), " │ SYN    │");
    }

    #[test]
    fn colour_switches_per_tone_and_resets() {
        let mut row = Row::new(4, &[], ' ');
        row.put(0, "ab", Tone::Error);
        assert_eq!(row.render(true), "\x1b[0;31mab\x1b[0m");
    }

    #[test]
    fn clip_marks_the_cut() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
        assert_eq!(clip("サーバ", 4), "サ…");
    }

    #[test]
    fn a_wide_character_takes_two_cells() {
        let mut row = Row::new(12, &[0, 8], '│');
        row.put(2, "サーバ", Tone::Plain);
        let line = row.render(false);
        assert_eq!(line, "│ サーバ│");
        assert_eq!(display(&line), 9);
    }
}
