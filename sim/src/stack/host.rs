//! A host: its addresses, profile, port table, sockets, TCBs and TIME_WAIT
//! records. Lookups are by hash or index, never by scanning sockets, ports or
//! connections, so the cost of a packet does not grow with their number.

use std::rc::Rc;

use simsock_model::scenario::{Family, Kind, WinsockVersion};
use simsock_model::{HostProfile, SimTime, TcpState, WsaError};

use thin_vec::ThinVec;

use super::ConnId;
use super::binds::BindTable;
use super::cold::Cold;
use super::lookup::LookupMap;
use super::ports::PortTable;
use super::slots::{SlotEntry, SlotTable};
use super::socket::Socket;
use super::tcp::{FourTuple, Tcb, TcpConfig, TimeWaitTable};
use crate::engine::buffers::BufferPool;
use crate::engine::timers::TimerId;
use crate::net::{Hop, NodeId};
use crate::rng::Stream;

/// What a [`TcbSlot`] takes: four cache lines.
pub const TCB_SLOT_BYTES: usize = 256;

/// One TCB and what the host knows about it.
///
/// Memory: aligned to a cache line, so a slot's 256 bytes are four whole
/// lines (the per-segment path reads most of the TCB, so no split into a
/// hot and a cold part would touch fewer). The TCB keeps what few
/// connections use out of line (`tcp::tcb`, `Rare`).
#[derive(Debug)]
#[repr(align(64))]
pub struct TcbSlot {
    /// Bumped each time the slot is reused, so a stale [`ConnId`] (a timer
    /// of an old connection) finds nothing.
    pub generation: u32,
    /// The connection; `None` while the slot is free.
    pub tcb: Option<Tcb>,
    /// The socket the connection belongs to (`None` before accept or after close).
    pub socket: Option<u32>,
    /// The handle of the listening socket a passive open came through, until
    /// accepted (a handle, not an index: handles are never reused, so a
    /// closed listener is noticed).
    pub listener: Option<u32>,
    /// Queued on the listener's ready list.
    pub ready: bool,
    /// The connection holds its local port (its socket closed before it ended).
    pub holds_port: bool,
    /// Last state traced, to trace transitions once.
    pub traced: TcpState,
    /// When the engine timer for this TCB is scheduled, and its entry in
    /// `engine::Core::timers`, if it is.
    pub timer: Option<(SimTime, TimerId)>,
    /// The next hop toward the peer, once a segment has been sent (routes
    /// are static: see [`crate::net::Routes`]).
    pub route: Option<Hop>,
    /// While the slot is free, the next free slot ([`NO_SLOT`] for none):
    /// the host's free list runs through its free slots, in the slot's
    /// padding, where a list of its own was an allocation per host.
    next_free: u32,
}

/// The end of a free list.
const NO_SLOT: u32 = u32::MAX;

/// [`Host::free_socket_top`] when it holds no index.
const NO_SOCKET_TOP: u16 = u16::MAX;

/// A connection that closed gracefully, kept for the end-of-run check that
/// no byte was lost or reordered (`crate::invariants`).
#[derive(Clone, Copy, Debug)]
pub struct ClosedConnection {
    /// This end's address.
    pub local: std::net::SocketAddrV4,
    /// The peer's address.
    pub remote: std::net::SocketAddrV4,
    /// The bytes this end's application sent.
    pub sent: super::tcp::digest::StreamDigest,
    /// The bytes this end delivered to its application.
    pub delivered: super::tcp::digest::StreamDigest,
}

/// Pushes `item` onto a per-host table, which grows to 1, 2, 4, 8 ...
/// entries where std's `Vec` starts at 4.
///
/// Performance: most hosts of a big network hold one socket and one TCB
/// at a time; std's first allocation of 4 slots made a client's TCB table
/// 1,408 bytes (4 x 352) and its socket table 608 where it uses a quarter.
/// Past the first entries it doubles like std, so a busy host's pushes
/// stay amortised O(1).
pub fn push_compact<T>(table: &mut Vec<T>, item: T) {
    if table.len() == table.capacity() {
        table.reserve_exact(table.len().max(1));
    }
    table.push(item);
}

