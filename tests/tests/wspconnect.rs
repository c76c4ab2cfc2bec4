//! WSPConnect (WSPConnect.txt) and the blocking model around it: the code
//! through lpErrno (CB-C1), no WSANOTINITIALISED at the SPI (CB-C10), QoS
//! buffers (CB-W3, CB-W5), APCs, cancel and WSAEINPROGRESS (CB-A1, CB-C18,
//! CB-C19).

use simsock_model::TcpState;
use simsock_sim::scenario::{Report, RunOptions, load, run};
use simsock_sim::trace::TraceKind;
use simsock_sim::world::LimitError;
use simsock_tests::{
    Dir, S, assert_passed, calls, calls_named, run_file, scenarios_dir, tcp_segments,
};

/// A client (profile fields `client`) and a server on a 1 ms link that is
/// up or down, with these threads.
fn scenario(client: &str, up: bool, threads: &str) -> String {
    format!(
        r#"Scenario(
    name: "t",
    seed: 1,
    hosts: [
        Host(name: "client", addrs: ["10.0.0.1/24"], profile: ({client})),
        Host(name: "server", addrs: ["10.0.0.2/24"]),
    ],
    links: [Link(between: ("client", "server"), latency: "1ms", up: {up})],
    threads: [{threads}],
)"#
    )
}

fn run_text(text: &str) -> Report {
    let s = load(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    run(&s, &RunOptions::default())
}

const LISTEN: &str = r#"Thread(host: "server", name: "main", steps: [
    Socket(name: "l"), Bind(socket: "l", addr: "0.0.0.0:80"), Listen(socket: "l"),
])"#;

/// CB-C1: WSPConnect's code goes to lpErrno; the thread's WSAGetLastError
/// keeps the code of its last failed Winsock call.
#[test]
fn wspconnect_leaves_the_last_error_alone() {
    let threads = r#"Thread(host: "client", name: "main", steps: [
        Socket(name: "s"),
        Connect(socket: "s", to: "10.0.0.2:81", expect: Err(WSAECONNREFUSED)),
        WspConnect(socket: "s", to: "0.0.0.0:80", expect: Err(WSAEADDRNOTAVAIL)),
        LastError(expect: Err(WSAECONNREFUSED)),
        WspConnect(socket: "s", to: "10.0.0.2:80", expect: Ok),
        LastError(expect: Err(WSAECONNREFUSED)),
    ])"#;
    let report = run_text(&scenario("", true, &format!("{LISTEN}, {threads}")));
    assert_passed(&report);
    let wsp = calls_named(&report, "client", "main", "WSPConnect(");
    assert_eq!(wsp[0].result, "WSAEADDRNOTAVAIL");
}

/// CB-C10: a WSPConnect before WSAStartup cannot happen (the provider is
/// loaded by WSAStartup): the run stops with a scenario error naming CB-C10,
/// not with a guessed code.
#[test]
fn wspconnect_before_startup_is_a_scenario_error() {
    let text = scenario(
        "",
        true,
        r#"Thread(host: "client", name: "main", steps: [
            WspConnect(socket: "s", to: "10.0.0.2:80"),
        ]), Thread(host: "client", name: "other", steps: [Socket(name: "s")])"#,
    )
    .replace(
        r#"Host(name: "client", addrs: ["10.0.0.1/24"], profile: ())"#,
        r#"Host(name: "client", addrs: ["10.0.0.1/24"], started: false)"#,
    );
    let report = run_text(&text);
    assert!(!report.passed);
    match &report.limit {
        Some(LimitError::Scenario(m)) => assert!(m.contains("CB-C10"), "{m}"),
        other => panic!("expected a scenario error, got {other:?}"),
    }
    assert!(calls_named(&report, "client", "main", "WSPConnect(").is_empty());
}

