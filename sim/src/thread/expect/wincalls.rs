//! Checking and showing the results of WSAPoll and WSAConnectByName
//! (issue 14, item 3).

use simsock_model::poll::PollEvent;
use simsock_model::scenario::Outcome;

use super::Completed;
use crate::winsock::Value;
use crate::winsock::wincalls::{WinOp, revents};

/// The call's WSAPoll entries' flags are Linux's (`<poll.h>`), if it was
/// a WSAPoll.
fn polled(done: &Completed<'_>) -> Option<bool> {
    match done.op {
        crate::winsock::Op::Win(op) => match &**op {
            WinOp::Poll { linux, .. } => Some(*linux),
            WinOp::ConnectByName { .. } => None,
        },
        _ => None,
    }
}

/// Whether the call met `Polled(...)` or `ConnectedByName(...)`; `None`
/// for any other outcome.
pub(super) fn matches(outcome: &Outcome, done: &Completed<'_>) -> Option<bool> {
    Some(match (outcome, &done.result) {
        (
            Outcome::Polled {
                count,
                revents: want,
            },
            Ok(Value::Number(n)),
        ) => {
            let Some(linux) = polled(done) else {
                return Some(false);
            };
            let want = want.iter().map(|events| PollEvent::mask(events, linux));
            n == count && want.eq(revents(done.received))
        }
        (Outcome::ConnectedByName { local, remote }, Ok(Value::Addr(got))) => {
            let got_local = std::str::from_utf8(done.received)
                .ok()
                .and_then(|t| t.parse().ok());
            remote.is_none_or(|r| r == *got) && local.is_none_or(|l| got_local == Some(l))
        }
        (Outcome::Polled { .. } | Outcome::ConnectedByName { .. }, _) => false,
        _ => return None,
    })
}

/// How the outcome reads in a failure message; `None` for other outcomes.
pub(super) fn describe(outcome: &Outcome) -> Option<String> {
    Some(match outcome {
        Outcome::Polled { count, revents } => {
            let each: Vec<String> = revents
                .iter()
                .map(|events| {
                    let names: Vec<&str> = events.iter().map(|e| e.name()).collect();
                    if names.is_empty() {
                        "0".into()
                    } else {
                        names.join("|")
                    }
                })
                .collect();
            format!("{count} [{}]", each.join(", "))
        }
        Outcome::ConnectedByName { local, remote } => {
            let addr = |a: &Option<std::net::SocketAddr>| a.map_or("any".into(), |a| a.to_string());
            format!("connected (local {}, remote {})", addr(local), addr(remote))
        }
        _ => return None,
    })
}

/// The result of a successful WSAPoll or WSAConnectByName as people read
/// it: `OK (1: s POLLWRNORM|POLLHUP|POLLERR)`, `OK (local 10.0.0.1:49152,
/// remote 10.0.0.2:80)`; `None` for other calls.
pub(super) fn result_text(done: &Completed<'_>) -> Option<String> {
    let crate::winsock::Op::Win(op) = done.op else {
        return None;
    };
    match (&**op, &done.result) {
        (WinOp::Poll { fds, linux, .. }, Ok(Value::Number(n))) => {
            let each: Vec<String> = fds
                .iter()
                .zip(revents(done.received))
                .map(|(e, r)| {
                    let name = done.names.get(e.slot as usize).map_or("?", String::as_str);
                    format!("{name} {}", PollEvent::mask_text(r, *linux))
                })
                .collect();
            if each.is_empty() {
                return Some(format!("OK ({n})"));
            }
            Some(format!("OK ({n}: {})", each.join(", ")))
        }
        (WinOp::ConnectByName { .. }, Ok(Value::Addr(remote))) => Some(format!(
            "OK (local {}, remote {remote})",
            String::from_utf8_lossy(done.received)
        )),
        _ => None,
    }
}
