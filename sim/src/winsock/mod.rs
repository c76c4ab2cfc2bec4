//! The Winsock API the simulated threads call: WSAStartup, socket, bind,
//! listen, accept, connect, send, recv, shutdown, closesocket, setsockopt,
//! getsockopt, getsockname, getpeername and a per-thread WSAGetLastError;
//! and the notifications of a nonblocking connect ([`notify`]: select,
//! WSAAsyncSelect, WSAEventSelect and their WSP forms).
//!
//! A call either completes at once or is pending; a pending call is polled
//! again whenever its socket changes. Blocking calls return only when the
//! outcome is known (CB-N7). Functions are named after the calls they model.

mod bind_rules;
mod connect;
mod data;
mod dgram;
pub mod errno;
pub mod events;
mod family;
mod host;
mod manage;
pub mod notify;
mod op_plain;
mod op_text;
pub mod step;
mod wsaaccept;
mod wsaconnect;

pub use host::Host;
pub use wsaconnect::{ConnectParams, cancel};
// ConnectEx and overlapped I/O (issue 3, item 4).
pub mod connectex;
pub mod ex_op;
pub mod overlapped;
mod reuse;
// WSAPoll, WSAConnectByName, SO_RCVTIMEO/SO_SNDTIMEO (issue 14, item 3).
mod by_name;
mod poll;
pub mod timeouts;
pub mod wincalls;

use std::fmt;
use std::net::SocketAddr;
use std::rc::Rc;

use simsock_model::notify::FdEvent;
use simsock_model::scenario::{Family, IoctlCommand, Kind, ShutdownHow, SockOpt, WinsockVersion};
use simsock_model::{SimDuration, SimTime, WsaError};

use crate::engine::Core;

/// A socket variable of a host, by index: the scripts' socket names.
pub type Slot = u32;

