//! A world's build with its sizing made up front (issue 18, small sizes):
//! a hub's list of links is allocated once, a host's socket variables are
//! reserved, loopback interfaces borrow their name. Each changes capacity
//! or storage only, so these tests check what the build promises besides:
//! the links' order at each node, the slots the names get, the names the
//! trace and the topology give each link.

use simsock_model::scenario::Scenario;
use simsock_sim::net::{LinkId, NodeId};
use simsock_sim::scenario::{RunOptions, build};
use simsock_sim::thread::Completed;
use simsock_sim::winsock::Op;

/// `clients` hosts, each linked to `server`, declared after a first
/// client-to-client link, so the hub's links are not its node's first
/// ids.
fn star(clients: usize) -> Scenario {
    let mut s = simsock_tests::star(clients);
    s.links
        .insert(0, simsock_tests::link_spec("client0", "client1"));
    s
}

/// The hub's links are in declaration order in a list allocated for all
/// of them at once; a client's list holds its links in order too.
#[test]
fn a_hubs_links_are_in_order_in_one_allocation() {
    let clients = 37;
    let world = build(&star(clients), &RunOptions::default());
    let topo = world.topology();
    let hub = &topo.node(NodeId(0)).links;
    let expected: Vec<LinkId> = (1..=clients as u32).map(LinkId).collect();
    assert_eq!(hub.as_slice(), expected);
    assert_eq!(hub.capacity(), clients, "the hub's list was grown");
    let client0 = &topo.node(NodeId(1)).links;
    assert_eq!(client0.as_slice(), [LinkId(0), LinkId(1)]);
    let client5 = &topo.node(NodeId(6)).links;
    assert_eq!(client5.as_slice(), [LinkId(6)]);
}

/// Loopback interfaces are named `lo` by the topology and by the trace,
/// declared links `a-b`.
#[test]
fn loopbacks_and_declared_links_keep_their_names() {
    let clients = 3;
    let world = build(&star(clients), &RunOptions::default());
    let declared = clients + 1;
    let (topo, names) = (world.topology(), &world.trace().names);
    assert_eq!(topo.links[0].name, "client0-client1");
    assert_eq!(names.link(Some(LinkId(1))), "server-client0");
    for host in 0..=clients {
        let lo = LinkId((declared + host) as u32);
        assert_eq!(topo.loopback(NodeId(host as u32)), Some(lo));
        assert_eq!(topo.links[lo.0 as usize].name, "lo");
        assert_eq!(names.link(Some(lo)), "lo");
    }
    assert_eq!(names.link(Some(LinkId(99))), "-");
}

/// A host whose slots were reserved names the same slots as one whose
/// were not, past the room reserved too, and keeps the names in order.
#[test]
fn reserved_slots_are_the_slots_named_without() {
    let mut world = build(&star(2), &RunOptions::default());
    let names = ["l", "c0", "l", "c1", "c2", "c0", "s"];
    world.hosts[1].reserve_slots(4);
    let reserved: Vec<u32> = names.iter().map(|n| world.hosts[1].slot_named(n)).collect();
    let grown: Vec<u32> = names.iter().map(|n| world.hosts[2].slot_named(n)).collect();
    assert_eq!(reserved, grown);
    assert_eq!(reserved, [0, 1, 0, 2, 3, 1, 4]);
    assert_eq!(world.hosts[1].slot_names, ["l", "c0", "c1", "c2", "s"]);
}

/// Thread, node and link names read back whole, as given, from the
/// threads and from the trace; a name of up to 24 bytes is held inline
/// (issue 18, per-world cost: no allocation per name), a longer one on
/// the heap.
#[test]
fn names_read_back_whole_and_short_ones_are_inline() {
    let mut world = build(&star(2), &RunOptions::default());
    let long = "a-thread-name-longer-than-twenty-four-bytes";
    for (name, inline) in [("w15", true), ("main", true), (long, false)] {
        let program = Box::new(|_: Option<&Completed<'_>>| -> Option<Op> { None });
        let index = world.spawn_on(1, name, program);
        let thread = &world.threads[index as usize];
        assert_eq!(thread.name, name);
        assert_eq!(world.trace().names.thread(index), name);
        assert_eq!(thread.name.is_heap_allocated(), !inline, "{name}");
        let traced = &world.trace().names.threads[index as usize];
        assert_eq!(traced.is_heap_allocated(), !inline, "{name}");
    }
    let names = &world.trace().names;
    assert_eq!(names.node(NodeId(0)), "server");
    assert_eq!(names.node(NodeId(2)), "client1");
    assert_eq!(names.link(Some(LinkId(0))), "client0-client1");
    let stored = names.nodes.iter().chain(names.links.iter());
    assert!(stored.clone().all(|n| !n.is_heap_allocated()));
    assert_eq!(stored.count(), 3 + 3 + 3);
}
