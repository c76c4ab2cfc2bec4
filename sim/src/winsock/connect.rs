//! connect (connect.txt; CB-C1..C17, CB-D1..D7, CB-B1..B2).

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

use simsock_model::provider::Provider;
use simsock_model::scenario::{Kind, WinsockVersion};
use simsock_model::{Api, WsaError};

use super::events::after_tcb;
use super::family::{self, Name};
use super::{CallCx, Poll, Value, resolve};
use crate::net::Hop;
use crate::stack::socket::SockState;

/// One call of the connect family: which API, the name, and what WSAConnect
/// and WSPConnect add (connect data, provider checks).
pub(super) struct Request<'a> {
    pub api: Api,
    pub to: SocketAddr,
    /// `namelen`; `None` is the size of `to`'s sockaddr (CB-C8).
    pub namelen: Option<u32>,
    /// Caller data for the SYN (CB-W1); empty for none.
    pub syn_data: &'a [u8],
    /// ConnectEx's TCP Fast Open data for the SYN (CB-X5): the first bytes
    /// of the stream; empty for none.
    pub early: &'a [u8],
    /// The provider's checks of a stream connect's other parameters
    /// (connect data, QoS: CB-W3..W5); datagram sockets skip them (CB-D7).
    pub check: &'a dyn Fn(&CallCx<'_>) -> Result<(), WsaError>,
}

/// Polls a connect: the first poll starts the attempt, later ones read its
/// outcome from the socket (CB-N7: a blocking connect returns the outcome).
/// On a nonblocking socket the first poll returns WSAEWOULDBLOCK while the
/// attempt goes on (CB-N1).
pub(super) fn connect(
    cx: &mut CallCx<'_>,
    slot: u32,
    to: SocketAddr,
    namelen: Option<u32>,
) -> Poll {
    let request = Request {
        api: Api::Connect,
        to,
        namelen,
        syn_data: &[],
        early: &[],
        check: &|_| Ok(()),
    };
    connect_api(cx, slot, &request)
}

/// Starts a connection attempt for `api` on a resolved socket: connect's
/// rules, with ConnectEx's differences (CB-X1, CB-X2, CB-X11; see
/// `connectex.rs`). `early` is Fast Open data for the SYN. `Ok(Pending)`
/// means a SYN went out.
pub(super) fn start_for(
    cx: &mut CallCx<'_>,
    index: u32,
    to: SocketAddr,
    api: Api,
    early: &[u8],
) -> Result<Poll, WsaError> {
    let request = Request {
        api,
        to,
        namelen: None,
        syn_data: &[],
        early,
        check: &|_| Ok(()),
    };
    start(cx, index, &request)
}

/// The engine of the four connect calls; `request.api` selects where the
/// documents differ.
pub(super) fn connect_api(cx: &mut CallCx<'_>, slot: u32, request: &Request<'_>) -> Poll {
    let index = match resolve(cx.host, slot) {
        // CB-C18: on Windows CE a blocking call whose socket another thread
        // closed fails with WSAEINTR, "The socket was closed"
        // (WSAConnect-CE.txt); elsewhere the handle names no socket.
        Err(WsaError::WSAENOTSOCK)
            if !cx.first
                && cx.host.profile.provider == Provider::WindowsCe
                && matches!(request.api, Api::Connect | Api::WsaConnect) =>
        {
            return Poll::Ready(Err(WsaError::WSAEINTR));
        }
        Ok(i) => i,
        Err(e) => return Poll::Ready(Err(e)),
    };
    if !cx.first {
        return outcome(cx, index);
    }
    let (to, namelen) = (request.to, request.namelen);
    let started = check_name(to, namelen).and_then(|()| start(cx, index, request));
    match started {
        Ok(Poll::Pending) if cx.host.socket(index).nonblocking => {
            Poll::Ready(Err(WsaError::WSAEWOULDBLOCK))
        }
        Ok(poll) => poll,
        Err(e) => Poll::Ready(Err(e)),
    }
}

/// The size of the sockaddr for a name's family: sockaddr_in, sockaddr_in6.
pub(super) fn sockaddr_len(to: SocketAddr) -> u32 {
    match to {
        SocketAddr::V4(_) => 16,
        SocketAddr::V6(_) => 28,
    }
}

