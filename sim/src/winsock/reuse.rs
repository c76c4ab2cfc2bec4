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
//! Divergences: DisconnectEx completes at once (the FIN exchange goes on in
//! the stack; Windows completes it when the disconnect is done);
//! TransmitFile has no file: it sends `len` bytes of the usual pattern from
//! memory, synchronously (lpOverlapped NULL). Without TF_REUSE_SOCKET the
//! disconnected socket can only be closed: ConnectEx on it is WSAEINVAL.

use std::rc::Rc;

use simsock_model::WsaError;
use simsock_model::scenario::ExtensionFunction;

use super::Host;
use super::manage::{attach_accepted, close_connection};
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
    disconnect(cx, index, reuse)?;
    if let Some(ov) = ov {
        begin(cx, ov, ExtensionFunction::DisconnectEx, slot, None);
        complete(cx.host, cx.core, ov, Ok(0));
    }
    Ok(Value::None)
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
    let listen = resolve(cx.host, slot)?;
    let target = resolve(cx.host, accept)?;
    needs_pointer(cx, ExtensionFunction::AcceptEx)?;
    let ov = ov.ok_or(WsaError::WSAEFAULT)?;
    if cx.host.socket(listen).listener.is_none() {
        return Err(WsaError::WSAEINVAL); // listen was not called
    }
    let sock = cx.host.socket(target);
    if sock.state != SockState::Fresh || sock.local.is_some() {
        return Err(WsaError::WSAEINVAL); // CB-X9: bound, reused or connected
    }
    begin(cx, ov, ExtensionFunction::AcceptEx, accept, None);
    cx.host.ex.accept_ex_used = true;
    cx.host.socket_ex_mut(listen).accepting.push((target, ov));
    if try_accept(cx.host, cx.core, listen) {
        return Ok(Value::Bytes(0));
    }
    Err(WsaError::ERROR_IO_PENDING)
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
        let outcome = match host
            .sockets
            .get(target as usize)
            .is_some_and(Option::is_some)
        {
            true => attach_accepted(host, conn, target).map(|()| 0),
            false => Err(WsaError::ERROR_OPERATION_ABORTED),
        };
        complete(host, core, ov, outcome);
        any = true;
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
