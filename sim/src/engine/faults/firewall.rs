//! Host firewalls: an ordered chain of rules per host, the first match
//! deciding what happens to a TCP or UDP packet (ICMP is never filtered,
//! nor are looped-back packets).
//!
//! Each action gives the peer a different failure, from the network itself:
//! - `Drop`: nothing comes back; the sender retransmits and times out
//!   (WSAETIMEDOUT, CB-C15).
//! - `RejectRst`: the RST a closed port answers (RFC 9293 §3.10.7.1): a
//!   connect is refused (WSAECONNREFUSED, CB-C14). A UDP datagram or an RST
//!   is dropped instead.
//! - `RejectIcmp`: ICMP destination unreachable, code 13, communication
//!   administratively prohibited (RFC 1812 §5.2.7.1): a connecting TCB takes
//!   it as host unreachable (WSAEHOSTUNREACH, CB-C13), as Windows does.
//!
//! An `In` rule answers the remote sender; an `Out` rule answers the local
//! stack, as if the RST came from the peer (the ICMP comes from the host
//! itself), so its own connect fails the same way.

use simsock_model::packet::UnreachableCode;
use simsock_model::scenario::{FirewallRule, RuleAction, RuleDirection};
use simsock_model::{PacketHeader, SimDuration, Transport};

use crate::engine::Core;
use crate::engine::core::ROUTER_ARP_TIMEOUT;
use crate::net::packet::reset_reply;
use crate::net::{LinkId, NodeId, PacketId};

/// What a host's firewall does with a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No rule stops it: it goes on.
    Pass,
    /// Dropped without an answer (`RuleAction::Drop`, or `RejectRst` for
    /// a packet that is not TCP; the trace says "firewall").
    Drop,
    /// Drop it and answer with RST.
    Reset,
    /// Drop it and answer with ICMP administratively prohibited.
    Icmp,
}

/// The first rule of `rules` for `direction` whose port is the packet's
/// destination port (the local port of an arriving packet, the remote port
/// of a leaving one) decides.
pub(super) fn verdict(
    rules: &[FirewallRule],
    direction: RuleDirection,
    header: &PacketHeader,
) -> Verdict {
    let (port, tcp) = match header.transport {
        Transport::Tcp(t) => (t.dst_port, true),
        Transport::Udp { dst_port, .. } => (dst_port, false),
        Transport::Unreachable(_) => return Verdict::Pass,
    };
    let rule = rules
        .iter()
        .find(|r| r.direction == direction && r.port.is_none_or(|p| p == port));
    match rule.map(|r| r.action) {
        None => Verdict::Pass,
        Some(RuleAction::Drop) => Verdict::Drop,
        Some(RuleAction::RejectRst) if tcp => Verdict::Reset,
        Some(RuleAction::RejectRst) => Verdict::Drop,
        Some(RuleAction::RejectIcmp) => Verdict::Icmp,
    }
}

/// Carries out `verdict` on `pkt` at `node`; true if the packet may go on.
/// A rejected packet is answered to its source: over the network for an
/// arriving packet, locally for a leaving one.
pub(super) fn enforce(
    core: &mut Core,
    node: NodeId,
    link: Option<LinkId>,
    pkt: PacketId,
    verdict: Verdict,
) -> bool {
    if verdict == Verdict::Pass {
        return true;
    }
    let header = core.packets.get(pkt).header;
    core.drop_packet(node, link, pkt, "firewall");
    match verdict {
        Verdict::Reset => answer_reset(core, node, &header),
        Verdict::Icmp => core.answer_unreachable(
            node,
            &header,
            UnreachableCode::AdminProhibited,
            SimDuration::ZERO,
        ),
        Verdict::Pass | Verdict::Drop => {}
    }
    false
}

/// Sends the RST a closed port would answer, from the packet's destination
/// to its source.
fn answer_reset(core: &mut Core, node: NodeId, header: &PacketHeader) {
    let Transport::Tcp(seg) = header.transport else {
        return;
    };
    let Some(rst) = reset_reply(&seg) else {
        return;
    };
    let reply = PacketHeader {
        src: header.dst,
        dst: header.src,
        ttl: simsock_model::packet::DEFAULT_TTL,
        transport: Transport::Tcp(rst),
    };
    let pkt = core.packets.insert(reply, [&[], &[]], "reset: firewall");
    core.send_generated(node, pkt, ROUTER_ARP_TIMEOUT);
}

#[cfg(test)]
mod tests {
    use super::*;
    use simsock_model::{TcpFlags, TcpHeader};

    fn syn_to(port: u16) -> PacketHeader {
        PacketHeader {
            src: "10.0.0.1".parse().unwrap(),
            dst: "10.0.0.2".parse().unwrap(),
            ttl: 64,
            transport: Transport::Tcp(TcpHeader {
                src_port: 50_000,
                dst_port: port,
                seq: 1,
                ack: 0,
                flags: TcpFlags::SYN,
                window: 0,
                len: 0,
            }),
        }
    }

    fn rule(port: Option<u16>, direction: RuleDirection, action: RuleAction) -> FirewallRule {
        FirewallRule {
            port,
            direction,
            action,
        }
    }

    #[test]
    fn the_first_matching_rule_decides() {
        let rules = [
            rule(Some(80), RuleDirection::In, RuleAction::RejectRst),
            rule(None, RuleDirection::In, RuleAction::Drop),
            rule(Some(443), RuleDirection::Out, RuleAction::RejectIcmp),
        ];
        let v = |port, dir| verdict(&rules, dir, &syn_to(port));
        assert_eq!(v(80, RuleDirection::In), Verdict::Reset);
        assert_eq!(v(22, RuleDirection::In), Verdict::Drop);
        assert_eq!(v(443, RuleDirection::Out), Verdict::Icmp);
        assert_eq!(v(80, RuleDirection::Out), Verdict::Pass);
    }

    #[test]
    fn reject_rst_drops_what_is_not_tcp() {
        let rules = [rule(None, RuleDirection::In, RuleAction::RejectRst)];
        let mut udp = syn_to(53);
        udp.transport = Transport::Udp {
            src_port: 1,
            dst_port: 53,
            len: 0,
        };
        assert_eq!(verdict(&rules, RuleDirection::In, &udp), Verdict::Drop);
    }
}
