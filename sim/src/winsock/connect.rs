//! connect (connect.txt; CB-C1..C17, CB-D1..D7, CB-B1..B2).

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

use simsock_model::WsaError;
use simsock_model::scenario::{Family, Kind};

use super::{CallCx, Poll, Value, resolve};
use crate::net::Hop;
use crate::stack::socket::SockState;
use crate::stack::sync::after_tcb;
use crate::stack::tcp::Tcb;

/// Polls a connect: the first poll starts the attempt, later ones read its
/// outcome from the socket (CB-N7: a blocking connect returns the outcome).
pub(super) fn connect(cx: &mut CallCx<'_>, slot: u32, to: SocketAddr) -> Poll {
    let index = match resolve(cx.host, slot) {
        Ok(i) => i,
        Err(e) => return Poll::Ready(Err(e)),
    };
    if !cx.first {
        return outcome(cx, index);
    }
    match start(cx, index, to) {
        Ok(Poll::Pending) => Poll::Pending,
        Ok(ready) => ready,
        Err(e) => Poll::Ready(Err(e)),
    }
}

/// The outcome of an attempt under way: connected, failed, or not yet.
fn outcome(cx: &CallCx<'_>, index: u32) -> Poll {
    let sock = cx.host.socket(index);
    match sock.state {
        SockState::Connected => Poll::Ready(Ok(Value::None)),
        SockState::Connecting => Poll::Pending,
        // CB-C5: the failure code; the socket may connect again.
        _ => Poll::Ready(Err(sock.error.unwrap_or(WsaError::WSAECONNREFUSED))),
    }
}

fn start(cx: &mut CallCx<'_>, index: u32, to: SocketAddr) -> Result<Poll, WsaError> {
    let sock = cx.host.socket(index);
    let to = match (sock.family, to) {
        (Family::Inet, SocketAddr::V4(v4)) => v4,
        // The simulated network carries IPv4 only: an IPv6 socket has no route.
        (Family::Inet6, SocketAddr::V6(_)) => return Err(WsaError::WSAENETUNREACH),
        _ => return Err(WsaError::WSAEAFNOSUPPORT), // CB-C9
    };
    if sock.kind == Kind::Dgram {
        return connect_dgram(cx, index, to).map(|v| Poll::Ready(Ok(v)));
    }
    match sock.state {
        SockState::Listening => return Err(WsaError::WSAEINVAL), // CB-C6
        SockState::Connected => return Err(WsaError::WSAEISCONN), // CB-C4
        SockState::Connecting => return Err(WsaError::WSAEALREADY), // CB-N2
        SockState::Fresh | SockState::Bound => {}
    }
    if to.ip().is_unspecified() || to.port() == 0 {
        return Err(WsaError::WSAEADDRNOTAVAIL); // CB-C3
    }
    let local = commit_local_address(cx, index, *to.ip())?;
    if tuple_in_use(cx, local, to) {
        return Err(WsaError::WSAEADDRINUSE); // CB-C17, CB-T3
    }
    open_connection(cx, index, local, to);
    Ok(Poll::Pending)
}

/// Chooses the local address for a connection to `dst`: the bound one, or
/// the interface toward the route's next hop, binding an ephemeral port if
/// the socket is unbound (CB-C2). Then the four-tuple must be free: one
/// held by a connection or by TIME_WAIT gives WSAEADDRINUSE, the delayed
/// bind of CB-C17 (CB-T3).
fn commit_local_address(
    cx: &mut CallCx<'_>,
    index: u32,
    dst: Ipv4Addr,
) -> Result<SocketAddrV4, WsaError> {
    let node = cx.host.node;
    let hop = cx.core.routes.next_hop(&cx.core.topo, node, dst);
    let toward = match hop {
        Hop::NoRoute => return Err(WsaError::WSAENETUNREACH), // CB-C12
        Hop::Forward { to, .. } => neighbour_addr(cx, to, dst),
        Hop::Local | Hop::Unresolved => dst,
    };
    let route_ip = cx
        .core
        .topo
        .source_addr(node, toward)
        .unwrap_or(Ipv4Addr::UNSPECIFIED);
    if cx.host.socket(index).local.is_none() {
        let port = cx.host.ports.allocate().ok_or(WsaError::WSAENOBUFS)?; // CB-C16
        let sock = cx.host.socket_mut(index);
        sock.local = Some(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port));
        sock.wildcard = true;
        sock.holds_port = true;
        sock.state = SockState::Bound;
    }
    let sock = cx.host.socket(index);
    let bound = sock
        .local
        .unwrap_or(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0));
    let ip = if bound.ip().is_unspecified() {
        route_ip
    } else {
        *bound.ip()
    };
    Ok(SocketAddrV4::new(ip, bound.port()))
}

