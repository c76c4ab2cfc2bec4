//! ConnectEx (ConnectEx.txt; CB-X1..X11): the connect engine of
//! `connect.rs` with ConnectEx's rules, overlapped completion, the send
//! buffer (with TCP Fast Open), SO_UPDATE_CONNECT_CONTEXT and
//! SO_CONNECT_TIME.
//!
//! Choices where the document is silent, each argued here:
//! - A datagram socket fails with WSAEINVAL ([`DATAGRAM_CODE`], CB-X1).
//! - The function pointer must be obtained first (CB-X3). A thread whose
//!   steps call ConnectEx before a `GetExtensionFunction(function:
//!   ConnectEx)` is rejected by the scenario check, with file:line:col:
//!   calling through a null pointer is a crash, not a Winsock error. If the
//!   WSAIoctl itself failed at run time, the call is refused with WSAEFAULT
//!   and the run fails with an invariant violation that says why.
//! - ConnectEx never returns TRUE here: the handshake needs at least one
//!   event (even over loopback), so a started attempt is always
//!   ERROR_IO_PENDING. The completion's byte count is the number of bytes
//!   of the send buffer the stack took (queued to send) once connected.
//! - A reused socket (TF_REUSE_SOCKET) whose new ConnectEx goes to the peer
//!   of its old connection while that connection's TIME_WAIT holds the
//!   four-tuple is delayed until the record ends (CB-X10, the document's
//!   "causing the ConnectEx call to be delayed"); any other four-tuple
//!   clash is WSAEADDRINUSE at once (CB-C17).

use std::net::{SocketAddr, SocketAddrV4};
use std::rc::Rc;

use simsock_model::scenario::{ExtensionFunction, Kind, SockOpt};
use simsock_model::{Api, SimTime, WsaError};

use super::Host;
use super::connect::{check_name, start_for};
use super::events::with_tcb;
use super::overlapped::{begin, complete};
use super::{CallCx, CallResult, Op, Slot, Value, resolve};
use crate::engine::Core;
use crate::stack::ConnId;
use crate::stack::socket::SockState;
use crate::stack::tcp::FourTuple;

/// CB-X1: ConnectEx on a datagram socket. ConnectEx.txt says the function
/// "is only supported on connection-oriented sockets" but its table names
/// no code for it. Its WSAEADDRNOTAVAIL row mentions connection orientation
/// only to explain why ADDR_ANY is invalid (on a connectionless socket it
/// would mean "disconnect"), so it is not that. The table's code for "s is
/// not a socket ConnectEx can use" is WSAEINVAL (unbound or listening,
/// CB-X2, CB-X11), and an invalid argument is what Windows' AFD answers
/// (STATUS_INVALID_PARAMETER) for a connectionless endpoint.
pub const DATAGRAM_CODE: WsaError = WsaError::WSAEINVAL;

/// ConnectEx's part of a socket.
#[derive(Debug, Default)]
pub struct SocketEx {
    /// The ConnectEx under way (boxed: rare, and every socket carries the
    /// field).
    pub pending: Option<Box<Pending>>,
    /// Connected by ConnectEx, SO_UPDATE_CONNECT_CONTEXT not yet set:
    /// getpeername and shutdown fail (CB-X6).
    pub context_stale: bool,
    /// Connected by ConnectEx (until TF_REUSE_SOCKET makes it reusable):
    /// a later connect() is WSAEINVAL under `connect_mixing_einval`.
    pub connected_by_ex: bool,
    /// TCP_FASTOPEN was set (CB-X5).
    pub fast_open: bool,
    /// Came from accept or AcceptEx (CB-X9).
    pub accepted: bool,
    /// Returned to bound-unconnected by TF_REUSE_SOCKET, with the four-tuple
    /// of the connection it had (CB-X9, CB-X10).
    pub reused_from: Option<FourTuple>,
    /// Disconnected without TF_REUSE_SOCKET: ConnectEx on it is WSAEINVAL.
    pub spent: bool,
    /// The OVERLAPPED of a DisconnectEx half-close waiting for its FIN to
    /// be acknowledged (`reuse::disconnect_progress`; profile
    /// `disconnect_ex_half_close`).
    pub disconnecting: Option<Slot>,
    /// The listener (by index) whose pending AcceptEx will accept into
    /// this socket: connect and ConnectEx on it are WSAEINVAL, and so is a
    /// second AcceptEx into it (Wine `test_AcceptEx`).
    pub accept_held_by: Option<u32>,
    /// A listener's connection that a WSAAccept condition function
    /// deferred (CF_DEFER) while it stays at the head of the queue: an
    /// AcceptEx that takes it still returns ERROR_IO_PENDING (Wine
    /// `test_AcceptEx`, "Test CF_DEFER & AcceptEx interaction").
    pub deferred: Option<ConnId>,
    /// SO_CONDITIONAL_ACCEPT was set: a listen on the socket holds SYNs
    /// (`stack/held.rs`, `wsaaccept.rs`).
    pub conditional_accept: bool,
    /// A listener's held request that a condition function accepted: the
    /// WSAAccept (or accept) waits for its handshake to complete.
    pub answered: Option<FourTuple>,
    /// SO_REUSE_UNICASTPORT: a bind to port 0 defers the port to connect.
    pub defer_port: bool,
    /// The completion port and key it is associated with.
    pub port: Option<(Slot, u32)>,
    /// A listener's AcceptEx calls waiting for a connection: the accept
    /// socket's index and the OVERLAPPED, oldest first.
    pub accepting: Vec<(u32, Slot)>,
}

