//! What a step expects of its call: an [`Outcome`], and when it returns.

use std::fmt;
use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use crate::notify::FdEvent;
use crate::time::SimDuration;
use crate::wsa::WsaError;

/// What a step expects of its call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Outcome {
    /// The call succeeded (any value).
    Ok,
    /// The call failed with this code.
    Err(WsaError),
    /// The call failed with this errno, on a host whose profile follows
    /// the `Linux` personality (`Errno(ECONNREFUSED)`; `crate::errno`).
    Errno(crate::errno::Errno),
    /// send or recv moved exactly this many bytes.
    Bytes(u32),
    /// recv returned exactly this text.
    Data(String),
    /// getsockname or getpeername returned this address.
    Addr(SocketAddr),
    /// getsockopt returned this value.
    Value(u32),
    /// Any one of these (for outcomes that depend on the seed).
    OneOf(Vec<Outcome>),
    // Datagram outcomes (CB-D2..D6, CB-B3).
    /// recvfrom returned exactly this text, from this sender.
    DataFrom(String, SocketAddr),
    // --- Nonblocking notifications (select, WSAAsyncSelect, WSAEventSelect;
    // CB-N3..N5): see `crate::notify`. ---
    /// select returned exactly these sockets in each set (an absent set is
    /// empty). `Value(n)` checks only the count.
    Selected {
        /// Sockets (by name) left in readfds: data, a connection to
        /// accept, or the end of the stream.
        #[serde(default)]
        read: Vec<String>,
        /// Sockets left in writefds: a connect that succeeded, or room to
        /// send (CB-N3).
        #[serde(default)]
        write: Vec<String>,
        /// Sockets left in exceptfds: a nonblocking connect that failed
        /// (CB-N3).
        #[serde(default)]
        except: Vec<String>,
    },
    /// GetMessage returned the WSAAsyncSelect message of `socket` for
    /// `event`, with WSAGETSELECTERROR = `error` (absent: 0, success).
    Message {
        /// The socket the message is about (its wParam), by name.
        socket: String,
        /// The network event of the message (WSAGETSELECTEVENT of lParam).
        event: FdEvent,
        /// The error of the message (WSAGETSELECTERROR of lParam, CB-N4);
        /// absent: 0, success.
        #[serde(default)]
        error: Option<WsaError>,
    },
    /// WSAEnumNetworkEvents returned exactly these events, with these codes
    /// in `iErrorCode[FD_CONNECT_BIT]` and `[FD_CLOSE_BIT]` (absent: 0).
    NetworkEvents {
        /// The events recorded since the last call (lNetworkEvents), in any
        /// order.
        events: Vec<FdEvent>,
        /// `iErrorCode[FD_CONNECT_BIT]`: the outcome of the connect
        /// (CB-N5); absent: 0, success.
        #[serde(default)]
        connect_error: Option<WsaError>,
        /// `iErrorCode[FD_CLOSE_BIT]`: 0 after a graceful close, else why
        /// the connection broke (e.g. WSAECONNRESET); absent: 0.
        #[serde(default)]
        close_error: Option<WsaError>,
    },
    // ConnectEx and overlapped I/O (issue 3, item 4).
    /// GetQueuedCompletionStatus dequeued a packet with this key, byte count
    /// and error (each checked only when given; `error` absent means none).
    Completion {
        /// The completion key the socket was associated with
        /// (`CreateIoCompletionPort`'s `key`); absent: not checked.
        #[serde(default)]
        key: Option<u32>,
        /// Bytes transferred (for ConnectEx, of its send buffer, CB-X5);
        /// absent: not checked.
        #[serde(default)]
        bytes: Option<u32>,
        /// The operation's error, e.g. WSAECONNREFUSED or
        /// ERROR_OPERATION_ABORTED (CB-X4, CB-X8); absent: none, success.
        #[serde(default)]
        error: Option<WsaError>,
    },
    // WSAPoll and WSAConnectByName (issue 14, item 3).
    /// WSAPoll returned `count` and, per entry of its array in order,
    /// exactly these `revents` (an empty list: 0).
    Polled {
        /// WSAPoll's return value (on Windows the entries with POLLNVAL
        /// are not counted while another entry is valid: profile
        /// `poll_counts_nval`).
        count: u32,
        /// `revents` of each entry, in the array's order.
        revents: Vec<Vec<crate::poll::PollEvent>>,
    },
    /// WSAConnectByName connected, with these addresses (each checked only
    /// when given): LocalAddress and RemoteAddress.
    ConnectedByName {
        /// LocalAddress: the address the socket was bound to.
        #[serde(default)]
        local: Option<SocketAddr>,
        /// RemoteAddress: the address it connected to.
        #[serde(default)]
        remote: Option<SocketAddr>,
    },
}

/// A point in simulated time, or a window `(earliest, latest)`, inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TimeSpec {
    /// Exactly this time or span, to the nanosecond (`"21s"`).
    Exactly(SimDuration),
    /// Any time or span from the first to the second, both included
    /// (`("20s", "22s")`), for what depends on the seed (jitter, loss).
    Window(SimDuration, SimDuration),
}

impl TimeSpec {
    /// Whether `value` (a return time or a call's duration) meets the
    /// expectation.
    pub fn holds(self, value: SimDuration) -> bool {
        match self {
            TimeSpec::Exactly(t) => value == t,
            TimeSpec::Window(lo, hi) => lo <= value && value <= hi,
        }
    }
}

impl fmt::Display for TimeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeSpec::Exactly(t) => write!(f, "{t}"),
            TimeSpec::Window(lo, hi) => write!(f, "between {lo} and {hi}"),
        }
    }
}

/// What is expected of one call: its outcome, and optionally when it returned
/// (`at`, since the run began) or how long it took (`took`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The outcome the call must have; absent: any.
    #[serde(default)]
    pub result: Option<Outcome>,
    /// When the call must return, in simulated time since the run began;
    /// absent: any time.
    #[serde(default)]
    pub at: Option<TimeSpec>,
    /// How long the call must take, from its start to its return; absent:
    /// any duration.
    #[serde(default)]
    pub took: Option<TimeSpec>,
}
