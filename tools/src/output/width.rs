//! How many columns the views fit, and the one word wrapper they share.
//!
//! The width is the terminal's when stdout is a terminal (`terminal_size`),
//! else `COLUMNS` when it is a number (as POSIX's `COLUMNS` variable means:
//! the user's preferred width), else [`DEFAULT_COLUMNS`]; clamped to
//! [`MIN_COLUMNS`]`..=`[`MAX_COLUMNS`]. Text is measured in display columns
//! (`unicode-width`: `サーバ` takes six), and wrapped by `textwrap`.

use std::env;
use std::io::{self, IsTerminal};

use unicode_width::UnicodeWidthChar;

/// The width when stdout is not a terminal and `COLUMNS` is not set: the
/// width the views have always had through a pipe.
pub const DEFAULT_COLUMNS: usize = 100;
/// Narrower than this, the ladder cannot hold two nodes and a note.
pub const MIN_COLUMNS: usize = 60;
/// Wider than this, lines are too long to read.
pub const MAX_COLUMNS: usize = 250;

/// The columns the views fit.
pub fn columns() -> usize {
    let terminal = io::stdout()
        .is_terminal()
        .then(terminal_size::terminal_size)
        .flatten()
        .map(|(w, _)| usize::from(w.0));
    pick(terminal, env::var("COLUMNS").ok().as_deref())
}

/// The width of running text: the columns, but no wider than `max` (a
/// paragraph much wider than ~90 columns is hard to read).
pub fn prose(max: usize) -> usize {
    columns().min(max)
}

/// The terminal's width, else `COLUMNS`, else the default; clamped.
fn pick(terminal: Option<usize>, columns_var: Option<&str>) -> usize {
    let from_env = || columns_var.and_then(|v| v.trim().parse::<usize>().ok());
    terminal
        .filter(|&w| w > 0)
        .or_else(from_env)
        .filter(|&w| w > 0)
        .unwrap_or(DEFAULT_COLUMNS)
        .clamp(MIN_COLUMNS, MAX_COLUMNS)
}

/// The display width of `text`: wide characters count two, ANSI colour
/// escapes none.
pub fn display(text: &str) -> usize {
    textwrap::core::display_width(text)
}

/// The display width of one character (a control character counts none).
pub fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// `text` padded with spaces on the right to `width` display columns.
pub fn pad(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(display(text));
    format!("{text}{:fill$}", "")
}

/// `text` padded with spaces on the left to `width` display columns.
pub fn pad_left(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(display(text));
    format!("{:fill$}{text}", "")
}

/// Greedy word wrap of `text` to lines of at most `cols` display columns;
/// runs of ASCII whitespace (newlines included) count as one space (a
/// no-break space `\u{a0}` joins two words for good), and a word
/// longer than a line gets a line of its own, unbroken (a path or an
/// address stays whole to copy).
pub fn wrap(text: &str, cols: usize) -> Vec<String> {
    let words: Vec<&str> = text.split_ascii_whitespace().collect();
    let text = words.join(" ");
    let options = textwrap::Options::new(cols.max(1))
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit)
        .break_words(false);
    textwrap::wrap(&text, options)
        .into_iter()
        .map(|line| line.into_owned())
        .filter(|line| !line.is_empty())
        .collect()
}

/// `text` wrapped to `cols` columns with `first` before its first line and
/// as many spaces before the others: a hanging indent.
pub fn hanging(first: &str, text: &str, cols: usize) -> Vec<String> {
    let lead = display(first);
    let room = cols.saturating_sub(lead).max(20);
    wrap(text, room)
        .into_iter()
        .enumerate()
        .map(|(i, line)| match i {
            0 => format!("{first}{line}"),
            _ => format!("{:lead$}{line}", ""),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_terminal_wins_then_columns_then_the_default() {
        assert_eq!(pick(Some(132), Some("80")), 132);
        assert_eq!(pick(None, Some("80")), 80);
        assert_eq!(pick(None, Some(" 90 ")), 90);
        assert_eq!(pick(None, Some("wide")), DEFAULT_COLUMNS);
        assert_eq!(pick(None, Some("0")), DEFAULT_COLUMNS);
        assert_eq!(pick(None, None), DEFAULT_COLUMNS);
        assert_eq!(pick(Some(0), None), DEFAULT_COLUMNS);
    }

    #[test]
    fn the_width_is_clamped() {
        assert_eq!(pick(None, Some("20")), MIN_COLUMNS);
        assert_eq!(pick(Some(1000), None), MAX_COLUMNS);
    }

    #[test]
    fn wide_characters_count_two_and_escapes_none() {
        assert_eq!(display("サーバ"), 6);
        assert_eq!(display("\x1b[31mFAIL\x1b[0m"), 4);
        assert_eq!(pad("サーバ", 8), "サーバ  ");
        assert_eq!(pad_left("ab", 4), "  ab");
        assert_eq!(char_width('サ'), 2);
    }

    #[test]
    fn wrap_keeps_lines_short_and_words_whole() {
        assert_eq!(
            wrap("aaa bbb ccc ddd eee", 7),
            ["aaa bbb", "ccc ddd", "eee"]
        );
        assert_eq!(
            wrap("averyveryverylongword x", 5),
            ["averyveryverylongword", "x"]
        );
        assert!(wrap("  ", 10).is_empty());
        assert_eq!(wrap("a\n  b", 10), ["a b"]);
        assert_eq!(wrap("サーバ サーバ", 10), ["サーバ", "サーバ"]);
        assert_eq!(wrap("at 1\u{a0}s", 5), ["at", "1\u{a0}s"]);
    }

    #[test]
    fn hanging_indents_the_later_lines() {
        let lines = hanging("  - ", "one two three four five six", 24);
        assert_eq!(lines, ["  - one two three four", "    five six"]);
    }
}
