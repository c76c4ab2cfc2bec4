//! Checking and showing the results of select, GetMessage,
//! WSAEnumNetworkEvents and WSAWaitForMultipleEvents (CB-N3..N5).

use simsock_model::WsaError;
use simsock_model::notify::{FdEvent, WSA_WAIT_TIMEOUT};
use simsock_model::scenario::Outcome;

use super::Completed;
use crate::winsock::{Op, Value};

/// Whether a notification result meets the outcome; `Value(n)` checks
/// select's count or WSAWaitForMultipleEvents' return.
pub(super) fn matches(outcome: &Outcome, value: &Value, done: &Completed<'_>) -> bool {
    match (outcome, value) {
        (Outcome::Value(n), Value::Selected { count, .. }) => n == count,
        (Outcome::Value(n), Value::Wait(i)) => n == i,
        (
            Outcome::Selected {
                read,
                write,
                except,
            },
            Value::Selected { .. },
        ) => selected(value, done)
            .is_some_and(|got| got == [read, write, except].map(|set| sorted(set))),
        (
            Outcome::Message {
                socket,
                event,
                error,
            },
            Value::Message {
                slot,
                event: got_event,
                error: got_error,
                ..
            },
        ) => {
            let name = slot.and_then(|s| done.names.get(s as usize));
            name == Some(socket) && event == got_event && error == got_error
        }
        (
            Outcome::NetworkEvents {
                events,
                connect_error,
                close_error,
            },
            Value::NetworkEvents {
                events: mask,
                errors,
            },
        ) => {
            FdEvent::mask(events) == *mask
                && errors[FdEvent::FD_CONNECT.index()] == *connect_error
                && errors[FdEvent::FD_CLOSE.index()] == *close_error
        }
        _ => false,
    }
}

fn sorted(names: &[String]) -> Vec<String> {
    let mut names = names.to_vec();
    names.sort();
    names
}

/// The names select returned in each set, sorted; `None` if the call was
/// not a select.
fn selected(value: &Value, done: &Completed<'_>) -> Option<[Vec<String>; 3]> {
    let (
        Op::Select { sets, .. },
        Value::Selected {
            read,
            write,
            except,
            ..
        },
    ) = (done.op, value)
    else {
        return None;
    };
    let pick = |slots: &[u32], mask: u64| {
        let mut names: Vec<String> = slots
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, s)| done.names.get(*s as usize).cloned().unwrap_or_default())
            .collect();
        names.sort();
        names
    };
    Some([
        pick(&sets.read, *read),
        pick(&sets.write, *write),
        pick(&sets.except, *except),
    ])
}

fn code(error: Option<WsaError>) -> &'static str {
    error.map_or("0", WsaError::name)
}

/// How the outcome reads in a failure message.
pub(super) fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Selected {
            read,
            write,
            except,
        } => format!("read {read:?}, write {write:?}, except {except:?}"),
        Outcome::Message {
            socket,
            event,
            error,
        } => format!("message ({socket}, {}, {})", event.name(), code(*error)),
        Outcome::NetworkEvents {
            events,
            connect_error,
            close_error,
        } => format!(
            "network events {} (connect {}, close {})",
            FdEvent::mask_text(FdEvent::mask(events)),
            code(*connect_error),
            code(*close_error)
        ),
        other => format!("{other:?}"),
    }
}

/// A notification result as people read it.
pub(super) fn result_text(value: &Value, done: &Completed<'_>) -> String {
    match value {
        Value::Selected { count, .. } => {
            let Some([read, write, except]) = selected(value, done) else {
                return format!("OK ({count})");
            };
            let sets: Vec<String> = [("read", read), ("write", write), ("except", except)]
                .into_iter()
                .filter(|(_, names)| !names.is_empty())
                .map(|(set, names)| format!("{set} [{}]", names.join(", ")))
                .collect();
            match sets.is_empty() {
                true => format!("OK ({count}: timed out)"),
                false => format!("OK ({count}: {})", sets.join(", ")),
            }
        }
        Value::Message {
            socket,
            slot,
            event,
            error,
        } => {
            let name = slot.and_then(|s| done.names.get(s as usize));
            let who = name.map_or(format!("{socket:#x}"), String::clone);
            format!("OK ({who} {} {})", event.name(), code(*error))
        }
        Value::NetworkEvents { events, errors } => {
            let list: Vec<String> = FdEvent::in_mask(*events)
                .map(|e| format!("{} {}", e.name(), code(errors[e.index()])))
                .collect();
            match list.is_empty() {
                true => "OK (no events)".into(),
                false => format!("OK ({})", list.join(", ")),
            }
        }
        Value::Wait(WSA_WAIT_TIMEOUT) => "OK (WSA_WAIT_TIMEOUT)".into(),
        Value::Wait(i) => format!("OK (WSA_WAIT_EVENT_0 + {i})"),
        other => format!("OK ({other:?})"),
    }
}
