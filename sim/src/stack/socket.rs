//! A socket as the host's stack keeps it: its binding, its connection and
//! what its threads wait for. The Winsock calls on it live in `winsock/`.

use std::collections::VecDeque;
use std::net::SocketAddrV4;

use simsock_model::WsaError;
use simsock_model::scenario::{Family, Kind};

use super::ConnId;

/// Where a socket is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SockState {
    /// Created, not bound.
    Fresh,
    /// Bound to a local address, not connected.
    Bound,
    Listening,
    /// A connection attempt is under way (SYN_SENT).
    Connecting,
    /// Connected (stream), or a default destination is set (datagram).
    Connected,
}

/// A listening socket's queues (RFC 9293 §3.10.7.2, CB-C14 for overflow).
#[derive(Debug, Default)]
pub struct Listener {
    pub backlog: u32,
    /// Connections in SYN_RECEIVED.
    pub half_open: u32,
    /// Established connections waiting for accept, oldest first.
    pub ready: VecDeque<ConnId>,
}

/// One socket.
#[derive(Debug)]
pub struct Socket {
    pub handle: u32,
    pub family: Family,
    pub kind: Kind,
    pub state: SockState,
    pub local: Option<SocketAddrV4>,
    pub remote: Option<SocketAddrV4>,
    /// Bound with port 0 or implicitly, to the wildcard address: the local
    /// address is committed at connect (the delayed bind of CB-C17).
    pub wildcard: bool,
    /// Holds its local port in the port table.
    pub holds_port: bool,
    pub reuse_addr: bool,
    pub broadcast: bool,
    /// SO_LINGER with l_onoff = 1: l_linger in seconds; `Some(0)` makes
    /// closesocket abortive (RST, no TIME_WAIT).
    pub linger: Option<u32>,
    /// ioctlsocket FIONBIO: calls fail with WSAEWOULDBLOCK instead of
    /// waiting (CB-N1).
    pub nonblocking: bool,
    pub conn: Option<ConnId>,
    /// A listening socket's queues (boxed: few sockets listen, and a
    /// socket is moved into its slot at every socket and accept call).
    pub listener: Option<Box<Listener>>,
    /// The error of the last connection attempt or of the broken connection
    /// (SO_ERROR); a broken connected socket stays broken (CB-C20).
    pub error: Option<WsaError>,
    pub shut_send: bool,
    pub shut_recv: bool,
    /// Datagrams received: sender and payload.
    pub datagrams: VecDeque<(SocketAddrV4, Vec<u8>)>,
    /// Threads blocked on this socket, to be resumed when it changes.
    pub waiters: super::Waiters,
    /// SO_CONNDATA on a listener: callee data for its connections' SYN,ACK
    /// (CB-W2; feature: wsaconnect).
    pub conn_data: Option<Vec<u8>>,
}

impl Socket {
    pub fn new(handle: u32, family: Family, kind: Kind) -> Self {
        Socket {
            handle,
            family,
            kind,
            state: SockState::Fresh,
            local: None,
            remote: None,
            wildcard: false,
            holds_port: false,
            reuse_addr: false,
            broadcast: false,
            linger: None,
            nonblocking: false,
            conn: None,
            listener: None,
            error: None,
            shut_send: false,
            shut_recv: false,
            datagrams: VecDeque::new(),
            waiters: super::Waiters::new(),
            conn_data: None,
        }
    }
}
