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
        #[serde(default)]
        read: Vec<String>,
        #[serde(default)]
        write: Vec<String>,
        #[serde(default)]
        except: Vec<String>,
    },
    /// GetMessage returned the WSAAsyncSelect message of `socket` for
    /// `event`, with WSAGETSELECTERROR = `error` (absent: 0, success).
    Message {
        socket: String,
        event: FdEvent,
        #[serde(default)]
        error: Option<WsaError>,
    },
    /// WSAEnumNetworkEvents returned exactly these events, with these codes
    /// in `iErrorCode[FD_CONNECT_BIT]` and `[FD_CLOSE_BIT]` (absent: 0).
    NetworkEvents {
        events: Vec<FdEvent>,
        #[serde(default)]
        connect_error: Option<WsaError>,
        #[serde(default)]
        close_error: Option<WsaError>,
    },
    // ConnectEx and overlapped I/O (issue 3, item 4).
    /// GetQueuedCompletionStatus dequeued a packet with this key, byte count
    /// and error (each checked only when given; `error` absent means none).
    Completion {
        #[serde(default)]
        key: Option<u32>,
        #[serde(default)]
        bytes: Option<u32>,
        #[serde(default)]
        error: Option<WsaError>,
    },
}

/// A point in simulated time, or a window `(earliest, latest)`, inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TimeSpec {
    Exactly(SimDuration),
    Window(SimDuration, SimDuration),
}

impl TimeSpec {
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
    #[serde(default)]
    pub result: Option<Outcome>,
    #[serde(default)]
    pub at: Option<TimeSpec>,
    #[serde(default)]
    pub took: Option<TimeSpec>,
}
