//! Routing over the topology graph: least total latency, deterministic ties.
//!
//! Routes are static, computed from the graph as it was declared (a link that
//! goes down keeps its routes and drops what it is given, as a cut cable does).
//! For each destination subnet a multi-source Dijkstra runs once, lazily, from
//! the subnet's members; only routers and switches relay, so a path never
//! passes through a host. A switch relays within its segment: a host reaches
//! an on-link neighbour through the switch both are linked to, and a switch
//! sends a packet for a node linked to it straight to that node's port (the
//! forwarding table a learning switch would build), else toward the next hop
//! its segment's routers lead to. Ties in distance break on the lower node index, then the lower link
//! index: neighbours are visited in declaration order, never in petgraph's
//! (which is not a contract).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::net::Ipv4Addr;

use indexmap::IndexMap;
use rustc_hash::FxBuildHasher;

use super::link::LinkId;
use super::topology::{NodeId, NodeKind, SubnetId, Topology};

/// Where a node sends a packet for a destination address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hop {
    /// The destination is this node.
    Local,
    /// Send it on `link` to the neighbour `to`.
    Forward {
        /// The link to put the packet on.
        link: LinkId,
        /// The neighbour at its other end.
        to: NodeId,
    },
    /// The destination is on an attached subnet but no neighbour owns it:
    /// neighbour resolution (ARP) will fail: a connect gets
    /// WSAEHOSTUNREACH (CB-C13).
    Unresolved,
    /// No route to the destination network: a connect gets WSAENETUNREACH
    /// (CB-C12).
    NoRoute,
}

/// Most route answers kept (bounds the cache's memory; past it, answers are
/// computed each time, from the per-subnet tables).
///
/// Performance: each answer is about 45 bytes. A connection asks twice, once
/// from each end (its slot keeps the answer after: `TcbSlot::route`), so a
/// network of many hosts that connect once each asks each question once,
/// and at 1,048,576 answers (the bound before) a million-host storm kept
/// some 90 bytes per host that nothing read again. 65,536 answers still
/// hold every question of a network of up to 32,768 clients asked again
/// and again (2.9 MB). A host's on-link answers are no longer cached at
/// all ([`Routes::next_hop`]).
const MAX_CACHED_ROUTES: usize = 1 << 16;

/// Next hop toward one subnet, per node: `None` where there is no path.
type Table = Vec<Option<(LinkId, NodeId)>>;

/// Lazily computed routing tables, one per destination subnet.
#[derive(Debug, Default)]
pub struct Routes {
    tables: Vec<Option<Table>>,
    /// Performance: every answer given so far, by `(node, destination)`;
    /// routes are static, so an answer never changes. One hash lookup
    /// instead of the address scans and two or three map lookups below (the
    /// route lookup was ~13% of the storm benchmark). Never iterated.
    cache: IndexMap<u64, Hop, FxBuildHasher>,
    /// Performance: the last question and its answer. A connect asks for
    /// the route to choose its local address, then its first segment asks
    /// again (`TcbSlot::route`): the second is answered here.
    last: Option<(u64, Hop)>,
}

impl Routes {
    /// The next hop from `node` toward `dst`.
    ///
    /// Performance (issue 18, 100,000 hosts): a host's answer for its own
    /// address, loopback or an on-link neighbour (most questions: a host
    /// asks once per connection, `TcbSlot::route`) is worked out each time
    /// (`near`: its addresses, then the owner and adjacency tables)
    /// and never cached. Caching it grew a table of one entry per
    /// connection end that nothing read again, each question a cold probe
    /// of it and an insert; routers, switches and a host's routed answers
    /// (a walk of the per-subnet tables) still go through the cache.
    pub fn next_hop(&mut self, topo: &Topology, node: NodeId, dst: Ipv4Addr) -> Hop {
        let key = (u64::from(node.0) << 32) | u64::from(dst.to_bits());
        if let Some((last, hop)) = self.last
            && last == key
        {
            return hop;
        }
        let near = match topo.kind(node) {
            NodeKind::Host(_) => near(topo, node, dst),
            NodeKind::Router | NodeKind::Switch => None,
        };
        let hop = match near {
            Some(hop) => hop,
            None => self.cached(topo, node, dst, key),
        };
        self.last = Some((key, hop));
        hop
    }