/// CB-C8: a `namelen` smaller than the family's sockaddr is WSAEFAULT.
pub(super) fn check_name(to: SocketAddr, namelen: Option<u32>) -> Result<(), WsaError> {
    match namelen {
        Some(len) if len < sockaddr_len(to) => Err(WsaError::WSAEFAULT),
        _ => Ok(()),
    }
}

/// The outcome of an attempt under way: connected, failed, or not yet.
pub(super) fn outcome(cx: &CallCx<'_>, index: u32) -> Poll {
    let sock = cx.host.socket(index);
    match sock.state {
        SockState::Connected => Poll::Ready(Ok(Value::None)),
        SockState::Connecting => Poll::Pending,
        // CB-C5: the failure code; the socket may connect again.
        _ => Poll::Ready(Err(sock.error.unwrap_or(WsaError::WSAECONNREFUSED))),
    }
}

fn start(cx: &mut CallCx<'_>, index: u32, request: &Request<'_>) -> Result<Poll, WsaError> {
    let sock = cx.host.socket(index);
    let dgram = sock.kind == Kind::Dgram;
    let to = match family::name(sock.family, sock.dual_stack(), request.to)? {
        Name::V4(v4) => v4,
        // in6addr_any: CB-C3 on a stream socket, CB-D4 on a datagram one.
        Name::AnyV6(_) if dgram => family::UNSPECIFIED,
        Name::AnyV6(_) => return Err(WsaError::WSAEADDRNOTAVAIL),
        // The simulated network carries IPv4 only (`family`): no route.
        Name::V6(_) => return Err(WsaError::WSAENETUNREACH),
    };
    let ex = request.api == Api::ConnectEx;
    if dgram {
        if ex {
            return Err(super::connectex::DATAGRAM_CODE); // CB-X1
        }
        return super::dgram::connect(cx, index, to).map(|v| Poll::Ready(Ok(v)));
    }
    (request.check)(cx)?;
    let sock = cx.host.socket(index);
    match sock.state {
        SockState::Listening => return Err(WsaError::WSAEINVAL), // CB-C6
        SockState::Connected => return Err(connected_again(cx, index, request.api)),
        SockState::Connecting => return Err(pending_again(cx, index, request.api)),
        // A socket that a pending AcceptEx will accept into (Wine
        // `test_AcceptEx`, "try to connect a socket that's being accepted
        // into": connect and ConnectEx both WSAEINVAL). The documents name
        // no code for it: every personality answers so.
        SockState::Fresh if cx.host.socket_ex(index).accept_held_by.is_some() => {
            return Err(WsaError::WSAEINVAL);
        }
        SockState::Fresh if ex => return Err(WsaError::WSAEINVAL), // CB-X2
        SockState::Fresh | SockState::Bound => {}
    }
    if to.ip().is_unspecified() || to.port() == 0 {
        return Err(WsaError::WSAEADDRNOTAVAIL); // CB-C3
    }
    let (local, fresh) = commit_local_address(cx, index, *to.ip())?;
    // A port allocated just now is in no four-tuple: every connection and
    // TIME_WAIT record holds its local port, and `allocate` skips held
    // ones. So the check is for bound sockets only (it costs two lookups
    // in tables that are cold on a busy host).
    debug_assert!(!fresh || !tuple_in_use(cx, local, to));
    if !fresh && tuple_in_use(cx, local, to) {
        return Err(WsaError::WSAEADDRINUSE); // CB-C17, CB-T3
    }
    open_connection(cx, index, (local, to), request);
    Ok(Poll::Pending)
}

/// A connect or ConnectEx on a socket whose attempt is under way. Where
/// ConnectEx meets a pending attempt, or connect() meets a pending
/// ConnectEx, Windows answers WSAEINVAL (the `windows` personality,
/// `profile.connect_mixing_einval`; Wine, `dlls/ws2_32/tests/sock.c`,
/// `test_connect`, `test_connecting_socket`), not the WSAEALREADY of the
/// ConnectEx page, which `windows-documented` keeps. Two connect()s are
/// WSAEALREADY in both (CB-N2).
fn pending_again(cx: &CallCx<'_>, index: u32, api: Api) -> WsaError {
    let ex_involved = api == Api::ConnectEx || cx.host.socket_ex(index).pending.is_some();
    match ex_involved && cx.host.profile.connect_mixing_einval {
        true => WsaError::WSAEINVAL,
        false => already(api, cx.host.version),
    }
}

