//! WSAConnectByName (Microsoft's WSAConnectByNameW page): resolves a
//! host name and a service, connects the socket to the result, blocking,
//! within an optional time-out, and returns the local and remote addresses.
//!
//! Name resolution is the simulated network's own: `node` is a host of the
//! scenario by name (its first address), `localhost` (127.0.0.1), or a
//! dotted IPv4 address; `service` is a port number or one of the services
//! file's `http` (80) and `https` (443). It takes no simulated time
//! (divergence: a real lookup asks a resolver; simsock has no DNS). A name
//! that does not resolve is WSAHOST_NOT_FOUND, an unknown service
//! WSATYPE_NOT_FOUND (getaddrinfo's codes, which the call passes on; Wine
//! `test_WSAConnectByName`, "Unknown service"). A datagram socket is
//! WSAEFAULT (Wine, Windows 10 1809 and later).
//!
//! The connect itself is connect's (`connect.rs`): its codes pass through
//! (WSAECONNREFUSED, WSAEISCONN, ...; divergence: the page lists only
//! WSAEHOSTUNREACH, WSAEINVAL, WSAENOBUFS, WSAENOTSOCK and WSAETIMEDOUT,
//! and a real WSAConnectByName tries every address the name has, where a
//! simulated host name has one). When the time-out passes first, the
//! attempt is abandoned (its connection is aborted, the socket stays bound)
//! and the call fails with WSAETIMEDOUT: "A response from the remote
//! application was not received before the timeout parameter was exceeded"
//! (the page's error table).

use std::net::{Ipv4Addr, SocketAddr};

use simsock_model::scenario::Kind;
use simsock_model::{SimDuration, WsaError};

use super::events::with_abort;
use super::{CallCx, Op, Poll, Slot, Value, connect, manage, resolve};
use crate::stack::socket::SockState;

/// WSAConnectByName(s, node, service, ..., timeout): on success
/// [`Value::Addr`] with RemoteAddress, and LocalAddress as text in the
/// thread's received bytes (as the result text and the check read it).
pub(super) fn connect_by_name(
    cx: &mut CallCx<'_>,
    slot: Slot,
    (node, service): (&str, &str),
    timeout: Option<SimDuration>,
) -> Poll {
    // Wine `test_WSAConnectByName`, "Connecting with a UDP socket":
    // WSAEFAULT on Windows 10 1809 and later (WSAEINVAL, WSAEOPNOTSUPP
    // before).
    if cx.first
        && let Ok(index) = resolve(cx.host, slot)
        && cx.host.socket(index).kind == Kind::Dgram
    {
        return Poll::Ready(Err(WsaError::WSAEFAULT));
    }
    let to = match lookup(cx, node, service) {
        Ok(to) => to,
        Err(e) => return Poll::Ready(Err(e)),
    };
    match connect::connect(cx, slot, to, None) {
        Poll::Ready(Ok(_)) => Poll::Ready(addresses(cx, slot)),
        Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
        Poll::Pending => waiting(cx, slot, timeout),
    }
}

/// The attempt is under way: arm the time-out on the first poll, abandon
/// the attempt once it has passed.
fn waiting(cx: &mut CallCx<'_>, slot: Slot, timeout: Option<SimDuration>) -> Poll {
    let Some(timeout) = timeout else {
        return Poll::Pending;
    };
    let due = cx.start + timeout;
    if cx.core.now() < due {
        if cx.first {
            cx.core.schedule_wait(cx.thread, due);
        }
        return Poll::Pending;
    }
    if let Ok(index) = resolve(cx.host, slot)
        && cx.host.socket(index).state == SockState::Connecting
    {
        let thread = cx.thread;
        let sock = cx.host.socket_mut(index);
        sock.waiters.retain(|w| *w != thread);
        let conn = sock.conn.take();
        sock.state = SockState::Bound;
        if let Some(conn) = conn {
            with_abort(cx.host, cx.core, conn);
        }
    }
    Poll::Ready(Err(WsaError::WSAETIMEDOUT))
}

/// The peer's address the names resolve to (module doc).
fn lookup(cx: &CallCx<'_>, node: &str, service: &str) -> Result<SocketAddr, WsaError> {
    let port = match service {
        "http" => 80,
        "https" => 443,
        digits => digits
            .parse::<u16>()
            .map_err(|_| WsaError::WSATYPE_NOT_FOUND)?,
    };
    let ip = if node.eq_ignore_ascii_case("localhost") {
        Ipv4Addr::LOCALHOST
    } else if let Ok(ip) = node.parse::<Ipv4Addr>() {
        ip
    } else {
        let topo = &cx.core.topo;
        topo.node_named(node)
            .and_then(|id| topo.first_addr(id))
            .ok_or(WsaError::WSAHOST_NOT_FOUND)?
    };
    Ok(SocketAddr::from((ip, port)))
}

/// LocalAddress and RemoteAddress of the connected socket. LocalAddress
/// carries getsockname's address with port 0, RemoteAddress getpeername's
/// (Wine `test_WSAConnectByName`: `ok(!local_addr.sin_port)`, the address
/// equal to getsockname's; the remote equal to getpeername's).
fn addresses(cx: &mut CallCx<'_>, slot: Slot) -> Result<Value, WsaError> {
    let local = manage::immediate(cx, &Op::GetSockName { slot })?;
    let remote = manage::immediate(cx, &Op::GetPeerName { slot })?;
    if let Value::Addr(local) = local {
        let local = SocketAddr::new(local.ip(), 0);
        cx.received.clear();
        cx.received.extend_from_slice(local.to_string().as_bytes());
    }
    Ok(remote)
}
