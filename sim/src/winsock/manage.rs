//! The calls that complete at once: socket, bind, listen, shutdown,
//! closesocket, setsockopt, getsockopt, getsockname, getpeername; and accept.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

use simsock_model::WsaError;
use simsock_model::limits::scenario::MAX_BACKLOG;
use simsock_model::profile::BindRules;
use simsock_model::scenario::{Family, IoctlCommand, Kind, ShutdownHow, SockOpt};

use super::bind_rules;
use super::events::{with_abort, with_tcb};
use super::family::{self, Name};
use super::{CallCx, CallResult, Op, Poll, Value, resolve};
use crate::stack::binds::{Binding, Net, Share};
use crate::stack::socket::{Listener, SockState, Socket};
use crate::stack::sync::{release_if_detached, wake};

/// Runs a call that never waits.
pub(super) fn immediate(cx: &mut CallCx<'_>, op: &Op) -> CallResult {
    match *op {
        Op::Socket { slot, family, kind } => {
            let (handle, index) = cx.host.open_socket_at(family, kind)?;
            let v6only = cx.host.profile.ipv6_v6only_default;
            cx.host.socket_mut(index).v6only = v6only;
            cx.host.set_slot_at(slot, handle, index);
            Ok(Value::Socket(handle))
        }
        Op::Bind { slot, addr } => bind(cx, resolve(cx.host, slot)?, addr),
        Op::Listen { slot, backlog } => listen(cx, resolve(cx.host, slot)?, backlog),
        Op::Shutdown { slot, how } => shutdown(cx, resolve(cx.host, slot)?, how),
        Op::Close { slot } => {
            let index = resolve(cx.host, slot)?;
            super::connectex::before_close(cx, index); // issue 3, item 4
            close(cx, index)
        }
        Op::SetOpt { slot, opt, value } => set_option(cx, resolve(cx.host, slot)?, opt, value),
        Op::GetOpt { slot, opt } => get_option(cx, resolve(cx.host, slot)?, opt),
        Op::GetSockName { slot } => {
            let sock = cx.host.socket(resolve(cx.host, slot)?);
            // CB-C2, CB-C17: once connect has committed the local address of
            // a socket bound to the wildcard (explicitly or implicitly), its
            // connection's address is the one getsockname shows, not 0.0.0.0.
            let committed = sock.conn.and_then(|c| cx.host.tcb(c)).map(|t| t.local);
            committed
                .or(sock.local)
                .map(|a| Value::Addr(family::shown(sock.family, a)))
                .ok_or(WsaError::WSAEINVAL)
        }
        Op::GetPeerName { slot } => {
            let sock = cx.host.socket(resolve(cx.host, slot)?);
            match (sock.state, sock.remote) {
                (SockState::Connected, Some(a)) => Ok(Value::Addr(family::shown(sock.family, a))),
                _ => Err(WsaError::WSAENOTCONN),
            }
        }
        _ => Ok(Value::None),
    }
}

/// bind: the address must be the host's (WSAEADDRNOTAVAIL), and free by the
/// host's bind rules (`bind_rules.rs`: WSAEADDRINUSE, or WSAEACCES where
/// Windows' bind matrix denies it); port 0 takes an ephemeral port (CB-C16).
fn bind(cx: &mut CallCx<'_>, index: u32, addr: SocketAddr) -> CallResult {
    let sock = cx.host.socket(index);
    let addr = match family::name(sock.family, sock.dual_stack(), addr)? {
        Name::V4(v4) => v4,
        Name::AnyV6(port) => SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port),
        Name::V6(_) => return Err(WsaError::WSAEADDRNOTAVAIL), // no host has one (`family`)
    };
    if sock.local.is_some() {
        return Err(WsaError::WSAEINVAL);
    }
    if !addr.ip().is_unspecified() && !owns(cx, *addr.ip()) {
        return Err(WsaError::WSAEADDRNOTAVAIL);
    }
    let kind = sock.kind;
    let binding = binding_of(sock, index, *addr.ip());
    let port = match addr.port() {
        0 => cx.host.ports.allocate().ok_or(WsaError::WSAENOBUFS)?,
        p => {
            bind_rules::may_bind(cx.host, kind, p, &binding)?;
            cx.host.ports.hold(p);
            p
        }
    };
    cx.host.binds.insert(kind, port, binding);
    let sock = cx.host.socket_mut(index);
    sock.local = Some(SocketAddrV4::new(*addr.ip(), port));
    sock.wildcard = addr.ip().is_unspecified();
    sock.holds_port = true;
    sock.state = SockState::Bound;
    Ok(Value::None)
}

