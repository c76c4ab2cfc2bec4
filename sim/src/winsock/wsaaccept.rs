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
//!
//! With SO_CONDITIONAL_ACCEPT set on the listener the stack holds each SYN
//! unanswered (`stack/held.rs`), and the condition function decides on the
//! oldest held request ([`conditional`]): CF_ACCEPT sends the SYN,ACK and
//! the call waits for the handshake to complete, then returns the
//! connection (WSAECONNRESET if it broke first, "terminated by the remote
//! party prior to accepting the call", the WSAAccept page); CF_REJECT
//! answers the SYN with RST, so the peer's connect is refused
//! (WSAECONNREFUSED on both sides); CF_DEFER leaves it held, the client
//! retransmitting its SYN meanwhile. A Windows client re-sends a refused
//! SYN (`refused_syn_retries`): each re-sent SYN is a new request that the
//! condition function is asked about again. accept() on such a listener
//! accepts the oldest request as WSAAccept without a function does.

use simsock_model::WsaError;
use simsock_model::notify::FdEvent;
use simsock_model::scenario::Condition;

use super::events::{answer_held, with_abort};
use super::{CallCx, Poll, Slot, Value, manage, nonblocking, notify, resolve};
use crate::stack::ConnId;
use crate::stack::tcp::FourTuple;

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
    if listener.conditional {
        return conditional(cx, index, into, condition);
    }
    match listener.ready.front() {
        Some(&head) => established(cx, (index, head), into, condition),
        None => Poll::Pending,
    }
}

/// The condition's answer for `head`, a connection the stack established
/// and queued on the listener at `index`.
fn established(
    cx: &mut CallCx<'_>,
    (index, head): (u32, ConnId),
    into: Slot,
    condition: Option<Condition>,
) -> Poll {
    let answer = condition.unwrap_or(Condition::CF_ACCEPT);
    cx.host.socket_ex_mut(index).deferred = (answer == Condition::CF_DEFER).then_some(head);
    if answer == Condition::CF_DEFER {
        return Poll::Ready(Err(WsaError::WSATRY_AGAIN));
    }
    if let Some(l) = cx.host.socket_mut(index).listener.as_mut() {
        l.ready.pop_front();
    }
    match answer {
        Condition::CF_REJECT => {
            with_abort(cx.host, cx.core, head);
            Poll::Ready(Err(WsaError::WSAECONNREFUSED))
        }
        _ => manage::accept_conn(cx, index, into, head),
    }
}

/// WSAAccept (or accept, `condition` `None`) on a listener with
/// SO_CONDITIONAL_ACCEPT: the oldest held request is answered as the
/// condition function says; see the module doc. Connections established
/// before the option was set come first, as without it.
pub(super) fn conditional(
    cx: &mut CallCx<'_>,
    index: u32,
    into: Slot,
    condition: Option<Condition>,
) -> Poll {
    if let Some(tuple) = cx.host.socket_ex(index).answered {
        return handshake(cx, index, into, tuple);
    }
    let queues = cx.host.socket(index).listener.as_ref();
    if let Some(&head) = queues.and_then(|l| l.ready.front()) {
        return established(cx, (index, head), into, condition);
    }
    let Some(tuple) = crate::stack::held::oldest(cx.host, index) else {
        return Poll::Pending;
    };
    match condition.unwrap_or(Condition::CF_ACCEPT) {
        Condition::CF_DEFER => Poll::Ready(Err(WsaError::WSATRY_AGAIN)),
        Condition::CF_REJECT => {
            answer_held(cx.host, cx.core, index, false);
            Poll::Ready(Err(WsaError::WSAECONNREFUSED))
        }
        Condition::CF_ACCEPT => {
            answer_held(cx.host, cx.core, index, true);
            cx.host.socket_ex_mut(index).answered = Some(tuple);
            handshake(cx, index, into, tuple)
        }
    }
}

/// The accepted request's handshake: pending until its connection is
/// established and queued, then that connection is returned; WSAECONNRESET
/// if it is gone first.
fn handshake(cx: &mut CallCx<'_>, index: u32, into: Slot, tuple: FourTuple) -> Poll {
    let conn = cx.host.conns.get(&tuple).copied();
    let queues = cx.host.socket(index).listener.as_ref();
    let queued = conn.and_then(|c| queues.and_then(|l| l.ready.iter().position(|&q| q == c)));
    match (conn, queued) {
        (Some(_), None) => Poll::Pending,
        (Some(conn), Some(at)) => {
            if let Some(l) = cx.host.socket_mut(index).listener.as_mut() {
                l.ready.remove(at);
            }
            cx.host.socket_ex_mut(index).answered = None;
            manage::accept_conn(cx, index, into, conn)
        }
        (None, _) => {
            cx.host.socket_ex_mut(index).answered = None;
            Poll::Ready(Err(WsaError::WSAECONNRESET))
        }
    }
}
