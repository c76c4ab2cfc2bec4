//! A host as the Winsock layer keeps it: the host's stack beneath, and the
//! state that only Winsock interprets beside it.
//!
//! The stack's records (`stack::Host`, `stack::Socket`) hold what TCP, UDP
//! and the sockets' life need; the windows and event objects of network
//! notifications (`HostNotify`, each socket's `SockNotify`), overlapped I/O
//! (`HostEx`) and each socket's ConnectEx state (`SocketEx`) live here, so
//! the stack neither holds nor reads them (the layers point down only:
//! `sim/tests/layers.rs`).
//!
//! A `Host` dereferences to its stack, so Winsock code reads the stack's
//! fields and calls its functions directly (`host.socket(i)`,
//! `stack::sync::with_tcb(host, ..)`). The methods defined here that share
//! a name with the stack's (`open_socket`, `free_socket`, `reset_stack`)
//! do the stack's part and then keep the Winsock state in step with it.

use std::ops::{Deref, DerefMut};

use simsock_model::WsaError;
use simsock_model::scenario::{Family, Kind};

use super::connectex::SocketEx;
use super::notify::network::{HostNotify, SockNotify};
use super::overlapped::HostEx;
use crate::stack;
use crate::stack::cold::Cold;
use crate::stack::host::LostState;

/// A host: its stack, and the Winsock state of the host and its sockets.
#[derive(Debug)]
pub struct Host {
    stack: stack::Host,
    /// Windows and WSA event objects (CB-N4, CB-N5); allocated on first
    /// use ([`crate::stack::cold`]).
    pub notify: Cold<HostNotify>,
    /// Overlapped I/O of the ConnectEx family (issue 3, item 4); allocated
    /// on first use.
    pub ex: Cold<HostEx>,
    /// The Winsock state of each socket, by socket index (the stack's
    /// `sockets`); reset when a socket takes the index.
    sockets_ws: Vec<SocketWs>,
}

/// The Winsock state of one socket.
#[derive(Debug, Default)]
struct SocketWs {
    /// select / WSAAsyncSelect / WSAEventSelect state (CB-N3..N5).
    notify: SockNotify,
    /// ConnectEx's state (issue 3, item 4).
    ex: SocketEx,
    /// SO_RCVTIMEO and SO_SNDTIMEO (issue 14, item 3).
    timeouts: super::timeouts::Timeouts,
}

impl Host {
    /// A host over `stack`, with no Winsock state yet.
    pub fn new(stack: stack::Host) -> Self {
        Host {
            stack,
            notify: Cold::default(),
            ex: Cold::default(),
            sockets_ws: Vec::new(),
        }
    }

    /// The host's stack.
    pub fn stack(&self) -> &stack::Host {
        &self.stack
    }

    /// Creates a socket ([`stack::Host::open_socket`]) with fresh Winsock
    /// state; returns its handle.
    pub fn open_socket(&mut self, family: Family, kind: Kind) -> Result<u32, WsaError> {
        self.open_socket_at(family, kind).map(|(handle, _)| handle)
    }

    /// [`Host::open_socket`], returning the socket's index beside its
    /// handle ([`stack::Host::open_socket_at`]).
    pub fn open_socket_at(&mut self, family: Family, kind: Kind) -> Result<(u32, u32), WsaError> {
        let (handle, at) = self.stack.open_socket_at(family, kind)?;
        let index = at as usize;
        if self.sockets_ws.len() <= index {
            while self.sockets_ws.len() <= index {
                stack::host::push_compact(&mut self.sockets_ws, SocketWs::default());
            }
        } else {
            self.sockets_ws[index] = SocketWs::default();
        }
        Ok((handle, at))
    }

    /// Frees a socket ([`stack::Host::free_socket`]).
    ///
    /// Performance: its Winsock state is left as it is, to be reset by
    /// [`Host::open_socket_at`] when a socket takes the index again (the
    /// only way to reach it: every accessor takes a live socket's index);
    /// resetting it here as well cost ~38 instructions per socket. Test:
    /// `a_reopened_socket_starts_as_a_new_one`.
    pub fn free_socket(&mut self, index: u32) {
        self.stack.free_socket(index);
    }

    /// A crash ([`stack::Host::reset_stack`]): the Winsock state goes too.
    pub fn reset_stack(&mut self) -> LostState {
        self.notify = Cold::default();
        self.ex = Cold::default();
        self.sockets_ws.clear();
        self.stack.reset_stack()
    }

    /// The ConnectEx state of the socket at `index`.
    #[inline]
    pub fn socket_ex(&self, index: u32) -> &SocketEx {
        // Invariant: every socket index was opened by `open_socket`.
        &self.sockets_ws[index as usize].ex
    }

    /// The ConnectEx state of the socket at `index`, to change.
    #[inline]
    pub fn socket_ex_mut(&mut self, index: u32) -> &mut SocketEx {
        &mut self.sockets_ws[index as usize].ex
    }

    /// SO_RCVTIMEO and SO_SNDTIMEO of the socket at `index`.
    #[inline]
    pub fn socket_timeouts(&self, index: u32) -> super::timeouts::Timeouts {
        self.sockets_ws[index as usize].timeouts
    }

