//! The input of every view: one run's full trace and the topology it ran on.

use std::net::Ipv4Addr;

use simsock_model::SimTime;
use simsock_model::addr::Ipv4Cidr;
use simsock_model::scenario::Scenario;
use simsock_sim::net::link::Link;
use simsock_sim::net::topology::{Node, NodeKind};
use simsock_sim::net::{LinkId, NodeId};
use simsock_sim::scenario::{self, Report, RunOptions};
use simsock_sim::trace::{Names, TraceEvent, TraceMode};
use simsock_sim::world::CallRecord;

/// A node as the views draw it.
#[derive(Clone, Debug)]
pub struct NodeInfo {
    pub name: String,
    pub addrs: Vec<Ipv4Addr>,
    /// The addresses with their prefixes (for subnets and broadcasts).
    pub cidrs: Vec<Ipv4Cidr>,
    /// A switch forwards frames without being an IP hop (CB-B3).
    pub switch: bool,
    /// Links at this node, in declaration order.
    pub links: Vec<LinkId>,
}

/// A link as the views draw it.
#[derive(Clone, Debug)]
pub struct LinkInfo {
    pub name: String,
    pub ends: [NodeId; 2],
}

impl LinkInfo {
    /// The end that is not `node` (a link joins two distinct nodes).
    pub fn other(&self, node: NodeId) -> NodeId {
        if self.ends[0] == node {
            self.ends[1]
        } else {
            self.ends[0]
        }
    }
}

/// One run, ready to be projected.
#[derive(Debug)]
pub struct Capture {
    pub scenario: String,
    pub seed: u64,
    pub digest: String,
    pub end: SimTime,
    pub passed: bool,
    pub failures: Vec<String>,
    pub nodes: Vec<NodeInfo>,
    pub links: Vec<LinkInfo>,
    pub names: Names,
    pub events: Vec<TraceEvent>,
    /// Every call with its result and, for a failed one, its `why:` chain.
    pub calls: Vec<CallRecord>,
}

impl Capture {
    pub fn node(&self, node: NodeId) -> &NodeInfo {
        &self.nodes[node.0 as usize]
    }

    pub fn link(&self, link: LinkId) -> &LinkInfo {
        &self.links[link.0 as usize]
    }
}

/// Builds the scenario's world once, takes its topology, and runs it with
/// the full trace kept: every event, as many as `limits.max_events` lets
/// the run make (a view draws them all).
pub fn capture(scenario: &Scenario, seed: Option<u64>) -> Capture {
    let options = RunOptions {
        seed,
        trace: TraceMode::Full,
        record_calls: true,
        max_kept_events: usize::MAX,
        max_recorded_calls: usize::MAX,
        ..RunOptions::default()
    };
    let world = scenario::build(scenario, &options);
    let topo = world.topology();
    let (nodes, links) = (topo.nodes.clone(), topo.links.clone());
    let report = scenario::finish(scenario, world);
    from_report(report, &nodes, &links)
}

fn node_info(node: &Node) -> NodeInfo {
    NodeInfo {
        name: node.name.to_string(),
        addrs: node.addrs.iter().map(|c| c.addr).collect(),
        cidrs: node.addrs.to_vec(),
        switch: node.kind == NodeKind::Switch,
        links: node.links.to_vec(),
    }
}

/// A run's report and the topology it ran on, ready to be projected.
pub fn from_report(report: Report, nodes: &[Node], links: &[Link]) -> Capture {
    let nodes = nodes.iter().map(node_info).collect();
    let links = links
        .iter()
        .map(|l| LinkInfo {
            name: l.name.to_string(),
            ends: l.ends,
        })
        .collect();
    Capture {
        scenario: report.scenario,
        seed: report.seed,
        digest: report.digest,
        end: report.end,
        passed: report.passed,
        failures: report.failures,
        nodes,
        links,
        names: report.names,
        events: report.trace,
        calls: report.calls,
    }
}
