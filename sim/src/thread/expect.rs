//! Checking a call against what its step expects.

use std::borrow::Cow;

use simsock_model::scenario::{Expect, Outcome};

use super::Completed;

mod notify;
mod wincalls;
use crate::winsock::Value;

/// `None` if the call met the expectation, else what went wrong.
pub fn check(expect: &Expect, done: &Completed<'_>) -> Option<String> {
    if let Some(outcome) = &expect.result
        && !matches(outcome, done)
    {
        return Some(format!(
            "expected {}, got {}",
            describe(outcome),
            result_text(done)
        ));
    }
    let took = done.end.since(done.start);
    let at = simsock_model::SimDuration(done.end.as_nanos());
    if let Some(spec) = expect.at.filter(|s| !s.holds(at)) {
        return Some(format!(
            "expected to return at {spec}, returned at {}",
            done.end
        ));
    }
    if let Some(spec) = expect.took.filter(|s| !s.holds(took)) {
        return Some(format!("expected to take {spec}, took {took}"));
    }
    None
}

fn matches(outcome: &Outcome, done: &Completed<'_>) -> bool {
    if let Some(met) = wincalls::matches(outcome, done) {
        return met; // WSAPoll, WSAConnectByName (issue 14, item 3)
    }
    match (outcome, &done.result) {
        (Outcome::Ok, Ok(_)) => true,
        (Outcome::Err(want), Err(got)) => want == got,
        (Outcome::Errno(want), Err(_)) => done.errno == Some(*want),
        (Outcome::Bytes(n), Ok(Value::Bytes(m) | Value::Datagram { bytes: m, .. })) => n == m,
        (Outcome::Data(text), Ok(Value::Bytes(_) | Value::Datagram { .. })) => {
            done.received == text.as_bytes()
        }
        (Outcome::DataFrom(text, want), Ok(Value::Datagram { from, .. })) => {
            from == want && done.received == text.as_bytes()
        }
        (Outcome::Addr(a), Ok(Value::Addr(b))) => a == b,
        (Outcome::Value(v), Ok(Value::Number(w))) => v == w,
        (Outcome::OneOf(list), _) => list.iter().any(|o| matches(o, done)),
        (Outcome::Completion { key, bytes, error }, _) => {
            completion_matches(*key, *bytes, *error, done)
        }
        (outcome, Ok(value)) => notify::matches(outcome, value, done),
        _ => false,
    }
}

/// A GetQueuedCompletionStatus result against `Completion(key, bytes,
/// error)` (ConnectEx family): a failed packet's key and byte count are the
/// call's out-parameters, 8 bytes LE in `received` (`winsock/overlapped.rs`).
fn completion_matches(
    key: Option<u32>,
    bytes: Option<u32>,
    error: Option<simsock_model::WsaError>,
    done: &Completed<'_>,
) -> bool {
    let (got_key, got_bytes, got_error) = match (&done.result, done.received) {
        (Ok(Value::Completion { key, bytes }), _) => (*key, *bytes, None),
        (Err(e), [k0, k1, k2, k3, b0, b1, b2, b3]) => (
            u32::from_le_bytes([*k0, *k1, *k2, *k3]),
            u32::from_le_bytes([*b0, *b1, *b2, *b3]),
            Some(*e),
        ),
        _ => return false,
    };
    key.is_none_or(|k| k == got_key) && bytes.is_none_or(|b| b == got_bytes) && error == got_error
}

/// The error code an outcome expects: `Err(code)`, or a completion that
/// carries `code` (an overlapped call's outcome, CB-X4).
pub fn expected_error(outcome: &Outcome) -> Option<simsock_model::WsaError> {
    match outcome {
        Outcome::Err(code) => Some(*code),
        Outcome::Completion { error, .. } => *error,
        _ => None,
    }
}