/// [`push_compact`] for a [`ThinVec`] (whose first allocation is also 4
/// slots).
///
/// Inlined: out of line (as `PortTable::allocate` grew) the call cost
/// ~40 instructions per connection at 100 x 200 (callgrind, issue 18).
#[inline]
pub fn push_thin<T>(table: &mut ThinVec<T>, item: T) {
    if table.len() == table.capacity() {
        table.reserve_exact(table.len().max(1));
    }
    table.push(item);
}

/// First socket handle value; handles go up by 4 as Winsock's do.
const FIRST_HANDLE: u32 = 0x100;

/// A host and its stack: first what a segment or a call uses, then the
/// notification and overlapped state, then names and audit records.
///
/// Memory (issue 18, "a host that has not connected costs at most 1 KB"):
/// 904 bytes before, now [`HOST_BYTES`]. The lists other than the socket
/// and TCB tables are [`ThinVec`]s, one pointer until their first entry
/// (the two tables, read on every call and segment, stay `Vec`s: as
/// `ThinVec`s they cost 1.2% more instructions in the storm at 10,000
/// hosts, for 32 bytes a host); the lookup maps keep one entry inline
/// (a client's one connection and socket) and box their table; the
/// TIME_WAIT and bind tables are allocated at their first entry
/// ([`Cold`]); the free TCB slots list themselves.
///
/// Performance (issue 18, "a live connection's state fits in a few cache
/// lines on the hot path"): `repr(C)`, so the fields keep this order, and
/// what a segment reads (the node, the TCB and socket tables, the
/// connection map, the profile, the report queue, the TCP settings and the
/// TIME_WAIT table) lies in the record's first [`HOST_HOT_BYTES`], three
/// cache lines, where the compiler's order spread it over six (the
/// `hot_fields_share_three_cache_lines` test keeps it there). The call
/// path's fields come next, then what a run reads once.
#[derive(Debug)]
#[repr(C)]
pub struct Host {
    /// The host's node in the topology.
    pub node: NodeId,
    /// The last freed TCB slot, reused first ([`TcbSlot::next_free`]).
    free_tcb: u32,
    /// The TCB slots, by [`ConnId::index`]; freed slots are reused.
    pub tcbs: Vec<TcbSlot>,
    /// The sockets, by socket index; `None` is a free index, reused.
    pub sockets: Vec<Option<Socket>>,
    /// The host's profile: TCP timings, ports, backlog, Winsock quirks.
    /// Shared by the hosts of a scenario that have the same one (104
    /// bytes each before).
    pub profile: Rc<HostProfile>,
    /// Live connections by four-tuple (never iterated).
    pub conns: LookupMap<FourTuple, ConnId, 1>,
    /// What changed, for the layer above to act on ([`super::Report`]).
    pub(super) reports: std::collections::VecDeque<super::Report>,
    /// The profile's TCP settings, as every TCB of the host uses them.
    pub tcp: TcpConfig,
    /// The host's TIME_WAIT records (RFC 9293 §3.10.7.4), by deadline;
    /// allocated at the first.
    pub time_wait: Cold<TimeWaitTable>,
    /// Bound sockets by protocol, port and address; the listeners and
    /// datagram sockets that incoming packets reach. Allocated at the
    /// first bind.
    pub binds: Cold<BindTable>,
    /// The socket variables of the host's threads, by slot (as many as
    /// `slot_names`), the first inline.
    slots: SlotTable,
    /// Open sockets by handle (never iterated).
    handles: LookupMap<u32, u32, 1>,
    /// The freed socket indices, reused last freed first; the last one
    /// freed is kept apart while it fits ([`Host::free_socket_top`]).
    free_sockets: ThinVec<u32>,
    /// WSAStartup calls not yet matched by WSACleanup.
    pub startups: u32,
    next_handle: u32,
    /// Which local ports are bound or held, and the ephemeral range.
    pub ports: PortTable,
    /// Open sockets at most (`limits.max_sockets_per_host`); socket()
    /// past it is WSAEMFILE.
    pub max_sockets: u32,
    /// The Winsock version the first WSAStartup negotiated (CB-N2, CB-C19).
    pub version: WinsockVersion,
    /// The layer above acts on a TCB step ([`super::Report::Stepped`]):
    /// set by Winsock when a socket of the host registers for network
    /// events or starts ConnectEx, DisconnectEx or AcceptEx, and never
    /// cleared (a crash keeps it). Until then `sync::after_tcb` queues no
    /// report: nothing would act on it (issue 18: the storm at 100 x 200,
    /// 514,605,753 -> 493,679,106 instructions, ~1,050 a connection,
    /// callgrind).
    ///
    /// The rule for new Winsock features: anything that reacts to
    /// `Report::Stepped` must set this flag on the host before its first
    /// step can matter, or it will never see a step.
    /// `tests/tests/watched_steps.rs` runs every bundled scenario with every
    /// host watching and compares, so it catches a missed flag only if a
    /// bundled scenario uses the feature: add one with the feature.
    pub steps_watched: bool,
    /// The last freed socket index, reused first, if it is below
    /// [`NO_SOCKET_TOP`] and was not reused yet: the top of the stack of
    /// free indices whose rest is `free_sockets` (an index that does not
    /// fit goes there instead).
    ///
    /// Performance (issue 18, x1 sizes): a client that holds one socket at
    /// a time never allocates `free_sockets`, where its first close
    /// allocated it (`ThinVec::reallocate`, about 220 instructions per
    /// connection at 10,000 x 1 in callgrind, and its free on drop). A
    /// `u16`, so that it takes the record's padding and no bytes.
    free_socket_top: u16,
    /// Initial sequence numbers (RFC 9293 §3.4.1 asks for unpredictable
    /// ones; here they come from the stream `isn/<host>`).
    pub isn: Stream,
    /// The host's name in the scenario, shared with its node in the
    /// topology ([`crate::net::topology::Node::name`]; issue 18, x1 sizes: a copy of
    /// its own was an allocation per host and world).
    pub name: Rc<str>,
    /// The name of each slot, as the scenario wrote it.
    pub slot_names: ThinVec<String>,
    /// Gracefully closed connections (only while `tcp.audit`).
    pub closed: ThinVec<ClosedConnection>,
    /// Broken engine invariants seen while running, e.g. a late TIME_WAIT.
    pub violations: ThinVec<String>,
}

