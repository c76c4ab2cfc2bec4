//! Broadcast, and the nodes that meet it: switches flood it over their
//! segment, routers never forward it, hosts take it when it is theirs
//! (CB-B3; `stack/input.rs`).
//!
//! The broadcast domain comes from the topology. A switch is one link
//! segment: a broadcast frame sent onto it reaches every other node linked
//! to it. A point-to-point link is a segment of two. The limited broadcast
//! 255.255.255.255 (RFC 919 §7) reaches every node of the sender's segments;
//! a directed broadcast of the sender's own subnet (RFC 922 §7) reaches the
//! same nodes, and each node's IP layer keeps it only if it has an address
//! on that subnet (so a host of another subnet on the same switch drops it).
//!
//! Routers do not forward broadcasts: the limited broadcast never (RFC 1812
//! §5.3.5.1), a directed broadcast for an attached subnet not by default
//! (RFC 2644 §3, which made "off" the default). A directed broadcast for a
//! remote subnet leaves the sender as a unicast toward that subnet and
//! stops at the last router, which is the one that would have to broadcast it.
//!
//! Divergences: switches never link to switches (one switch is one segment,
//! so floods cannot loop and no spanning tree is needed); a switch that has
//! no port toward a unicast destination drops it instead of flooding it
//! (a learning switch floods an unknown unicast; here the topology is known
//! and the routes say where the destination is); the sending host does not
//! receive a copy of its own broadcast (Windows loops one back to the
//! sender's own sockets on that port).

use simsock_model::PacketHeader;

use super::core::Core;
use crate::net::{Hop, LinkId, NodeId, NodeKind, PacketId, Topology};
use crate::trace::TraceKind;

/// Why a router drops a broadcast, for the trace.
const LIMITED_NOT_FORWARDED: &str =
    "limited broadcast: routers never forward it (RFC 1812 §5.3.5.1)";
const DIRECTED_NOT_FORWARDED: &str = "directed broadcast: not forwarded by default (RFC 2644 §3)";

impl Core {
    /// `from` sends a datagram addressed to a broadcast address: one copy
    /// on each of its links whose segment is in the broadcast's domain, in
    /// the order the links were declared. Costs one packet per such link.
    pub fn send_broadcast(&mut self, from: NodeId, header: PacketHeader, payload: &[u8]) {
        let mut sent = false;
        for i in 0..self.topo.node(from).links.len() {
            let link = self.topo.node(from).links[i];
            let peer = self.topo.links[link.0 as usize].peer(from);
            if !in_domain(&self.topo, peer, header.dst) {
                continue;
            }
            let pkt = self.packets.insert(header, [payload, &[]], "broadcast");
            self.transmit(from, link, peer, pkt);
            sent = true;
        }
        if !sent {
            let pkt = self.packets.insert(header, [payload, &[]], "broadcast");
            self.drop_packet(from, None, pkt, "no segment in the broadcast's domain");
        }
    }

    /// A packet reached a switch over `link`: a broadcast frame is flooded
    /// to every other port; a unicast goes to its next hop's port.
    pub fn switch_input(&mut self, switch: NodeId, pkt: PacketId, link: Option<LinkId>) {
        self.trace_arrival(switch, pkt, link);
        let dst = self.packets.get(pkt).header.dst;
        let Some(ingress) = link else {
            self.drop_packet(switch, None, pkt, "switch: no ingress port");
            return;
        };
        let sender = self.topo.links[ingress.0 as usize].peer(switch);
        if is_link_broadcast(&self.topo, sender, dst) {
            self.flood(switch, ingress, pkt);
            return;
        }
        match self.routes.next_hop(&self.topo, switch, dst) {
            Hop::Forward { link, to } if link != ingress => self.transmit(switch, link, to, pkt),
            _ => self.drop_packet(switch, None, pkt, "switch: no port toward the destination"),
        }
    }

    /// A copy of `pkt` on every port of `switch` but `ingress`, in
    /// declaration order; then `pkt` itself is freed.
    fn flood(&mut self, switch: NodeId, ingress: LinkId, pkt: PacketId) {
        for i in 0..self.topo.node(switch).links.len() {
            let link = self.topo.node(switch).links[i];
            if link == ingress {
                continue;
            }
            let to = self.topo.links[link.0 as usize].peer(switch);
            let original = self.packets.get(pkt);
            let (header, cause) = (original.header, original.cause);
            let payload = std::mem::take(&mut self.packets.get_mut(pkt).payload);
            let copy = self.packets.insert(header, [&payload, &[]], cause);
            self.packets.get_mut(pkt).payload = payload;
            self.transmit(switch, link, to, copy);
        }
        self.packets.free(pkt);
    }

    /// A packet reached a router: a broadcast stops here, anything else is
    /// forwarded ([`Core::forward`]).
    pub fn router_input(&mut self, router: NodeId, pkt: PacketId, link: Option<LinkId>) {
        self.trace_arrival(router, pkt, link);
        let dst = self.packets.get(pkt).header.dst;
        if dst.is_broadcast() {
            self.drop_packet(router, None, pkt, LIMITED_NOT_FORWARDED);
        } else if self.topo.is_subnet_broadcast_of(router, dst) {
            self.drop_packet(router, None, pkt, DIRECTED_NOT_FORWARDED);
        } else {
            self.forward(router, pkt);
        }
    }

    fn trace_arrival(&mut self, node: NodeId, pkt: PacketId, link: Option<LinkId>) {
        if self.trace.is_on() {
            let header = self.packets.get(pkt).header;
            let kind = TraceKind::Recv { link, header };
            self.trace.record(self.now(), node, kind);
        }
    }
}

/// Whether a frame that `sender` put on a segment is a link-level broadcast:
/// addressed to the limited broadcast, or to the directed broadcast of a
/// subnet `sender` has an address on (a host sends those to every node of
/// the segment; a directed broadcast of another subnet leaves it as a
/// unicast toward a router).
pub(crate) fn is_link_broadcast(topo: &Topology, sender: NodeId, dst: std::net::Ipv4Addr) -> bool {
    dst.is_broadcast() || topo.is_subnet_broadcast_of(sender, dst)
}

/// Whether the segment behind a link to `peer` is in the domain of a
/// broadcast to `dst`: a switch's segment always (its nodes filter), a
/// point-to-point neighbour for the limited broadcast or when it is on the
/// directed broadcast's subnet.
fn in_domain(topo: &Topology, peer: NodeId, dst: std::net::Ipv4Addr) -> bool {
    topo.node(peer).kind == NodeKind::Switch
        || dst.is_broadcast()
        || topo.is_subnet_broadcast_of(peer, dst)
}
