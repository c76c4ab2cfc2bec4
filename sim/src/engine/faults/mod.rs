//! Fault state as the engine consults it: whether a node is crashed or
//! its interface down, the partition, the host firewalls and the triggers
//! that wait for a packet; the checks the packet paths make against it;
//! and the changes of it that touch only the network.
//!
//! The faults themselves (when a fault happens, what a crash does to a
//! host's stack and threads) belong to the world (`world::faults`), which
//! changes this state; the engine and the stack only read it, as data.
//!
//! The packet paths ask [`NetFaults`] about a packet only while some fault
//! state is in force (`NetFaults::engaged`): a run without faults pays one
//! branch per packet. The checks, in path order:
//! - [`before_link`] (a node is about to put a packet on a link): a crashed
//!   host or a down interface sends nothing; a host firewall's `Out` rules.
//! - [`on_link`] (after the trace's `send` line): triggers count the
//!   packet; a partition drops it.
//! - [`before_host`] (a packet reaches a host, from `stack::input`): a
//!   crashed host or a down interface receives nothing; the firewall's `In`
//!   rules, answered with RST or ICMP (`firewall.rs`).
//!
//! Drop reasons in the trace: "partition", "firewall", "host down",
//! "interface down" (beside the links' own "link down" and "lost"); sends
//! caused by a fault: "duplicate", "reset: firewall", "admin prohibited:
//! firewall".

mod firewall;
mod state;
pub mod trigger;

use simsock_model::scenario::RuleDirection;
use simsock_model::{SimDuration, SimTime};

use super::{Core, Event};
use crate::net::{LinkId, NodeId, PacketId, ShapeChange};
use crate::trace::TraceKind;

pub use state::NetFaults;
pub use trigger::Armed;

/// A node is about to put `pkt` on `link`: false (and the packet dropped or
/// rejected) if the node is down or its firewall stops it (`Out` rules).
/// The loopback interface has no cable and no firewall rules (Windows
/// Firewall does not filter loopback traffic): only a crash stops it.
pub fn before_link(core: &mut Core, from: NodeId, link: LinkId, pkt: PacketId) -> bool {
    if core.topo.is_loopback(link) {
        return true; // a crashed host runs nothing that sends
    }
    if let Some(reason) = core.faults.down_reason(from) {
        core.drop_packet(from, Some(link), pkt, reason);
        return false;
    }
    let header = core.packets.get(pkt).header;
    let verdict = core.faults.verdict(from, RuleDirection::Out, &header);
    firewall::enforce(core, from, Some(link), pkt, verdict)
}

/// `pkt` is on `link` (its `send` line traced): triggers count it, and a
/// partition drops it. False if it was dropped.
pub fn on_link(core: &mut Core, from: NodeId, link: LinkId, to: NodeId, pkt: PacketId) -> bool {
    if !core.faults.triggers.is_empty() {
        trigger::observe(core, from, to, pkt);
    }
    let header = core.packets.get(pkt).header;
    if core.faults.separates(&core.topo, &header) {
        core.drop_packet(from, Some(link), pkt, "partition");
        return false;
    }
    true
}

/// `pkt` reached the host at `node`: false (and the packet dropped) if the
/// host is crashed; for a packet that came over a link, if its interface is
/// down or its firewall stops it (`In` rules, answered with RST or ICMP).
pub fn before_host(core: &mut Core, node: NodeId, link: Option<LinkId>, pkt: PacketId) -> bool {
    // Looped back: only a crash stops it (see `before_link`).
    let link = link.filter(|&l| !core.topo.is_loopback(l));
    let reason = match core.faults.node(node) {
        Some(n) if n.crashed => "host down",
        Some(n) if n.interface_down && link.is_some() => "interface down",
        _ if link.is_none() => return true,
        _ => {
            let header = core.packets.get(pkt).header;
            let verdict = core.faults.verdict(node, RuleDirection::In, &header);
            return firewall::enforce(core, node, link, pkt, verdict);
        }
    };
    core.drop_packet(node, link, pkt, reason);
    false
}

/// Records a `fault` trace event.
pub fn record(core: &mut Core, node: NodeId, what: String) {
    if core.trace.is_on() {
        core.trace
            .record(core.now(), node, TraceKind::Fault { what });
    }
}

/// Schedules fault `index` at `at`.
pub fn schedule(core: &mut Core, at: SimTime, index: u32) {
    core.schedule(at, Event::Fault { index });
}

/// Splits the network into `groups`; returns the trace node and text.
pub fn partition(core: &mut Core, groups: &[Vec<NodeId>]) -> (NodeId, String) {
    heal(core);
    for (g, nodes) in groups.iter().enumerate() {
        for &node in nodes {
            core.faults.node_mut(node).group = Some(g as u32);
        }
    }
    core.faults.partitioned = true;
    let names: Vec<String> = groups
        .iter()
        .map(|g| {
            let names: Vec<&str> = g.iter().map(|n| core.topo.node(*n).name.as_ref()).collect();
            format!("[{}]", names.join(", "))
        })
        .collect();
    let first = groups.iter().flatten().next().copied().unwrap_or(NodeId(0));
    (first, format!("partition {}", names.join(" | ")))
}

/// Ends a partition; returns the trace node and text.
pub fn heal(core: &mut Core) -> (NodeId, String) {
    for node in &mut core.faults.nodes {
        node.group = None;
    }
    core.faults.partitioned = false;
    (NodeId(0), "partition healed".to_string())
}

/// Changes a link's shape in the directions `dirs`; returns the trace
/// node and text.
pub fn link_set(
    core: &mut Core,
    seed: u64,
    link: LinkId,
    dirs: [bool; 2],
    change: &ShapeChange,
) -> (NodeId, String) {
    let state = &mut core.topo.links[link.0 as usize];
    state.reshape(seed, dirs, change);
    let ends = state
        .ends
        .map(|n| core.topo.nodes[n.0 as usize].name.as_ref());
    let mut what = format!("link {}", state.name);
    for (dir, _) in dirs.iter().enumerate().filter(|(_, on)| **on) {
        let s = state.shape(dir);
        what.push_str(&format!(
            "; {} > {}: latency {}, jitter {}, loss_ppm {}, duplicate_ppm {}{}, reorder_ppm {}",
            ends[dir],
            ends[1 - dir],
            s.latency,
            s.jitter,
            s.loss_ppm,
            s.duplicate_ppm,
            delayed(s.duplicate_ppm, s.duplicate_delay),
            s.reorder_ppm
        ));
    }
    (state.ends[0], what)
}

/// A duplicate's delay as the fault line shows it: nothing when at once or
/// when no packet is duplicated.
fn delayed(ppm: u32, delay: SimDuration) -> String {
    if ppm == 0 || delay == SimDuration::ZERO {
        String::new()
    } else {
        format!(" (copies {delay} late)")
    }
}
