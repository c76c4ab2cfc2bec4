//! ConnectEx and overlapped I/O (issue 3, item 4; CB-X1..X11): the
//! conformance rows of the ConnectEx column, byte counts, times and the
//! packets on the wire (TCP Fast Open, thread exit, TIME_WAIT on reuse),
//! and the scenario check of extension-function pointers.

use simsock_model::{Api, Transport, WsaError};
use simsock_sim::scenario::load;
use simsock_sim::trace::TraceKind;
use simsock_sim::world::LimitError;
use simsock_tests::{
    assert_passed, calls_named, lines_with, run_file, scenarios_dir, tcp_segments,
};

fn run(name: &str) -> simsock_sim::scenario::Report {
    let report = run_file(&scenarios_dir().join(name), None);
    assert_passed(&report);
    report
}

/// Every code of ConnectEx's table has a row that passes, and in it a
/// ConnectEx call returns the code, or a completion call of a ConnectEx
/// overlapped (its text names ConnectEx) does (CB-X4).
#[test]
fn every_connectex_row_returns_its_code() {
    let codes: Vec<WsaError> = WsaError::ALL
        .iter()
        .copied()
        .filter(|e| e.listed_by(Api::ConnectEx))
        .collect();
    assert_eq!(codes.len(), 16);
    for code in codes {
        let report = run(&format!("conformance/connectex/{}.ron", code.name()));
        let hit = report.calls.iter().any(|c| {
            let names_connectex = c.call.starts_with("ConnectEx(")
                || (c.call.contains("[ConnectEx on ")
                    && (c.call.starts_with("GetQueuedCompletionStatus(")
                        || c.call.starts_with("WSAGetOverlappedResult(")));
            names_connectex && c.result == code.name() && c.failure.is_none()
        });
        assert!(hit, "{}: no ConnectEx call returned it", code.name());
    }
}

/// The codes that only a completion can carry arrive through it, and the
/// trace records the completion on its own line.
#[test]
fn refusal_arrives_through_the_completion_port() {
    let report = run("conformance/connectex/WSAECONNREFUSED.ron");
    let dequeued = calls_named(&report, "client", "main", "GetQueuedCompletionStatus(");
    assert_eq!(dequeued.len(), 1);
    assert_eq!(dequeued[0].detail, "WSAECONNREFUSED (key 7, 0 bytes)");
    assert_eq!(dequeued[0].end_ns, 2_000_000);
    let completions = lines_with(&report, "client", "complete main ConnectEx(s) on ov");
    assert_eq!(completions.len(), 2, "{completions:#?}");
    assert!(completions[0].starts_with("2000000 ") && completions[0].ends_with("WSAECONNREFUSED"));
}

/// CB-X4, CB-X5: ERROR_IO_PENDING at once, WSA_IO_INCOMPLETE while pending,
/// then the packet with the key and the byte count of the send buffer.
#[test]
fn iocp_completion_carries_key_and_bytes() {
    let report = run("connectex/iocp.ron");
    let connect = calls_named(&report, "client", "main", "ConnectEx(");
    assert_eq!(connect[0].result, "ERROR_IO_PENDING");
    assert_eq!(connect[0].end_ns, 0);
    let result = calls_named(&report, "client", "main", "WSAGetOverlappedResult(");
    assert_eq!(result[0].result, "WSA_IO_INCOMPLETE");
    assert_eq!(result[1].detail, "OK (5 bytes)");
    let dequeued = calls_named(&report, "client", "main", "GetQueuedCompletionStatus(");
    assert_eq!(dequeued[0].detail, "OK (key 7, 5 bytes)");
    // CB-X6, CB-X7.
    let peer = calls_named(&report, "client", "main", "getpeername(");
    assert_eq!(
        (peer[0].result.as_str(), peer[1].result.as_str()),
        ("WSAENOTCONN", "OK")
    );
    let time = calls_named(&report, "client", "main", "getsockopt(s, SO_CONNECT_TIME)");
    assert_eq!(time[0].detail, "OK (4294967295)");
    assert_eq!(time[1].detail, "OK (3)");
}

