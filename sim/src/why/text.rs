//! How the causal chain writes times and lists.

use simsock_model::SimTime;

const NS_PER_S: u64 = 1_000_000_000;
const NS_PER_MS: u64 = 1_000_000;

/// A point in time with milliseconds: `21.000 s`.
pub(super) fn at(t: SimTime) -> String {
    let text = t.to_string(); // `21.000s`
    match text.strip_suffix('s') {
        Some(number) => format!("{number} s"),
        None => text,
    }
}

/// A time without trailing zeros, for lists: `0`, `3`, `0.503`.
pub(super) fn short(t: SimTime) -> String {
    let ns = t.as_nanos();
    let (secs, frac) = (ns / NS_PER_S, ns % NS_PER_S);
    if frac == 0 {
        return secs.to_string();
    }
    let digits = if frac % NS_PER_MS == 0 {
        format!("{:03}", frac / NS_PER_MS)
    } else {
        format!("{frac:09}")
    };
    format!("{secs}.{}", digits.trim_end_matches('0'))
}

/// `0, 3 and 9 s`.
pub(super) fn times(ts: &[SimTime]) -> String {
    let texts: Vec<String> = ts.iter().map(|t| short(*t)).collect();
    match texts.split_last() {
        None => String::new(),
        Some((last, [])) => format!("{last} s"),
        Some((last, rest)) => format!("{} and {last} s", rest.join(", ")),
    }
}

/// Groups times by key, keys in the order first seen.
pub(super) fn grouped<K: PartialEq>(items: Vec<(K, SimTime)>) -> Vec<(K, Vec<SimTime>)> {
    let mut groups: Vec<(K, Vec<SimTime>)> = Vec::new();
    for (key, t) in items {
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, ts)) => ts.push(t),
            None => groups.push((key, vec![t])),
        }
    }
    groups
}

/// `1 port`, `3 ports`.
pub(super) fn plural(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ => format!("{n} {noun}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> SimTime {
        SimTime::from_nanos(n * NS_PER_MS)
    }

    #[test]
    fn times_read_like_a_sentence() {
        assert_eq!(at(ms(21_000)), "21.000 s");
        assert_eq!(short(ms(0)), "0");
        assert_eq!(short(ms(503)), "0.503");
        assert_eq!(short(ms(1_500)), "1.5");
        assert_eq!(short(SimTime::from_nanos(1_500)), "0.0000015");
        assert_eq!(times(&[ms(0), ms(3_000), ms(9_000)]), "0, 3 and 9 s");
        assert_eq!(times(&[ms(1)]), "0.001 s");
    }

    #[test]
    fn groups_keep_first_seen_order() {
        let g = grouped(vec![("b", ms(1)), ("a", ms(2)), ("b", ms(3))]);
        assert_eq!(g, [("b", vec![ms(1), ms(3)]), ("a", vec![ms(2)])]);
        assert_eq!(plural(1, "port"), "1 port");
        assert_eq!(plural(3, "port"), "3 ports");
    }
}
