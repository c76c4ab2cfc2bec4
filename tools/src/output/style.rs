//! Terminal colour: plain ANSI codes, when the colour policy allows them.
//!
//! The policy is anstream's: `--color always|never` wins; with `auto` (the
//! default) `CLICOLOR_FORCE` turns colour on, `NO_COLOR` off
//! (<https://no-color.org>), and otherwise stdout must be a terminal.

use std::fmt::Display;
use std::io;

use anstream::{AutoStream, ColorChoice};

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
    /// The style of text written to stdout, by the colour policy.
    pub fn stdout() -> Style {
        Style {
            color: AutoStream::choice(&io::stdout()) != ColorChoice::Never,
        }
    }

    /// Sets the policy from `--color` for the whole process.
    pub fn set_choice(choice: ColorChoice) {
        choice.write_global();
    }

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
