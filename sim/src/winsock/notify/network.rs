//! Network events of a socket, as select sees them (levels) and as
//! WSAAsyncSelect and WSAEventSelect report them (edges): CB-N3, CB-N4,
//! CB-N5. The host owns the window message queues and event objects that
//! the notifications go to.
//!
//! [`socket_changed`] runs after every change of a socket's connection
//! (the stack's reports of a TCB step and of a datagram's arrival, acted
//! on in `winsock::events`) and after the calls
//! that re-enable an event (recv, accept, a send that would block). It is
//! O(1) for a socket without a registration: it only notes whether a
//! connection attempt is under way, so that FD_CONNECT is owed when the
//! attempt ends.
//!
//! Re-enabling follows the WSAAsyncSelect document: after an event is
//! posted no other of its kind is posted until the re-enabling call: recv
//! for FD_READ, accept for FD_ACCEPT, a send that failed with
//! WSAEWOULDBLOCK for FD_WRITE, a new attempt for FD_CONNECT; FD_CLOSE
//! once. A re-enabled event whose condition still holds is posted again
//! at once (data left after a recv posts another FD_READ).
//!
//! Observed Windows differs in two places, each a profile field: FD_CLOSE
//! after the peer's RST carries WSAECONNABORTED (`fd_close_reset_aborted`,
//! Wine `test_close_events`), and WSAEventSelect records the FD_CONNECT of
//! a connect that ended before it (`event_select_latches_connect`, Wine
//! `test_connect_events`), and a new WSAEventSelect does not record again
//! an event already recorded and not re-enabled
//! (`event_select_keeps_reported`; FD_WRITE in `test_connect_events` and
//! `test_write_events`), where the WSAEventSelect page has it recorded.

use std::collections::VecDeque;

use simsock_model::WsaError;
use simsock_model::limits::scenario::MAX_WINDOW_MESSAGES;
use simsock_model::notify::FdEvent;
use simsock_model::scenario::Kind;

use crate::engine::Core;
use crate::stack::Waiters;
use crate::stack::socket::SockState;
use crate::stack::sync::{wake, wsa_code};
use crate::stack::tcp::TcpError;
use crate::winsock::Host;

/// Where a socket's notifications go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// WSAAsyncSelect: messages to this window of the host.
    Window(u32),
    /// WSAEventSelect: record the events and signal this event object.
    Event(u32),
}

/// A WSAAsyncSelect or WSAEventSelect registration: at most one per socket
/// (a new one cancels the old, as both documents say).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Registration {
    /// The window or event object the notifications go to.
    pub target: Target,
    /// The `lNetworkEvents` mask ([`FdEvent::bit`]).
    pub mask: u32,
}

/// The notification state of one socket.
#[derive(Debug, Default)]
pub struct SockNotify {
    /// The socket's WSAAsyncSelect or WSAEventSelect registration; `None`
    /// when it has none or it was cancelled (an empty event mask).
    pub registration: Option<Registration>,
    /// A connection attempt was seen under way: FD_CONNECT is owed when
    /// it ends (CB-N4, CB-N5: once per attempt).
    connecting: bool,
    /// A connect of this socket (connect, WSAConnect, ConnectEx) has not
    /// had its FD_CONNECT posted yet: observed Windows records it at a
    /// later WSAEventSelect (`profile.event_select_latches_connect`; Wine
    /// `test_connect_events`).
    pub connect_unreported: bool,
    /// Events posted and not re-enabled since.
    posted: u32,
    /// WSAEventSelect: events recorded since the last WSAEnumNetworkEvents.
    pub recorded: u32,
    /// Their codes, by `FD_*_BIT` index (`iErrorCode`); `None` is 0.
    pub errors: [Option<WsaError>; 6],
}

/// One WSAAsyncSelect message: `wParam` the socket, `lParam` the event and
/// its error (WSAGETSELECTEVENT, WSAGETSELECTERROR).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message {
    /// `wParam`: the socket's handle.
    pub socket: u32,
    /// WSAGETSELECTEVENT(`lParam`).
    pub event: FdEvent,
    /// WSAGETSELECTERROR(`lParam`); `None` is 0.
    pub error: Option<WsaError>,
}

/// A window of a host: its message queue and the threads in GetMessage.
#[derive(Debug, Default)]
pub struct Window {
    /// Messages posted and not yet read, oldest first (at most
    /// `MAX_WINDOW_MESSAGES`).
    pub queue: VecDeque<Message>,
    /// Threads waiting in GetMessage on it.
    pub waiters: Waiters,
}

