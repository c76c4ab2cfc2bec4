//! Checks of the WSAPoll step (issue 14, item 3).

use std::collections::BTreeSet;

use simsock_model::scenario::Step;

use super::{ScenarioError, StepPath, quote};

/// Entries of one WSAPoll array: as many as select takes in a set
/// (winsock2.h's FD_SETSIZE; WSAPoll itself has no documented bound).
pub(super) const MAX_POLL_FDS: usize = simsock_model::limits::scenario::FD_SETSIZE;

/// A `WsaPoll` step names known sockets, at most [`MAX_POLL_FDS`] of them
/// (a socket closed before the call is POLLNVAL).
pub(super) fn check(
    step: &Step,
    sockets: &BTreeSet<String>,
    at: &StepPath<'_>,
) -> Result<(), ScenarioError> {
    match step {
        Step::WsaPoll { fds, .. } if fds.len() > MAX_POLL_FDS => Err(ScenarioError::new(format!(
            "{} entries in one WSAPoll; at most {MAX_POLL_FDS}",
            fds.len()
        ))
        .at(at.key("fds"))),
        Step::WsaPoll { fds, .. } => match fds.iter().position(|fd| !sockets.contains(&fd.socket)) {
            Some(i) => Err(ScenarioError::new(format!(
                "unknown socket name `{}` in WSAPoll's fds: no Socket or Accept step on this host creates it",
                quote(&fds[i].socket)
            ))
            .at(at.item("fds", i))),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}
