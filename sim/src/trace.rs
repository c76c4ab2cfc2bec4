//! The trace: every call, return, packet, state change, timer and fault as one
//! ordered stream of events. Every view (the CLI's listing, JSON, and later
//! ladder, pcap and Mermaid) is a projection of it.
//!
//! Architecture invariant: the digest is SHA-256 over the canonical text of
//! the events, one line each (`<time ns> <node> <what>`), so equal digests
//! mean byte-for-byte equal traces on every build and machine.

use std::fmt::Write as _;
use std::net::SocketAddrV4;
use std::sync::Arc;

use compact_str::CompactString;
use sha2::{Digest, Sha256};
use simsock_model::{PacketHeader, SimTime, TcpState};

use crate::net::{LinkId, NodeId};

mod canonical;
mod piece;
mod prefix;
mod text;

pub use self::text::{Text, Texts};

/// How much of the trace a run keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceMode {
    /// Keep every event and the digest (scenarios, tests).
    Full,
    /// Only the digest (sweeps).
    DigestOnly,
    /// Nothing (benchmarks).
    Off,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceKind {
    /// A thread called into Winsock.
    Call {
        /// The calling thread, by index ([`Names::thread`]).
        thread: u32,
        /// The call as the trace writes it, e.g. `connect(s, 10.0.0.2:80)`.
        call: Text,
    },
    /// The call returned `result` ("OK", a value, or a WSA name).
    Return {
        /// The thread that made the call, by index ([`Names::thread`]).
        thread: u32,
        /// The call, as its [`TraceKind::Call`] wrote it.
        call: Text,
        /// What it returned: `OK`, a value, or a WSA error name.
        result: Text,
        /// When the call was made (the matching `Call` event's time); the
        /// line says `(called at <ns>)`.
        start: SimTime,
    },
    /// A node put a packet on a link.
    Send {
        /// The link the packet was put on (a host's loopback included).
        link: LinkId,
        /// The packet's IPv4 and transport header.
        header: PacketHeader,
        /// Payload length in bytes (not written in the canonical line: the
        /// header says it for TCP and UDP).
        len: u32,
        /// Why it was sent, e.g. "retransmission", "reset: no listener",
        /// "duplicate" ([`Packet::cause`](crate::net::Packet::cause)); empty
        /// for an ordinary packet.
        cause: &'static str,
    },
    /// A packet arrived at a node.
    Recv {
        /// The link it came over; `None` for a packet a node made for
        /// itself (an ICMP error after ARP gave up, a firewall's RST) or a
        /// router's own address, which reach the input on no interface.
        link: Option<LinkId>,
        /// The packet's IPv4 and transport header.
        header: PacketHeader,
    },
    /// A packet was dropped: on a link, or by a node.
    Drop {
        /// The link it was on or about to be put on ("link down", "lost",
        /// "partition", an `Out` firewall rule); `None` when it was on none
        /// ("no route", "TTL expired", "no neighbour answers ARP").
        link: Option<LinkId>,
        /// The dropped packet's header.
        header: PacketHeader,
        /// Why, in a few words; the full list is in `engine::faults` and
        /// `stack::input`.
        reason: &'static str,
    },
    /// A TCP connection changed state (RFC 9293 §3.3.2).
    State {
        /// The connection's local address and port.
        local: SocketAddrV4,
        /// The connection's remote address and port.
        remote: SocketAddrV4,
        /// The state it left.
        from: TcpState,
        /// The state it entered.
        to: TcpState,
    },
    /// A TIME_WAIT record ended and released its four-tuple (CB-T1).
    TimeWaitEnd {
        /// The local address and port of the four-tuple released.
        local: SocketAddrV4,
        /// The remote address and port of the four-tuple released.
        remote: SocketAddrV4,
    },
    /// A fault took effect.
    Fault {
        /// The fault as the trace names it, e.g. `link client-server down`
        /// or `partition [client] | [server]` (written by `world::faults`
        /// and `engine::faults`).
        what: String,
    },
    /// An overlapped operation that `thread` started completed (ConnectEx
    /// family, CB-X4): `what` names it and its outcome.
    Completion {
        /// The thread that started the operation, by index.
        thread: u32,
        /// The operation, its socket and OVERLAPPED, and its outcome, e.g.
        /// `ConnectEx(s) on ov = OK (3 bytes)`.
        what: String,
    },
}

