//! The listen backlog (RFC 9293 §3.10.7.2; design.md "Host profiles"): a SYN
//! beyond the backlog is reset on Windows (WSAECONNREFUSED, CB-C14) and
//! dropped by a POSIX-style profile (the client times out, CB-C15).

use simsock_sim::scenario::{RunOptions, load, run};

/// Two clients connect to a listener with backlog 1 that never accepts.
fn story(overflow: &str, second_expect: &str) -> String {
    format!(
        r#"Scenario(
    name: "backlog",
    hosts: [
        Host(name: "a", addrs: ["10.0.0.1/24"]),
        Host(name: "b", addrs: ["10.0.0.3/24"]),
        Host(name: "server", addrs: ["10.0.0.2/24"], profile: (backlog_overflow: {overflow})),
    ],
    links: [
        Link(between: ("a", "server"), latency: "1ms"),
        Link(between: ("b", "server"), latency: "1ms"),
    ],
    threads: [
        Thread(host: "server", name: "main", steps: [
            Socket(name: "l"),
            Bind(socket: "l", addr: "0.0.0.0:80"),
            Listen(socket: "l", backlog: 1),
            Sleep("60s"),
            Close(socket: "l"),
        ]),
        Thread(host: "a", name: "first", start: "1s", steps: [
            Socket(name: "s"),
            Connect(socket: "s", to: "10.0.0.2:80", expect: Ok, took: "2ms"),
        ]),
        Thread(host: "b", name: "second", start: "2s", steps: [
            Socket(name: "s"),
            {second_expect}
        ]),
    ],
)"#
    )
}

#[test]
fn windows_resets_a_syn_beyond_the_backlog() {
    let text = story(
        "Reset",
        r#"Connect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAECONNREFUSED), took: "2.010s"),"#,
    );
    let report = run(&load(&text).unwrap(), &RunOptions::default());
    assert!(report.passed, "{:?}", report.failures);
    assert!(
        report
            .trace_lines()
            .into_iter()
            .any(|l| l.contains("(reset: backlog full)"))
    );
}

#[test]
fn posix_drops_a_syn_beyond_the_backlog() {
    let text = story(
        "Drop",
        r#"Connect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAETIMEDOUT), took: "21s"),"#,
    );
    let report = run(&load(&text).unwrap(), &RunOptions::default());
    assert!(report.passed, "{:?}", report.failures);
    assert_eq!(
        report
            .trace_lines()
            .into_iter()
            .filter(|l| l.contains("(backlog full)"))
            .count(),
        3
    );
}