/// An address of the neighbour `to`, used to pick our interface toward it.
fn neighbour_addr(cx: &CallCx<'_>, to: crate::net::NodeId, dst: Ipv4Addr) -> Ipv4Addr {
    let mine = &cx.core.topo.node(cx.host.node).addrs;
    let theirs = &cx.core.topo.node(to).addrs;
    theirs
        .iter()
        .find(|t| mine.iter().any(|m| m.contains(t.addr)))
        .map_or(dst, |t| t.addr)
}

fn open_connection(cx: &mut CallCx<'_>, index: u32, local: SocketAddrV4, to: SocketAddrV4) {
    let now = cx.core.now();
    let iss = cx.host.next_isn();
    let mut out = cx.core.take_tcp_out();
    let tcb = Tcb::connect(now, local, to, iss, &cx.host.tcp, &mut out);
    let conn = cx.host.insert_tcb(tcb);
    cx.host.conns.insert((local, to), conn);
    if let Some(slot) = cx.host.slot(conn) {
        slot.socket = Some(index);
    }
    let sock = cx.host.socket_mut(index);
    sock.conn = Some(conn);
    sock.state = SockState::Connecting;
    sock.error = None;
    sock.remote = Some(to);
    after_tcb(cx.host, cx.core, conn, &out);
    cx.core.put_tcp_out(out);
}

/// Whether a connection or a TIME_WAIT record holds the four-tuple.
fn tuple_in_use(cx: &CallCx<'_>, local: SocketAddrV4, to: SocketAddrV4) -> bool {
    cx.host.conns.contains_key(&(local, to)) || cx.host.time_wait.contains(&(local, to))
}

/// connect on a datagram socket: only a default destination (CB-D1);
/// the all-zero address disconnects (CB-D4); a new peer discards queued
/// datagrams (CB-D6); a broadcast peer needs SO_BROADCAST (CB-B2).
fn connect_dgram(cx: &mut CallCx<'_>, index: u32, to: SocketAddrV4) -> Result<Value, WsaError> {
    if to.ip().is_unspecified() {
        let sock = cx.host.socket_mut(index);
        sock.remote = None;
        if sock.state == SockState::Connected {
            sock.state = SockState::Bound;
        }
        return Ok(Value::None);
    }
    let broadcast = to.ip().is_broadcast()
        || cx
            .core
            .topo
            .node(cx.host.node)
            .addrs
            .iter()
            .any(|c| c.broadcast() == *to.ip());
    if broadcast && !cx.host.socket(index).broadcast {
        return Err(WsaError::WSAEACCES);
    }
    if cx.host.socket(index).local.is_none() {
        let port = cx.host.ports.allocate().ok_or(WsaError::WSAENOBUFS)?;
        cx.host.udp.insert(port, index);
        let sock = cx.host.socket_mut(index);
        sock.local = Some(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port));
        sock.wildcard = true;
        sock.holds_port = true;
    }
    let sock = cx.host.socket_mut(index);
    if sock.remote != Some(to) {
        sock.datagrams.clear();
    }
    sock.remote = Some(to);
    sock.state = SockState::Connected;
    Ok(Value::None)
}