/// A connect or ConnectEx on a connected socket: WSAEISCONN (CB-C4,
/// CB-N2), except connect() on a socket that ConnectEx connected, which
/// Windows answers with WSAEINVAL (`windows`, `test_connect`; ConnectEx
/// again stays WSAEISCONN).
fn connected_again(cx: &CallCx<'_>, index: u32, api: Api) -> WsaError {
    let by_ex = cx.host.socket_ex(index).connected_by_ex;
    match api != Api::ConnectEx && by_ex && cx.host.profile.connect_mixing_einval {
        true => WsaError::WSAEINVAL,
        false => WsaError::WSAEISCONN,
    }
}

/// CB-N2: a further connect while the attempt is pending is WSAEALREADY;
/// Winsock 1.1 applications see WSAEINVAL instead (connect.txt,
/// WSPConnect.txt). The CE WSAConnect document says WSAEALREADY without
/// that exception (WSAConnect is a Winsock 2 function).
pub(super) fn already(api: Api, version: WinsockVersion) -> WsaError {
    match (api, version) {
        // ConnectEx exists only under Winsock 2: no 1.1 mapping either.
        (Api::WsaConnect | Api::ConnectEx, _) => WsaError::WSAEALREADY,
        (_, WinsockVersion::V1_1) => WsaError::WSAEINVAL,
        (_, WinsockVersion::V2_2) => WsaError::WSAEALREADY,
    }
}

