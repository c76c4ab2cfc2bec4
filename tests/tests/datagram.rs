//! Datagram sockets (CB-D1..D7): the bundled stories under
//! `scenarios/datagram/`, and a table of the error codes of sendto,
//! recvfrom, send and recv on a datagram socket.

use simsock_model::WsaError::{self, *};
use simsock_model::builder::ScenarioBuilder;
use simsock_model::scenario::{Outcome, Scenario, SockOpt, Step};
use simsock_sim::scenario::{Report, RunOptions, run};
use simsock_tests::{Dir, MS, S, assert_passed, calls, has_packets, run_file, scenarios_dir};

fn story(name: &str) -> Report {
    let report = run_file(&scenarios_dir().join(format!("datagram/{name}.ron")), None);
    assert_passed(&report);
    report
}

fn two_hosts() -> ScenarioBuilder {
    ScenarioBuilder::new("dgram")
        .host("client", &["10.0.0.1/24"])
        .host("server", &["10.0.0.2/24"])
        .link("client", "server", "1ms")
}

fn run_built(s: &Scenario) -> Report {
    run(s, &RunOptions::default())
}

/// The results of the client's calls, as WSA names or "OK".
fn client_results(report: &Report) -> Vec<String> {
    calls(report, "client", "main")
        .iter()
        .map(|c| c.result.clone())
        .collect()
}

/// CB-D1: connect on a datagram socket puts no packet on the network and
/// returns at once, on a bound and on an unbound socket.
#[test]
fn a_datagram_connect_exchanges_no_packet() {
    let s = two_hosts()
        .thread(
            "client",
            "main",
            [
                Step::new_dgram_socket("u"),
                Step::connect("u", "10.0.0.2:53").expect(Outcome::Ok),
                Step::new_dgram_socket("b"),
                Step::bind("b", "0.0.0.0:5000"),
                Step::connect("b", "10.0.0.2:53").expect(Outcome::Ok),
            ],
        )
        .build();
    let report = run_built(&s);
    assert_passed(&report);
    assert!(!has_packets(&report), "{:#?}", report.trace_lines());
    assert!(
        calls(&report, "client", "main")
            .iter()
            .all(|c| c.end_ns == 0)
    );
}

/// CB-D1, CB-D3: in the story, the first packet is the send at 1 s, to the
/// default destination, and the blocking recv returns the answer at 1.002 s.
#[test]
fn send_and_recv_use_the_default_destination() {
    let report = story("connect-default-destination");
    let sent = simsock_tests::udp_datagrams(&report, "client");
    assert_eq!(sent[0].at_ns, S);
    assert_eq!(
        (sent[0].dir, sent[0].dst.to_string()),
        (Dir::Sent, "10.0.0.2".into())
    );
    let recv = calls(&report, "client", "main").pop().expect("calls");
    assert_eq!((recv.start_ns, recv.end_ns), (S, S + 2 * MS));
}

/// CB-D2: bob's datagram reaches the server at 7 ms and is dropped there;
/// alice's at 12 ms is the one recvfrom returns.
#[test]
fn a_connected_socket_discards_other_senders() {
    let report = story("connected-filter");
    let seen: Vec<(u64, Dir, String)> = simsock_tests::udp_datagrams(&report, "server")
        .into_iter()
        .map(|d| (d.at_ns, d.dir, d.why))
        .collect();
    assert_eq!(
        seen,
        [
            (7 * MS, Dir::Received, String::new()),
            (
                7 * MS,
                Dir::Dropped,
                "socket connected to another peer (CB-D2)".into()
            ),
            (12 * MS, Dir::Received, String::new()),
        ]
    );
}

/// CB-D4: after connecting to 0.0.0.0, send, recv and getpeername fail
/// with WSAENOTCONN; sendto and recvfrom work.
#[test]
fn the_all_zero_address_disconnects() {
    let report = story("disconnect");
    let results = client_results(&report);
    assert_eq!(
        results[3..],
        [
            "OK",
            "OK",
            "WSAENOTCONN",
            "WSAENOTCONN",
            "WSAENOTCONN",
            "OK",
            "OK"
        ]
    );
}

/// CB-D5, CB-D6: the queued "stale" is gone after re-targeting; "late" from
/// the old peer is dropped on arrival; reconnecting to the same name keeps
/// the queue.
#[test]
fn retargeting_changes_the_peer_and_discards_the_queue() {
    let report = story("retarget");
    let drops: Vec<u64> = simsock_tests::udp_datagrams(&report, "client")
        .into_iter()
        .filter(|d| d.dir == Dir::Dropped)
        .map(|d| d.at_ns)
        .collect();
    assert_eq!(drops, [17 * MS]);
    let last = calls(&report, "client", "main").pop().expect("calls");
    assert_eq!(last.detail, "OK (5 bytes: \"fresh\")");
}

