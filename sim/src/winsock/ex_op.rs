//! The calls of the ConnectEx family (issue 3, item 4) as a thread issues
//! them: compiled from scenario steps, displayed with the host's names.
//!
//! Names of OVERLAPPED structures, their events and completion ports share
//! the host's name table with socket names (the checker keeps them apart),
//! so a trace shows `ConnectEx(s, 10.0.0.2:80, ov)`.

use std::fmt;
use std::net::SocketAddr;
use std::rc::Rc;

use simsock_model::SimDuration;
use simsock_model::scenario::{self, ExtensionFunction, TfFlag};

use super::Host;
use super::{Op, Slot};

/// One call of the ConnectEx family.
#[derive(Clone, Debug, PartialEq)]
pub enum ExOp {
    /// WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER) (CB-X3).
    GetExtension {
        /// The socket to call on.
        slot: Slot,
        /// The function whose pointer is asked for (WSAID_CONNECTEX and
        /// the others); a thread must obtain it before calling through it.
        function: ExtensionFunction,
    },
    /// ConnectEx (CB-X4): starts a connection on a bound socket; the
    /// outcome arrives as a completion.
    ConnectEx {
        /// The socket to call on (bound first, else WSAEINVAL).
        slot: Slot,
        /// The peer's address.
        to: SocketAddr,
        /// `namelen`; `None` is the size of `to`'s sockaddr (CB-C8).
        namelen: Option<u32>,
        /// lpSendBuffer: sent once the connection is established (CB-X5);
        /// `None` is no buffer.
        data: Option<Rc<[u8]>>,
        /// `None`: lpOverlapped is NULL (CB-X4).
        ov: Option<Slot>,
        /// The overlapped's hEvent, a manual-reset event signalled at
        /// completion; `None` is none.
        event: Option<Slot>,
    },
    /// DisconnectEx (CB-X9). With TF_REUSE_SOCKET it completes at once
    /// (divergence: Windows completes it when the disconnect is done);
    /// without it, on observed Windows, it is a half-close whose
    /// overlapped form completes when the FIN is acknowledged (profile
    /// `disconnect_ex_half_close`, Wine `test_DisconnectEx`).
    DisconnectEx {
        /// The socket to call on.
        slot: Slot,
        /// TF_REUSE_SOCKET: the socket returns to bound and unconnected,
        /// for a later ConnectEx (CB-X9, CB-X10); without it, a half-close
        /// (`disconnect_ex_half_close`) or, under `windows-documented`, a
        /// socket that can only be closed.
        reuse: bool,
        /// The OVERLAPPED structure; `None` is NULL, a synchronous call.
        ov: Option<Slot>,
    },
    /// TransmitFile, synchronous (CB-X9).
    TransmitFile {
        /// The socket to call on.
        slot: Slot,
        /// The "file": its bytes (divergence: there is no file, the step's
        /// `len` bytes of a pattern).
        data: Rc<[u8]>,
        /// TF_DISCONNECT: the connection is closed after the data.
        disconnect: bool,
        /// TF_REUSE_SOCKET: with TF_DISCONNECT, as in
        /// [`ExOp::DisconnectEx`]; without it, no effect.
        reuse: bool,
    },
    /// AcceptEx (CB-X9).
    AcceptEx {
        /// The listening socket.
        slot: Slot,
        /// The accept socket: fresh, neither bound nor connected (a reused
        /// one is WSAEINVAL).
        accept: Slot,
        /// The OVERLAPPED structure; `None` is NULL: WSAEFAULT, or
        /// ERROR_INVALID_PARAMETER (`null_overlapped_invalid_parameter`).
        ov: Option<Slot>,
    },
    /// CreateIoCompletionPort: creates `port` if new and associates
    /// `socket` with it.
    CreatePort {
        /// The completion port, by name (created on first use).
        port: Slot,
        /// The socket to associate; `None` only creates the port. A second
        /// association of a socket is WSAEINVAL.
        socket: Option<Slot>,
        /// The completion key the socket's packets carry.
        key: u32,
    },
    /// GetQueuedCompletionStatus; `label` names the operations that can
    /// complete on the port, e.g. `ConnectEx on s`.
    Dequeue {
        /// The completion port to dequeue from.
        port: Slot,
        /// How long to wait; `None` is INFINITE. Past it: WAIT_TIMEOUT.
        timeout: Option<SimDuration>,
        /// The trace's label for the call (`[ConnectEx on s]`).
        label: Rc<str>,
    },
    /// WSAGetOverlappedResult; `label` names the overlapped's operation.
    GetResult {
        /// The socket the operation was started on.
        slot: Slot,
        /// The operation's OVERLAPPED structure.
        ov: Slot,
        /// fWait: wait for the operation; without it a pending one is
        /// WSA_IO_INCOMPLETE.
        wait: bool,
        /// The trace's label for the call.
        label: Rc<str>,
    },
    /// WaitForSingleObject on an overlapped's event.
    Wait {
        /// The event to wait on.
        event: Slot,
        /// How long to wait; `None` is INFINITE. Past it the result is 258,
        /// WAIT_TIMEOUT.
        timeout: Option<SimDuration>,
    },
}

