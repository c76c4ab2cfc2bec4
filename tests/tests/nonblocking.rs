//! Nonblocking connect notifications (CB-N3..N6): select, WSAAsyncSelect,
//! WSAEventSelect and their SPI forms report the outcome of a nonblocking
//! connect with the right code at the right simulated time.

use simsock_model::scenario::{Scenario, Step};
use simsock_sim::scenario::{Report, RunOptions, build, load, run};
use simsock_sim::world::CallRecord;
use simsock_tests::{MS, S, assert_passed, calls, calls_named, load_file, run_file, scenarios_dir};

fn nonblocking(name: &str) -> Report {
    let report = run_file(
        &scenarios_dir().join(format!("nonblocking/{name}.ron")),
        None,
    );
    assert_passed(&report);
    report
}

/// `(call, detail, end_ns)` of a call, to compare with a literal.
fn seen(c: &CallRecord) -> (&str, &str, u64) {
    (c.call.as_str(), c.detail.as_str(), c.end_ns)
}

/// A client/server pair on a 1 ms link with the server listening on port
/// 80, and `steps` (RON) as the client's thread.
fn story(client_steps: &str) -> String {
    format!(
        r#"Scenario(
    name: "story",
    seed: 1,
    hosts: [
        Host(name: "client", addrs: ["10.0.0.1/24"]),
        Host(name: "server", addrs: ["10.0.0.2/24"]),
    ],
    links: [Link(between: ("client", "server"), latency: "1ms")],
    threads: [
        Thread(host: "server", name: "main", steps: [
            Socket(name: "l"),
            Bind(socket: "l", addr: "0.0.0.0:80"),
            Listen(socket: "l"),
            Accept(socket: "l", name: "c"),
            Send(socket: "c", data: "0123456789"),
        ]),
        Thread(host: "client", name: "main", steps: [
{client_steps}
        ]),
    ],
)"#
    )
}

fn run_story(client_steps: &str) -> Report {
    let scenario = load(&story(client_steps)).unwrap_or_else(|e| panic!("{e}"));
    run(&scenario, &RunOptions::default())
}

/// CB-N3: success in the write set one round trip after the call (2 ms),
/// failure in the except set when the RSTs end the attempt (2.010 s after
/// it began), with SO_ERROR = WSAECONNREFUSED; a time-out returns 0.
#[test]
fn select_reports_success_in_write_and_failure_in_except() {
    let report = nonblocking("select");
    let selects = calls_named(&report, "client", "main", "select(");
    let got: Vec<_> = selects.iter().map(|c| seen(c)).collect();
    assert_eq!(
        got,
        [
            (
                "select(read [], write [s], except [s], 5s)",
                "OK (1: write [s])",
                2 * MS
            ),
            (
                "select(read [s], write [], except [], 1s)",
                "OK (0: timed out)",
                S + 2 * MS
            ),
            (
                "select(read [], write [r], except [r], INFINITE)",
                "OK (1: except [r])",
                3 * S + 12 * MS
            ),
        ]
    );
    let so_error = calls_named(&report, "client", "main", "getsockopt(r, SO_ERROR)");
    assert_eq!(so_error[0].detail, "OK (10061)");
}

/// CB-N4: FD_CONNECT once per attempt, error 0 on success (2 ms),
/// WSAECONNREFUSED after the SYN retries (2.010 s), WSAETIMEDOUT when the
/// SYN retransmissions run out (21 s).
#[test]
fn async_select_posts_fd_connect_with_the_outcome_code() {
    let report = nonblocking("async-select");
    let messages: Vec<_> = calls_named(&report, "client", "main", "GetMessage(")
        .into_iter()
        .map(|c| (c.detail.as_str(), c.end_ns))
        .collect();
    assert_eq!(
        messages,
        [
            ("OK (ok FD_CONNECT 0)", 2 * MS),
            ("OK (ok FD_WRITE 0)", 2 * MS),
            ("OK (ok FD_READ 0)", 4 * MS),
            ("OK (ok FD_CLOSE 0)", 4 * MS),
            ("OK (refused FD_CONNECT WSAECONNREFUSED)", 2_010 * MS),
            ("OK (lost FD_CONNECT WSAETIMEDOUT)", 21 * S),
        ]
    );
    let back_to_blocking = calls_named(&report, "client", "main", "ioctlsocket(ok, FIONBIO, 0)");
    assert_eq!(back_to_blocking[0].result, "WSAEINVAL");
}

