//! The link layer the trace does not hold: the Ethernet addresses of each
//! frame and the ARP packets a real network would show around them.
//!
//! What is derived, and how:
//! - Every interface (the end of a link at a node) has one made-up MAC,
//!   [`frame::mac`]. A frame's source is the interface of the IP node that
//!   put it on the segment, its destination the interface of the IP node it
//!   is for on that segment (the next hop): a switch forwards frames without
//!   changing their addresses (IEEE 802.1D), so a frame that crosses a
//!   switch keeps the addresses it was sent with on every port.
//! - A frame to 255.255.255.255, or to the directed broadcast of a subnet
//!   its sender has an address on, goes to ff:ff:ff:ff:ff:ff: the rule the
//!   simulator floods by (`sim/src/engine/broadcast.rs`, CB-B3).
//! - ARP is synthesized. simsock resolves neighbours from the topology and
//!   models ARP only as the time a failed resolution takes (the profile's
//!   `arp_timeout`, `ROUTER_ARP_TIMEOUT` for a router). So the capture
//!   shows, on each link, a request (broadcast) and a reply (unicast) at the
//!   same timestamp just before the first unicast frame between two
//!   neighbours, once per pair as a cache that learns from requests would
//!   (RFC 826, "merge"); nothing expires. Where the trace says a resolution
//!   failed (a drop "no neighbour answers ARP"), unanswered requests appear
//!   one second apart from the drop until the ICMP host unreachable, as the
//!   profile describes Windows (three requests at 0, 1 and 2 s). The
//!   frames' comments say they are synthesized.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use etherparse::ArpOperation;
use simsock_model::packet::UnreachableCode;
use simsock_model::{PacketHeader, SimDuration, SimTime, Transport};
use simsock_sim::net::{LinkId, NodeId};
use simsock_sim::trace::TraceKind;

use super::capture::Capture;
use super::flights::{End, Flights, sent_header};
use super::frame;

/// The comment on an ARP exchange placed before a frame.
pub const SHOWN_ARP: &str = "ARP exchange shown for the capture; simsock does not \
simulate ARP timing";

/// The simulator's reason for a packet whose next hop never answered ARP
/// (`sim/src/engine/core.rs`, `Hop::Unresolved`).
const UNRESOLVED: &str = "no neighbour answers ARP";

/// One second between ARP requests (the profile's `arp_timeout` doc:
/// Windows ArpRetryCount 3, requests at 0, 1 and 2 s).
const ARP_RETRY: SimDuration = SimDuration::from_secs(1);

/// The wait when the trace shows no ICMP after a failed resolution: the
/// default profile's `arp_timeout` and `ROUTER_ARP_TIMEOUT`, 2 s.
const DEFAULT_ARP_TIMEOUT: SimDuration = SimDuration::from_secs(2);

/// The longest `arp_timeout` a profile may set (`model/src/profile.rs`):
/// the ICMP that ends a failed resolution comes no later.
const MAX_ARP_TIMEOUT: SimDuration = SimDuration::from_secs(60);

/// An interface: the end of a link at a node.
type Interface = (NodeId, LinkId);

/// A frame's Ethernet addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Macs {
    pub src: [u8; 6],
    pub dst: [u8; 6],
}

/// A synthesized ARP frame, placed before trace event `before`.
#[derive(Debug)]
pub struct ArpFrame {
    pub at: SimTime,
    pub before: usize,
    /// Order among the frames placed before the same event.
    pub order: u8,
    pub link: LinkId,
    pub data: Vec<u8>,
    pub comment: String,
}

/// The link layer of a whole trace.
#[derive(Debug, Default)]
pub struct LinkLayer {
    /// The addresses of each flight (same index as `Flights::flights`).
    pub macs: Vec<Macs>,
    pub arps: Vec<ArpFrame>,
}