/// One Winsock call (or a sleep) as a thread issues it.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// WSAStartup: the host's first one sets the Winsock version (1.1 brings
    /// 1.1's codes: CB-N2, CB-C18, CB-C19); later ones only count (a host
    /// is one process, CB-C10).
    Startup {
        /// The version asked for.
        version: WinsockVersion,
    },
    /// WSACleanup: undoes one WSAStartup; after the last, Winsock calls
    /// fail with WSANOTINITIALISED (CB-C10).
    Cleanup,
    /// socket(family, kind): the new socket's handle goes into `slot`
    /// ([`Value::Socket`]); `Irda` is WSAEAFNOSUPPORT (CB-I1).
    Socket {
        /// The socket variable that receives the handle.
        slot: Slot,
        /// The address family.
        family: Family,
        /// Stream (TCP) or datagram (UDP).
        kind: Kind,
    },
    /// bind: the socket's local address; one in use without SO_REUSEADDR
    /// is WSAEADDRINUSE (CB-C17).
    Bind {
        /// The socket to call on.
        slot: Slot,
        /// The local address; `0.0.0.0` is any address, port 0 an
        /// ephemeral port from the profile's `ephemeral_ports`.
        addr: SocketAddr,
    },
    /// listen: the socket accepts connections; SYNs past a full backlog
    /// get the profile's `backlog_overflow` (RST on Windows).
    Listen {
        /// The socket to call on.
        slot: Slot,
        /// The backlog asked; the host gives at most its profile's
        /// `listen_backlog_max`.
        backlog: u32,
    },
    /// accept: waits for a connection on the listening socket; the
    /// accepted socket's handle goes into `into` ([`Value::Socket`]).
    Accept {
        /// The listening socket.
        slot: Slot,
        /// The socket variable that receives the accepted socket.
        into: Slot,
    },
    /// WSAAccept with a condition function whose answer is `condition`
    /// (`wsaaccept.rs`): as accept for CF_ACCEPT or none; CF_DEFER leaves
    /// the connection queued (WSATRY_AGAIN), CF_REJECT resets it
    /// (WSAECONNREFUSED).
    WsaAccept {
        /// The listening socket.
        slot: Slot,
        /// The socket variable that receives the accepted socket.
        into: Slot,
        /// The condition function's answer; `None`: lpfnCondition NULL.
        condition: Option<simsock_model::scenario::Condition>,
    },
    /// connect (connect.txt): on a stream socket the handshake, blocking
    /// until the outcome is known (CB-N7) or WSAEWOULDBLOCK when
    /// nonblocking (CB-N1); on a datagram socket the default destination
    /// (CB-D1).
    Connect {
        /// The socket to call on.
        slot: Slot,
        /// The peer's address.
        to: SocketAddr,
        /// `namelen`; `None` is the size of `to`'s sockaddr (CB-C8).
        namelen: Option<u32>,
    },
    /// ioctlsocket.
    Ioctl {
        /// The socket to call on.
        slot: Slot,
        /// FIONBIO (nonzero `value` makes the socket nonblocking, CB-N1,
        /// CB-N2) or FIONREAD (the bytes ready to read).
        command: IoctlCommand,
        /// The command's argument.
        value: u32,
    },
    /// send: blocks until every byte is queued, or returns the bytes queued
    /// so far on a nonblocking socket (CB-N1).
    Send {
        /// The socket to call on.
        slot: Slot,
        /// The bytes to send.
        data: Rc<[u8]>,
    },
    /// recv: waits for data, the end of the stream (0 bytes) or an error.
    Recv {
        /// The socket to call on.
        slot: Slot,
        /// The receive buffer's size in bytes: at most this many are
        /// returned.
        max: u32,
    },
    /// shutdown: ends sending (sends FIN), receiving, or both.
    Shutdown {
        /// The socket to call on.
        slot: Slot,
        /// Which direction ends.
        how: ShutdownHow,
    },
    /// closesocket.
    Close {
        /// The socket to close.
        slot: Slot,
    },
    /// setsockopt.
    SetOpt {
        /// The socket to call on.
        slot: Slot,
        /// The option to set.
        opt: SockOpt,
        /// Its value: 0 or nonzero for the boolean options, seconds for
        /// SO_LINGER.
        value: u32,
    },
    /// getsockopt: the value as [`Value::Number`].
    GetOpt {
        /// The socket to call on.
        slot: Slot,
        /// The option to read.
        opt: SockOpt,
    },
    /// getsockname: the local address ([`Value::Addr`]); after an implicit
    /// bind, the one connect chose (CB-C2).
    GetSockName {
        /// The socket to call on.
        slot: Slot,
    },
    /// getpeername: the peer's address ([`Value::Addr`]); WSAENOTCONN when
    /// not connected.
    GetPeerName {
        /// The socket to call on.
        slot: Slot,
    },
    /// WSAGetLastError: the thread's last error code, a known WSA code as
    /// that `Err` (so an expectation names it), 0 as `Value::Number(0)`.
    LastError,
    /// The thread sleeps this long (not an alertable wait).
    Sleep(SimDuration),
    /// The thread sleeps until this simulated time (at once if it is past).
    SleepUntil(SimTime),
    // Datagram calls (CB-D1..D6, CB-B1..B3): `winsock/dgram.rs`.
    /// sendto: one datagram to `to`, on a connected socket too (CB-D4); a
    /// broadcast address needs SO_BROADCAST (CB-B2, CB-B3).
    SendTo {
        /// The socket to call on.
        slot: Slot,
        /// The datagram's destination.
        to: SocketAddr,
        /// Its payload.
        data: Rc<[u8]>,
    },
    /// recvfrom: the next datagram and its sender ([`Value::Datagram`]);
    /// one longer than `max` fills the buffer and fails with WSAEMSGSIZE.
    RecvFrom {
        /// The socket to call on.
        slot: Slot,
        /// The receive buffer's size in bytes.
        max: u32,
    },
    // --- Nonblocking notifications (CB-N3..N5): winsock/notify/. `spi`
    // names the call WSP... (same mechanism). ---
    /// select over three sets of sockets: waits until one is ready or the
    /// time-out passes; [`Value::Selected`] (CB-N3).
    Select {
        /// Boxed, as are the other rare large fields: a thread's pending
        /// call is copied into place at every call, so `Op` stays small.
        sets: Box<notify::SelectSets>,
        /// How long to wait; `None` waits forever, zero polls.
        timeout: Option<SimDuration>,
        /// WSPSelect: the same mechanism, the WSP name in the trace.
        spi: bool,
    },
    /// WSAAsyncSelect: the socket's events in `mask` are posted as
    /// messages to `window`; makes the socket nonblocking (CB-N4). A zero
    /// mask cancels.
    AsyncSelect {
        /// The socket to call on.
        slot: Slot,
        /// The host's window that receives the messages.
        window: notify::Named,
        /// `lEvent`: the network events, by [`FdEvent::bit`].
        mask: u32,
        /// WSPAsyncSelect: the same mechanism, the WSP name in the trace.
        spi: bool,
    },
    /// GetMessage: waits for the window's next message
    /// ([`Value::Message`]).
    GetMessage {
        /// The host's window to read.
        window: notify::Named,
    },
    /// WSACreateEvent: a manual-reset event object, not signalled.
    CreateEvent {
        /// The event object it creates.
        event: notify::Named,
    },
    /// WSAEventSelect: the socket's events in `mask` are recorded and
    /// signal `event`; makes the socket nonblocking (CB-N5). A zero mask
    /// cancels.
    EventSelect {
        /// The socket to call on.
        slot: Slot,
        /// The event object to signal.
        event: notify::Named,
        /// `lNetworkEvents`: the network events, by [`FdEvent::bit`].
        mask: u32,
        /// WSPEventSelect: the same mechanism, the WSP name in the trace.
        spi: bool,
    },
    /// WSAWaitForMultipleEvents: [`Value::Wait`] with WSA_WAIT_EVENT_0 + i,
    /// or WSA_WAIT_TIMEOUT.
    WaitForEvents {
        /// The events to wait on (at most 64, WSA_MAXIMUM_WAIT_EVENTS).
        events: Rc<[notify::Named]>,
        /// fWaitAll: wait until every event is signalled, not one.
        wait_all: bool,
        /// How long to wait; `None` is WSA_INFINITE.
        timeout: Option<SimDuration>,
    },
    /// WSAEnumNetworkEvents: reads and clears the socket's recorded events
    /// ([`Value::NetworkEvents`]) and resets `event` if given.
    EnumNetworkEvents {
        /// The socket to call on.
        slot: Slot,
        /// hEventObject: an event to reset; `None` is null.
        event: Option<notify::Named>,
        /// WSPEnumNetworkEvents: the same mechanism, the WSP name in the
        /// trace.
        spi: bool,
    },
    // --- WSAConnect/WSPConnect, APCs, cancel (feature: wsaconnect) ---
    /// WSAConnect, or WSPConnect when `spi` (its code goes to lpErrno).
    WsaConnect {
        /// WSPConnect (WSPConnect.txt), not WSAConnect (WSAConnect-CE.txt):
        /// the code goes to lpErrno, not WSAGetLastError (CB-C1).
        spi: bool,
        /// The socket to call on.
        slot: Slot,
        /// The peer's address.
        to: SocketAddr,
        /// `namelen`; `None` is the size of `to`'s sockaddr (CB-C8).
        namelen: Option<u32>,
        /// Connect data, QoS and buffer sizes (CB-W1..W6).
        params: Rc<ConnectParams>,
    },
    /// setsockopt(SO_CONNDATA).
    SetConnData {
        /// A listening socket.
        slot: Slot,
        /// The callee data its connections send back (CB-W2).
        data: Rc<[u8]>,
    },
    /// getsockopt(SO_CONNDATA).
    GetConnData {
        /// The socket to call on.
        slot: Slot,
    },
    /// QueueUserAPC to the thread named `thread` on the same host (CB-A1).
    QueueApc {
        /// The target thread's name.
        thread: String,
        /// The APC's body: calls the target runs in its next alertable
        /// wait.
        steps: Rc<[step::Step]>,
    },
    /// WSACancelBlockingCall, or WSPCancelBlockingCall when `spi` (CB-C18).
    CancelBlockingCall {
        /// WSPCancelBlockingCall: the code goes to lpErrno (CB-C1).
        spi: bool,
    },
    /// ConnectEx and overlapped I/O (issue 3, item 4): `ex_op.rs`. Boxed
    /// to keep `Op` small.
    Ex(Box<ex_op::ExOp>),
    /// WSAPoll and WSAConnectByName (issue 14, item 3): `wincalls.rs`.
    /// Boxed to keep `Op` small.
    Win(Box<wincalls::WinOp>),
}

