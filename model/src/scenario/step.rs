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
        /// The version asked of WSAStartup; absent: the host profile's
        /// `winsock_version` (2.2 by default). 1.1 brings Winsock 1.1's codes
        /// (CB-N2, CB-C18, CB-C19). The host's first WSAStartup sets it;
        /// later ones only count.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        version: Option<WinsockVersion>,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// WSACleanup: undoes one WSAStartup of the host (a host is one
    /// process); after the last one, Winsock calls fail with
    /// WSANOTINITIALISED (CB-C10).
    Cleanup {
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// socket(family, kind): the new socket is known by `name` on this host.
    Socket {
        /// The name this host's steps use for the new socket.
        name: String,
        /// The address family (default `Inet`); `Irda` fails with
        /// WSAEAFNOSUPPORT (CB-I1).
        #[serde(default = "inet", skip_serializing_if = "is_inet")]
        family: Family,
        /// The socket type (default `Stream`, TCP).
        #[serde(default = "stream", skip_serializing_if = "is_stream")]
        kind: Kind,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// bind(socket, addr): gives the socket its local address; an address
    /// in use without SO_REUSEADDR is WSAEADDRINUSE (CB-C17).
    Bind {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The local address and port; `0.0.0.0` is any address, port 0 an
        /// ephemeral port from the profile's `ephemeral_ports`.
        addr: SocketAddr,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// listen(socket, backlog): the socket accepts connections; SYNs past a
    /// full backlog get the profile's `backlog_overflow` (RST on Windows).
    Listen {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The backlog asked (default 5); the host gives at most its profile's
        /// `listen_backlog_max` (200).
        #[serde(default = "backlog")]
        backlog: u32,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// accept: the accepted socket is known by `name`.
    Accept {
        /// The listening socket, by name.
        socket: String,
        /// The name this host's steps use for the accepted socket.
        name: String,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        /// When the call must return, in simulated time since the run began
        /// (`"21s"`, or a window `("20s", "22s")`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        /// How long the call must take, from its start to its return (a
        /// [`TimeSpec`]); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// WSAAccept(socket, NULL, NULL, lpfnCondition, 0): accept with a
    /// condition function whose answer this call is `condition` (the
    /// WSAAccept page; Wine `test_accept`, `test_AcceptEx`). The accepted
    /// socket is known by `name`.
    WsaAccept {
        /// The listening socket, by name.
        socket: String,
        /// The name this host's steps use for the accepted socket.
        name: String,
        /// What the condition function returns for the connection at the
        /// head of the queue: `CF_ACCEPT`, `CF_REJECT` (WSAECONNREFUSED;
        /// the peer is reset) or `CF_DEFER` (WSATRY_AGAIN; it stays
        /// queued); absent: lpfnCondition is NULL, as accept.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        condition: Option<crate::accept::Condition>,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSATRY_AGAIN)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        /// When the call must return, in simulated time since the run began
        /// (`"21s"`, or a window `("20s", "22s")`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        /// How long the call must take, from its start to its return (a
        /// [`TimeSpec`]); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// connect(socket, to, namelen) (connect.txt): on a stream socket, the
    /// TCP handshake (blocking until the outcome is known, CB-N7, or
    /// WSAEWOULDBLOCK when nonblocking, CB-N1); on a datagram socket, the
    /// default destination (CB-D1).
    Connect {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The peer's address and port (`"10.0.0.2:80"`).
        to: SocketAddr,
        /// The `namelen` argument; by default the size of the name's
        /// sockaddr (16 for IPv4, 28 for IPv6). Smaller is WSAEFAULT (CB-C8).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        namelen: Option<u32>,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        /// When the call must return, in simulated time since the run began
        /// (`"21s"`, or a window `("20s", "22s")`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        /// How long the call must take, from its start to its return (a
        /// [`TimeSpec`]); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// send: `data` as text, or `len` bytes of a fixed pattern.
    Send {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The bytes to send, as text (UTF-8); when given, `len` is ignored.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        data: Option<String>,
        /// Without `data`: this many bytes of the pattern `a`..`z`, repeated;
        /// neither: nothing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        len: Option<u32>,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        /// When the call must return, in simulated time since the run began
        /// (`"21s"`, or a window `("20s", "22s")`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        /// How long the call must take, from its start to its return (a
        /// [`TimeSpec`]); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// recv into a buffer of `max` bytes.
    Recv {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// Size of the receive buffer in bytes (default 65,536, at most 1 MiB):
        /// recv returns at most this many.
        #[serde(default = "recv_max")]
        max: u32,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        /// When the call must return, in simulated time since the run began
        /// (`"21s"`, or a window `("20s", "22s")`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        /// How long the call must take, from its start to its return (a
        /// [`TimeSpec`]); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// shutdown(socket, how): ends sending, receiving or both; `Send` sends
    /// FIN.
    Shutdown {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// Which direction to end: `Receive`, `Send` (sends FIN) or `Both`.
        how: ShutdownHow,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// closesocket.
    Close {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// setsockopt(socket, option, value).
    SetOption {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The option to set.
        option: SockOpt,
        /// The option's value: 0 or nonzero for the boolean options, seconds
        /// for SO_LINGER.
        value: u32,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// getsockopt(socket, option): the value, as `expect: Value(n)`.
    GetOption {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The option to read; the result is its value (`expect: Value(n)`).
        option: SockOpt,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// getsockname: the socket's local address, as `expect: Addr("...")`;
    /// after an implicit bind, the one connect chose (CB-C2).
    GetSockName {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// getpeername: the connected peer's address, as `expect: Addr("...")`;
    /// WSAENOTCONN when not connected.
    GetPeerName {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// ioctlsocket: FIONBIO with a nonzero `value` makes the socket
    /// nonblocking (CB-N1, CB-N2); FIONREAD returns the bytes ready to read.
    IoctlSocket {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The command: FIONBIO or FIONREAD.
        command: IoctlCommand,
        /// The command's argument (default 0): for FIONBIO, nonzero is
        /// nonblocking.
        #[serde(default)]
        value: u32,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// WSAGetLastError: the code of this thread's last failed call, as a
    /// result (`Ok` when it is 0).
    LastError {
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    // Datagram steps (CB-D1..D6, CB-B1..B3).
    /// sendto: one datagram to `to`, `data` as text or `len` bytes of a
    /// fixed pattern; on a connected socket too (CB-D4).
    SendTo {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The datagram's destination address and port; a broadcast address
        /// needs SO_BROADCAST (CB-B2, CB-B3).
        to: SocketAddr,
        /// The bytes to send, as text (UTF-8); when given, `len` is ignored.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        data: Option<String>,
        /// Without `data`: this many bytes of the pattern `a`..`z`, repeated;
        /// neither: nothing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        len: Option<u32>,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        /// When the call must return, in simulated time since the run began
        /// (`"21s"`, or a window `("20s", "22s")`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        /// How long the call must take, from its start to its return (a
        /// [`TimeSpec`]); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// recvfrom into a buffer of `max` bytes: the next datagram and its
    /// sender (`expect: DataFrom("hi", "10.0.0.1:5000")`); blocks until one
    /// arrives.
    RecvFrom {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// Size of the receive buffer in bytes (default 65,536); a longer
        /// datagram fills it and fails with WSAEMSGSIZE, its rest lost.
        #[serde(default = "recv_max")]
        max: u32,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        /// When the call must return, in simulated time since the run began
        /// (`"21s"`, or a window `("20s", "22s")`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        /// How long the call must take, from its start to its return (a
        /// [`TimeSpec`]); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    // ConnectEx and overlapped I/O (issue 3, item 4; CB-X1..X11). Names of
    // overlapped structures, events and completion ports are per host, like
    // socket names; see sim/src/winsock/overlapped.rs.
    /// `WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_<function>)`
    /// (CB-X3): a thread must obtain a pointer before calling through it.
    GetExtensionFunction {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The extension function whose pointer is asked for (WSAID_CONNECTEX
        /// and the others).
        function: ExtensionFunction,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// ConnectEx(s, to, namelen, data, len, &bytes_sent, overlapped) (CB-X4):
    /// `overlapped` absent passes NULL (WSAEFAULT; ERROR_INVALID_PARAMETER
    /// under `null_overlapped_invalid_parameter`); `event` names the
    /// overlapped's hEvent, a manual-reset event signalled at completion.
    ConnectEx {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The peer's address and port (`"10.0.0.2:80"`).
        to: SocketAddr,
        /// The `namelen` argument; by default the size of the name's sockaddr
        /// (16 for IPv4, 28 for IPv6). Smaller is WSAEFAULT (CB-C8).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        namelen: Option<u32>,
        /// lpSendBuffer as text: sent once the connection is established
        /// (CB-X5); when given, `len` is ignored.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        data: Option<String>,
        /// Without `data`: a send buffer of this many bytes of the pattern
        /// `a`..`z` (CB-X5); neither: no send buffer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        len: Option<u32>,
        /// The OVERLAPPED structure, by a name of this host's (created on first
        /// use); absent: NULL, which is WSAEFAULT (CB-X4), or
        /// ERROR_INVALID_PARAMETER on a `windows` host
        /// (`null_overlapped_invalid_parameter`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        overlapped: Option<String>,
        /// The overlapped's hEvent, by name: a manual-reset event signalled at
        /// completion; absent: none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<String>,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        /// When the call must return, in simulated time since the run began
        /// (`"21s"`, or a window `("20s", "22s")`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        /// How long the call must take, from its start to its return (a
        /// [`TimeSpec`]); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// DisconnectEx(s, overlapped, flags) (CB-X9).
    DisconnectEx {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// TF_DISCONNECT and/or TF_REUSE_SOCKET (CB-X9); absent: none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        flags: Vec<TfFlag>,
        /// The OVERLAPPED structure, by name; absent: NULL, a synchronous call.
        /// Without flags, on a `windows` host (profile
        /// `disconnect_ex_half_close`), an overlapped call is a half-close
        /// pending (`Err(ERROR_IO_PENDING)`) until its FIN is acknowledged;
        /// otherwise it completes at once (divergence: Windows completes it
        /// when the disconnect is done).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        overlapped: Option<String>,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// TransmitFile(s, a file of `len` bytes, flags), synchronous (CB-X9).
    TransmitFile {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The file's size: this many bytes of the pattern `a`..`z` are sent
        /// (divergence: there is no file; default 0).
        #[serde(default)]
        len: u32,
        /// TF_DISCONNECT and/or TF_REUSE_SOCKET (CB-X9); absent: none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        flags: Vec<TfFlag>,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// AcceptEx(listen socket, accept socket, overlapped) (CB-X9).
    AcceptEx {
        /// The listening socket, by name.
        socket: String,
        /// The accept socket, by name: a fresh socket, neither bound nor
        /// connected; a reused one is WSAEINVAL (CB-X9).
        accept: String,
        /// The OVERLAPPED structure, by name; absent: NULL, which is WSAEFAULT,
        /// or ERROR_INVALID_PARAMETER on a `windows` host
        /// (`null_overlapped_invalid_parameter`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        overlapped: Option<String>,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// CreateIoCompletionPort: creates `port` if new, and associates
    /// `socket` with it under completion `key`.
    CreateIoCompletionPort {
        /// The completion port, by a name of this host's: created if new.
        port: String,
        /// The socket to associate with the port, by name; absent: only create
        /// the port. A socket is associated once; a second association is
        /// WSAEINVAL.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        socket: Option<String>,
        /// The completion key its packets carry (default 0), checked by
        /// `Completion(key: ...)`.
        #[serde(default)]
        key: u32,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// GetQueuedCompletionStatus(port, timeout); no timeout waits forever.
    GetQueuedCompletionStatus {
        /// The completion port to dequeue from, by name.
        port: String,
        /// How long to wait for a packet; absent: INFINITE. Past it the call
        /// fails with WAIT_TIMEOUT.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout: Option<SimDuration>,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        /// When the call must return, in simulated time since the run began
        /// (`"21s"`, or a window `("20s", "22s")`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        /// How long the call must take, from its start to its return (a
        /// [`TimeSpec`]); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// WSAGetOverlappedResult(s, overlapped, wait): the operation's outcome;
    /// WSA_IO_INCOMPLETE while pending without `wait`.
    GetOverlappedResult {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The OVERLAPPED structure of the operation, by name.
        overlapped: String,
        /// fWait: `true` waits until the operation completes; `false` (the
        /// default) fails with WSA_IO_INCOMPLETE while it is pending.
        #[serde(default)]
        wait: bool,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        /// When the call must return, in simulated time since the run began
        /// (`"21s"`, or a window `("20s", "22s")`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        /// How long the call must take, from its start to its return (a
        /// [`TimeSpec`]); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// WaitForSingleObject(event, timeout): `Value(0)` (WAIT_OBJECT_0) once
    /// the event is signalled, `Value(258)` (WAIT_TIMEOUT) after `timeout`.
    WaitForSingleObject {
        /// The event to wait on, by name (an overlapped's `event` or a
        /// `CreateEvent` one).
        object: String,
        /// How long to wait; absent: INFINITE. Past it the result is
        /// `Value(258)`, WAIT_TIMEOUT.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout: Option<SimDuration>,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        /// When the call must return, in simulated time since the run began
        /// (`"21s"`, or a window `("20s", "22s")`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        /// How long the call must take, from its start to its return (a
        /// [`TimeSpec`]); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// The thread does nothing for this long.
    Sleep(SimDuration),
    /// The thread sleeps until this simulated time (no-op if already past).
    SleepUntil(SimDuration),
    /// Runs `steps` `times` times.
    Repeat {
        /// How many times to run `steps` (at most 100,000,
        /// `limits::scenario::MAX_REPEAT`).
        times: u32,
        /// The steps to run each time, in order.
        steps: Vec<Step>,
    },
    // --- Nonblocking notifications (select, WSAAsyncSelect, WSAEventSelect;
    // CB-N3..N6). `spi: true` makes the call the service-provider one
    // (WSPSelect, WSPAsyncSelect, WSPEventSelect, WSPEnumNetworkEvents):
    // same mechanism, the WSP name in the trace. ---
    /// select over three sets of sockets (at most FD_SETSIZE, 64, each):
    /// waits until one is ready or `timeout` passes (absent: forever);
    /// returns how many are ready (CB-N3). Expect `Selected(...)` or
    /// `Value(n)`.
    Select {
        /// readfds: sockets to watch for data, a connection to accept or the
        /// end of the stream.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        read: Vec<String>,
        /// writefds: sockets to watch for a connect that succeeded or room to
        /// send (CB-N3).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        write: Vec<String>,
        /// exceptfds: sockets to watch for a nonblocking connect that failed
        /// (CB-N3).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        except: Vec<String>,
        /// How long to wait; absent: forever. Zero polls and returns at once.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout: Option<SimDuration>,
        /// `true`: the service-provider call (the WSP name in the trace), same
        /// mechanism (default false).
        #[serde(default, skip_serializing_if = "is_default")]
        spi: bool,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        /// When the call must return, in simulated time since the run began
        /// (`"21s"`, or a window `("20s", "22s")`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        /// How long the call must take, from its start to its return (a
        /// [`TimeSpec`]); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// WSAAsyncSelect: `events` on `socket` are posted as messages to the
    /// host's window `window`; makes the socket nonblocking (CB-N4). An
    /// empty list cancels.
    AsyncSelect {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The host's window that receives the messages, by name (created on
        /// first use).
        window: String,
        /// The network events to post (at most 8); empty cancels notifications.
        events: Vec<FdEvent>,
        /// `true`: the service-provider call (the WSP name in the trace), same
        /// mechanism (default false).
        #[serde(default, skip_serializing_if = "is_default")]
        spi: bool,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// GetMessage on the host's window `window`: waits for the next
    /// message. Expect `Message(socket: "s", event: FD_CONNECT, ...)`.
    GetMessage {
        /// The host's window to read, by name.
        window: String,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        /// When the call must return, in simulated time since the run began
        /// (`"21s"`, or a window `("20s", "22s")`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        /// How long the call must take, from its start to its return (a
        /// [`TimeSpec`]); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// WSACreateEvent: a manual-reset event object known by `name` on
    /// this host, not signalled.
    CreateEvent {
        /// The name this host's steps use for the event.
        name: String,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// WSAEventSelect: `events` on `socket` are recorded and signal the
    /// event `event`; makes the socket nonblocking (CB-N5). An empty list
    /// cancels.
    EventSelect {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The event object to signal, by name (from `CreateEvent`).
        event: String,
        /// The network events to record (at most 8); empty cancels.
        events: Vec<FdEvent>,
        /// `true`: the service-provider call (the WSP name in the trace), same
        /// mechanism (default false).
        #[serde(default, skip_serializing_if = "is_default")]
        spi: bool,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// WSAWaitForMultipleEvents over at most 64 events: `Value(i)` is
    /// WSA_WAIT_EVENT_0 + i, `Value(258)` WSA_WAIT_TIMEOUT.
    WaitForEvents {
        /// The events to wait on, by name (at most 64,
        /// WSA_MAXIMUM_WAIT_EVENTS).
        events: Vec<String>,
        /// fWaitAll: `true` waits until every event is signalled; `false` (the
        /// default) until one is.
        #[serde(default, skip_serializing_if = "is_default")]
        wait_all: bool,
        /// How long to wait; absent: WSA_INFINITE. Past it the result is
        /// `Value(258)`, WSA_WAIT_TIMEOUT.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout: Option<SimDuration>,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        /// When the call must return, in simulated time since the run began
        /// (`"21s"`, or a window `("20s", "22s")`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        /// How long the call must take, from its start to its return (a
        /// [`TimeSpec`]); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// WSAEnumNetworkEvents: reads and clears the events recorded on
    /// `socket`, and resets `event` if given. Expect `NetworkEvents(...)`.
    EnumNetworkEvents {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// hEventObject: an event to reset, by name; absent: none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<String>,
        /// `true`: the service-provider call (the WSP name in the trace), same
        /// mechanism (default false).
        #[serde(default, skip_serializing_if = "is_default")]
        spi: bool,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
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
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The peer's address and port (`"10.0.0.2:80"`).
        to: SocketAddr,
        /// The `namelen` argument; by default the size of the name's sockaddr
        /// (16 for IPv4, 28 for IPv6). Smaller is WSAEFAULT (CB-C8).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        namelen: Option<u32>,
        /// lpCallerData: user data sent to the peer with the connection request
        /// (CB-W1); absent: null. More than the provider carries is WSAEFAULT
        /// (CB-W3).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caller_data: Option<String>,
        /// Size in bytes of the lpCalleeData buffer for the data the peer sends
        /// back (CB-W2); absent: null. Too small is WSAEFAULT (CB-W3).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        callee_buffer: Option<u32>,
        /// lpSQOS: the flow specifications asked for the socket (CB-W5);
        /// absent: null, no QoS.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sqos: Option<Qos>,
        /// lpGQOS: flow specifications for a socket group ("Reserved" in
        /// WSAConnect-CE.txt); checked like `sqos` (CB-W5); absent: null.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gqos: Option<Qos>,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        /// When the call must return, in simulated time since the run began
        /// (`"21s"`, or a window `("20s", "22s")`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        /// How long the call must take, from its start to its return (a
        /// [`TimeSpec`]); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// WSPConnect (WSPConnect.txt): the SPI call. Its code goes to
    /// `lpErrno`, not to the thread's WSAGetLastError (CB-C1). The same
    /// arguments as `WsaConnect`, and `sqos_len`/`gqos_len`, the sizes of
    /// the lpSQOS/lpGQOS buffers (default a whole QOS; smaller is
    /// WSAEFAULT, CB-W3).
    WspConnect {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The peer's address and port (`"10.0.0.2:80"`).
        to: SocketAddr,
        /// The `namelen` argument; by default the size of the name's sockaddr
        /// (16 for IPv4, 28 for IPv6). Smaller is WSAEFAULT (CB-C8).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        namelen: Option<u32>,
        /// lpCallerData: user data sent to the peer with the connection request
        /// (CB-W1); absent: null. More than the provider carries is WSAEFAULT
        /// (CB-W3).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caller_data: Option<String>,
        /// Size in bytes of the lpCalleeData buffer for the data the peer sends
        /// back (CB-W2); absent: null. Too small is WSAEFAULT (CB-W3).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        callee_buffer: Option<u32>,
        /// lpSQOS: the flow specifications asked for the socket (CB-W5);
        /// absent: null, no QoS.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sqos: Option<Qos>,
        /// lpGQOS: flow specifications for a socket group ("Reserved" in
        /// WSAConnect-CE.txt); checked like `sqos` (CB-W5); absent: null.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gqos: Option<Qos>,
        /// Size in bytes of the lpSQOS buffer; absent: a whole QOS (80 bytes,
        /// `provider::QOS_SIZE`). Smaller is WSAEFAULT (CB-W3).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sqos_len: Option<u32>,
        /// Size in bytes of the lpGQOS buffer; absent: a whole QOS (80 bytes).
        /// Smaller is WSAEFAULT (CB-W3).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gqos_len: Option<u32>,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        /// When the call must return, in simulated time since the run began
        /// (`"21s"`, or a window `("20s", "22s")`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        /// How long the call must take, from its start to its return (a
        /// [`TimeSpec`]); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// setsockopt(SO_CONNDATA) on a listening socket: the callee data its
    /// connections send back with their SYN,ACK (CB-W2). Needs a provider
    /// with connect data, else WSAENOPROTOOPT.
    SetConnectData {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The callee data, as text; at most the provider's `connect_data_max`
        /// bytes.
        data: String,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// getsockopt(SO_CONNDATA): the connect data the peer sent: on an
    /// accepted socket the caller data, on a connected one the callee data
    /// (read it after FD_CONNECT on a nonblocking socket, CB-W2).
    GetConnectData {
        /// The socket to call on, by the name a `Socket` or `Accept` step gave
        /// it on this host.
        socket: String,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// QueueUserAPC to the thread `thread` of the same host: `steps` run
    /// inside that thread's next alertable wait, a blocking Winsock call
    /// (CB-A1). They may not wait (no Sleep, no Repeat, no QueueApc).
    QueueApc {
        /// The thread of this host to queue the APC to, by name.
        thread: String,
        /// The APC's body: steps that run inside the thread's next alertable
        /// wait. They may not wait.
        steps: Vec<Step>,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// WSACancelBlockingCall (Winsock 1.1; under 2.2 WSAEOPNOTSUPP): from
    /// an APC, cancels the thread's blocking call, which fails with
    /// WSAEINTR (CB-C18). No blocking call in progress: WSAEINVAL.
    CancelBlockingCall {
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    /// WSPCancelBlockingCall: the same at the SPI level, for a blocking
    /// WSPConnect; its code goes to lpErrno (CB-C1, CB-C18).
    WspCancelBlockingCall {
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
    },
    // --- WSAPoll and WSAConnectByName (issue 14, item 3): winsock/poll.rs,
    // winsock/by_name.rs ---
    /// WSAPoll (poll(2) on a Linux host) over `fds`: waits until one entry
    /// has revents or `timeout_ms` passes (negative: forever; 0 polls).
    /// Expect `Polled(count: 1, revents: [[POLLWRNORM, POLLHUP, POLLERR]])`.
    WsaPoll {
        /// The WSAPOLLFD array, in order (at most 64 entries).
        fds: Vec<crate::poll::PollFd>,
        /// The time-out in milliseconds: negative waits forever (the
        /// default, -1), 0 returns at once.
        #[serde(default = "forever_ms", skip_serializing_if = "is_forever_ms")]
        timeout_ms: i32,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        /// When the call must return, in simulated time since the run began
        /// (`"21s"`, or a window `("20s", "22s")`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        /// How long the call must take, from its start to its return (a
        /// [`TimeSpec`]); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
    },
    /// WSAConnectByName: resolves `node` (a host of the scenario by name,
    /// `localhost`, or an IPv4 address) and `service` (a port number, or
    /// `http`/`https`), then connects the stream socket, blocking, within
    /// `timeout` (absent: no limit). Expect `ConnectedByName(local: ...,
    /// remote: ...)`, `Err(WSAHOST_NOT_FOUND)`, `Err(WSAETIMEDOUT)`.
    WsaConnectByName {
        /// The socket to call on, by the name a `Socket` step gave it on
        /// this host.
        socket: String,
        /// nodename: the host to connect to.
        node: String,
        /// servicename: the port, as digits or a service name.
        service: String,
        /// The time-out (a timeval); absent: NULL, wait for the outcome.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout: Option<SimDuration>,
        /// The outcome the call must have (an [`Outcome`], e.g.
        /// `Err(WSAECONNREFUSED)`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expect: Option<Outcome>,
        /// When the call must return, in simulated time since the run began
        /// (`"21s"`, or a window `("20s", "22s")`); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<TimeSpec>,
        /// How long the call must take, from its start to its return (a
        /// [`TimeSpec`]); absent: not checked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        took: Option<TimeSpec>,
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
fn forever_ms() -> i32 {
    -1
}
fn is_forever_ms(ms: &i32) -> bool {
    *ms < 0
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
            | WsaAccept {
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
            }
            | WsaPoll {
                expect, at, took, ..
            }
            | WsaConnectByName {
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
    pub(crate) fn expectation_mut(
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
            | WsaAccept { socket, .. }
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
            | GetOverlappedResult { socket, .. }
            | WsaConnectByName { socket, .. } => Some(socket),
            CreateIoCompletionPort { socket, .. } => socket.as_deref(),
            _ => None,
        }
    }

    /// The socket name a step creates, if any.
    pub fn creates(&self) -> Option<&str> {
        match self {
            Step::Socket { name, .. }
            | Step::Accept { name, .. }
            | Step::WsaAccept { name, .. } => Some(name),
            _ => None,
        }
    }
}
