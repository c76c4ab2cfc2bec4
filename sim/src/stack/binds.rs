//! Who is bound to which local address: ports belong to an address, not to
//! a host. Each bound socket has a [`Binding`] under its protocol and port;
//! an incoming SYN or datagram goes to the binding of its destination
//! address if there is one, else to a wildcard one (Wine `test_reuseaddr`:
//! with 0.0.0.0:p and 127.0.0.1:p both listening, a connect to
//! 127.0.0.1:p reaches the 127.0.0.1 socket, whichever bound first).
//!
//! Which binds may share an address is the personality's choice
//! (`winsock/bind_rules.rs`); the table only records and finds.
//!
//! The port table (`ports.rs`) still counts every holder of a port, for the
//! ephemeral allocator; this table knows sockets only, not connections or
//! TIME_WAIT records.

use std::net::Ipv4Addr;

use simsock_model::scenario::Kind;
use smallvec::SmallVec;

use super::lookup::LookupMap;

/// How a socket lets others share its address (set before bind).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Share {
    /// Neither option.
    Default,
    /// SO_REUSEADDR.
    Reuse,
    /// SO_EXCLUSIVEADDRUSE.
    Exclusive,
}

/// Which traffic a binding takes, by IP version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Net {
    /// An AF_INET socket.
    V4,
    /// An AF_INET6 socket with IPV6_V6ONLY: no IPv4 traffic (and the
    /// simulated network carries no IPv6: see `winsock/family.rs`).
    V6Only,
    /// A dual-stack AF_INET6 socket (IPV6_V6ONLY 0) bound to `[::]`: it takes
    /// IPv4 traffic too. (One bound to ::ffff:a.b.c.d is `V4`.)
    Dual,
}

/// One socket's claim on a local address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The socket's index.
    pub socket: u32,
    /// The bound address; `0.0.0.0` is the wildcard.
    pub addr: Ipv4Addr,
    /// Its SO_REUSEADDR / SO_EXCLUSIVEADDRUSE.
    pub share: Share,
    /// Its family's reach.
    pub net: Net,
    /// It listens (stream sockets).
    pub listening: bool,
}

impl Binding {
    /// Whether the two addresses meet: equal, or either is the wildcard.
    pub fn overlaps(&self, addr: Ipv4Addr) -> bool {
        self.addr == addr || self.addr.is_unspecified() || addr.is_unspecified()
    }
}

/// The bindings of one protocol and port, in bind order (a socket that
/// starts listening moves to the end, so listeners are in listen order).
///
/// Performance: one binding inline, as most ports have one.
pub type Bindings = SmallVec<[Binding; 1]>;

/// The key of a protocol and port.
#[inline]
fn key(kind: Kind, port: u16) -> u32 {
    u32::from(port) | u32::from(kind == Kind::Dgram) << 16
}

/// Every binding of a host, by protocol and port (never iterated in the
/// table's order: see `lookup.rs`).
///
/// Performance: one port is kept inline (a client's one connection at a
/// time), so the table takes fewer bytes of a host than the two port maps
/// it replaced (112); a host that binds more ports has a hash table.
#[derive(Debug, Default)]
pub struct BindTable {
    by_port: LookupMap<u32, Bindings, 1>,
    /// Listening bindings, for the leak checks.
    listening: u32,
}

/// The table of a host that never bound a socket: a host keeps its table
/// out of line (`stack::cold`), allocated at its first bind, so a host
/// that has not connected holds 8 bytes for it, not 64 (issue 18).
static NO_BINDINGS: BindTable = BindTable {
    by_port: LookupMap::new(),
    listening: 0,
};

impl super::cold::Empty for BindTable {
    fn empty() -> &'static Self {
        &NO_BINDINGS
    }
}

impl BindTable {
    /// The bindings of `kind` on `port`, oldest first.
    #[inline]
    pub fn on(&self, kind: Kind, port: u16) -> &[Binding] {
        self.by_port
            .get(&key(kind, port))
            .map_or(&[], |b| b.as_slice())
    }

    /// Records a bound socket.
    pub fn insert(&mut self, kind: Kind, port: u16, binding: Binding) {
        self.listening += u32::from(binding.listening);
        let all = self
            .by_port
            .get_or_insert_with(key(kind, port), Bindings::new);
        all.push(binding);
    }

    /// Forgets the socket's binding, if it has one.
    pub fn remove(&mut self, kind: Kind, port: u16, socket: u32) {
        let k = key(kind, port);
        let Some(all) = self.by_port.get_mut(&k) else {
            return;
        };
        if let Some(i) = all.iter().position(|b| b.socket == socket) {
            self.listening -= u32::from(all[i].listening);
            all.remove(i);
        }
        if all.is_empty() {
            self.by_port.remove(&k);
        }
    }

    /// Marks the socket's binding as listening, after the listeners before
    /// it; whether it had a binding.
    pub fn listen(&mut self, port: u16, socket: u32) -> bool {
        let Some(all) = self.by_port.get_mut(&key(Kind::Stream, port)) else {
            return false;
        };
        let Some(i) = all.iter().position(|b| b.socket == socket) else {
            return false;
        };
        if all[i].listening {
            return true; // listen again: a new backlog, the same place
        }
        let mut binding = all.remove(i);
        self.listening += 1;
        binding.listening = true;
        all.push(binding);
        true
    }

