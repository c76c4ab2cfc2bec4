//! Where a value of a parsed scenario is written in its text. serde gives
//! the parsed values no positions, so a semantic error finds its value by a
//! path (`threads[2].steps[0].steps[1].max`) through a small scan of RON's
//! structure: strings, characters, comments and brackets, nothing more. A
//! search for the first `max:` in the file would point at another step's
//! key (issue 15, item 4).
//!
//! Every span starts and ends on an ASCII byte or the end of the text, so
//! it lies on char boundaries.

use std::ops::Range;

/// One step of a path: a named field of a struct, or the `n`th element of
/// a list or of a tuple (`Sleep("1ms")` has element 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// The span of the value at `path` from the top of `source`: the whole
/// value for a number or a string, its name (`Repeat`) for a named struct
/// or variant, else the whole bracket. `None` when the text does not hold
/// it (a scenario built in code).
pub fn span_of(source: &str, path: &[Seg<'_>]) -> Option<Range<usize>> {
    let scan = Scan {
        text: source.as_bytes(),
    };
    let mut at = scan.skip_blank(0);
    for seg in path {
        at = scan.child(at, *seg)?;
    }
    let end = scan.value_end(at)?;
    let name_end = scan.ident_end(at);
    let head = match name_end > at && scan.text.get(scan.skip_blank(name_end)) == Some(&b'(') {
        true => at..name_end,
        false => at..end,
    };
    Some(head)
}

struct Scan<'a> {
    text: &'a [u8],
}

