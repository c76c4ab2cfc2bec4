//! The pcap view: a pcapng file for Wireshark or tshark.
//!
//! Block layout (pcapng, draft-ietf-opsawg-pcapng):
//! - one Section Header Block (§4.1), little-endian on every machine so the
//!   file is the same byte for byte, with a comment saying what is made up;
//! - one Interface Description Block (§4.2) per link, named after it, with
//!   `if_tsresol` = 9 so timestamps count nanoseconds of simulated time
//!   from 0; then one per node that delivered or dropped a packet inside
//!   itself (no link carried it), named `<node> (inside)`;
//! - one Enhanced Packet Block (§4.3) per packet when it was put on its
//!   link (the trace's `Send`), or inside a node; its `opt_comment` (§3.5)
//!   names the simulated cause (`retransmission`, `reset: no listener`)
//!   and what became of it (`dropped: link down`).
//!
//! Frames come from [`super::frame`]; payload bytes are zeros of the traced
//! length.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::net::SocketAddrV4;
use std::time::Duration;

use pcap_file::pcapng::PcapNgWriter;
use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::blocks::section_header::{SectionHeaderBlock, SectionHeaderOption};
use pcap_file::{DataLink, Endianness, PcapError};
use simsock_model::{PacketHeader, Transport};
use simsock_sim::net::{LinkId, NodeId};
use simsock_sim::trace::{TraceEvent, TraceKind};

use super::capture::Capture;
use super::flights::{self, End, Flight, Flights};
use super::frame;

/// `if_tsresol` 9: timestamps in units of 10^-9 s (pcapng §4.2).
const NANOSECONDS: u8 = 9;
/// Larger than any frame written.
const SNAPLEN: u32 = 65_535 + 14;

const SECTION_COMMENT: &str = "Written by simsock from a simulated run. Timestamps are \
simulated time from 0. Payload bytes are not in the trace: each payload is that many \
zero bytes. MAC addresses are made up (02:00:00:00:xx:yy, xxyy = node index). \
Each link is an interface of its own, so a routed packet appears once per link it \
crossed (Wireshark may call the second a retransmission): filter with \
frame.interface_name == \"client-router\" to see one link.";

/// Writes the capture as pcapng.
pub fn write(out: &mut dyn Write, capture: &Capture) -> io::Result<()> {
    let section = SectionHeaderBlock {
        endianness: Endianness::Little,
        options: vec![
            SectionHeaderOption::Comment(Cow::Borrowed(SECTION_COMMENT)),
            SectionHeaderOption::UserApplication(Cow::Borrowed(concat!(
                "simsock ",
                env!("CARGO_PKG_VERSION")
            ))),
        ],
        ..SectionHeaderBlock::default()
    };
    let mut writer = PcapNgWriter::with_section_header(out, section).map_err(io_error)?;
    let flights = flights::pair(capture);
    let inside = Interfaces::new(capture, &flights);
    for block in inside.blocks(capture) {
        writer.write_pcapng_block(block).map_err(io_error)?;
    }
    let mut originals = Originals::default();
    for (i, e) in capture.events.iter().enumerate() {
        originals.see(e);
        if let Some(block) = packet_block(capture, &flights, &inside, &originals, i)? {
            writer.write_pcapng_block(block).map_err(io_error)?;
        }
    }
    Ok(())
}

/// Interface numbers: links first, then nodes with packets inside them.
struct Interfaces {
    links: usize,
    /// Interface of each node that needs one.
    inside: BTreeMap<NodeId, u32>,
}

impl Interfaces {
    fn new(capture: &Capture, flights: &Flights) -> Interfaces {
        let mut inside = BTreeMap::new();
        for (i, e) in capture.events.iter().enumerate() {
            if is_inside(e, flights.of_event[i]) {
                inside.entry(e.node).or_insert(0);
            }
        }
        let links = capture.links.len();
        for (n, id) in inside.values_mut().enumerate() {
            *id = (links + n) as u32;
        }
        Interfaces { links, inside }
    }

    fn link(&self, link: LinkId) -> u32 {
        debug_assert!((link.0 as usize) < self.links);
        link.0
    }

    fn blocks(&self, capture: &Capture) -> Vec<InterfaceDescriptionBlock<'static>> {
        let mut blocks: Vec<_> = capture
            .links
            .iter()
            .map(|l| {
                let [a, b] = l.ends.map(|n| end_name(capture, n));
                match a == b {
                    // A host's loopback interface (127.0.0.0/8 and its own
                    // addresses): one per host, so named after it.
                    true => interface(format!("{} ({a})", l.name), format!("loopback of {a}")),
                    false => interface(l.name.clone(), format!("link {a} - {b}")),
                }
            })
            .collect();
        for node in self.inside.keys() {
            let name = &capture.node(*node).name;
            let about = format!("packets delivered or dropped inside {name}, on no link");
            blocks.push(interface(format!("{name} (inside)"), about));
        }
        blocks
    }
}

/// A packet delivered or dropped inside a node without crossing a link.
fn is_inside(e: &TraceEvent, flight: Option<usize>) -> bool {
    matches!(
        e.kind,
        TraceKind::Recv { link: None, .. } | TraceKind::Drop { link: None, .. }
    ) && flight.is_none()
}

fn end_name(capture: &Capture, node: NodeId) -> String {
    let info = capture.node(node);
    match info.addrs.first() {
        Some(addr) => format!("{} {addr}", info.name),
        None => info.name.clone(),
    }
}

