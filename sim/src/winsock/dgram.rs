//! Datagram sockets (SOCK_DGRAM over UDP): connect as a default
//! destination, send and recv through it, sendto and recvfrom, and
//! broadcast (connect.txt's connectionless paragraphs, CB-D1..D7,
//! CB-B1..B3; sendto and recvfrom as their Winsock pages describe them).
//!
//! Nothing here waits except a receive on an empty queue: a datagram is
//! handed to the network at once, and the stack queues what arrives
//! (`stack/input.rs`, which also discards datagrams from other senders once
//! the socket is connected, CB-D2).

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

use simsock_model::packet::DEFAULT_TTL;
use simsock_model::scenario::{Family, Kind};
use simsock_model::{PacketHeader, Transport, WsaError};

use super::family::{self, Name};
use super::{CallCx, CallResult, Poll, Value, resolve};
use crate::net::Hop;
use crate::stack::socket::SockState;

/// Largest UDP payload over IPv4: 65,535 minus the IPv4 and UDP headers
/// (RFC 768, RFC 791); a larger datagram is WSAEMSGSIZE.
pub(super) const MAX_DATAGRAM_BYTES: usize = 65_507;

/// The one connect path of a datagram socket; connect, WSAConnect and
/// WSPConnect all come here. It takes no connect data and no QoS: on a
/// connectionless socket they are silently ignored (CB-D7), so a caller
/// that has them drops them before the call.
///
/// Only a default destination is recorded; no packet is exchanged and the
/// call succeeds at once (CB-D1). Connecting again changes it, even while
/// connected (CB-D5); a different name discards the datagrams already
/// queued (CB-D6). The all-zero address disconnects (CB-D4). A broadcast
/// destination is allowed (CB-B1) only with SO_BROADCAST, else WSAEACCES
/// (CB-B2). An unbound socket is bound implicitly (CB-C2).
///
/// Observed Windows differs in two places (the `windows` personality):
/// 0.0.0.0:0 on an unconnected socket is WSAEADDRNOTAVAIL
/// (`profile.dgram_disconnect_needs_connection`, Wine `test_connect_udp`),
/// and 255.255.255.255 needs no SO_BROADCAST
/// (`profile.broadcast_connect_needs_so_broadcast`, Wine `test_broadcast`).
pub(super) fn connect(cx: &mut CallCx<'_>, index: u32, to: SocketAddrV4) -> CallResult {
    let profile = &cx.host.profile;
    let (strict_disconnect, strict_broadcast) = (
        profile.dgram_disconnect_needs_connection,
        profile.broadcast_connect_needs_so_broadcast,
    );
    if to.ip().is_unspecified() {
        let sock = cx.host.socket_mut(index);
        if strict_disconnect && sock.state != SockState::Connected && to.port() == 0 {
            return Err(WsaError::WSAEADDRNOTAVAIL);
        }
        sock.remote = None;
        if sock.state == SockState::Connected {
            sock.state = SockState::Bound;
        }
        return Ok(Value::None);
    }
    if strict_broadcast || !to.ip().is_broadcast() {
        check_broadcast(cx, index, *to.ip())?;
    }
    implicit_bind(cx, index)?;
    let sock = cx.host.socket_mut(index);
    if sock.remote != Some(to) {
        sock.datagrams.clear(); // CB-D6
    }
    sock.remote = Some(to);
    sock.state = SockState::Connected;
    // Observed Windows: FD_CONNECT and FD_WRITE (`dgram_connect_notifies`).
    super::notify::network::dgram_connected(cx.host, cx.core, index);
    Ok(Value::None)
}

/// send on a datagram socket: one datagram to the default destination
/// (CB-D3); WSAENOTCONN without one (CB-D4).
pub(super) fn send(cx: &mut CallCx<'_>, index: u32, data: &[u8]) -> CallResult {
    cx.received.clear(); // a send shows no received bytes
    let sock = cx.host.socket(index);
    if sock.shut_send {
        return Err(WsaError::WSAESHUTDOWN);
    }
    let Some(remote) = sock.remote.filter(|_| sock.state == SockState::Connected) else {
        return Err(WsaError::WSAENOTCONN); // CB-D4
    };
    emit(cx, index, remote, data)
}

