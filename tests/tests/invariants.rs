//! The end-of-run invariants (issue 4): each one holds on real runs, and
//! each one fails when the state it guards is broken.

use simsock_sim::invariants::check;
use simsock_sim::{Sim, World};
use simsock_tests::bundled;

fn finished_world(name: &str) -> World {
    let text = std::fs::read_to_string(bundled(name)).unwrap();
    let mut world = Sim::from_ron(&text).unwrap().world();
    world.run().unwrap();
    world
}

/// RFC 9293 §1: 60 kB over a link that loses 10% of packets arrive whole and
/// in order; the byte invariant compares both ends of the connection.
#[test]
fn bytes_survive_a_lossy_link() {
    let text = r#"Scenario(
        name: "lossy-transfer",
        seed: 5,
        hosts: [Host(name: "a", addrs: ["10.0.0.1/24"]), Host(name: "b", addrs: ["10.0.0.2/24"])],
        links: [Link(between: ("a", "b"), latency: "5ms", loss_ppm: 100000)],
        threads: [
            Thread(host: "b", name: "server", steps: [
                Socket(name: "l"), Bind(socket: "l", addr: "0.0.0.0:80"), Listen(socket: "l"),
                Accept(socket: "l", name: "c"),
                Repeat(times: 400, steps: [Recv(socket: "c", max: 65536)]),
                Close(socket: "c"),
            ]),
            Thread(host: "a", name: "client", start: "1ms", steps: [
                Socket(name: "s"), Connect(socket: "s", to: "10.0.0.2:80", expect: Ok),
                Repeat(times: 6, steps: [Send(socket: "s", len: 10000, expect: Bytes(10000))]),
                Shutdown(socket: "s", how: Send),
                Sleep("120s"),
                Close(socket: "s"),
            ]),
        ],
    )"#;
    let mut world = Sim::from_ron(text).unwrap().world();
    world.run().unwrap();
    assert_eq!(check(&world), Vec::<String>::new());
    let delivered: u64 = world
        .hosts
        .iter()
        .flat_map(|h| &h.closed)
        .map(|c| c.delivered.bytes)
        .sum();
    assert_eq!(
        delivered, 60_000,
        "the server's side closed gracefully and delivered every byte"
    );
}

#[test]
fn a_changed_byte_breaks_the_stream_invariant() {
    let mut world = finished_world("refused");
    assert_eq!(check(&world), Vec::<String>::new());
    let closed = world
        .hosts
        .iter_mut()
        .find_map(|h| h.closed.first_mut())
        .expect("a graceful close");
    closed.sent.update(b"!");
    let broken = check(&world);
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert!(
        broken[0].contains("bytes lost or reordered"),
        "{}",
        broken[0]
    );
}

#[test]
fn a_port_held_by_nobody_breaks_the_port_invariant() {
    let mut world = finished_world("reuse");
    assert_eq!(check(&world), Vec::<String>::new());
    world.hosts[0].ports.hold(4242);
    let broken = check(&world);
    assert_eq!(
        broken,
        [format!(
            "invariant: {}: port 4242 held 1 times but has 0 holders",
            world.hosts[0].name
        )]
    );
}
