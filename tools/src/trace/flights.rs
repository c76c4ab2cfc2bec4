//! Packets in flight: each `Send` paired with the event that ended it.
//!
//! An arrival over a link from `a` ends the oldest packet `a` sent on that
//! link with the same header and not yet ended: a link is FIFO in each
//! direction unless a fault reorders it (`sim/src/net/link.rs`), and equal
//! headers are indistinguishable anyway. An arrival that matches nothing
//! pending is a copy the link duplicated, counted on the packet that
//! arrived last from `a` with that header. The engine traces a link's drop (down, lost) at the
//! sender right after the `Send` (`Core::transmit`); a drop on arrival
//! ("not addressed to this host") is traced at the receiver with the link; a
//! node that receives a packet and then discards it (a router without an ARP
//! answer, a host's TCP input) traces a drop without a link right after the
//! `Recv`.

use std::collections::{BTreeMap, VecDeque};

use simsock_model::PacketHeader;
use simsock_sim::net::{LinkId, NodeId};
use simsock_sim::trace::{TraceEvent, TraceKind};

use super::capture::Capture;

/// How a packet's flight ended; each variant holds the index of that event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// It arrived (`Recv` at the far end).
    Arrived(usize),
    /// The link dropped it (down, lost): traced at the sender.
    Lost(usize),
    /// The far end refused it on arrival (traced with the link).
    Refused(usize),
    /// The run ended first.
    InFlight,
}

/// One packet sent on a link.
#[derive(Clone, Debug)]
pub struct Flight {
    /// Index of the `Send` event.
    pub send: usize,
    pub from: NodeId,
    pub to: NodeId,
    pub end: End,
    /// A drop without a link right after the arrival: the receiver
    /// discarded the packet (index of that `Drop`).
    pub discarded: Option<usize>,
    /// Extra copies that arrived (a link that duplicates).
    pub copies: u32,
}

/// Every flight of a trace, and which flight each event belongs to.
#[derive(Debug, Default)]
pub struct Flights {
    pub flights: Vec<Flight>,
    /// For each event: the flight it sends, ends or discards, if any.
    pub of_event: Vec<Option<usize>>,
}

impl Flights {
    /// The flight a `Send` event started.
    pub fn started_by(&self, event: usize) -> Option<&Flight> {
        let flight = &self.flights[self.of_event[event]?];
        (flight.send == event).then_some(flight)
    }
}

/// Pairs sends with their ends in one pass over the trace.
pub fn pair(capture: &Capture) -> Flights {
    let mut pairing = Pairing::default();
    pairing.flights.of_event = vec![None; capture.events.len()];
    for (i, e) in capture.events.iter().enumerate() {
        pairing.event(capture, i, e);
    }
    pairing.flights
}

#[derive(Default)]
struct Pairing {
    flights: Flights,
    /// Flights not yet ended, per link and sending node, oldest first.
    queues: BTreeMap<(LinkId, NodeId), VecDeque<usize>>,
    /// The last flight that arrived at each node, with its arrival index.
    last_arrival: BTreeMap<NodeId, (usize, usize)>,
    /// The last flight that arrived per link and sending node.
    last_over: BTreeMap<(LinkId, NodeId), usize>,
}

impl Pairing {
    fn event(&mut self, capture: &Capture, i: usize, e: &TraceEvent) {
        match &e.kind {
            TraceKind::Send { link, .. } => self.send(capture, i, e.node, *link),
            TraceKind::Recv {
                link: Some(link),
                header,
            } => self.arrive(capture, i, e.node, *link, header, End::Arrived(i)),
            TraceKind::Drop {
                link: Some(link),
                header,
                ..
            } => self.dropped_on(capture, i, e.node, *link, header),
            TraceKind::Drop {
                link: None, header, ..
            } => self.discard(capture, i, e, header),
            _ => {}
        }
    }

