//! DisconnectEx, TransmitFile and AcceptEx: socket reuse (CB-X9, CB-X10).
//!
//! TF_REUSE_SOCKET returns a connected socket to the bound, unconnected
//! state: its connection closes gracefully on its own (so the side that
//! disconnects first keeps TIME_WAIT, CB-T1) and the socket keeps its local
//! address. Such a socket may call ConnectEx again (ConnectEx.txt,
//! Remarks), subject to that TIME_WAIT (CB-X10).
//!
//! Codes chosen where the documents name none, each argued:
//! - AcceptEx with an accept socket that is bound (a reused socket is) fails
//!   with WSAEINVAL. ConnectEx.txt says a socket reused by TransmitFile
//!   "cannot be reused in an AcceptEx function call" without a code;
//!   AcceptEx's own page requires an accept socket that is "not bound or
//!   connected" and gives WSAEINVAL for an invalid argument.
//! - ConnectEx on an accepted socket that was reused fails with WSAEINVAL
//!   (`connectex.rs`), the ConnectEx table's code for a socket it cannot
//!   use (CB-X11).
//! - DisconnectEx on a socket that is not connected: WSAENOTCONN.
//!
//! DisconnectEx without TF_REUSE_SOCKET on observed Windows (profile
//! `disconnect_ex_half_close`; Wine `test_DisconnectEx`) is a graceful
//! half-close: a FIN as shutdown(SD_SEND) sends it, the socket stays
//! connected (send: WSAESHUTDOWN, connect: WSAEISCONN, recv still reads
//! what the peer sends), and an overlapped call is pending until the FIN
//! is acknowledged, then completes with 0 bytes. Wine's test shows it
//! pending and complete within a second on loopback; the moment of
//! completion (the ACK of the FIN: the disconnect is done) is simsock's
//! choice. A synchronous call returns TRUE at once (the test checks only
//! TRUE). Under `windows-documented` it closes the connection as
//! TF_REUSE_SOCKET does, leaving a socket that can only be closed.
//!
//! Divergences: DisconnectEx with TF_REUSE_SOCKET (and without it under
//! `windows-documented`) completes at once (the FIN exchange goes on in
//! the stack; Windows completes it when the disconnect is done);
//! TransmitFile has no file: it sends `len` bytes of the usual pattern from
//! memory, synchronously (lpOverlapped NULL). Without TF_REUSE_SOCKET the
//! disconnected socket can only be closed: ConnectEx on it is WSAEINVAL.

use std::rc::Rc;

use simsock_model::scenario::{ExtensionFunction, Kind, ShutdownHow};
use simsock_model::{TcpState, WsaError};

use super::Host;
use super::manage::{attach_accepted, close_connection, shutdown};
use super::overlapped::{begin, complete};
use super::{CallCx, CallResult, Poll, Slot, Value, resolve};
use crate::engine::Core;
use crate::stack::socket::SockState;

/// DisconnectEx(s, ov, flags).
pub(super) fn disconnect_ex(
    cx: &mut CallCx<'_>,
    slot: Slot,
    reuse: bool,
    ov: Option<Slot>,
) -> CallResult {
    let index = resolve(cx.host, slot)?;
    needs_pointer(cx, ExtensionFunction::DisconnectEx)?;
    if !reuse && cx.host.profile.disconnect_ex_half_close {
        return half_close(cx, (slot, index), ov);
    }
    disconnect(cx, index, reuse)?;
    if let Some(ov) = ov {
        begin(cx, ov, ExtensionFunction::DisconnectEx, slot, None);
        complete(cx.host, cx.core, ov, Ok(0));
    }
    Ok(Value::None)
}

/// DisconnectEx(s, ov, 0) on observed Windows: a graceful half-close
/// (Wine `test_DisconnectEx`; see the module doc). TRUE at once without an
/// OVERLAPPED; with one, ERROR_IO_PENDING until the FIN is acknowledged
/// (TRUE if it already was).
fn half_close(cx: &mut CallCx<'_>, (slot, index): (Slot, u32), ov: Option<Slot>) -> CallResult {
    let sock = cx.host.socket(index);
    if sock.kind != Kind::Stream || sock.state != SockState::Connected {
        return Err(WsaError::WSAENOTCONN); // Wine: on an unconnected socket
    }
    cx.host.steps_watched = true; // DisconnectEx completes on a TCB step (`events::stepped`)
    shutdown(cx, index, ShutdownHow::Send)?;
    let Some(ov) = ov else {
        return Ok(Value::None);
    };
    begin(cx, ov, ExtensionFunction::DisconnectEx, slot, None);
    cx.host.socket_ex_mut(index).disconnecting = Some(ov);
    disconnect_progress(cx.host, cx.core, index);
    match cx.host.ex.overlapped(ov).and_then(|o| o.outcome) {
        None => Err(WsaError::ERROR_IO_PENDING),
        Some(Ok(_)) => Ok(Value::None),
        Some(Err(e)) => Err(e),
    }
}

