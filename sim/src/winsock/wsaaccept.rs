//! WSAAccept with a condition function (the WSAAccept page; "Enhanced
//! Functionality at Connect Time", Conditional Acceptance; Wine
//! `test_accept`, `test_AcceptEx`).
//!
//! The stack answers a SYN on its own and queues the established
//! connection on the listener, as Windows does unless SO_CONDITIONAL_ACCEPT
//! is set (the SOL_SOCKET options page: with it FALSE, the default,
//! "connections are accepted by the stack" before the application's
//! condition function sees them). WSAAccept waits, as accept does, for
//! the connection at the head of the queue, then asks the condition
//! function, whose answer the step states:
//! - CF_ACCEPT (or no function): the connection, as accept returns it.
//! - CF_DEFER: WSATRY_AGAIN; the connection stays at the head of the queue
//!   for the next accept, WSAAccept or AcceptEx (Wine `test_accept`: the
//!   accept() after the deferring WSAAccept takes the connection;
//!   `test_AcceptEx`, "Test CF_DEFER & AcceptEx interaction": an AcceptEx
//!   posted after it takes the deferred connection, not the next one).
//!   No FD_ACCEPT is re-enabled while it stays ("the service provider does
//!   not issue any further indications for pending connection requests",
//!   Conditional Acceptance).
//! - CF_REJECT: WSAECONNREFUSED, "the connection request was forcefully
//!   rejected" (the WSAAccept page). The stack had established the
//!   connection, so rejecting it resets it: the peer, whose connect
//!   succeeded, reads WSAECONNRESET. No Wine test checks CF_REJECT; the
//!   reset is simsock's reading of "forcefully rejected" for a connection
//!   the stack already accepted.

use simsock_model::WsaError;
use simsock_model::notify::FdEvent;
use simsock_model::scenario::Condition;

use super::events::with_abort;
use super::{CallCx, Poll, Slot, Value, manage, nonblocking, notify, resolve};

/// Polls a WSAAccept: waits for a connection (WSAEWOULDBLOCK on a
/// nonblocking listener, CB-N1), then applies the condition's answer.
pub(super) fn poll(
    cx: &mut CallCx<'_>,
    slot: Slot,
    into: Slot,
    condition: Option<Condition>,
) -> Poll {
    let poll = nonblocking(cx, slot, |cx| wsa_accept(cx, slot, into, condition));
    if cx.host.notify.in_use {
        let deferred = poll == Poll::Ready(Err(WsaError::WSATRY_AGAIN));
        if poll != Poll::Pending && !deferred {
            notify::reenable(cx, slot, FdEvent::FD_ACCEPT); // CB-N4, CB-N5
        }
        if let Poll::Ready(Ok(Value::Socket(handle))) = poll {
            notify::inherit(cx, slot, handle);
        }
    }
    poll
}

fn wsa_accept(cx: &mut CallCx<'_>, slot: Slot, into: Slot, condition: Option<Condition>) -> Poll {
    let index = match resolve(cx.host, slot) {
        Ok(i) => i,
        Err(e) => return Poll::Ready(Err(e)),
    };
    // The WSAAccept page: WSAEINVAL when listen was not invoked first.
    let Some(listener) = cx.host.socket(index).listener.as_ref() else {
        return Poll::Ready(Err(WsaError::WSAEINVAL));
    };
    let Some(&head) = listener.ready.front() else {
        return Poll::Pending;
    };
    let answer = condition.unwrap_or(Condition::CF_ACCEPT);
    cx.host.socket_ex_mut(index).deferred = (answer == Condition::CF_DEFER).then_some(head);
    match answer {
        Condition::CF_ACCEPT => manage::accept(cx, slot, into),
        Condition::CF_DEFER => Poll::Ready(Err(WsaError::WSATRY_AGAIN)),
        Condition::CF_REJECT => {
            if let Some(l) = cx.host.socket_mut(index).listener.as_mut() {
                l.ready.pop_front();
            }
            with_abort(cx.host, cx.core, head);
            Poll::Ready(Err(WsaError::WSAECONNREFUSED))
        }
    }
}
