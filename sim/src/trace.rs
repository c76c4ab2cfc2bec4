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
    /// An overlapped operation that `thread` started completed (ConnectEx
    /// family, CB-X4): `what` names it and its outcome.
    Completion { thread: u32, what: String },
}

/// One trace event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEvent {
    pub at: SimTime,
    pub node: NodeId,
    pub kind: TraceKind,
}

/// The names the canonical text uses for nodes, links and threads.
#[derive(Clone, Debug, Default)]
pub struct Names {
    pub nodes: Vec<String>,
    pub links: Vec<String>,
    pub threads: Vec<String>,
}

impl Names {
    pub fn node(&self, node: NodeId) -> &str {
        self.nodes.get(node.0 as usize).map_or("?", String::as_str)
    }

    pub fn link(&self, link: Option<LinkId>) -> &str {
        link.and_then(|l| self.links.get(l.0 as usize))
            .map_or("-", String::as_str)
    }

    pub fn thread(&self, thread: u32) -> &str {
        self.threads
            .get(thread as usize)
            .map_or("?", String::as_str)
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

/// The trace sink of one run.
#[derive(Debug)]
pub struct Trace {
    mode: TraceMode,
    pub names: Names,
    events: Vec<TraceEvent>,
    hasher: Sha256,
    line: String,
}

impl Trace {
    pub fn new(mode: TraceMode) -> Self {
        Trace {
            mode,
            names: Names::default(),
            events: Vec::new(),
            hasher: Sha256::new(),
            line: String::new(),
        }
    }

    pub fn set_names(&mut self, nodes: Vec<String>, links: Vec<String>, threads: Vec<String>) {
        self.names = Names {
            nodes,
            links,
            threads,
        };
    }

    /// Names a thread added after the world was built (`World::spawn`).
    pub fn push_thread_name(&mut self, name: String) {
        self.names.threads.push(name);
    }

    pub fn is_on(&self) -> bool {
        self.mode != TraceMode::Off
    }

    /// Records an event. Callers on hot paths check [`Trace::is_on`] first,
    /// so that nothing is built when tracing is off.
    pub fn record(&mut self, at: SimTime, node: NodeId, kind: TraceKind) {
        if self.mode == TraceMode::Off {
            return;
        }
        let event = TraceEvent { at, node, kind };
        self.line.clear();
        self.names.write_event(&mut self.line, &event);
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

    /// The canonical text of one event, without the newline.
    pub fn canonical(&self, event: &TraceEvent) -> String {
        let mut line = String::new();
        self.names.write_event(&mut line, event);
        line
    }
}
