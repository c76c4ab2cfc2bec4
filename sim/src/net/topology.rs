//! The topology: hosts and routers as nodes of a petgraph graph, links as its
//! edges, and the address plan (who owns which address, which subnets exist).

use std::hash::BuildHasher;
use std::net::Ipv4Addr;
use std::rc::Rc;

use hashbrown::HashTable;
use indexmap::IndexMap;
use petgraph::graph::{NodeIndex, UnGraph};
use rustc_hash::FxBuildHasher;
use simsock_model::Ipv4Cidr;
use simsock_model::addr::Ipv4Net;
use smallvec::SmallVec;

use super::link::{Link, LinkId};

/// Index of a node (host or router); equal to its petgraph node index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

/// Index of a subnet in the topology's address plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SubnetId(pub u32);

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// An end host: index into the engine's hosts. Hosts never forward.
    Host(u32),
    /// A router: forwards between its subnets.
    Router,
    /// A switch: one link segment, a broadcast domain (CB-B3). It has no
    /// address; it relays a unicast packet toward its next hop and floods a
    /// broadcast to every other port (`engine/broadcast.rs`).
    Switch,
}

/// One node of the graph.
#[derive(Clone, Debug)]
pub struct Node {
    /// Its name in the scenario, unique among nodes; a host's stack
    /// shares it (`stack::Host::name`).
    ///
    /// Memory and performance (issue 18, x1 sizes): as a `String` the
    /// host's stack kept a copy of its own, an allocation per host made
    /// and freed with every world.
    pub name: Rc<str>,
    /// Its interface addresses with their prefixes, in declaration order
    /// (none for a switch); the first is its default source address.
    pub addrs: NodeAddrs,
    /// Host, router or switch.
    pub kind: NodeKind,
    /// Links at this node, in the order they were declared.
    pub links: NodeLinks,
}

/// A node's interface addresses: one or two inline, more on the heap.
///
/// Memory and performance (issue 18, x1 sizes): as a `Vec` each host's one
/// address was an allocation of its own, made and freed with every world
/// (about 200 instructions a host in callgrind). Inline, the record takes
/// 8 bytes more than with a `Vec` and the heap 8 bytes less (the
/// allocator's smallest block); smallvec's `union` layout would save the
/// 8 inline too, but it changed the layout of the stack's small vectors
/// and cost 170 instructions per connection at 100 x 200 in inlining.
pub type NodeAddrs = SmallVec<[Ipv4Cidr; 2]>;

/// A node's links, in the order they were declared: up to four inline (a
/// host has one), more on the heap; as [`NodeAddrs`], no allocation of its
/// own for a host.
pub type NodeLinks = SmallVec<[LinkId; 4]>;

type FxIndexMap<K, V> = IndexMap<K, V, FxBuildHasher>;

/// A map that is only looked up, never iterated, so its order cannot
/// reach the trace.
///
/// Memory: a hashbrown table keeps the key and value in its bucket; an
/// `IndexMap` adds an entry vector with each key's hash and an index table
/// (about 100 bytes a host in the adjacency and owner maps, issue 18).
type LookupOnly<K, V> = hashbrown::HashMap<K, V, FxBuildHasher>;

/// Nodes, links and the address plan.
#[derive(Debug, Default)]
pub struct Topology {
    /// Nodes and declared links as a petgraph graph (loopback interfaces
    /// are not in it); the topology views read it.
    pub graph: UnGraph<NodeId, LinkId>,
    /// The nodes, by [`NodeId`].
    pub nodes: Vec<Node>,
    /// The links, by [`LinkId`], loopback interfaces included.
    pub links: Vec<Link>,
    /// The first link declared between two nodes, by the pair's
    /// [`unordered`] key: one entry a link, where an entry each way was
    /// two inserts per host's link at every world's build (issue 18, x1
    /// sizes: about 54 instructions a host in callgrind) and twice the
    /// table.
    adjacency: LookupOnly<(NodeId, NodeId), LinkId>,
    owners: LookupOnly<Ipv4Addr, NodeId>,
    subnets: FxIndexMap<Ipv4Net, SubnetId>,
    members: Vec<Vec<NodeId>>,
    /// Distinct prefix lengths, longest first, for longest-prefix match.
    prefix_lens: Vec<u8>,
    /// Nodes by name (the first of a name, should the checker let two
    /// through): building 1000 hosts and their links looked names up by
    /// scanning, a quadratic cost. Only looked up, never iterated.
    ///
    /// Performance: a table of node ids hashed by their names in `nodes`,
    /// not a map holding a copy of every name (about 90 bytes a node).
    by_name: HashTable<NodeId>,
    /// Per node, its kind and its first address, packed apart from the
    /// nodes: every packet asks for them, and a `Node` of a host not
    /// visited for a while is a cold cache line (two with its addresses).
    hot: Vec<(NodeKind, Option<Ipv4Addr>)>,
    /// Per node, its loopback interface: a link from the host to itself
    /// (`add_loopback`), outside the graph and the adjacency, so routing
    /// and the topology views never see it.
    loopbacks: Vec<Option<LinkId>>,
    /// Whether two declared links join the same two nodes, so that the
    /// link a packet came over may not be the first between its ends,
    /// which routing picks ([`crate::net::routing::hop_back`]).
    parallel_links: bool,
}