/// A WSA event object (manual reset, as WSACreateEvent makes them).
#[derive(Debug, Default)]
pub struct EventObject {
    /// Made by WSACreateEvent; using a name before is WSA_INVALID_HANDLE.
    pub created: bool,
    /// Signalled by a recorded network event; reset by WSACreateEvent and
    /// by WSAEnumNetworkEvents given the event (manual reset).
    pub signalled: bool,
    /// Threads in WSAWaitForMultipleEvents on it.
    pub waiters: Waiters,
}

/// The host's windows and event objects, by the index the scripts'
/// names compile to (like socket slots).
#[derive(Debug, Default)]
pub struct HostNotify {
    /// A socket of the host registered for notifications at some point.
    /// Until then the hooks below skip their work: it only matters to a
    /// registered socket, and [`register`] starts a socket afresh.
    pub in_use: bool,
    /// The windows, by index (created on first mention).
    pub windows: Vec<Window>,
    /// The windows' names, by index.
    pub window_names: Vec<String>,
    /// The event objects, by index.
    pub events: Vec<EventObject>,
    /// The event objects' names, by index.
    pub event_names: Vec<String>,
}

/// The notification state of a host that never used any
/// (`stack::cold`).
static EMPTY_NOTIFY: HostNotify = HostNotify {
    in_use: false,
    windows: Vec::new(),
    window_names: Vec::new(),
    events: Vec::new(),
    event_names: Vec::new(),
};

impl crate::stack::cold::Empty for HostNotify {
    fn empty() -> &'static Self {
        &EMPTY_NOTIFY
    }
}

fn index_of(names: &mut Vec<String>, name: &str) -> u32 {
    match names.iter().position(|n| n == name) {
        Some(i) => i as u32,
        None => {
            names.push(name.to_string());
            (names.len() - 1) as u32
        }
    }
}

impl HostNotify {
    /// The index of a window name, created on first use.
    pub fn window_named(&mut self, name: &str) -> u32 {
        index_of(&mut self.window_names, name)
    }

    /// The index of an event name, created on first use (the object itself
    /// exists only after WSACreateEvent).
    pub fn event_named(&mut self, name: &str) -> u32 {
        index_of(&mut self.event_names, name)
    }

    /// A window by index; windows exist from their first mention.
    pub fn window(&mut self, index: u32) -> &mut Window {
        let i = index as usize;
        if self.windows.len() <= i {
            self.windows.resize_with(i + 1, Window::default);
        }
        &mut self.windows[i]
    }

    /// An event object by index (not necessarily created).
    pub fn event(&mut self, index: u32) -> &mut EventObject {
        let i = index as usize;
        if self.events.len() <= i {
            self.events.resize_with(i + 1, EventObject::default);
        }
        &mut self.events[i]
    }

    /// Signals an event object and wakes its waiters.
    pub fn signal(&mut self, core: &mut Core, index: u32) {
        let event = self.event(index);
        event.signalled = true;
        wake(core, &mut event.waiters);
    }
}

/// The levels select reports for a socket (CB-N3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Readiness {
    /// In readfds it would be set: data, a connection to accept, or the
    /// end of the connection.
    pub read: bool,
    /// In writefds: connected with send buffer space (a datagram socket
    /// always).
    pub write: bool,
    /// In exceptfds: the last connection attempt failed.
    pub except: bool,
}

/// What select sees now. Readable: a connection to accept, data, or the
/// end of the connection (FIN, reset: recv returns at once). Writable: a
/// connected socket with send buffer space (a nonblocking connect that
/// succeeded). Except: the last connection attempt failed (its code is in
/// SO_ERROR).
pub fn readiness(host: &Host, index: u32) -> Readiness {
    let sock = host.socket(index);
    if sock.kind == Kind::Dgram {
        return Readiness {
            read: !sock.datagrams.is_empty(),
            write: true,
            except: false,
        };
    }
    match sock.state {
        SockState::Listening => Readiness {
            read: sock.listener.as_ref().is_some_and(|l| !l.ready.is_empty()),
            ..Readiness::default()
        },
        SockState::Connected => {
            let tcb = sock.conn.and_then(|c| host.tcb(c));
            let read = tcb.is_none_or(|t| {
                !t.recv_buf.is_empty() || t.peer_fin || t.error.is_some() || t.is_closed()
            });
            let room = host.profile.send_buffer as usize;
            let write = tcb.is_some_and(|t| t.can_send() && t.send_queued() < room);
            Readiness {
                read,
                write,
                except: false,
            }
        }
        // A failed connect: exceptfds on Windows (CB-N3), read and write
        // on Linux (`failed_connect_selects_except`).
        SockState::Fresh | SockState::Bound => {
            let failed = sock.error.is_some();
            let except = host.profile.failed_connect_selects_except;
            Readiness {
                read: failed && !except,
                write: failed && !except,
                except: failed && except,
            }
        }
        SockState::Connecting => Readiness::default(),
    }
}