/// CB-N4, CB-C5: a refused attempt posts FD_CONNECT with its code; a new
/// attempt on the same socket posts a second FD_CONNECT, with 0. Nothing
/// else is posted for a socket that asked only for FD_CONNECT: the thread
/// still waits in a last GetMessage when the run ends.
#[test]
fn fd_connect_is_posted_once_per_attempt() {
    let report = run_story(
        r#"
            Socket(name: "s"),
            AsyncSelect(socket: "s", window: "w", events: [FD_CONNECT]),
            Connect(socket: "s", to: "10.0.0.2:81", expect: Err(WSAEWOULDBLOCK)),
            GetMessage(window: "w", expect: Message(socket: "s", event: FD_CONNECT, error: WSAECONNREFUSED), at: "2.010s"),
            Connect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAEWOULDBLOCK)),
            GetMessage(window: "w", expect: Message(socket: "s", event: FD_CONNECT), at: "2.012s"),
            GetMessage(window: "w"),
        "#,
    );
    let messages = calls_named(&report, "client", "main", "GetMessage(");
    assert_eq!(messages.len(), 2, "{:#?}", report.trace_lines());
    assert_eq!(
        report.failures,
        ["client/main still blocked in GetMessage(w)"],
        "only the last GetMessage found nothing"
    );
    assert_eq!(report.limit, None, "the run ended: nothing left to happen");
}

/// The WSAAsyncSelect document: data left after a recv posts FD_READ
/// again (recv re-enables it); FD_READ is not re-posted while unread.
#[test]
fn recv_re_enables_fd_read() {
    let report = run_story(
        r#"
            Socket(name: "s"),
            AsyncSelect(socket: "s", window: "w", events: [FD_READ]),
            Connect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAEWOULDBLOCK)),
            GetMessage(window: "w", expect: Message(socket: "s", event: FD_READ), at: "4ms"),
            Recv(socket: "s", max: 4, expect: Data("0123")),
            GetMessage(window: "w", expect: Message(socket: "s", event: FD_READ), at: "4ms"),
            Recv(socket: "s", max: 100, expect: Data("456789")),
            Recv(socket: "s", max: 100, expect: Err(WSAEWOULDBLOCK)),
        "#,
    );
    assert_passed(&report);
}

/// CB-N5: the event of the socket whose attempt completed is signalled;
/// WSAEnumNetworkEvents reads FD_CONNECT with its code and clears it; a
/// wait with nothing signalled returns WSA_WAIT_TIMEOUT at its time-out.
#[test]
fn event_select_signals_and_enum_network_events_reads_the_code() {
    let report = nonblocking("event-select");
    let waits: Vec<_> = calls_named(&report, "client", "main", "WSAWaitForMultipleEvents(")
        .into_iter()
        .map(|c| (c.detail.as_str(), c.end_ns))
        .collect();
    assert_eq!(
        waits,
        [
            ("OK (WSA_WAIT_EVENT_0 + 1)", 2 * MS),
            ("OK (WSA_WAIT_TIMEOUT)", S + 2 * MS),
            ("OK (WSA_WAIT_EVENT_0 + 0)", 2_010 * MS),
        ]
    );
    let enums: Vec<_> = calls_named(&report, "client", "main", "WSAEnumNetworkEvents(")
        .into_iter()
        .map(|c| c.detail.as_str())
        .collect();
    assert_eq!(
        enums,
        [
            "OK (FD_CONNECT 0)",
            "OK (FD_CONNECT WSAECONNREFUSED)",
            "OK (no events)"
        ]
    );
}

/// WSAWaitForMultipleEvents with `wait_all` returns only once every event
/// is signalled: here when the slower (refused) attempt ends.
#[test]
fn wait_all_waits_for_every_event() {
    let report = run_story(
        r#"
            CreateEvent(name: "a"),
            CreateEvent(name: "b"),
            Socket(name: "s"),
            EventSelect(socket: "s", event: "a", events: [FD_CONNECT]),
            Connect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAEWOULDBLOCK)),
            Socket(name: "t"),
            EventSelect(socket: "t", event: "b", events: [FD_CONNECT]),
            Connect(socket: "t", to: "10.0.0.2:81", expect: Err(WSAEWOULDBLOCK)),
            WaitForEvents(events: ["a", "b"], wait_all: true, expect: Value(0), at: "2.010s"),
        "#,
    );
    assert_passed(&report);
}

