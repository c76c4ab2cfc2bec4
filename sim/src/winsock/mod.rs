//! The Winsock API the simulated threads call: WSAStartup, socket, bind,
//! listen, accept, connect, send, recv, shutdown, closesocket, setsockopt,
//! getsockopt, getsockname, getpeername and a per-thread WSAGetLastError.
//!
//! A call either completes at once or is pending; a pending call is polled
//! again whenever its socket changes. Blocking calls return only when the
//! outcome is known (CB-N7). Functions are named after the calls they model.

mod connect;
mod data;
mod manage;
// ConnectEx and overlapped I/O (issue 3, item 4).
pub mod connectex;
pub mod ex_op;
pub mod overlapped;
mod reuse;

use std::fmt;
use std::net::SocketAddr;
use std::rc::Rc;

use simsock_model::scenario::{Family, IoctlCommand, Kind, ShutdownHow, SockOpt, WinsockVersion};
use simsock_model::{SimDuration, SimTime, WsaError};

use crate::engine::Core;
use crate::stack::Host;

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
    /// ConnectEx and overlapped I/O (issue 3, item 4): `ex_op.rs`.
    Ex(ex_op::ExOp),
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
            | Op::Ioctl { slot, .. } => Some(slot),
            Op::Ex(ref op) => op.slot(),
            _ => None,
        }
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
            Op::Ex(op) => op.fmt_with(f, self.names),
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
    /// The calling thread, and when its call began (overlapped I/O: who
    /// started an operation, CB-X8; when a wait times out).
    pub thread: u32,
    pub start: SimTime,
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
    ) && cx.host.startups == 0
    {
        return Poll::Ready(Err(WsaError::WSANOTINITIALISED)); // CB-C10
    }
    if cx.core.faults.engaged
        && cx.core.faults.interface_down(cx.host.node)
        && !matches!(op, Op::Startup { .. } | Op::Cleanup)
    {
        // CB-C11: the network subsystem has failed (`faults`, InterfaceDown).
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
        Op::Send { slot, data } => nonblocking(cx, *slot, |cx| data::send(cx, *slot, data)),
        Op::Recv { slot, max } => nonblocking(cx, *slot, |cx| data::recv(cx, *slot, *max)),
        Op::Accept { slot, into } => nonblocking(cx, *slot, |cx| manage::accept(cx, *slot, *into)),
        Op::Ioctl {
            slot,
            command,
            value,
        } => Poll::Ready(manage::ioctl(cx, *slot, *command, *value)),
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
    let result = call(cx);
    let blocking = resolve(cx.host, slot).map_or(true, |i| !cx.host.socket(i).nonblocking);
    match result {
        Poll::Pending if !blocking => match std::mem::take(cx.progress) {
            0 => Poll::Ready(Err(WsaError::WSAEWOULDBLOCK)),
            sent => Poll::Ready(Ok(Value::Bytes(sent))),
        },
        ready => ready,
    }
}

/// The socket index a slot names, WSAENOTSOCK if none (CB-C7).
fn resolve(host: &Host, slot: Slot) -> Result<u32, WsaError> {
    let handle = host.slots.get(slot as usize).copied().unwrap_or(0);
    host.socket_index(handle)
}