impl SocketEx {
    /// No overlapped operation involves the socket: no ConnectEx or
    /// DisconnectEx is under way on it, no AcceptEx waits on it or will
    /// accept into it. Closing it aborts nothing (`reuse::on_close`).
    #[inline]
    pub fn idle(&self) -> bool {
        self.pending.is_none()
            && self.disconnecting.is_none()
            && self.accept_held_by.is_none()
            && self.accepting.is_empty()
    }
}

/// A ConnectEx under way.
#[derive(Debug)]
pub struct Pending {
    /// The OVERLAPPED its outcome is stored on.
    ov: Slot,
    /// The peer.
    to: SocketAddrV4,
    data: Rc<[u8]>,
    /// Bytes of `data` the stack took so far.
    queued: u32,
    /// Waits for the TIME_WAIT of `to` to end before it sends a SYN (CB-X10).
    delayed: bool,
    connected: bool,
}

/// The arguments of one ConnectEx call.
pub(super) struct Call<'a> {
    /// The socket to call on.
    pub slot: Slot,
    /// The peer's address.
    pub to: SocketAddr,
    /// `namelen`; `None` is the size of `to`'s sockaddr (CB-C8).
    pub namelen: Option<u32>,
    /// lpSendBuffer (CB-X5); `None` is no buffer.
    pub data: Option<&'a Rc<[u8]>>,
    /// lpOverlapped; `None` is NULL, WSAEFAULT (CB-X4).
    pub ov: Option<Slot>,
    /// The overlapped's hEvent; `None` is none.
    pub event: Option<Slot>,
}

/// ConnectEx: FALSE with ERROR_IO_PENDING once the SYN is out (CB-X4), or
/// the error at once.
pub(super) fn connect_ex(cx: &mut CallCx<'_>, call: Call<'_>) -> CallResult {
    cx.host.steps_watched = true; // its progress follows TCB steps (`events::stepped`)
    let index = resolve(cx.host, call.slot)?;
    if !cx.host.ex.has_pointer(ExtensionFunction::ConnectEx) {
        let why = "ConnectEx called through a null pointer: WSAIoctl did not return it (CB-X3)";
        cx.host.violations.push(why.to_string());
        return Err(WsaError::WSAEFAULT);
    }
    let ov = call.ov.ok_or_else(|| null_overlapped(cx.host))?; // CB-X4: lpOverlapped is required
    check_name(call.to, call.namelen)?; // CB-C8
    let ex = cx.host.socket_ex(index);
    if ex.spent || (ex.accepted && ex.reused_from.is_some()) {
        return Err(WsaError::WSAEINVAL); // CB-X9: an accepted socket, reused
    }
    let data = call.data.cloned().unwrap_or_else(|| Rc::from(&b""[..]));
    let early = fast_open_data(cx.host, index, call.to, &data);
    let delayed = match start_for(cx, index, call.to, Api::ConnectEx, early) {
        Ok(_) => false,
        Err(WsaError::WSAEADDRINUSE) if waits_for_time_wait(cx.host, index, call.to) => true,
        Err(e) => return Err(e),
    };
    let SocketAddr::V4(to) = call.to else {
        return Err(WsaError::WSAEAFNOSUPPORT); // unreachable: start_for took it
    };
    let queued = early.len() as u32;
    cx.host.socket_ex_mut(index).pending = Some(Box::new(Pending {
        ov,
        to,
        data,
        queued,
        delayed,
        connected: false,
    }));
    if delayed {
        cx.host.socket_mut(index).state = SockState::Connecting;
        cx.host.ex.delayed.push(index);
    }
    begin(cx, ov, ExtensionFunction::ConnectEx, call.slot, call.event);
    Err(WsaError::ERROR_IO_PENDING)
}

