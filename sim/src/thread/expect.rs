//! Checking a call against what its step expects.

use simsock_model::scenario::{Expect, Outcome};

use super::Completed;
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
    match (outcome, &done.result) {
        (Outcome::Ok, Ok(_)) => true,
        (Outcome::Err(want), Err(got)) => want == got,
        (Outcome::Bytes(n), Ok(Value::Bytes(m))) => n == m,
        (Outcome::Data(text), Ok(Value::Bytes(_))) => done.received == text.as_bytes(),
        (Outcome::Addr(a), Ok(Value::Addr(b))) => a == b,
        (Outcome::Value(v), Ok(Value::Number(w))) => v == w,
        (Outcome::OneOf(list), _) => list.iter().any(|o| matches(o, done)),
        (Outcome::Completion { key, bytes, error }, _) => {
            completion_matches(*key, *bytes, *error, done)
        }
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

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Ok => "OK".into(),
        Outcome::Err(e) => e.name().into(),
        Outcome::Bytes(n) => format!("{n} bytes"),
        Outcome::Data(text) => format!("data {text:?}"),
        Outcome::Addr(a) => format!("address {a}"),
        Outcome::Value(v) => format!("value {v}"),
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
    }
}

/// A result as people read it: `OK`, `OK (100 bytes)`, `WSAECONNREFUSED`.
pub fn result_text(done: &Completed<'_>) -> String {
    match &done.result {
        Err(e) => match done.received {
            // A failed completion packet: its key and bytes (ConnectEx family).
            [k0, k1, k2, k3, b0, b1, b2, b3] if matches!(done.op, crate::winsock::Op::Ex(_)) => {
                let key = u32::from_le_bytes([*k0, *k1, *k2, *k3]);
                let bytes = u32::from_le_bytes([*b0, *b1, *b2, *b3]);
                format!("{} (key {key}, {bytes} bytes)", e.name())
            }
            _ => e.name().to_string(),
        },
        Ok(Value::None) => "OK".into(),
        Ok(Value::Socket(h)) => format!("OK (socket {h:#x})"),
        Ok(Value::Bytes(n)) if !done.received.is_empty() => {
            format!(
                "OK ({n} bytes: {:?})",
                String::from_utf8_lossy(&done.received[..done.received.len().min(32)])
            )
        }
        Ok(Value::Bytes(n)) => format!("OK ({n} bytes)"),
        Ok(Value::Addr(a)) => format!("OK ({a})"),
        Ok(Value::Number(v)) => format!("OK ({v})"),
        Ok(Value::Completion { key, bytes }) => format!("OK (key {key}, {bytes} bytes)"),
    }
}
