//! The port table of a host: who holds which local port, and the ephemeral
//! allocator (CB-C2, CB-C16).
//!
//! A port is held by every open socket bound to it, by a closed socket's
//! connection until it is gone, and by each TIME_WAIT record on it. An
//! implicit bind takes only a port that nothing holds, so ports in TIME_WAIT
//! run out like they do on Windows: the classic port exhaustion, reported as
//! WSAENOBUFS (CB-C16).
//!
//! Which socket may bind which address is not decided here: ports belong
//! to an address, and the sockets bound to each are in `binds.rs`; this
//! table counts the holders of each port number, whatever their address,
//! so that an implicit bind never takes a port that anything holds.

use std::collections::VecDeque;

use thin_vec::ThinVec;

use super::cold::{Cold, Empty};
use super::lookup::LookupMap;

/// Port holders and the ephemeral allocator of one host.
///
/// Performance: the ephemeral ports the allocator has handed out so far,
/// `first..next_fresh`, keep their holder counts in a dense array indexed
/// by port. Fresh ports go out in order, so a busy client's next port sits
/// next to its last one, in a line it already touched, instead of in a
/// hash table that keeps growing with its TIME_WAIT records. Every other
/// port (well-known, explicitly bound beyond the frontier) is in `holds`.
///
/// Memory: 32 bytes in every host (144 before issue 18): the first
/// ephemeral port's count is inline (in what was padding) and the others'
/// list is one pointer until the second; the other ports' holds and the
/// released ports are allocated at the first explicit bind or release.
///
/// Performance (issue 18, x1 sizes): a client that connects once takes
/// one ephemeral port; with every count in the list, its first port was an
/// allocation (`ThinVec::reallocate` from `allocate`, about 100
/// instructions per connection at 100 x 1 in callgrind, and its free).
#[derive(Debug)]
pub struct PortTable {
    /// Holder counts of `first + 1..next_fresh`, by `port - first - 1`
    /// (`dense_first` is `first`'s): with it, the dense array.
    dense_rest: ThinVec<u32>,
    /// Holder counts of the other ports, and the released ephemeral
    /// ports: allocated at the first explicit bind or release.
    cold: Cold<Rare>,
    /// Ports of `dense` with a holder.
    dense_held: u32,
    /// Next never-handed-out ephemeral port (u32 so it can pass `last`).
    next_fresh: u32,
    first: u16,
    last: u16,
    /// Holder count of `first`, once handed out (see `dense_rest`).
    dense_first: u32,
}

/// What a port table holds besides its ephemeral ports' counts.
#[derive(Debug, Default)]
struct Rare {
    /// Holder counts of the ports outside `dense`.
    holds: LookupMap<u16, u32>,
    /// Ephemeral ports released since, oldest first.
    released: VecDeque<u16>,
}

/// The table of a host that never bound a port explicitly nor released one.
static NO_RARE: Rare = Rare {
    holds: LookupMap::new(),
    released: VecDeque::new(),
};

impl Empty for Rare {
    fn empty() -> &'static Self {
        &NO_RARE
    }
}

impl PortTable {
    /// A table whose ephemeral range is `first..=last`.
    pub fn new((first, last): (u16, u16)) -> Self {
        PortTable {
            dense_rest: ThinVec::new(),
            dense_first: 0,
            dense_held: 0,
            cold: Cold::default(),
            first,
            last,
            next_fresh: u32::from(first),
        }
    }

    /// The index of `port` in the dense array, if it has one.
    fn dense_index(&self, port: u16) -> Option<usize> {
        let i = usize::from(port.checked_sub(self.first)?);
        (i < self.dense_len()).then_some(i)
    }

    /// The ports the dense array counts, `first..next_fresh`.
    fn dense_len(&self) -> usize {
        (self.next_fresh - u32::from(self.first)) as usize
    }

    /// The holder count at `i` of the dense array, `i < dense_len()`.
    fn dense_mut(&mut self, i: usize) -> &mut u32 {
        match i.checked_sub(1) {
            None => &mut self.dense_first,
            Some(i) => &mut self.dense_rest[i],
        }
    }