/// A call's return as [`Trace::record_return`] takes it: the fields of
/// [`TraceKind::Return`], the result borrowed.
#[derive(Clone, Copy, Debug)]
pub struct Returned<'a> {
    /// The thread that made the call, by index ([`Names::thread`]).
    pub thread: u32,
    /// The call, as its [`TraceKind::Call`] wrote it.
    pub call: &'a Text,
    /// What it returned: `OK`, a value, or a WSA error name.
    pub result: &'a str,
    /// When the call was made.
    pub start: SimTime,
}

/// One trace event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEvent {
    /// When it happened (simulated nanoseconds since the run began).
    pub at: SimTime,
    /// The node it happened at (the caller's host for a call).
    pub node: NodeId,
    /// What happened.
    pub kind: TraceKind,
}

/// A name of a node, link or thread: up to 24 bytes are held inline, a
/// longer one on the heap. The same text as a `String`.
///
/// Performance (issue 18, per-world cost): the storm at 10 hosts x 1
/// allocated and freed a string per node, link and thread name for each
/// world (two per spawned thread: its own and the trace's); scenario names
/// (`client3-server`, `w15`) fit inline.
pub type Name = CompactString;

/// The names the canonical text uses for nodes, links and threads.
#[derive(Clone, Debug, Default)]
pub struct Names {
    /// Node names (hosts, routers, switches), by [`NodeId`]; shared by
    /// every world of a scenario (`scenario::Prepared`), whatever the seed.
    pub nodes: Arc<[Name]>,
    /// Link names, by [`LinkId`]; shared as the node names are.
    pub links: Arc<[Name]>,
    /// Thread names, by thread index (those spawned after the build
    /// included, [`Trace::push_thread_name`]).
    pub threads: Vec<Name>,
}

impl Names {
    /// The name of `node`; `?` for an index with no name.
    pub fn node(&self, node: NodeId) -> &str {
        self.nodes.get(node.0 as usize).map_or("?", Name::as_str)
    }

    /// The name of `link`; `-` for none (a packet on no interface) and
    /// for an index with no name.
    pub fn link(&self, link: Option<LinkId>) -> &str {
        link.and_then(|l| self.links.get(l.0 as usize))
            .map_or("-", Name::as_str)
    }

    /// The name of thread `thread`; `?` for an index with no name.
    pub fn thread(&self, thread: u32) -> &str {
        self.threads.get(thread as usize).map_or("?", Name::as_str)
    }

    /// Appends the canonical text of one event (no newline) to `line`:
    /// `<time ns> <node> <what>`.
    pub fn write_event(&self, line: &mut String, e: &TraceEvent) {
        let _ = write!(line, "{} {} ", e.at.as_nanos(), self.node(e.node));
        let _ = match &e.kind {
            TraceKind::Call { thread, call } => {
                write!(line, "call {} {call}", self.thread(*thread))
            }
            TraceKind::Return {
                thread,
                call,
                result,
                start,
            } => {
                write!(
                    line,
                    "return {} {call} = {result} (called at {})",
                    self.thread(*thread),
                    start.as_nanos()
                )
            }
            TraceKind::Send {
                link,
                header,
                cause,
                ..
            } => match cause.is_empty() {
                true => write!(line, "send {} {header}", self.link(Some(*link))),
                false => write!(line, "send {} {header} ({cause})", self.link(Some(*link))),
            },
            TraceKind::Recv { link, header } => write!(line, "recv {} {header}", self.link(*link)),
            TraceKind::Drop {
                link,
                header,
                reason,
            } => write!(line, "drop {} {header} ({reason})", self.link(*link)),
            TraceKind::State {
                local,
                remote,
                from,
                to,
            } => write!(line, "tcp {local} > {remote} {from} -> {to}"),
            TraceKind::TimeWaitEnd { local, remote } => {
                write!(line, "tcp {local} > {remote} TIME_WAIT ended")
            }
            TraceKind::Fault { what } => write!(line, "fault {what}"),
            TraceKind::Completion { thread, what } => {
                write!(line, "complete {} {what}", self.thread(*thread))
            }
        };
    }
}

