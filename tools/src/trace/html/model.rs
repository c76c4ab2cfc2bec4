//! The page's data: one JSON object holding everything the viewer draws,
//! projected from the capture (README, "One trace, many views"): the
//! events in trace order with their rows on the time axis, the packets
//! (one per `Send`, paired with its end by [`flights`]) with their layers,
//! a lane of TCP states per connection, the calls of each thread with
//! their `why:` chains ([`super::calls`]), and the faults.

use std::collections::BTreeMap;
use std::net::SocketAddrV4;

use serde::Serialize;
use simsock_model::packet::Proto;
use simsock_model::{PacketHeader, TcpFlags, Transport};
use simsock_sim::trace::{TraceEvent, TraceKind};

use super::calls::{self, Call};
use super::layers::{self, Layer};
use super::scale::{self, Layout};
use crate::trace::capture::Capture;
use crate::trace::flights::{self, End, Flights};
use crate::trace::label::{LEGEND, Relative};
use crate::trace::pcap::Originals;
use crate::trace::{frame, l2};

/// The whole page's data.
#[derive(Debug, Serialize)]
pub struct Page<'a> {
    pub scenario: &'a str,
    pub seed: u64,
    pub digest: &'a str,
    pub end_ns: u64,
    pub passed: bool,
    pub failures: &'a [String],
    pub legend: &'static str,
    pub nodes: Vec<Node>,
    pub events: Vec<Event>,
    pub packets: Vec<Packet>,
    pub lanes: Vec<Lane>,
    pub calls: Vec<Call>,
    pub layout: Layout,
}

#[derive(Debug, Serialize)]
pub struct Node {
    pub name: String,
    pub addrs: Vec<String>,
}

/// One trace event.
#[derive(Debug, Serialize)]
pub struct Event {
    pub t: u64,
    pub node: u32,
    /// `call`, `return`, `send`, `recv`, `drop`, `state`, `tw_end`,
    /// `fault`, `complete`.
    pub kind: &'static str,
    /// The event's canonical text without its time and node.
    pub text: String,
    /// The packet it sends, ends or discards.
    pub packet: Option<usize>,
    /// The connection it belongs to (see [`conn`]).
    pub conn: Option<String>,
    /// The call it starts or returns, by index in `calls`.
    pub call: Option<usize>,
}

/// One packet put on a link.
#[derive(Debug, Serialize)]
pub struct Packet {
    pub send: usize,
    /// The arrival, link drop or refusal that ended it.
    pub end: Option<usize>,
    /// The drop inside the receiver that discarded it after arrival.
    pub discard: Option<usize>,
    pub from: u32,
    pub to: u32,
    pub link: String,
    /// `SYN,ACK seq=0 ack=1`.
    pub label: String,
    pub cause: &'static str,
    /// `arrived`, `lost`, `refused`, `in flight`.
    pub fate: &'static str,
    pub reason: &'static str,
    /// `syn`, `synack`, `ack`, `data`, `fin`, `rst`, `udp`, `icmp`.
    pub kind: &'static str,
    pub conn: String,
    pub copies: u32,
    pub bytes: usize,
    pub layers: Vec<Layer>,
}