impl ExOp {
    /// The extension function the call goes through (a pointer obtained
    /// with WSAIoctl, CB-X3), if any.
    pub fn through(&self) -> Option<ExtensionFunction> {
        match self {
            ExOp::ConnectEx { .. } => Some(ExtensionFunction::ConnectEx),
            ExOp::DisconnectEx { .. } => Some(ExtensionFunction::DisconnectEx),
            ExOp::TransmitFile { .. } => Some(ExtensionFunction::TransmitFile),
            ExOp::AcceptEx { .. } => Some(ExtensionFunction::AcceptEx),
            _ => None,
        }
    }

    /// The socket the call acts on: a pending call parks on it.
    pub fn slot(&self) -> Option<Slot> {
        match *self {
            ExOp::GetExtension { slot, .. }
            | ExOp::ConnectEx { slot, .. }
            | ExOp::DisconnectEx { slot, .. }
            | ExOp::TransmitFile { slot, .. }
            | ExOp::AcceptEx { slot, .. }
            | ExOp::GetResult { slot, .. } => Some(slot),
            ExOp::CreatePort { .. } | ExOp::Dequeue { .. } | ExOp::Wait { .. } => None,
        }
    }

    /// Kernel32 calls, not Winsock ones: WSAStartup and the interface do
    /// not concern them.
    pub fn kernel(&self) -> bool {
        matches!(
            self,
            ExOp::CreatePort { .. } | ExOp::Dequeue { .. } | ExOp::Wait { .. }
        )
    }