/// recv on a datagram socket: the next datagram from the default
/// destination (CB-D3), waiting for one; WSAENOTCONN without a default
/// destination (CB-D4).
pub(super) fn recv(cx: &mut CallCx<'_>, index: u32, max: u32) -> Poll {
    let sock = cx.host.socket(index);
    if sock.remote.is_none() || sock.state != SockState::Connected {
        return Poll::Ready(Err(WsaError::WSAENOTCONN)); // CB-D4
    }
    match take_datagram(cx, index, max) {
        Poll::Ready(Ok(Value::Datagram { bytes, .. })) => Poll::Ready(Ok(Value::Bytes(bytes))),
        other => other,
    }
}

/// sendto: one datagram to `to`, connected or not (CB-D4: it works after a
/// disconnect). On a stream socket `to` is ignored and it is send. The
/// documents do not say what a connected datagram socket does with another
/// `to`; here the datagram goes to `to`, and the default destination stays.
pub(super) fn send_to(cx: &mut CallCx<'_>, slot: u32, to: SocketAddr, data: &[u8]) -> Poll {
    let index = match resolve(cx.host, slot) {
        Ok(i) => i,
        Err(e) => return Poll::Ready(Err(e)),
    };
    cx.received.clear(); // a send shows no received bytes
    let sock = cx.host.socket(index);
    if sock.kind == Kind::Stream {
        return super::data::send(cx, slot, data);
    }
    if sock.shut_send {
        return Poll::Ready(Err(WsaError::WSAESHUTDOWN));
    }
    Poll::Ready(send_to_name(cx, index, sock.family, to, data))
}

fn send_to_name(
    cx: &mut CallCx<'_>,
    index: u32,
    family: Family,
    to: SocketAddr,
    data: &[u8],
) -> CallResult {
    let dual = cx.host.socket(index).dual_stack();
    let to = match family::name(family, dual, to)? {
        Name::V4(v4) => v4,
        Name::AnyV6(_) => return Err(WsaError::WSAEADDRNOTAVAIL),
        Name::V6(_) => return Err(WsaError::WSAENETUNREACH), // IPv4-only network (`family`)
    };
    if to.ip().is_unspecified() || to.port() == 0 {
        return Err(WsaError::WSAEADDRNOTAVAIL); // sendto: "for example, ADDR_ANY"
    }
    check_broadcast(cx, index, *to.ip())?; // CB-B2 holds for sendto too
    implicit_bind(cx, index)?;
    emit(cx, index, to, data)
}

/// recvfrom: the next datagram and its sender, waiting for one. WSAEINVAL
/// on a socket that was never bound (recvfrom's table). On a stream socket
/// it is recv.
pub(super) fn recv_from(cx: &mut CallCx<'_>, slot: u32, max: u32) -> Poll {
    let index = match resolve(cx.host, slot) {
        Ok(i) => i,
        Err(e) => return Poll::Ready(Err(e)),
    };
    let sock = cx.host.socket(index);
    if sock.kind == Kind::Stream {
        return super::data::recv(cx, slot, max);
    }
    if sock.local.is_none() {
        return Poll::Ready(Err(WsaError::WSAEINVAL));
    }
    cx.received.clear();
    take_datagram(cx, index, max)
}

