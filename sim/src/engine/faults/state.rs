//! The fault state in force: per node (crashed, interface down, partition
//! group, firewall rules), whether a partition holds, and the triggers that
//! wait. The packet paths and the Winsock calls read it; `world::faults::apply`
//! changes it.

use simsock_model::PacketHeader;
use simsock_model::scenario::{FirewallRule, RuleDirection};

use super::firewall::{self, Verdict};
use super::trigger::Armed;
use crate::net::{NodeId, Topology};

/// What a node suffers from while a fault lasts.
#[derive(Clone, Debug, Default)]
pub(crate) struct NodeFaults {
    pub(crate) crashed: bool,
    pub(crate) interface_down: bool,
    /// Its partition group.
    pub(crate) group: Option<u32>,
    /// Its firewall, first match wins.
    pub(crate) rules: Vec<FirewallRule>,
}

/// The fault state the packet paths and the Winsock calls consult.
#[derive(Debug, Default)]
pub struct NetFaults {
    /// Some fault state is in force or a trigger waits: the packet paths
    /// must ask. False in a run without faults.
    pub engaged: bool,
    /// By node id; empty until a fault touches a node.
    pub(super) nodes: Vec<NodeFaults>,
    pub(super) partitioned: bool,
    /// Triggers not met yet.
    pub(crate) triggers: Vec<Armed>,
}

impl NetFaults {
    pub(super) fn node(&self, node: NodeId) -> Option<&NodeFaults> {
        self.nodes.get(node.0 as usize)
    }

    /// The fault state of `node`, created on first use (the world changes
    /// it: `world::faults`).
    pub(crate) fn node_mut(&mut self, node: NodeId) -> &mut NodeFaults {
        let index = node.0 as usize;
        if self.nodes.len() <= index {
            self.nodes.resize_with(index + 1, NodeFaults::default);
        }
        &mut self.nodes[index]
    }

    /// Recomputes [`NetFaults::engaged`] after a change.
    pub(crate) fn refresh(&mut self) {
        let any_node = self
            .nodes
            .iter()
            .any(|n| n.crashed || n.interface_down || !n.rules.is_empty());
        self.engaged = any_node || self.partitioned || !self.triggers.is_empty();
    }

    /// Whether the host at `node` has its interface down (CB-C11).
    pub fn interface_down(&self, node: NodeId) -> bool {
        self.node(node).is_some_and(|n| n.interface_down)
    }

    /// Whether the host at `node` is crashed.
    pub fn crashed(&self, node: NodeId) -> bool {
        self.node(node).is_some_and(|n| n.crashed)
    }

    /// Why `node` can neither send nor receive, if it cannot.
    pub(super) fn down_reason(&self, node: NodeId) -> Option<&'static str> {
        let n = self.node(node)?;
        match (n.crashed, n.interface_down) {
            (true, _) => Some("host down"),
            (false, true) => Some("interface down"),
            _ => None,
        }
    }

    /// What the firewall of `node` does with `header` going `direction`.
    pub fn verdict(
        &self,
        node: NodeId,
        direction: RuleDirection,
        header: &PacketHeader,
    ) -> Verdict {
        match self.node(node) {
            Some(n) if !n.rules.is_empty() => firewall::verdict(&n.rules, direction, header),
            _ => Verdict::Pass,
        }
    }

    /// Whether the partition separates the owners of the packet's source
    /// and destination addresses.
    pub(super) fn separates(&self, topo: &Topology, header: &PacketHeader) -> bool {
        if !self.partitioned {
            return false;
        }
        let group = |addr| {
            topo.owner(addr)
                .and_then(|n| self.node(n))
                .and_then(|n| n.group)
        };
        matches!((group(header.src), group(header.dst)), (Some(a), Some(b)) if a != b)
    }
}