impl Op {
    /// The socket variable the call acts on, if any.
    pub fn slot(&self) -> Option<Slot> {
        match *self {
            Op::Socket { slot, .. }
            | Op::Bind { slot, .. }
            | Op::Listen { slot, .. }
            | Op::Accept { slot, .. }
            | Op::WsaAccept { slot, .. }
            | Op::Connect { slot, .. }
            | Op::Send { slot, .. }
            | Op::Recv { slot, .. }
            | Op::Shutdown { slot, .. }
            | Op::Close { slot }
            | Op::SetOpt { slot, .. }
            | Op::GetOpt { slot, .. }
            | Op::GetSockName { slot }
            | Op::GetPeerName { slot }
            | Op::Ioctl { slot, .. }
            | Op::SendTo { slot, .. }
            | Op::RecvFrom { slot, .. }
            | Op::AsyncSelect { slot, .. }
            | Op::EventSelect { slot, .. }
            | Op::EnumNetworkEvents { slot, .. }
            | Op::WsaConnect { slot, .. }
            | Op::SetConnData { slot, .. }
            | Op::GetConnData { slot } => Some(slot),
            Op::Ex(ref op) => op.slot(),
            Op::Win(ref op) => op.slot(),
            _ => None,
        }
    }

    /// A service-provider call: its code goes to lpErrno, not to the
    /// thread's WSAGetLastError (CB-C1).
    pub fn is_spi(&self) -> bool {
        matches!(
            self,
            Op::WsaConnect { spi: true, .. } | Op::CancelBlockingCall { spi: true }
        )
    }