/// Derives the link layer of `capture`.
pub fn resolve(capture: &Capture, flights: &Flights) -> LinkLayer {
    let mut layer = LinkLayer::default();
    let mut resolved: BTreeSet<(Interface, Interface, LinkId)> = BTreeSet::new();
    for f in 0..flights.flights.len() {
        let (from, to) = (origin(capture, flights, f), target(capture, flights, f));
        let header = sent_header(capture, &flights.flights[f]).copied();
        let broadcast = header.is_some_and(|h| is_broadcast(capture, from.0, h.dst));
        let src = frame::mac(from.0, from.1);
        let dst = if broadcast {
            frame::BROADCAST
        } else {
            frame::mac(to.0, to.1)
        };
        layer.macs.push(Macs { src, dst });
        let link = flight_link(capture, flights, f);
        let ip_ends = !capture.node(from.0).switch && !capture.node(to.0).switch;
        // A host's loopback (`lo`, both ends the host itself) has no ARP.
        let loopback = from.0 == to.0;
        let pair = (from.min(to), from.max(to), link);
        if !broadcast && ip_ends && !loopback && resolved.insert(pair) {
            let send = flights.flights[f].send;
            layer.arps.extend(exchange(capture, send, from, to, link));
        }
    }
    for (i, e) in capture.events.iter().enumerate() {
        if let TraceKind::Drop {
            link: None,
            header,
            reason: UNRESOLVED,
        } = &e.kind
        {
            layer.arps.extend(unanswered(capture, i, e.node, header));
        }
    }
    layer
}

/// The link a flight was sent on.
fn flight_link(capture: &Capture, flights: &Flights, f: usize) -> LinkId {
    match capture.events[flights.flights[f].send].kind {
        TraceKind::Send { link, .. } => link,
        // A flight starts at a `Send` (`flights::Pairing::send`).
        _ => unreachable!("a flight starts with a Send"),
    }
}

/// The interface that put flight `f`'s frame on its segment: past any
/// switches it crossed, the IP node that sent it.
fn origin(capture: &Capture, flights: &Flights, mut f: usize) -> Interface {
    for _ in 0..=capture.links.len() {
        let flight = &flights.flights[f];
        if !capture.node(flight.from).switch {
            break;
        }
        match came_in(capture, flights, f) {
            Some(prev) => f = prev,
            None => break,
        }
    }
    (flights.flights[f].from, flight_link(capture, flights, f))
}

/// The interface flight `f`'s frame is for: past any switches it goes
/// through, the IP node that receives it.
fn target(capture: &Capture, flights: &Flights, mut f: usize) -> Interface {
    for _ in 0..=capture.links.len() {
        let flight = &flights.flights[f];
        if !capture.node(flight.to).switch {
            break;
        }
        match went_on(capture, flights, f) {
            Some(next) => f = next,
            None => break,
        }
    }
    (flights.flights[f].to, flight_link(capture, flights, f))
}

/// The flight whose arrival at a switch made it send flight `f`: the
/// switch forwards at once (`Core::switch_input`), so the arrival is
/// among the events at the same time just before the `Send`.
fn came_in(capture: &Capture, flights: &Flights, f: usize) -> Option<usize> {
    let flight = &flights.flights[f];
    let send = &capture.events[flight.send];
    let header = sent_header(capture, flight)?;
    let earlier = capture.events[..flight.send].iter().enumerate().rev();
    for (i, e) in earlier.take_while(|(_, e)| e.at == send.at) {
        let arrived =
            matches!(&e.kind, TraceKind::Recv { link: Some(_), header: h } if h == header);
        if arrived && e.node == flight.from {
            return flights.of_event[i];
        }
    }
    None
}

/// The flight a switch sent on after flight `f` arrived at it.
fn went_on(capture: &Capture, flights: &Flights, f: usize) -> Option<usize> {
    let flight = &flights.flights[f];
    let End::Arrived(arrival) = flight.end else {
        return None;
    };
    let header = sent_header(capture, flight)?;
    let at = capture.events[arrival].at;
    let later = capture.events.iter().enumerate().skip(arrival + 1);
    for (i, e) in later.take_while(|(_, e)| e.at == at) {
        let sent = matches!(&e.kind, TraceKind::Send { header: h, .. } if h == header);
        if sent && e.node == flight.to {
            return flights.of_event[i];
        }
    }
    None
}

/// Whether `sender` sends to `dst` as a link-level broadcast
/// (`sim/src/engine/broadcast.rs`, `is_link_broadcast`).
fn is_broadcast(capture: &Capture, sender: NodeId, dst: Ipv4Addr) -> bool {
    dst.is_broadcast()
        || capture
            .node(sender)
            .cidrs
            .iter()
            .any(|c| c.broadcast() == dst)
}

