//! The Winsock API the simulated threads call: WSAStartup, socket, bind,
//! listen, accept, connect, send, recv, shutdown, closesocket, setsockopt,
//! getsockopt, getsockname, getpeername and a per-thread WSAGetLastError;
//! and the notifications of a nonblocking connect ([`notify`]: select,
//! WSAAsyncSelect, WSAEventSelect and their WSP forms).
//!
//! A call either completes at once or is pending; a pending call is polled
//! again whenever its socket changes. Blocking calls return only when the
//! outcome is known (CB-N7). Functions are named after the calls they model.

mod connect;
mod data;
mod dgram;
pub mod errno;
pub mod events;
mod family;
mod host;
mod manage;
pub mod notify;
pub mod step;
mod wsaconnect;

pub use host::Host;
pub use wsaconnect::{ConnectParams, cancel};
// ConnectEx and overlapped I/O (issue 3, item 4).
pub mod connectex;
pub mod ex_op;
pub mod overlapped;
mod reuse;

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
    Startup {
        version: WinsockVersion,
    },
    Cleanup,
    Socket {
        slot: Slot,
        family: Family,
        kind: Kind,
    },
    Bind {
        slot: Slot,
        addr: SocketAddr,
    },
    Listen {
        slot: Slot,
        backlog: u32,
    },
    Accept {
        slot: Slot,
        into: Slot,
    },
    Connect {
        slot: Slot,
        to: SocketAddr,
        /// `namelen`; `None` is the size of `to`'s sockaddr (CB-C8).
        namelen: Option<u32>,
    },
    /// ioctlsocket.
    Ioctl {
        slot: Slot,
        command: IoctlCommand,
        value: u32,
    },
    Send {
        slot: Slot,
        data: Rc<[u8]>,
    },
    Recv {
        slot: Slot,
        max: u32,
    },
    Shutdown {
        slot: Slot,
        how: ShutdownHow,
    },
    Close {
        slot: Slot,
    },
    SetOpt {
        slot: Slot,
        opt: SockOpt,
        value: u32,
    },
    GetOpt {
        slot: Slot,
        opt: SockOpt,
    },
    GetSockName {
        slot: Slot,
    },
    GetPeerName {
        slot: Slot,
    },
    LastError,
    Sleep(SimDuration),
    SleepUntil(SimTime),
    // Datagram calls (CB-D1..D6, CB-B1..B3): `winsock/dgram.rs`.
    SendTo {
        slot: Slot,
        to: SocketAddr,
        data: Rc<[u8]>,
    },
    RecvFrom {
        slot: Slot,
        max: u32,
    },
    // --- Nonblocking notifications (CB-N3..N5): winsock/notify/. `spi`
    // names the call WSP... (same mechanism). ---
    Select {
        /// Boxed, as are the other rare large fields: a thread's pending
        /// call is copied into place at every call, so `Op` stays small.
        sets: Box<notify::SelectSets>,
        timeout: Option<SimDuration>,
        spi: bool,
    },
    AsyncSelect {
        slot: Slot,
        window: notify::Named,
        mask: u32,
        spi: bool,
    },
    GetMessage {
        window: notify::Named,
    },
    CreateEvent {
        event: notify::Named,
    },
    EventSelect {
        slot: Slot,
        event: notify::Named,
        mask: u32,
        spi: bool,
    },
    WaitForEvents {
        events: Rc<[notify::Named]>,
        wait_all: bool,
        timeout: Option<SimDuration>,
    },
    EnumNetworkEvents {
        slot: Slot,
        event: Option<notify::Named>,
        spi: bool,
    },
    // --- WSAConnect/WSPConnect, APCs, cancel (feature: wsaconnect) ---
    /// WSAConnect, or WSPConnect when `spi` (its code goes to lpErrno).
    WsaConnect {
        spi: bool,
        slot: Slot,
        to: SocketAddr,
        namelen: Option<u32>,
        params: Rc<ConnectParams>,
    },
    /// setsockopt(SO_CONNDATA).
    SetConnData {
        slot: Slot,
        data: Rc<[u8]>,
    },
    /// getsockopt(SO_CONNDATA).
    GetConnData {
        slot: Slot,
    },
    /// QueueUserAPC to the thread named `thread` on the same host (CB-A1).
    QueueApc {
        thread: String,
        steps: Rc<[step::Step]>,
    },
    /// WSACancelBlockingCall, or WSPCancelBlockingCall when `spi` (CB-C18).
    CancelBlockingCall {
        spi: bool,
    },
    /// ConnectEx and overlapped I/O (issue 3, item 4): `ex_op.rs`. Boxed
    /// to keep `Op` small.
    Ex(Box<ex_op::ExOp>),
}