/// ConnectEx or AcceptEx with lpOverlapped NULL: ERROR_INVALID_PARAMETER
/// on observed Windows (profile `null_overlapped_invalid_parameter`; Wine
/// `test_connect`, `test_AcceptEx`), WSAEFAULT as the ConnectEx page says
/// (CB-X4) under `windows-documented`.
pub(super) fn null_overlapped(host: &Host) -> WsaError {
    match host.profile.null_overlapped_invalid_parameter {
        true => WsaError::ERROR_INVALID_PARAMETER,
        false => WsaError::WSAEFAULT,
    }
}

/// RFC 7413 §4.1.2: the send buffer rides on the SYN only when TCP_FASTOPEN
/// is set and the host holds a cookie for the server (the first
/// connection is the cookie request; see `stack/tcp/tcb/fastopen.rs`).
fn fast_open_data<'a>(host: &Host, index: u32, to: SocketAddr, data: &'a [u8]) -> &'a [u8] {
    let SocketAddr::V4(to) = to else { return &[] };
    let fast_open = host.socket_ex(index).fast_open;
    match fast_open && host.socket(index).kind == Kind::Stream && host.ex.cookies.contains(to.ip())
    {
        true => data,
        false => &[],
    }
}

/// CB-X10: the reused socket's own old connection to this peer holds the
/// four-tuple in TIME_WAIT.
fn waits_for_time_wait(host: &Host, index: u32, to: SocketAddr) -> bool {
    let Some(old) = host.socket_ex(index).reused_from else {
        return false;
    };
    SocketAddr::V4(old.1) == to && host.time_wait.contains(&old)
}

/// Called after the stack touched a socket's connection: carries a
/// pending ConnectEx forward (send its buffer once connected, CB-X5) and
/// completes it when done or failed (CB-X4).
pub fn on_change(host: &mut Host, core: &mut Core, index: u32) {
    if host.live_socket_mut(index).is_none() {
        return;
    }
    let Some(mut op) = host.socket_ex_mut(index).pending.take() else {
        return;
    };
    let sock = host.socket(index);
    let (state, conn, error) = (sock.state, sock.conn, sock.error);
    let outcome = match state {
        SockState::Connecting => None,
        _ if op.delayed => None,
        SockState::Connected => conn.and_then(|c| send_buffer(host, core, index, c, &mut op)),
        // The attempt failed; CB-C5: the socket may connect again.
        _ => Some(Err(error.unwrap_or(WsaError::WSAECONNREFUSED))),
    };
    match outcome {
        None => host.socket_ex_mut(index).pending = Some(op),
        Some(outcome) => complete(host, core, op.ov, outcome),
    }
}

/// Queues what is left of the send buffer; the outcome once all is taken,
/// or the connection's error.
fn send_buffer(
    host: &mut Host,
    core: &mut Core,
    index: u32,
    conn: ConnId,
    op: &mut Pending,
) -> Option<Result<u32, WsaError>> {
    if !op.connected {
        op.connected = true;
        let ex = host.socket_ex_mut(index);
        ex.context_stale = true; // CB-X6
        ex.connected_by_ex = true;
        if host.socket_ex(index).fast_open {
            host.ex.cookies.insert(*op.to.ip()); // the cookie request was answered
        }
    }
    let tcb = host.tcb(conn)?;
    if let Some(e) = tcb.error {
        return Some(Err(crate::stack::sync::wsa_code(e)));
    }
    if op.queued as usize >= op.data.len() {
        return Some(Ok(op.queued));
    }
    if !tcb.can_send() {
        return Some(Err(WsaError::WSAENOTCONN));
    }
    let capacity = host.profile.send_buffer as usize;
    let (from, data) = (op.queued as usize, op.data.clone());
    let taken = with_tcb(host, core, conn, |tcb, cfg, core, out| {
        tcb.send(core.now(), &data[from..], capacity, cfg, out)
    });
    op.queued += taken.unwrap_or(0) as u32;
    (op.queued as usize >= op.data.len()).then_some(Ok(op.queued))
}