/// Events a `Full` trace keeps unless told otherwise
/// ([`Trace::keep_at_most`]): about 100 MB of memory. Past it the digest
/// still covers every event; only the kept list stops growing.
pub const DEFAULT_KEPT_EVENTS: usize = 1_000_000;

/// The trace sink of one run.
///
/// Architecture invariant: every event is streamed into the digest as it
/// happens, in every mode but `Off`; the memory a run keeps does not grow
/// with its length beyond [`Trace::keep_at_most`] events.
#[derive(Debug)]
pub struct Trace {
    mode: TraceMode,
    /// The names the canonical text uses ([`Trace::set_names`]); the
    /// report takes a copy at the end of a run.
    pub names: Names,
    events: Vec<TraceEvent>,
    /// How many events `Full` keeps at most.
    keep_max: usize,
    /// Events recorded (digested) but not kept, past `keep_max`.
    unkept: u64,
    /// The texts of the kept events, each held once.
    texts: Texts,
    hasher: Sha256,
    /// Canonical lines not yet hashed ([`Trace::HASH_BATCH_BYTES`]).
    line: Vec<u8>,
    /// Whether `hasher` has hashed any line yet: the first batch starts
    /// from `prefix`.
    hashing: bool,
    /// The hash state after the text that earlier runs began with, kept
    /// from run to run ([`Trace::renew`]).
    prefix: prefix::PrefixMemo,
    /// Where [`Trace::text_with`] writes, kept between calls.
    scratch: String,
    /// Texts of recent lines that the next may repeat.
    recent: piece::Recent,
}

impl Trace {
    /// Canonical lines are hashed in batches of about this many bytes
    /// (whole SHA-256 blocks, fewer calls into the hasher); the digest is
    /// the same as line by line.
    const HASH_BATCH_BYTES: usize = 4096;

    /// An empty trace in `mode`, keeping at most [`DEFAULT_KEPT_EVENTS`]
    /// events, with no names yet.
    pub fn new(mode: TraceMode) -> Self {
        Trace {
            mode,
            names: Names::default(),
            events: Vec::new(),
            keep_max: DEFAULT_KEPT_EVENTS,
            unkept: 0,
            texts: Texts::default(),
            hasher: Sha256::new(),
            line: Self::line_buffer(mode),
            hashing: false,
            prefix: prefix::PrefixMemo::default(),
            scratch: String::new(),
            recent: piece::Recent::default(),
        }
    }

    /// The buffer of canonical lines a trace in `mode` starts with: room
    /// for a batch, or none for a trace that hashes nothing (`Off`).
    ///
    /// Performance (issue 18, small sizes): a benchmark's world (`Off`)
    /// allocated and freed the 4.3 KB batch buffer for nothing.
    fn line_buffer(mode: TraceMode) -> Vec<u8> {
        match mode {
            TraceMode::Off => Vec::new(),
            _ => Vec::with_capacity(Self::HASH_BATCH_BYTES + 256),
        }
    }

    /// Makes this trace, whose run is over, the trace [`Trace::new`]
    /// makes in `mode`, in place, keeping its line buffer's storage: no
    /// names, no events, nothing hashed (a sweep's next seed, `Core::renew`
    /// in the engine). Every field is named, so that a new one cannot be
    /// forgotten here; the prefix memo is kept, as it holds text and its
    /// hash, nothing of the run.
    pub fn renew(&mut self, mode: TraceMode) {
        let Trace {
            mode: old_mode,
            names,
            events,
            keep_max,
            unkept,
            texts,
            hasher,
            line,
            hashing,
            prefix: _, // a memo of text and its hash, not of the run
            scratch,
            recent,
        } = self;
        *old_mode = mode;
        *names = Names::default();
        events.clear();
        *keep_max = DEFAULT_KEPT_EVENTS;
        *unkept = 0;
        *texts = Texts::default();
        *hasher = Sha256::new();
        line.clear();
        *hashing = false;
        scratch.clear();
        *recent = piece::Recent::default();
    }

    /// Keeps at most `events` events in `Full` mode (the first ones); the
    /// digest covers all of them regardless.
    pub fn keep_at_most(&mut self, events: usize) {
        self.keep_max = events;
    }

