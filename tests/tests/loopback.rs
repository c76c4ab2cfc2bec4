//! Loopback (RFC 1122 §3.2.1.3 (g)): every host answers 127.0.0.0/8 on its
//! own `lo` interface, with the profile's `loopback_latency`; nothing of it
//! leaves the host, and a router never routes it.

use simsock_model::profile::{HostProfile, Personality};
use simsock_sim::scenario::{RunOptions, load, run};
use simsock_tests::{assert_passed, bundled, calls_named, run_file};

/// One host `box` (plus a neighbour `peer` on a 1 ms link) with `profile`
/// on `box`, and `steps` on its client thread; a server thread listens on
/// `listen_on`.
fn story(profile: &str, listen_on: &str, steps: &str) -> String {
    format!(
        r#"Scenario(
    name: "lo",
    hosts: [
        Host(name: "box", addrs: ["10.0.0.1/24"], profile: ({profile})),
        Host(name: "peer", addrs: ["10.0.0.2/24"]),
    ],
    links: [Link(between: ("box", "peer"), latency: "1ms")],
    threads: [
        Thread(host: "box", name: "server", steps: [
            Socket(name: "l"),
            Bind(socket: "l", addr: "{listen_on}"),
            Listen(socket: "l"),
            Accept(socket: "l", name: "c"),
            Recv(socket: "c", max: 10, expect: Data("hi")),
        ]),
        Thread(host: "box", name: "client", start: "1s", steps: [
            {steps}
        ]),
    ],
)"#
    )
}

fn run_story(text: &str) -> simsock_sim::scenario::Report {
    let scenario = load(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    run(&scenario, &RunOptions::default())
}

/// The handshake takes one loopback round trip, and every packet of it
/// is sent and received on `lo`: none crosses the link to `peer`.
#[test]
fn a_loopback_connection_stays_on_lo() {
    let report = run_story(&story(
        "",
        "0.0.0.0:80",
        r#"Socket(name: "s"),
            Connect(socket: "s", to: "127.0.0.1:80", expect: Ok, took: "20us"),
            GetSockName(socket: "s", expect: Addr("127.0.0.1:49152")),
            Send(socket: "s", data: "hi", expect: Bytes(2)),"#,
    ));
    assert_passed(&report);
    let on_lo = report
        .trace_lines()
        .into_iter()
        .filter(|l| l.contains(" box send lo TCP 127.0.0.1:"))
        .count();
    assert!(on_lo >= 4, "SYN, SYN,ACK, ACK and data: {on_lo}");
    let on_wire = report
        .trace_lines()
        .into_iter()
        .filter(|l| l.contains("send box-peer") || l.contains("recv box-peer"))
        .count();
    assert_eq!(on_wire, 0, "{:#?}", report.trace_lines());
}

/// The profile's `loopback_latency` sets the round trip: 1 ms each way
/// makes the handshake take 2 ms.
#[test]
fn the_profile_sets_the_loopback_latency() {
    let report = run_story(&story(
        r#"loopback_latency: "1ms""#,
        "0.0.0.0:80",
        r#"Socket(name: "s"),
            Connect(socket: "s", to: "127.0.0.9:80", expect: Ok, took: "2ms"),
            Send(socket: "s", data: "hi", expect: Bytes(2)),"#,
    ));
    assert_passed(&report);
}

/// A listener bound to 127.0.0.1 takes only loopback SYNs: the host's own
/// address and a neighbour get RST. An address of 127.0.0.0/8 can be
/// bound; an address the host does not have cannot.
#[test]
fn a_listener_on_127_0_0_1_refuses_other_addresses() {
    let report = run_story(&story(
        "refused_syn_retries: 0",
        "127.0.0.1:80",
        r#"Socket(name: "own"),
            Connect(socket: "own", to: "10.0.0.1:80", expect: Err(WSAECONNREFUSED), took: "20us"),
            Socket(name: "b"),
            Bind(socket: "b", addr: "127.0.0.5:0"),
            Socket(name: "x"),
            Bind(socket: "x", addr: "10.9.9.9:0", expect: Err(WSAEADDRNOTAVAIL)),
            Socket(name: "s"),
            Connect(socket: "s", to: "127.0.0.1:80", expect: Ok),
            Send(socket: "s", data: "hi", expect: Bytes(2)),"#,
    ));
    assert_passed(&report);
    let rst = report
        .trace_lines()
        .into_iter()
        .find(|l| l.contains("[RST,ACK]"))
        .expect("an RST");
    assert!(rst.contains("send lo TCP 10.0.0.1:80 > 10.0.0.1:"), "{rst}");
}

/// A connect to a neighbour's loopback address is a connect to one's own:
/// 127.0.0.0/8 never reaches the wire.
#[test]
fn another_hosts_loopback_is_ones_own() {
    let text = story(
        "refused_syn_retries: 0",
        "0.0.0.0:80",
        r#"Socket(name: "s"),
            Connect(socket: "s", to: "127.0.0.1:80", expect: Ok),
            Send(socket: "s", data: "hi", expect: Bytes(2)),"#,
    )
    .replace(
        r#"Thread(host: "box", name: "server""#,
        r#"Thread(host: "peer", name: "server""#,
    );
    let report = run_story(&text);
    let connect = calls_named(&report, "box", "client", "connect(");
    assert_eq!(connect[0].result, "WSAECONNREFUSED");
    assert!(report.trace_lines().iter().all(|l| !l.contains("box-peer")));
}

/// The bundled story: loopback connect and Windows' 2 s refusal on lo.
#[test]
fn the_bundled_loopback_story_passes() {
    let report = run_file(&bundled("windows/loopback-connect"), None);
    assert_passed(&report);
    let refused = calls_named(&report, "box", "client", "connect(closed");
    assert_eq!(refused[0].result, "WSAECONNREFUSED");
    let took_ms = (refused[0].end_ns - refused[0].start_ns) / 1_000_000;
    assert_eq!(
        took_ms, 2_000,
        "4 re-sends 500 ms apart, plus 5 loopback round trips"
    );
}

/// Both personalities give hosts the same 10 µs loopback.
#[test]
fn every_personality_has_a_loopback() {
    for p in [Personality::Windows, Personality::WindowsDocumented] {
        let latency = HostProfile::of(p).loopback_latency;
        assert_eq!(latency.as_nanos(), 10_000, "{p}");
    }
}

/// A deferred bind (SO_REUSE_UNICASTPORT, port 0) to 127.0.0.1 defers the
/// port as it does for the host's other addresses: the host owns its
/// loopback address (bind.txt: WSAEADDRNOTAVAIL only for an address not on
/// this machine), so no port is taken before the connect, which picks one
/// and connects over `lo`.
#[test]
fn a_deferred_bind_to_loopback_is_bound() {
    let text = story(
        "",
        "127.0.0.1:8080",
        r#"Socket(name: "s"),
            SetOption(socket: "s", option: SO_REUSE_UNICASTPORT, value: 1),
            Bind(socket: "s", addr: "127.0.0.1:0", expect: Ok),
            GetSockName(socket: "s", expect: Addr("127.0.0.1:0")),
            Connect(socket: "s", to: "127.0.0.1:8080", expect: Ok),
            Send(socket: "s", data: "hi"),"#,
    );
    assert_passed(&run_story(&text));
}