/// An outcome as people read it: `OK`, `WSAECONNREFUSED`, `5 bytes`.
pub fn describe(outcome: &Outcome) -> String {
    if let Some(text) = wincalls::describe(outcome) {
        return text; // WSAPoll, WSAConnectByName (issue 14, item 3)
    }
    match outcome {
        Outcome::Ok => "OK".into(),
        Outcome::Err(e) => e.name().into(),
        Outcome::Errno(e) => e.name().into(),
        Outcome::Bytes(n) => format!("{n} bytes"),
        Outcome::Data(text) => format!("data {text:?}"),
        Outcome::Addr(a) => format!("address {a}"),
        Outcome::Value(v) => format!("value {v}"),
        Outcome::DataFrom(text, from) => format!("data {text:?} from {from}"),
        Outcome::OneOf(list) => list.iter().map(describe).collect::<Vec<_>>().join(" or "),
        Outcome::Completion { key, bytes, error } => {
            let mut parts = vec![];
            if let Some(k) = key {
                parts.push(format!("key {k}"));
            }
            if let Some(b) = bytes {
                parts.push(format!("{b} bytes"));
            }
            parts.push(error.map_or("no error".into(), |e| e.name().to_string()));
            format!("a completion ({})", parts.join(", "))
        }
        outcome => notify::describe(outcome),
    }
}

/// A result as people read it: `OK`, `OK (100 bytes)`, `WSAECONNREFUSED`;
/// the plain ones are static text, not allocated (a sweep formats every
/// call's result for its trace line; issue 18, item 5).
pub fn result_text(done: &Completed<'_>) -> Cow<'static, str> {
    if let Some(text) = wincalls::result_text(done) {
        return text.into(); // WSAPoll, WSAConnectByName (issue 14, item 3)
    }
    match &done.result {
        Err(e) => match done.received {
            // A failed completion packet: its key and bytes (ConnectEx family).
            [k0, k1, k2, k3, b0, b1, b2, b3] if matches!(done.op, crate::winsock::Op::Ex(_)) => {
                let key = u32::from_le_bytes([*k0, *k1, *k2, *k3]);
                let bytes = u32::from_le_bytes([*b0, *b1, *b2, *b3]);
                format!("{} (key {key}, {bytes} bytes)", e.name()).into()
            }
            _ => done.errno.map_or(e.name(), |errno| errno.name()).into(),
        },
        Ok(Value::None) => "OK".into(),
        // Performance: the common results are written without core::fmt
        // (issue 18, item 5); the same text as `format!("OK (socket
        // {h:#x})")` and `format!("OK ({n} bytes)")`.
        Ok(Value::Socket(h)) => {
            let mut text = String::with_capacity(24);
            text.push_str("OK (socket 0x");
            hex(&mut text, *h);
            text.push(')');
            text.into()
        }
        Ok(Value::Bytes(n)) if !done.received.is_empty() => format!(
            "OK ({n} bytes: {:?})",
            String::from_utf8_lossy(&done.received[..done.received.len().min(32)])
        )
        .into(),
        Ok(Value::Bytes(n)) => {
            let mut text = String::with_capacity(24);
            text.push_str("OK (");
            text.push_str(itoa::Buffer::new().format(*n));
            text.push_str(" bytes)");
            text.into()
        }
        Ok(Value::Addr(a)) => format!("OK ({a})").into(),
        Ok(Value::Number(v)) => format!("OK ({v})").into(),
        Ok(Value::Datagram { bytes, from }) => format!(
            "OK ({bytes} bytes from {from}: {:?})",
            String::from_utf8_lossy(&done.received[..done.received.len().min(32)])
        )
        .into(),
        Ok(Value::Completion { key, bytes }) => format!("OK (key {key}, {bytes} bytes)").into(),
        Ok(value) => notify::result_text(value, done).into(),
    }
}

/// `n` in lowercase hexadecimal without leading zeros, as `{n:x}` writes it.
fn hex(out: &mut String, n: u32) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digits = (32 - (n | 1).leading_zeros()).div_ceil(4);
    for i in (0..digits).rev() {
        out.push(char::from(DIGITS[(n >> (4 * i) & 0xf) as usize]));
    }
}

#[cfg(test)]
mod tests {
    use simsock_model::SimTime;

    use super::*;
    use crate::winsock::Op;

    /// The results written without `core::fmt` read as `format!` writes
    /// them.
    #[test]
    fn socket_and_byte_results_read_as_format_writes_them() {
        let op = Op::LastError;
        for n in [0, 1, 9, 0xf, 0x10, 0x100, 0x104, 0xabc_def0, u32::MAX] {
            for (value, want) in [
                (Value::Socket(n), format!("OK (socket {n:#x})")),
                (Value::Bytes(n), format!("OK ({n} bytes)")),
            ] {
                let done = Completed {
                    op: &op,
                    result: Ok(value),
                    errno: None,
                    received: &[],
                    start: SimTime(0),
                    end: SimTime(0),
                    names: &[],
                };
                assert_eq!(result_text(&done), want);
            }
        }
    }
}
