//! Faults: scheduled or triggered changes to links, hosts and the network,
//! and the state the packet paths consult while they last.
//!
//! A fault happens at a simulated time (an [`Event::Fault`] scheduled when
//! the world is built) or when a [`trigger`] sees the packet it waits for in
//! the transmit path, which works whether or not the trace is kept. Every
//! fault that takes effect, and every trigger that is met, is a trace event
//! (`fault ...`).
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
//!
//! Architecture invariant: faults change the network and the hosts; the
//! outcomes (timeout, refused, unreachable, reset) still come from the
//! stacks' own reactions, never from a special case.

mod crash;
mod firewall;
mod plan;
mod state;
pub mod trigger;

use simsock_model::scenario::{FirewallRule, RuleDirection};
use simsock_model::{SimDuration, SimTime};

use crate::engine::{Core, Event};
use crate::net::{LinkId, NodeId, PacketId, ShapeChange};
use crate::stack::sync::wake;
use crate::trace::TraceKind;
use crate::world::World;

pub use firewall::Verdict;
pub use plan::plan;
pub(crate) use plan::resolve;
pub use state::NetFaults;
pub use trigger::Armed;

/// A fault with its names resolved, as the engine applies it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultAction {
    LinkUp(LinkId),
    LinkDown(LinkId),
    /// Groups of nodes that stop reaching each other.
    Partition(Vec<Vec<NodeId>>),
    Heal,
    /// `dirs[i]`: the direction from the link's `ends[i]` changes.
    LinkSet {
        link: LinkId,
        dirs: [bool; 2],
        change: ShapeChange,
    },
    /// By host index.
    HostCrash(u32),
    /// `started`: whether the host's threads begin with WSAStartup done.
    HostRestart {
        host: u32,
        started: bool,
    },
    InterfaceDown(u32),
    InterfaceUp(u32),
    Firewall(u32, FirewallRule),
    FirewallClear(u32),
}

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

/// Applies the world's fault `index` and records it in the trace.
pub(crate) fn apply(world: &mut World, index: u32) {
    let Some(action) = world.faults.get(index as usize).cloned() else {
        return;
    };
    let (node, what) = match action {
        FaultAction::LinkUp(link) | FaultAction::LinkDown(link) => {
            let up = matches!(action, FaultAction::LinkUp(_));
            let state = &mut world.core.topo.links[link.0 as usize];
            state.up = up;
            let what = format!("link {} {}", state.name, if up { "up" } else { "down" });
            (state.ends[0], what)
        }
        FaultAction::Partition(groups) => partition(&mut world.core, &groups),
        FaultAction::Heal => heal(&mut world.core),
        FaultAction::LinkSet { link, dirs, change } => {
            link_set(&mut world.core, world.seed, link, dirs, &change)
        }
        FaultAction::HostCrash(host) => crash::crash(world, host),
        FaultAction::HostRestart { host, started } => crash::restart(world, host, started),
        FaultAction::InterfaceDown(host) => interface(world, host, true),
        FaultAction::InterfaceUp(host) => interface(world, host, false),
        FaultAction::Firewall(host, rule) => {
            let h = &world.hosts[host as usize];
            world.core.faults.node_mut(h.node).rules.push(rule);
            (h.node, format!("firewall {}: {rule}", h.name))
        }
        FaultAction::FirewallClear(host) => {
            let h = &world.hosts[host as usize];
            world.core.faults.node_mut(h.node).rules.clear();
            (h.node, format!("firewall {}: cleared", h.name))
        }
    };
    world.core.faults.refresh();
    record(&mut world.core, node, what);
}

/// Records a `fault` trace event.
fn record(core: &mut Core, node: NodeId, what: String) {
    if core.trace.is_on() {
        core.trace
            .record(core.now(), node, TraceKind::Fault { what });
    }
}

/// Schedules fault `index` at `at`.
fn schedule(core: &mut Core, at: SimTime, index: u32) {
    core.schedule(at, Event::Fault { index });
}

fn partition(core: &mut Core, groups: &[Vec<NodeId>]) -> (NodeId, String) {
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
            let names: Vec<&str> = g.iter().map(|n| core.topo.node(*n).name.as_str()).collect();
            format!("[{}]", names.join(", "))
        })
        .collect();
    let first = groups.iter().flatten().next().copied().unwrap_or(NodeId(0));
    (first, format!("partition {}", names.join(" | ")))
}

fn heal(core: &mut Core) -> (NodeId, String) {
    for node in &mut core.faults.nodes {
        node.group = None;
    }
    core.faults.partitioned = false;
    (NodeId(0), "partition healed".to_string())
}

fn link_set(
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
        .map(|n| core.topo.nodes[n.0 as usize].name.as_str());
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

/// CB-C11: while the interface is down every call on the host fails with
/// WSAENETDOWN (`winsock::poll`), including calls already blocked, which
/// are woken to see it; its packets are dropped.
fn interface(world: &mut World, host: u32, down: bool) -> (NodeId, String) {
    let h = &mut world.hosts[host as usize];
    world.core.faults.node_mut(h.node).interface_down = down;
    if down {
        for socket in h.sockets.iter_mut().flatten() {
            wake(&mut world.core, &mut socket.waiters);
        }
    }
    let state = if down { "down" } else { "up" };
    (h.node, format!("interface of {} {state}", h.name))
}