    /// Writes the call as the trace shows it, with the host's names.
    pub(super) fn fmt_with(&self, f: &mut fmt::Formatter<'_>, names: &[String]) -> fmt::Result {
        let n = |slot: &Slot| names.get(*slot as usize).map_or("?", String::as_str);
        let ov = |ov: &Option<Slot>| ov.as_ref().map_or("NULL", n);
        match self {
            ExOp::GetExtension { slot, function } => write!(
                f,
                "WSAIoctl({}, SIO_GET_EXTENSION_FUNCTION_POINTER, {})",
                n(slot),
                function.guid_name()
            ),
            ExOp::ConnectEx {
                slot,
                to,
                namelen,
                data,
                ov: o,
                ..
            } => {
                write!(f, "ConnectEx({}, {to}", n(slot))?;
                if let Some(len) = namelen {
                    write!(f, ", namelen {len}")?;
                }
                if let Some(data) = data {
                    write!(f, ", {} bytes", data.len())?;
                }
                write!(f, ", {})", ov(o))
            }
            ExOp::DisconnectEx { slot, reuse, ov: o } => {
                let flags = if *reuse { "TF_REUSE_SOCKET" } else { "0" };
                write!(f, "DisconnectEx({}, {}, {flags})", n(slot), ov(o))
            }
            ExOp::TransmitFile {
                slot,
                data,
                disconnect,
                reuse,
            } => {
                let flags: Vec<&str> =
                    [(*disconnect, "TF_DISCONNECT"), (*reuse, "TF_REUSE_SOCKET")]
                        .into_iter()
                        .filter_map(|(on, name)| on.then_some(name))
                        .collect();
                let flags = if flags.is_empty() {
                    "0".to_string()
                } else {
                    flags.join("|")
                };
                write!(
                    f,
                    "TransmitFile({}, {} bytes, {flags})",
                    n(slot),
                    data.len()
                )
            }
            ExOp::AcceptEx {
                slot,
                accept,
                ov: o,
            } => {
                write!(f, "AcceptEx({}, {}, {})", n(slot), n(accept), ov(o))
            }
            ExOp::CreatePort { port, socket, key } => match socket {
                Some(s) => write!(
                    f,
                    "{} = CreateIoCompletionPort({}, key {key})",
                    n(port),
                    n(s)
                ),
                None => write!(f, "{} = CreateIoCompletionPort()", n(port)),
            },
            ExOp::Dequeue {
                port,
                timeout,
                label,
            } => {
                match timeout {
                    Some(t) => write!(f, "GetQueuedCompletionStatus({}, {t})", n(port))?,
                    None => write!(f, "GetQueuedCompletionStatus({}, INFINITE)", n(port))?,
                }
                brackets(f, label)
            }
            ExOp::GetResult {
                slot,
                ov,
                wait,
                label,
            } => {
                let wait = if *wait { "TRUE" } else { "FALSE" };
                write!(f, "WSAGetOverlappedResult({}, {}, {wait})", n(slot), n(ov))?;
                brackets(f, label)
            }
            ExOp::Wait { event, timeout } => match timeout {
                Some(t) => write!(f, "WaitForSingleObject({}, {t})", n(event)),
                None => write!(f, "WaitForSingleObject({}, INFINITE)", n(event)),
            },
        }
    }
}

fn brackets(f: &mut fmt::Formatter<'_>, label: &str) -> fmt::Result {
    match label.is_empty() {
        true => Ok(()),
        false => write!(f, " [{label}]"),
    }
}

/// The call a ConnectEx-family step makes; `None` for other steps.
pub fn compile(step: &scenario::Step, host: &mut Host) -> Option<Op> {
    use scenario::Step as S;
    let op = match step {
        S::GetExtensionFunction {
            socket, function, ..
        } => ExOp::GetExtension {
            slot: host.slot_named(socket),
            function: *function,
        },
        S::ConnectEx {
            socket,
            to,
            namelen,
            data,
            len,
            overlapped,
            event,
            ..
        } => ExOp::ConnectEx {
            slot: host.slot_named(socket),
            to: *to,
            namelen: *namelen,
            data: (data.is_some() || len.is_some()).then(|| payload(data.as_deref(), *len)),
            ov: overlapped.as_deref().map(|o| host.slot_named(o)),
            event: event.as_deref().map(|e| host.slot_named(e)),
        },
        S::DisconnectEx {
            socket,
            flags,
            overlapped,
            ..
        } => ExOp::DisconnectEx {
            slot: host.slot_named(socket),
            reuse: flags.contains(&TfFlag::TF_REUSE_SOCKET),
            ov: overlapped.as_deref().map(|o| host.slot_named(o)),
        },
        S::TransmitFile {
            socket, len, flags, ..
        } => ExOp::TransmitFile {
            slot: host.slot_named(socket),
            data: payload(None, Some(*len)),
            disconnect: flags.contains(&TfFlag::TF_DISCONNECT),
            reuse: flags.contains(&TfFlag::TF_REUSE_SOCKET),
        },
        S::AcceptEx {
            socket,
            accept,
            overlapped,
            ..
        } => ExOp::AcceptEx {
            slot: host.slot_named(socket),
            accept: host.slot_named(accept),
            ov: overlapped.as_deref().map(|o| host.slot_named(o)),
        },
        S::CreateIoCompletionPort {
            port, socket, key, ..
        } => ExOp::CreatePort {
            port: host.slot_named(port),
            socket: socket.as_deref().map(|s| host.slot_named(s)),
            key: *key,
        },
        S::GetQueuedCompletionStatus { port, timeout, .. } => ExOp::Dequeue {
            label: host.ex.port_label(port),
            port: host.slot_named(port),
            timeout: *timeout,
        },
        S::GetOverlappedResult {
            socket,
            overlapped,
            wait,
            ..
        } => ExOp::GetResult {
            label: host.ex.overlapped_label(overlapped),
            slot: host.slot_named(socket),
            ov: host.slot_named(overlapped),
            wait: *wait,
        },
        S::WaitForSingleObject {
            object, timeout, ..
        } => ExOp::Wait {
            event: host.slot_named(object),
            timeout: *timeout,
        },
        _ => return None,
    };
    Some(Op::Ex(Box::new(op)))
}

