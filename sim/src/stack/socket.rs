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
    /// listen succeeded: SYNs to its port make connections (LISTEN).
    Listening,
    /// A connection attempt is under way (SYN_SENT).
    Connecting,
    /// Connected (stream), or a default destination is set (datagram).
    Connected,
}

/// A listening socket's queues (RFC 9293 §3.10.7.2, CB-C14 for overflow).
#[derive(Debug, Default)]
pub struct Listener {
    /// The backlog listen asked, clamped to 1..=the profile's
    /// `listen_backlog_max` (about 200 on Windows, KB113576).
    pub backlog: u32,
    /// Connections in SYN_RECEIVED.
    pub half_open: u32,
    /// Established connections waiting for accept, oldest first.
    pub ready: VecDeque<ConnId>,
    /// SO_CONDITIONAL_ACCEPT: SYNs are held unanswered in `held` until the
    /// layer above accepts or rejects them (`stack/held.rs`).
    pub conditional: bool,
    /// Connection requests held unanswered, oldest first (`conditional`).
    pub held: VecDeque<super::held::HeldSyn>,
}

/// The most room a new listener's accept queue is made with
/// ([`Listener::new`]): 128 connections, 1 KB.
pub const READY_ROOM: u32 = 128;

impl Listener {
    /// A listener with `backlog`, its accept queue made with room for
    /// `backlog` connections up to [`READY_ROOM`]. Only capacity: the
    /// queue's order and what it holds are the same as a grown queue's
    /// (the test `an_accept_queue_made_with_room_keeps_its_order`).
    ///
    /// Performance (issue 18, x1 sizes): the storm server's queue grew
    /// from empty six times a world at 100 hosts, to 128, about 450
    /// instructions a time (callgrind). Only a host that listens pays the
    /// room (1 KB at most); a client host never does.
    pub fn new(backlog: u32) -> Self {
        Listener {
            backlog,
            ready: VecDeque::with_capacity(backlog.min(READY_ROOM) as usize),
            ..Default::default()
        }
    }
}

/// One socket.
#[derive(Debug)]
pub struct Socket {
    /// The handle socket() or accept() returned: from 0x100, up by 4, not
    /// reused until a crash empties the stack (`Host::reset_stack`).
    pub handle: u32,
    /// The address family it was created with.
    pub family: Family,
    /// Stream (TCP) or datagram (UDP).
    pub kind: Kind,
    /// Where it is in its life.
    pub state: SockState,
    /// The local address, once bound (explicitly or by connect).
    pub local: Option<SocketAddrV4>,
    /// The peer (stream) or default destination (datagram, CB-D1).
    pub remote: Option<SocketAddrV4>,
    /// Bound with port 0 or implicitly, to the wildcard address: the local
    /// address is committed at connect (the delayed bind of CB-C17).
    pub wildcard: bool,
    /// Holds its local port in the port table.
    pub holds_port: bool,
    /// SO_REUSEADDR: bind may take a port in use (CB-C17).
    pub reuse_addr: bool,
    /// SO_EXCLUSIVEADDRUSE: no other socket may bind an overlapping
    /// address (`winsock/bind_rules.rs`).
    pub exclusive_addr: bool,
    /// IPV6_V6ONLY of an AF_INET6 socket: false makes it dual-stack, taking
    /// IPv4 as ::ffff:a.b.c.d (`winsock/family.rs`). Set from the profile's
    /// `ipv6_v6only_default` at socket().
    pub v6only: bool,
    /// SO_BROADCAST: sendto a broadcast address is allowed (CB-B2, CB-B3).
    pub broadcast: bool,
    /// SO_LINGER with l_onoff = 1: l_linger in seconds; `Some(0)` makes
    /// closesocket abortive (RST, no TIME_WAIT).
    pub linger: Option<u32>,
    /// ioctlsocket FIONBIO: calls fail with WSAEWOULDBLOCK instead of
    /// waiting (CB-N1).
    pub nonblocking: bool,
    /// Its connection's TCB, while it has one.
    pub conn: Option<ConnId>,
    /// A listening socket's queues (boxed: few sockets listen, and a
    /// socket is moved into its slot at every socket and accept call).
    pub listener: Option<Box<Listener>>,
    /// The error of the last connection attempt or of the broken connection
    /// (SO_ERROR); a broken connected socket stays broken (CB-C20).
    pub error: Option<WsaError>,
    /// shutdown(SD_SEND or SD_BOTH) was called: sends fail with
    /// WSAESHUTDOWN.
    pub shut_send: bool,
    /// shutdown(SD_RECEIVE or SD_BOTH) was called: receives fail with
    /// WSAESHUTDOWN.
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
    /// An AF_INET6 socket without IPV6_V6ONLY: it takes IPv4 too.
    pub fn dual_stack(&self) -> bool {
        self.family == Family::Inet6 && !self.v6only
    }

    /// A fresh socket: unbound, unconnected, blocking, no options set.
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
            exclusive_addr: false,
            v6only: true,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn conn(index: u32) -> ConnId {
        ConnId {
            index,
            generation: 1,
        }
    }

    /// A queue made with room and a queue grown from empty hold the same
    /// connections in the same order through pushes and accepts that wrap
    /// around and outgrow the room; the room is the backlog up to
    /// `READY_ROOM`.
    #[test]
    fn an_accept_queue_made_with_room_keeps_its_order() {
        assert_eq!(Listener::new(5).ready.capacity(), 5);
        assert_eq!(Listener::new(1_024).ready.capacity(), READY_ROOM as usize);
        let (mut made, mut grown) = (Listener::new(1_024), Listener::default());
        assert_eq!(grown.ready.capacity(), 0);
        for round in 0..4u32 {
            for i in 0..(50 * round + 7) {
                made.ready.push_back(conn(round * 1_000 + i));
                grown.ready.push_back(conn(round * 1_000 + i));
            }
            for _ in 0..(5 * round + 3) {
                assert_eq!(made.ready.pop_front(), grown.ready.pop_front());
            }
            assert!(made.ready.iter().eq(grown.ready.iter()));
        }
        assert!(made.ready.len() > READY_ROOM as usize);
    }
}