/// Pushes onto a node's list of links, which holds four inline and then
/// doubles (8, 16 ...) like std's `Vec`.
fn push_exact(links: &mut NodeLinks, id: LinkId) {
    if links.len() == links.capacity() {
        links.reserve_exact(links.len().max(1));
    }
    links.push(id);
}

/// The hash [`Topology::node_named`] finds a name by.
fn name_hash(name: &str) -> u64 {
    FxBuildHasher.hash_one(name)
}

/// The key of the pair `a`, `b` in either order: the lower id first.
fn unordered(a: NodeId, b: NodeId) -> (NodeId, NodeId) {
    if a.0 <= b.0 { (a, b) } else { (b, a) }
}

/// The address a host's loopback interface answers from: 127.0.0.1 of
/// 127.0.0.0/8 (RFC 1122 §3.2.1.3 (g): "addresses of this form MUST NOT
/// appear outside a host").
const LOOPBACK_ADDR: Ipv4Addr = Ipv4Addr::LOCALHOST;

impl Topology {
    /// Adds a node; addresses must be unique across the topology (checked by
    /// the scenario validator before).
    pub fn add_node(
        &mut self,
        name: Rc<str>,
        addrs: impl IntoIterator<Item = Ipv4Cidr>,
        kind: NodeKind,
    ) -> NodeId {
        let addrs: NodeAddrs = addrs.into_iter().collect();
        let id = NodeId(self.nodes.len() as u32);
        self.hot.push((kind, addrs.first().map(|c| c.addr)));
        let index = self.graph.add_node(id);
        debug_assert_eq!(index.index(), id.0 as usize);
        for cidr in &addrs {
            self.owners.insert(cidr.addr, id);
            let subnet = self.subnet_for(cidr.network());
            self.members[subnet.0 as usize].push(id);
            if !self.prefix_lens.contains(&cidr.prefix_len) {
                self.prefix_lens.push(cidr.prefix_len);
                self.prefix_lens.sort_unstable_by(|a, b| b.cmp(a));
            }
        }
        let hash = name_hash(&name);
        self.nodes.push(Node {
            name,
            addrs,
            kind,
            links: NodeLinks::new(),
        });
        let nodes = &self.nodes;
        let name = &nodes[id.0 as usize].name;
        if self.find_named(hash, name).is_none() {
            let rehash = |n: &NodeId| name_hash(&nodes[n.0 as usize].name);
            self.by_name.insert_unique(hash, id, rehash);
        }
        id
    }

    /// Makes room for `nodes` more nodes, `links` more declared links and
    /// `loopbacks` more loopback interfaces, so a big network's tables are
    /// allocated once rather than doubled on the way up (a quarter of the
    /// links' bytes at 100,000 hosts was spare capacity).
    pub fn reserve(&mut self, nodes: usize, links: usize, loopbacks: usize) {
        self.nodes.reserve_exact(nodes);
        self.hot.reserve_exact(nodes);
        self.loopbacks.reserve_exact(nodes);
        self.graph.reserve_exact_nodes(nodes);
        self.graph.reserve_exact_edges(links);
        self.owners.reserve(nodes);
        self.by_name
            .reserve(nodes, |n| name_hash(&self.nodes[n.0 as usize].name));
        self.links.reserve_exact(links + loopbacks);
        self.adjacency.reserve(links);
    }

    /// Makes room in the member list of each subnet of `cidrs` for all of
    /// its interfaces there, so that a subnet's list is allocated once
    /// rather than doubled on the way up. `cidrs` are the interfaces of the
    /// nodes to be added, in the order [`Topology::add_node`] will get
    /// them: the subnets are numbered here in the order first seen, which
    /// is then the order `add_node` sees them in. Only capacity changes,
    /// never a subnet's id or its members' order (the test
    /// `planned_subnets_are_the_subnets_grown`).
    ///
    /// Performance (issue 18, x1 sizes): a storm's one subnet grew its
    /// list four times at 10 hosts, eight at 100, part of the ~590
    /// instructions `add_node` cost a node (callgrind).
    pub fn reserve_members(&mut self, cidrs: impl IntoIterator<Item = Ipv4Cidr>) {
        let mut counts: SmallVec<[u32; 4]> = SmallVec::new();
        for cidr in cidrs {
            let at = self.subnet_for(cidr.network()).0 as usize;
            if counts.len() <= at {
                counts.resize(at + 1, 0);
            }
            counts[at] += 1;
        }
        for (list, &more) in self.members.iter_mut().zip(&counts) {
            list.reserve_exact(more as usize);
        }
    }

