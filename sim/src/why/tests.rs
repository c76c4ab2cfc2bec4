//! The causal chain of each bundled story (the README shows these lines)
//! and of a few stories made up here: each test runs a scenario and reads
//! the `why` of its failed calls.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};

use simsock_model::scenario::Scenario;

use super::{explain, parse_call};
use crate::scenario::{Report, RunOptions, load, run};
use crate::trace::{TraceKind, TraceMode};
use crate::winsock::Op;

fn report(source: &str) -> Report {
    let scenario: Scenario = load(source).unwrap_or_else(|e| panic!("{e}"));
    run(&scenario, &RunOptions::default())
}

/// The `why` of every failed call of `host`/`thread` (WSAGetLastError,
/// which only reads the code, left out), in order.
fn whys(report: &Report, host: &str, thread: &str) -> Vec<String> {
    report
        .calls
        .iter()
        .filter(|c| c.host == host && c.thread == thread && c.result != "OK")
        .filter(|c| !c.call.starts_with("WSAGetLastError"))
        .map(|c| {
            c.why
                .clone()
                .unwrap_or_else(|| format!("no why for {}", c.call))
        })
        .collect()
}

/// Two hosts on one 1 ms link; `server_profile` and the steps vary.
fn pair(server_profile: &str, link: &str, server: &str, client: &str) -> String {
    format!(
        r#"Scenario(
    name: "pair",
    hosts: [
        Host(name: "client", addrs: ["10.0.0.1/24"]),
        Host(name: "other", addrs: ["10.0.0.3/24"]),
        Host(name: "server", addrs: ["10.0.0.2/24"], profile: ({server_profile})),
    ],
    links: [
        Link(between: ("client", "server"), latency: "1ms"{link}),
        Link(between: ("other", "server"), latency: "1ms"),
    ],
    threads: [
        Thread(host: "server", name: "main", steps: [{server}]),
        Thread(host: "client", name: "main", start: "2s", steps: [
            Socket(name: "s"),
            {client}
        ]),
    ],
)"#
    )
}

