//! A world's build with its sizing made up front (issue 18, small sizes):
//! a hub's list of links is allocated once, a host's socket variables are
//! reserved, loopback interfaces borrow their name. Each changes capacity
//! or storage only, so these tests check what the build promises besides:
//! the links' order at each node, the slots the names get, the names the
//! trace and the topology give each link.

use simsock_model::scenario::Scenario;
use simsock_sim::net::{LinkId, NodeId};
use simsock_sim::scenario::{RunOptions, build};

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
