//! Connection requests a listener holds unanswered: SO_CONDITIONAL_ACCEPT
//! (the SOL_SOCKET socket options page: when TRUE, the stack does not
//! accept a connection before the application's WSAAccept condition
//! function does; "Enhanced Functionality at Connect Time", Conditional
//! Acceptance).
//!
//! A SYN to such a listener gets no SYN,ACK: it is kept, with the other
//! connection requests, in the listener's `held` queue (counted against
//! its backlog), and the listener's waiting threads are woken. The
//! client's retransmitted SYN of a held request is absorbed. The layer
//! above answers the oldest request ([`answer`]): accepted, it is answered
//! with SYN,ACK as any SYN is; rejected, with RST. The stack decides
//! nothing itself.
//!
//! Divergences: a held request raises no FD_ACCEPT and makes no listener
//! readable in select (only the WSAAccept or accept waiting on the listener
//! is woken), and AcceptEx does not answer held requests; a request the
//! application never answers stays held until the listener closes, which
//! resets it (Windows' own limit on how long it holds one is not modelled).

use simsock_model::TcpHeader;

use super::host::Host;
use super::input::{open_passive, reset_closed};
use super::sync::wake;
use super::tcp::FourTuple;
use crate::engine::Core;

/// One held connection request: a SYN not answered yet.
#[derive(Clone, Debug)]
pub struct HeldSyn {
    /// The connection it asks for (local, remote).
    pub tuple: FourTuple,
    syn: TcpHeader,
    payload: Vec<u8>,
}

/// Whether a request for `tuple` is held on the listener at `listener`.
pub(super) fn is_held(host: &Host, listener: u32, tuple: FourTuple) -> bool {
    let queues = host.socket(listener).listener.as_ref();
    queues.is_some_and(|l| l.held.iter().any(|h| h.tuple == tuple))
}

/// Holds a SYN that reached a conditional listener, and wakes the threads
/// waiting on the listener (WSAAccept, accept).
pub(super) fn hold(
    host: &mut Host,
    core: &mut Core,
    listener: u32,
    tuple: FourTuple,
    (syn, payload): (&TcpHeader, &[u8]),
) {
    let sock = host.socket_mut(listener);
    let Some(l) = sock.listener.as_mut() else {
        return;
    };
    l.held.push_back(HeldSyn {
        tuple,
        syn: *syn,
        payload: payload.to_vec(),
    });
    wake(core, &mut sock.waiters);
}

/// The four-tuple of the oldest request held on the listener at
/// `listener`, if any.
pub fn oldest(host: &Host, listener: u32) -> Option<FourTuple> {
    let queues = host.socket(listener).listener.as_ref()?;
    queues.held.front().map(|h| h.tuple)
}

/// Answers the oldest held request: SYN,ACK when `accept` (the connection
/// then completes as any does and is queued for accept), RST otherwise.
/// Returns its four-tuple; `None` if none is held.
pub fn answer(host: &mut Host, core: &mut Core, listener: u32, accept: bool) -> Option<FourTuple> {
    let held = host
        .socket_mut(listener)
        .listener
        .as_mut()?
        .held
        .pop_front()?;
    match accept {
        true => open_passive(
            host,
            core,
            (listener, None),
            held.tuple,
            (&held.syn, &held.payload),
        ),
        false => reset_closed(
            host,
            core,
            held.tuple,
            &held.syn,
            "reset: rejected by the condition function",
        ),
    }
    Some(held.tuple)
}

/// The listener closes: each held request is reset (as the connections
/// queued for accept are).
pub fn reset_all(host: &mut Host, core: &mut Core, listener: u32) {
    while answer(host, core, listener, false).is_some() {}
}
