//! The steps of a thread: one Winsock call each (with what it expects), a
//! sleep, or a repetition.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use super::{
    Expect, ExtensionFunction, Family, IoctlCommand, Kind, Outcome, Qos, ShutdownHow, SockOpt,
    TfFlag, TimeSpec, WinsockVersion, is_default,
};
use crate::notify::FdEvent;
use crate::time::SimDuration;

/// One step of a thread: a Winsock call, a sleep, or a repetition.
///
/// Every call step takes an optional `expect: Err(WSAECONNREFUSED)` (an
/// [`Outcome`]) and optional `at: "21s"` / `took: ("20s", "22s")` times.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Step {
    /// WSAStartup, asking for `version` (default the host profile's
    /// `winsock_version`, 2.2).
    Startup {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        version: Option<WinsockVersion>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// WSACleanup.
    Cleanup {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// socket(family, kind): the new socket is known by `name` on this host.
    Socket {
        name: String,
        #[serde(default = "inet", skip_serializing_if = "is_inet")]
        family: Family,
        #[serde(default = "stream", skip_serializing_if = "is_stream")]
        kind: Kind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    Bind {
        socket: String,
        addr: SocketAddr,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    Listen {
        socket: String,
        #[serde(default = "backlog")]
        backlog: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// accept: the accepted socket is known by `name`.
    Accept {
        socket: String,
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    Connect {
        socket: String,
        to: SocketAddr,
        /// The `namelen` argument; by default the size of the name's
        /// sockaddr (16 for IPv4, 28 for IPv6). Smaller is WSAEFAULT (CB-C8).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        namelen: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// send: `data` as text, or `len` bytes of a fixed pattern.
    Send {
        socket: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        data: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        len: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// recv into a buffer of `max` bytes.
    Recv {
        socket: String,
        #[serde(default = "recv_max")]
        max: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    Shutdown {
        socket: String,
        how: ShutdownHow,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// closesocket.
    Close {
        socket: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    SetOption {
        socket: String,
        option: SockOpt,
        value: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    GetOption {
        socket: String,
        option: SockOpt,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    GetSockName {
        socket: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    GetPeerName {
        socket: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// ioctlsocket: FIONBIO with a nonzero `value` makes the socket
    /// nonblocking (CB-N1, CB-N2); FIONREAD returns the bytes ready to read.
    IoctlSocket {
        socket: String,
        command: IoctlCommand,
        #[serde(default)]
        value: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// WSAGetLastError: the code of this thread's last failed call, as a
    /// result (`Ok` when it is 0).
    LastError {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    // Datagram steps (CB-D1..D6, CB-B1..B3).
    /// sendto: one datagram to `to`, `data` as text or `len` bytes of a
    /// fixed pattern; on a connected socket too (CB-D4).
    SendTo {
        socket: String,
        to: SocketAddr,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        data: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        len: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// recvfrom into a buffer of `max` bytes: the next datagram and its
    /// sender (`expect: DataFrom("hi", "10.0.0.1:5000")`); blocks until one
    /// arrives.
    RecvFrom {
        socket: String,
        #[serde(default = "recv_max")]
        max: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    // ConnectEx and overlapped I/O (issue 3, item 4; CB-X1..X11). Names of
    // overlapped structures, events and completion ports are per host, like
    // socket names; see sim/src/winsock/overlapped.rs.
    /// `WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_<function>)`
    /// (CB-X3): a thread must obtain a pointer before calling through it.
    GetExtensionFunction {
        socket: String,
        function: ExtensionFunction,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// ConnectEx(s, to, namelen, data, len, &bytes_sent, overlapped) (CB-X4):
    /// `overlapped` absent passes NULL (WSAEFAULT); `event` names the
    /// overlapped's hEvent, a manual-reset event signalled at completion.
    ConnectEx {
        socket: String,
        to: SocketAddr,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        namelen: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        data: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        len: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        overlapped: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// DisconnectEx(s, overlapped, flags) (CB-X9).
    DisconnectEx {
        socket: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        flags: Vec<TfFlag>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        overlapped: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// TransmitFile(s, a file of `len` bytes, flags), synchronous (CB-X9).
    TransmitFile {
        socket: String,
        #[serde(default)]
        len: u32,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        flags: Vec<TfFlag>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// AcceptEx(listen socket, accept socket, overlapped) (CB-X9).
    AcceptEx {
        socket: String,
        accept: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        overlapped: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// CreateIoCompletionPort: creates `port` if new, and associates
    /// `socket` with it under completion `key`.
    CreateIoCompletionPort {
        port: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        socket: Option<String>,
        #[serde(default)]
        key: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// GetQueuedCompletionStatus(port, timeout); no timeout waits forever.
    GetQueuedCompletionStatus {
        port: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout: Option<SimDuration>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// WSAGetOverlappedResult(s, overlapped, wait): the operation's outcome;
    /// WSA_IO_INCOMPLETE while pending without `wait`.
    GetOverlappedResult {
        socket: String,
        overlapped: String,
        #[serde(default)]
        wait: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// WaitForSingleObject(event, timeout): `Value(0)` (WAIT_OBJECT_0) once
    /// the event is signalled, `Value(258)` (WAIT_TIMEOUT) after `timeout`.
    WaitForSingleObject {
        object: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout: Option<SimDuration>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// The thread does nothing for this long.
    Sleep(SimDuration),
    /// The thread sleeps until this simulated time (no-op if already past).
    SleepUntil(SimDuration),
    /// Runs `steps` `times` times.
    Repeat { times: u32, steps: Vec<Step> },
    // --- Nonblocking notifications (select, WSAAsyncSelect, WSAEventSelect;
    // CB-N3..N6). `spi: true` makes the call the service-provider one
    // (WSPSelect, WSPAsyncSelect, WSPEventSelect, WSPEnumNetworkEvents):
    // same mechanism, the WSP name in the trace. ---
    /// select over three sets of sockets (at most FD_SETSIZE, 64, each):
    /// waits until one is ready or `timeout` passes (absent: forever);
    /// returns how many are ready (CB-N3). Expect `Selected(...)` or
    /// `Value(n)`.
    Select {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        read: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        write: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        except: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout: Option<SimDuration>,
        #[serde(default, skip_serializing_if = "is_default")]
        spi: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// WSAAsyncSelect: `events` on `socket` are posted as messages to the
    /// host's window `window`; makes the socket nonblocking (CB-N4). An
    /// empty list cancels.
    AsyncSelect {
        socket: String,
        window: String,
        events: Vec<FdEvent>,
        #[serde(default, skip_serializing_if = "is_default")]
        spi: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// GetMessage on the host's window `window`: waits for the next
    /// message. Expect `Message(socket: "s", event: FD_CONNECT, ...)`.
    GetMessage {
        window: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// WSACreateEvent: a manual-reset event object known by `name` on
    /// this host, not signalled.
    CreateEvent {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// WSAEventSelect: `events` on `socket` are recorded and signal the
    /// event `event`; makes the socket nonblocking (CB-N5). An empty list
    /// cancels.
    EventSelect {
        socket: String,
        event: String,
        events: Vec<FdEvent>,
        #[serde(default, skip_serializing_if = "is_default")]
        spi: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// WSAWaitForMultipleEvents over at most 64 events: `Value(i)` is
    /// WSA_WAIT_EVENT_0 + i, `Value(258)` WSA_WAIT_TIMEOUT.
    WaitForEvents {
        events: Vec<String>,
        #[serde(default, skip_serializing_if = "is_default")]
        wait_all: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout: Option<SimDuration>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// WSAEnumNetworkEvents: reads and clears the events recorded on
    /// `socket`, and resets `event` if given. Expect `NetworkEvents(...)`.
    EnumNetworkEvents {
        socket: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<String>,
        #[serde(default, skip_serializing_if = "is_default")]
        spi: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    // --- WSAConnect/WSPConnect, connect data, QoS, APCs, cancel (feature: wsaconnect) ---
    /// WSAConnect (WSAConnect-CE.txt): connect, plus connect data and QoS
    /// that the host's provider interprets. `caller_data` is lpCallerData
    /// (absent: null, CB-W1); `callee_buffer` is the size of lpCalleeData's
    /// buffer (absent: null, CB-W2), and on success the result is its `len`
    /// with the data (`expect: Data("...")` or `Bytes(n)`); `sqos`/`gqos`
    /// are lpSQOS/lpGQOS (absent: null, CB-W5).
    WsaConnect {
        socket: String,
        to: SocketAddr,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        namelen: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caller_data: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        callee_buffer: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sqos: Option<Qos>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gqos: Option<Qos>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// WSPConnect (WSPConnect.txt): the SPI call. Its code goes to
    /// `lpErrno`, not to the thread's WSAGetLastError (CB-C1). The same
    /// arguments as `WsaConnect`, and `sqos_len`/`gqos_len`, the sizes of
    /// the lpSQOS/lpGQOS buffers (default a whole QOS; smaller is
    /// WSAEFAULT, CB-W3).
    WspConnect {
        socket: String,
        to: SocketAddr,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        namelen: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caller_data: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        callee_buffer: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sqos: Option<Qos>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gqos: Option<Qos>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sqos_len: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gqos_len: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// setsockopt(SO_CONNDATA) on a listening socket: the callee data its
    /// connections send back with their SYN,ACK (CB-W2). Needs a provider
    /// with connect data, else WSAENOPROTOOPT.
    SetConnectData {
        socket: String,
        data: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// getsockopt(SO_CONNDATA): the connect data the peer sent: on an
    /// accepted socket the caller data, on a connected one the callee data
    /// (read it after FD_CONNECT on a nonblocking socket, CB-W2).
    GetConnectData {
        socket: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// QueueUserAPC to the thread `thread` of the same host: `steps` run
    /// inside that thread's next alertable wait, a blocking Winsock call
    /// (CB-A1). They may not wait (no Sleep, no Repeat, no QueueApc).
    QueueApc {
        thread: String,
        steps: Vec<Step>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// WSACancelBlockingCall (Winsock 1.1; under 2.2 WSAEOPNOTSUPP): from
    /// an APC, cancels the thread's blocking call, which fails with
    /// WSAEINTR (CB-C18). No blocking call in progress: WSAEINVAL.
    CancelBlockingCall {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// WSPCancelBlockingCall: the same at the SPI level, for a blocking
    /// WSPConnect; its code goes to lpErrno (CB-C1, CB-C18).
    WspCancelBlockingCall {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
}

fn inet() -> Family {
    Family::Inet
}
fn stream() -> Kind {
    Kind::Stream
}
fn is_inet(family: &Family) -> bool {
    *family == Family::Inet
}
fn is_stream(kind: &Kind) -> bool {
    *kind == Kind::Stream
}
fn backlog() -> u32 {
    5
}
fn recv_max() -> u32 {
    65_536
}

/// Which steps carry an expected outcome, and which also `at` and `took`:
/// one list for [`Step::expectation`] and [`Step::expectation_mut`] (the
/// same arms bind by reference or by mutable reference).
macro_rules! expectation_parts {
    ($step:expr) => {{
        use Step::*;
        match $step {
            Startup { expect, .. }
            | Cleanup { expect }
            | IoctlSocket { expect, .. }
            | Socket { expect, .. }
            | Bind { expect, .. }
            | Listen { expect, .. }
            | Shutdown { expect, .. }
            | Close { expect, .. }
            | SetOption { expect, .. }
            | GetOption { expect, .. }
            | GetSockName { expect, .. }
            | GetPeerName { expect, .. }
            | LastError { expect }
            | AsyncSelect { expect, .. }
            | CreateEvent { expect, .. }
            | EventSelect { expect, .. }
            | EnumNetworkEvents { expect, .. }
            | SetConnectData { expect, .. }
            | GetConnectData { expect, .. }
            | QueueApc { expect, .. }
            | CancelBlockingCall { expect }
            | WspCancelBlockingCall { expect }
            | GetExtensionFunction { expect, .. }
            | DisconnectEx { expect, .. }
            | TransmitFile { expect, .. }
            | AcceptEx { expect, .. }
            | CreateIoCompletionPort { expect, .. } => (Some(expect), None, None),
            Accept {
                expect, at, took, ..
            }
            | Connect {
                expect, at, took, ..
            }
            | Send {
                expect, at, took, ..
            }
            | Recv {
                expect, at, took, ..
            }
            | SendTo {
                expect, at, took, ..
            }
            | RecvFrom {
                expect, at, took, ..
            }
            | Select {
                expect, at, took, ..
            }
            | GetMessage {
                expect, at, took, ..
            }
            | WaitForEvents {
                expect, at, took, ..
            }
            | WsaConnect {
                expect, at, took, ..
            }
            | WspConnect {
                expect, at, took, ..
            }
            | ConnectEx {
                expect, at, took, ..
            }
            | GetQueuedCompletionStatus {
                expect, at, took, ..
            }
            | GetOverlappedResult {
                expect, at, took, ..
            }
            | WaitForSingleObject {
                expect, at, took, ..
            } => (Some(expect), Some(at), Some(took)),
            Sleep(_) | SleepUntil(_) | Repeat { .. } => (None, None, None),
        }
    }};
}

impl Step {
    /// The expectation written on the step, if any.
    pub fn expectation(&self) -> Expect {
        let (result, at, took) = expectation_parts!(self);
        Expect {
            result: result.cloned().flatten(),
            at: at.copied().flatten(),
            took: took.copied().flatten(),
        }
    }

    /// Where a step keeps its expected outcome, `at` and `took`: `None` for
    /// the parts it has not (Sleep, Repeat; `at`/`took` on calls that
    /// return at once). The builder writes through them.
    #[allow(clippy::type_complexity)]
    pub fn expectation_mut(
        &mut self,
    ) -> (
        Option<&mut Option<Outcome>>,
        Option<&mut Option<TimeSpec>>,
        Option<&mut Option<TimeSpec>>,
    ) {
        expectation_parts!(self)
    }

    /// The socket name a step acts on, if any.
    pub fn socket(&self) -> Option<&str> {
        use Step::*;
        match self {
            Bind { socket, .. }
            | Listen { socket, .. }
            | Accept { socket, .. }
            | Connect { socket, .. }
            | Send { socket, .. }
            | Recv { socket, .. }
            | Shutdown { socket, .. }
            | Close { socket, .. }
            | SetOption { socket, .. }
            | GetOption { socket, .. }
            | GetSockName { socket, .. }
            | GetPeerName { socket, .. }
            | IoctlSocket { socket, .. }
            | SendTo { socket, .. }
            | RecvFrom { socket, .. }
            | AsyncSelect { socket, .. }
            | EventSelect { socket, .. }
            | EnumNetworkEvents { socket, .. }
            | WsaConnect { socket, .. }
            | WspConnect { socket, .. }
            | SetConnectData { socket, .. }
            | GetConnectData { socket, .. }
            | GetExtensionFunction { socket, .. }
            | ConnectEx { socket, .. }
            | DisconnectEx { socket, .. }
            | TransmitFile { socket, .. }
            | AcceptEx { socket, .. }
            | GetOverlappedResult { socket, .. } => Some(socket),
            CreateIoCompletionPort { socket, .. } => socket.as_deref(),
            _ => None,
        }
    }

    /// The socket name a step creates, if any.
    pub fn creates(&self) -> Option<&str> {
        match self {
            Step::Socket { name, .. } | Step::Accept { name, .. } => Some(name),
            _ => None,
        }
    }
}
