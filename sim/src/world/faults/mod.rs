//! Faults: scheduled or triggered changes to links, hosts and the network,
//! and the state the packet paths consult while they last.
//!
//! A fault happens at a simulated time (an `Event::Fault` scheduled when
//! the world is built) or when a trigger (`engine::faults::trigger`) sees the packet it waits for in
//! the transmit path, which works whether or not the trace is kept. Every
//! fault that takes effect, and every trigger that is met, is a trace event
//! (`fault ...`).
//!
//! The state the packet paths consult while a fault lasts is the engine's
//! (`engine::faults`); this module changes it, and what a fault
//! does to hosts and threads (a crash, an interface going down).
//!
//! Architecture invariant: faults change the network and the hosts; the
//! outcomes (timeout, refused, unreachable, reset) still come from the
//! stacks' own reactions, never from a special case.

mod crash;
mod plan;

use simsock_model::scenario::FirewallRule;

use crate::engine::faults::{heal, link_set, partition, record};
use crate::net::{LinkId, NodeId, ShapeChange};
use crate::stack::sync::wake;
use crate::world::World;

pub use plan::plan;
pub(crate) use plan::resolve;

/// A fault with its names resolved, as the engine applies it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultAction {
    /// The link carries packets again, with the shape it had
    /// (`FaultAction::LinkUp` of the model).
    LinkUp(LinkId),
    /// The link stops carrying packets; the trace says "link down".
    LinkDown(LinkId),
    /// Groups of nodes that stop reaching each other; replaces any earlier
    /// partition.
    Partition(Vec<Vec<NodeId>>),
    /// Ends the partition.
    Heal,
    /// Changes a link's shape (latency, jitter, loss, duplication,
    /// reordering); settings the scenario left out keep their values.
    LinkSet {
        /// The link, resolved from the two node names.
        link: LinkId,
        /// `dirs[i]`: the direction from the link's `ends[i]` changes
        /// (the scenario's `Forward` is from the first node it names).
        dirs: [bool; 2],
        /// The new settings.
        change: ShapeChange,
    },
    /// By host index: the host stops at once, without FIN or RST
    /// (`crash.rs` says what vanishes).
    HostCrash(u32),
    /// A crashed host comes back with an empty stack; a host that is up
    /// reboots (a crash and a restart at once).
    HostRestart {
        /// The host, by index.
        host: u32,
        /// Whether the host's threads begin with WSAStartup done (the
        /// host's `started` in the scenario).
        started: bool,
    },
    /// By host index: every call on the host fails with WSAENETDOWN and
    /// its packets are dropped (CB-C11).
    InterfaceDown(u32),
    /// By host index: the interface works again (CB-C11).
    InterfaceUp(u32),
    /// By host index: adds the rule after the host's other firewall rules.
    Firewall(u32, FirewallRule),
    /// By host index: removes every firewall rule of the host.
    FirewallClear(u32),
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
