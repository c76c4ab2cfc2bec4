//! The trace: every call, return, packet, state change, timer and fault as one
//! ordered stream of events. Every view (the CLI's listing, JSON, and later
//! ladder, pcap and Mermaid) is a projection of it.
//!
//! Architecture invariant: the digest is SHA-256 over the canonical text of
//! the events, one line each (`<time ns> <node> <what>`), so equal digests
//! mean byte-for-byte equal traces on every build and machine.

use std::fmt::Write as _;
use std::net::SocketAddrV4;

use sha2::{Digest, Sha256};
use simsock_model::{PacketHeader, SimTime, TcpState};

use crate::net::{LinkId, NodeId};

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
    Call { thread: u32, call: String },
    /// The call returned `result` ("OK", a value, or a WSA name).
    Return {
        thread: u32,
        call: String,
        result: String,
        start: SimTime,
    },
    /// A node put a packet on a link.
    Send {
        link: LinkId,
        header: PacketHeader,
        len: u32,
        cause: &'static str,
    },
    /// A packet arrived at a node.
    Recv {
        link: Option<LinkId>,
        header: PacketHeader,
    },
    /// A packet was dropped: on a link, or by a node.
    Drop {
        link: Option<LinkId>,
        header: PacketHeader,
        reason: &'static str,
    },
    /// A TCP connection changed state (RFC 9293 §3.3.2).
    State {
        local: SocketAddrV4,
        remote: SocketAddrV4,
        from: TcpState,
        to: TcpState,
    },
    /// A TIME_WAIT record ended and released its four-tuple (CB-T1).
    TimeWaitEnd {
        local: SocketAddrV4,
        remote: SocketAddrV4,
    },
    /// A fault took effect.
    Fault { what: String },
}

/// One trace event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEvent {
    pub at: SimTime,
    pub node: NodeId,
    pub kind: TraceKind,
}

/// The trace sink of one run.
#[derive(Debug)]
pub struct Trace {
    mode: TraceMode,
    node_names: Vec<String>,
    link_names: Vec<String>,
    thread_names: Vec<String>,
    events: Vec<TraceEvent>,
    hasher: Sha256,
    line: String,
}

impl Trace {
    pub fn new(mode: TraceMode) -> Self {
        Trace {
            mode,
            node_names: Vec::new(),
            link_names: Vec::new(),
            thread_names: Vec::new(),
            events: Vec::new(),
            hasher: Sha256::new(),
            line: String::new(),
        }
    }

    pub fn set_names(&mut self, nodes: Vec<String>, links: Vec<String>, threads: Vec<String>) {
        self.node_names = nodes;
        self.link_names = links;
        self.thread_names = threads;
    }

    pub fn is_on(&self) -> bool {
        self.mode != TraceMode::Off
    }

    /// Records an event; call only when [`Trace::is_on`] (the callers skip
    /// building events altogether when tracing is off).
    pub fn record(&mut self, at: SimTime, node: NodeId, kind: TraceKind) {
        if self.mode == TraceMode::Off {
            return;
        }
        let event = TraceEvent { at, node, kind };
        self.line.clear();
        self.write_line(&event);
        self.line.push('\n');
        self.hasher.update(self.line.as_bytes());
        if self.mode == TraceMode::Full {
            self.events.push(event);
        }
    }

    /// The events kept so far (empty unless the mode is `Full`).
    pub fn events(&self) -> &[TraceEvent] {
        &self.events
    }

    /// Hex SHA-256 of the canonical text of every event so far.
    pub fn digest(&self) -> String {
        let bytes = self.hasher.clone().finalize();
        bytes.iter().fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    }

    pub fn node_name(&self, node: NodeId) -> &str {
        self.node_names
            .get(node.0 as usize)
            .map_or("?", String::as_str)
    }

    pub fn link_name(&self, link: LinkId) -> &str {
        self.link_names
            .get(link.0 as usize)
            .map_or("?", String::as_str)
    }

    pub fn thread_name(&self, thread: u32) -> &str {
        self.thread_names
            .get(thread as usize)
            .map_or("?", String::as_str)
    }

    /// The canonical text of one event, without the newline.
    pub fn canonical(&self, event: &TraceEvent) -> String {
        let mut t = Trace::new(TraceMode::Off);
        t.node_names.clone_from(&self.node_names);
        t.link_names.clone_from(&self.link_names);
        t.thread_names.clone_from(&self.thread_names);
        t.write_line(event);
        t.line
    }

    fn write_line(&mut self, e: &TraceEvent) {
        let node = self
            .node_names
            .get(e.node.0 as usize)
            .map_or("?", String::as_str);
        let _ = write!(self.line, "{} {} ", e.at.as_nanos(), node);
        let link = |l: Option<LinkId>| match l {
            Some(l) => self
                .link_names
                .get(l.0 as usize)
                .map_or("?", String::as_str),
            None => "-",
        };
        let thread = |t: u32| {
            self.thread_names
                .get(t as usize)
                .map_or("?", String::as_str)
        };
        let _ = match &e.kind {
            TraceKind::Call { thread: t, call } => write!(self.line, "call {} {call}", thread(*t)),
            TraceKind::Return {
                thread: t,
                call,
                result,
                start,
            } => {
                write!(
                    self.line,
                    "return {} {call} = {result} (called at {})",
                    thread(*t),
                    start.as_nanos()
                )
            }
            TraceKind::Send {
                link: l,
                header,
                cause,
                ..
            } => {
                let cause = if cause.is_empty() {
                    String::new()
                } else {
                    format!(" ({cause})")
                };
                write!(self.line, "send {} {header}{cause}", link(Some(*l)))
            }
            TraceKind::Recv { link: l, header } => write!(self.line, "recv {} {header}", link(*l)),
            TraceKind::Drop {
                link: l,
                header,
                reason,
            } => write!(self.line, "drop {} {header} ({reason})", link(*l)),
            TraceKind::State {
                local,
                remote,
                from,
                to,
            } => write!(self.line, "tcp {local} > {remote} {from} -> {to}"),
            TraceKind::TimeWaitEnd { local, remote } => {
                write!(self.line, "tcp {local} > {remote} TIME_WAIT ended")
            }
            TraceKind::Fault { what } => write!(self.line, "fault {what}"),
        };
    }
}