/// What a [`Host`] record takes in the world's table of hosts (the size
/// test in this file keeps it there).
pub const HOST_BYTES: usize = 368;

/// The first bytes of a [`Host`] record, which hold what a segment reads:
/// three cache lines (see [`Host`]).
pub const HOST_HOT_BYTES: usize = 192;

impl Host {
    /// A host named `name` on `node` with no sockets, its ISNs drawn from
    /// the stream `isn/<name>` of `seed`.
    pub fn new(
        name: Rc<str>,
        node: NodeId,
        profile: Rc<HostProfile>,
        seed: u64,
        max_sockets: u32,
    ) -> Self {
        Host {
            isn: Stream::named(seed, &["isn/", &name]),
            name,
            node,
            tcp: TcpConfig::from(&*profile),
            ports: PortTable::new(profile.ephemeral_ports),
            version: profile.winsock_version,
            profile,
            startups: 0,
            conns: LookupMap::new(),
            tcbs: Vec::new(),
            free_tcb: NO_SLOT,
            binds: Cold::default(),
            time_wait: Cold::default(),
            sockets: Vec::new(),
            free_sockets: ThinVec::new(),
            free_socket_top: NO_SOCKET_TOP,
            handles: LookupMap::new(),
            next_handle: FIRST_HANDLE,
            max_sockets,
            slots: SlotTable::default(),
            slot_names: ThinVec::new(),
            closed: ThinVec::new(),
            violations: ThinVec::new(),
            reports: Default::default(),
            steps_watched: false,
        }
    }

    /// Creates a socket; WSAEMFILE past the host's limit.
    pub fn open_socket(&mut self, family: Family, kind: Kind) -> Result<u32, WsaError> {
        self.open_socket_at(family, kind).map(|(handle, _)| handle)
    }

