//! One line of a terminal diagram: a fixed number of cells, each a
//! character and a tone, rendered with or without ANSI colour.

use super::story::Tone;

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
        for (i, c) in text.chars().enumerate() {
            self.set(x + i, c, tone);
        }
    }

    /// Writes `text` so that it ends just before cell `end`.
    pub fn put_before(&mut self, end: usize, text: &str, tone: Tone) {
        let start = end.saturating_sub(text.chars().count());
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

/// `text` cut to `max` characters, with `…` if it was longer.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
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
    }
}