/// The socket's claim on `ip` as the bind table keeps it.
pub(super) fn binding_of(sock: &Socket, index: u32, ip: Ipv4Addr) -> Binding {
    let share = match (sock.reuse_addr, sock.exclusive_addr) {
        (true, _) => Share::Reuse,
        (_, true) => Share::Exclusive,
        _ => Share::Default,
    };
    // A V6ONLY socket never receives IPv4 traffic; a dual-stack one bound
    // to [::] does, and one bound to ::ffff:a.b.c.d is an IPv4 binding
    // (`family`). Divergence: Windows tells ::ffff:0.0.0.0 from [::] (Wine
    // `test_reuseaddr`); here both are the dual-stack wildcard.
    let net = match (sock.family, sock.v6only) {
        (Family::Inet6, true) => Net::V6Only,
        (Family::Inet6, false) if ip.is_unspecified() => Net::Dual,
        _ => Net::V4,
    };
    Binding {
        socket: index,
        addr: ip,
        share,
        net,
        listening: false,
    }
}

fn listen(cx: &mut CallCx<'_>, index: u32, backlog: u32) -> CallResult {
    let sock = cx.host.socket(index);
    if sock.kind != Kind::Stream {
        return Err(WsaError::WSAEOPNOTSUPP);
    }
    let (addr, port) = match (sock.state, sock.local) {
        (SockState::Bound | SockState::Listening, Some(local)) => (*local.ip(), local.port()),
        (SockState::Connected | SockState::Connecting, _) => return Err(WsaError::WSAEISCONN),
        _ => return Err(WsaError::WSAEINVAL),
    };
    if !bind_rules::may_listen(cx.host, index, addr, port) {
        return Err(WsaError::WSAEADDRINUSE);
    }
    if !cx.host.binds.listen(port, index) {
        // A socket bound without a binding of its own (an accepted socket
        // that DisconnectEx reused) gets one now.
        let binding = binding_of(cx.host.socket(index), index, addr);
        let listening = Binding {
            listening: true,
            ..binding
        };
        cx.host.binds.insert(Kind::Stream, port, listening);
    }
    // Windows caps the backlog at about 200 (`listen_backlog_max`, KB113576).
    let cap = u32::from(cx.host.profile.listen_backlog_max).min(MAX_BACKLOG);
    let sock = cx.host.socket_mut(index);
    sock.state = SockState::Listening;
    let backlog = backlog.clamp(1, cap);
    match sock.listener.as_mut() {
        Some(l) => l.backlog = backlog,
        None => sock.listener = Some(Box::new(Listener::new(backlog))),
    }
    let conditional = cx.host.socket_ex(index).conditional_accept;
    if let Some(l) = cx.host.socket_mut(index).listener.as_mut() {
        l.conditional = conditional; // SO_CONDITIONAL_ACCEPT (`wsaaccept`)
    }
    Ok(Value::None)
}

/// accept: the oldest established connection, as a new connected socket.
pub(super) fn accept(cx: &mut CallCx<'_>, slot: u32, into: u32) -> Poll {
    let index = match resolve(cx.host, slot) {
        Ok(i) => i,
        Err(e) => return Poll::Ready(Err(e)),
    };
    let Some(listener) = cx.host.socket_mut(index).listener.as_mut() else {
        return Poll::Ready(Err(WsaError::WSAEINVAL));
    };
    if listener.conditional {
        // SO_CONDITIONAL_ACCEPT: accept answers a held SYN as WSAAccept
        // with no condition function does (`wsaaccept`).
        return super::wsaaccept::conditional(cx, index, into, None);
    }
    let Some(conn) = listener.ready.pop_front() else {
        return Poll::Pending;
    };
    accept_conn(cx, index, into, conn)
}