    /// SO_RCVTIMEO and SO_SNDTIMEO of the socket at `index`, to change.
    #[inline]
    pub fn socket_timeouts_mut(&mut self, index: u32) -> &mut super::timeouts::Timeouts {
        &mut self.sockets_ws[index as usize].timeouts
    }

    /// The notification state of the socket at `index` (CB-N3..N5).
    #[inline]
    pub fn socket_notify(&self, index: u32) -> &SockNotify {
        &self.sockets_ws[index as usize].notify
    }

    /// The notification state of the socket at `index`, to change.
    #[inline]
    pub fn socket_notify_mut(&mut self, index: u32) -> &mut SockNotify {
        &mut self.sockets_ws[index as usize].notify
    }
}

impl Deref for Host {
    type Target = stack::Host;

    #[inline]
    fn deref(&self) -> &stack::Host {
        &self.stack
    }
}

impl DerefMut for Host {
    #[inline]
    fn deref_mut(&mut self) -> &mut stack::Host {
        &mut self.stack
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use simsock_model::profile::HostProfile;

    use super::*;
    use crate::net::NodeId;

    fn host() -> Host {
        let profile = Rc::new(HostProfile::default());
        Host::new(stack::Host::new("h".into(), NodeId(0), profile, 7, 64))
    }

    /// `open_socket_at` and `set_slot_at` (socket, accept) give what
    /// `open_socket`, a lookup of the handle and `set_slot` gave: the
    /// same handles, the index the handle names, a slot that resolves
    /// to it, a fresh Winsock state; also at an index a closed socket
    /// freed.
    #[test]
    fn opening_at_an_index_matches_opening_then_looking_up() {
        let (mut fast, mut slow) = (host(), host());
        let (a, b) = (fast.slot_named("a"), slow.slot_named("a"));
        for round in 0..3 {
            let (handle, index) = fast.open_socket_at(Family::Inet, Kind::Stream).unwrap();
            let slow_handle = slow.open_socket(Family::Inet, Kind::Stream).unwrap();
            assert_eq!(handle, slow_handle, "round {round}");
            assert_eq!(fast.socket_index(handle), Ok(index));
            assert_eq!(slow.socket_index(slow_handle), Ok(index));
            fast.set_slot_at(a, handle, index);
            slow.set_slot(b, slow_handle);
            assert_eq!(fast.slot_socket(a), slow.slot_socket(b));
            assert_eq!(fast.slot_socket(a), Ok(index));
            assert!(fast.socket_ex(index).idle());
            fast.socket_ex_mut(index).accepting.push((index, 0));
            fast.free_socket(index);
            slow.free_socket(index);
        }
    }

    /// `slot_socket`'s inlined check of the hint, against the handle's
    /// lookup it falls back to: a slot never set, a slot whose socket
    /// closed and whose index another socket took, and a wrong hint whose
    /// handle is still open.
    #[test]
    fn a_slot_resolves_as_its_handle_does() {
        let mut h = host();
        let (never, s) = (h.slot_named("never"), h.slot_named("s"));
        assert_eq!(h.slot_socket(never), Err(WsaError::WSAENOTSOCK));
        let (old, index) = h.open_socket_at(Family::Inet, Kind::Stream).unwrap();
        h.set_slot_at(s, old, index);
        assert_eq!(h.slot_socket(s), Ok(index));
        h.free_socket(index);
        let (new, again) = h.open_socket_at(Family::Inet, Kind::Stream).unwrap();
        assert_eq!(again, index, "the index is taken again");
        assert_eq!(
            h.slot_socket(s),
            Err(WsaError::WSAENOTSOCK),
            "{old} is closed"
        );
        let (_, other) = h.open_socket_at(Family::Inet, Kind::Stream).unwrap();
        h.set_slot_at(s, new, other); // a stale hint
        assert_eq!(h.slot_socket(s), Ok(again));
        assert_eq!(h.slot_socket(s), h.socket_index(new));
    }

    /// Every part of a socket's Winsock state set, the socket freed: the
    /// socket that takes its index again has the state of a socket opened
    /// on a new host (`free_socket` leaves the old state for
    /// `open_socket_at` to reset).
    #[test]
    fn a_reopened_socket_starts_as_a_new_one() {
        let mut reused = host();
        let (_, index) = reused.open_socket_at(Family::Inet, Kind::Stream).unwrap();
        let ex = reused.socket_ex_mut(index);
        ex.accepting.push((index, 0));
        ex.context_stale = true;
        ex.connected_by_ex = true;
        ex.fast_open = true;
        ex.accepted = true;
        ex.spent = true;
        ex.conditional_accept = true;
        *reused.socket_timeouts_mut(index) = super::super::timeouts::Timeouts {
            recv_ms: 5,
            send_ms: 7,
        };
        reused.socket_notify_mut(index).connect_unreported = true;
        let dirty = format!("{:?}", reused.sockets_ws[index as usize]);
        reused.free_socket(index);
        let (_, again) = reused.open_socket_at(Family::Inet, Kind::Stream).unwrap();
        assert_eq!(again, index, "the freed index is taken again");
        let mut new = host();
        let (_, first) = new.open_socket_at(Family::Inet, Kind::Stream).unwrap();
        let fresh = format!("{:?}", new.sockets_ws[first as usize]);
        assert_ne!(dirty, fresh, "the test dirtied the state");
        assert_eq!(format!("{:?}", reused.sockets_ws[again as usize]), fresh);
    }
}
