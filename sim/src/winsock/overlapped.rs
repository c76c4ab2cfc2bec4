//! Overlapped I/O for the ConnectEx family (issue 3, item 4; CB-X4, CB-X8):
//! OVERLAPPED structures and their events, I/O completion ports, and the
//! calls that read a completion: GetQueuedCompletionStatus,
//! WSAGetOverlappedResult and WaitForSingleObject.
//!
//! An operation started with an OVERLAPPED completes once, later, from the
//! stack (`connectex::on_change`): its outcome is stored on the OVERLAPPED,
//! its event (a manual-reset event, the OVERLAPPED's hEvent) is signalled,
//! a packet goes to the completion port its socket is associated with, and
//! a `complete` line goes to the trace. The calls that read it only look.
//!
//! Divergences: an event exists only as an OVERLAPPED's hEvent (the
//! scenario's `event:` names it; CreateEvent belongs to WSAEventSelect's
//! module); starting an operation resets it, as Windows' overlapped calls
//! do. A completion port has no concurrency limit, and a packet is queued
//! even for an operation that completed at once (no
//! FILE_SKIP_COMPLETION_PORT_ON_SUCCESS).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::Ipv4Addr;
use std::rc::Rc;

use simsock_model::scenario::{ExtensionFunction, Scenario, Step};
use simsock_model::{SimDuration, WsaError};

use super::Host;
use super::{CallCx, CallResult, Poll, Slot, Value, resolve};
use crate::engine::Core;
use crate::stack::sync::wake;
use crate::trace::TraceKind;

/// The overlapped state of one host (its process).
#[derive(Debug, Default)]
pub struct HostEx {
    /// AcceptEx waited on a listener of the host at some point; until
    /// then no listener has AcceptEx calls to serve after a TCB step.
    pub accept_ex_used: bool,
    /// Extension function pointers obtained with WSAIoctl (CB-X3), as bits
    /// of [`ExtensionFunction::bit`].
    pub pointers: u8,
    ovs: BTreeMap<Slot, Overlapped>,
    events: BTreeMap<Slot, Signal>,
    ports: BTreeMap<Slot, Port>,
    /// Sockets whose ConnectEx waits for a TIME_WAIT record (CB-X10).
    pub delayed: Vec<u32>,
    /// Servers this host holds a TCP Fast Open cookie for (RFC 7413 §4.1.2).
    pub cookies: BTreeSet<Ipv4Addr>,
    /// What each OVERLAPPED and port name is used for, from the scenario
    /// (the labels of the completion calls).
    ov_uses: BTreeMap<String, BTreeSet<(ExtensionFunction, String)>>,
    port_sockets: BTreeMap<String, BTreeSet<String>>,
    /// The listeners each accept socket's AcceptEx calls name: their
    /// packets go to the listener's port (`Overlapped::port_socket`).
    accept_listeners: BTreeMap<String, BTreeSet<String>>,
}

/// The overlapped state of a host that never used any ([`crate::stack::cold`]).
static EMPTY_EX: HostEx = HostEx {
    accept_ex_used: false,
    pointers: 0,
    ovs: BTreeMap::new(),
    events: BTreeMap::new(),
    ports: BTreeMap::new(),
    delayed: Vec::new(),
    cookies: BTreeSet::new(),
    ov_uses: BTreeMap::new(),
    port_sockets: BTreeMap::new(),
    accept_listeners: BTreeMap::new(),
};

impl crate::stack::cold::Empty for HostEx {
    fn empty() -> &'static Self {
        &EMPTY_EX
    }
}

/// One OVERLAPPED structure and the operation it carries.
#[derive(Debug)]
pub struct Overlapped {
    /// The function that started the operation (ConnectEx, AcceptEx, ...).
    pub kind: ExtensionFunction,
    /// The socket's index.
    pub socket: u32,
    /// The socket variable it was called on (the trace names it).
    pub socket_name: Slot,
    /// The socket whose completion port gets the operation's packet: the
    /// socket itself, except for AcceptEx, whose packet goes to the
    /// listening socket's port (Wine `test_completion_port`: the AcceptEx
    /// completions dequeue with the listener's key, 125, also when the
    /// accept socket was closed).
    pub port_socket: u32,
    /// The thread that started the operation (CB-X8).
    pub thread: u32,
    /// hEvent: the manual-reset event signalled at completion; `None` is
    /// none.
    pub event: Option<Slot>,
    /// `None` while pending; then the bytes transferred or the error.
    pub outcome: Option<Result<u32, WsaError>>,
}