/// Every `spi: true` of a scenario set, or every one cleared.
fn with_spi(steps: &mut [Step], on: bool) {
    for step in steps {
        match step {
            Step::Select { spi, .. }
            | Step::AsyncSelect { spi, .. }
            | Step::EventSelect { spi, .. }
            | Step::EnumNetworkEvents { spi, .. } => *spi = on,
            Step::Repeat { steps, .. } => with_spi(steps, on),
            _ => {}
        }
    }
}

fn run_with_spi(scenario: &Scenario, on: bool) -> Report {
    let mut s = scenario.clone();
    for thread in &mut s.threads {
        with_spi(&mut thread.steps, on);
    }
    let report = run(&s, &RunOptions::default());
    assert_passed(&report);
    report
}

/// CB-N3..N5 at the SPI level: WSPSelect, WSPAsyncSelect, WSPEventSelect
/// and WSPEnumNetworkEvents report exactly as their API counterparts: the
/// same results at the same times; only the names in the call texts differ.
#[test]
fn spi_forms_report_like_the_api() {
    let api_to_spi = [
        ("select(", "WSPSelect("),
        ("WSAAsyncSelect(", "WSPAsyncSelect("),
        ("WSAEventSelect(", "WSPEventSelect("),
        ("WSAEnumNetworkEvents(", "WSPEnumNetworkEvents("),
    ];
    for name in ["select", "async-select", "event-select", "spi"] {
        let scenario = load_file(&scenarios_dir().join(format!("nonblocking/{name}.ron")));
        let api = run_with_spi(&scenario, false);
        let spi = run_with_spi(&scenario, true);
        assert_eq!(api.calls.len(), spi.calls.len(), "{name}");
        let mut renamed = 0;
        for (a, p) in api.calls.iter().zip(&spi.calls) {
            let expected = api_to_spi
                .iter()
                .find(|(from, _)| a.call.starts_with(from))
                .map(|(from, to)| a.call.replacen(from, to, 1));
            renamed += usize::from(expected.is_some());
            assert_eq!(p.call, expected.unwrap_or(a.call.clone()), "{name}");
            assert_eq!(
                (&p.detail, p.start_ns, p.end_ns),
                (&a.detail, a.start_ns, a.end_ns),
                "{name}: {}",
                p.call
            );
        }
        assert!(renamed > 0, "{name} has notification calls");
    }
}

/// CB-N2: WSAEALREADY for 2.2, WSAEINVAL for a 1.1 application; then both
/// see the connection in select's write set and WSAEISCONN.
#[test]
fn winsock_1_1_sees_wsaeinval_while_pending() {
    let report = nonblocking("winsock-1-1");
    for (host, code) in [("modern", "WSAEALREADY"), ("legacy", "WSAEINVAL")] {
        let connects: Vec<_> = calls_named(&report, host, "main", "connect(")
            .into_iter()
            .map(|c| (c.result.as_str(), c.end_ns))
            .collect();
        assert_eq!(
            connects,
            [("WSAEWOULDBLOCK", 0), (code, 0), ("WSAEISCONN", 2 * MS)],
            "{host}"
        );
    }
}

/// CB-N6: setsockopt fails with WSAEINVAL while the attempt is in progress,
/// on a nonblocking socket and on a blocking one (from another thread), and
/// works once the connection is made.
#[test]
fn setsockopt_while_connecting_is_wsaeinval() {
    let report = nonblocking("setsockopt-in-progress");
    let main: Vec<_> = calls_named(&report, "client", "main", "setsockopt(")
        .into_iter()
        .map(|c| (c.result.as_str(), c.end_ns))
        .collect();
    assert_eq!(main, [("WSAEINVAL", 0), ("OK", 2 * MS)]);
    let other: Vec<_> = calls_named(&report, "client", "other", "setsockopt(")
        .into_iter()
        .map(|c| (c.result.as_str(), c.end_ns))
        .collect();
    assert_eq!(other, [("WSAEINVAL", 3 * MS), ("OK", 5 * MS)]);
}