    /// Whether waiting in this call is an alertable wait, in which queued
    /// APCs run: every blocking Winsock call is (CB-A1); Sleep is not.
    pub fn is_alertable(&self) -> bool {
        !matches!(self, Op::Sleep(_) | Op::SleepUntil(_))
    }

    /// The call's text with socket names, e.g. `connect(s, 10.0.0.2:80)`.
    pub fn display<'a>(&'a self, names: &'a [String]) -> OpDisplay<'a> {
        OpDisplay { op: self, names }
    }
}

/// [`Op`] formatted with the host's socket names.
pub struct OpDisplay<'a> {
    op: &'a Op,
    names: &'a [String],
}

impl fmt::Display for OpDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = |slot: &Slot| self.names.get(*slot as usize).map_or("?", String::as_str);
        match self.op {
            Op::Startup { version } => write!(f, "WSAStartup({version})"),
            Op::Cleanup => write!(f, "WSACleanup()"),
            Op::Socket { slot, family, kind } => {
                write!(f, "{} = socket({family:?}, {kind:?})", n(slot))
            }
            Op::Bind { slot, addr } => write!(f, "bind({}, {addr})", n(slot)),
            Op::Listen { slot, backlog } => write!(f, "listen({}, {backlog})", n(slot)),
            Op::Accept { slot, into } => write!(f, "{} = accept({})", n(into), n(slot)),
            Op::WsaAccept {
                slot,
                into,
                condition,
            } => {
                let condition = condition.map_or("NULL", |c| c.name());
                write!(f, "{} = WSAAccept({}, {condition})", n(into), n(slot))
            }
            Op::Connect { slot, to, namelen } => match namelen {
                Some(len) => write!(f, "connect({}, {to}, {len})", n(slot)),
                None => write!(f, "connect({}, {to})", n(slot)),
            },
            Op::Ioctl {
                slot,
                command,
                value,
            } => write!(f, "ioctlsocket({}, {command:?}, {value})", n(slot)),
            Op::Send { slot, data } => write!(f, "send({}, {} bytes)", n(slot), data.len()),
            Op::Recv { slot, max } => write!(f, "recv({}, {max})", n(slot)),
            Op::Shutdown { slot, how } => write!(f, "shutdown({}, {how:?})", n(slot)),
            Op::Close { slot } => write!(f, "closesocket({})", n(slot)),
            Op::SetOpt { slot, opt, value } => {
                write!(f, "setsockopt({}, {opt:?}, {value})", n(slot))
            }
            Op::GetOpt { slot, opt } => write!(f, "getsockopt({}, {opt:?})", n(slot)),
            Op::GetSockName { slot } => write!(f, "getsockname({})", n(slot)),
            Op::GetPeerName { slot } => write!(f, "getpeername({})", n(slot)),
            Op::LastError => write!(f, "WSAGetLastError()"),
            Op::Sleep(d) => write!(f, "Sleep({d})"),
            Op::SleepUntil(t) => write!(f, "SleepUntil({t})"),
            Op::SendTo { slot, to, data } => {
                write!(f, "sendto({}, {} bytes, {to})", n(slot), data.len())
            }
            Op::RecvFrom { slot, max } => write!(f, "recvfrom({}, {max})", n(slot)),
            Op::WsaConnect {
                spi,
                slot,
                to,
                namelen,
                params,
            } => wsaconnect::display(f, *spi, n(slot), (*to, *namelen), params),
            Op::SetConnData { slot, data } => write!(
                f,
                "setsockopt({}, SO_CONNDATA, {:?})",
                n(slot),
                String::from_utf8_lossy(data)
            ),
            Op::GetConnData { slot } => write!(f, "getsockopt({}, SO_CONNDATA)", n(slot)),
            Op::QueueApc { thread, steps } => {
                let plural = if steps.len() == 1 { "" } else { "s" };
                write!(f, "QueueUserAPC({thread}, {} step{plural})", steps.len())
            }
            Op::CancelBlockingCall { spi: false } => write!(f, "WSACancelBlockingCall()"),
            Op::CancelBlockingCall { spi: true } => write!(f, "WSPCancelBlockingCall()"),
            Op::Ex(op) => op.fmt_with(f, self.names),
            Op::Win(op) => op.fmt_with(f, self.names),
            op => notify::display(f, op, self.names),
        }
    }
}

