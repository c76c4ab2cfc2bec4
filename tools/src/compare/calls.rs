//! The calls of two runs, paired by host, thread and order; the pairs
//! whose result or return time differ, with each side's `why:`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use simsock_model::{Errno, WsaError};
use simsock_sim::world::CallRecord;

use super::Side;
use crate::output::human::{time, why_line};
use crate::output::style::Style;

/// The k-th call of one thread: `(host, thread, k)`.
type Key<'a> = (&'a str, &'a str, usize);

/// Writes each pair that differs, then a count; returns how many differ.
pub fn write(out: &mut dyn Write, sides: &[Side; 2], style: Style) -> io::Result<usize> {
    let [a, b] = sides.each_ref().map(|s| keyed(&s.report.calls));
    let width = sides.iter().map(|s| s.label.len()).max().unwrap_or(0);
    let (mut differ, mut renamed) = (0, 0);
    let mut order: Vec<(u64, Key<'_>)> = a.iter().map(|(k, c)| (c.end_ns, *k)).collect();
    order.extend(
        b.iter()
            .filter(|(k, _)| !a.contains_key(*k))
            .map(|(k, c)| (c.end_ns, *k)),
    );
    order.sort();
    for (_, key) in &order {
        let pair = [a.get(key).copied(), b.get(key).copied()];
        match same(pair) {
            Same::Yes => continue,
            Same::Renamed => {
                renamed += 1;
                continue;
            }
            Same::No => differ += 1,
        }
        let any = pair.iter().flatten().next().copied();
        // Invariant: a key comes from one side at least.
        let call = any.expect("a call on one side");
        writeln!(
            out,
            "  {}/{}  {}",
            call.host,
            call.thread,
            style.bold(&call.call)
        )?;
        for (side, c) in sides.iter().zip(pair) {
            side_line(out, &side.label, width, c, style)?;
        }
    }
    let total = order.len();
    let note = match renamed {
        0 => String::new(),
        n => format!("; {n} more failed alike under their own names (WSA code | errno)"),
    };
    let count = format!("{differ} of {total} calls differ in result or time{note}");
    super::wrapped(out, "", &count, None)?;
    Ok(differ)
}

fn side_line(
    out: &mut dyn Write,
    label: &str,
    width: usize,
    call: Option<&CallRecord>,
    style: Style,
) -> io::Result<()> {
    let Some(c) = call else {
        return writeln!(out, "    {label:width$}  (never returned)");
    };
    writeln!(
        out,
        "    {label:width$}  {:>9}  {}",
        time(c.end_ns),
        c.detail
    )?;
    match &c.why {
        Some(why) => why_line(out, why, 4 + width + 2, style),
        None => Ok(()),
    }
}

fn keyed(calls: &[CallRecord]) -> BTreeMap<Key<'_>, &CallRecord> {
    let mut count: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut keyed = BTreeMap::new();
    for c in calls {
        let k = count
            .entry((c.host.as_str(), c.thread.as_str()))
            .or_default();
        keyed.insert((c.host.as_str(), c.thread.as_str(), *k), c);
        *k += 1;
    }
    keyed
}

enum Same {
    Yes,
    /// The same failure at the same time, named by each side its own way
    /// (WSAECONNREFUSED | ECONNREFUSED).
    Renamed,
    No,
}

fn same(pair: [Option<&CallRecord>; 2]) -> Same {
    let [Some(a), Some(b)] = pair else {
        return Same::No;
    };
    if a.call != b.call || a.end_ns != b.end_ns {
        return Same::No;
    }
    if a.detail == b.detail {
        return Same::Yes;
    }
    match (code(&a.detail), code(&b.detail)) {
        (Some(x), Some(y)) if x == y => Same::Renamed,
        _ => Same::No,
    }
}

/// The Winsock code a result names, itself or as its errno counterpart.
fn code(detail: &str) -> Option<WsaError> {
    WsaError::lookup(detail).or_else(|| Errno::lookup(detail)?.to_wsa())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(detail: &str, end_ns: u64) -> CallRecord {
        CallRecord {
            host: "client".into(),
            thread: "main".into(),
            call: "connect(s, 192.168.9.9:80)".into(),
            result: detail.into(),
            detail: detail.into(),
            start_ns: 0,
            end_ns,
            expected: None,
            expected_code: None,
            completes: None,
            failure: None,
            why: None,
            seq: 0,
        }
    }

    /// The same failure at the same time under each side's own name is
    /// not a difference; another code, another time or a missing call is.
    #[test]
    fn renamed_failures_are_alike() {
        let wsa = record("WSAENETUNREACH", 0);
        let linux = record("ENETUNREACH", 0);
        assert!(matches!(same([Some(&wsa), Some(&linux)]), Same::Renamed));
        assert!(matches!(same([Some(&wsa), Some(&wsa)]), Same::Yes));
        let later = record("ENETUNREACH", 5);
        assert!(matches!(same([Some(&wsa), Some(&later)]), Same::No));
        let other = record("EHOSTUNREACH", 0);
        assert!(matches!(same([Some(&wsa), Some(&other)]), Same::No));
        assert!(matches!(same([Some(&wsa), None]), Same::No));
        let inprogress = record("EINPROGRESS", 0);
        let wouldblock = record("WSAEWOULDBLOCK", 0);
        assert!(matches!(
            same([Some(&wouldblock), Some(&inprogress)]),
            Same::No
        ));
    }
}
