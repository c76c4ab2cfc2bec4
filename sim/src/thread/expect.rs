//! Checking a call against what its step expects.

use simsock_model::scenario::{Expect, Outcome};

use super::Completed;

mod notify;
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
        (outcome, Ok(value)) => notify::matches(outcome, value, done),
        _ => false,
    }
}

/// An outcome as people read it: `OK`, `WSAECONNREFUSED`, `5 bytes`.
pub fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Ok => "OK".into(),
        Outcome::Err(e) => e.name().into(),
        Outcome::Bytes(n) => format!("{n} bytes"),
        Outcome::Data(text) => format!("data {text:?}"),
        Outcome::Addr(a) => format!("address {a}"),
        Outcome::Value(v) => format!("value {v}"),
        Outcome::DataFrom(text, from) => format!("data {text:?} from {from}"),
        Outcome::OneOf(list) => list.iter().map(describe).collect::<Vec<_>>().join(" or "),
        outcome => notify::describe(outcome),
    }
}

/// A result as people read it: `OK`, `OK (100 bytes)`, `WSAECONNREFUSED`.
pub fn result_text(done: &Completed<'_>) -> String {
    match &done.result {
        Err(e) => e.name().to_string(),
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
        Ok(Value::Datagram { bytes, from }) => format!(
            "OK ({bytes} bytes from {from}: {:?})",
            String::from_utf8_lossy(&done.received[..done.received.len().min(32)])
        ),
        Ok(value) => notify::result_text(value, done),
    }
}