/// What a successful call returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// No value: the call returned 0 or TRUE.
    None,
    /// A new socket (socket, accept).
    Socket(u32),
    /// Bytes moved (send, recv).
    Bytes(u32),
    /// An address (getsockname, getpeername).
    Addr(SocketAddr),
    /// An option value (getsockopt) or an error number (WSAGetLastError).
    Number(u32),
    /// A datagram received by recvfrom: its length and its sender.
    Datagram {
        /// Its length in bytes (the bytes are in the thread's received
        /// data).
        bytes: u32,
        /// The sender's address.
        from: SocketAddr,
    },
    // --- Nonblocking notifications (CB-N3..N5) ---
    /// select: how many are ready, and per set a bit per position in it.
    Selected {
        /// select's return value: the ready sockets summed over the three
        /// sets (one in two sets counts twice).
        count: u32,
        /// Bit i: the i-th socket of readfds is readable.
        read: u64,
        /// Bit i: the i-th socket of writefds is writable.
        write: u64,
        /// Bit i: the i-th socket of exceptfds failed to connect.
        except: u64,
    },
    /// GetMessage: a WSAAsyncSelect message; `slot` is the socket variable
    /// holding the handle, if one does.
    Message {
        /// `wParam`: the socket's handle.
        socket: u32,
        /// The socket variable holding that handle, if one does.
        slot: Option<Slot>,
        /// WSAGETSELECTEVENT(`lParam`).
        event: simsock_model::notify::FdEvent,
        /// WSAGETSELECTERROR(`lParam`); `None` is 0.
        error: Option<WsaError>,
    },
    /// WSAEnumNetworkEvents: `lNetworkEvents` and `iErrorCode`.
    NetworkEvents {
        /// `lNetworkEvents`: the events recorded, by [`FdEvent::bit`].
        events: u32,
        /// `iErrorCode`, by `FD_*_BIT` index ([`FdEvent::index`]); `None`
        /// is 0.
        errors: [Option<WsaError>; 6],
    },
    /// WSAWaitForMultipleEvents: WSA_WAIT_EVENT_0 + i, or WSA_WAIT_TIMEOUT.
    Wait(u32),
    /// A completion packet (GetQueuedCompletionStatus; issue 3, item 4).
    Completion {
        /// The completion key the socket was associated with.
        key: u32,
        /// The bytes the operation transferred.
        bytes: u32,
    },
}