/// Gives the established connection `conn`, taken off the listener's
/// queue, to a new socket whose handle goes into `into`.
pub(super) fn accept_conn(
    cx: &mut CallCx<'_>,
    index: u32,
    into: u32,
    conn: crate::stack::ConnId,
) -> Poll {
    cx.host.socket_ex_mut(index).deferred = None; // WSAAccept's CF_DEFER (`wsaaccept`)
    let family = cx.host.socket(index).family;
    let (handle, new_index) = match cx.host.open_socket_at(family, Kind::Stream) {
        Ok(opened) => opened,
        Err(e) => return Poll::Ready(Err(e)),
    };
    if let Err(e) = attach_accepted(cx.host, conn, new_index) {
        return Poll::Ready(Err(e));
    }
    cx.host.set_slot_at(into, handle, new_index);
    Poll::Ready(Ok(Value::Socket(handle)))
}

/// Gives an established connection from a listener's queue to the socket
/// `index` (accept, AcceptEx).
pub(super) fn attach_accepted(
    host: &mut super::Host,
    conn: crate::stack::ConnId,
    index: u32,
) -> Result<(), WsaError> {
    let (local, remote, error) = match host.tcb(conn) {
        Some(t) => (t.local, t.remote, t.error),
        None => return Err(WsaError::WSAECONNRESET),
    };
    if let Some(slot) = host.slot(conn) {
        slot.socket = Some(index);
        slot.listener = None;
        slot.ready = false;
        slot.holds_port = false;
    }
    let sock = host.socket_mut(index);
    sock.local = Some(local);
    sock.remote = Some(remote);
    sock.conn = Some(conn);
    sock.state = SockState::Connected;
    sock.holds_port = true;
    sock.error = error.map(crate::stack::sync::wsa_code);
    host.socket_ex_mut(index).accepted = true; // ConnectEx: CB-X9
    Ok(())
}

/// shutdown: ends receiving, sending (a FIN after the queued data), or both.
pub(super) fn shutdown(cx: &mut CallCx<'_>, index: u32, how: ShutdownHow) -> CallResult {
    let sock = cx.host.socket_mut(index);
    if sock.kind == Kind::Stream && sock.state != SockState::Connected {
        return Err(WsaError::WSAENOTCONN);
    }
    if matches!(how, ShutdownHow::Receive | ShutdownHow::Both) {
        sock.shut_recv = true;
    }
    if matches!(how, ShutdownHow::Send | ShutdownHow::Both)
        && !std::mem::replace(&mut sock.shut_send, true)
        && let Some(conn) = sock.conn
    {
        with_tcb(cx.host, cx.core, conn, |tcb, cfg, core, out| {
            tcb.close(core.now(), cfg, out)
        });
    }
    Ok(Value::None)
}

/// closesocket: a graceful close (FIN after the queued data) that goes on
/// after the handle is gone; unread received data makes it abortive (RST),
/// as Windows does (RFC 2525 §2.17). A listener resets its queued
/// connections. Threads blocked on the socket are woken and find it gone.
fn close(cx: &mut CallCx<'_>, index: u32) -> CallResult {
    crate::stack::held::reset_all(cx.host, cx.core, index); // SO_CONDITIONAL_ACCEPT
    let sock = cx.host.socket_mut(index);
    let (conn, local, holds_port, kind) =
        (sock.conn.take(), sock.local, sock.holds_port, sock.kind);
    let abortive = sock.linger == Some(0);
    let ready: Vec<_> = sock
        .listener
        .take()
        .map(|l| l.ready.into_iter().collect())
        .unwrap_or_default();
    let mut waiters = std::mem::take(&mut sock.waiters);
    wake(cx.core, &mut waiters);
    for queued in ready {
        with_abort(cx.host, cx.core, queued);
    }
    if let Some(local) = local {
        cx.host.binds.remove(kind, local.port(), index);
    }
    match conn {
        Some(conn) => close_connection(cx, conn, holds_port, abortive),
        None if holds_port => cx.host.ports.release(local.map_or(0, |l| l.port())),
        None => {}
    }
    cx.host.free_socket(index);
    Ok(Value::None)
}

