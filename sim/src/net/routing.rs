//! Routing over the topology graph: least total latency, deterministic ties.
//!
//! Routes are static, computed from the graph as it was declared (a link that
//! goes down keeps its routes and drops what it is given, as a cut cable does).
//! For each destination subnet a multi-source Dijkstra runs once, lazily, from
//! the subnet's members; only routers relay, so a path never passes through a
//! host. Ties in distance break on the lower node index, then the lower link
//! index: neighbours are visited in declaration order, never in petgraph's
//! (which is not a contract).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::Ipv4Addr;

use super::link::LinkId;
use super::topology::{NodeId, NodeKind, SubnetId, Topology};

/// Where a node sends a packet for a destination address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hop {
    /// The destination is this node.
    Local,
    /// Send it on `link` to the neighbour `to`.
    Forward { link: LinkId, to: NodeId },
    /// The destination is on an attached subnet but no neighbour owns it:
    /// neighbour resolution (ARP) will fail.
    Unresolved,
    /// No route to the destination network.
    NoRoute,
}

/// Next hop toward one subnet, per node: `None` where there is no path.
type Table = Vec<Option<(LinkId, NodeId)>>;

/// Lazily computed routing tables, one per destination subnet.
#[derive(Debug, Default)]
pub struct Routes {
    tables: Vec<Option<Table>>,
}

impl Routes {
    /// The next hop from `node` toward `dst`.
    pub fn next_hop(&mut self, topo: &Topology, node: NodeId, dst: Ipv4Addr) -> Hop {
        let here = topo.node(node);
        if here.addrs.iter().any(|c| c.addr == dst) {
            return Hop::Local;
        }
        if here.addrs.iter().any(|c| c.contains(dst)) {
            return on_link(topo, node, dst);
        }
        let Some(subnet) = topo.subnet_of(dst) else {
            return Hop::NoRoute;
        };
        if self.tables.len() < topo.subnet_count() {
            self.tables.resize(topo.subnet_count(), None);
        }
        let table = self.tables[subnet.0 as usize].get_or_insert_with(|| dijkstra(topo, subnet));
        match table[node.0 as usize] {
            Some((link, to)) => Hop::Forward { link, to },
            None => Hop::NoRoute,
        }
    }
}

/// A destination on an attached subnet: the neighbour that owns it, if any.
fn on_link(topo: &Topology, node: NodeId, dst: Ipv4Addr) -> Hop {
    match topo
        .owner(dst)
        .and_then(|owner| Some((topo.link_between(node, owner)?, owner)))
    {
        Some((link, to)) => Hop::Forward { link, to },
        None => Hop::Unresolved,
    }
}

/// Multi-source Dijkstra from the members of `subnet`; returns, for every
/// node, the first hop of its least-latency path to the subnet.
fn dijkstra(topo: &Topology, subnet: SubnetId) -> Table {
    let n = topo.nodes.len();
    let mut dist = vec![u64::MAX; n];
    let mut next: Table = vec![None; n];
    let mut heap = BinaryHeap::new();
    for &member in topo.members(subnet) {
        dist[member.0 as usize] = 0;
        heap.push(Reverse((0u64, member.0)));
    }
    while let Some(Reverse((d, u))) = heap.pop() {
        if d > dist[u as usize] {
            continue;
        }
        let node = &topo.nodes[u as usize];
        // Hosts never relay: a member host delivers on its own subnet only.
        if node.kind != NodeKind::Router {
            continue;
        }
        for &link_id in &node.links {
            let link = &topo.links[link_id.0 as usize];
            let v = link.peer(NodeId(u));
            let candidate = d.saturating_add(link.latency.as_nanos());
            if candidate < dist[v.0 as usize] {
                dist[v.0 as usize] = candidate;
                next[v.0 as usize] = Some((link_id, NodeId(u)));
                heap.push(Reverse((candidate, v.0)));
            }
        }
    }
    for &member in topo.members(subnet) {
        next[member.0 as usize] = None;
    }
    next
}