/// `text`, or `len` bytes of `a..z` repeated (as Send's payload).
fn payload(text: Option<&str>, len: Option<u32>) -> Rc<[u8]> {
    match (text, len) {
        (Some(text), _) => Rc::from(text.as_bytes()),
        (None, Some(len)) => (0..len).map(|i| b'a' + (i % 26) as u8).collect(),
        (None, None) => Rc::from(&b""[..]),
    }
}

/// Polls a ConnectEx-family call.
pub(super) fn poll(cx: &mut super::CallCx<'_>, op: &ExOp) -> super::Poll {
    use super::{Poll, Value, connectex, overlapped, reuse};
    let ready = |r| Poll::Ready(r);
    match op {
        ExOp::GetExtension { slot, function } => {
            ready(super::resolve(cx.host, *slot).map(|_| {
                cx.host.ex.pointers |= function.bit(); // CB-X3
                Value::None
            }))
        }
        ExOp::ConnectEx {
            slot,
            to,
            namelen,
            data,
            ov,
            event,
        } => {
            let call = connectex::Call {
                slot: *slot,
                to: *to,
                namelen: *namelen,
                data: data.as_ref(),
                ov: *ov,
                event: *event,
            };
            ready(connectex::connect_ex(cx, call))
        }
        ExOp::DisconnectEx { slot, reuse, ov } => {
            ready(reuse::disconnect_ex(cx, *slot, *reuse, *ov))
        }
        ExOp::TransmitFile {
            slot,
            data,
            disconnect,
            reuse,
        } => reuse::transmit_file(cx, *slot, data, *disconnect, *reuse),
        ExOp::AcceptEx { slot, accept, ov } => ready(reuse::accept_ex(cx, *slot, *accept, *ov)),
        ExOp::CreatePort { port, socket, key } => {
            ready(overlapped::create_port(cx, *port, *socket, *key))
        }
        ExOp::Dequeue { port, timeout, .. } => overlapped::dequeue(cx, *port, *timeout),
        ExOp::GetResult { slot, ov, wait, .. } => overlapped::get_result(cx, *slot, *ov, *wait),
        ExOp::Wait { event, timeout } => overlapped::wait(cx, *event, *timeout),
    }
}

/// Runs after a TCB step (`stack/sync.rs`): a pending ConnectEx on the
/// connection's socket moves on, and a listener's waiting AcceptEx calls
/// take new connections.
pub fn after_tcb(
    host: &mut Host,
    core: &mut crate::engine::Core,
    socket: Option<u32>,
    listener: Option<u32>,
) {
    if let Some(index) = socket {
        super::connectex::on_change(host, core, index);
    }
    if let Some(index) = listener.and_then(|h| host.listener_index(h))
        && !host.socket_ex(index).accepting.is_empty()
    {
        super::reuse::try_accept(host, core, index);
    }
}