/// A listener with backlog 1 that never accepts, filled by `other` at 1 s.
const FULL_LISTENER: &str = r#"
            Socket(name: "l"),
            Bind(socket: "l", addr: "0.0.0.0:80"),
            Listen(socket: "l", backlog: 1),
            Sleep("60s"),
            Close(socket: "l"),
        ]),
        Thread(host: "other", name: "first", start: "1s", steps: [
            Socket(name: "s"),
            Connect(socket: "s", to: "10.0.0.2:80", expect: Ok),
"#;

/// CB-C14: the README's refused story.
#[test]
fn refused_names_the_resetting_host_and_each_rst() {
    let r = report(include_str!("../../../scenarios/refused.ron"));
    assert_eq!(
        whys(&r, "client", "main"),
        [
            "WSAECONNREFUSED at 2.010 s: SYN answered with RST by server (reset: no listener) \
          at 0.001, 0.503, 1.005, 1.507 and 2.009 s"
        ]
    );
}

/// CB-C15: a link down from the start, and a lossy one where the fates differ.
#[test]
fn timeout_says_what_became_of_each_syn() {
    let r = report(include_str!("../../../scenarios/timeout.ron"));
    assert_eq!(
        whys(&r, "client", "main"),
        ["WSAETIMEDOUT at 21.000 s: SYN sent at 0, 3 and 9 s; \
          all dropped on link client-server (down since the start)"]
    );
    assert_eq!(
        whys(&r, "phone", "main"),
        [
            "WSAETIMEDOUT at 21.000 s: SYN sent at 0, 3 and 9 s: at 0 s answered by cloud \
          with SYN-ACK, which was lost on link phone-cloud; at 3 and 9 s lost on link \
          phone-cloud"
        ]
    );
}

/// CB-C12, CB-C13: no route; the router's ICMP; the host's own ARP.
#[test]
fn unreachable_tells_no_route_from_icmp_from_arp() {
    let r = report(include_str!("../../../scenarios/unreachable.ron"));
    assert_eq!(
        whys(&r, "client", "noroute"),
        ["WSAENETUNREACH at 0.000 s: no route from client to 192.168.9.9; no packet sent"]
    );
    assert_eq!(
        whys(&r, "client", "routed"),
        [
            "WSAEHOSTUNREACH at 2.002 s: router answered ICMP host unreachable at 2.001 s \
          (ARP got no answer for 10.0.1.99)"
        ]
    );
    assert_eq!(
        whys(&r, "client", "onlink"),
        [
            "WSAEHOSTUNREACH at 2.000 s: ARP got no answer for 10.0.0.99 on client's own \
          network (gave up after 2 s); the SYN never left the host"
        ]
    );
    assert!(whys(&r, "client", "reachable").is_empty());
}

/// CB-C16, CB-C17, CB-T1, CB-T3: the tuple or the port held by TIME_WAIT,
/// until the moment its record ends; the ports all held.
#[test]
fn reuse_names_the_time_wait_and_when_it_ends() {
    let r = report(include_str!("../../../scenarios/reuse.ron"));
    let tw = "10.0.0.1:5000 > 10.0.0.2:80 is in TIME_WAIT until 30.004 s";
    assert_eq!(
        whys(&r, "client", "main"),
        [
            format!("WSAEADDRINUSE at 1.000 s: {tw}"),
            format!("WSAEADDRINUSE at 30.003 s: {tw}"),
        ]
    );
    assert_eq!(
        whys(&r, "tiny", "main"),
        [
            "WSAENOBUFS at 3.006 s: all 3 ephemeral ports (65533-65535) are held \
          (3 by TIME_WAIT); the first is released at 120.004 s"
        ]
    );
}

/// CB-C14 under the Windows profile: a full backlog resets.
#[test]
fn a_full_backlog_resets_under_windows() {
    let text = pair(
        "backlog_overflow: Reset",
        "",
        FULL_LISTENER,
        r#"Connect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAECONNREFUSED)),"#,
    );
    let r = report(&text);
    assert!(r.passed, "{:?}", r.failures);
    assert_eq!(
        whys(&r, "client", "main"),
        [
            "WSAECONNREFUSED at 4.010 s: SYN answered with RST by server (reset: backlog full) \
          at 2.001, 2.503, 3.005, 3.507 and 4.009 s"
        ]
    );
}

/// CB-C15 under a POSIX-style profile: a full backlog drops the SYN.
#[test]
fn a_full_backlog_drops_under_posix() {
    let text = pair(
        "backlog_overflow: Drop",
        "",
        FULL_LISTENER,
        r#"Connect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAETIMEDOUT)),"#,
    );
    let r = report(&text);
    assert!(r.passed, "{:?}", r.failures);
    assert_eq!(
        whys(&r, "client", "main"),
        ["WSAETIMEDOUT at 23.000 s: SYN sent at 2, 5 and 11 s; \
          all dropped by server (backlog full)"]
    );
}

/// A link taken down by a fault: the sentence says since when.
#[test]
fn a_link_cut_by_a_fault_says_since_when() {
    let text = pair(
        "",
        "",
        "",
        r#"Connect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAETIMEDOUT)),"#,
    )
    .replace(
        "    threads: [",
        r#"    faults: [Fault(at: "1.5s", action: LinkDown("client", "server"))],
    threads: ["#,
    );
    let r = report(&text);
    assert!(r.passed, "{:?}", r.failures);
    assert_eq!(
        whys(&r, "client", "main"),
        ["WSAETIMEDOUT at 23.000 s: SYN sent at 2, 5 and 11 s; \
          all dropped on link client-server (down since 1.500 s)"]
    );
}

/// Successful calls, and runs that keep no trace, carry no why.
#[test]
fn no_why_without_a_failure_or_a_trace() {
    let source = include_str!("../../../scenarios/refused.ron");
    let r = report(source);
    assert!(
        r.calls
            .iter()
            .filter(|c| c.result == "OK")
            .all(|c| c.why.is_none())
    );
    let options = RunOptions {
        trace: TraceMode::DigestOnly,
        ..RunOptions::default()
    };
    let quiet = run(&load(source).unwrap(), &options);
    assert!(quiet.calls.iter().all(|c| c.why.is_none()));
    assert!(quiet.calls.iter().any(|c| c.result == "WSAECONNREFUSED"));
}

/// [`explain`] on one return gives what the one-pass annotation gave.
#[test]
fn explain_one_return_agrees_with_annotate() {
    let r = report(include_str!("../../../scenarios/reuse.ron"));
    let returns: Vec<usize> = (0..r.trace.len())
        .filter(|&i| matches!(r.trace[i].kind, TraceKind::Return { .. }))
        .collect();
    assert_eq!(returns.len(), r.calls.len());
    let facts: Vec<_> = (0..3)
        .map(|h| super::HostFacts {
            node: crate::net::NodeId(h),
            ephemeral_ports: if h == 2 {
                (65533, 65535)
            } else {
                (49152, 65535)
            },
            bind_rules: simsock_model::profile::BindRules::Windows,
        })
        .collect();
    for (i, call) in returns.iter().zip(&r.calls) {
        assert_eq!(
            explain(&r.trace, &r.names, &facts, *i),
            call.why,
            "{}",
            call.call
        );
    }
}

/// The call text the parser reads is the one `Op` writes.
#[test]
fn parses_the_call_text_ops_write() {
    let names = ["s".to_string()];
    let dst = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 80));
    let text = Op::Connect {
        slot: 0,
        to: dst,
        namelen: None,
    }
    .display(&names)
    .to_string();
    let to = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 80);
    assert_eq!(parse_call(&text), Some(("connect", "s", Some(to))));
    let bind = Op::Bind { slot: 0, addr: dst }.display(&names).to_string();
    assert_eq!(parse_call(&bind).map(|(v, ..)| v), Some("bind"));
    let recv = Op::Recv { slot: 0, max: 100 }.display(&names).to_string();
    assert_eq!(parse_call(&recv), Some(("recv", "s", None)));
    assert_eq!(
        parse_call("t = socket(Inet, Stream)"),
        Some(("socket", "Inet", None))
    );
}