/// The select document's errors: no socket in any set is WSAEINVAL; a
/// closed socket is WSAENOTSOCK. A zero time-out polls and returns at once.
#[test]
fn select_errors_and_polling() {
    let report = run_story(
        r#"
            Socket(name: "s"),
            Select(expect: Err(WSAEINVAL)),
            IoctlSocket(socket: "s", command: FIONBIO, value: 1),
            Connect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAEWOULDBLOCK)),
            Select(write: ["s"], timeout: "0s", expect: Value(0), at: "0s"),
            Close(socket: "s"),
            Select(write: ["s"], expect: Err(WSAENOTSOCK)),
        "#,
    );
    // The client's calls all met their expectations; the server never got
    // a connection to accept (the client closed before the handshake).
    assert_eq!(
        report.failures,
        ["server/main still blocked in c = accept(l)"]
    );
}

/// Readability of a listening socket (a connection to accept, CB-N3) and
/// FD_ACCEPT, re-enabled by accept: the second client's connection, ready
/// at 6 ms, posts it again.
#[test]
fn listener_readable_and_fd_accept() {
    let source = story("").replace(
        r#"Accept(socket: "l", name: "c"),
            Send(socket: "c", data: "0123456789"),"#,
        r#"AsyncSelect(socket: "l", window: "lw", events: [FD_ACCEPT]),
            Select(read: ["l"], expect: Selected(read: ["l"]), at: "3ms"),
            GetMessage(window: "lw", expect: Message(socket: "l", event: FD_ACCEPT), at: "3ms"),
            Accept(socket: "l", name: "c"),
            GetMessage(window: "lw", expect: Message(socket: "l", event: FD_ACCEPT), at: "6ms"),"#,
    );
    let source = source.replace(
        "\n\n        ]),\n    ],\n)",
        r#"
            Socket(name: "a"),
            Connect(socket: "a", to: "10.0.0.2:80"),
            Sleep("1ms"),
            Socket(name: "b"),
            Connect(socket: "b", to: "10.0.0.2:80"),
        ]),
    ],
)"#,
    );
    let scenario = load(&source).unwrap_or_else(|e| panic!("{e}\n{source}"));
    let report = run(&scenario, &RunOptions::default());
    assert_passed(&report);
    assert_eq!(calls(&report, "server", "main").len(), 8);
}

/// The wake design: a thread in select waits on all its sockets at once,
/// and once the select returns it is on no socket's waiter list, so no
/// later change of the others resumes it. The run is stopped at 0.5 s,
/// after the select (2 ms) and before the 63 refusals (2.010 s) that would
/// empty the lists anyway.
#[test]
fn a_finished_select_leaves_every_waiter_list() {
    let mut steps = String::new();
    let mut names = Vec::new();
    for i in 0..64 {
        steps.push_str(&format!(
            "Socket(name: \"s{i}\"), IoctlSocket(socket: \"s{i}\", command: FIONBIO, value: 1),\n"
        ));
        names.push(format!("\"s{i}\""));
    }
    // s0 connects to the listener; the others to a closed port.
    steps.push_str("Connect(socket: \"s0\", to: \"10.0.0.2:80\", expect: Err(WSAEWOULDBLOCK)),\n");
    for i in 1..64 {
        steps.push_str(&format!(
            "Connect(socket: \"s{i}\", to: \"10.0.0.2:81\", expect: Err(WSAEWOULDBLOCK)),\n"
        ));
    }
    let set = names.join(", ");
    steps.push_str(&format!(
        "Select(write: [{set}], except: [{set}], expect: Selected(write: [\"s0\"]), at: \"2ms\"),\nSleep(\"5s\"),\n"
    ));
    let mut scenario = load(&story(&steps)).unwrap_or_else(|e| panic!("{e}"));
    scenario.limits.max_time = simsock_model::SimDuration::from_millis(500);
    let mut world = build(&scenario, &RunOptions::default());
    assert!(world.run().is_err(), "stopped by max_time");
    let select = world
        .calls
        .iter()
        .find(|c| c.call.starts_with("select("))
        .expect("the select returned");
    assert_eq!(
        (select.detail.as_str(), select.end_ns),
        ("OK (1: write [s0])", 2 * MS)
    );
    let client = &world.hosts[0];
    let waiting: usize = client
        .sockets
        .iter()
        .flatten()
        .map(|s| s.waiters.len())
        .sum();
    assert_eq!(waiting, 0, "the thread is left on socket waiter lists");
}