/// The outcome of a call.
pub type CallResult = Result<Value, WsaError>;

/// A call either completed or waits for its socket to change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Poll {
    /// The call returned this.
    Ready(CallResult),
    /// The call waits; it is polled again when something it waits on
    /// changes.
    Pending,
}

/// What a call needs besides the host: the core, and the calling thread's
/// state that a call reads or fills.
pub struct CallCx<'a> {
    /// Clock, queue, network and trace.
    pub core: &'a mut Core,
    /// The calling thread's host.
    pub host: &'a mut Host,
    /// Bytes of a blocking send already queued.
    pub progress: &'a mut u32,
    /// Filled by recv with the bytes received.
    pub received: &'a mut Vec<u8>,
    /// Set by the first poll of a call, false on later polls.
    pub first: bool,
    /// When the call began (the time-outs of select,
    /// WSAWaitForMultipleEvents and the overlapped waits count from it).
    pub start: SimTime,
    /// The calling thread (overlapped I/O: who started an operation, CB-X8).
    pub thread: u32,
    /// Set by a call that reads an overlapped operation's outcome
    /// (GetQueuedCompletionStatus, WSAGetOverlappedResult): which function
    /// the completed operation was (CB-X4).
    pub completed: &'a mut Option<simsock_model::scenario::ExtensionFunction>,
}