    /// [`Host::open_socket`], returning the new socket's index beside its
    /// handle.
    ///
    /// Performance: socket and accept need the index at once; looking the
    /// handle just inserted up again cost a hash lookup, and a second one
    /// to fill the slot's hint ([`Host::set_slot_at`]).
    pub fn open_socket_at(&mut self, family: Family, kind: Kind) -> Result<(u32, u32), WsaError> {
        if family == Family::Irda {
            return Err(WsaError::WSAEAFNOSUPPORT); // CB-I1: no IrDA stack
        }
        if self.handles.len() >= self.max_sockets as usize {
            return Err(WsaError::WSAEMFILE);
        }
        let handle = self.next_handle;
        self.next_handle = self.next_handle.wrapping_add(4).max(FIRST_HANDLE);
        let socket = Socket::new(handle, family, kind);
        let index = match self.pop_free_socket() {
            Some(i) => {
                self.sockets[i as usize] = Some(socket);
                i
            }
            None => {
                push_compact(&mut self.sockets, Some(socket));
                (self.sockets.len() - 1) as u32
            }
        };
        self.handles.insert(handle, index);
        Ok((handle, index))
    }

    /// The socket index of a handle; WSAENOTSOCK if it names no open socket (CB-C7).
    pub fn socket_index(&self, handle: u32) -> Result<u32, WsaError> {
        self.handles
            .get(&handle)
            .copied()
            .ok_or(WsaError::WSAENOTSOCK)
    }

    /// The live socket at `index`.
    ///
    /// # Panics
    ///
    /// If the index is free.
    pub fn socket(&self, index: u32) -> &Socket {
        // Invariant: indices come from `handles` or TCB slots, which are
        // cleared before a socket slot is freed.
        self.sockets[index as usize]
            .as_ref()
            .expect("live socket index")
    }

    /// The live socket at `index`, to change.
    ///
    /// # Panics
    ///
    /// If the index is free.
    pub fn socket_mut(&mut self, index: u32) -> &mut Socket {
        self.sockets[index as usize]
            .as_mut()
            .expect("live socket index")
    }

    /// The socket at `index`, `None` if that slot is free (or out of range).
    pub fn live_socket_mut(&mut self, index: u32) -> Option<&mut Socket> {
        self.sockets
            .get_mut(index as usize)
            .and_then(Option::as_mut)
    }

    /// Frees a socket slot; its handle stops naming a socket.
    pub fn free_socket(&mut self, index: u32) {
        if let Some(s) = self.sockets[index as usize].take() {
            self.handles.remove(&s.handle);
            self.push_free_socket(index);
        }
    }

    /// Pushes a freed socket index on the stack of free ones: into
    /// [`Host::free_socket_top`] if it fits, the previous top moving to
    /// `free_sockets`.
    fn push_free_socket(&mut self, index: u32) {
        if self.free_socket_top != NO_SOCKET_TOP {
            push_thin(&mut self.free_sockets, u32::from(self.free_socket_top));
        }
        match u16::try_from(index) {
            Ok(top) if top != NO_SOCKET_TOP => self.free_socket_top = top,
            _ => {
                push_thin(&mut self.free_sockets, index);
                self.free_socket_top = NO_SOCKET_TOP;
            }
        }
    }

    /// The free socket index to reuse, the last freed first.
    fn pop_free_socket(&mut self) -> Option<u32> {
        match std::mem::replace(&mut self.free_socket_top, NO_SOCKET_TOP) {
            NO_SOCKET_TOP => self.free_sockets.pop(),
            top => Some(u32::from(top)),
        }
    }

    /// Makes room for `connections` TCBs open at once, and their entries
    /// in the connection table, allocated once rather than grown by
    /// doubling as they open: a sizing hint for a host known to serve
    /// many connections at once (the storm's servers: 1,024 each). Only
    /// capacity changes, never which slot a TCB takes.
    ///
    /// Memory (issue 18, flat cost with size): each doubling copied the
    /// table into a fresh allocation (a quarter of a megabyte per server
    /// at 1,024 connections, 25 MB over the 98 servers of 100,000 hosts).
    pub fn reserve_connections(&mut self, connections: usize) {
        self.tcbs
            .reserve_exact(connections.saturating_sub(self.tcbs.len()));
        self.conns.reserve(connections);
    }