/// CB-C18, CB-A1: WSPCancelBlockingCall from an APC cancels WSPConnect at
/// 4 s with WSAEINTR; the attempt is torn down (SYN_SENT -> CLOSED at 4 s)
/// and no SYN follows the retransmission at 3 s, though the next one was
/// due at 9 s.
#[test]
fn cancel_tears_the_attempt_down() {
    let path = scenarios_dir().join("conformance/wspconnect/WSAEINTR.ron");
    let report = run_file(&path, None);
    assert_passed(&report);
    let wsp = &calls_named(&report, "client", "main", "WSPConnect(")[0];
    assert_eq!((wsp.result.as_str(), wsp.end_ns), ("WSAEINTR", 4 * S));
    let sent: Vec<(u64, String)> = tcp_segments(&report, "client")
        .into_iter()
        .filter(|s| s.dir == Dir::Sent)
        .map(|s| (s.at_ns, s.flags.to_string()))
        .collect();
    assert_eq!(sent, [(0, "SYN".to_string()), (3 * S, "SYN".to_string())]);
    let closed = report.trace.iter().any(|e| {
        matches!(
            e.kind,
            TraceKind::State {
                from: TcpState::SynSent,
                to: TcpState::Closed,
                ..
            }
        ) && e.at.as_nanos() == 4 * S
    });
    assert!(closed, "no SYN_SENT -> CLOSED at 4 s");
    // The APC's call ran on main, inside the wait, at 4 s.
    let cancel = calls_named(&report, "client", "main", "WSPCancelBlockingCall(");
    assert_eq!((cancel[0].result.as_str(), cancel[0].end_ns), ("OK", 4 * S));
}

/// CB-C18: WSACancelBlockingCall is Winsock 1.1 only: under 2.2 it fails
/// with WSAEOPNOTSUPP and the connect goes on to its timeout at 21 s. A
/// cancel at the wrong level, or with no blocking call, is WSAEINVAL.
#[test]
fn cancel_needs_winsock_1_1_and_a_blocking_call() {
    let threads = r#"Thread(host: "client", name: "main", steps: [
        Socket(name: "s"),
        Connect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAETIMEDOUT), at: "21s"),
    ]), Thread(host: "client", name: "helper", steps: [
        Sleep("1s"),
        QueueApc(thread: "main", steps: [
            CancelBlockingCall(expect: Err(WSAEOPNOTSUPP)),
            WspCancelBlockingCall(expect: Err(WSAEINVAL)),
        ]),
    ])"#;
    assert_passed(&run_text(&scenario("", false, threads)));
    let outside = r#"Thread(host: "client", name: "main", steps: [
        CancelBlockingCall(expect: Err(WSAEINVAL)),
        WspCancelBlockingCall(expect: Err(WSAEINVAL)),
    ])"#;
    assert_passed(&run_text(&scenario(
        r#"winsock_version: "1.1""#,
        true,
        outside,
    )));
}

/// CB-A1: under Winsock 2.2 a blocking call inside an APC inside a
/// blocking call is undefined: a scenario error naming CB-A1, no panic and
/// no result for the nested call. A call that cannot block runs normally.
#[test]
fn nested_blocking_call_under_winsock_2_is_a_scenario_error() {
    let threads = r#"Thread(host: "client", name: "main", steps: [
        Socket(name: "s"), Socket(name: "t"),
        Connect(socket: "s", to: "10.0.0.2:80"),
    ]), Thread(host: "client", name: "helper", steps: [
        Sleep("1s"),
        QueueApc(thread: "main", steps: [
            GetSockName(socket: "s", expect: Addr("10.0.0.1:49152")),
            Connect(socket: "t", to: "10.0.0.2:80"),
        ]),
    ])"#;
    let report = run_text(&scenario("", false, threads));
    assert!(!report.passed);
    match &report.limit {
        Some(LimitError::Scenario(m)) => {
            assert!(m.contains("CB-A1"), "{m}");
            assert!(m.contains("connect(t, 10.0.0.2:80)"), "{m}");
        }
        other => panic!("expected a scenario error, got {other:?}"),
    }
    let main = calls(&report, "client", "main");
    assert!(
        main.iter()
            .any(|c| c.call.starts_with("getsockname(") && c.failure.is_none())
    );
    assert!(!main.iter().any(|c| c.call.starts_with("connect(t")));
    assert_eq!(report.end.as_nanos(), S, "the run stops at the nested call");
}