/// The events whose condition holds now, with their codes; FD_CONNECT
/// only when an attempt has just ended (`ended`).
fn conditions(
    host: &Host,
    index: u32,
    ended: Option<Option<WsaError>>,
    target: Target,
) -> Vec<Message> {
    let sock = host.socket(index);
    let level = readiness(host, index);
    let mut found = Vec::new();
    let mut add = |event, error| {
        found.push(Message {
            socket: sock.handle,
            event,
            error,
        })
    };
    if let Some(error) = ended {
        add(FdEvent::FD_CONNECT, error);
    }
    let stream_open = sock.kind == Kind::Stream && sock.state == SockState::Connected;
    let tcb = sock.conn.and_then(|c| host.tcb(c));
    let unread = tcb.is_some_and(|t| !t.recv_buf.is_empty());
    if unread || (sock.kind == Kind::Dgram && level.read) {
        add(FdEvent::FD_READ, None);
    }
    if level.write && (sock.state == SockState::Connected || dgram_writable(host, index, target)) {
        add(FdEvent::FD_WRITE, None);
    }
    if sock.state == SockState::Listening && level.read {
        add(FdEvent::FD_ACCEPT, None);
    }
    // FD_CLOSE once the data is read (the WSAAsyncSelect document: it is
    // posted after all data is read), with the code of a broken connection.
    if stream_open && !unread && level.read {
        let error = tcb.and_then(|t| t.error).map(|e| close_code(host, e));
        add(FdEvent::FD_CLOSE, error);
    }
    found
}

/// Whether an unconnected datagram socket's FD_WRITE is due: on observed
/// Windows (`dgram_connect_notifies`) at once for WSAAsyncSelect, and for
/// WSAEventSelect once the socket is bound (Wine `test_connect_events`,
/// "Test with UDP sockets": an unbound socket records nothing;
/// `test_WSAEnumNetworkEvents`: a bound one records FD_WRITE).
fn dgram_writable(host: &Host, index: u32, target: Target) -> bool {
    let sock = host.socket(index);
    host.profile.dgram_connect_notifies
        && sock.kind == Kind::Dgram
        && (matches!(target, Target::Window(_)) || sock.local.is_some())
}

/// A datagram socket was connected (a default destination set): FD_WRITE
/// is due (the documents); on observed Windows (`dgram_connect_notifies`) WSAEventSelect records
/// FD_CONNECT (code 0) and FD_WRITE, and WSAAsyncSelect posts FD_WRITE
/// again (Wine `test_connect_events`, "Test with UDP sockets":
/// `check_events_todo(ctx, FD_CONNECT, FD_WRITE, 200)` for events,
/// `check_events_todo(ctx, FD_WRITE, 0, 200)` for messages).
pub fn dgram_connected(host: &mut Host, core: &mut Core, index: u32) {
    if !host.notify.in_use {
        return; // performance: see `HostNotify::in_use`
    }
    if !host.profile.dgram_connect_notifies {
        // The documents: FD_WRITE is due once the socket is connected.
        if host.socket_notify(index).registration.is_some() {
            socket_changed(host, core, index);
        }
        return;
    }
    let handle = host.socket(index).handle;
    let notify = host.socket_notify_mut(index);
    let Some(registration) = notify.registration else {
        return;
    };
    notify.posted &= !(FdEvent::FD_WRITE.bit() | FdEvent::FD_CONNECT.bit());
    let connect = FdEvent::FD_CONNECT.bit();
    if matches!(registration.target, Target::Event(_)) && registration.mask & connect != 0 {
        notify.posted |= connect;
        let message = Message {
            socket: handle,
            event: FdEvent::FD_CONNECT,
            error: None,
        };
        post(host, core, registration.target, index, message);
    }
    socket_changed(host, core, index);
}

/// FD_CLOSE's code for a connection that broke with `error`: a reset by
/// the peer is WSAECONNABORTED on observed Windows and WSAECONNRESET in the
/// documents (`profile.fd_close_reset_aborted`; Wine `test_close_events`).
fn close_code(host: &Host, error: TcpError) -> WsaError {
    match error {
        TcpError::Reset if host.profile.fd_close_reset_aborted => WsaError::WSAECONNABORTED,
        _ => wsa_code(error),
    }
}