    /// Stores a new TCB and returns its id.
    pub fn insert_tcb(&mut self, tcb: Tcb) -> ConnId {
        self.insert_tcb_with(|_| tcb)
    }

    /// Stores a new TCB in CLOSED ([`Tcb::new`]) for the four-tuple, built
    /// in its slot, and returns its id; the caller opens it there
    /// ([`Tcb::open_active`], [`Tcb::open_passive`], [`Tcb::open_fast`]).
    ///
    /// Performance (issue 18): a TCB opened first and stored after was
    /// copied three times on its way into its slot (192 bytes each).
    pub fn insert_new_tcb(&mut self, (local, remote): FourTuple, iss: u32) -> ConnId {
        self.insert_tcb_with(|cfg| Tcb::new(local, remote, iss, cfg))
    }

    /// Stores the TCB `make` builds from the host's TCP settings.
    ///
    /// Performance: a freed slot is refilled field by field, and a new one
    /// is pushed after the table has room, so that the TCB can be built
    /// where it lies rather than moved.
    #[inline(always)]
    fn insert_tcb_with(&mut self, make: impl FnOnce(&TcpConfig) -> Tcb) -> ConnId {
        let index = match self.free_tcb {
            NO_SLOT => None,
            index => Some(index),
        };
        let index = match index {
            Some(index) => {
                let slot = &mut self.tcbs[index as usize];
                self.free_tcb = slot.next_free;
                slot.generation = slot.generation.wrapping_add(1);
                slot.tcb = Some(make(&self.tcp));
                slot.socket = None;
                slot.listener = None;
                slot.ready = false;
                slot.holds_port = false;
                slot.traced = TcpState::Closed;
                slot.timer = None;
                slot.route = None;
                index
            }
            None => {
                if self.tcbs.len() == self.tcbs.capacity() {
                    self.tcbs.reserve_exact(self.tcbs.len().max(1)); // as `push_compact`
                }
                self.tcbs.push(TcbSlot {
                    generation: 0,
                    tcb: Some(make(&self.tcp)),
                    socket: None,
                    listener: None,
                    ready: false,
                    holds_port: false,
                    traced: TcpState::Closed,
                    timer: None,
                    route: None,
                    next_free: NO_SLOT,
                });
                (self.tcbs.len() - 1) as u32
            }
        };
        ConnId {
            index,
            generation: self.tcbs[index as usize].generation,
        }
    }

    /// The slot of a live connection, `None` if it was freed since.
    pub fn slot(&mut self, conn: ConnId) -> Option<&mut TcbSlot> {
        self.tcbs
            .get_mut(conn.index as usize)
            .filter(|s| s.generation == conn.generation && s.tcb.is_some())
    }

    /// The TCB of a live connection and the host's TCP settings, borrowed
    /// together.
    ///
    /// Performance: a TCB step used to copy the settings (64 bytes) out of
    /// the host first, ~10 instructions of each of 14 steps a connection
    /// (issue 18, callgrind at 100x200).
    #[inline]
    pub fn tcb_and_config(&mut self, conn: ConnId) -> Option<(&mut Tcb, &TcpConfig)> {
        let slot = self
            .tcbs
            .get_mut(conn.index as usize)
            .filter(|s| s.generation == conn.generation)?;
        Some((slot.tcb.as_mut()?, &self.tcp))
    }

    /// The TCB of a connection, `None` if it was freed since.
    pub fn tcb(&self, conn: ConnId) -> Option<&Tcb> {
        self.tcbs
            .get(conn.index as usize)
            .filter(|s| s.generation == conn.generation)
            .and_then(|s| s.tcb.as_ref())
    }