    /// Events digested but not kept, because the run went past
    /// [`Trace::keep_at_most`].
    pub fn unkept(&self) -> u64 {
        self.unkept
    }

    /// Sets the names of nodes, links and threads, by index (the scenario
    /// build does, before the first event).
    pub fn set_names(&mut self, nodes: Arc<[Name]>, links: Arc<[Name]>, threads: Vec<Name>) {
        self.names = Names {
            nodes,
            links,
            threads,
        };
    }

    /// Names a thread added after the world was built (`World::spawn`).
    pub fn push_thread_name(&mut self, name: Name) {
        self.names.threads.push(name);
    }

    /// Whether events are recorded at all (any mode but `Off`): hot paths
    /// ask before they build an event.
    pub fn is_on(&self) -> bool {
        self.mode != TraceMode::Off
    }

    /// `text` as trace text: shared with every earlier event that said it
    /// while events are being kept, a fresh copy otherwise (it is only
    /// hashed then).
    pub fn text(&mut self, text: &str) -> Text {
        if self.mode == TraceMode::Full && self.events.len() < self.keep_max {
            self.texts.intern(text)
        } else {
            Text::from(text)
        }
    }

    /// [`Trace::text`] of what `write` appends to an empty string, a buffer
    /// the trace keeps: a call's text costs one allocation, or none when
    /// it is shared.
    pub fn text_with(&mut self, write: impl FnOnce(&mut String)) -> Text {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        write(&mut scratch);
        let text = self.text(&scratch);
        self.scratch = scratch;
        text
    }

    /// Records an event. Callers on hot paths check [`Trace::is_on`] first,
    /// so that nothing is built when tracing is off.
    pub fn record(&mut self, at: SimTime, node: NodeId, kind: TraceKind) {
        if self.mode == TraceMode::Off {
            return;
        }
        let event = TraceEvent { at, node, kind };
        canonical::write_line(&self.names, &mut self.recent, &mut self.line, &event);
        self.hash_batch();
        if self.mode == TraceMode::Full {
            if self.events.len() < self.keep_max {
                self.events.push(event);
            } else {
                self.unkept += 1;
            }
        }
    }

    /// Records a call's return ([`TraceKind::Return`]) from borrowed text.
    /// The digest hashes the same line as [`Trace::record`]'s; only an
    /// event that is kept needs its result as a [`Text`], so a sweep's
    /// returns allocate nothing here (issue 18, item 5).
    pub fn record_return(&mut self, at: SimTime, node: NodeId, r: Returned<'_>) {
        match self.mode {
            TraceMode::Off => {}
            TraceMode::Full if self.events.len() < self.keep_max => {
                let kind = TraceKind::Return {
                    thread: r.thread,
                    call: r.call.clone(),
                    result: self.texts.intern(r.result),
                    start: r.start,
                };
                self.record(at, node, kind);
            }
            mode => {
                canonical::write_return(
                    &self.names,
                    &mut self.recent,
                    &mut self.line,
                    (at, node),
                    &r,
                );
                self.hash_batch();
                self.unkept += u64::from(mode == TraceMode::Full);
            }
        }
    }

    /// Hashes the canonical lines written so far once they fill a batch.
    fn hash_batch(&mut self) {
        if self.line.len() >= Self::HASH_BATCH_BYTES {
            self.hash_lines();
        }
    }

    /// Hashes every canonical line not hashed yet: [`Trace::digest`] is
    /// then a copy of the state, with nothing left to hash. The run's
    /// first batch goes through the prefix memo (`trace::prefix`), which
    /// skips the whole blocks that the runs before began with.
    pub fn hash_lines(&mut self) {
        if self.hashing {
            self.hasher.update(&self.line);
        } else {
            self.hasher = self.prefix.hash_first(&self.line);
            self.hashing = true;
        }
        self.line.clear();
    }

    /// The events kept so far (empty unless the mode is `Full`).
    pub fn events(&self) -> &[TraceEvent] {
        &self.events
    }