    /// The id of subnet `net`, numbered (with an empty member list) if
    /// new. The subnet last numbered is found without hashing: the hosts
    /// of a subnet are mostly declared together (a storm's all are).
    fn subnet_for(&mut self, net: Ipv4Net) -> SubnetId {
        if let Some((last, &id)) = self.subnets.last()
            && *last == net
        {
            return id;
        }
        let next = SubnetId(self.subnets.len() as u32);
        let subnet = *self.subnets.entry(net).or_insert(next);
        if subnet == next {
            self.members.push(Vec::new());
        }
        subnet
    }

    /// Makes room for `links` declared links at `node`, so that a node
    /// known to have many (a storm's server, a router) allocates its list
    /// once rather than doubling it one link at a time (`push_exact`).
    /// Only capacity changes, never a link's id or its order at the node.
    ///
    /// Performance (issue 18, small sizes): at 10 hosts x 1 the server's
    /// list was reallocated four times a world (eight times at 100 hosts),
    /// about 500 instructions each (callgrind).
    pub fn reserve_links_at(&mut self, node: NodeId, links: usize) {
        let list = &mut self.nodes[node.0 as usize].links;
        list.reserve_exact(links.saturating_sub(list.len()));
    }

    /// Replaces every link, loopback interfaces included, with
    /// `make(id, old)`, keeping the rest: a network whose links are made
    /// anew for another run of the same scenario (sweeps; issue 18, item
    /// 5). The links' storage is reused.
    pub fn renew_links(&mut self, mut make: impl FnMut(usize, Link) -> Link) {
        let links = std::mem::take(&mut self.links);
        self.links = links
            .into_iter()
            .enumerate()
            .map(|(i, old)| make(i, old))
            .collect();
    }

    /// The first node named `name`, by the hash of its name.
    fn find_named(&self, hash: u64, name: &str) -> Option<NodeId> {
        let nodes = &self.nodes;
        let found = self
            .by_name
            .find(hash, |n| *nodes[n.0 as usize].name == *name);
        found.copied()
    }

    /// Adds a link between two nodes.
    pub fn add_link(&mut self, link: Link) -> LinkId {
        let id = LinkId(self.links.len() as u32);
        let [a, b] = link.ends;
        self.graph.add_edge(
            NodeIndex::new(a.0 as usize),
            NodeIndex::new(b.0 as usize),
            id,
        );
        let first = *self.adjacency.entry(unordered(a, b)).or_insert(id);
        self.parallel_links |= first != id;
        push_exact(&mut self.nodes[a.0 as usize].links, id);
        push_exact(&mut self.nodes[b.0 as usize].links, id);
        self.links.push(link);
        id
    }

    /// Gives `node` a loopback interface: `link`, both of whose ends are the
    /// node. Packets a host sends to 127.0.0.0/8 or to one of its own
    /// addresses go over it and arrive back after its latency.
    pub fn add_loopback(&mut self, node: NodeId, link: Link) -> LinkId {
        debug_assert_eq!(link.ends, [node, node]);
        let id = LinkId(self.links.len() as u32);
        self.links.push(link);
        let i = node.0 as usize;
        if self.loopbacks.len() <= i {
            self.loopbacks.resize(i + 1, None);
        }
        self.loopbacks[i] = Some(id);
        id
    }

    /// The node's loopback interface, if it has one (hosts do).
    #[inline]
    pub fn loopback(&self, node: NodeId) -> Option<LinkId> {
        self.loopbacks.get(node.0 as usize).copied().flatten()
    }

    /// Whether `link` is a loopback interface.
    pub fn is_loopback(&self, link: LinkId) -> bool {
        let ends = self.links[link.0 as usize].ends;
        ends[0] == ends[1]
    }

    /// The node `id` (which must exist).
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    /// What a node is (as `node(id).kind`, from a compact table).
    #[inline]
    pub fn kind(&self, id: NodeId) -> NodeKind {
        self.hot[id.0 as usize].0
    }

    /// A node's first address, if it has one (from a compact table).
    #[inline]
    pub fn first_addr(&self, id: NodeId) -> Option<Ipv4Addr> {
        self.hot[id.0 as usize].1
    }

