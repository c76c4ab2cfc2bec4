//! The pcap view: a pcapng file for Wireshark or tshark.
//!
//! Block layout (pcapng, draft-ietf-opsawg-pcapng):
//! - one Section Header Block (§4.1), little-endian on every machine so the
//!   file is the same byte for byte, with a comment saying what is made up;
//! - one Interface Description Block (§4.2) per link, named after it, with
//!   `if_tsresol` = 9 so timestamps count nanoseconds of simulated time
//!   from 0; then one per node that delivered or dropped a packet inside
//!   itself (no link carried it), named `<node> (inside)`. With
//!   `--link NAME` only that link's interface and frames are written;
//! - one Enhanced Packet Block (§4.3) per packet when it was put on its
//!   link (the trace's `Send`), or inside a node; its `opt_comment` (§3.5)
//!   names the simulated cause (`retransmission`, `reset: no listener`)
//!   and what became of it. A dropped packet's comment starts with
//!   `dropped` (on the link, on arrival, by the receiver, inside a node),
//!   so `frame.comment contains "dropped"` shows every drop. pcapng has no
//!   "dropped" flag: `epb_flags` (§4.3.1) holds direction, reception type
//!   and link errors, none of which is a drop, so none is set.
//!
//! Frames come from [`super::frame`] with the addresses and the
//! synthesized ARP of [`super::l2`]; payload bytes are zeros of the traced
//! length.
//!
//! A routed packet appears once per link it crossed. Wireshark's TCP
//! analysis (4.0) follows a conversation by addresses and ports across
//! interfaces, so in the whole-run capture the copy on the second link is
//! flagged `tcp.analysis.retransmission` (or a keep-alive, a duplicate
//! ACK); there is no preference in Wireshark 4.0 that keeps interfaces
//! apart. A capture of one link (`--link NAME`) has each packet once and
//! no such flag.

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
use simsock_model::{PacketHeader, SimTime, Transport};
use simsock_sim::net::{LinkId, NodeId};
use simsock_sim::trace::{TraceEvent, TraceKind};

use super::capture::Capture;
use super::flights::{self, End, Flight, Flights};
use super::frame;
use super::l2::{self, LinkLayer};

/// `if_tsresol` 9: timestamps in units of 10^-9 s (pcapng §4.2).
const NANOSECONDS: u8 = 9;
/// Larger than any frame written.
const SNAPLEN: u32 = 65_535 + 14;

const SECTION_COMMENT: &str = "Written by simsock from a simulated run. Timestamps are \
simulated time from 0. Payload bytes are not in the trace: each payload is that many \
zero bytes. MAC addresses are made up, one per interface (02:LL:LL:NN:NN:00, LLLL = link \
index, NNNN = node index). ARP is synthesized: simsock resolves neighbours from the \
topology, so a request and reply are shown before the first frame between two \
neighbours, and unanswered requests one second apart where a resolution failed. The MSS \
option on SYNs is added by the exporter (1460). Dropped packets have a comment starting \
with \"dropped\". Each link is an interface of its own, so a routed packet appears once \
per link it crossed and Wireshark calls the second a retransmission: export one link \
with simsock trace --link NAME, or filter with frame.interface_name == \"NAME\".";

/// Which links to write: all, or one (`--link NAME`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Only {
    #[default]
    All,
    Link(LinkId),
}

/// A block and where it goes: by time, then trace order.
struct Placed {
    key: (SimTime, usize, u8),
    block: EnhancedPacketBlock<'static>,
}

/// Writes the capture as pcapng: every link's frames, or one link's.
pub fn write(out: &mut dyn Write, capture: &Capture, only: Only) -> io::Result<()> {
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
    let layer = l2::resolve(capture, &flights);
    let interfaces = Interfaces::new(capture, &flights, only);
    for block in interfaces.blocks(capture) {
        writer.write_pcapng_block(block).map_err(io_error)?;
    }
    let mut placed = arp_blocks(&layer, &interfaces);
    let mut originals = Originals::default();
    let view = View {
        capture,
        flights: &flights,
        layer: &layer,
        interfaces: &interfaces,
    };
    for (i, e) in capture.events.iter().enumerate() {
        originals.see(e);
        if let Some(block) = view.packet_block(&originals, i)? {
            placed.push(Placed {
                key: (e.at, i, u8::MAX),
                block,
            });
        }
    }
    placed.sort_by_key(|p| p.key);
    for p in placed {
        writer.write_pcapng_block(p.block).map_err(io_error)?;
    }
    Ok(())
}

/// The synthesized ARP frames, on the interfaces written.
fn arp_blocks(layer: &LinkLayer, interfaces: &Interfaces) -> Vec<Placed> {
    let mut placed = Vec::new();
    for arp in &layer.arps {
        let Some(interface) = interfaces.link(arp.link) else {
            continue;
        };
        placed.push(Placed {
            key: (arp.at, arp.before, arp.order),
            block: block(interface, arp.at, arp.data.clone(), arp.comment.clone()),
        });
    }
    placed
}

