//! WSAAccept's condition function, as a scenario states its answer
//! (winsock2.h; the WSAAccept page, "lpfnCondition").
//!
//! A scenario cannot hold code, so a `WsaAccept` step says what the
//! condition function returns for the connection request at the head of
//! the listener's queue when that call invokes it: one answer per call, as
//! WSAAccept invokes the function once per call.

use serde::{Deserialize, Serialize};

/// What a WSAAccept condition function returns (winsock2.h).
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Condition {
    /// Accept the connection: WSAAccept returns the new socket.
    CF_ACCEPT,
    /// Reject it: WSAAccept fails with WSAECONNREFUSED ("the connection
    /// request was forcefully rejected as indicated in the return value of
    /// the condition function", the WSAAccept page), and the peer is reset.
    CF_REJECT,
    /// Decide later: the request stays at the head of the queue and
    /// WSAAccept fails with WSATRY_AGAIN (the WSAAccept page; Wine
    /// `test_accept`: `WSAAccept(..., AlwaysDeferConditionFunc, 0)` gives
    /// WSATRY_AGAIN and a later accept() takes the same connection).
    CF_DEFER,
}

impl Condition {
    /// The constant's name, as the trace writes it.
    pub fn name(self) -> &'static str {
        match self {
            Condition::CF_ACCEPT => "CF_ACCEPT",
            Condition::CF_REJECT => "CF_REJECT",
            Condition::CF_DEFER => "CF_DEFER",
        }
    }
}