/// The fault scenarios' stories: a firewall that drops, resets or answers
/// ICMP; the host's own firewall; an RST that arrives and one that is lost;
/// an interface down; a crashed server (data never acknowledged, then an
/// RST from the restarted stack).
#[test]
fn faults_tell_their_causes() {
    let r = report(include_str!("../../../scenarios/faults/firewall.ron"));
    assert_eq!(
        whys(&r, "client", "icmp"),
        [
            "WSAEHOSTUNREACH at 0.002 s: server answered ICMP communication administratively \
          prohibited at 0.001 s (admin prohibited: firewall)"
        ]
    );
    assert_eq!(
        whys(&r, "client", "out"),
        [
            "WSAECONNREFUSED at 2.000 s: SYN answered with RST by client (firewall) at 0, 0.5, \
          1, 1.5 and 2 s"
        ]
    );
    assert_eq!(
        whys(&r, "client", "drop"),
        [
            "WSAETIMEDOUT at 21.000 s: SYN sent at 0, 3 and 9 s; all dropped on link \
          client-server by server (firewall)"
        ]
    );
    let r = report(include_str!("../../../scenarios/faults/netdown.ron"));
    let down = "client's network interface is down (since 1.000 s)";
    assert_eq!(
        whys(&r, "client", "dialer"),
        [
            format!("WSAENETDOWN at 2.000 s: {down}"),
            format!("WSAENETDOWN at 2.000 s: {down}"),
        ]
    );
    let r = report(include_str!("../../../scenarios/faults/server-crash.ron"));
    assert_eq!(
        whys(&r, "client", "a"),
        [
            "WSAECONNABORTED at 20.900 s: data sent at 2, 2.3, 2.9, 4.1, 6.5 and 11.3 s; all \
          dropped on link client-server by server (host down)"
        ]
    );
    assert_eq!(
        whys(&r, "client", "b"),
        [
            "WSAECONNRESET at 31.002 s: server answered with RST at 31.001 s (reset: no \
          connection)"
        ]
    );
}

/// An RST that arrives and one that is lost, on a lossy link (seed 1).
#[test]
fn a_lost_rst_is_told_from_one_that_arrived() {
    let r = report(include_str!(
        "../../../scenarios/faults/lossy-link-sweep.ron"
    ));
    let why = &whys(&r, "client", "main")[0];
    assert!(
        why.contains("at 0 s answered by server with RST (reset: no listener); at 0.52 s answered by server with RST, which was lost on link client-server"),
        "{why}"
    );
}

/// CB-N3: a nonblocking connect's refusal read with getsockopt(SO_ERROR)
/// (the async layer's connect, mio's) is explained as the connect's.
#[test]
fn so_error_after_a_refused_nonblocking_connect_tells_the_syns_story() {
    let report = report(include_str!("../../../scenarios/nonblocking/select.ron"));
    let read = report
        .calls
        .iter()
        .find(|c| c.call == "getsockopt(r, SO_ERROR)")
        .expect("select.ron reads SO_ERROR");
    assert_eq!(read.detail, "OK (10061)");
    assert_eq!(
        read.why.as_deref(),
        Some(
            "WSAECONNREFUSED (SO_ERROR) at 3.012 s: SYN answered with RST by server \
             (reset: no listener) at 1.003, 1.505, 2.007, 2.509 and 3.011 s"
        )
    );
    // A read of no pending error has no story.
    let fine = report.calls.iter().filter(|c| c.detail == "OK (0)");
    assert!(fine.clone().all(|c| c.why.is_none()));
}