/// The TCP states of one end of a connection over time.
#[derive(Debug, Serialize)]
pub struct Lane {
    pub node: u32,
    pub local: String,
    pub remote: String,
    pub conn: String,
    /// The state before the first change.
    pub first: &'static str,
    /// Each change: the event and the state entered.
    pub states: Vec<(usize, &'static str)>,
    /// The event where a TIME_WAIT record ended, if it did.
    pub ended: Option<usize>,
}

/// Builds the page's data.
pub fn page(capture: &Capture) -> Page<'_> {
    let flights = flights::pair(capture);
    let packets = packets(capture, &flights);
    let lanes = lanes(capture);
    let (calls, returns) = calls::calls(capture);
    let times: Vec<u64> = capture.events.iter().map(|e| e.at.as_nanos()).collect();
    let joined: Vec<bool> = (0..capture.events.len())
        .map(|i| calls::returns_at_once(capture, i))
        .collect();
    let events = capture
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| event(capture, &flights, &packets, &returns, i, e))
        .collect();
    Page {
        scenario: &capture.scenario,
        seed: capture.seed,
        digest: &capture.digest,
        end_ns: capture.end.as_nanos(),
        passed: capture.passed,
        failures: &capture.failures,
        legend: LEGEND,
        nodes: capture
            .nodes
            .iter()
            .map(|n| Node {
                name: n.name.clone(),
                addrs: n.addrs.iter().map(ToString::to_string).collect(),
            })
            .collect(),
        events,
        packets,
        lanes,
        calls,
        layout: scale::layout(&times, &joined),
    }
}

fn event(
    capture: &Capture,
    flights: &Flights,
    packets: &[Packet],
    returns: &BTreeMap<usize, usize>,
    i: usize,
    e: &TraceEvent,
) -> Event {
    let packet = flights.of_event[i];
    let conn = match &e.kind {
        TraceKind::State { local, remote, .. } | TraceKind::TimeWaitEnd { local, remote } => {
            Some(pair("tcp", *local, *remote))
        }
        TraceKind::Recv { header, .. } | TraceKind::Drop { header, .. } => Some(conn(header)),
        _ => packet.map(|p| packets[p].conn.clone()),
    };
    let kind = match e.kind {
        TraceKind::Call { .. } => "call",
        TraceKind::Return { .. } => "return",
        TraceKind::Send { .. } => "send",
        TraceKind::Recv { .. } => "recv",
        TraceKind::Drop { .. } => "drop",
        TraceKind::State { .. } => "state",
        TraceKind::TimeWaitEnd { .. } => "tw_end",
        TraceKind::Fault { .. } => "fault",
        TraceKind::Completion { .. } => "complete",
    };
    Event {
        t: e.at.as_nanos(),
        node: e.node.0,
        kind,
        text: what(capture, e),
        packet,
        conn,
        call: returns.get(&i).copied(),
    }
}

/// The canonical text of an event without its leading `<time> <node> `.
fn what(capture: &Capture, e: &TraceEvent) -> String {
    let mut line = String::new();
    capture.names.write_event(&mut line, e);
    let prefix = format!("{} {} ", e.at.as_nanos(), capture.names.node(e.node));
    match line.strip_prefix(&prefix) {
        Some(rest) => rest.to_string(),
        None => line,
    }
}

/// Every packet, with its label, fate and layers.
fn packets(capture: &Capture, flights: &Flights) -> Vec<Packet> {
    let mut relative = Relative::default();
    let mut originals = Originals::default();
    let layer = l2::resolve(capture, flights);
    let mut out = Vec::with_capacity(flights.flights.len());
    for (i, e) in capture.events.iter().enumerate() {
        originals.see(e);
        let TraceKind::Send {
            link,
            header,
            cause,
            ..
        } = &e.kind
        else {
            continue;
        };
        let Some(flight) = flights.started_by(i) else {
            continue;
        };
        let label = relative.label(header);
        // Idempotent after `label`: the same SYN teaches the same ISN.
        let numbers = match header.transport {
            Transport::Tcp(tcp) => {
                let (seq, ack) = relative.numbers(header, &tcp);
                Some(layers::Relative { seq, ack })
            }
            _ => None,
        };
        let macs = layer.macs[flights.of_event[i].unwrap_or_default()];
        let (src, dst) = (macs.src, macs.dst);
        let bytes =
            frame::ethernet(header, src, dst, originals.quoted_by(header)).unwrap_or_default();
        let (fate, end, reason) = fate(capture, flight.end);
        out.push(Packet {
            send: i,
            end,
            discard: flight.discarded,
            from: flight.from.0,
            to: flight.to.0,
            link: capture.link(*link).name.clone(),
            label,
            cause,
            fate,
            reason,
            kind: kind(header),
            conn: conn(header),
            copies: flight.copies,
            bytes: bytes.len(),
            layers: layers::layers(&bytes, numbers),
        });
    }
    out
}

