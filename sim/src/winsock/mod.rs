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

use std::fmt;
use std::net::SocketAddr;
use std::rc::Rc;

use simsock_model::scenario::{Family, Kind, ShutdownHow, SockOpt};
use simsock_model::{SimDuration, SimTime, WsaError};

use crate::engine::Core;
use crate::stack::Host;

/// A socket variable of a host, by index: the scripts' socket names.
pub type Slot = u32;

/// One Winsock call (or a sleep) as a thread issues it.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Startup,
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
            | Op::GetPeerName { slot } => Some(slot),
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
            Op::Startup => write!(f, "WSAStartup()"),
            Op::Cleanup => write!(f, "WSACleanup()"),
            Op::Socket { slot, family, kind } => {
                write!(f, "{} = socket({family:?}, {kind:?})", n(slot))
            }
            Op::Bind { slot, addr } => write!(f, "bind({}, {addr})", n(slot)),
            Op::Listen { slot, backlog } => write!(f, "listen({}, {backlog})", n(slot)),
            Op::Accept { slot, into } => write!(f, "{} = accept({})", n(into), n(slot)),
            Op::Connect { slot, to } => write!(f, "connect({}, {to})", n(slot)),
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
}

/// Polls a call: its first poll starts it, later polls check on it.
pub fn poll(cx: &mut CallCx<'_>, op: &Op) -> Poll {
    if !matches!(
        op,
        Op::Startup | Op::Sleep(_) | Op::SleepUntil(_) | Op::LastError
    ) && cx.host.startups == 0
    {
        return Poll::Ready(Err(WsaError::WSANOTINITIALISED)); // CB-C10
    }
    if cx.core.faults.engaged
        && cx.core.faults.interface_down(cx.host.node)
        && !matches!(op, Op::Startup | Op::Cleanup)
    {
        // CB-C11: the network subsystem has failed (`faults`, InterfaceDown).
        return Poll::Ready(Err(WsaError::WSAENETDOWN));
    }
    match op {
        Op::Startup => {
            cx.host.startups += 1;
            Poll::Ready(Ok(Value::None))
        }
        Op::Cleanup => {
            cx.host.startups -= 1;
            Poll::Ready(Ok(Value::None))
        }
        Op::Connect { slot, to } => connect::connect(cx, *slot, *to),
        Op::Send { slot, data } => data::send(cx, *slot, data),
        Op::Recv { slot, max } => data::recv(cx, *slot, *max),
        Op::Accept { slot, into } => manage::accept(cx, *slot, *into),
        _ => Poll::Ready(manage::immediate(cx, op)),
    }
}

/// The socket index a slot names, WSAENOTSOCK if none (CB-C7).
fn resolve(host: &Host, slot: Slot) -> Result<u32, WsaError> {
    host.slot_socket(slot)
}
