//! Broadcast (CB-B1..B3): who receives a directed and a limited broadcast
//! on a switched segment, and who does not; routers never forward one.

use std::net::Ipv4Addr;

use simsock_model::builder::ScenarioBuilder;
use simsock_model::scenario::{Outcome, SockOpt, Step};
use simsock_sim::scenario::{Report, RunOptions, run};
use simsock_tests::{Dir, assert_passed, run_file, scenarios_dir, udp_datagrams};

const DIRECTED: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 255);
const LIMITED: Ipv4Addr = Ipv4Addr::BROADCAST;
const REMOTE_DIRECTED: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 255);
const ERIN: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 5);

fn story() -> Report {
    let report = run_file(&scenarios_dir().join("broadcast/who-receives.ron"), None);
    assert_passed(&report);
    report
}

/// The destinations of the datagrams a node received, in order.
fn received(report: &Report, node: &str) -> Vec<Ipv4Addr> {
    udp_datagrams(report, node)
        .into_iter()
        .filter(|d| d.dir == Dir::Received)
        .map(|d| d.dst)
        .collect()
}

/// The destinations and reasons of the datagrams a node dropped.
fn dropped(report: &Report, node: &str) -> Vec<(Ipv4Addr, String)> {
    udp_datagrams(report, node)
        .into_iter()
        .filter(|d| d.dir == Dir::Dropped)
        .map(|d| (d.dst, d.why))
        .collect()
}

/// CB-B3: the directed broadcast reaches the hosts of 10.0.0.0/24 on the
/// segment; the limited one every node of the segment; erin only her unicast.
#[test]
fn each_broadcast_reaches_its_domain_and_no_other() {
    let report = story();
    for host in ["bob", "carol"] {
        assert_eq!(
            received(&report, host),
            [DIRECTED, LIMITED, DIRECTED],
            "{host}"
        );
        assert!(dropped(&report, host).is_empty(), "{host}");
    }
    assert_eq!(received(&report, "dave"), [LIMITED]);
    let not_his = (DIRECTED, "not addressed to this host".to_string());
    assert_eq!(dropped(&report, "dave"), [not_his.clone(), not_his]);
    assert_eq!(received(&report, "erin"), [ERIN]);
    assert!(dropped(&report, "erin").is_empty());
    assert!(
        received(&report, "alice").is_empty(),
        "no copy to the sender"
    );
}

/// Routers do not forward broadcasts: the limited one never (RFC 1812),
/// directed ones not by default (RFC 2644), for an attached subnet reached
/// as a unicast too.
#[test]
fn the_router_forwards_no_broadcast() {
    let report = story();
    let reasons: Vec<(Ipv4Addr, bool)> = dropped(&report, "router")
        .into_iter()
        .map(|(dst, why)| (dst, why.contains("RFC 1812") || why.contains("RFC 2644")))
        .collect();
    assert_eq!(
        reasons,
        [
            (DIRECTED, true),
            (LIMITED, true),
            (REMOTE_DIRECTED, true),
            (DIRECTED, true)
        ]
    );
    let sent: Vec<Ipv4Addr> = udp_datagrams(&report, "router")
        .into_iter()
        .filter(|d| d.dir == Dir::Sent)
        .map(|d| d.dst)
        .collect();
    assert_eq!(sent, [ERIN], "the router forwards only the unicast");
}

/// The switch floods a broadcast to every port but the one it came in on,
/// and sends a unicast to one port only.
#[test]
fn the_switch_floods_broadcasts_and_forwards_unicasts() {
    let report = story();
    let sent: Vec<Ipv4Addr> = udp_datagrams(&report, "lan")
        .into_iter()
        .filter(|d| d.dir == Dir::Sent)
        .map(|d| d.dst)
        .collect();
    let mut expected = vec![DIRECTED; 4];
    expected.extend([LIMITED; 4]);
    expected.extend([REMOTE_DIRECTED, ERIN]);
    expected.extend([DIRECTED; 4]);
    assert_eq!(sent, expected);
}

/// Without a switch, a limited broadcast goes out on every link of the
/// sender, and each point-to-point neighbour is its whole segment; a
/// directed broadcast goes only to neighbours on its subnet.
#[test]
fn point_to_point_neighbours_are_their_own_segments() {
    let set = Step::SetOption {
        socket: "u".into(),
        option: SockOpt::SO_BROADCAST,
        value: 1,
        expect: None,
    };
    let s = ScenarioBuilder::new("p2p")
        .host("a", &["10.0.0.1/24", "10.0.5.1/24"])
        .host("b", &["10.0.0.2/24"])
        .host("c", &["10.0.5.3/24"])
        .link("a", "b", "1ms")
        .link("a", "c", "1ms")
        .thread(
            "a",
            "main",
            [
                Step::new_dgram_socket("u"),
                set,
                Step::send_to("u", "255.255.255.255:7", "all").expect(Outcome::Bytes(3)),
                Step::send_to("u", "10.0.5.255:7", "five").expect(Outcome::Bytes(4)),
            ],
        )
        .build();
    let report = run(&s, &RunOptions::default());
    assert_passed(&report);
    let sent: Vec<Ipv4Addr> = udp_datagrams(&report, "a")
        .into_iter()
        .filter(|d| d.dir == Dir::Sent)
        .map(|d| d.dst)
        .collect();
    assert_eq!(sent, [LIMITED, LIMITED, Ipv4Addr::new(10, 0, 5, 255)]);
    assert_eq!(received(&report, "b"), [LIMITED]);
    assert_eq!(
        received(&report, "c"),
        [LIMITED, Ipv4Addr::new(10, 0, 5, 255)]
    );
}