fn fate(capture: &Capture, end: End) -> (&'static str, Option<usize>, &'static str) {
    let reason = |i: usize| match capture.events[i].kind {
        TraceKind::Drop { reason, .. } => reason,
        _ => "",
    };
    match end {
        End::Arrived(i) => ("arrived", Some(i), ""),
        End::Lost(i) => ("lost", Some(i), reason(i)),
        End::Refused(i) => ("refused", Some(i), reason(i)),
        End::InFlight => ("in flight", None, ""),
    }
}

/// The packet kind the filters and colours use.
fn kind(header: &PacketHeader) -> &'static str {
    match header.transport {
        Transport::Tcp(tcp) => {
            let f = tcp.flags;
            if f.has(TcpFlags::RST) {
                "rst"
            } else if f.has(TcpFlags::SYN) && f.has(TcpFlags::ACK) {
                "synack"
            } else if f.has(TcpFlags::SYN) {
                "syn"
            } else if f.has(TcpFlags::FIN) {
                "fin"
            } else if tcp.len > 0 {
                "data"
            } else {
                "ack"
            }
        }
        Transport::Udp { .. } => "udp",
        Transport::Unreachable(_) => "icmp",
    }
}

/// The connection a packet belongs to, the same in both directions: `tcp
/// 10.0.0.1:49152 10.0.0.2:80`, ends in address order. An ICMP message
/// belongs to the datagram it reports.
pub fn conn(header: &PacketHeader) -> String {
    let at = |port| (SocketAddrV4::new(header.src, port), header.dst);
    match header.transport {
        Transport::Tcp(t) => {
            let (a, _) = at(t.src_port);
            pair("tcp", a, SocketAddrV4::new(header.dst, t.dst_port))
        }
        Transport::Udp {
            src_port, dst_port, ..
        } => {
            let (a, _) = at(src_port);
            pair("udp", a, SocketAddrV4::new(header.dst, dst_port))
        }
        Transport::Unreachable(u) => {
            let proto = if u.orig_proto == Proto::Udp {
                "udp"
            } else {
                "tcp"
            };
            pair(proto, u.orig_src, u.orig_dst)
        }
    }
}

fn pair(proto: &str, a: SocketAddrV4, b: SocketAddrV4) -> String {
    let (lo, hi) = if (a.ip(), a.port()) <= (b.ip(), b.port()) {
        (a, b)
    } else {
        (b, a)
    };
    format!("{proto} {lo} {hi}")
}

/// One lane per (node, local, remote), in order of first appearance.
fn lanes(capture: &Capture) -> Vec<Lane> {
    let mut index: BTreeMap<(u32, SocketAddrV4, SocketAddrV4), usize> = BTreeMap::new();
    let mut lanes: Vec<Lane> = Vec::new();
    for (i, e) in capture.events.iter().enumerate() {
        let (local, remote) = match &e.kind {
            TraceKind::State { local, remote, .. } | TraceKind::TimeWaitEnd { local, remote } => {
                (*local, *remote)
            }
            _ => continue,
        };
        let at = *index.entry((e.node.0, local, remote)).or_insert_with(|| {
            let first = match &e.kind {
                TraceKind::State { from, .. } => from.name(),
                _ => "TIME_WAIT",
            };
            lanes.push(Lane {
                node: e.node.0,
                local: local.to_string(),
                remote: remote.to_string(),
                conn: pair("tcp", local, remote),
                first,
                states: Vec::new(),
                ended: None,
            });
            lanes.len() - 1
        });
        match &e.kind {
            TraceKind::State { to, .. } => lanes[at].states.push((i, to.name())),
            _ => lanes[at].ended = Some(i),
        }
    }
    lanes
}