/// The addresses two neighbours have on the subnet they share; else their
/// first ones.
fn neighbour_ips(capture: &Capture, a: NodeId, b: NodeId) -> Option<(Ipv4Addr, Ipv4Addr)> {
    let (a, b) = (capture.node(a), capture.node(b));
    for ca in &a.cidrs {
        if let Some(cb) = b.cidrs.iter().find(|cb| ca.contains(cb.addr)) {
            return Some((ca.addr, cb.addr));
        }
    }
    Some((*a.addrs.first()?, *b.addrs.first()?))
}

/// A request from `from` for `to`'s address and `to`'s reply, on `link`
/// before event `send`.
fn exchange(
    capture: &Capture,
    send: usize,
    from: Interface,
    to: Interface,
    link: LinkId,
) -> Vec<ArpFrame> {
    let Some((from_ip, to_ip)) = neighbour_ips(capture, from.0, to.0) else {
        return Vec::new();
    };
    let (from_mac, to_mac) = (frame::mac(from.0, from.1), frame::mac(to.0, to.1));
    let request = frame::arp(ArpOperation::REQUEST, (from_mac, from_ip), (to_mac, to_ip));
    let reply = frame::arp(ArpOperation::REPLY, (to_mac, to_ip), (from_mac, from_ip));
    let at = capture.events[send].at;
    [request, reply]
        .into_iter()
        .enumerate()
        .map(|(order, data)| ArpFrame {
            at,
            before: send,
            order: order as u8,
            link,
            data,
            comment: SHOWN_ARP.to_string(),
        })
        .collect()
}

/// The requests `node` sent in vain for the next hop of `header`, whose
/// drop is event `drop`: from the drop until the ICMP host unreachable.
fn unanswered(
    capture: &Capture,
    drop: usize,
    node: NodeId,
    header: &PacketHeader,
) -> Vec<ArpFrame> {
    let target = header.dst;
    let info = capture.node(node);
    let Some(cidr) = info.cidrs.iter().find(|c| c.contains(target)) else {
        return Vec::new();
    };
    let Some(link) = link_toward(capture, node, target) else {
        return Vec::new();
    };
    let start = capture.events[drop].at;
    let timeout = gave_up(capture, drop, node, header).unwrap_or(DEFAULT_ARP_TIMEOUT);
    let count = (timeout.as_nanos() / ARP_RETRY.as_nanos()).min(60) + 1;
    let mac = frame::mac(node, link);
    (0..count)
        .map(|k| ArpFrame {
            at: start + SimDuration::from_nanos(k * ARP_RETRY.as_nanos()),
            before: drop,
            order: 0,
            link,
            data: frame::arp(
                ArpOperation::REQUEST,
                (mac, cidr.addr),
                (frame::BROADCAST, target),
            ),
            comment: format!(
                "ARP request {} of {count} for {target}, unanswered (synthesized: simsock \
                 models ARP as a {} s wait, not as packets)",
                k + 1,
                timeout.as_nanos() as f64 / 1e9
            ),
        })
        .collect()
}

/// How long after the drop `node` reported host unreachable about it (the
/// ICMP message it sent or delivered to itself).
fn gave_up(
    capture: &Capture,
    drop: usize,
    node: NodeId,
    header: &PacketHeader,
) -> Option<SimDuration> {
    let start = capture.events[drop].at;
    let last = start + MAX_ARP_TIMEOUT;
    let later = capture.events[drop + 1..].iter();
    later.take_while(|e| e.at <= last).find_map(|e| {
        let h = match &e.kind {
            TraceKind::Send { header, .. } | TraceKind::Recv { header, .. } => header,
            _ => return None,
        };
        let Transport::Unreachable(u) = h.transport else {
            return None;
        };
        let about = *u.orig_dst.ip() == header.dst && *u.orig_src.ip() == header.src;
        (e.node == node && u.code == UnreachableCode::Host && about)
            .then(|| SimDuration::from_nanos(e.at.as_nanos() - start.as_nanos()))
    })
}