    fn send(&mut self, capture: &Capture, i: usize, from: NodeId, link: LinkId) {
        let index = self.flights.flights.len();
        self.flights.flights.push(Flight {
            send: i,
            from,
            to: capture.link(link).other(from),
            end: End::InFlight,
            discarded: None,
            copies: 0,
        });
        self.flights.of_event[i] = Some(index);
        self.queues
            .entry((link, from))
            .or_default()
            .push_back(index);
    }

    /// A drop with a link: the link's own (right after the `Send`), or the
    /// receiver's on arrival.
    fn dropped_on(
        &mut self,
        capture: &Capture,
        i: usize,
        node: NodeId,
        link: LinkId,
        header: &PacketHeader,
    ) {
        if !self.lost(capture, i, node, link, header) {
            self.arrive(capture, i, node, link, header, End::Refused(i));
        }
    }

    /// A link drop follows its `Send` at once, at the same node; true if
    /// this drop is one.
    fn lost(
        &mut self,
        capture: &Capture,
        i: usize,
        node: NodeId,
        link: LinkId,
        header: &PacketHeader,
    ) -> bool {
        let Some(prev) = i.checked_sub(1) else {
            return false;
        };
        let p = &capture.events[prev];
        let same = matches!(&p.kind, TraceKind::Send { link: l, header: h, .. }
            if *l == link && h == header && p.node == node);
        let Some(index) = self.flights.of_event[prev].filter(|_| same) else {
            return false;
        };
        if let Some(queue) = self.queues.get_mut(&(link, node)) {
            queue.retain(|&f| f != index);
        }
        self.flights.flights[index].end = End::Lost(i);
        self.flights.of_event[i] = Some(index);
        true
    }

    fn arrive(
        &mut self,
        capture: &Capture,
        i: usize,
        node: NodeId,
        link: LinkId,
        header: &PacketHeader,
        end: End,
    ) {
        let from = capture.link(link).other(node);
        let flights = &self.flights.flights;
        let queue = self.queues.entry((link, from)).or_default();
        let pending = queue
            .iter()
            .position(|&f| sent_header(capture, &flights[f]) == Some(header));
        let index = match pending.and_then(|p| queue.remove(p)) {
            Some(index) => index,
            None => return self.copy(capture, i, link, from, header),
        };
        self.flights.flights[index].end = end;
        self.flights.of_event[i] = Some(index);
        self.last_arrival.insert(node, (i, index));
        self.last_over.insert((link, from), index);
    }

    /// An arrival with nothing pending: a copy of the last packet that
    /// arrived over the link from `from`, if it has the same header.
    fn copy(&mut self, capture: &Capture, i: usize, link: LinkId, from: NodeId, h: &PacketHeader) {
        let Some(&index) = self.last_over.get(&(link, from)) else {
            return;
        };
        let flight = &mut self.flights.flights[index];
        if sent_header(capture, flight) == Some(h) {
            flight.copies += 1;
            self.flights.of_event[i] = Some(index);
        }
    }

    /// A drop without a link right after an arrival of the same packet at
    /// the same node and time.
    fn discard(&mut self, capture: &Capture, i: usize, e: &TraceEvent, header: &PacketHeader) {
        let Some(&(arrival, index)) = self.last_arrival.get(&e.node) else {
            return;
        };
        let a = &capture.events[arrival];
        let same = a.at == e.at
            && matches!(&a.kind, TraceKind::Recv { header: h, .. } if same_but_ttl(h, header))
            && self.flights.flights[index].discarded.is_none();
        if same {
            self.flights.flights[index].discarded = Some(i);
            self.flights.of_event[i] = Some(index);
        }
    }
}

/// Equal headers but for the TTL, which a router decrements before it
/// finds it cannot forward.
fn same_but_ttl(a: &PacketHeader, b: &PacketHeader) -> bool {
    PacketHeader { ttl: 0, ..*a } == PacketHeader { ttl: 0, ..*b }
}

/// The header a flight's `Send` carried.
pub fn sent_header<'a>(capture: &'a Capture, flight: &Flight) -> Option<&'a PacketHeader> {
    match &capture.events[flight.send].kind {
        TraceKind::Send { header, .. } => Some(header),
        _ => None,
    }
}