fn interface(name: String, about: String) -> InterfaceDescriptionBlock<'static> {
    InterfaceDescriptionBlock {
        linktype: DataLink::ETHERNET,
        snaplen: SNAPLEN,
        options: vec![
            InterfaceDescriptionOption::IfName(Cow::Owned(name)),
            InterfaceDescriptionOption::IfDescription(Cow::Owned(about)),
            InterfaceDescriptionOption::IfTsResol(NANOSECONDS),
        ],
    }
}

/// The last TCP or UDP header seen per (source, destination, protocol): the
/// datagram an ICMP message quotes (RFC 792).
#[derive(Default)]
pub struct Originals {
    last: BTreeMap<(SocketAddrV4, SocketAddrV4, bool), PacketHeader>,
}

impl Originals {
    /// Remembers the packet of `e`, if it carries one.
    pub fn see(&mut self, e: &TraceEvent) {
        let header = match &e.kind {
            TraceKind::Send { header, .. }
            | TraceKind::Recv { header, .. }
            | TraceKind::Drop { header, .. } => header,
            _ => return,
        };
        let (ports, udp) = match header.transport {
            Transport::Tcp(t) => ((t.src_port, t.dst_port), false),
            Transport::Udp {
                src_port, dst_port, ..
            } => ((src_port, dst_port), true),
            Transport::Unreachable(_) => return,
        };
        let src = SocketAddrV4::new(header.src, ports.0);
        let dst = SocketAddrV4::new(header.dst, ports.1);
        self.last.insert((src, dst, udp), *header);
    }

    /// The datagram an ICMP message quotes, when the trace showed it.
    pub fn quoted_by(&self, header: &PacketHeader) -> Option<&PacketHeader> {
        let Transport::Unreachable(u) = header.transport else {
            return None;
        };
        let udp = u.orig_proto == simsock_model::packet::Proto::Udp;
        self.last.get(&(u.orig_src, u.orig_dst, udp))
    }
}

/// The block for event `i`, if it puts a packet on a link or inside a node.
fn packet_block(
    capture: &Capture,
    flights: &Flights,
    interfaces: &Interfaces,
    originals: &Originals,
    i: usize,
) -> io::Result<Option<EnhancedPacketBlock<'static>>> {
    let e = &capture.events[i];
    let (interface, header, src, dst, comment) = match &e.kind {
        TraceKind::Send {
            link, header, len, ..
        } => {
            let Some(flight) = flights.started_by(i) else {
                return Ok(None);
            };
            let comment = send_comment(capture, flight, *len);
            let ends = (frame::mac(flight.from), frame::mac(flight.to));
            (interfaces.link(*link), header, ends.0, ends.1, comment)
        }
        TraceKind::Recv { header, .. } | TraceKind::Drop { header, .. }
            if is_inside(e, flights.of_event[i]) =>
        {
            let comment = inside_comment(capture, e);
            let mac = frame::mac(e.node);
            (interfaces.inside[&e.node], header, mac, mac, comment)
        }
        _ => return Ok(None),
    };
    let data = frame::ethernet(header, src, dst, originals.quoted_by(header))?;
    let options = match comment.is_empty() {
        true => Vec::new(),
        false => vec![EnhancedPacketOption::Comment(Cow::Owned(comment))],
    };
    Ok(Some(EnhancedPacketBlock {
        interface_id: interface,
        timestamp: Duration::from_nanos(e.at.as_nanos()),
        original_len: data.len() as u32,
        data: Cow::Owned(data),
        options,
    }))
}

/// The cause of a send and what became of the packet, `; `-separated.
fn send_comment(capture: &Capture, flight: &Flight, len: u32) -> String {
    let mut parts: Vec<String> = Vec::new();
    let reason = |i: usize| match capture.events[i].kind {
        TraceKind::Drop { reason, .. } => reason,
        _ => "",
    };
    let cause = match capture.events[flight.send].kind {
        TraceKind::Send { cause, .. } => cause,
        _ => "",
    };
    if !cause.is_empty() {
        parts.push(cause.to_string());
    }
    let to = &capture.node(flight.to).name;
    match flight.end {
        End::Arrived(_) => {}
        End::Lost(d) => parts.push(format!("dropped on the link: {}", reason(d))),
        End::Refused(d) => parts.push(format!("dropped by {to} on arrival: {}", reason(d))),
        End::InFlight => parts.push("still in flight when the run ended".to_string()),
    }
    if flight.copies > 0 {
        parts.push(format!(
            "the link duplicated it: {} more arrived",
            flight.copies
        ));
    }
    if let Some(d) = flight.discarded {
        parts.push(format!("dropped by {to}: {}", reason(d)));
    }
    if len > 0 {
        parts.push(format!("payload: {len} zero bytes (not in the trace)"));
    }
    parts.join("; ")
}

fn inside_comment(capture: &Capture, e: &TraceEvent) -> String {
    let node = &capture.node(e.node).name;
    match e.kind {
        TraceKind::Drop { reason, .. } => format!("dropped inside {node}: {reason}"),
        _ => format!("delivered inside {node} (no link)"),
    }
}

fn io_error(e: PcapError) -> io::Error {
    match e {
        PcapError::IoError(e) => e,
        other => io::Error::other(other.to_string()),
    }
}