/// A TIME_WAIT record ended: a delayed ConnectEx to its peer now sends its
/// SYN (CB-X10).
pub fn time_wait_ended(host: &mut Host, core: &mut Core, tuple: FourTuple) {
    let waiting: Vec<u32> = host
        .ex
        .delayed
        .iter()
        .copied()
        .filter(|&i| {
            let ex = host.socket_ex(i);
            ex.reused_from == Some(tuple) && ex.pending.as_ref().is_some_and(|p| p.delayed)
        })
        .collect();
    host.ex.delayed.retain(|i| !waiting.contains(i));
    for index in waiting {
        restart(host, core, index);
    }
}

fn restart(host: &mut Host, core: &mut Core, index: u32) {
    host.socket_mut(index).state = SockState::Bound;
    let Some(mut op) = host.socket_ex_mut(index).pending.take() else {
        return;
    };
    op.delayed = false;
    let (mut progress, mut received, mut completed) = (0, Vec::new(), None);
    let mut cx = CallCx {
        core,
        host,
        progress: &mut progress,
        received: &mut received,
        completed: &mut completed,
        first: true,
        thread: u32::MAX,
        start: SimTime::ZERO,
    };
    let started = start_for(&mut cx, index, SocketAddr::V4(op.to), Api::ConnectEx, &[]);
    match started {
        Ok(_) => host.socket_ex_mut(index).pending = Some(op),
        Err(e) => complete(host, core, op.ov, Err(e)),
    }
}

/// CB-X8: the thread that started a ConnectEx exited. The attempt is torn
/// down: a SYN_SENT connection goes away silently (RFC 9293 §3.10.4, CLOSE
/// in SYN-SENT), and the socket is bound and unconnected again. A
/// connection already established stays (only its send is cut short).
pub fn cancel(host: &mut Host, core: &mut Core, index: u32) {
    let Some(_) = host.socket_ex_mut(index).pending.take() else {
        return;
    };
    host.ex.delayed.retain(|&i| i != index);
    let sock = host.socket_mut(index);
    if sock.state != SockState::Connecting {
        return;
    }
    match sock.conn {
        Some(conn) => {
            with_tcb(host, core, conn, |tcb, cfg, core, out| {
                tcb.close(core.now(), cfg, out)
            });
        }
        None => sock.state = SockState::Bound, // a delayed ConnectEx
    }
}

/// Whether [`intercept`] may answer `op`. Performance: the other calls
/// skip it, and looking their socket up.
#[inline]
pub(super) fn intercepts(op: &Op) -> bool {
    matches!(
        op,
        Op::SetOpt { .. }
            | Op::Bind { .. }
            | Op::GetOpt { .. }
            | Op::GetPeerName { .. }
            | Op::Shutdown { .. }
    )
}

/// The calls ConnectEx changes, answered here before the common code:
/// SO_UPDATE_CONNECT_CONTEXT (CB-X6), SO_CONNECT_TIME (CB-X7), TCP_FASTOPEN
/// (CB-X5), getpeername and shutdown before the context update (CB-X6).
/// Only for the calls of [`intercepts`]; closesocket's part is
/// [`before_close`].
pub(super) fn intercept(cx: &mut CallCx<'_>, op: &Op) -> Option<CallResult> {
    let slot = op.slot()?;
    let index = resolve(cx.host, slot).ok()?;
    let (state, kind) = (cx.host.socket(index).state, cx.host.socket(index).kind);
    let ex = cx.host.socket_ex_mut(index);
    match *op {
        Op::SetOpt {
            opt: SockOpt::SO_UPDATE_CONNECT_CONTEXT,
            ..
        } => Some(match state {
            SockState::Connected => {
                ex.context_stale = false;
                Ok(Value::None)
            }
            _ => Err(WsaError::WSAENOTCONN),
        }),
        Op::SetOpt {
            opt: SockOpt::TCP_FASTOPEN,
            value,
            ..
        } => Some(match kind {
            Kind::Stream => {
                ex.fast_open = value != 0;
                Ok(Value::None)
            }
            Kind::Dgram => Err(WsaError::WSAENOPROTOOPT),
        }),
        Op::SetOpt {
            opt: SockOpt::SO_REUSE_UNICASTPORT,
            value,
            ..
        } => {
            ex.defer_port = value != 0;
            Some(Ok(Value::None))
        }
        Op::Bind { addr, .. } if ex.defer_port && addr.port() == 0 => {
            deferred_bind(cx, index, addr)
        }
        Op::GetOpt { opt, .. } => get_option(cx, index, opt),
        Op::GetPeerName { .. } | Op::Shutdown { .. } if ex.context_stale => {
            Some(Err(WsaError::WSAENOTCONN)) // CB-X6
        }
        _ => None,
    }
}