impl Op {
    /// The socket variable the call acts on, if any.
    pub fn slot(&self) -> Option<Slot> {
        match *self {
            Op::Socket { slot, .. }
            | Op::Bind { slot, .. }
            | Op::Listen { slot, .. }
            | Op::Accept { slot, .. }
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
            op => notify::display(f, op, self.names),
        }
    }
}

/// What a successful call returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    None,
    /// A new socket (socket, accept).
    Socket(u32),
    /// Bytes moved (send, recv).
    Bytes(u32),
    Addr(SocketAddr),
    /// An option value (getsockopt) or an error number (WSAGetLastError).
    Number(u32),
    /// A datagram received by recvfrom: its length and its sender.
    Datagram {
        bytes: u32,
        from: SocketAddr,
    },
    // --- Nonblocking notifications (CB-N3..N5) ---
    /// select: how many are ready, and per set a bit per position in it.
    Selected {
        count: u32,
        read: u64,
        write: u64,
        except: u64,
    },
    /// GetMessage: a WSAAsyncSelect message; `slot` is the socket variable
    /// holding the handle, if one does.
    Message {
        socket: u32,
        slot: Option<Slot>,
        event: simsock_model::notify::FdEvent,
        error: Option<WsaError>,
    },
    /// WSAEnumNetworkEvents: `lNetworkEvents` and `iErrorCode`.
    NetworkEvents {
        events: u32,
        errors: [Option<WsaError>; 6],
    },
    /// WSAWaitForMultipleEvents: WSA_WAIT_EVENT_0 + i, or WSA_WAIT_TIMEOUT.
    Wait(u32),
    /// A completion packet (GetQueuedCompletionStatus; issue 3, item 4).
    Completion {
        key: u32,
        bytes: u32,
    },
}

/// The outcome of a call.
pub type CallResult = Result<Value, WsaError>;

/// A call either completed or waits for its socket to change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Poll {
    Ready(CallResult),
    Pending,
}

/// What a call needs besides the host: the core, and the calling thread's
/// state that a call reads or fills.
pub struct CallCx<'a> {
    pub core: &'a mut Core,
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
    if !matches!(
        op,
        Op::Startup { .. } | Op::Sleep(_) | Op::SleepUntil(_) | Op::LastError
    ) && !notify::beside_winsock(op)
        && cx.host.startups == 0
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
        && let Some(result) = connectex::intercept(cx, op)
    {
        return Poll::Ready(result);
    }
    match op {
        Op::Ex(ex) => ex_op::poll(cx, ex),
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
            nonblocking(cx, *slot, |cx| data::send(cx, *slot, data))
        }
        Op::Recv { slot, max } if !cx.host.notify.in_use => {
            nonblocking(cx, *slot, |cx| data::recv(cx, *slot, *max))
        }
        Op::Accept { slot, into } if !cx.host.notify.in_use => {
            nonblocking(cx, *slot, |cx| manage::accept(cx, *slot, *into))
        }
        Op::Send { slot, data } => {
            let poll = nonblocking(cx, *slot, |cx| data::send(cx, *slot, data));
            if poll == Poll::Ready(Err(WsaError::WSAEWOULDBLOCK)) {
                notify::reenable(cx, *slot, FdEvent::FD_WRITE); // CB-N4, CB-N5
            }
            poll
        }
        Op::Recv { slot, max } => {
            let poll = nonblocking(cx, *slot, |cx| data::recv(cx, *slot, *max));
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
            nonblocking(cx, *slot, |cx| dgram::recv_from(cx, *slot, *max))
        }
        Op::SetOpt { slot, .. } if notify::setsockopt_while_connecting(cx, *slot) => {
            Poll::Ready(Err(WsaError::WSAEINVAL)) // CB-N6
        }
        op if notify::is_notify(op) => notify::poll(cx, op),
        _ => Poll::Ready(manage::immediate(cx, op)),
    }
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
        Poll::Pending if is_nonblocking(cx.host, slot) => match std::mem::take(cx.progress) {
            0 => Poll::Ready(Err(WsaError::WSAEWOULDBLOCK)),
            sent => Poll::Ready(Ok(Value::Bytes(sent))),
        },
        poll => poll,
    }
}

fn is_nonblocking(host: &Host, slot: Slot) -> bool {
    resolve(host, slot).is_ok_and(|i| host.socket(i).nonblocking)
}

/// The socket index a slot names, WSAENOTSOCK if none (CB-C7).
fn resolve(host: &Host, slot: Slot) -> Result<u32, WsaError> {
    host.slot_socket(slot)
}
