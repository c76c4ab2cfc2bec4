//! The port table of a host: who holds which local port, and the ephemeral
//! allocator (CB-C2, CB-C16).
//!
//! A port is held by every open socket bound to it, by a closed socket's
//! connection until it is gone, and by each TIME_WAIT record on it. An
//! implicit bind takes only a port that nothing holds, so ports in TIME_WAIT
//! run out like they do on Windows: the classic port exhaustion, reported as
//! WSAENOBUFS (CB-C16).
//!
//! Divergence: a port is held per host, not per local address; a host with
//! two addresses cannot bind the same port on both without SO_REUSEADDR.

use std::collections::VecDeque;

use super::lookup::LookupMap;

/// Port holders and the ephemeral allocator of one host.
#[derive(Debug)]
pub struct PortTable {
    holds: LookupMap<u16, u32>,
    first: u16,
    last: u16,
    /// Next never-handed-out ephemeral port (u32 so it can pass `last`).
    next_fresh: u32,
    /// Ephemeral ports released since, oldest first.
    released: VecDeque<u16>,
}

impl PortTable {
    /// A table whose ephemeral range is `first..=last`.
    pub fn new((first, last): (u16, u16)) -> Self {
        PortTable {
            holds: LookupMap::default(),
            first,
            last,
            next_fresh: u32::from(first),
            released: VecDeque::new(),
        }
    }

    pub fn is_held(&self, port: u16) -> bool {
        self.holds.contains_key(&port)
    }

    pub fn hold(&mut self, port: u16) {
        *self.holds.get_or_insert_with(port, || 0) += 1;
    }

    /// Drops one hold; a freed ephemeral port goes back to the allocator.
    pub fn release(&mut self, port: u16) {
        let Some(count) = self.holds.get_mut(&port) else {
            debug_assert!(false, "release of a port nobody holds");
            return;
        };
        *count -= 1;
        if *count == 0 {
            self.holds.remove(&port);
            if (self.first..=self.last).contains(&port) && u32::from(port) < self.next_fresh {
                self.released.push_back(port);
            }
        }
    }

    /// Takes a free ephemeral port and holds it, or `None` when every port of
    /// the range is held (CB-C16). Fresh ports go first, in order, then
    /// released ones, oldest first: no scan over the range.
    pub fn allocate(&mut self) -> Option<u16> {
        while self.next_fresh <= u32::from(self.last) {
            let port = self.next_fresh as u16;
            self.next_fresh += 1;
            if !self.is_held(port) {
                self.hold(port);
                return Some(port);
            }
        }
        while let Some(port) = self.released.pop_front() {
            if !self.is_held(port) {
                self.hold(port);
                return Some(port);
            }
        }
        None
    }

    /// Each held port and its number of holders, by port.
    pub fn holds(&self) -> impl Iterator<Item = (u16, u32)> + '_ {
        self.holds.sorted().into_iter()
    }

    /// Ports held at the moment.
    pub fn held_count(&self) -> usize {
        self.holds.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CB-C16: a range of three ports is exhausted by three holders.
    #[test]
    fn allocates_fresh_then_released_then_runs_out() {
        let mut t = PortTable::new((100, 102));
        assert_eq!(t.allocate(), Some(100));
        t.hold(101); // bound explicitly
        assert_eq!(t.allocate(), Some(102));
        assert_eq!(t.allocate(), None);
        t.release(100);
        assert_eq!(t.allocate(), Some(100));
        assert_eq!(t.allocate(), None);
    }

    #[test]
    fn a_port_is_free_only_when_every_holder_let_go() {
        let mut t = PortTable::new((100, 100));
        assert_eq!(t.allocate(), Some(100));
        t.hold(100); // e.g. its TIME_WAIT record
        t.release(100); // the socket closed
        assert_eq!(t.allocate(), None);
        t.release(100); // TIME_WAIT ended
        assert_eq!(t.allocate(), Some(100));
    }
}