    /// Frees a TCB slot (its buffers go with it: per-connection state is
    /// freed at close). Returns its pending timer, for the caller to cancel
    /// (`crate::stack::sync::free_tcb`).
    ///
    /// Performance: the TCB is emptied where it lies (its buffers taken,
    /// then the slot set to `None`), never moved out whole.
    #[must_use]
    pub fn free_tcb(&mut self, conn: ConnId, buffers: &mut BufferPool) -> Option<TimerId> {
        let audit = self.tcp.audit;
        let slot = self
            .tcbs
            .get_mut(conn.index as usize)
            .filter(|s| s.generation == conn.generation)?;
        let timer = slot.timer.take().map(|(_, id)| id);
        let Some(tcb) = slot.tcb.as_mut() else {
            return timer;
        };
        // Performance: the audit record is written straight into its list;
        // an `Option` of it built first and appended after was copied whole
        // even when empty, and the copy stalled on store forwarding (~2.5%
        // of the storm).
        if audit && tcb.closed_gracefully() {
            self.closed.push(ClosedConnection {
                local: tcb.local,
                remote: tcb.remote,
                sent: tcb.sent(),
                delivered: tcb.delivered(),
            });
        }
        let (send, recv) = tcb.buffers_mut();
        send.clear();
        recv.clear();
        buffers.reclaim(send);
        buffers.reclaim(recv);
        slot.tcb = None;
        slot.next_free = self.free_tcb;
        self.free_tcb = conn.index;
        timer
    }

    /// The slot index of a socket variable name, created on first use.
    pub fn slot_named(&mut self, name: &str) -> u32 {
        match self.slot_names.iter().position(|n| n == name) {
            Some(i) => i as u32,
            None => {
                self.slots.push(self.slot_names.len());
                push_thin(&mut self.slot_names, name.to_string());
                (self.slot_names.len() - 1) as u32
            }
        }
    }

    /// Makes room for `slots` more socket variables, their names and
    /// entries allocated once rather than grown one doubling at a time: a
    /// sizing hint for a host whose threads are known to name many (a
    /// scenario's compiled scripts; the storm's servers, one per worker).
    /// Only capacity changes, never which slot a name gets.
    ///
    /// Performance (issue 18, small sizes): the storm at 10 hosts x 1 grew
    /// its server's two slot lists 1, 2, 4, 8, 16, 32 (ten reallocations a
    /// world, about 210 instructions each in `ThinVec::reallocate`, per
    /// callgrind).
    pub fn reserve_slots(&mut self, slots: usize) {
        self.slots.reserve(self.slot_names.len(), slots);
        self.slot_names.reserve_exact(slots);
    }

    /// Points a socket variable at a socket handle.
    pub fn set_slot(&mut self, slot: u32, handle: u32) {
        let hint = self.handles.get(&handle).copied().unwrap_or(u32::MAX);
        self.set_slot_at(slot, handle, hint);
    }

    /// [`Host::set_slot`] for the socket at `index`, which has `handle`:
    /// the hint is the index, with no lookup.
    #[inline]
    pub fn set_slot_at(&mut self, slot: u32, handle: u32, index: u32) {
        let entry = SlotEntry {
            handle,
            hint: index,
        };
        self.slots.set(slot, entry);
    }

    /// The last slot that holds `handle`, if any (GetMessage names a
    /// message's socket by it).
    pub fn slot_holding(&self, handle: u32) -> Option<u32> {
        (self.slots).rposition(self.slot_names.len(), |s| s.handle == handle)
    }

    /// The socket index a socket variable names; WSAENOTSOCK if none (CB-C7).
    ///
    /// Performance: a call on a slot looks the handle up by hash only when
    /// the slot's hint is stale. The hint is trusted only if that socket
    /// still has the slot's handle, and handles are never reused, so the
    /// answer is the lookup's. The hint's check is inlined into each call
    /// (several per Winsock call; out of line it cost ~23 instructions a
    /// time), the lookup is not ([`Host::slot_socket_by_handle`]).
    #[inline]
    pub fn slot_socket(&self, slot: u32) -> Result<u32, WsaError> {
        if let Some(entry) = self.slots.get(slot)
            && let Some(Some(sock)) = self.sockets.get(entry.hint as usize)
            && sock.handle == entry.handle
        {
            return Ok(entry.hint);
        }
        self.slot_socket_by_handle(slot)
    }

    /// [`Host::slot_socket`] when the slot's hint is stale: the handle's
    /// lookup (WSAENOTSOCK for a slot never set, whose handle is 0).
    #[inline(never)]
    fn slot_socket_by_handle(&self, slot: u32) -> Result<u32, WsaError> {
        let handle = self.slots.get(slot).map_or(0, |e| e.handle);
        self.socket_index(handle)
    }