#[derive(Debug, Default)]
struct Signal {
    set: bool,
    waiters: crate::stack::Waiters,
}

#[derive(Debug, Default)]
struct Port {
    queue: VecDeque<Packet>,
    waiters: crate::stack::Waiters,
}

#[derive(Clone, Copy, Debug)]
struct Packet {
    /// The function of the operation that completed.
    kind: ExtensionFunction,
    key: u32,
    bytes: u32,
    error: Option<WsaError>,
}

impl HostEx {
    /// Whether `function`'s pointer was obtained (CB-X3).
    pub fn has_pointer(&self, function: ExtensionFunction) -> bool {
        self.pointers & function.bit() != 0
    }

    /// `ConnectEx on s` for the operations issued with this OVERLAPPED.
    pub fn overlapped_label(&self, ov: &str) -> Rc<str> {
        label(self.ov_uses.get(ov).into_iter().flatten())
    }

    /// The operations whose sockets are associated with this port.
    pub fn port_label(&self, port: &str) -> Rc<str> {
        let Some(sockets) = self.port_sockets.get(port) else {
            return label(std::iter::empty());
        };
        let listeners = |s: &String| self.accept_listeners.get(s).into_iter().flatten();
        let uses = self.ov_uses.values().flatten().filter(|(f, s)| match f {
            ExtensionFunction::AcceptEx => listeners(s).any(|l| sockets.contains(l)),
            _ => sockets.contains(s),
        });
        label(uses)
    }

    /// The OVERLAPPED named `ov`, once an operation used it.
    pub fn overlapped(&self, ov: Slot) -> Option<&Overlapped> {
        self.ovs.get(&ov)
    }
}

fn label<'a>(uses: impl Iterator<Item = &'a (ExtensionFunction, String)>) -> Rc<str> {
    let uses: BTreeSet<_> = uses.collect();
    let text: Vec<String> = uses
        .into_iter()
        .map(|(f, s)| format!("{f:?} on {s}"))
        .collect();
    Rc::from(text.join(", "))
}

/// Reads, before the scripts compile, which operations each OVERLAPPED
/// and port name of each host serves (the completion calls' labels).
pub fn prepare(s: &Scenario, hosts: &mut [Host]) {
    for thread in &s.threads {
        let Some(host) = hosts.iter_mut().find(|h| *h.name == *thread.host) else {
            continue;
        };
        scan(&thread.steps, &mut host.ex);
    }
}

fn scan(steps: &[Step], ex: &mut HostEx) {
    for step in steps {
        let (ov, function, socket) = match step {
            Step::Repeat { steps, .. } => {
                scan(steps, ex);
                continue;
            }
            Step::CreateIoCompletionPort {
                port,
                socket: Some(socket),
                ..
            } => {
                let set = ex.port_sockets.entry(port.clone()).or_default();
                set.insert(socket.clone());
                continue;
            }
            Step::ConnectEx {
                overlapped: Some(ov),
                socket,
                ..
            } => (ov, ExtensionFunction::ConnectEx, socket),
            Step::DisconnectEx {
                overlapped: Some(ov),
                socket,
                ..
            } => (ov, ExtensionFunction::DisconnectEx, socket),
            Step::AcceptEx {
                overlapped: Some(ov),
                accept,
                socket,
                ..
            } => {
                let listeners = ex.accept_listeners.entry(accept.clone()).or_default();
                listeners.insert(socket.clone());
                (ov, ExtensionFunction::AcceptEx, accept)
            }
            _ => continue,
        };
        let uses = ex.ov_uses.entry(ov.clone()).or_default();
        uses.insert((function, socket.clone()));
    }
}

/// Starts an operation on an OVERLAPPED: pending, its event reset.
pub fn begin(
    cx: &mut CallCx<'_>,
    ov: Slot,
    kind: ExtensionFunction,
    slot: Slot,
    event: Option<Slot>,
) {
    let Ok(socket) = resolve(cx.host, slot) else {
        return;
    };
    let ex = &mut cx.host.ex;
    let event = event.or_else(|| ex.ovs.get(&ov).and_then(|o| o.event));
    if let Some(e) = event {
        ex.events.entry(e).or_default().set = false;
    }
    ex.ovs.insert(
        ov,
        Overlapped {
            kind,
            socket,
            socket_name: slot,
            port_socket: socket,
            thread: cx.thread,
            event,
            outcome: None,
        },
    );
}