fn block(
    interface: u32,
    at: SimTime,
    data: Vec<u8>,
    comment: String,
) -> EnhancedPacketBlock<'static> {
    let options = match comment.is_empty() {
        true => Vec::new(),
        false => vec![EnhancedPacketOption::Comment(Cow::Owned(comment))],
    };
    EnhancedPacketBlock {
        interface_id: interface,
        timestamp: Duration::from_nanos(at.as_nanos()),
        original_len: data.len() as u32,
        data: Cow::Owned(data),
        options,
    }
}

/// Interface numbers: links first, then nodes with packets inside them;
/// with `--link NAME`, that link alone as interface 0.
struct Interfaces {
    only: Only,
    links: usize,
    /// Interface of each node that needs one.
    inside: BTreeMap<NodeId, u32>,
}

impl Interfaces {
    fn new(capture: &Capture, flights: &Flights, only: Only) -> Interfaces {
        let mut inside = BTreeMap::new();
        for (i, e) in capture.events.iter().enumerate() {
            if only == Only::All && is_inside(e, flights.of_event[i]) {
                inside.entry(e.node).or_insert(0);
            }
        }
        let links = capture.links.len();
        for (n, id) in inside.values_mut().enumerate() {
            *id = (links + n) as u32;
        }
        Interfaces {
            only,
            links,
            inside,
        }
    }

    /// The interface of `link`, if it is written.
    fn link(&self, link: LinkId) -> Option<u32> {
        debug_assert!((link.0 as usize) < self.links);
        match self.only {
            Only::All => Some(link.0),
            Only::Link(l) => (l == link).then_some(0),
        }
    }

    fn blocks(&self, capture: &Capture) -> Vec<InterfaceDescriptionBlock<'static>> {
        let mut blocks: Vec<_> = capture
            .links
            .iter()
            .enumerate()
            .filter(|(i, _)| self.link(LinkId(*i as u32)).is_some())
            .map(|(_, l)| {
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

/// What a packet block needs to know about the run.
struct View<'a> {
    capture: &'a Capture,
    flights: &'a Flights,
    layer: &'a LinkLayer,
    interfaces: &'a Interfaces,
}

impl View<'_> {
    /// The block for event `i`, if it puts a packet on a written link or
    /// inside a node.
    fn packet_block(
        &self,
        originals: &Originals,
        i: usize,
    ) -> io::Result<Option<EnhancedPacketBlock<'static>>> {
        let (capture, flights) = (self.capture, self.flights);
        let e = &capture.events[i];
        let (interface, header, macs, comment) = match &e.kind {
            TraceKind::Send {
                link, header, len, ..
            } => {
                let (Some(index), Some(interface)) =
                    (flights.of_event[i], self.interfaces.link(*link))
                else {
                    return Ok(None);
                };
                let Some(flight) = flights.started_by(i) else {
                    return Ok(None);
                };
                let comment = send_comment(capture, flight, *len);
                (interface, header, self.layer.macs[index], comment)
            }
            TraceKind::Recv { header, .. } | TraceKind::Drop { header, .. }
                if is_inside(e, flights.of_event[i]) =>
            {
                let Some(&interface) = self.interfaces.inside.get(&e.node) else {
                    return Ok(None);
                };
                let comment = inside_comment(capture, e);
                let mac = frame::inside_mac(e.node);
                let macs = l2::Macs { src: mac, dst: mac };
                (interface, header, macs, comment)
            }
            _ => return Ok(None),
        };
        let data = frame::ethernet(header, macs.src, macs.dst, originals.quoted_by(header))?;
        Ok(Some(block(interface, e.at, data, comment)))
    }
}

/// What became of a sent packet (a drop first, so every dropped packet's
/// comment starts with `dropped`), its cause, then the rest;
/// `; `-separated.
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
    let to = &capture.node(flight.to).name;
    match flight.end {
        End::Arrived(_) => {}
        End::Lost(d) => parts.push(format!("dropped on the link: {}", reason(d))),
        End::Refused(d) => parts.push(format!("dropped by {to} on arrival: {}", reason(d))),
        End::InFlight => {}
    }
    if let Some(d) = flight.discarded {
        parts.push(format!("dropped by {to}: {}", reason(d)));
    }
    if !cause.is_empty() {
        parts.push(cause.to_string());
    }
    if flight.end == End::InFlight {
        parts.push("still in flight when the run ended".to_string());
    }
    if flight.copies > 0 {
        parts.push(format!(
            "the link duplicated it: {} more arrived",
            flight.copies
        ));
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