/// Polls a call: its first poll starts it, later polls check on it.
pub fn poll(cx: &mut CallCx<'_>, op: &Op) -> Poll {
    // ConnectEx and overlapped I/O (issue 3, item 4): kernel32 calls skip
    // the Winsock checks; some Winsock calls behave differently after
    // ConnectEx (`connectex::intercept`).
    if let Op::Ex(ex) = op
        && ex.kernel()
    {
        return ex_op::poll(cx, ex);
    }
    if cx.host.startups == 0
        && !matches!(
            op,
            Op::Startup { .. } | Op::Sleep(_) | Op::SleepUntil(_) | Op::LastError
        )
        && !notify::beside_winsock(op)
    {
        return Poll::Ready(Err(WsaError::WSANOTINITIALISED)); // CB-C10
    }
    if cx.core.faults.engaged
        && cx.core.faults.interface_down(cx.host.node)
        && !matches!(op, Op::Startup { .. } | Op::Cleanup)
        && !notify::beside_winsock(op)
    {
        // CB-C11: the network subsystem has failed (`world::faults`, InterfaceDown).
        return Poll::Ready(Err(WsaError::WSAENETDOWN));
    }
    if cx.host.startups > 0
        && connectex::intercepts(op)
        && let Some(result) = connectex::intercept(cx, op)
    {
        return Poll::Ready(result);
    }
    match op {
        Op::Ex(ex) => ex_op::poll(cx, ex),
        Op::Win(win) => wincalls::poll(cx, win),
        Op::Startup { version } => {
            if cx.host.startups == 0 {
                cx.host.version = *version;
            }
            cx.host.startups += 1;
            Poll::Ready(Ok(Value::None))
        }
        Op::Cleanup => {
            cx.host.startups -= 1;
            Poll::Ready(Ok(Value::None))
        }
        Op::Connect { slot, to, namelen } => connect::connect(cx, *slot, *to, *namelen),
        Op::WsaConnect {
            spi,
            slot,
            to,
            namelen,
            params,
        } => wsaconnect::wsa_connect(cx, *spi, *slot, (*to, *namelen), params),
        Op::SetConnData { slot, data } => Poll::Ready(wsaconnect::set_conn_data(cx, *slot, data)),
        Op::GetConnData { slot } => Poll::Ready(wsaconnect::get_conn_data(cx, *slot)),
        // Performance: the notification hooks below only matter once a
        // socket of the host registered (`HostNotify::in_use`); until then
        // the call's result is returned as it is, with no copy.
        Op::Send { slot, data } if !cx.host.notify.in_use => {
            let send = |cx: &mut CallCx<'_>| data::send(cx, *slot, data);
            bounded_nonblocking(cx, *slot, timeouts::Dir::Send, send) // SO_SNDTIMEO
        }
        Op::Recv { slot, max } if !cx.host.notify.in_use => {
            let recv = |cx: &mut CallCx<'_>| data::recv(cx, *slot, *max);
            bounded_nonblocking(cx, *slot, timeouts::Dir::Recv, recv) // SO_RCVTIMEO
        }
        Op::Accept { slot, into } if !cx.host.notify.in_use => {
            nonblocking(cx, *slot, |cx| manage::accept(cx, *slot, *into))
        }
        Op::Send { slot, data } => {
            let send = |cx: &mut CallCx<'_>| data::send(cx, *slot, data);
            let poll = bounded_nonblocking(cx, *slot, timeouts::Dir::Send, send);
            if poll == Poll::Ready(Err(WsaError::WSAEWOULDBLOCK)) {
                notify::reenable(cx, *slot, FdEvent::FD_WRITE); // CB-N4, CB-N5
            }
            poll
        }
        Op::Recv { slot, max } => {
            let recv = |cx: &mut CallCx<'_>| data::recv(cx, *slot, *max);
            let poll = bounded_nonblocking(cx, *slot, timeouts::Dir::Recv, recv);
            if poll != Poll::Pending {
                notify::reenable(cx, *slot, FdEvent::FD_READ); // CB-N4, CB-N5
            }
            poll
        }
        Op::Accept { slot, into } => {
            let poll = nonblocking(cx, *slot, |cx| manage::accept(cx, *slot, *into));
            if poll != Poll::Pending {
                notify::reenable(cx, *slot, FdEvent::FD_ACCEPT); // CB-N4, CB-N5
            }
            if let Poll::Ready(Ok(Value::Socket(handle))) = poll {
                notify::inherit(cx, *slot, handle);
            }
            poll
        }
        Op::WsaAccept {
            slot,
            into,
            condition,
        } => wsaaccept::poll(cx, *slot, *into, *condition),
        Op::Ioctl {
            slot,
            command: IoctlCommand::FIONBIO,
            value: 0,
        } if notify::registered(cx, *slot) => {
            Poll::Ready(Err(WsaError::WSAEINVAL)) // CB-N4, CB-N5
        }
        Op::Ioctl {
            slot,
            command,
            value,
        } => Poll::Ready(manage::ioctl(cx, *slot, *command, *value)),
        Op::SendTo { slot, to, data } => {
            nonblocking(cx, *slot, |cx| dgram::send_to(cx, *slot, *to, data))
        }
        Op::RecvFrom { slot, max } => {
            let recv = |cx: &mut CallCx<'_>| dgram::recv_from(cx, *slot, *max);
            bounded_nonblocking(cx, *slot, timeouts::Dir::Recv, recv) // SO_RCVTIMEO
        }
        Op::SetOpt { slot, .. } if notify::setsockopt_while_connecting(cx, *slot) => {
            Poll::Ready(Err(WsaError::WSAEINVAL)) // CB-N6
        }
        Op::SetOpt { slot, opt, value } if timeouts::is_timeout(*opt) => {
            Poll::Ready(timeouts::set_option(cx, *slot, *opt, *value))
        }
        Op::GetOpt { slot, opt } if timeouts::is_timeout(*opt) => {
            Poll::Ready(timeouts::get_option(cx, *slot, *opt))
        }
        op if notify::is_notify(op) => notify::poll(cx, op),
        _ => Poll::Ready(manage::immediate(cx, op)),
    }
}