/// closesocket of the socket at `index`, before the common code
/// (`manage::close`): the overlapped operations it is part of end with
/// ERROR_OPERATION_ABORTED (a ConnectEx under way on it, and what
/// `reuse::on_close` ends).
///
/// Performance: a socket that no overlapped operation involves (every
/// socket of a host that never used one) costs one test. This ran in
/// [`intercept`], which looked the socket up a second time.
#[inline]
pub(super) fn before_close(cx: &mut CallCx<'_>, index: u32) {
    if !cx.host.socket_ex(index).idle() {
        abort_on_close(cx, index);
    }
}

/// [`before_close`] for a socket with overlapped work.
#[inline(never)]
fn abort_on_close(cx: &mut CallCx<'_>, index: u32) {
    super::reuse::on_close(cx.host, cx.core, index);
    let ex = cx.host.socket_ex_mut(index);
    if let Some(p) = ex.pending.take() {
        cx.host.ex.delayed.retain(|&i| i != index);
        complete(
            cx.host,
            cx.core,
            p.ov,
            Err(WsaError::ERROR_OPERATION_ABORTED),
        );
    }
}

/// bind to port 0 with SO_REUSE_UNICASTPORT: bound, with the port left to
/// connect time (Windows' deferred port allocation). `None` hands the
/// cases bind rejects to bind itself.
fn deferred_bind(cx: &mut CallCx<'_>, index: u32, addr: SocketAddr) -> Option<CallResult> {
    let SocketAddr::V4(addr) = addr else {
        return None;
    };
    let own = super::manage::owns(cx, *addr.ip());
    let sock = cx.host.socket_mut(index);
    if sock.local.is_some() || sock.kind != Kind::Stream || !(own || addr.ip().is_unspecified()) {
        return None;
    }
    sock.local = Some(addr);
    sock.wildcard = addr.ip().is_unspecified();
    sock.state = SockState::Bound;
    Some(Ok(Value::None))
}

fn get_option(cx: &CallCx<'_>, index: u32, opt: SockOpt) -> Option<CallResult> {
    let sock = cx.host.socket(index);
    let ex = cx.host.socket_ex(index);
    match opt {
        SockOpt::SO_CONNECT_TIME => {
            // CB-X7: whole seconds of simulated time since ESTABLISHED.
            let since = sock
                .conn
                .filter(|_| sock.state == SockState::Connected)
                .and_then(|c| cx.host.tcb(c))
                .and_then(|t| t.established_at());
            let secs = since.map_or(u32::MAX, |t| {
                (cx.core.now().since(t).as_nanos() / 1_000_000_000) as u32
            });
            Some(Ok(Value::Number(secs)))
        }
        SockOpt::TCP_FASTOPEN => Some(Ok(Value::Number(u32::from(ex.fast_open)))),
        SockOpt::SO_UPDATE_CONNECT_CONTEXT => Some(Err(WsaError::WSAENOPROTOOPT)),
        SockOpt::SO_REUSE_UNICASTPORT => Some(Ok(Value::Number(u32::from(ex.defer_port)))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `before_close` skips `reuse::on_close` and the ConnectEx abort for
    /// an idle socket: a socket with any of the state they end is not idle.
    #[test]
    fn a_socket_with_overlapped_work_is_not_idle() {
        assert!(SocketEx::default().idle());
        let pending = Box::new(Pending {
            ov: 0,
            to: SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, 80),
            data: Rc::from(&[][..]),
            queued: 0,
            delayed: false,
            connected: false,
        });
        let busy: [fn(&mut SocketEx); 3] = [
            |ex| ex.disconnecting = Some(1),
            |ex| ex.accept_held_by = Some(2),
            |ex| ex.accepting.push((3, 4)),
        ];
        for (n, set) in busy.iter().enumerate() {
            let mut ex = SocketEx::default();
            set(&mut ex);
            assert!(!ex.idle(), "case {n}");
        }
        let ex = SocketEx {
            pending: Some(pending),
            ..SocketEx::default()
        };
        assert!(!ex.idle(), "a ConnectEx under way");
    }
}