/// The link of `node` on `target`'s subnet: the first whose other end is a
/// switch or has an address on that subnet.
fn link_toward(capture: &Capture, node: NodeId, target: Ipv4Addr) -> Option<LinkId> {
    let links = &capture.node(node).links;
    let on_subnet = |l: &&LinkId| {
        let peer = capture.node(capture.link(**l).other(node));
        peer.switch || peer.cidrs.iter().any(|c| c.contains(target))
    };
    links.iter().find(on_subnet).or(links.first()).copied()
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use etherparse::{NetSlice, SlicedPacket};

    use super::*;
    use crate::trace::bundled as files;
    use crate::trace::capture;
    use crate::trace::flights;

    fn run(name: &str) -> (Capture, Flights, LinkLayer) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let path: PathBuf = root.join("scenarios").join(format!("{name}.ron"));
        let file = files::load(&path).expect("a bundled scenario loads");
        let capture = capture::capture(&file, None);
        let flights = flights::pair(&capture);
        let layer = resolve(&capture, &flights);
        (capture, flights, layer)
    }

    /// CB-B3: alice's limited and directed broadcasts go to the broadcast
    /// MAC on every port of the switch, with alice's MAC as source; her
    /// datagram for erin's subnet broadcast is a unicast to the router.
    #[test]
    fn broadcasts_and_switches() {
        let (capture, flights, layer) = run("broadcast/who-receives");
        let alice = frame::mac(NodeId(0), capture.node(NodeId(0)).links[0]);
        let mut broadcasts = 0;
        for (f, flight) in flights.flights.iter().enumerate() {
            let dst = sent_header(&capture, flight).unwrap().dst;
            let macs = layer.macs[f];
            let broadcast = dst.is_broadcast() || dst == Ipv4Addr::new(10, 0, 0, 255);
            assert_eq!(macs.dst == frame::BROADCAST, broadcast, "flight {f}");
            if broadcast {
                broadcasts += 1;
                assert_eq!(macs.src, alice);
            }
        }
        assert_eq!(broadcasts, 15);
    }

    /// The router's failed resolution of 10.0.1.99: requests at 0.001,
    /// 1.001 and 2.001 s on router-server, from the router's MAC there.
    #[test]
    fn unanswered_requests_until_host_unreachable() {
        let (capture, _, layer) = run("unreachable");
        let router_server = LinkId(1);
        let unanswered: Vec<u64> = layer
            .arps
            .iter()
            .filter(|a| a.link == router_server && a.comment.contains("unanswered"))
            .map(|a| a.at.as_nanos())
            .collect();
        assert_eq!(unanswered, [1_000_000, 1_001_000_000, 2_001_000_000]);
        let router = capture.links[1].ends[0];
        let arp = &layer.arps.iter().find(|a| a.link == router_server).unwrap();
        assert_eq!(&arp.data[6..12], &frame::mac(router, router_server));
    }

    /// A host talking to itself over `lo` resolves no neighbour.
    #[test]
    fn loopback_has_no_arp() {
        let (_, _, layer) = run("windows/loopback-connect");
        assert!(
            layer.arps.is_empty(),
            "{} ARP frames on lo",
            layer.arps.len()
        );
    }

    /// In every bundled scenario: each ARP frame parses, no frame comes
    /// from the broadcast address, and a MAC belongs to one interface.
    #[test]
    fn every_bundled_scenario_has_sound_addresses() {
        let paths = files::expand(&[files::default_dir()]).expect("the bundled suite");
        assert!(paths.len() > 100, "{} scenarios", paths.len());
        for path in paths {
            let file = files::load(&path).expect("a bundled scenario loads");
            let capture = capture::capture(&file, None);
            let flights = flights::pair(&capture);
            let layer = resolve(&capture, &flights);
            for arp in &layer.arps {
                let packet = SlicedPacket::from_ethernet(&arp.data).unwrap();
                assert!(matches!(packet.net, Some(NetSlice::Arp(_))), "{path:?}");
            }
            for (f, macs) in layer.macs.iter().enumerate() {
                assert_ne!(macs.src, frame::BROADCAST, "{path:?} flight {f}");
                let link = flight_link(&capture, &flights, f);
                let from = flights.flights[f].from;
                let own = frame::mac(from, link);
                let switched = capture.node(from).switch;
                assert!(switched || macs.src == own, "{path:?} flight {f}");
            }
        }
    }
}