/// Detaches a connection from its closing socket; it keeps the port. An
/// abortive close (SO_LINGER with a zero timeout, or unread data) resets it.
pub(super) fn close_connection(
    cx: &mut CallCx<'_>,
    conn: crate::stack::ConnId,
    holds_port: bool,
    abortive: bool,
) {
    let unread = abortive || cx.host.tcb(conn).is_some_and(|t| !t.recv_buf.is_empty());
    if let Some(slot) = cx.host.slot(conn) {
        slot.socket = None;
        slot.holds_port = holds_port;
    }
    if unread {
        with_abort(cx.host, cx.core, conn);
        return;
    }
    with_tcb(cx.host, cx.core, conn, |tcb, cfg, core, out| {
        tcb.close_socket(core.now(), cfg, out)
    });
    // A connection leaves the connection table only as it enters CLOSED
    // or TIME_WAIT (`stack::sync::on_closed`, `enter_time_wait`), states a
    // TCB never leaves but for CLOSED: one that is in neither is in the
    // table.
    //
    // Performance (issue 18): the table was asked as well, a hash lookup
    // in every close that leaves the connection open (both ends of every
    // connection of the storm: ~190 instructions a connection at 100 x 200,
    // callgrind).
    let finished = cx
        .host
        .tcb(conn)
        .is_some_and(|t| t.is_closed() || t.state == simsock_model::TcpState::TimeWait);
    debug_assert!(
        finished
            || cx
                .host
                .tcb(conn)
                .is_none_or(|t| cx.host.conns.contains_key(&(t.local, t.remote))),
        "a live connection that is not in the connection table"
    );
    if finished {
        release_if_detached(cx.host, cx.core, conn);
    }
}

fn set_option(cx: &mut CallCx<'_>, index: u32, opt: SockOpt, value: u32) -> CallResult {
    // Linux has no SO_EXCLUSIVEADDRUSE (socket(7)).
    let linux = cx.host.profile.bind_rules == BindRules::Linux;
    let sock = cx.host.socket_mut(index);
    match opt {
        // SO_REUSEADDR and SO_EXCLUSIVEADDRUSE exclude each other: setting
        // one while the other is on is WSAEINVAL (Wine `test_reuseaddr`).
        SockOpt::SO_REUSEADDR if value != 0 && sock.exclusive_addr => {
            return Err(WsaError::WSAEINVAL);
        }
        SockOpt::SO_REUSEADDR => sock.reuse_addr = value != 0,
        SockOpt::SO_EXCLUSIVEADDRUSE if linux => return Err(WsaError::WSAENOPROTOOPT),
        SockOpt::SO_EXCLUSIVEADDRUSE if value != 0 && sock.reuse_addr => {
            return Err(WsaError::WSAEINVAL);
        }
        SockOpt::SO_EXCLUSIVEADDRUSE => sock.exclusive_addr = value != 0,
        // ipv6(7): an IPPROTO_IPV6 option; Linux refuses it once bound
        // (EINVAL), and so does Windows ("Dual-Stack Sockets": set it
        // before bind).
        SockOpt::IPV6_V6ONLY if sock.family != Family::Inet6 => {
            return Err(WsaError::WSAENOPROTOOPT);
        }
        SockOpt::IPV6_V6ONLY if sock.local.is_some() => return Err(WsaError::WSAEINVAL),
        SockOpt::IPV6_V6ONLY => sock.v6only = value != 0,
        SockOpt::SO_BROADCAST if sock.kind == Kind::Dgram => sock.broadcast = value != 0,
        SockOpt::SO_SNDBUF | SockOpt::SO_RCVBUF => {}
        // setsockopt's page: SO_LINGER is not supported on a datagram socket.
        SockOpt::SO_LINGER if sock.kind == Kind::Stream => sock.linger = Some(value),
        SockOpt::SO_CONDITIONAL_ACCEPT if sock.kind == Kind::Stream => {
            if let Some(l) = sock.listener.as_mut() {
                l.conditional = value != 0;
            }
            cx.host.socket_ex_mut(index).conditional_accept = value != 0;
        }
        _ => return Err(WsaError::WSAENOPROTOOPT),
    }
    Ok(Value::None)
}

