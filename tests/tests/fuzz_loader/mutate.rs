//! Deterministic mutations of scenario text: byte flips, token splices
//! between two scenarios, changed numbers, and repeated or dropped lines.
//! Every choice comes from [`Rng`], so a seed and an execution number name
//! one input exactly.

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, and the same on
/// every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Byte ranges of the tokens of RON-like text: words (identifiers, numbers
/// with their unit), quoted strings, runs of white space, single
/// punctuation characters.
pub fn tokens(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let b = bytes[i];
        if b == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(bytes.len());
        } else if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-' {
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'.' | b'-'))
            {
                i += 1;
            }
        } else if b.is_ascii_whitespace() {
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
        } else {
            i += 1;
            while i < bytes.len() && !text.is_char_boundary(i) {
                i += 1;
            }
        }
        out.push(start..i);
    }
    out
}

/// Values that sit on the edges of what a field may hold.
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "63",
    "64",
    "255",
    "256",
    "65535",
    "65536",
    "100000",
    "100001",
    "1000000",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999",
    "1e308",
    "0.5",
    "-0",
    "0x10",
];

const UNITS: &[&str] = &["", "ns", "us", "ms", "s", "m", "h", "d", "x", "ms5"];

/// One mutation of `text`, drawing from `other` for splices.
pub fn mutate_once(text: &mut Vec<u8>, other: &str, rng: &mut Rng) {
    match rng.below(6) {
        0 => flip_byte(text, rng),
        1 => splice(text, other, rng),
        2 | 3 => change_number(text, rng),
        4 => repeat_or_drop_line(text, rng),
        _ => insert_token(text, other, rng),
    }
}

fn flip_byte(text: &mut Vec<u8>, rng: &mut Rng) {
    if text.is_empty() {
        text.push(rng.next() as u8);
        return;
    }
    let i = rng.below(text.len());
    match rng.below(3) {
        0 => text[i] ^= 1 << rng.below(8),
        1 => text[i] = *rng.pick(b"()[]{},:\"\\/ \n0Z\xff\xc3"),
        _ => {
            text.remove(i);
        }
    }
}

/// Replaces a run of tokens with a run from the other scenario.
fn splice(text: &mut Vec<u8>, other: &str, rng: &mut Rng) {
    let own = String::from_utf8_lossy(text).into_owned();
    let (mine, theirs) = (tokens(&own), tokens(other));
    if mine.is_empty() || theirs.is_empty() {
        return;
    }
    let a = rng.below(mine.len());
    let a_end = (a + 1 + rng.below(8)).min(mine.len());
    let b = rng.below(theirs.len());
    let b_end = (b + 1 + rng.below(16)).min(theirs.len());
    let mut out = own.as_bytes()[..mine[a].start].to_vec();
    out.extend_from_slice(&other.as_bytes()[theirs[b].start..theirs[b_end - 1].end]);
    out.extend_from_slice(&own.as_bytes()[mine[a_end - 1].end..]);
    *text = out;
}

/// Puts one token of the other scenario somewhere between two tokens.
fn insert_token(text: &mut Vec<u8>, other: &str, rng: &mut Rng) {
    let own = String::from_utf8_lossy(text).into_owned();
    let (mine, theirs) = (tokens(&own), tokens(other));
    if mine.is_empty() || theirs.is_empty() {
        return;
    }
    let at = mine[rng.below(mine.len())].start;
    let token = &other.as_bytes()[theirs[rng.below(theirs.len())].clone()];
    let mut out = own.as_bytes()[..at].to_vec();
    out.extend_from_slice(token);
    out.extend_from_slice(&own.as_bytes()[at..]);
    *text = out;
}

/// Replaces a number (a word that starts with a digit, or a quoted
/// duration) with an edge value and perhaps another unit.
fn change_number(text: &mut Vec<u8>, rng: &mut Rng) {
    let own = String::from_utf8_lossy(text).into_owned();
    let numbers: Vec<_> = tokens(&own)
        .into_iter()
        .filter(|t| {
            let word = own[t.clone()].trim_start_matches(['"', '-']);
            word.starts_with(|c: char| c.is_ascii_digit())
        })
        .collect();
    if numbers.is_empty() {
        return;
    }
    let t = numbers[rng.below(numbers.len())].clone();
    let quoted = own[t.clone()].starts_with('"');
    let value = format!("{}{}", rng.pick(NUMBERS), rng.pick(UNITS));
    let value = if quoted {
        format!("\"{value}\"")
    } else {
        value
    };
    let mut out = own.as_bytes()[..t.start].to_vec();
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(&own.as_bytes()[t.end..]);
    *text = out;
}

fn repeat_or_drop_line(text: &mut Vec<u8>, rng: &mut Rng) {
    let lines: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').collect();
    if lines.is_empty() {
        return;
    }
    let i = rng.below(lines.len());
    let times = match rng.below(3) {
        0 => 0,
        1 => 2,
        _ => 1 + rng.below(40),
    };
    let mut out = Vec::with_capacity(text.len() * 2);
    for (k, line) in lines.iter().enumerate() {
        let n = if k == i { times } else { 1 };
        for _ in 0..n {
            out.extend_from_slice(line);
        }
    }
    *text = out;
}