/// Sends the completion packet of the operation on `ov` to the completion
/// port of the socket at `index` (AcceptEx: its listening socket).
pub fn set_port_socket(host: &mut Host, ov: Slot, index: u32) {
    if let Some(o) = host.ex.ovs.get_mut(&ov) {
        o.port_socket = index;
    }
}

/// Completes an operation: stores its outcome, signals its event, queues a
/// packet on its socket's completion port, wakes whoever waits for any of
/// these, and traces it (CB-X4).
pub fn complete(host: &mut Host, core: &mut Core, ov: Slot, outcome: Result<u32, WsaError>) {
    let Some(o) = host.ex.ovs.get_mut(&ov) else {
        return;
    };
    if o.outcome.is_some() {
        return;
    }
    o.outcome = Some(outcome);
    let (socket, thread, event, kind, name) = (o.socket, o.thread, o.event, o.kind, o.socket_name);
    let port_socket = o.port_socket;
    if core.trace.is_on() {
        let n = |s: Slot| host.slot_names.get(s as usize).cloned().unwrap_or_default();
        let result = match outcome {
            Ok(bytes) => format!("OK ({bytes} bytes)"),
            Err(e) => e.name().to_string(),
        };
        let what = format!("{kind:?}({}) on {} = {result}", n(name), n(ov));
        core.trace.record(
            core.now(),
            host.node,
            TraceKind::Completion { thread, what },
        );
    }
    if let Some(e) = event {
        let signal = host.ex.events.entry(e).or_default();
        signal.set = true;
        wake(core, &mut signal.waiters);
    }
    let live = host
        .sockets
        .get(port_socket as usize)
        .is_some_and(Option::is_some);
    if let Some((port, key)) = live.then(|| host.socket_ex(port_socket).port).flatten() {
        let port = host.ex.ports.entry(port).or_default();
        port.queue.push_back(Packet {
            kind,
            key,
            bytes: *outcome.as_ref().unwrap_or(&0),
            error: outcome.err(),
        });
        wake(core, &mut port.waiters);
    }
    if let Some(s) = host
        .sockets
        .get_mut(socket as usize)
        .and_then(Option::as_mut)
    {
        wake(core, &mut s.waiters);
    }
}

/// CreateIoCompletionPort: creates the port, and associates a socket with
/// it under `key`. A socket is associated once; a second association fails
/// (ERROR_INVALID_PARAMETER, shown as WSAEINVAL).
pub fn create_port(cx: &mut CallCx<'_>, port: Slot, socket: Option<Slot>, key: u32) -> CallResult {
    cx.host.ex.ports.entry(port).or_default();
    if let Some(slot) = socket {
        let index = resolve(cx.host, slot)?;
        let ex = cx.host.socket_ex_mut(index);
        if ex.port.is_some() {
            return Err(WsaError::WSAEINVAL);
        }
        ex.port = Some((port, key));
    }
    Ok(Value::None)
}

/// The Win32 code GetQueuedCompletionStatus gives for a failed ConnectEx
/// on observed Windows (`profile.completion_win32_codes`; Wine
/// `test_connect_completion_port`): the NTSTATUS of the operation mapped
/// by RtlNtStatusToDosError, where WSAGetOverlappedResult maps it to the
/// WSA code. Other codes pass unchanged.
fn win32_code(e: WsaError) -> WsaError {
    match e {
        WsaError::WSAECONNREFUSED => WsaError::ERROR_CONNECTION_REFUSED,
        WsaError::WSAENETUNREACH => WsaError::ERROR_NETWORK_UNREACHABLE,
        WsaError::WSAEHOSTUNREACH => WsaError::ERROR_HOST_UNREACHABLE,
        WsaError::WSAETIMEDOUT => WsaError::ERROR_SEM_TIMEOUT,
        other => other,
    }
}