/// Loads a story whose client runs `steps`, which must be rejected; returns
/// the message and the text at the error's line and column.
fn rejected(steps: &str) -> (String, String) {
    let source = story(steps);
    let err = load(&source).expect_err("the scenario should be rejected");
    let (line, col) = err
        .line_col(&source)
        .unwrap_or_else(|| panic!("no position for {err:?}"));
    let text = source.lines().nth(line - 1).expect("line in source");
    (err.message.clone(), text.chars().skip(col - 1).collect())
}

/// Bad notification steps are clear errors at their place, before anything
/// runs: an unknown socket in a select set, an event no CreateEvent makes,
/// more than FD_SETSIZE sockets in a set, an empty or oversized wait list,
/// too many events in one registration.
#[test]
fn bad_notification_steps_are_rejected_with_a_position() {
    let (message, at) = rejected(
        r#"Socket(name: "s"), AsyncSelect(socket: "s", window: "w", events: []), Select(read: ["s", "nope"]),"#,
    );
    assert!(message.contains("unknown socket name `nope`"), "{message}");
    assert!(at.starts_with(r#""nope""#), "{at}");

    let (message, at) = rejected(
        r#"Socket(name: "s"), EventSelect(socket: "s", event: "ev", events: [FD_CONNECT]),"#,
    );
    assert!(message.contains("unknown event name `ev`"), "{message}");
    assert!(at.starts_with(r#""ev""#), "{at}");

    let names: Vec<String> = (0..65).map(|i| format!("\"s{i}\"")).collect();
    let sockets: String = (0..65)
        .map(|i| format!("Socket(name: \"s{i}\"), "))
        .collect();
    let (message, at) = rejected(&format!("{sockets}Select(write: [{}]),", names.join(", ")));
    assert_eq!(message, "65 sockets in the write set; FD_SETSIZE is 64");
    assert!(at.starts_with("write:"), "{at}");

    let (message, at) = rejected(r#"Socket(name: "s"), Select(read: ["s"], write: ["s", "s"]),"#);
    assert_eq!(message, "socket `s` is twice in select's write set");
    assert!(at.starts_with(r#""s"]"#), "{at}");

    let (message, at) =
        rejected(r#"CreateEvent(name: "ev"), WaitForEvents(events: ["ev"], timeout: "2h"),"#);
    assert!(
        message.contains("longer than the run may last"),
        "{message}"
    );
    assert!(at.starts_with(r#""2h""#), "{at}"); // at the value (issue 15, item 4)

    let (message, _) = rejected(r#"WaitForEvents(events: []),"#);
    assert!(message.contains("needs 1 to 64"), "{message}");

    let (message, at) =
        rejected(r#"CreateEvent(name: "ev"), WaitForEvents(events: ["ev", "other"]),"#);
    assert!(message.contains("unknown event name `other`"), "{message}");
    assert!(at.starts_with(r#""other""#), "{at}");

    let nine = ["FD_READ"; 9].join(", ");
    let (message, at) = rejected(&format!(
        r#"Socket(name: "s"), AsyncSelect(socket: "s", window: "w", events: [{nine}]),"#
    ));
    assert_eq!(message, "9 network events in one registration; at most 8");
    assert!(at.starts_with("events:"), "{at}");
}

/// The builder's helpers make the same story in Rust: WSAAsyncSelect then
/// a refused nonblocking connect, whose FD_CONNECT carries WSAECONNREFUSED;
/// select on a second socket sees the same failure in its except set.
#[test]
fn builder_helpers_make_notification_steps() {
    use simsock_model::WsaError;
    use simsock_model::builder::ScenarioBuilder;
    use simsock_model::notify::FdEvent;
    use simsock_model::scenario::Outcome;

    let fd_connect = |socket: &str, error| Outcome::Message {
        socket: socket.into(),
        event: FdEvent::FD_CONNECT,
        error,
    };
    let scenario = ScenarioBuilder::new("builder")
        .host("client", &["10.0.0.1/24"])
        .host("server", &["10.0.0.2/24"])
        .link("client", "server", "1ms")
        .thread(
            "client",
            "main",
            [
                Step::new_socket("s"),
                Step::async_select("s", "w", &[FdEvent::FD_CONNECT]),
                Step::connect("s", "10.0.0.2:81").expect(Outcome::Err(WsaError::WSAEWOULDBLOCK)),
                Step::get_message("w")
                    .expect(fd_connect("s", Some(WsaError::WSAECONNREFUSED)))
                    .took("2.010s"),
                Step::new_socket("t"),
                Step::connect("t", "10.0.0.2:81").expect(Outcome::Err(WsaError::WSAECONNREFUSED)),
                Step::select(&[], &["t"], &["t"]).expect(Outcome::Selected {
                    read: vec![],
                    write: vec![],
                    except: vec!["t".into()],
                }),
            ],
        )
        .build();
    let report = run(&scenario, &RunOptions::default());
    assert_passed(&report);
    let last = calls(&report, "client", "main")
        .last()
        .map(|c| c.detail.clone());
    assert_eq!(last.as_deref(), Some("OK (1: except [t])"));
}

/// The WSAAsyncSelect document's FD_WRITE rule: posted when the connection
/// is made, and again only after a send failed with WSAEWOULDBLOCK, once
/// the peer's ACK frees buffer space. The client's send buffer holds 1 KiB.
#[test]
fn fd_write_comes_back_after_a_send_that_would_block() {
    let source = story(
        r#"
            Socket(name: "s"),
            AsyncSelect(socket: "s", window: "w", events: [FD_CONNECT, FD_WRITE]),
            Connect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAEWOULDBLOCK)),
            GetMessage(window: "w", expect: Message(socket: "s", event: FD_CONNECT), at: "2ms"),
            GetMessage(window: "w", expect: Message(socket: "s", event: FD_WRITE), at: "2ms"),
            Send(socket: "s", len: 3000, expect: Bytes(1024)),
            Send(socket: "s", len: 100, expect: Err(WSAEWOULDBLOCK)),
            GetMessage(window: "w", expect: Message(socket: "s", event: FD_WRITE), at: "4ms"),
            Send(socket: "s", len: 100, expect: Bytes(100)),
        "#,
    )
    .replace(
        r#"Host(name: "client", addrs: ["10.0.0.1/24"]),"#,
        r#"Host(name: "client", addrs: ["10.0.0.1/24"], profile: (send_buffer: 1024)),"#,
    );
    let scenario = load(&source).unwrap_or_else(|e| panic!("{e}"));
    let report = run(&scenario, &RunOptions::default());
    let client_failures: Vec<_> = report
        .failures
        .iter()
        .filter(|f| f.starts_with("client"))
        .collect();
    assert!(
        client_failures.is_empty(),
        "{client_failures:#?}\n{:#?}",
        report.trace_lines()
    );
}

/// A socket that accept returns inherits the listener's WSAAsyncSelect
/// registration (the WSAAsyncSelect document): it is nonblocking, gets
/// FD_WRITE at once and FD_READ when the client's data arrives.
#[test]
fn accepted_socket_inherits_the_registration() {
    let source = r#"Scenario(
    name: "inherit",
    seed: 1,
    hosts: [
        Host(name: "client", addrs: ["10.0.0.1/24"]),
        Host(name: "server", addrs: ["10.0.0.2/24"]),
    ],
    links: [Link(between: ("client", "server"), latency: "1ms")],
    threads: [
        Thread(host: "server", name: "main", steps: [
            Socket(name: "l"),
            Bind(socket: "l", addr: "0.0.0.0:80"),
            Listen(socket: "l"),
            AsyncSelect(socket: "l", window: "w", events: [FD_ACCEPT, FD_READ, FD_WRITE]),
            GetMessage(window: "w", expect: Message(socket: "l", event: FD_ACCEPT), at: "3ms"),
            Accept(socket: "l", name: "c"),
            GetMessage(window: "w", expect: Message(socket: "c", event: FD_WRITE), at: "3ms"),
            Recv(socket: "c", max: 10, expect: Err(WSAEWOULDBLOCK)),
            GetMessage(window: "w", expect: Message(socket: "c", event: FD_READ), at: "12ms"),
            Recv(socket: "c", max: 10, expect: Data("late")),
        ]),
        Thread(host: "client", name: "main", steps: [
            Socket(name: "s"),
            Connect(socket: "s", to: "10.0.0.2:80"),
            Sleep("9ms"),
            Send(socket: "s", data: "late"),
        ]),
    ],
)"#;
    let scenario = load(source).unwrap_or_else(|e| panic!("{e}"));
    assert_passed(&run(&scenario, &RunOptions::default()));
}