    /// The socket that takes a SYN for `dst:port`: the oldest listener
    /// bound to `dst`, else the oldest bound to 0.0.0.0, else a dual-stack
    /// one bound to `[::]` (which of an IPv4 and a dual-stack wildcard
    /// listener Windows prefers, no source at hand says: the IPv4 one).
    #[inline]
    pub fn listener_for(&self, port: u16, dst: Ipv4Addr) -> Option<u32> {
        let all = self.on(Kind::Stream, port);
        let v4 = |b: &&Binding| b.listening && b.net == Net::V4;
        let exact = all.iter().filter(v4).find(|b| b.addr == dst);
        exact
            .or_else(|| all.iter().filter(v4).find(|b| b.addr.is_unspecified()))
            .or_else(|| all.iter().find(|b| b.listening && b.net == Net::Dual))
            .map(|b| b.socket)
    }

    /// The socket that takes a datagram for `dst:port`: the oldest bound to
    /// `dst`, else the oldest bound to the wildcard; for a broadcast (which
    /// no socket binds), the oldest bound to any address of the port, as a
    /// Windows socket bound to its interface's address receives that
    /// interface's broadcasts.
    #[inline]
    pub fn datagram_socket_for(&self, port: u16, dst: Ipv4Addr, broadcast: bool) -> Option<u32> {
        let all = self.on(Kind::Dgram, port);
        let v4 = |b: &&Binding| b.net == Net::V4;
        let exact = all.iter().filter(v4).find(|b| b.addr == dst);
        exact
            .or_else(|| all.iter().filter(v4).find(|b| b.addr.is_unspecified()))
            .or_else(|| all.iter().find(|b| b.net == Net::Dual))
            .or_else(|| all.iter().filter(v4).find(|_| broadcast))
            .map(|b| b.socket)
    }

    /// Bindings of both protocols on `port`: the port holds they account for.
    pub fn count_on_port(&self, port: u16) -> usize {
        self.on(Kind::Stream, port).len() + self.on(Kind::Dgram, port).len()
    }

    /// Listening sockets.
    pub fn listeners(&self) -> usize {
        self.listening as usize
    }

    /// Protocols and ports with a binding.
    pub fn len(&self) -> usize {
        self.by_port.len()
    }

    /// Whether no socket is bound.
    pub fn is_empty(&self) -> bool {
        self.by_port.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(socket: u32, addr: [u8; 4], listening: bool) -> Binding {
        Binding {
            socket,
            addr: Ipv4Addr::from(addr),
            share: Share::Default,
            net: Net::V4,
            listening,
        }
    }

    /// Wine `test_reuseaddr`: the specific listener takes its address's
    /// connections whichever bound first; the wildcard takes the rest.
    #[test]
    fn the_specific_listener_wins_its_address() {
        let mut t = BindTable::default();
        t.insert(Kind::Stream, 80, bound(1, [0, 0, 0, 0], true));
        t.insert(Kind::Stream, 80, bound(2, [127, 0, 0, 1], true));
        assert_eq!(t.listener_for(80, Ipv4Addr::LOCALHOST), Some(2));
        assert_eq!(t.listener_for(80, Ipv4Addr::new(10, 0, 0, 1)), Some(1));
        assert_eq!(t.listener_for(81, Ipv4Addr::LOCALHOST), None);
        t.remove(Kind::Stream, 80, 2);
        assert_eq!(t.listener_for(80, Ipv4Addr::LOCALHOST), Some(1));
        assert_eq!(t.listeners(), 1);
    }

    /// Two listeners on one address: the one that listened first; a bound
    /// socket that does not listen takes nothing.
    #[test]
    fn among_equals_the_first_listener_takes_the_syn() {
        let mut t = BindTable::default();
        t.insert(Kind::Stream, 80, bound(1, [127, 0, 0, 1], false));
        t.insert(Kind::Stream, 80, bound(2, [127, 0, 0, 1], false));
        assert_eq!(t.listener_for(80, Ipv4Addr::LOCALHOST), None);
        assert!(t.listen(80, 2));
        assert!(t.listen(80, 1));
        assert_eq!(t.listener_for(80, Ipv4Addr::LOCALHOST), Some(2));
        assert_eq!((t.listeners(), t.count_on_port(80), t.len()), (2, 2, 1));
        t.remove(Kind::Stream, 80, 2);
        t.remove(Kind::Stream, 80, 1);
        assert!(t.is_empty() && t.listeners() == 0);
    }

    /// A host's table costs no more than the listener and datagram maps it
    /// replaced (memory per host, issue 18).
    #[test]
    fn the_table_is_small() {
        let size = std::mem::size_of::<BindTable>();
        assert!(
            size <= 112,
            "{size} bytes: more than the two maps it replaced"
        );
    }

    /// Datagrams: exact, then wildcard; a broadcast reaches a socket bound
    /// to an interface address; the protocols keep their ports apart.
    #[test]
    fn datagrams_find_their_socket_by_address() {
        let mut t = BindTable::default();
        t.insert(Kind::Dgram, 53, bound(1, [10, 0, 0, 1], false));
        t.insert(Kind::Stream, 53, bound(9, [0, 0, 0, 0], true));
        let any =
            |t: &BindTable, dst: [u8; 4], b| t.datagram_socket_for(53, Ipv4Addr::from(dst), b);
        assert_eq!(any(&t, [10, 0, 0, 1], false), Some(1));
        assert_eq!(any(&t, [127, 0, 0, 1], false), None);
        assert_eq!(any(&t, [10, 0, 0, 255], true), Some(1));
        t.insert(Kind::Dgram, 53, bound(2, [0, 0, 0, 0], false));
        assert_eq!(any(&t, [127, 0, 0, 1], false), Some(2));
        assert_eq!(any(&t, [10, 0, 0, 1], false), Some(1));
    }
}