/// The socket a woken thread's pending `op` would park on again, when
/// [`poll()`] is certain to leave it waiting with nothing else done: a
/// blocking accept on a listener (not SO_CONDITIONAL_ACCEPT) whose queue
/// is still empty, on a started host with no fault engaged. `None` when
/// the poll could do anything else; the caller then polls.
///
/// Performance: a connection that reaches a listener wakes every thread
/// blocked in accept on it (`stack::sync::wake`); all but the one that
/// takes it find the queue empty and wait again (16 workers per 1,024
/// clients in the storm). This answers them without the poll; it reads
/// what [`poll()`], `manage::accept` and [`waiting()`] read, in that order.
#[inline]
pub(crate) fn waits_again(core: &Core, host: &Host, op: &Op) -> Option<u32> {
    let Op::Accept { slot, .. } = *op else {
        return None;
    };
    if host.startups == 0 || core.faults.engaged {
        return None; // CB-C10, CB-C11: the poll fails the call
    }
    let index = resolve(host, slot).ok()?;
    let sock = host.socket(index);
    let listener = sock.listener.as_ref()?;
    let waits = listener.ready.is_empty() && !listener.conditional && !sock.nonblocking;
    waits.then_some(index)
}

/// A call on a nonblocking socket never waits: where it would block it
/// fails with WSAEWOULDBLOCK (connect.txt, "nonblocking"; CB-N1), or a send
/// returns the bytes it queued so far.
fn nonblocking(
    cx: &mut CallCx<'_>,
    slot: Slot,
    call: impl FnOnce(&mut CallCx<'_>) -> Poll,
) -> Poll {
    // Performance: the socket's mode is looked up only for a call that
    // would wait, and the call's result is returned where it was written.
    match call(cx) {
        Poll::Pending => waiting(cx, slot, None),
        poll => poll,
    }
}

/// [`nonblocking`] for a call whose wait is bounded by its socket's
/// time-out in direction `dir` (SO_RCVTIMEO, SO_SNDTIMEO:
/// [`timeouts::bounded_wait`]).
///
/// Performance: inlined into `poll` (every send and recv goes through
/// here; `#[inline]` left it a call of its own, ~12 instructions of entry
/// and exit a call).
#[inline(always)]
fn bounded_nonblocking(
    cx: &mut CallCx<'_>,
    slot: Slot,
    dir: timeouts::Dir,
    call: impl FnOnce(&mut CallCx<'_>) -> Poll,
) -> Poll {
    match call(cx) {
        Poll::Pending => waiting(cx, slot, Some(dir)),
        poll => poll,
    }
}

/// A call on `slot` that would wait: on a nonblocking socket it returns
/// (WSAEWOULDBLOCK, or the bytes a send queued), on a blocking one it
/// waits, within the socket's time-out in direction `dir` if it has one.
///
/// Performance: the socket is resolved once for both (the mode, then the
/// time-out, each resolved it, ~25 instructions a time).
fn waiting(cx: &mut CallCx<'_>, slot: Slot, dir: Option<timeouts::Dir>) -> Poll {
    let Ok(index) = resolve(cx.host, slot) else {
        return Poll::Pending; // never: the call resolved the slot before it waited
    };
    if cx.host.socket(index).nonblocking {
        return match std::mem::take(cx.progress) {
            0 => Poll::Ready(Err(WsaError::WSAEWOULDBLOCK)),
            sent => Poll::Ready(Ok(Value::Bytes(sent))),
        };
    }
    match dir {
        Some(dir) => timeouts::bounded_wait(cx, index, dir),
        None => Poll::Pending,
    }
}

/// The socket index a slot names, WSAENOTSOCK if none (CB-C7).
fn resolve(host: &Host, slot: Slot) -> Result<u32, WsaError> {
    host.slot_socket(slot)
}