    /// The answer from the cache, or looked up and cached.
    fn cached(&mut self, topo: &Topology, node: NodeId, dst: Ipv4Addr, key: u64) -> Hop {
        if let Some(&hop) = self.cache.get(&key) {
            return hop;
        }
        let hop = self.lookup(topo, node, dst);
        if self.cache.len() < MAX_CACHED_ROUTES {
            self.cache.insert(key, hop);
        }
        hop
    }

    fn lookup(&mut self, topo: &Topology, node: NodeId, dst: Ipv4Addr) -> Hop {
        if topo.kind(node) == NodeKind::Switch
            && let Some(hop) = switch_port(topo, node, dst)
        {
            return hop;
        }
        if let Some(hop) = near(topo, node, dst) {
            return hop;
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

/// The answer without the routing tables: the node's own address,
/// loopback, or a destination on an attached subnet; `None` for a
/// destination off its subnets.
fn near(topo: &Topology, node: NodeId, dst: Ipv4Addr) -> Option<Hop> {
    let here = topo.node(node);
    if here.addrs.iter().any(|c| c.addr == dst) {
        return Some(Hop::Local);
    }
    if dst.is_loopback() {
        // 127.0.0.0/8 never leaves a node (RFC 1122 §3.2.1.3 (g)): a
        // host's loopback interface answers it; a router drops it.
        return Some(match topo.loopback(node) {
            Some(_) => Hop::Local,
            None => Hop::NoRoute,
        });
    }
    match here.addrs.iter().any(|c| c.contains(dst)) {
        true => Some(on_link(topo, node, dst)),
        false => None,
    }
}

/// The answer [`Routes::next_hop`] gives at host `node` for `dst`, when
/// `dst` is the first address of the node at the other end of `link` (a
/// packet from `dst` came over it): that link, without the owner and
/// adjacency tables; `None` when the rules may pick another way.
///
/// It is that answer when `dst` lies on one of the host's subnets and is
/// not its own or a loopback address: `near` then asks `on_link`, whose
/// two ways both pick the first link declared between the host and the
/// neighbour that owns `dst` (addresses are unique). When no two nodes
/// are joined by more than one link, the link the packet came over is that
/// first link (the scenario checker refuses a second link between two
/// nodes; a topology built otherwise may have one). Anything else (a
/// sender off the host's subnets, whose
/// answer is a route that may run through another neighbour; parallel
/// links; a loopback) gets `None`, and the caller asks `next_hop`.
///
/// Performance (issue 18): a server's SYN,ACK asked `next_hop`, whose
/// owner and adjacency tables are two cold hash tables at a server with
/// many links (~136 instructions a connection at 100 x 200, callgrind);
/// this reads the link, the sender's first address and the host's
/// addresses, all of which the reply touches anyway.
pub fn hop_back(topo: &Topology, node: NodeId, link: LinkId, dst: Ipv4Addr) -> Option<Hop> {
    if topo.has_parallel_links() || dst.is_loopback() {
        return None;
    }
    let to = topo.links[link.0 as usize].peer(node);
    if to == node || topo.first_addr(to) != Some(dst) {
        return None;
    }
    let mut on_subnet = false;
    for cidr in &topo.node(node).addrs {
        if cidr.addr == dst {
            return None; // its own: `Hop::Local`
        }
        on_subnet |= cidr.contains(dst);
    }
    on_subnet.then_some(Hop::Forward { link, to })
}

/// A destination on an attached subnet: the neighbour that owns it, over a
/// direct link or through a switch both are linked to (the first such
/// switch in the node's declaration order), if any.
fn on_link(topo: &Topology, node: NodeId, dst: Ipv4Addr) -> Hop {
    neighbour_owning(topo, node, dst).unwrap_or_else(|| on_link_by_tables(topo, node, dst))
}

/// Links a node may have for [`neighbour_owning`] to look at them.
const FEW_LINKS: usize = 4;

/// The answer of [`on_link_by_tables`] when `dst` is the first address of
/// a neighbour of a node with few links: the first of its links whose
/// other end has that address (addresses are unique, so that end owns
/// it, and links are listed in declaration order, as the adjacency
/// table's first link between two nodes is); `None` otherwise.
///
/// Performance (issue 18, 100,000 hosts): a client asks this once per
/// connection, its link and the server's record being ones its first
/// segment reads anyway, where the owner and adjacency tables of a big
/// network were four cold cache lines.
fn neighbour_owning(topo: &Topology, node: NodeId, dst: Ipv4Addr) -> Option<Hop> {
    let links = &topo.node(node).links;
    if links.len() > FEW_LINKS {
        return None;
    }
    links.iter().find_map(|&link| {
        let to = topo.links[link.0 as usize].peer(node);
        (topo.first_addr(to) == Some(dst)).then_some(Hop::Forward { link, to })
    })
}

/// [`on_link`] from the owner and adjacency tables.
fn on_link_by_tables(topo: &Topology, node: NodeId, dst: Ipv4Addr) -> Hop {
    let Some(owner) = topo.owner(dst) else {
        return Hop::Unresolved;
    };
    if let Some(link) = topo.link_between(node, owner) {
        return Hop::Forward { link, to: owner };
    }
    let via_switch = topo.node(node).links.iter().find_map(|&link| {
        let peer = topo.links[link.0 as usize].peer(node);
        let switched = topo.node(peer).kind == NodeKind::Switch;
        (switched && topo.link_between(peer, owner).is_some()).then_some((link, peer))
    });
    match via_switch {
        Some((link, to)) => Hop::Forward { link, to },
        None => Hop::Unresolved,
    }
}

/// At a switch: the port of the node that owns `dst`, if it is linked to it.
fn switch_port(topo: &Topology, switch: NodeId, dst: Ipv4Addr) -> Option<Hop> {
    let owner = topo.owner(dst)?;
    let link = topo.link_between(switch, owner)?;
    Some(Hop::Forward { link, to: owner })
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
        if matches!(node.kind, NodeKind::Host(_)) {
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

#[cfg(test)]
mod tests {
    use simsock_model::SimDuration;

    use super::*;
    use crate::net::Link;
    use crate::rng::Stream;

    fn node(t: &mut Topology, name: &str, addrs: &[&str], kind: NodeKind) -> NodeId {
        t.add_node(
            name.into(),
            addrs
                .iter()
                .map(|a| a.parse::<simsock_model::Ipv4Cidr>().unwrap()),
            kind,
        )
    }

    fn link(t: &mut Topology, a: NodeId, b: NodeId, ms: u64) -> LinkId {
        t.add_link(Link::new(
            format!("{a:?}-{b:?}"),
            [a, b],
            SimDuration::from_millis(ms),
            Stream::new(0, "l"),
        ))
    }

    fn ip(text: &str) -> Ipv4Addr {
        text.parse().unwrap()
    }

    /// `link_between` answers, in either order of the pair, the first
    /// link declared between two nodes, whichever way that link was
    /// declared, and nothing for nodes with no link between them: as the
    /// table with an entry each way did, now with one entry a pair.
    #[test]
    fn the_link_between_two_nodes_is_the_first_declared_either_way() {
        let mut t = Topology::default();
        let n: Vec<NodeId> = (0..4)
            .map(|i| node(&mut t, &format!("n{i}"), &[], NodeKind::Router))
            .collect();
        let declared = [(1, 0), (0, 1), (2, 1), (1, 2), (3, 3)];
        let links: Vec<LinkId> = (declared.iter())
            .map(|&(a, b)| link(&mut t, n[a], n[b], 1))
            .collect();
        for a in 0..4 {
            for b in 0..4 {
                let first = (declared.iter().zip(&links))
                    .find(|((x, y), _)| (*x, *y) == (a, b) || (*x, *y) == (b, a))
                    .map(|(_, l)| *l);
                assert_eq!(t.link_between(n[a], n[b]), first, "n{a} - n{b}");
            }
        }
    }

    /// A host's address and link are held in its node record, no heap
    /// (issue 18, x1 sizes), a node with more keeps them all in order, and
    /// a node record is at most 16 bytes bigger than with `Vec`s (80
    /// bytes), which is what it no longer holds on the heap.
    #[test]
    fn node_addresses_and_links_are_inline_and_complete() {
        let (t, [c, _, r1, _], [l1, l2, ..]) = two_paths();
        let client = t.node(c);
        assert!(!client.addrs.spilled() && !client.links.spilled());
        let addrs: Vec<Ipv4Addr> = client.addrs.iter().map(|c| c.addr).collect();
        assert_eq!(addrs, [ip("10.0.0.1")]);
        let router = t.node(r1);
        let addrs: Vec<Ipv4Addr> = router.addrs.iter().map(|c| c.addr).collect();
        assert_eq!(addrs, [ip("10.0.0.254"), ip("10.0.1.254")]);
        assert_eq!(router.links.as_slice(), [l1, l2]);
        assert!(std::mem::size_of::<crate::net::topology::Node>() <= 96);
        let mut t = Topology::default();
        let hub = node(&mut t, "hub", &[], NodeKind::Router);
        let links: Vec<LinkId> = (0..9u8)
            .map(|i| {
                let n = node(&mut t, &format!("h{i}"), &[], NodeKind::Host(i.into()));
                link(&mut t, hub, n, 1)
            })
            .collect();
        assert_eq!(t.node(hub).links.as_slice(), links, "past the inline four");
    }

    /// client - r1 - server, and a slower second path client - r2 - server.
    fn two_paths() -> (Topology, [NodeId; 4], [LinkId; 4]) {
        let mut t = Topology::default();
        let c = node(&mut t, "client", &["10.0.0.1/24"], NodeKind::Host(0));
        let s = node(&mut t, "server", &["10.0.1.2/24"], NodeKind::Host(1));
        let r1 = node(
            &mut t,
            "r1",
            &["10.0.0.254/24", "10.0.1.254/24"],
            NodeKind::Router,
        );
        let r2 = node(
            &mut t,
            "r2",
            &["10.0.0.253/24", "10.0.1.253/24"],
            NodeKind::Router,
        );
        let l = [
            link(&mut t, c, r1, 1),
            link(&mut t, r1, s, 1),
            link(&mut t, c, r2, 5),
            link(&mut t, r2, s, 5),
        ];
        (t, [c, s, r1, r2], l)
    }

    #[test]
    fn picks_the_least_latency_path_hop_by_hop() {
        let (t, [c, s, r1, _], l) = two_paths();
        let mut routes = Routes::default();
        assert_eq!(
            routes.next_hop(&t, c, ip("10.0.1.2")),
            Hop::Forward { link: l[0], to: r1 }
        );
        assert_eq!(
            routes.next_hop(&t, r1, ip("10.0.1.2")),
            Hop::Forward { link: l[1], to: s }
        );
        assert_eq!(routes.next_hop(&t, s, ip("10.0.1.2")), Hop::Local);
    }

    /// Equal latencies: the lower node index wins, every time.
    #[test]
    fn ties_break_on_the_lower_node_index() {
        let mut t = Topology::default();
        let c = node(&mut t, "c", &["10.0.0.1/24"], NodeKind::Host(0));
        let _s = node(&mut t, "s", &["10.0.1.2/24"], NodeKind::Host(1));
        let r1 = node(
            &mut t,
            "r1",
            &["10.0.0.254/24", "10.0.1.254/24"],
            NodeKind::Router,
        );
        let r2 = node(
            &mut t,
            "r2",
            &["10.0.0.253/24", "10.0.1.253/24"],
            NodeKind::Router,
        );
        link(&mut t, c, r2, 1);
        let via_r1 = link(&mut t, c, r1, 1);
        let mut routes = Routes::default();
        assert_eq!(
            routes.next_hop(&t, c, ip("10.0.1.2")),
            Hop::Forward {
                link: via_r1,
                to: r1
            }
        );
    }

    /// CB-C12: no node serves the destination network.
    #[test]
    fn no_route_to_an_unknown_network() {
        let (t, [c, ..], _) = two_paths();
        assert_eq!(
            Routes::default().next_hop(&t, c, ip("192.168.9.9")),
            Hop::NoRoute
        );
    }

    /// CB-C13: on an attached subnet nobody owns the address.
    #[test]
    fn unresolved_on_an_attached_subnet() {
        let (t, [c, _, r1, _], _) = two_paths();
        let mut routes = Routes::default();
        assert_eq!(routes.next_hop(&t, c, ip("10.0.0.77")), Hop::Unresolved);
        assert_eq!(routes.next_hop(&t, r1, ip("10.0.1.77")), Hop::Unresolved);
    }

    /// Hosts never relay: a path through a host is no path.
    #[test]
    fn hosts_do_not_forward() {
        let mut t = Topology::default();
        let a = node(&mut t, "a", &["10.0.0.1/24"], NodeKind::Host(0));
        let b = node(
            &mut t,
            "b",
            &["10.0.0.2/24", "10.0.1.1/24"],
            NodeKind::Host(1),
        );
        let c = node(&mut t, "c", &["10.0.1.2/24"], NodeKind::Host(2));
        link(&mut t, a, b, 1);
        link(&mut t, b, c, 1);
        assert_eq!(
            Routes::default().next_hop(&t, a, ip("10.0.1.2")),
            Hop::NoRoute
        );
    }

    /// a, b and the router on switch `lan`; c behind the router.
    fn switched() -> (Topology, [NodeId; 5], [LinkId; 4]) {
        let mut t = Topology::default();
        let a = node(&mut t, "a", &["10.0.0.1/24"], NodeKind::Host(0));
        let b = node(&mut t, "b", &["10.0.0.2/24"], NodeKind::Host(1));
        let c = node(&mut t, "c", &["10.0.1.2/24"], NodeKind::Host(2));
        let r = node(
            &mut t,
            "r",
            &["10.0.0.254/24", "10.0.1.254/24"],
            NodeKind::Router,
        );
        let lan = node(&mut t, "lan", &[], NodeKind::Switch);
        let l = [
            link(&mut t, a, lan, 1),
            link(&mut t, b, lan, 1),
            link(&mut t, r, lan, 1),
            link(&mut t, r, c, 1),
        ];
        (t, [a, b, c, r, lan], l)
    }

    /// CB-B3's segment carries unicast too: on-link through the switch, the
    /// switch straight to the owner's port, and routed through the router.
    #[test]
    fn a_switch_relays_unicast_on_its_segment_and_toward_routers() {
        let (t, [a, b, c, r, lan], l) = switched();
        let mut routes = Routes::default();
        let via_lan = Hop::Forward {
            link: l[0],
            to: lan,
        };
        assert_eq!(routes.next_hop(&t, a, ip("10.0.0.2")), via_lan);
        assert_eq!(
            routes.next_hop(&t, lan, ip("10.0.0.2")),
            Hop::Forward { link: l[1], to: b }
        );
        assert_eq!(routes.next_hop(&t, a, ip("10.0.1.2")), via_lan);
        assert_eq!(
            routes.next_hop(&t, lan, ip("10.0.1.2")),
            Hop::Forward { link: l[2], to: r }
        );
        assert_eq!(
            routes.next_hop(&t, c, ip("10.0.0.1")),
            Hop::Forward { link: l[3], to: r }
        );
        assert_eq!(
            routes.next_hop(&t, r, ip("10.0.0.1")),
            Hop::Forward {
                link: l[2],
                to: lan
            }
        );
        assert_eq!(routes.next_hop(&t, a, ip("10.0.0.77")), Hop::Unresolved);
    }
    /// The answers `next_hop` gives (a host's near answers uncached, the
    /// last answer remembered, the rest cached) are the slow path's,
    /// `lookup` on fresh tables, for every node and every address of the
    /// plan, loopback, unowned addresses on and off its subnets, asked in
    /// an order that repeats questions and alternates between them.
    #[test]
    fn every_answer_is_the_slow_paths() {
        for t in [two_paths().0, switched().0] {
            let mut dsts: Vec<Ipv4Addr> = t
                .nodes
                .iter()
                .flat_map(|n| n.addrs.iter().map(|c| c.addr))
                .collect();
            dsts.extend(["127.0.0.1", "10.0.0.77", "10.0.1.77", "192.168.9.9"].map(ip));
            let mut routes = Routes::default();
            let mut asked = 0;
            for round in 0..3 {
                for n in 0..t.nodes.len() as u32 {
                    for (i, &dst) in dsts.iter().enumerate() {
                        let node = NodeId(n);
                        let want = Routes::default().lookup(&t, node, dst);
                        assert_eq!(routes.next_hop(&t, node, dst), want, "{n} {dst}");
                        if (i + round) % 2 == 0 {
                            assert_eq!(routes.next_hop(&t, node, dst), want, "again");
                        }
                        asked += 1;
                    }
                }
            }
            assert!(asked > 50);
        }
    }

    /// A host's on-link answers are not kept in the cache; a router's are.
    #[test]
    fn a_hosts_on_link_answers_are_not_cached() {
        let (t, [a, _, _, r, _], _) = switched();
        let mut routes = Routes::default();
        routes.next_hop(&t, a, ip("10.0.0.2"));
        routes.next_hop(&t, a, ip("10.0.0.1"));
        assert_eq!(routes.cache.len(), 0);
        routes.next_hop(&t, a, ip("10.0.1.2"));
        routes.next_hop(&t, r, ip("10.0.0.1"));
        assert_eq!(routes.cache.len(), 2, "routed and a router's");
    }
    /// The neighbour scan gives the tables' answer wherever it answers, for
    /// every node and address of three topologies (a node with two links
    /// to one neighbour among them: the first declared wins both ways).
    #[test]
    fn the_neighbour_scan_agrees_with_the_tables() {
        let mut twice = two_paths().0;
        let (c, r1) = (NodeId(0), NodeId(2));
        link(&mut twice, c, r1, 3);
        let mut answered = 0;
        for t in [two_paths().0, switched().0, twice] {
            let dsts: Vec<Ipv4Addr> = t
                .nodes
                .iter()
                .flat_map(|n| n.addrs.iter().map(|c| c.addr))
                .chain(["10.0.0.77", "10.0.1.77"].map(ip))
                .collect();
            for n in 0..t.nodes.len() as u32 {
                for &dst in &dsts {
                    if let Some(hop) = neighbour_owning(&t, NodeId(n), dst) {
                        assert_eq!(hop, on_link_by_tables(&t, NodeId(n), dst), "{n} {dst}");
                        answered += 1;
                    }
                }
            }
        }
        assert!(answered >= 10, "{answered}");
    }

    /// A server `s` with six neighbours on its subnet (more links than the
    /// neighbour scan reads: its answers come from the tables), and a
    /// loopback interface.
    fn star() -> Topology {
        let mut t = Topology::default();
        let s = node(&mut t, "s", &["10.0.0.1/24"], NodeKind::Host(0));
        for i in 0..6u8 {
            let addr = format!("10.0.0.{}/24", 10 + i);
            let c = node(
                &mut t,
                &format!("c{i}"),
                &[&addr],
                NodeKind::Host(1 + u32::from(i)),
            );
            link(&mut t, s, c, 1);
        }
        t.add_loopback(
            s,
            Link::new("lo", [s, s], SimDuration::ZERO, Stream::new(0, "lo")),
        );
        t
    }

    /// `c` reaches `s` on a direct link, but `s` answers `c`'s subnet
    /// through the router, its faster way there: the link a SYN came
    /// over is not the way back.
    fn asymmetric() -> (Topology, [NodeId; 3], [LinkId; 3]) {
        let mut t = Topology::default();
        let c = node(&mut t, "c", &["10.0.1.1/24"], NodeKind::Host(0));
        let s = node(&mut t, "s", &["10.0.2.1/24"], NodeKind::Host(1));
        let r = node(
            &mut t,
            "r",
            &["10.0.1.254/24", "10.0.2.254/24"],
            NodeKind::Router,
        );
        let l = [
            link(&mut t, c, s, 2),
            link(&mut t, s, r, 1),
            link(&mut t, c, r, 5),
        ];
        (t, [c, s, r], l)
    }

    /// `hop_back` is `next_hop`'s answer wherever it answers: for every
    /// host, every link at it (its loopback too) and every address of
    /// five topologies, among them two links between one pair of nodes
    /// and a route back that is not the link the packet came over. It
    /// answers for every neighbour of the star's server and of a host
    /// on a direct link, and never where the links are parallel.
    #[test]
    fn the_hop_back_is_next_hops_answer() {
        let mut twice = two_paths().0;
        link(&mut twice, NodeId(0), NodeId(2), 3);
        assert!(twice.has_parallel_links() && !two_paths().0.has_parallel_links());
        let mut answered = [0; 5];
        let topologies = [two_paths().0, switched().0, star(), asymmetric().0, twice];
        for (k, t) in topologies.iter().enumerate() {
            let dsts: Vec<Ipv4Addr> = t
                .nodes
                .iter()
                .flat_map(|n| n.addrs.iter().map(|c| c.addr))
                .chain(["10.0.0.77", "127.0.0.1"].map(ip))
                .collect();
            let mut routes = Routes::default();
            for n in 0..t.nodes.len() as u32 {
                let node = NodeId(n);
                if !matches!(t.kind(node), NodeKind::Host(_)) {
                    continue;
                }
                let links = t.node(node).links.iter().copied().chain(t.loopback(node));
                for link in links {
                    for &dst in &dsts {
                        if let Some(hop) = hop_back(t, node, link, dst) {
                            assert_eq!(hop, routes.next_hop(t, node, dst), "{k}: {n} {dst}");
                            answered[k] += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(answered, [2, 0, 12, 1, 0], "direct neighbours only");
        let (t, [c, s, r], l) = asymmetric();
        assert_eq!(hop_back(&t, s, l[0], ip("10.0.1.1")), None);
        assert_eq!(
            Routes::default().next_hop(&t, s, ip("10.0.1.1")),
            Hop::Forward { link: l[1], to: r }
        );
        assert_eq!(
            hop_back(&t, c, l[0], ip("10.0.2.1")),
            None,
            "c is not on s's subnet either"
        );
    }
}