    /// The live socket index behind a listener handle, if it still listens.
    pub fn listener_index(&self, handle: u32) -> Option<u32> {
        let index = self.socket_index(handle).ok()?;
        self.socket(index).listener.is_some().then_some(index)
    }

    /// Number of open sockets.
    pub fn open_sockets(&self) -> usize {
        self.handles.len()
    }

    /// The next initial sequence number.
    pub fn next_isn(&mut self) -> u32 {
        self.isn.next_u32()
    }

    /// Forgets every socket, connection, TIME_WAIT record and port hold at
    /// once, as a crash does: nothing is sent. Kept: the name, profile, ISN
    /// stream (a restarted stack does not replay its old sequence numbers),
    /// the socket variable names (each now names no socket), the audit
    /// records, and the generations of the TCB slots, so that the timers of
    /// the old connections find nothing.
    pub fn reset_stack(&mut self) -> LostState {
        let lost = LostState {
            sockets: self.open_sockets(),
            connections: self.tcbs.iter().filter(|s| s.tcb.is_some()).count(),
            time_wait: self.time_wait.iter().count(),
        };
        let fresh = Host::new(
            Rc::clone(&self.name),
            self.node,
            self.profile.clone(),
            0,
            self.max_sockets,
        );
        let old = std::mem::replace(self, fresh);
        self.tcp = old.tcp;
        self.isn = old.isn;
        self.slots = SlotTable::empty(old.slot_names.len());
        self.slot_names = old.slot_names;
        self.closed = old.closed;
        self.violations = old.violations;
        self.steps_watched = old.steps_watched;
        self.tcbs = old.tcbs;
        // Every slot free, the first reused first (as a stack of all
        // indices, the last pushed first, had it).
        let count = self.tcbs.len() as u32;
        for (i, slot) in (0u32..).zip(self.tcbs.iter_mut()) {
            slot.tcb = None;
            slot.timer = None;
            slot.next_free = if i + 1 < count { i + 1 } else { NO_SLOT };
        }
        self.free_tcb = if count > 0 { 0 } else { NO_SLOT };
        lost
    }
}