/// ioctlsocket: FIONBIO sets the socket's mode (CB-N1); FIONREAD counts
/// the bytes a recv would return now.
pub(super) fn ioctl(
    cx: &mut CallCx<'_>,
    slot: u32,
    command: IoctlCommand,
    value: u32,
) -> CallResult {
    let index = resolve(cx.host, slot)?;
    match command {
        IoctlCommand::FIONBIO => {
            cx.host.socket_mut(index).nonblocking = value != 0;
            Ok(Value::None)
        }
        IoctlCommand::FIONREAD => {
            let sock = cx.host.socket(index);
            let ready = match sock.conn.and_then(|c| cx.host.tcb(c)) {
                Some(tcb) => tcb.recv_buf.len(),
                None => sock.datagrams.front().map_or(0, |(_, d)| d.len()),
            };
            Ok(Value::Number(ready as u32))
        }
    }
}

fn get_option(cx: &mut CallCx<'_>, index: u32, opt: SockOpt) -> CallResult {
    let sock = cx.host.socket(index);
    let value = match opt {
        SockOpt::SO_REUSEADDR => u32::from(sock.reuse_addr),
        SockOpt::SO_EXCLUSIVEADDRUSE => u32::from(sock.exclusive_addr),
        SockOpt::IPV6_V6ONLY if sock.family != Family::Inet6 => {
            return Err(WsaError::WSAENOPROTOOPT);
        }
        SockOpt::IPV6_V6ONLY => u32::from(sock.v6only),
        SockOpt::SO_BROADCAST => u32::from(sock.broadcast),
        SockOpt::SO_ERROR => return Ok(Value::Number(so_error(cx, index))),
        SockOpt::SO_TYPE => {
            if sock.kind == Kind::Stream {
                1
            } else {
                2
            }
        }
        SockOpt::SO_ACCEPTCONN => u32::from(sock.state == SockState::Listening),
        SockOpt::SO_SNDBUF => cx.host.profile.send_buffer,
        SockOpt::SO_RCVBUF => u32::from(cx.host.profile.receive_window),
        // l_linger; 0 also when SO_LINGER was never set (l_onoff = 0).
        SockOpt::SO_LINGER => sock.linger.unwrap_or(0),
        SockOpt::SO_CONDITIONAL_ACCEPT => u32::from(cx.host.socket_ex(index).conditional_accept),
        // Answered by `connectex::intercept` before this (issue 3, item 4).
        SockOpt::SO_UPDATE_CONNECT_CONTEXT
        | SockOpt::SO_CONNECT_TIME
        | SockOpt::TCP_FASTOPEN
        | SockOpt::SO_REUSE_UNICASTPORT => {
            return Err(WsaError::WSAENOPROTOOPT);
        }
        // Answered by `timeouts` before this (issue 14, item 3).
        SockOpt::SO_RCVTIMEO | SockOpt::SO_SNDTIMEO => {
            return Err(WsaError::WSAENOPROTOOPT);
        }
    };
    Ok(Value::Number(value))
}

/// getsockopt(SO_ERROR): the pending error's number. On a Linux host it is
/// the errno number, and reading clears it ("get and clear the pending
/// socket error", socket(7); `so_error_cleared_on_read`); Windows keeps it
/// (Wine `test_select`).
fn so_error(cx: &mut CallCx<'_>, index: u32) -> u32 {
    let profile = &cx.host.profile;
    let (linux, clear) = (
        profile.personality.errno_names(),
        profile.so_error_cleared_on_read,
    );
    let sock = cx.host.socket_mut(index);
    let Some(code) = sock.error else {
        return 0;
    };
    if clear {
        sock.error = None;
    }
    match simsock_model::Errno::from_wsa(code) {
        Some(errno) if linux => errno.number(),
        _ => code.number(),
    }
}

/// Whether the calling host owns `ip`, as bind requires (bind.txt:
/// WSAEADDRNOTAVAIL for an address not on this machine): one of
/// its interfaces' addresses, or 127.0.0.0/8, which every host owns through
/// its loopback interface.
pub(super) fn owns(cx: &CallCx<'_>, ip: Ipv4Addr) -> bool {
    ip.is_loopback()
        || cx
            .core
            .topo
            .node(cx.host.node)
            .addrs
            .iter()
            .any(|c| c.addr == ip)
}