/// GetQueuedCompletionStatus: the oldest packet; WAIT_TIMEOUT when none
/// came within `timeout`. A packet of a failed operation makes the call
/// fail with its code (FALSE, GetLastError); its key and byte count are
/// then the thread's out-parameters (in `received`, 8 bytes LE).
pub fn dequeue(cx: &mut CallCx<'_>, port: Slot, timeout: Option<SimDuration>) -> Poll {
    cx.received.clear();
    let p = cx.host.ex.ports.entry(port).or_default();
    if let Some(packet) = p.queue.pop_front() {
        *cx.completed = Some(packet.kind);
        return Poll::Ready(match packet.error {
            None => Ok(Value::Completion {
                key: packet.key,
                bytes: packet.bytes,
            }),
            Some(e) => {
                cx.received.extend_from_slice(&packet.key.to_le_bytes());
                cx.received.extend_from_slice(&packet.bytes.to_le_bytes());
                let win32 = cx.host.profile.completion_win32_codes;
                Err(match packet.kind {
                    ExtensionFunction::ConnectEx if win32 => win32_code(e),
                    _ => e,
                })
            }
        });
    }
    if timed_out(cx, timeout) {
        return Poll::Ready(Err(WsaError::WAIT_TIMEOUT));
    }
    let p = cx.host.ex.ports.entry(port).or_default();
    if !p.waiters.contains(&cx.thread) {
        p.waiters.push(cx.thread);
    }
    Poll::Pending
}

/// WaitForSingleObject on an OVERLAPPED's event: `0` (WAIT_OBJECT_0) once
/// signalled, `258` (WAIT_TIMEOUT) after `timeout`.
pub fn wait(cx: &mut CallCx<'_>, event: Slot, timeout: Option<SimDuration>) -> Poll {
    let signal = cx.host.ex.events.entry(event).or_default();
    if signal.set {
        return Poll::Ready(Ok(Value::Number(0)));
    }
    if timed_out(cx, timeout) {
        return Poll::Ready(Ok(Value::Number(WsaError::WAIT_TIMEOUT.number())));
    }
    let signal = cx.host.ex.events.entry(event).or_default();
    if !signal.waiters.contains(&cx.thread) {
        signal.waiters.push(cx.thread);
    }
    Poll::Pending
}

/// Whether a wait's time is up; its first poll schedules the wake-up.
fn timed_out(cx: &mut CallCx<'_>, timeout: Option<SimDuration>) -> bool {
    let Some(timeout) = timeout else {
        return false;
    };
    let due = cx.start + timeout;
    if cx.core.now() >= due {
        return true;
    }
    if cx.first {
        cx.core.schedule_wait(cx.thread, due);
    }
    false
}

/// WSAGetOverlappedResult: the operation's outcome; WSA_IO_INCOMPLETE
/// while it is pending and `wait` is false; with `wait` the call blocks on
/// the socket until the completion wakes it.
pub fn get_result(cx: &mut CallCx<'_>, slot: Slot, ov: Slot, wait: bool) -> Poll {
    let index = match resolve(cx.host, slot) {
        Ok(i) => i,
        Err(e) => return Poll::Ready(Err(e)),
    };
    let Some(o) = cx.host.ex.ovs.get(&ov).filter(|o| o.socket == index) else {
        // No operation of this socket was started with this OVERLAPPED.
        return Poll::Ready(Err(WsaError::WSAEINVAL));
    };
    if o.outcome.is_some() {
        *cx.completed = Some(o.kind);
    }
    match o.outcome {
        Some(Ok(bytes)) => Poll::Ready(Ok(Value::Bytes(bytes))),
        Some(Err(e)) => Poll::Ready(Err(e)),
        None if wait => Poll::Pending,
        None => Poll::Ready(Err(WsaError::WSA_IO_INCOMPLETE)),
    }
}

/// CB-X8: a thread that exits cancels the I/O it started. Each pending
/// operation's socket-level work is undone (`cancel`), then it completes
/// with ERROR_OPERATION_ABORTED, which another thread can dequeue.
pub fn thread_exit(
    host: &mut Host,
    core: &mut Core,
    thread: u32,
    cancel: impl Fn(&mut Host, &mut Core, u32),
) {
    let mine: Vec<(Slot, u32)> = host
        .ex
        .ovs
        .iter()
        .filter(|(_, o)| o.thread == thread && o.outcome.is_none())
        .map(|(ov, o)| (*ov, o.socket))
        .collect();
    for (ov, socket) in mine {
        if host
            .sockets
            .get(socket as usize)
            .is_some_and(Option::is_some)
        {
            cancel(host, core, socket);
        }
        complete(host, core, ov, Err(WsaError::ERROR_OPERATION_ABORTED));
    }
}
