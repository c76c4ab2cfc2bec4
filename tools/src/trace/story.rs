//! The trace as the diagrams tell it: a list of steps in trace order, each a
//! packet (from its `Send` to the event that ended it) or a note beside one
//! node (a call and its result, a TCP state change, a drop, a fault). The
//! ladder and Mermaid views draw the same steps.

use std::collections::{BTreeMap, BTreeSet};

use simsock_model::{PacketHeader, SimTime};
use simsock_sim::net::NodeId;
use simsock_sim::trace::{TraceEvent, TraceKind};

use super::capture::Capture;
use super::flights::{self, End, Flights};
use super::label::Relative;

/// How a piece of text is coloured on a terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Plain,
    /// Times, lifelines and secondary text.
    Dim,
    Ok,
    Error,
    State,
    Packet,
    Drop,
    Fault,
}

/// A piece of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub tone: Tone,
}

/// How a packet's flight ended, for drawing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Arrived,
    /// The link dropped it, with the reason.
    Lost(&'static str),
    /// The far end dropped it on arrival.
    Refused(&'static str),
    InFlight,
}

/// What a step shows.
#[derive(Clone, Debug)]
pub enum What {
    Packet {
        from: NodeId,
        to: NodeId,
        /// `SYN seq=0`.
        label: String,
        /// The simulated cause of the send, if any (`retransmission`).
        cause: &'static str,
        fate: Fate,
    },
    Note {
        node: NodeId,
        spans: Vec<Span>,
    },
}

/// One row of the story.
#[derive(Clone, Debug)]
pub struct Step {
    pub at: SimTime,
    pub what: What,
}

/// Tells the capture's trace as steps.
pub fn tell(capture: &Capture) -> Vec<Step> {
    let mut teller = Teller {
        capture,
        flights: flights::pair(capture),
        relative: Relative::default(),
        labels: BTreeMap::new(),
        port_nodes: nodes_with_several_ports(capture),
        steps: Vec::new(),
    };
    let mut i = 0;
    while i < capture.events.len() {
        i += teller.event(i);
    }
    teller.steps
}

struct Teller<'a> {
    capture: &'a Capture,
    flights: Flights,
    relative: Relative,
    /// The label of each flight, by flight index.
    labels: BTreeMap<usize, String>,
    /// Nodes whose state notes name the local port (more than one in use).
    port_nodes: BTreeSet<NodeId>,
    steps: Vec<Step>,
}