/// CB-D6 without the story's later steps: after a re-target the queue is
/// empty, so recv waits for the new peer instead of returning "stale".
#[test]
fn a_new_name_discards_what_was_queued() {
    let s = two_hosts()
        .host("third", &["10.0.0.3/24"])
        .link("client", "third", "1ms")
        .thread(
            "client",
            "main",
            [
                Step::new_dgram_socket("c"),
                Step::bind("c", "0.0.0.0:5000"),
                Step::connect("c", "10.0.0.2:53"),
                Step::sleep("10ms"),
                Step::connect("c", "10.0.0.3:53"),
                Step::recv("c", 100).expect(Outcome::Data("new".into())),
            ],
        )
        .thread(
            "server",
            "main",
            [
                Step::new_dgram_socket("u"),
                Step::send_to("u", "10.0.0.1:5000", "stale"),
            ],
        )
        .thread_at(
            "third",
            "main",
            "20ms",
            [
                Step::new_dgram_socket("u"),
                Step::bind("u", "0.0.0.0:53"),
                Step::send_to("u", "10.0.0.1:5000", "new"),
            ],
        )
        .build();
    let report = run_built(&s);
    assert_passed(&report);
    let recv = calls(&report, "client", "main").pop().expect("calls");
    assert_eq!(recv.end_ns, 21 * MS, "waited for the new peer");
}

/// One datagram call and the code it must fail with.
fn fails(steps: Vec<Step>, code: WsaError) {
    let mut steps = steps;
    let last = steps.pop().expect("a step").expect(Outcome::Err(code));
    steps.push(last);
    let s = two_hosts().thread("client", "main", steps).build();
    let report = run_built(&s);
    assert_passed(&report);
}

/// The error table of the datagram calls, each from its cause.
#[test]
fn datagram_calls_fail_with_the_documented_codes() {
    let u = || Step::new_dgram_socket("u");
    // sendto: "the remote address is not a valid address, such as ADDR_ANY".
    fails(
        vec![u(), Step::send_to("u", "0.0.0.0:53", "x")],
        WSAEADDRNOTAVAIL,
    );
    fails(
        vec![u(), Step::send_to("u", "10.0.0.2:0", "x")],
        WSAEADDRNOTAVAIL,
    );
    // CB-C12 for a datagram: no route.
    fails(
        vec![u(), Step::send_to("u", "192.168.1.1:53", "x")],
        WSAENETUNREACH,
    );
    // CB-B2 holds for sendto.
    fails(
        vec![u(), Step::send_to("u", "255.255.255.255:53", "x")],
        WSAEACCES,
    );
    fails(
        vec![u(), Step::send_to("u", "10.0.0.255:53", "x")],
        WSAEACCES,
    );
    // recvfrom on a socket never bound.
    fails(vec![u(), Step::recv_from("u", 100)], WSAEINVAL);
    // CB-D4: send and recv without a default destination.
    fails(vec![u(), Step::send("u", "x")], WSAENOTCONN);
    fails(vec![u(), Step::recv("u", 100)], WSAENOTCONN);
    // A datagram over the UDP maximum (65,507 bytes).
    let big = Step::SendTo {
        socket: "u".into(),
        to: "10.0.0.2:53".parse().expect("addr"),
        data: None,
        len: Some(65_508),
        expect: None,
        at: None,
        took: None,
    };
    fails(vec![u(), big], WSAEMSGSIZE);
}

/// A datagram longer than recvfrom's buffer: the first bytes and
/// WSAEMSGSIZE; the rest of it is gone, the next recvfrom gets the next one.
#[test]
fn a_short_buffer_truncates_the_datagram() {
    let s = two_hosts()
        .thread(
            "client",
            "main",
            [
                Step::new_dgram_socket("u"),
                Step::send_to("u", "10.0.0.2:53", "truncated"),
                Step::send_to("u", "10.0.0.2:53", "next"),
            ],
        )
        .thread(
            "server",
            "main",
            [
                Step::new_dgram_socket("u"),
                Step::bind("u", "0.0.0.0:53"),
                Step::recv_from("u", 5).expect(Outcome::Err(WSAEMSGSIZE)),
                Step::recv_from("u", 5).expect(Outcome::Data("next".into())),
            ],
        )
        .build();
    let report = run_built(&s);
    assert_passed(&report);
    let first = &calls(&report, "server", "main")[2];
    assert_eq!(first.result, "WSAEMSGSIZE");
}

/// CB-B1 and SO_BROADCAST: set, a broadcast connect succeeds.
#[test]
fn a_broadcast_connect_needs_so_broadcast() {
    let set = Step::SetOption {
        socket: "u".into(),
        option: SockOpt::SO_BROADCAST,
        value: 1,
        expect: None,
    };
    let s = two_hosts()
        .thread(
            "client",
            "main",
            [
                Step::new_dgram_socket("u"),
                Step::connect("u", "10.0.0.255:53").expect(Outcome::Err(WSAEACCES)),
                set,
                Step::connect("u", "10.0.0.255:53").expect(Outcome::Ok),
            ],
        )
        .build();
    assert_passed(&run_built(&s));
}

/// IPv6 sockets (CB-C3, CB-C9), from the story.
#[test]
fn ipv6_sockets_and_names() {
    let report = run_file(&scenarios_dir().join("datagram/ipv6-sockets.ron"), None);
    assert_passed(&report);
    assert!(!has_packets(&report));
    let results = client_results(&report);
    assert_eq!(
        results[..6],
        [
            "OK",
            "OK",
            "OK",
            "WSAEADDRNOTAVAIL",
            "WSAEAFNOSUPPORT",
            "WSAENETUNREACH"
        ]
    );
}