/// CB-C19: under Winsock 1.1 every Winsock call from the APC fails with
/// WSAEINPROGRESS, and WSAGetLastError reads it; an APC queued to a thread
/// that is not waiting runs in its next blocking call.
#[test]
fn winsock_1_1_apc_calls_fail_with_wsaeinprogress() {
    let threads = r#"Thread(host: "client", name: "main", steps: [
        Socket(name: "s"),
        SleepUntil("2s"),
        Connect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAETIMEDOUT), at: "23s"),
    ]), Thread(host: "client", name: "helper", steps: [
        Sleep("1s"),
        QueueApc(thread: "main", steps: [
            GetSockName(socket: "s", expect: Err(WSAEINPROGRESS), at: "2s"),
            LastError(expect: Err(WSAEINPROGRESS)),
        ]),
    ])"#;
    let report = run_text(&scenario(r#"winsock_version: "1.1""#, false, threads));
    assert_passed(&report);
}

/// CB-N2: a Winsock 1.1 application sees WSAEINVAL for WSPConnect while a
/// nonblocking attempt is pending (WSPConnect.txt); the CE WSAConnect
/// document has no such exception: WSAEALREADY.
#[test]
fn pending_attempt_code_under_winsock_1_1() {
    let threads = r#"Thread(host: "client", name: "main", steps: [
        Socket(name: "s"),
        IoctlSocket(socket: "s", command: FIONBIO, value: 1),
        WspConnect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAEWOULDBLOCK)),
        WspConnect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAEINVAL)),
        WsaConnect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAEALREADY)),
    ])"#;
    assert_passed(&run_text(&scenario(
        r#"winsock_version: "1.1""#,
        false,
        threads,
    )));
}

/// CB-W3, CB-W5: WSPConnect checks the QoS buffers' sizes (80 bytes is a
/// whole QOS, 79 is WSAEFAULT) and fails a reservation in either direction,
/// or a group QoS asking one, with WSAEOPNOTSUPP.
#[test]
fn qos_buffers_and_flow_specs() {
    let threads = r#"Thread(host: "client", name: "main", steps: [
        Socket(name: "s"),
        WspConnect(socket: "s", to: "10.0.0.2:80", gqos: (), gqos_len: 79, expect: Err(WSAEFAULT)),
        WspConnect(socket: "s", to: "10.0.0.2:80",
                   sqos: (recv: (service_type: ControlledLoad)), expect: Err(WSAEOPNOTSUPP)),
        WspConnect(socket: "s", to: "10.0.0.2:80",
                   gqos: (send: (service_type: Guaranteed)), expect: Err(WSAEOPNOTSUPP)),
        WspConnect(socket: "s", to: "10.0.0.2:80", sqos: (send: (token_rate: 1000)),
                   sqos_len: 80, gqos: (), gqos_len: 80, expect: Ok),
    ])"#;
    let report = run_text(&scenario("", true, &format!("{LISTEN}, {threads}")));
    assert_passed(&report);
    let wsp = calls_named(&report, "client", "main", "WSPConnect(");
    assert_eq!(wsp[0].call, "WSPConnect(s, 10.0.0.2:80, gqos 79 bytes)");
}

/// CB-A1: an APC runs only in an alertable wait; one queued to a thread
/// that never makes another blocking call never runs, and the run says so.
#[test]
fn an_apc_that_never_runs_fails_the_run() {
    let threads = r#"Thread(host: "client", name: "main", steps: [
        Sleep("2s"),
    ]), Thread(host: "client", name: "helper", steps: [
        Sleep("1s"),
        QueueApc(thread: "main", steps: [LastError(expect: Ok)]),
    ])"#;
    let report = run_text(&scenario("", true, threads));
    assert!(!report.passed);
    assert!(
        report
            .failures
            .iter()
            .any(|f| f.contains("client/main: 1 APC(s) queued and never run")),
        "{:?}",
        report.failures
    );
    assert!(calls_named(&report, "client", "main", "WSAGetLastError(").is_empty());
}