/// The (time, payload length, cause) of every SYN a node sent.
fn syns(report: &simsock_sim::scenario::Report, node: &str) -> Vec<(u64, u32, &'static str)> {
    report
        .trace
        .iter()
        .filter(|e| report.names.node(e.node) == node)
        .filter_map(|e| match &e.kind {
            TraceKind::Send { header, cause, .. } => match header.transport {
                Transport::Tcp(t) if t.flags.to_string() == "SYN" => {
                    Some((e.at.as_nanos(), t.len, *cause))
                }
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// CB-X5, RFC 7413: the first connection requests a cookie (no data on the
/// SYN); the second puts its 6 bytes on the SYN, and the server's SYN-ACK
/// acknowledges them.
#[test]
fn fast_open_data_rides_on_the_second_syn() {
    let report = run("connectex/fast-open.ron");
    assert_eq!(
        syns(&report, "client"),
        vec![(0, 0, ""), (1_000_000_000, 6, "fast open: data on SYN")]
    );
    let synack = lines_with(&report, "server", "[SYN,ACK]");
    let send_second = synack
        .iter()
        .find(|l| l.starts_with("1001000000 server send"))
        .expect("the second SYN-ACK");
    let syn_line = &lines_with(&report, "client", "fast open: data on SYN")[0];
    let seq: u64 = field(syn_line, "seq=");
    let ack: u64 = field(send_second, "ack=");
    assert_eq!(ack, (seq + 7) % (1 << 32), "SYN (1) + 6 bytes acknowledged");
    // The first connection's data went after the handshake, in its own segment.
    let data = lines_with(&report, "client", "[PSH,ACK]");
    assert!(data[0].starts_with("2000000 ") && data[0].contains("len=5"));
}

fn field(line: &str, key: &str) -> u64 {
    let at = line.find(key).expect("field") + key.len();
    line[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .expect("number")
}

/// CB-X8: the worker's exit at 10 ms aborts its ConnectEx; the main thread
/// dequeues ERROR_OPERATION_ABORTED then; the SYN_SENT connection is gone,
/// so the SYN-ACK at 100 ms is answered with RST.
#[test]
fn thread_exit_aborts_the_pending_connectex() {
    let report = run("connectex/thread-exit.ron");
    let dequeued = calls_named(&report, "client", "main", "GetQueuedCompletionStatus(");
    assert_eq!(dequeued[0].result, "ERROR_OPERATION_ABORTED");
    assert_eq!(dequeued[0].end_ns, 10_000_000);
    assert_eq!(dequeued[1].result, "WAIT_TIMEOUT");
    let closed = lines_with(&report, "client", "SYN_SENT -> CLOSED");
    assert!(closed[0].starts_with("10000000 "), "{closed:?}");
    let client: Vec<_> = tcp_segments(&report, "client")
        .iter()
        .map(|s| (s.at_ns, s.flags.to_string(), s.why.clone()))
        .collect();
    assert!(client.contains(&(100_000_000, "RST".into(), "reset: no connection".into())));
}

/// CB-X9, CB-X10: the reused socket's ConnectEx at 1 s waits for the
/// TIME_WAIT of its old connection (10 s from 4 ms): the SYN leaves at
/// 10.004 s, the completion comes at 10.006 s.
#[test]
fn reused_socket_waits_for_time_wait() {
    let report = run("connectex/socket-reuse.ron");
    let tw_end = lines_with(&report, "client", "TIME_WAIT ended");
    assert!(tw_end[0].starts_with("10004000000 "), "{tw_end:?}");
    let syn_times: Vec<u64> = syns(&report, "client").iter().map(|s| s.0).collect();
    assert!(syn_times.contains(&10_004_000_000), "{syn_times:?}");
    assert!(!syn_times.iter().any(|&t| t > 0 && t < 10_004_000_000));
    let results = calls_named(&report, "client", "main", "WSAGetOverlappedResult(");
    assert_eq!(results[1].end_ns, 10_006_000_000);
    let accept_ex = calls_named(&report, "client", "main", "AcceptEx(");
    assert_eq!(accept_ex[0].result, "WSAEINVAL");
    let reuser = calls_named(&report, "server", "reuser", "ConnectEx(");
    assert_eq!(reuser[0].result, "WSAEINVAL");
}

const NO_POINTER: &str = r#"Scenario(
    name: "no-pointer",
    hosts: [Host(name: "client", addrs: ["10.0.0.1/24"])],
    threads: [
        Thread(host: "client", name: "main", steps: [
            Socket(name: "s"),
            Bind(socket: "s", addr: "0.0.0.0:0"),
            ConnectEx(socket: "s", to: "10.0.0.2:80", overlapped: "ov"),
        ]),
    ],
)
"#;

/// CB-X3: ConnectEx before the thread obtained its pointer is a scenario
/// error with line and column, not a Winsock error.
#[test]
fn connectex_without_its_pointer_is_rejected() {
    let err = load(NO_POINTER).expect_err("rejected");
    assert!(err.to_string().contains("obtained its pointer"), "{err}");
    assert_eq!(err.line_col(NO_POINTER), Some((8, 13)));
    let fixed = NO_POINTER.replace(
        "Bind(socket",
        "GetExtensionFunction(socket: \"s\", function: ConnectEx),\n            Bind(socket",
    );
    load(&fixed).expect("accepted once the pointer is obtained");
}

/// Names of OVERLAPPED structures, events and ports must exist and must
/// not be socket names.
#[test]
fn unknown_or_clashing_names_are_rejected() {
    let base = NO_POINTER.replace(
        "Bind(socket",
        "GetExtensionFunction(socket: \"s\", function: ConnectEx),\n            Bind(socket",
    );
    let unknown = base.replace(
        "overlapped: \"ov\"),",
        "overlapped: \"ov\"),\n            GetOverlappedResult(socket: \"s\", overlapped: \"ovx\"),",
    );
    let err = load(&unknown).expect_err("unknown overlapped");
    assert!(
        err.to_string().contains("unknown OVERLAPPED `ovx`"),
        "{err}"
    );
    assert_eq!(err.line_col(&unknown).map(|p| p.0), Some(10));
    let clash = base.replace("overlapped: \"ov\"", "overlapped: \"s\"");
    let err = load(&clash).expect_err("clash");
    assert!(err.to_string().contains("names both a socket"), "{err}");
    let port = base.replace(
        "overlapped: \"ov\"),",
        "overlapped: \"ov\"),\n            GetQueuedCompletionStatus(port: \"p\"),",
    );
    let err = load(&port).expect_err("unknown port");
    assert!(
        err.to_string().contains("unknown completion port `p`"),
        "{err}"
    );
}

/// The builder writes the same ConnectEx story as a RON file: ConnectEx
/// through a completion port, refused at the first RST.
#[test]
fn builder_helpers_run_a_connectex_story() {
    use simsock_model::HostProfile;
    use simsock_model::builder::ScenarioBuilder;
    use simsock_model::scenario::{Outcome, Step};
    let profile = HostProfile {
        refused_syn_retries: 0,
        ..HostProfile::default()
    };
    let scenario = ScenarioBuilder::new("built")
        .host_with("client", &["10.0.0.1/24"], profile)
        .host("server", &["10.0.0.2/24"])
        .link("client", "server", "1ms")
        .thread(
            "client",
            "main",
            [
                Step::new_socket("s"),
                Step::get_connect_ex("s"),
                Step::bind("s", "0.0.0.0:0"),
                Step::completion_port("p", "s", 3),
                Step::connect_ex("s", "10.0.0.2:80", "ov")
                    .expect(Outcome::Err(WsaError::ERROR_IO_PENDING)),
                Step::dequeue("p")
                    .expect(Outcome::Completion {
                        key: Some(3),
                        bytes: Some(0),
                        // The windows personality's Win32 code (Wine
                        // `test_connect_completion_port`).
                        error: Some(WsaError::ERROR_CONNECTION_REFUSED),
                    })
                    .took("2ms"),
            ],
        )
        .build();
    let report = simsock_sim::scenario::run(&scenario, &Default::default());
    assert_passed(&report);
    // The expectation can fail: a wrong key is reported.
    let mut wrong = scenario.clone();
    if let Step::GetQueuedCompletionStatus { expect, .. } = &mut wrong.threads[0].steps[5] {
        *expect = Some(Outcome::Completion {
            key: Some(4),
            bytes: None,
            error: Some(WsaError::ERROR_CONNECTION_REFUSED),
        });
    }
    let report = simsock_sim::scenario::run(&wrong, &Default::default());
    assert!(!report.passed);
}

/// CB-X3 at run time: a Rust program that calls ConnectEx without having
/// obtained the pointer (the scenario check cannot see it) calls through a
/// null pointer, a crash on Windows: the run stops with a scenario error
/// that names the thread and the call (issue 15, item 4; it stopped on an
/// internal invariant).
#[test]
fn null_pointer_call_from_a_program_stops_the_run() {
    use simsock_model::scenario::{Family, Kind};
    use simsock_sim::scenario::{RunOptions, build};
    use simsock_sim::thread::Completed;
    use simsock_sim::winsock::Op;
    use simsock_sim::winsock::ex_op::ExOp;
    let story = simsock_model::builder::ScenarioBuilder::new("null")
        .host("client", &["10.0.0.1/24"])
        .build();
    let mut world = build(&story, &RunOptions::default());
    let s = world.hosts[0].slot_named("s");
    let ov = world.hosts[0].slot_named("ov");
    let mut step = 0;
    let program = move |_: Option<&Completed<'_>>| -> Option<Op> {
        step += 1;
        match step {
            1 => Some(Op::Socket {
                slot: s,
                family: Family::Inet,
                kind: Kind::Stream,
            }),
            2 => Some(Op::Bind {
                slot: s,
                addr: "0.0.0.0:0".parse().expect("address"),
            }),
            3 => Some(Op::Ex(Box::new(ExOp::ConnectEx {
                slot: s,
                to: "10.0.0.2:80".parse().expect("address"),
                namelen: None,
                data: None,
                ov: Some(ov),
                event: None,
            }))),
            _ => None,
        }
    };
    world.spawn("client", "rust", Box::new(program));
    let Err(LimitError::Scenario(message)) = world.run() else {
        panic!("the run should stop on a scenario error");
    };
    assert!(
        message.starts_with("client/rust: ConnectEx(s, "),
        "{message}"
    );
    assert!(message.contains("null pointer"), "{message}");
    assert_eq!(world.calls.len(), 2, "ConnectEx never returned");
    assert!(simsock_sim::invariants::check(&world).is_empty());
}

/// A GetExtensionFunction that failed (on a closed socket) leaves the
/// pointer NULL; the ConnectEx after it stops the run with a scenario
/// error naming the step, not an invariant violation.
#[test]
fn connect_ex_after_a_failed_get_extension_function_is_a_scenario_error() {
    let text = r#"Scenario(
    name: "null-connectex",
    hosts: [Host(name: "client", addrs: ["10.0.0.1/24"])],
    threads: [Thread(host: "client", name: "main", steps: [
        Socket(name: "s"),
        Close(socket: "s"),
        GetExtensionFunction(socket: "s", function: ConnectEx, expect: Err(WSAENOTSOCK)),
        Socket(name: "s"),
        Bind(socket: "s", addr: "0.0.0.0:0"),
        ConnectEx(socket: "s", to: "10.0.0.2:80", overlapped: "ov"),
    ])],
)"#;
    let scenario = simsock_sim::scenario::load(text).expect("passes the check");
    let report = simsock_sim::scenario::run(&scenario, &Default::default());
    assert!(!report.passed);
    let Some(LimitError::Scenario(message)) = &report.limit else {
        panic!("expected a scenario error, got {:?}", report.limit);
    };
    assert!(
        message.starts_with("client/main: ConnectEx(s, 10.0.0.2:80"),
        "{message}"
    );
    assert!(
        message.contains("GetExtensionFunction(ConnectEx)"),
        "{message}"
    );
    assert!(
        !report.failures.iter().any(|f| f.contains("invariant")),
        "{:?}",
        report.failures
    );
}

const CLOSE_PENDING: &str = r#"Scenario(
    name: "close-pending",
    hosts: [
        Host(name: "client", addrs: ["10.0.0.1/24"]),
        Host(name: "server", addrs: ["10.0.0.2/24"]),
    ],
    links: [Link(between: ("client", "server"), latency: "1ms", up: false)],
    threads: [
        Thread(host: "client", name: "main", steps: [
            Socket(name: "s"),
            GetExtensionFunction(socket: "s", function: ConnectEx),
            Bind(socket: "s", addr: "0.0.0.0:0"),
            CreateIoCompletionPort(port: "p", socket: "s", key: 1),
            ConnectEx(socket: "s", to: "10.0.0.2:80", overlapped: "ov", event: "ev", expect: Err(ERROR_IO_PENDING)),
            WaitForSingleObject(object: "ev", timeout: "1s", expect: Value(258), at: "1s"),
            Close(socket: "s"),
            WaitForSingleObject(object: "ev", expect: Value(0), at: "1s"),
            GetQueuedCompletionStatus(port: "p", timeout: "0s", expect: Completion(key: 1, error: ERROR_OPERATION_ABORTED)),
        ]),
    ],
)
"#;

/// closesocket with a ConnectEx pending: the operation completes with
/// ERROR_OPERATION_ABORTED (its event is signalled, its packet queued);
/// before that, a wait on the event times out (WAIT_TIMEOUT, 258).
#[test]
fn closing_the_socket_aborts_its_connectex() {
    let scenario = load(CLOSE_PENDING).expect("valid");
    let report = simsock_sim::scenario::run(&scenario, &Default::default());
    assert_passed(&report);
    let aborted = lines_with(&report, "client", "complete main ConnectEx(s) on ov");
    assert_eq!(aborted.len(), 1);
    assert!(
        aborted[0].starts_with("1000000000 ") && aborted[0].ends_with("ERROR_OPERATION_ABORTED")
    );
}