    /// The holder counts of the dense array, by `port - first`.
    fn dense(&self) -> impl Iterator<Item = u32> + '_ {
        let first = (self.dense_len() > 0).then_some(self.dense_first);
        first.into_iter().chain(self.dense_rest.iter().copied())
    }

    /// [`PortTable::dense_mut`], to read.
    fn dense_at(&self, i: usize) -> u32 {
        match i.checked_sub(1) {
            None => self.dense_first,
            Some(i) => self.dense_rest[i],
        }
    }

    /// Whether anything holds `port` (a bound socket, a closed socket's
    /// connection, a TIME_WAIT record).
    pub fn is_held(&self, port: u16) -> bool {
        match self.dense_index(port) {
            Some(i) => self.dense_at(i) > 0,
            None => self.cold.holds.contains_key(&port),
        }
    }

    /// How many holders `port` has.
    pub fn holders(&self, port: u16) -> u32 {
        match self.dense_index(port) {
            Some(i) => self.dense_at(i),
            None => self.cold.holds.get(&port).copied().unwrap_or(0),
        }
    }

    /// Adds a holder of `port`; each hold is undone by one release.
    pub fn hold(&mut self, port: u16) {
        match self.dense_index(port) {
            Some(i) => {
                let count = self.dense_mut(i);
                *count += 1;
                self.dense_held += u32::from(*count == 1);
            }
            None => *self.cold.holds.get_or_insert_with(port, || 0) += 1,
        }
    }

    /// Drops one hold; a freed ephemeral port goes back to the allocator.
    pub fn release(&mut self, port: u16) {
        let dense = self.dense_index(port);
        let count = match dense {
            Some(i) => Some(self.dense_mut(i)),
            None => self.cold.holds.get_mut(&port),
        };
        let Some(count) = count.filter(|c| **c > 0) else {
            debug_assert!(false, "release of a port nobody holds");
            return;
        };
        *count -= 1;
        if *count > 0 {
            return;
        }
        if dense.is_some() {
            self.dense_held -= 1;
            self.cold.released.push_back(port);
        } else {
            self.cold.holds.remove(&port);
        }
    }

    /// Takes a free ephemeral port and holds it, or `None` when every port of
    /// the range is held (CB-C16). Fresh ports go first, in order, then
    /// released ones, oldest first: no scan over the range.
    pub fn allocate(&mut self) -> Option<u16> {
        while self.next_fresh <= u32::from(self.last) {
            let port = self.next_fresh as u16;
            self.next_fresh += 1;
            // The port joins `dense`, with the holds it had (an explicit
            // bind ahead of the frontier).
            // A read first: `cold` is allocated by a bind or a release.
            let ahead = self.cold.holds.contains_key(&port);
            let count = if ahead {
                self.cold.holds.remove(&port).unwrap_or(0)
            } else {
                0
            };
            if port == self.first {
                self.dense_first = count;
            } else {
                super::host::push_thin(&mut self.dense_rest, count);
            }
            self.dense_held += u32::from(count > 0);
            if count == 0 {
                self.hold(port);
                return Some(port);
            }
        }
        // A read first: the list is allocated only by a release.
        while !self.cold.released.is_empty() {
            let port = self.cold.released.pop_front().expect("not empty");
            if !self.is_held(port) {
                self.hold(port);
                return Some(port);
            }
        }
        None
    }

    /// Each held port and its number of holders, by port.
    pub fn holds(&self) -> impl Iterator<Item = (u16, u32)> + '_ {
        let dense = (self.dense().enumerate())
            .filter(|(_, count)| *count > 0)
            .map(|(i, count)| (self.first + i as u16, count));
        let mut all: Vec<(u16, u32)> = dense.chain(self.cold.holds.sorted()).collect();
        all.sort_unstable_by_key(|&(port, _)| port);
        all.into_iter()
    }

    /// Ports held at the moment.
    pub fn held_count(&self) -> usize {
        self.dense_held as usize + self.cold.holds.len()
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
        assert_eq!(t.holders(100), 2);
        t.release(100); // the socket closed
        assert_eq!(t.allocate(), None);
        t.release(100); // TIME_WAIT ended
        assert_eq!(t.allocate(), Some(100));
    }

    /// A port bound explicitly ahead of the allocator keeps its holds when
    /// the allocator reaches it, and is skipped until it is released; the
    /// listing and the count see every port, dense or not.
    #[test]
    fn a_port_bound_ahead_of_the_allocator_is_skipped_then_reused() {
        let mut t = PortTable::new((100, 103));
        t.hold(101); // bind to 101 before the allocator got there
        t.hold(80); // a well-known port, outside the range
        assert_eq!(t.allocate(), Some(100));
        assert_eq!(t.allocate(), Some(102), "101 is held");
        assert_eq!(
            t.holds().collect::<Vec<_>>(),
            [(80, 1), (100, 1), (101, 1), (102, 1)]
        );
        assert_eq!(t.held_count(), 4);
        t.release(101);
        t.release(100);
        assert!(!t.is_held(101) && !t.is_held(100) && t.is_held(80));
        assert_eq!(t.allocate(), Some(103));
        assert_eq!(t.allocate(), Some(101), "released first, reused first");
        assert_eq!(t.allocate(), Some(100));
        assert_eq!(t.allocate(), None);
        assert_eq!(t.held_count(), 5);
    }

    /// The first port's count is inline: one port allocates nothing, and
    /// the first port counts holds, releases and a bind ahead of the
    /// allocator as the others do.
    #[test]
    fn the_first_port_is_inline_and_counts_as_the_others() {
        let mut t = PortTable::new((100, 102));
        assert_eq!(t.allocate(), Some(100));
        assert_eq!(t.dense_rest.capacity(), 0, "one port allocates nothing");
        t.hold(100);
        assert_eq!((t.holders(100), t.held_count()), (2, 1));
        assert_eq!(t.allocate(), Some(101));
        assert_eq!(t.holds().collect::<Vec<_>>(), [(100, 2), (101, 1)]);
        t.release(100);
        t.release(100);
        assert!(!t.is_held(100) && t.is_held(101));
        assert_eq!(t.allocate(), Some(102));
        assert_eq!(t.allocate(), Some(100), "the released first port");

        let mut ahead = PortTable::new((100, 101));
        ahead.hold(100); // bound before the allocator got there
        assert_eq!(ahead.allocate(), Some(101), "100 is held");
        assert_eq!(ahead.holders(100), 1);
        ahead.release(100);
        assert_eq!(ahead.allocate(), Some(100));
    }
}