/// Whether a WSAEventSelect registration records the FD_CONNECT latched
/// by a connect that ended before it (`profile.event_select_latches_connect`;
/// Wine `test_connect_events`, "Connect and then select").
fn latched_connect(host: &Host, index: u32, target: Target) -> bool {
    matches!(target, Target::Event(_))
        && host.profile.event_select_latches_connect
        && host.socket_notify(index).connect_unreported
        && host.socket(index).state == SockState::Connected
}

/// A socket's connection changed: note an attempt starting or ending, and
/// post the events its registration asks for that are due (module doc).
pub fn socket_changed(host: &mut Host, core: &mut Core, index: u32) {
    if !host.notify.in_use {
        return; // performance: see `HostNotify::in_use`
    }
    let Some(sock) = host.live_socket_mut(index) else {
        return;
    };
    let (state, error) = (sock.state, sock.error);
    let connecting = state == SockState::Connecting;
    let notify = host.socket_notify_mut(index);
    let ended = match (
        std::mem::replace(&mut notify.connecting, connecting),
        connecting,
    ) {
        (false, true) => {
            // A new attempt re-enables FD_CONNECT, FD_WRITE and FD_CLOSE.
            let fresh =
                FdEvent::FD_CONNECT.bit() | FdEvent::FD_WRITE.bit() | FdEvent::FD_CLOSE.bit();
            notify.posted &= !fresh;
            None
        }
        (true, false) => Some(match state {
            SockState::Connected => None,
            _ => Some(error.unwrap_or(WsaError::WSAECONNREFUSED)),
        }),
        _ => None,
    };
    let Some(registration) = notify.registration else {
        return;
    };
    let ended = match ended {
        None if latched_connect(host, index, registration.target) => Some(None),
        ended => ended,
    };
    for message in conditions(host, index, ended, registration.target) {
        let bit = message.event.bit();
        let notify = host.socket_notify_mut(index);
        if registration.mask & bit == 0 || notify.posted & bit != 0 {
            continue;
        }
        notify.posted |= bit;
        if message.event == FdEvent::FD_CONNECT {
            notify.connect_unreported = false;
        }
        post(host, core, registration.target, index, message);
    }
}

/// Delivers one notification to its window or event object.
fn post(host: &mut Host, core: &mut Core, target: Target, index: u32, message: Message) {
    match target {
        Target::Window(w) => {
            let window = host.notify.window(w);
            if window.queue.len() < MAX_WINDOW_MESSAGES {
                window.queue.push_back(message);
            }
            wake(core, &mut window.waiters);
        }
        Target::Event(e) => {
            let notify = host.socket_notify_mut(index);
            notify.recorded |= message.event.bit();
            notify.errors[message.event.index()] = message.error;
            host.notify.signal(core, e);
        }
    }
}

/// A call re-enabled `event` on a socket (recv: FD_READ, accept:
/// FD_ACCEPT, a send that would block: FD_WRITE); posts it again at once
/// if its condition still holds.
pub fn reenable(host: &mut Host, core: &mut Core, index: u32, event: FdEvent) {
    if !host.notify.in_use {
        return; // performance: see `HostNotify::in_use`
    }
    if host.live_socket_mut(index).is_none() {
        return;
    }
    let notify = host.socket_notify_mut(index);
    notify.posted &= !event.bit();
    if notify.registration.is_some() {
        socket_changed(host, core, index);
    }
}

/// Registers (or, with an empty mask, cancels) a socket's notifications;
/// events already due are posted at once (a connected socket gets
/// FD_WRITE), as both documents say.
pub fn register(host: &mut Host, core: &mut Core, index: u32, target: Target, mask: u32) {
    host.notify.in_use |= mask != 0;
    host.steps_watched |= mask != 0; // events follow TCB steps (`events::stepped`)
    // Observed Windows: a new WSAEventSelect does not record again what
    // was recorded and not re-enabled (`event_select_keeps_reported`; Wine
    // `test_write_events`); WSAAsyncSelect posts it again.
    let keep = matches!(target, Target::Event(_)) && host.profile.event_select_keeps_reported;
    let notify = host.socket_notify_mut(index);
    notify.registration = (mask != 0).then_some(Registration { target, mask });
    if !keep {
        notify.posted = 0;
    }
    notify.recorded = 0;
    notify.errors = [None; 6];
    socket_changed(host, core, index);
}
