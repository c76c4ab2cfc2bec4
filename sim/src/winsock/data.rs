//! send and recv on stream sockets; datagram sockets go to `dgram`.

use simsock_model::WsaError;
use simsock_model::scenario::Kind;

use super::events::with_tcb;
use super::{CallCx, Poll, Value, resolve};
use crate::stack::socket::SockState;
use crate::stack::sync::wsa_code;

/// A blocking send returns once every byte is queued in the send buffer.
pub(super) fn send(cx: &mut CallCx<'_>, slot: u32, data: &[u8]) -> Poll {
    let index = match resolve(cx.host, slot) {
        Ok(i) => i,
        Err(e) => return Poll::Ready(Err(e)),
    };
    let sock = cx.host.socket(index);
    if sock.kind == Kind::Dgram {
        return Poll::Ready(super::dgram::send(cx, index, data));
    }
    if sock.shut_send {
        return Poll::Ready(Err(WsaError::WSAESHUTDOWN));
    }
    let Some(conn) = sock.conn.filter(|_| sock.state == SockState::Connected) else {
        return Poll::Ready(Err(sock.error.unwrap_or(WsaError::WSAENOTCONN)));
    };
    let tcb = cx.host.tcb(conn);
    if let Some(error) = tcb.and_then(|t| t.error) {
        return Poll::Ready(Err(wsa_code(error)));
    }
    if !tcb.is_some_and(|t| t.can_send()) {
        return Poll::Ready(Err(WsaError::WSAENOTCONN));
    }
    let capacity = cx.host.profile.send_buffer as usize;
    let from = *cx.progress as usize;
    let taken = with_tcb(cx.host, cx.core, conn, |tcb, cfg, core, out| {
        core.buffers.provide(tcb.buffers_mut().0);
        tcb.send(core.now(), &data[from..], capacity, cfg, out)
    });
    *cx.progress += taken.unwrap_or(0) as u32;
    if *cx.progress as usize >= data.len() {
        let sent = std::mem::take(cx.progress);
        return Poll::Ready(Ok(Value::Bytes(sent)));
    }
    Poll::Pending
}

/// A blocking recv returns as soon as any data is there, 0 after the peer's
/// FIN, or the connection's error.
pub(super) fn recv(cx: &mut CallCx<'_>, slot: u32, max: u32) -> Poll {
    let index = match resolve(cx.host, slot) {
        Ok(i) => i,
        Err(e) => return Poll::Ready(Err(e)),
    };
    cx.received.clear();
    let sock = cx.host.socket(index);
    if sock.kind == Kind::Dgram {
        return super::dgram::recv(cx, index, max);
    }
    if sock.shut_recv {
        return Poll::Ready(Err(WsaError::WSAESHUTDOWN));
    }
    let Some(conn) = sock.conn.filter(|_| sock.state == SockState::Connected) else {
        return Poll::Ready(Err(sock.error.unwrap_or(WsaError::WSAENOTCONN)));
    };
    let Some(tcb) = cx.host.tcb(conn) else {
        return Poll::Ready(Ok(Value::Bytes(0)));
    };
    if !tcb.recv_buf.is_empty() {
        let received = &mut *cx.received;
        let n = with_tcb(cx.host, cx.core, conn, |tcb, cfg, _, out| {
            tcb.recv(max as usize, received, cfg, out)
        });
        return Poll::Ready(Ok(Value::Bytes(n.unwrap_or(0) as u32)));
    }
    if let Some(error) = tcb.error {
        return Poll::Ready(Err(wsa_code(error)));
    }
    if tcb.peer_fin || tcb.is_closed() {
        return Poll::Ready(Ok(Value::Bytes(0)));
    }
    Poll::Pending
}