/// Chooses the local address for a connection to `dst`: the bound one, or
/// the interface toward the route's next hop, binding an ephemeral port if
/// the socket is unbound (CB-C2), and whether it did. Then the four-tuple
/// must be free: one held by a connection or by TIME_WAIT gives
/// WSAEADDRINUSE, the delayed bind of CB-C17 (CB-T3).
pub(super) fn commit_local_address(
    cx: &mut CallCx<'_>,
    index: u32,
    dst: Ipv4Addr,
) -> Result<(SocketAddrV4, bool), WsaError> {
    let node = cx.host.node;
    let hop = cx.core.routes.next_hop(&cx.core.topo, node, dst);
    let (toward, source) = match hop {
        Hop::NoRoute => return Err(WsaError::WSAENETUNREACH), // CB-C12
        Hop::Forward { to, .. } => neighbour_addr(cx, to, dst),
        Hop::Local | Hop::Unresolved => (dst, None),
    };
    let route_ip = source
        .or_else(|| cx.core.topo.source_addr(node, toward))
        .unwrap_or(Ipv4Addr::UNSPECIFIED);
    // Unbound, or bound to port 0 with SO_REUSE_UNICASTPORT (the port is
    // allocated at connect time): take an ephemeral port now.
    let bound = cx.host.socket(index).local;
    let fresh = bound.is_none_or(|l| l.port() == 0);
    if fresh {
        let port = cx.host.ports.allocate().ok_or(WsaError::WSAENOBUFS)?; // CB-C16
        let ip = bound.map_or(Ipv4Addr::UNSPECIFIED, |l| *l.ip());
        let binding = super::manage::binding_of(cx.host.socket(index), index, ip);
        cx.host.binds.insert(Kind::Stream, port, binding);
        let sock = cx.host.socket_mut(index);
        sock.local = Some(SocketAddrV4::new(ip, port));
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
    Ok((SocketAddrV4::new(ip, bound.port()), fresh))
}

/// An address of the neighbour `to`, used to pick our interface toward it
/// (`dst` if none shares a subnet with ours), and, when one does, our
/// address on that subnet: what `Topology::source_addr` gives for it.
///
/// Performance: the scan that finds the neighbour's address finds our
/// interface too; `source_addr` scanned our addresses a second time (~40
/// instructions per connect). A loopback address is left to
/// `source_addr`, which answers it first. Test:
/// `the_source_found_with_the_neighbour_is_source_addr`.
fn neighbour_addr(
    cx: &CallCx<'_>,
    to: crate::net::NodeId,
    dst: Ipv4Addr,
) -> (Ipv4Addr, Option<Ipv4Addr>) {
    let mine = &cx.core.topo.node(cx.host.node).addrs;
    let theirs = &cx.core.topo.node(to).addrs;
    neighbour_and_source(mine, theirs)
        .map_or((dst, None), |(t, m)| (t, (!t.is_loopback()).then_some(m)))
}

/// The first of `theirs` that one of `mine` contains, and the first of
/// `mine` that contains it.
fn neighbour_and_source(
    mine: &[simsock_model::Ipv4Cidr],
    theirs: &[simsock_model::Ipv4Cidr],
) -> Option<(Ipv4Addr, Ipv4Addr)> {
    theirs
        .iter()
        .find_map(|t| Some((t.addr, mine.iter().find(|m| m.contains(t.addr))?.addr)))
}

/// Opens the TCB (sends the SYN) with the request's connect data (CB-W1)
/// or its TCP Fast Open data (ConnectEx, CB-X5) on the SYN.
fn open_connection(
    cx: &mut CallCx<'_>,
    index: u32,
    (local, to): (SocketAddrV4, SocketAddrV4),
    request: &Request<'_>,
) {
    let now = cx.core.now();
    let iss = cx.host.next_isn();
    let mut out = cx.core.scratch.take();
    let cfg = cx.host.tcp;
    let conn = cx.host.insert_new_tcb((local, to), iss);
    // What `Tcb::connect_with_data` and `Tcb::connect_fast_open` do, in
    // the slot (`stack::Host::insert_new_tcb`).
    if let Some(tcb) = cx.host.slot(conn).and_then(|slot| slot.tcb.as_mut()) {
        match request.early {
            [] => tcb.open_active(now, request.syn_data, &mut out),
            data => tcb.open_fast(now, data, &cfg, &mut out),
        }
    }
    cx.host.conns.insert((local, to), conn);
    if let Some(slot) = cx.host.slot(conn) {
        slot.socket = Some(index);
    }
    let keep_error = cx.host.profile.so_error_until_connected;
    let sock = cx.host.socket_mut(index);
    sock.conn = Some(conn);
    sock.state = SockState::Connecting;
    if !keep_error {
        sock.error = None; // windows-documented: a new attempt, a clean SO_ERROR
    }
    sock.remote = Some(to);
    // FD_CONNECT is owed to a WSAEventSelect made after the attempt ends
    // (observed Windows; `notify::network::latched_connect`).
    cx.host.socket_notify_mut(index).connect_unreported = true;
    after_tcb(cx.host, cx.core, conn, &out);
    crate::stack::tcp::put_output(cx.core, out);
}

/// Whether a connection or a TIME_WAIT record holds the four-tuple.
pub(super) fn tuple_in_use(cx: &CallCx<'_>, local: SocketAddrV4, to: SocketAddrV4) -> bool {
    cx.host.conns.contains_key(&(local, to)) || cx.host.time_wait.contains(&(local, to))
}

#[cfg(test)]
mod tests {
    use simsock_model::Ipv4Cidr;

    use super::*;
    use crate::net::{NodeKind, Topology};

    fn cidr(text: &str) -> Ipv4Cidr {
        text.parse().unwrap()
    }

    /// The interface `neighbour_and_source` finds beside the neighbour's
    /// address is the one `Topology::source_addr` picks toward that
    /// address: the first of ours on its subnet, for hosts with several
    /// interfaces, overlapping prefixes, and none in common.
    #[test]
    fn the_source_found_with_the_neighbour_is_source_addr() {
        let cases: [(&[&str], &[&str]); 5] = [
            (&["10.0.0.1/24"], &["10.0.0.2/24"]),
            (
                &["192.168.1.1/24", "10.0.0.1/8", "10.0.0.9/24"],
                &["10.0.0.2/24"],
            ),
            (&["10.0.0.1/24"], &["172.16.0.1/16", "10.0.0.7/24"]),
            (
                &["10.0.1.1/24", "10.0.0.1/16"],
                &["10.0.0.2/24", "10.0.1.2/24"],
            ),
            (&["10.0.0.1/24"], &["172.16.0.1/16"]),
        ];
        for (mine, theirs) in cases {
            let mut topo = Topology::default();
            let cidrs = |list: &[&str]| list.iter().map(|c| cidr(c)).collect::<Vec<_>>();
            let me = topo.add_node("me".into(), cidrs(mine), NodeKind::Router);
            let found = neighbour_and_source(&cidrs(mine), &cidrs(theirs));
            let first_shared = cidrs(theirs)
                .into_iter()
                .find(|t| cidrs(mine).iter().any(|m| m.contains(t.addr)));
            assert_eq!(
                found.map(|(t, _)| t),
                first_shared.map(|t| t.addr),
                "{mine:?}"
            );
            if let Some((toward, source)) = found {
                assert_eq!(
                    Some(source),
                    topo.source_addr(me, toward),
                    "{mine:?} {theirs:?}"
                );
            }
        }
    }
}
