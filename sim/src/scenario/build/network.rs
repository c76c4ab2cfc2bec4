//! The network of a scenario's world: built for a seed, or renewed from
//! the network an earlier world of the same scenario ran on (a sweep's
//! next seed; issue 18, item 5).

use std::borrow::Cow;

use simsock_model::scenario::{HostSpec, LinkSpec, Scenario};

use super::Prepared;
use crate::net::{Link, NodeId, NodeKind, Topology};
use crate::rng::Stream;

/// The topology of `s` for `seed`: `kept`, the topology an earlier world
/// of `s` ran on, with every link made anew for `seed`; else a new one.
///
/// Architecture invariant: a renewed topology is the one [`build`]
/// makes. A run changes nothing in a topology but its links (faults set
/// `up` and reshape them; a packet draws from a link's stream and moves
/// its last arrival), and [`renew`] replaces each link with the one
/// [`build`] makes, from the same function; the nodes, addresses, graph
/// and lookup tables depend on the scenario alone. The test
/// `a_sweeps_worlds_reuse_storage_and_run_as_new_ones`
/// (tests/tests/sweep_reuse.rs) compares the runs byte for byte.
pub(super) fn topology(
    s: &Scenario,
    p: &Prepared,
    seed: u64,
    kept: Option<Topology>,
    link_names: impl Iterator<Item = String>,
) -> Topology {
    match kept {
        Some(topo) => renew(topo, s, p, seed),
        None => build(s, p, seed, link_names),
    }
}

/// A new topology: hosts first (host `i` is node `i`), then routers and
/// switches, the declared links, and each host's loopback interface after
/// them (so the declared links' ids, and the capture's interface numbers,
/// stay). `link_names` names the declared links, in order.
fn build(
    s: &Scenario,
    p: &Prepared,
    seed: u64,
    mut link_names: impl Iterator<Item = String>,
) -> Topology {
    let mut topo = Topology::default();
    let nodes = s.hosts.len() + s.routers.len() + s.switches.len();
    topo.reserve(nodes, s.links.len(), s.hosts.len());
    let host_addrs = s.hosts.iter().flat_map(|h| h.addrs.iter());
    let router_addrs = s.routers.iter().flat_map(|r| r.addrs.iter());
    topo.reserve_members(host_addrs.chain(router_addrs).copied());
    for (i, spec) in s.hosts.iter().enumerate() {
        let kind = NodeKind::Host(i as u32);
        topo.add_node(spec.name.as_str().into(), spec.addrs.iter().copied(), kind);
    }
    for spec in &s.routers {
        topo.add_node(
            spec.name.as_str().into(),
            spec.addrs.iter().copied(),
            NodeKind::Router,
        );
    }
    for spec in &s.switches {
        topo.add_node(spec.name.as_str().into(), [], NodeKind::Switch);
    }
    let ends = link_ends(&mut topo, s);
    for ((i, spec), ends) in s.links.iter().enumerate().zip(ends) {
        let stream = Stream::with_id(seed, p.link_streams[i]);
        // Invariant: `Prepared::new` named every declared link.
        let name = link_names.next().expect("a name per declared link");
        topo.add_link(declared(spec, ends, name, stream));
    }
    for (i, spec) in s.hosts.iter().enumerate() {
        let node = NodeId(i as u32);
        let stream = Stream::with_id(seed, p.loopback_streams[i]);
        topo.add_loopback(node, loopback(spec, node, Cow::Borrowed("lo"), stream));
    }
    topo
}

/// The ends of each of `s`'s declared links, by link index, with room
/// made at each node for all of its links
/// ([`Topology::reserve_links_at`]): a node with one link allocates its
/// list once either way, a hub (the storm's server) no longer grows it
/// one doubling at a time.
fn link_ends(topo: &mut Topology, s: &Scenario) -> Vec<[NodeId; 2]> {
    let ends: Vec<[NodeId; 2]> = s
        .links
        .iter()
        .map(|l| {
            [
                node_named(topo, &l.between.0),
                node_named(topo, &l.between.1),
            ]
        })
        .collect();
    let mut degree = vec![0u32; topo.nodes.len()];
    for [a, b] in &ends {
        degree[a.0 as usize] += 1;
        degree[b.0 as usize] += 1;
    }
    for (node, &links) in (0u32..).zip(&degree) {
        if links > 1 {
            topo.reserve_links_at(NodeId(node), links as usize);
        }
    }
    ends
}

/// `topo`, made by [`build`] for `s` and run since, with its links as
/// [`build`] makes them for `seed` (their names kept, not copied).
fn renew(mut topo: Topology, s: &Scenario, p: &Prepared, seed: u64) -> Topology {
    let declared_links = s.links.len();
    topo.renew_links(|i, old| match s.links.get(i) {
        Some(spec) => {
            let stream = Stream::with_id(seed, p.link_streams[i]);
            declared(spec, old.ends, old.name, stream)
        }
        None => {
            let host = i - declared_links;
            let stream = Stream::with_id(seed, p.loopback_streams[host]);
            loopback(&s.hosts[host], old.ends[0], old.name, stream)
        }
    });
    topo
}

/// Declared link `spec` between `ends`, as the scenario set it up.
fn declared(
    spec: &LinkSpec,
    ends: [NodeId; 2],
    name: impl Into<Cow<'static, str>>,
    stream: Stream,
) -> Link {
    let mut link = Link::new(name, ends, spec.latency, stream);
    link.jitter = spec.jitter;
    link.loss_ppm = spec.loss_ppm;
    link.up = spec.up;
    link
}

/// The loopback interface of host `spec` on `node`: a link named `lo` from
/// the host to itself with its profile's `loopback_latency`.
fn loopback(spec: &HostSpec, node: NodeId, name: Cow<'static, str>, stream: Stream) -> Link {
    Link::new(name, [node, node], spec.profile.loopback_latency, stream)
}

fn node_named(topo: &Topology, name: &str) -> NodeId {
    // Invariant: the checker rejected links to unknown nodes.
    topo.node_named(name).expect("checked node name")
}