/// Completes a pending DisconnectEx half-close once its FIN is
/// acknowledged (FIN_WAIT_2, TIME_WAIT, or the connection gone): 0 bytes,
/// or the connection's error if it broke first. Runs after each TCB step
/// of the socket's connection (`events::stepped`).
pub(super) fn disconnect_progress(host: &mut Host, core: &mut Core, index: u32) {
    let Some(ov) = host.socket_ex(index).disconnecting else {
        return;
    };
    let ours = host.ex.overlapped(ov).is_some_and(|o| {
        o.kind == ExtensionFunction::DisconnectEx && o.socket == index && o.outcome.is_none()
    });
    let sock = host.socket(index);
    let tcb = sock.conn.and_then(|c| host.tcb(c));
    let outcome = match tcb {
        _ if !ours => None,
        Some(t)
            if !matches!(
                t.state,
                TcpState::FinWait2 | TcpState::TimeWait | TcpState::Closed
            ) =>
        {
            return; // the FIN is not acknowledged yet
        }
        Some(t) => Some(
            t.error
                .map_or(Ok(0), |e| Err(crate::stack::sync::wsa_code(e))),
        ),
        None => Some(sock.error.map_or(Ok(0), Err)),
    };
    host.socket_ex_mut(index).disconnecting = None;
    if let Some(outcome) = outcome {
        complete(host, core, ov, outcome);
    }
}

/// TransmitFile(s, `data`, flags), synchronous: returns once the data is
/// queued, then disconnects if asked.
pub(super) fn transmit_file(
    cx: &mut CallCx<'_>,
    slot: Slot,
    data: &Rc<[u8]>,
    disconnect_after: bool,
    reuse: bool,
) -> Poll {
    if cx.first
        && let Err(e) = needs_pointer(cx, ExtensionFunction::TransmitFile)
    {
        return Poll::Ready(Err(e));
    }
    let sent = match super::data::send(cx, slot, data) {
        Poll::Ready(Ok(Value::Bytes(n))) => n,
        Poll::Ready(Ok(_)) => 0,
        other => return other,
    };
    if disconnect_after {
        let done = resolve(cx.host, slot).and_then(|index| disconnect(cx, index, reuse));
        if let Err(e) = done {
            return Poll::Ready(Err(e));
        }
    }
    Poll::Ready(Ok(Value::Bytes(sent)))
}

/// The socket's connection closes gracefully without it; with `reuse` the
/// socket is bound and unconnected again (CB-X9).
fn disconnect(cx: &mut CallCx<'_>, index: u32, reuse: bool) -> Result<(), WsaError> {
    let sock = cx.host.socket_mut(index);
    let Some(conn) = sock.conn.filter(|_| sock.state == SockState::Connected) else {
        return Err(WsaError::WSAENOTCONN);
    };
    let tuple = cx.host.tcb(conn).map(|t| (t.local, t.remote));
    // The socket keeps its port hold; the connection does not take one.
    close_connection(cx, conn, false, false);
    let sock = cx.host.socket_mut(index);
    sock.conn = None;
    sock.remote = None;
    sock.state = SockState::Bound;
    sock.error = None;
    sock.shut_send = false;
    sock.shut_recv = false;
    let ex = cx.host.socket_ex_mut(index);
    ex.context_stale = false;
    ex.connected_by_ex = false;
    ex.reused_from = if reuse { tuple } else { None };
    ex.spent = !reuse; // only closesocket is left to it
    Ok(())
}

