//! The calls of issue 14, item 3 that Windows programs make around connect:
//! WSAPoll (`poll.rs`) and WSAConnectByName (`by_name.rs`), as
//! a thread issues them: compiled from scenario steps, displayed with the
//! host's names. (SO_RCVTIMEO and SO_SNDTIMEO are options of setsockopt:
//! [`super::timeouts`].)

use std::fmt;
use std::rc::Rc;

use simsock_model::SimDuration;
use simsock_model::poll::{PollEvent, bits};
use simsock_model::scenario;

use super::{CallCx, Host, Op, Poll, Slot};

/// One WSAPOLLFD of a WSAPoll call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollEntry {
    /// The socket variable (a closed or never-made socket is POLLNVAL).
    pub slot: Slot,
    /// `events`, in the one layout of `simsock_model::poll` (on a Windows
    /// host POLLIN and POLLOUT already spelled as their parts).
    pub events: u16,
}

/// One call of this module.
#[derive(Clone, Debug, PartialEq)]
pub enum WinOp {
    /// WSAPoll (poll(2) on a Linux host).
    Poll {
        /// The WSAPOLLFD array.
        fds: Rc<[PollEntry]>,
        /// The time-out; `None` waits forever (a negative `timeout_ms`).
        timeout: Option<SimDuration>,
        /// The host's flags are Linux's (`<poll.h>` names in the trace).
        linux: bool,
    },
    /// WSAConnectByName.
    ConnectByName {
        /// The socket to connect.
        slot: Slot,
        /// nodename.
        node: Rc<str>,
        /// servicename.
        service: Rc<str>,
        /// The time-out; `None` is NULL (wait for the outcome).
        timeout: Option<SimDuration>,
    },
}

impl WinOp {
    /// The socket the call parks on, if one.
    pub fn slot(&self) -> Option<Slot> {
        match self {
            WinOp::Poll { .. } => None,
            WinOp::ConnectByName { slot, .. } => Some(*slot),
        }
    }

    /// Writes the call as the trace shows it, with the host's names.
    pub(super) fn fmt_with(&self, f: &mut fmt::Formatter<'_>, names: &[String]) -> fmt::Result {
        let n = |slot: &Slot| names.get(*slot as usize).map_or("?", String::as_str);
        match self {
            WinOp::Poll {
                fds,
                timeout,
                linux,
            } => {
                f.write_str(if *linux { "poll([" } else { "WSAPoll([" })?;
                for (i, e) in fds.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    let events = PollEvent::mask_text(e.events, *linux);
                    write!(f, "{sep}{} {events}", n(&e.slot))?;
                }
                match timeout {
                    Some(t) => write!(f, "], {} ms)", t.as_nanos() / 1_000_000),
                    None => f.write_str("], -1)"),
                }
            }
            WinOp::ConnectByName {
                slot,
                node,
                service,
                timeout,
            } => {
                write!(f, "WSAConnectByName({}, {node:?}, {service:?}", n(slot))?;
                match timeout {
                    Some(t) => write!(f, ", {t})"),
                    None => f.write_str(", NULL)"),
                }
            }
        }
    }
}

/// The call of one of this module's steps; `None` for any other step.
pub fn compile(step: &scenario::Step, host: &mut Host) -> Option<Op> {
    use scenario::Step as S;
    let op = match step {
        S::WsaPoll {
            fds, timeout_ms, ..
        } => {
            let linux = host.profile.personality.errno_names();
            let fds = fds
                .iter()
                .map(|fd| PollEntry {
                    slot: host.slot_named(&fd.socket),
                    events: PollEvent::mask(&fd.events, linux),
                })
                .collect();
            let timeout = u64::try_from(*timeout_ms)
                .ok()
                .map(SimDuration::from_millis);
            WinOp::Poll {
                fds,
                timeout,
                linux,
            }
        }
        S::WsaConnectByName {
            socket,
            node,
            service,
            timeout,
            ..
        } => WinOp::ConnectByName {
            slot: host.slot_named(socket),
            node: Rc::from(node.as_str()),
            service: Rc::from(service.as_str()),
            timeout: *timeout,
        },
        _ => return None,
    };
    Some(Op::Win(Box::new(op)))
}

/// Polls a call of this module.
pub(super) fn poll(cx: &mut CallCx<'_>, op: &WinOp) -> Poll {
    match op {
        WinOp::Poll { fds, timeout, .. } => super::poll::wsa_poll(cx, fds, *timeout),
        WinOp::ConnectByName {
            slot,
            node,
            service,
            timeout,
        } => super::by_name::connect_by_name(cx, *slot, (node, service), *timeout),
    }
}

/// The revents of each entry of a completed WSAPoll, as its result text
/// and its check read them: LE u16s in the thread's received bytes.
pub fn revents(received: &[u8]) -> impl Iterator<Item = u16> + '_ {
    received
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
}

/// The flags WSAPoll reports whatever `events` asks: POLLERR, POLLHUP,
/// POLLNVAL (the WSAPoll page; poll(2)).
pub const ALWAYS: u16 = bits::ERR | bits::HUP | bits::NVAL;
