//! send and recv on stream and datagram sockets.

use simsock_model::packet::DEFAULT_TTL;
use simsock_model::scenario::Kind;
use simsock_model::{PacketHeader, Transport, WsaError};

use super::{CallCx, Poll, Value, resolve};
use crate::stack::socket::SockState;
use crate::stack::sync::{with_tcb, wsa_code};

/// A blocking send returns once every byte is queued in the send buffer.
pub(super) fn send(cx: &mut CallCx<'_>, slot: u32, data: &[u8]) -> Poll {
    let index = match resolve(cx.host, slot) {
        Ok(i) => i,
        Err(e) => return Poll::Ready(Err(e)),
    };
    let sock = cx.host.socket(index);
    if sock.kind == Kind::Dgram {
        return Poll::Ready(send_datagram(cx, index, data));
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
        return recv_datagram(cx, index, max);
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

/// send on a connected datagram socket: one datagram to the default
/// destination (CB-D3); WSAENOTCONN without one (CB-D4).
fn send_datagram(cx: &mut CallCx<'_>, index: u32, data: &[u8]) -> Result<Value, WsaError> {
    let sock = cx.host.socket(index);
    let (Some(local), Some(remote)) = (sock.local, sock.remote) else {
        return Err(WsaError::WSAENOTCONN);
    };
    if data.len() > 65_507 {
        return Err(WsaError::WSAEMSGSIZE);
    }
    let src = match local.ip().is_unspecified() {
        true => cx
            .core
            .topo
            .source_addr(cx.host.node, *remote.ip())
            .unwrap_or(*local.ip()),
        false => *local.ip(),
    };
    let transport = Transport::Udp {
        src_port: local.port(),
        dst_port: remote.port(),
        len: data.len() as u32,
    };
    let header = PacketHeader {
        src,
        dst: *remote.ip(),
        ttl: DEFAULT_TTL,
        transport,
    };
    cx.core.send_new(
        cx.host.node,
        header,
        [data, &[]],
        "",
        cx.host.profile.arp_timeout,
    );
    Ok(Value::Bytes(data.len() as u32))
}

fn recv_datagram(cx: &mut CallCx<'_>, index: u32, max: u32) -> Poll {
    let sock = cx.host.socket_mut(index);
    if sock.remote.is_none() {
        return Poll::Ready(Err(WsaError::WSAENOTCONN)); // CB-D4: recv needs a default peer
    }
    let Some((_, payload)) = sock.datagrams.pop_front() else {
        return Poll::Pending;
    };
    if payload.len() > max as usize {
        cx.received.extend_from_slice(&payload[..max as usize]);
        return Poll::Ready(Err(WsaError::WSAEMSGSIZE));
    }
    cx.received.extend_from_slice(&payload);
    Poll::Ready(Ok(Value::Bytes(payload.len() as u32)))
}