impl Scan<'_> {
    /// Skips whitespace and comments (`//` to the end of the line, `/* */`
    /// nested, as RON reads them).
    fn skip_blank(&self, mut at: usize) -> usize {
        let t = self.text;
        loop {
            match (t.get(at), t.get(at + 1)) {
                (Some(c), _) if c.is_ascii_whitespace() => at += 1,
                (Some(b'/'), Some(b'/')) => {
                    while t.get(at).is_some_and(|c| *c != b'\n') {
                        at += 1;
                    }
                }
                (Some(b'/'), Some(b'*')) => at = self.block_comment_end(at),
                _ => return at,
            }
        }
    }

    fn block_comment_end(&self, mut at: usize) -> usize {
        let t = self.text;
        let mut depth = 0usize;
        while at < t.len() {
            match (t[at], t.get(at + 1)) {
                (b'/', Some(b'*')) => (depth, at) = (depth + 1, at + 2),
                (b'*', Some(b'/')) => {
                    (depth, at) = (depth - 1, at + 2);
                    if depth == 0 {
                        return at;
                    }
                }
                _ => at += 1,
            }
        }
        t.len()
    }

    /// The end of an identifier (or number, or other bare word) at `at`.
    fn ident_end(&self, mut at: usize) -> usize {
        while self.text.get(at).is_some_and(|c| {
            c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'+' | b'-') || *c >= 0x80
        }) {
            at += 1;
        }
        at
    }

    /// The end of the value that starts at `at`.
    fn value_end(&self, at: usize) -> Option<usize> {
        let t = self.text;
        match *t.get(at)? {
            b'"' => self.string_end(at + 1, 0),
            b'r' if matches!(t.get(at + 1), Some(b'"' | b'#')) => self.raw_string_end(at + 1),
            b'b' if t.get(at + 1) == Some(&b'"') => self.string_end(at + 2, 0),
            b'\'' => self.char_end(at + 1),
            b'(' | b'[' | b'{' => self.bracket_end(at),
            _ => {
                let end = self.ident_end(at);
                let next = self.skip_blank(end);
                match t.get(next) {
                    Some(b'(') if end > at => self.bracket_end(next),
                    _ => (end > at).then_some(end),
                }
            }
        }
    }

    /// The end of a `"..."` string whose text starts at `at` (`hashes`
    /// `#` after the closing quote for a raw string).
    fn string_end(&self, mut at: usize, hashes: usize) -> Option<usize> {
        let t = self.text;
        while at < t.len() {
            match t[at] {
                b'\\' if hashes == 0 => at += 2,
                b'"' if t[at + 1..]
                    .iter()
                    .take(hashes)
                    .filter(|c| **c == b'#')
                    .count()
                    == hashes =>
                {
                    return Some(at + 1 + hashes);
                }
                _ => at += 1,
            }
        }
        None
    }

    fn raw_string_end(&self, mut at: usize) -> Option<usize> {
        let mut hashes = 0;
        while self.text.get(at) == Some(&b'#') {
            (hashes, at) = (hashes + 1, at + 1);
        }
        (self.text.get(at) == Some(&b'"')).then_some(())?;
        self.string_end(at + 1, hashes)
    }

    fn char_end(&self, mut at: usize) -> Option<usize> {
        if self.text.get(at) == Some(&b'\\') {
            at += 2;
        }
        while self.text.get(at).is_some_and(|c| *c != b'\'') {
            at += 1;
        }
        self.text.get(at).map(|_| at + 1)
    }

    /// Whether a raw or byte string starts at `at` (`r"`, `r#"`, `b"`).
    fn starts_string(&self, at: usize) -> bool {
        let word_before = at > 0 && {
            let c = self.text[at - 1];
            c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
        };
        !word_before && matches!(self.text.get(at + 1), Some(b'"' | b'#'))
    }

    /// The end of the bracket that opens at `at`, past its closing bracket.
    fn bracket_end(&self, at: usize) -> Option<usize> {
        let mut depth = 0usize;
        let mut i = at;
        while i < self.text.len() {
            match self.text[i] {
                b'(' | b'[' | b'{' => (depth, i) = (depth + 1, i + 1),
                b')' | b']' | b'}' => {
                    (depth, i) = (depth - 1, i + 1);
                    if depth == 0 {
                        return Some(i);
                    }
                }
                b'"' | b'\'' => i = self.value_end(i)?,
                b'r' | b'b' if self.starts_string(i) => i = self.value_end(i)?,
                b'/' if matches!(self.text.get(i + 1), Some(b'/' | b'*')) => i = self.skip_blank(i),
                _ => i += 1,
            }
        }
        None
    }

    /// The start of the value `seg` names inside the value at `at`.
    fn child(&self, at: usize, seg: Seg<'_>) -> Option<usize> {
        let t = self.text;
        let name_end = self.ident_end(at);
        let open = match t.get(at)? {
            b'(' | b'[' | b'{' => at,
            _ => self.skip_blank(name_end),
        };
        if !matches!(t.get(open)?, b'(' | b'[' | b'{') {
            return None;
        }
        let mut i = self.skip_blank(open + 1);
        let mut index = 0;
        while !matches!(t.get(i)?, b')' | b']' | b'}') {
            let key_end = self.ident_end(i);
            let after_key = self.skip_blank(key_end);
            let keyed = key_end > i && t.get(after_key) == Some(&b':');
            let value = match keyed {
                true => self.skip_blank(after_key + 1),
                false => i,
            };
            let found = match seg {
                Seg::Key(key) => keyed && &t[i..key_end] == key.as_bytes(),
                Seg::Index(n) => !keyed && n == index,
            };
            if found {
                return Some(value);
            }
            index += 1;
            i = self.skip_blank(self.value_end(value)?);
            if t.get(i) == Some(&b',') {
                i = self.skip_blank(i + 1);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Seg::{Index, Key};

    const TEXT: &str = r#"Scenario( // a "comment" with ( and [
    name: "x(", /* nested /* ( */ [ */
    threads: [
        Thread(host: "h", steps: [
            Send(socket: "s", len: 5),
            Repeat(times: 2, steps: [Sleep("1ms"), Recv(socket: "s", max: 7)]),
        ]),
    ],
)"#;

    fn at(path: &[Seg<'_>]) -> &'static str {
        &TEXT[span_of(TEXT, path).expect("found")]
    }

    #[test]
    fn finds_a_value_by_its_path_not_the_first_key() {
        let repeat = [Key("threads"), Index(0), Key("steps"), Index(1)];
        assert_eq!(at(&repeat), "Repeat");
        assert_eq!(at(&[&repeat[..], &[Key("times")]].concat()), "2");
        let recv = [&repeat[..], &[Key("steps"), Index(1), Key("max")]].concat();
        assert_eq!(at(&recv), "7");
        let sleep = [&repeat[..], &[Key("steps"), Index(0), Index(0)]].concat();
        assert_eq!(at(&sleep), "\"1ms\"");
        assert_eq!(at(&[Key("name")]), "\"x(\"");
    }

    #[test]
    fn misses_cleanly() {
        assert_eq!(span_of(TEXT, &[Key("threads"), Index(5)]), None);
        assert_eq!(span_of("Scenario(name: \"unterminated", &[Key("x")]), None);
    }
}