/// AcceptEx(listen, accept, ov): the oldest queued connection goes to the
/// accept socket, at once (TRUE) or when one arrives (ERROR_IO_PENDING).
pub(super) fn accept_ex(
    cx: &mut CallCx<'_>,
    slot: Slot,
    accept: Slot,
    ov: Option<Slot>,
) -> CallResult {
    cx.host.steps_watched = true; // it takes connections as TCB steps queue them (`events::stepped`)
    let listen = resolve(cx.host, slot)?;
    let target = resolve(cx.host, accept)?;
    needs_pointer(cx, ExtensionFunction::AcceptEx)?;
    let ov = ov.ok_or_else(|| super::connectex::null_overlapped(cx.host))?;
    if cx.host.socket(listen).listener.is_none() {
        return Err(WsaError::WSAEINVAL); // listen was not called
    }
    let sock = cx.host.socket(target);
    if sock.state != SockState::Fresh || sock.local.is_some() {
        return Err(WsaError::WSAEINVAL); // CB-X9: bound, reused or connected
    }
    if sock.kind != Kind::Stream {
        return Err(WsaError::WSAEINVAL); // Wine `test_AcceptEx`: "A UDP socket cannot be accepted into"
    }
    if cx.host.socket_ex(target).accept_held_by.is_some() {
        return Err(WsaError::WSAEINVAL); // Wine `test_AcceptEx`: "accept into the same socket twice"
    }
    begin(cx, ov, ExtensionFunction::AcceptEx, accept, None);
    super::overlapped::set_port_socket(cx.host, ov, listen); // Wine `test_completion_port`
    cx.host.ex.accept_ex_used = true;
    cx.host.socket_ex_mut(listen).accepting.push((target, ov));
    cx.host.socket_ex_mut(target).accept_held_by = Some(listen);
    let head = cx
        .host
        .socket(listen)
        .listener
        .as_ref()
        .and_then(|l| l.ready.front().copied());
    let deferred = head.is_some() && cx.host.socket_ex(listen).deferred == head;
    match try_accept(cx.host, cx.core, listen) {
        // Wine `test_AcceptEx`: an AcceptEx that takes a connection a
        // condition function deferred is still ERROR_IO_PENDING (its
        // completion is queued at once).
        true if !deferred => Ok(Value::Bytes(0)),
        _ => Err(WsaError::ERROR_IO_PENDING),
    }
}

/// Hands queued connections to waiting AcceptEx calls; whether one went.
pub fn try_accept(host: &mut Host, core: &mut Core, listen: u32) -> bool {
    let mut any = false;
    loop {
        let queued = host.socket(listen).listener.as_ref().map(|l| l.ready.len());
        let Some(queued) = queued else {
            return any;
        };
        if host.socket_ex(listen).accepting.is_empty() || queued == 0 {
            return any;
        }
        let (target, ov) = host.socket_ex_mut(listen).accepting.remove(0);
        let listener = host.socket_mut(listen).listener.as_mut();
        let Some(conn) = listener.and_then(|l| l.ready.pop_front()) else {
            return any;
        };
        host.socket_ex_mut(listen).deferred = None;
        let live = host
            .sockets
            .get(target as usize)
            .is_some_and(Option::is_some);
        let outcome = match live {
            true => {
                host.socket_ex_mut(target).accept_held_by = None;
                attach_accepted(host, conn, target).map(|()| 0)
            }
            false => Err(WsaError::ERROR_OPERATION_ABORTED),
        };
        complete(host, core, ov, outcome);
        any = true;
    }
}

/// closesocket of a socket with overlapped work of this module pending:
/// each completes with ERROR_OPERATION_ABORTED at once. A DisconnectEx
/// waiting for its FIN's ACK; an AcceptEx that would accept into the
/// socket (Wine `test_AcceptEx`, "Test closing with pending requests":
/// closing the accept socket completes it with ERROR_OPERATION_ABORTED
/// within the test's second, the connection it would have taken stays
/// queued); and the AcceptEx calls waiting on a listener that closes
/// (the same test, `closesocket(listener)`).
pub(super) fn on_close(host: &mut Host, core: &mut Core, index: u32) {
    let aborted = Err(WsaError::ERROR_OPERATION_ABORTED);
    if let Some(ov) = host.socket_ex_mut(index).disconnecting.take() {
        complete(host, core, ov, aborted);
    }
    if let Some(listen) = host.socket_ex_mut(index).accept_held_by.take() {
        let accepting = &mut host.socket_ex_mut(listen).accepting;
        let mine: Vec<Slot> = accepting
            .iter()
            .filter(|(target, _)| *target == index)
            .map(|(_, ov)| *ov)
            .collect();
        accepting.retain(|(target, _)| *target != index);
        for ov in mine {
            complete(host, core, ov, aborted);
        }
    }
    let waiting = std::mem::take(&mut host.socket_ex_mut(index).accepting);
    for (target, ov) in waiting {
        if host.live_socket_mut(target).is_some() {
            host.socket_ex_mut(target).accept_held_by = None;
        }
        complete(host, core, ov, aborted);
    }
}

/// The function pointer must have been obtained (CB-X3); see `connectex.rs`.
fn needs_pointer(cx: &mut CallCx<'_>, function: ExtensionFunction) -> Result<(), WsaError> {
    if cx.host.ex.has_pointer(function) {
        return Ok(());
    }
    let why = format!("{function:?} called through a null pointer: WSAIoctl did not return it");
    cx.host.violations.push(why);
    Err(WsaError::WSAEFAULT)
}
