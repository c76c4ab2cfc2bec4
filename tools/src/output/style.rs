//! Terminal colour: plain ANSI codes, only when stdout is a terminal.

use std::fmt::Display;

/// Whether to colour the human output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

const BOLD: &str = "1";
const DIM: &str = "2";
const RED: &str = "31";
const GREEN: &str = "32";

impl Style {
    pub fn bold(self, text: impl Display) -> String {
        self.paint(BOLD, text)
    }

    pub fn dim(self, text: impl Display) -> String {
        self.paint(DIM, text)
    }

    pub fn red(self, text: impl Display) -> String {
        self.paint(RED, text)
    }

    pub fn green(self, text: impl Display) -> String {
        self.paint(GREEN, text)
    }

    fn paint(self, code: &str, text: impl Display) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_has_no_escapes() {
        assert_eq!(Style { color: false }.red("FAIL"), "FAIL");
    }

    #[test]
    fn color_wraps_in_ansi() {
        assert_eq!(Style { color: true }.green("PASS"), "\x1b[32mPASS\x1b[0m");
    }
}