/// What a crash took away (see [`Host::reset_stack`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LostState {
    /// Open sockets.
    pub sockets: usize,
    /// Live connections (TCBs).
    pub connections: usize,
    /// TIME_WAIT records.
    pub time_wait: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host() -> Host {
        let profile = Rc::new(HostProfile::default());
        Host::new("h".into(), NodeId(0), profile, 7, 64)
    }

    /// Freed socket indices are reused last freed first, as the single
    /// list of free indices had it (the top is kept apart from the list,
    /// [`Host::free_socket_top`]): the indices new sockets get are the
    /// model stack's, over a mix of opens and closes.
    #[test]
    fn freed_socket_indices_are_reused_last_freed_first() {
        let mut h = host();
        let mut model: Vec<u32> = Vec::new();
        let mut live: Vec<u32> = Vec::new();
        let mut len = 0u32;
        // Open (true) or close the live socket at `pick` of the list.
        let plan = [
            (true, 0),
            (true, 0),
            (true, 0),
            (true, 0),
            (false, 1),
            (false, 0),
            (false, 1),
            (true, 0),
            (false, 0),
            (true, 0),
            (true, 0),
            (true, 0),
            (false, 2),
            (false, 2),
            (false, 0),
            (false, 0),
            (true, 0),
            (true, 0),
        ];
        for (open, pick) in plan {
            if open {
                let (_, index) = h.open_socket_at(Family::Inet, Kind::Stream).unwrap();
                let want = model.pop().unwrap_or_else(|| {
                    len += 1;
                    len - 1
                });
                assert_eq!(index, want, "a new socket's index");
                live.push(index);
            } else {
                let index = live.remove(pick % live.len());
                h.free_socket(index);
                model.push(index);
            }
        }
    }

    /// Indices that do not fit the `u16` top ([`NO_SOCKET_TOP`] and above)
    /// keep their place in the order of reuse.
    #[test]
    fn indices_past_the_top_are_reused_in_order() {
        let profile = Rc::new(HostProfile::default());
        let mut h = Host::new("h".into(), NodeId(0), profile, 7, 70_000);
        for want in 0..65_540u32 {
            let (_, index) = h.open_socket_at(Family::Inet, Kind::Stream).unwrap();
            assert_eq!(index, want);
        }
        let freed = [65_536, 3, 65_535, 65_534, 65_537, 7];
        for index in freed {
            h.free_socket(index);
        }
        for want in freed.iter().rev() {
            let (_, index) = h.open_socket_at(Family::Inet, Kind::Stream).unwrap();
            assert_eq!(index, *want, "a new socket's index");
        }
        let (_, index) = h.open_socket_at(Family::Inet, Kind::Stream).unwrap();
        assert_eq!(index, 65_540, "no free index left");
    }

    /// A host that holds one socket at a time allocates no list of free
    /// socket indices (issue 18, x1 sizes: each client's first close).
    #[test]
    fn one_socket_at_a_time_allocates_no_free_list() {
        let mut h = host();
        for _ in 0..3 {
            let (_, index) = h.open_socket_at(Family::Inet, Kind::Stream).unwrap();
            assert_eq!(index, 0);
            h.free_socket(index);
        }
        assert_eq!(h.free_sockets.capacity(), 0);
    }

    /// A host record stays within [`HOST_BYTES`], so a field that puts
    /// bytes back into every host (of a million, in the storm bench) fails
    /// here; `tests/tests/host_memory.rs` counts the heap around it.
    #[test]
    fn a_host_record_is_small() {
        let size = std::mem::size_of::<Host>();
        assert!(size <= HOST_BYTES, "a host record is {size} bytes");
    }

    /// What a segment reads of its host (`stack::input`, `stack::sync`)
    /// lies in the record's first three cache lines, and the record starts
    /// on a line in the world's table (issue 18: at 1,000 hosts and more a
    /// segment missed on five of the six lines it touched).
    #[test]
    fn hot_fields_share_three_cache_lines() {
        use std::mem::{offset_of, size_of};
        let hot = [
            ("node", offset_of!(Host, node), size_of::<NodeId>()),
            ("free_tcb", offset_of!(Host, free_tcb), 4),
            ("tcbs", offset_of!(Host, tcbs), size_of::<Vec<TcbSlot>>()),
            (
                "sockets",
                offset_of!(Host, sockets),
                size_of::<Vec<Option<Socket>>>(),
            ),
            (
                "profile",
                offset_of!(Host, profile),
                size_of::<Rc<HostProfile>>(),
            ),
            (
                "conns",
                offset_of!(Host, conns),
                size_of::<LookupMap<FourTuple, ConnId, 1>>(),
            ),
            (
                "reports",
                offset_of!(Host, reports),
                size_of::<std::collections::VecDeque<super::super::Report>>(),
            ),
            ("tcp", offset_of!(Host, tcp), size_of::<TcpConfig>()),
            (
                "time_wait",
                offset_of!(Host, time_wait),
                size_of::<Cold<TimeWaitTable>>(),
            ),
        ];
        for (name, offset, size) in hot {
            assert!(
                offset + size <= HOST_HOT_BYTES,
                "{name} ends at byte {} of a host record",
                offset + size
            );
        }
        assert_eq!(HOST_HOT_BYTES % 64, 0);
    }

    /// A live connection's slot is four cache lines, aligned to one
    /// (issue 18: "a live connection's state on both ends fits in a few
    /// cache lines on the hot path"); it was 352 bytes, 5.5 lines, and a
    /// segment could touch six.
    #[test]
    fn a_tcb_slot_is_four_cache_lines() {
        let (size, align) = (
            std::mem::size_of::<TcbSlot>(),
            std::mem::align_of::<TcbSlot>(),
        );
        assert_eq!(
            (size, align),
            (TCB_SLOT_BYTES, 64),
            "a TCB slot's size and alignment"
        );
        assert!(
            std::mem::size_of::<Tcb>() <= 192,
            "a TCB is {} bytes",
            std::mem::size_of::<Tcb>()
        );
    }
}