    /// The node with this name.
    pub fn node_named(&self, name: &str) -> Option<NodeId> {
        self.find_named(name_hash(name), name)
    }

    /// Whether some two nodes are joined by more than one declared link.
    #[inline]
    pub fn has_parallel_links(&self) -> bool {
        self.parallel_links
    }

    /// The first link declared between two nodes, if they are neighbours.
    pub fn link_between(&self, a: NodeId, b: NodeId) -> Option<LinkId> {
        self.adjacency.get(&unordered(a, b)).copied()
    }

    /// The node that owns an address.
    pub fn owner(&self, addr: Ipv4Addr) -> Option<NodeId> {
        self.owners.get(&addr).copied()
    }

    /// The most specific subnet of the address plan containing `addr`.
    pub(super) fn subnet_of(&self, addr: Ipv4Addr) -> Option<SubnetId> {
        self.prefix_lens.iter().find_map(|&len| {
            let net = Ipv4Cidr {
                addr,
                prefix_len: len,
            }
            .network();
            self.subnets.get(&net).copied()
        })
    }

    /// The nodes with an interface in a subnet, in declaration order.
    pub(super) fn members(&self, subnet: SubnetId) -> &[NodeId] {
        &self.members[subnet.0 as usize]
    }

    /// How many distinct subnets the address plan has.
    pub(super) fn subnet_count(&self) -> usize {
        self.subnets.len()
    }

    /// The subnets, in the order they were first seen.
    pub fn subnets(&self) -> impl Iterator<Item = (Ipv4Net, SubnetId)> + '_ {
        self.subnets.iter().map(|(net, id)| (*net, *id))
    }

    /// Whether `node` has an interface on the subnet whose directed
    /// broadcast address is `dst` (RFC 919 §7, RFC 922 §7).
    pub fn is_subnet_broadcast_of(&self, node: NodeId, dst: Ipv4Addr) -> bool {
        self.node(node).addrs.iter().any(|c| c.broadcast() == dst)
    }

    /// The address `node` uses on the subnet that contains `toward`, else its
    /// first; toward 127.0.0.0/8, the loopback interface's 127.0.0.1.
    pub fn source_addr(&self, node: NodeId, toward: Ipv4Addr) -> Option<Ipv4Addr> {
        if toward.is_loopback() && self.loopback(node).is_some() {
            return Some(LOOPBACK_ADDR);
        }
        let addrs = &self.node(node).addrs;
        addrs
            .iter()
            .find(|c| c.contains(toward))
            .or_else(|| addrs.first())
            .map(|c| c.addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(a: u8, b: u8, prefix_len: u8) -> Ipv4Cidr {
        Ipv4Cidr::new(Ipv4Addr::new(10, a, 0, b), prefix_len).expect("prefix")
    }

    /// Nodes on three subnets, the second first seen on the second
    /// interface of a node, one interface on a subnet of its own.
    fn plan() -> Vec<Vec<Ipv4Cidr>> {
        vec![
            vec![cidr(1, 1, 24)],
            vec![cidr(1, 2, 24), cidr(2, 1, 24)],
            vec![cidr(2, 2, 24)],
            vec![cidr(3, 1, 16)],
            vec![cidr(1, 3, 24), cidr(2, 3, 24)],
            vec![cidr(1, 4, 24)],
        ]
    }

    fn built(reserve: bool) -> Topology {
        let mut topo = Topology::default();
        if reserve {
            topo.reserve_members(plan().into_iter().flatten());
        }
        for (i, addrs) in plan().into_iter().enumerate() {
            topo.add_node(format!("n{i}").into(), addrs, NodeKind::Host(i as u32));
        }
        topo
    }

    /// `reserve_members` numbers the subnets as `add_node` alone does,
    /// keeps their members in order, and sizes each list exactly.
    #[test]
    fn planned_subnets_are_the_subnets_grown() {
        let (planned, grown) = (built(true), built(false));
        let subnets: Vec<_> = planned.subnets().collect();
        assert_eq!(subnets, grown.subnets().collect::<Vec<_>>());
        assert_eq!(subnets.len(), 3);
        for (_, id) in subnets {
            assert_eq!(planned.members(id), grown.members(id));
            let list = &planned.members[id.0 as usize];
            assert_eq!(list.capacity(), list.len(), "{id:?} was grown");
        }
        let ids = |m: &[NodeId]| m.iter().map(|n| n.0).collect::<Vec<_>>();
        assert_eq!(ids(planned.members(SubnetId(0))), [0, 1, 4, 5]);
        assert_eq!(ids(planned.members(SubnetId(1))), [1, 2, 4]);
        assert_eq!(ids(planned.members(SubnetId(2))), [3]);
    }
}