impl Teller<'_> {
    /// Tells event `i`; returns how many events it used (a call and the
    /// return right after it make one note).
    fn event(&mut self, i: usize) -> usize {
        let e = &self.capture.events[i];
        match &e.kind {
            TraceKind::Call { thread, call } => return self.call(i, *thread, call),
            TraceKind::Return {
                thread,
                call,
                result,
                ..
            } => self.returned(e, *thread, call, result),
            TraceKind::Send { .. } => self.send(i),
            TraceKind::Recv { link, header } => self.recv(i, link.is_some(), header),
            TraceKind::Drop { header, reason, .. } => match self.flights.of_event[i] {
                Some(f) if self.flights.flights[f].discarded == Some(i) => {
                    let label = self.labels.get(&f).cloned().unwrap_or_default();
                    self.note(
                        e,
                        vec![span(format!("✗ {label} dropped: {reason}"), Tone::Drop)],
                    );
                }
                Some(_) => {}
                None => {
                    let label = self.relative.label(header);
                    self.note(
                        e,
                        vec![span(format!("✗ {label} dropped: {reason}"), Tone::Drop)],
                    );
                }
            },
            TraceKind::State { local, to, .. } => {
                let text = format!("{}{to}", self.port(e.node, local.port()));
                self.note(e, vec![span(text, Tone::State)]);
            }
            TraceKind::TimeWaitEnd { local, .. } => {
                let text = format!("{}TIME_WAIT ended", self.port(e.node, local.port()));
                self.note(e, vec![span(text, Tone::State)]);
            }
            TraceKind::Fault { what } => {
                self.note(e, vec![span(format!("fault: {what}"), Tone::Fault)]);
            }
            TraceKind::Completion { what, .. } => {
                self.note(e, vec![span(format!("completed: {what}"), Tone::State)]);
            }
        }
        1
    }

    fn call(&mut self, i: usize, thread: u32, call: &str) -> usize {
        let e = &self.capture.events[i];
        let who = self.capture.names.thread(thread);
        let returned = self.capture.events.get(i + 1).and_then(|n| match &n.kind {
            TraceKind::Return {
                thread: t,
                call: c,
                result,
                ..
            } if *t == thread && c == call => Some(result),
            _ => None,
        });
        if let Some(result) = returned {
            let spans = vec![
                span(format!("{who}: {call} → "), Tone::Plain),
                result_span(result),
            ];
            self.note(e, spans);
            return 2;
        }
        self.note(e, vec![span(format!("{who}: {call} …"), Tone::Plain)]);
        1
    }

    fn returned(&mut self, e: &TraceEvent, thread: u32, call: &str, result: &str) {
        let who = self.capture.names.thread(thread);
        let spans = vec![
            span(format!("{who}: {call} → "), Tone::Plain),
            result_span(result),
        ];
        self.note(e, spans);
    }

    fn send(&mut self, i: usize) {
        let e = &self.capture.events[i];
        let TraceKind::Send { header, cause, .. } = &e.kind else {
            return;
        };
        let label = self.relative.label(header);
        let Some(flight) = self.flights.started_by(i) else {
            return;
        };
        let fate = match flight.end {
            End::Arrived(_) => Fate::Arrived,
            End::Lost(d) => Fate::Lost(drop_reason(&self.capture.events[d])),
            End::Refused(d) => Fate::Refused(drop_reason(&self.capture.events[d])),
            End::InFlight => Fate::InFlight,
        };
        let what = What::Packet {
            from: flight.from,
            to: flight.to,
            label: label.clone(),
            cause,
            fate,
        };
        if let Some(index) = self.flights.of_event[i] {
            self.labels.insert(index, label);
        }
        self.steps.push(Step { at: e.at, what });
    }

    /// An arrival that is not the end of a flight: a copy the link made, or
    /// a packet that came over no link.
    fn recv(&mut self, i: usize, over_link: bool, header: &PacketHeader) {
        let e = &self.capture.events[i];
        let text = match self.flights.of_event[i] {
            Some(f) if self.flights.flights[f].end == End::Arrived(i) => return,
            Some(f) => {
                let label = self.labels.get(&f).cloned().unwrap_or_default();
                format!("← {label} again (a copy the link made)")
            }
            None if over_link => format!("← {}", self.relative.label(header)),
            None => format!("← {} (delivered locally)", self.relative.label(header)),
        };
        self.note(e, vec![span(text, Tone::Packet)]);
    }

    fn note(&mut self, e: &TraceEvent, spans: Vec<Span>) {
        let what = What::Note {
            node: e.node,
            spans,
        };
        self.steps.push(Step { at: e.at, what });
    }

    /// `:49152 ` on nodes with several local ports, else nothing.
    fn port(&self, node: NodeId, port: u16) -> String {
        if self.port_nodes.contains(&node) {
            format!(":{port} ")
        } else {
            String::new()
        }
    }
}

fn span(text: String, tone: Tone) -> Span {
    Span { text, tone }
}

/// `OK (...)` in green, a WSA error in red.
fn result_span(result: &str) -> Span {
    let tone = if result.starts_with("WSA") {
        Tone::Error
    } else {
        Tone::Ok
    };
    span(result.to_string(), tone)
}

fn drop_reason(e: &TraceEvent) -> &'static str {
    match e.kind {
        TraceKind::Drop { reason, .. } => reason,
        _ => "",
    }
}

/// Nodes whose TCP state changes involve more than one local port.
fn nodes_with_several_ports(capture: &Capture) -> BTreeSet<NodeId> {
    let mut ports: BTreeMap<NodeId, BTreeSet<u16>> = BTreeMap::new();
    for e in &capture.events {
        if let TraceKind::State { local, .. } | TraceKind::TimeWaitEnd { local, .. } = &e.kind {
            ports.entry(e.node).or_default().insert(local.port());
        }
    }
    ports
        .into_iter()
        .filter(|(_, p)| p.len() > 1)
        .map(|(node, _)| node)
        .collect()
}