/// The oldest queued datagram, or Pending when none is queued. A datagram
/// longer than `max` fills the buffer and fails with WSAEMSGSIZE; the rest
/// of it is lost (recvfrom's remarks).
fn take_datagram(cx: &mut CallCx<'_>, index: u32, max: u32) -> Poll {
    let sock = cx.host.socket_mut(index);
    if sock.shut_recv {
        return Poll::Ready(Err(WsaError::WSAESHUTDOWN));
    }
    let family = sock.family;
    let Some((from, payload)) = sock.datagrams.pop_front() else {
        return Poll::Pending;
    };
    cx.received.clear();
    if payload.len() > max as usize {
        cx.received.extend_from_slice(&payload[..max as usize]);
        return Poll::Ready(Err(WsaError::WSAEMSGSIZE));
    }
    cx.received.extend_from_slice(&payload);
    Poll::Ready(Ok(Value::Datagram {
        bytes: payload.len() as u32,
        from: family::shown(family, from),
    }))
}

/// Whether `ip` is a broadcast address as this host sees it: the limited
/// broadcast, or the directed broadcast of one of its subnets.
fn is_broadcast(cx: &CallCx<'_>, ip: Ipv4Addr) -> bool {
    ip.is_broadcast() || cx.core.topo.is_subnet_broadcast_of(cx.host.node, ip)
}

/// CB-B2: a broadcast destination needs SO_BROADCAST, else WSAEACCES.
fn check_broadcast(cx: &CallCx<'_>, index: u32, ip: Ipv4Addr) -> Result<(), WsaError> {
    if is_broadcast(cx, ip) && !cx.host.socket(index).broadcast {
        return Err(WsaError::WSAEACCES);
    }
    Ok(())
}

/// Binds an unbound datagram socket to the wildcard address and an
/// ephemeral port (CB-C2; sendto's remarks say the same); WSAENOBUFS when
/// none is left (CB-C16). An IPv6 socket takes a port but is not entered
/// in the host's datagram table: it never receives IPv4 (`family`).
fn implicit_bind(cx: &mut CallCx<'_>, index: u32) -> Result<(), WsaError> {
    if cx.host.socket(index).local.is_some() {
        return Ok(());
    }
    let port = cx.host.ports.allocate().ok_or(WsaError::WSAENOBUFS)?;
    let binding = super::manage::binding_of(cx.host.socket(index), index, Ipv4Addr::UNSPECIFIED);
    cx.host.binds.insert(Kind::Dgram, port, binding);
    let sock = cx.host.socket_mut(index);
    sock.local = Some(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port));
    sock.wildcard = true;
    sock.holds_port = true;
    if sock.state == SockState::Fresh {
        sock.state = SockState::Bound;
    }
    Ok(())
}

/// Puts one datagram from the socket's local address to `to` on the
/// network: a broadcast over the host's segments, anything else routed.
/// WSAENETUNREACH when no route leads to `to` (sendto's table).
fn emit(cx: &mut CallCx<'_>, index: u32, to: SocketAddrV4, data: &[u8]) -> CallResult {
    if data.len() > MAX_DATAGRAM_BYTES {
        return Err(WsaError::WSAEMSGSIZE);
    }
    let node = cx.host.node;
    let broadcast = is_broadcast(cx, *to.ip());
    if !broadcast && cx.core.routes.next_hop(&cx.core.topo, node, *to.ip()) == Hop::NoRoute {
        return Err(WsaError::WSAENETUNREACH); // CB-C12
    }
    let local = cx.host.socket(index).local.unwrap_or(family::UNSPECIFIED);
    let src = match local.ip().is_unspecified() {
        true => cx.core.topo.source_addr(node, *to.ip()),
        false => Some(*local.ip()),
    };
    let header = PacketHeader {
        src: src.unwrap_or(Ipv4Addr::UNSPECIFIED),
        dst: *to.ip(),
        ttl: DEFAULT_TTL,
        transport: Transport::Udp {
            src_port: local.port(),
            dst_port: to.port(),
            len: data.len() as u32,
        },
    };
    if broadcast {
        cx.core.send_broadcast(node, header, data);
    } else {
        let arp_timeout = cx.host.profile.arp_timeout;
        cx.core.send_new(node, header, [data, &[]], "", arp_timeout);
    }
    Ok(Value::Bytes(data.len() as u32))
}