    /// Takes the kept events out of the trace, leaving it empty (the
    /// report owns them after the run, without a copy).
    pub fn take_events(&mut self) -> Vec<TraceEvent> {
        self.texts = Texts::default();
        let mut events = std::mem::take(&mut self.events);
        events.shrink_to_fit();
        events
    }

    /// Hex SHA-256 of the canonical text of every event so far.
    pub fn digest(&self) -> String {
        let mut hasher = self.hasher.clone();
        hasher.update(&self.line);
        let bytes = hasher.finalize();
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut hex = String::with_capacity(64);
        for b in bytes {
            hex.push(char::from(HEX[usize::from(b >> 4)]));
            hex.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        hex
    }

    /// The canonical text of one event, without the newline.
    pub fn canonical(&self, event: &TraceEvent) -> String {
        let mut line = String::new();
        self.names.write_event(&mut line, event);
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kept event is 80 bytes inline; its texts are shared (README,
    /// "Memory": under 100 bytes per kept event).
    #[test]
    fn an_event_is_at_most_80_bytes_inline() {
        assert!(size_of::<TraceEvent>() <= 80, "{}", size_of::<TraceEvent>());
    }

    /// A return recorded from borrowed text digests as the event does,
    /// kept, past the kept events, and digest only.
    #[test]
    fn a_borrowed_return_digests_as_the_event() {
        let mut by_event = Trace::new(TraceMode::DigestOnly);
        let mut capped = Trace::new(TraceMode::Full);
        capped.keep_at_most(1);
        let mut digest_only = Trace::new(TraceMode::DigestOnly);
        let call = Text::from("connect(s, 10.0.0.2:80)");
        for i in 0..3 {
            let start = SimTime(i);
            let kind = TraceKind::Return {
                thread: 0,
                call: call.clone(),
                result: Text::from("WSAECONNREFUSED"),
                start,
            };
            by_event.record(SimTime(i + 1), NodeId(0), kind);
            for t in [&mut capped, &mut digest_only] {
                let r = Returned {
                    thread: 0,
                    call: &call,
                    result: "WSAECONNREFUSED",
                    start,
                };
                t.record_return(SimTime(i + 1), NodeId(0), r);
            }
        }
        assert_eq!(capped.events().len(), 1);
        assert_eq!(capped.unkept(), 2);
        assert_eq!(capped.digest(), by_event.digest());
        assert_eq!(digest_only.digest(), by_event.digest());
    }

    /// A trace renewed after a run (a sweep's next seed) records, keeps
    /// and digests as a new one, whatever mode the run before had.
    #[test]
    fn a_renewed_trace_is_a_new_one() {
        let record = |t: &mut Trace| {
            for i in 0..300 {
                let what = format!("fault {i}"); // past a hash batch
                t.record(SimTime(i), NodeId(0), TraceKind::Fault { what });
            }
        };
        for (before, after) in [
            (TraceMode::Full, TraceMode::DigestOnly),
            (TraceMode::DigestOnly, TraceMode::Full),
            (TraceMode::Full, TraceMode::Full),
        ] {
            let mut renewed = Trace::new(before);
            renewed.keep_at_most(3);
            record(&mut renewed);
            renewed.push_thread_name("main".into());
            // The second renewal starts from the prefix the first learned.
            for _ in 0..2 {
                renewed.renew(after);
                let mut new = Trace::new(after);
                for t in [&mut renewed, &mut new] {
                    record(t);
                }
                renewed.hash_lines();
                assert_eq!(renewed.events(), new.events());
                assert_eq!(renewed.unkept(), new.unkept());
                assert_eq!(renewed.names.threads, new.names.threads);
                assert_eq!(renewed.digest(), new.digest());
            }
        }
    }

    #[test]
    fn full_keeps_the_first_events_and_digests_them_all() {
        let mut capped = Trace::new(TraceMode::Full);
        capped.keep_at_most(2);
        let mut digest_only = Trace::new(TraceMode::DigestOnly);
        for t in [&mut capped, &mut digest_only] {
            for i in 0..5 {
                let what = format!("fault {i}");
                t.record(SimTime(i), NodeId(0), TraceKind::Fault { what });
            }
        }
        assert_eq!(capped.events().len(), 2);
        assert_eq!(capped.unkept(), 3);
        assert_eq!(capped.digest(), digest_only.digest());
    }
}
