//! WSAConnect (WSAConnect-CE.txt): connect data on the wire and back
//! (CB-W1..W4), QoS (CB-W5), the provider profiles, the CE close that
//! interrupts a blocking call (CB-C18), and the conformance rows of the
//! WSAConnect and WSPConnect columns.

use simsock_model::scenario::Outcome;
use simsock_model::{Api, Transport, WsaError};
use simsock_sim::scenario::{Report, RunOptions, load, run};
use simsock_sim::trace::TraceKind;
use simsock_tests::{
    Dir, MS, S, assert_passed, calls, calls_named, load_file, run_file, scenarios_dir, tcp_segments,
};

/// A client and a server on a 1 ms link with the given profiles (RON
/// fields) and threads.
fn scenario(client: &str, server: &str, threads: &str) -> String {
    format!(
        r#"Scenario(
    name: "t",
    seed: 1,
    hosts: [
        Host(name: "client", addrs: ["10.0.0.1/24"], profile: ({client})),
        Host(name: "server", addrs: ["10.0.0.2/24"], profile: ({server})),
    ],
    links: [Link(between: ("client", "server"), latency: "1ms")],
    threads: [{threads}],
)"#
    )
}

fn run_text(text: &str) -> Report {
    let s = load(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    run(&s, &RunOptions::default())
}

/// The listener on port 80 of the server, with SO_CONNDATA `callee` if any;
/// it accepts one connection and reads its caller data.
fn listener(callee: Option<&str>, caller_seen: &str) -> String {
    let set = callee.map_or(String::new(), |d| {
        format!(r#"SetConnectData(socket: "l", data: "{d}"),"#)
    });
    format!(
        r#"Thread(host: "server", name: "main", steps: [
            Socket(name: "l"), Bind(socket: "l", addr: "0.0.0.0:80"), {set}
            Listen(socket: "l"), Accept(socket: "l", name: "c"),
            GetConnectData(socket: "c", expect: {caller_seen}),
        ])"#
    )
}

/// The payload lengths of the TCP segments `node` sent with these flags.
fn sent_payloads(report: &Report, node: &str, flags: &str) -> Vec<u32> {
    sent_headers(report, node, flags)
        .iter()
        .map(|h| h.len)
        .collect()
}

/// CB-W1, CB-W2: under the connect-data provider the caller data rides on
/// the SYN, the listener reads it, and its callee data comes back on the
/// SYN,ACK: WSAConnect returns `len` 7 and the data, after one round trip.
#[test]
fn connect_data_travels_both_ways_on_the_handshake() {
    let threads = format!(
        r#"{}, Thread(host: "client", name: "main", steps: [
            Socket(name: "s"),
            WsaConnect(socket: "s", to: "10.0.0.2:80", caller_data: "hello",
                       callee_buffer: 16, expect: Data("welcome"), took: "2ms"),
            GetConnectData(socket: "s", expect: Data("welcome")),
        ])"#,
        listener(Some("welcome"), r#"Data("hello")"#)
    );
    let report = run_text(&scenario(
        "provider: ConnectData",
        "provider: ConnectData",
        &threads,
    ));
    assert_passed(&report);
    let wsa = calls_named(&report, "client", "main", "WSAConnect(");
    assert_eq!(wsa[0].detail, r#"OK (7 bytes: "welcome")"#);
    assert_eq!(wsa[0].end_ns, 2 * MS);
    assert_eq!(sent_payloads(&report, "client", "SYN"), vec![5]);
    assert_eq!(sent_payloads(&report, "server", "SYN,ACK"), vec![7]);
    // The data is not stream data: the ACK and later segments carry none.
    assert_eq!(sent_payloads(&report, "client", "ACK"), vec![0]);
    // It takes sequence space as SYN data does: each side's ACK covers the
    // SYN and its 5 or 7 bytes.
    let syn = sent_headers(&report, "client", "SYN")[0];
    let syn_ack = sent_headers(&report, "server", "SYN,ACK")[0];
    let ack = sent_headers(&report, "client", "ACK")[0];
    assert_eq!(syn_ack.ack, syn.seq.wrapping_add(1 + 5));
    assert_eq!(ack.ack, syn_ack.seq.wrapping_add(1 + 7));
    assert_eq!(ack.seq, syn_ack.ack);
}

/// The TCP headers that `node` sent with these flags.
fn sent_headers(report: &Report, node: &str, flags: &str) -> Vec<simsock_model::TcpHeader> {
    report
        .trace
        .iter()
        .zip(&report.trace_lines())
        .filter(|(_, line)| line.split(' ').nth(1) == Some(node))
        .filter_map(|(e, _)| match &e.kind {
            TraceKind::Send { header, .. } => match header.transport {
                Transport::Tcp(t) if t.flags.to_string() == flags => Some(t),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// CB-W2: a listener without SO_CONNDATA sends no callee data: `len` 0.
/// A desktop client may pass a callee buffer (it comes back empty), not
/// caller data (CB-W4).
#[test]
fn no_callee_data_gives_len_zero() {
    let threads = format!(
        r#"{}, Thread(host: "client", name: "main", steps: [
            Socket(name: "s"),
            WsaConnect(socket: "s", to: "10.0.0.2:80", caller_data: "x",
                       expect: Err(WSAEPROTONOSUPPORT)),
            WsaConnect(socket: "s", to: "10.0.0.2:80", callee_buffer: 16, expect: Bytes(0)),
        ])"#,
        listener(None, "Bytes(0)")
    );
    let report = run_text(&scenario("", "provider: ConnectData", &threads));
    assert_passed(&report);
    assert_eq!(sent_payloads(&report, "client", "SYN"), vec![0]);
}

/// CB-W3: callee data larger than the buffer is WSAEFAULT once the SYN,ACK
/// brings it; the connection is reset and the socket may connect again.
#[test]
fn callee_buffer_too_small_is_wsaefault_and_resets() {
    let threads = r#"Thread(host: "server", name: "main", steps: [
            Socket(name: "l"), Bind(socket: "l", addr: "0.0.0.0:80"),
            SetConnectData(socket: "l", data: "welcome"), Listen(socket: "l"),
        ]), Thread(host: "client", name: "main", steps: [
            Socket(name: "s"),
            WsaConnect(socket: "s", to: "10.0.0.2:80", callee_buffer: 6,
                       expect: Err(WSAEFAULT), took: "2ms"),
            WsaConnect(socket: "s", to: "10.0.0.2:80", callee_buffer: 7,
                       expect: Data("welcome")),
        ])"#;
    let report = run_text(&scenario(
        "provider: ConnectData",
        "provider: ConnectData",
        threads,
    ));
    assert_passed(&report);
    let client: Vec<_> = tcp_segments(&report, "client")
        .into_iter()
        .filter(|s| s.dir == Dir::Sent)
        .map(|s| s.flags.to_string())
        .collect();
    assert_eq!(client, ["SYN", "ACK", "RST,ACK", "SYN", "ACK"]);
}

/// CB-W3: caller data over the provider's `connect_data_max` is WSAEFAULT
/// at once; exactly the maximum goes.
#[test]
fn caller_data_over_the_limit_is_wsaefault() {
    let threads = format!(
        r#"{}, Thread(host: "client", name: "main", steps: [
            Socket(name: "s"),
            WsaConnect(socket: "s", to: "10.0.0.2:80", caller_data: "123456789",
                       expect: Err(WSAEFAULT), took: "0s"),
            WsaConnect(socket: "s", to: "10.0.0.2:80", caller_data: "12345678", expect: Ok),
        ])"#,
        listener(None, r#"Data("12345678")"#)
    );
    let client = "provider: ConnectData, connect_data_max: 8";
    let report = run_text(&scenario(client, "provider: ConnectData", &threads));
    assert_passed(&report);
    assert_eq!(sent_payloads(&report, "client", "SYN"), vec![8]);
}

/// CB-W2: on a nonblocking socket WSAConnect is WSAEWOULDBLOCK and the
/// callee data stays with the socket's connection, to be read once the
/// connection completes (after FD_CONNECT).
#[test]
fn nonblocking_callee_data_is_kept_on_the_socket() {
    let threads = format!(
        r#"{}, Thread(host: "client", name: "main", steps: [
            Socket(name: "s"),
            IoctlSocket(socket: "s", command: FIONBIO, value: 1),
            WsaConnect(socket: "s", to: "10.0.0.2:80", caller_data: "hi", callee_buffer: 16,
                       expect: Err(WSAEWOULDBLOCK)),
            GetConnectData(socket: "s", expect: Bytes(0)),
            SleepUntil("1s"),
            GetConnectData(socket: "s", expect: Data("welcome")),
        ])"#,
        listener(Some("welcome"), r#"Data("hi")"#)
    );
    let report = run_text(&scenario(
        "provider: ConnectData",
        "provider: ConnectData",
        &threads,
    ));
    assert_passed(&report);
}

/// CB-W4, CB-W5 on the CE provider: any connect data is
/// WSAEPROTONOSUPPORT, any QoS WSAEOPNOTSUPP; SO_CONNDATA is not an option.
/// On a datagram socket both are silently ignored (CB-D7).
#[test]
fn windows_ce_provider_refuses_connect_data_and_qos() {
    let threads = format!(
        r#"{}, Thread(host: "client", name: "main", steps: [
            Socket(name: "s"),
            WsaConnect(socket: "s", to: "10.0.0.2:80", caller_data: "x", expect: Err(WSAEPROTONOSUPPORT)),
            WsaConnect(socket: "s", to: "10.0.0.2:80", callee_buffer: 1, expect: Err(WSAEPROTONOSUPPORT)),
            WsaConnect(socket: "s", to: "10.0.0.2:80", sqos: (), expect: Err(WSAEOPNOTSUPP)),
            WsaConnect(socket: "s", to: "10.0.0.2:80", gqos: (), expect: Err(WSAEOPNOTSUPP)),
            SetConnectData(socket: "s", data: "x", expect: Err(WSAENOPROTOOPT)),
            Socket(name: "u", kind: Dgram),
            WsaConnect(socket: "u", to: "10.0.0.2:9", caller_data: "x", callee_buffer: 4,
                       sqos: (send: (service_type: Guaranteed)), expect: Ok, took: "0s"),
            WsaConnect(socket: "s", to: "10.0.0.2:80", expect: Ok),
        ])"#,
        listener(None, "Err(WSAENOPROTOOPT)")
    );
    let report = run_text(&scenario("provider: WindowsCe", "", &threads));
    assert_passed(&report);
    // Only the last WSAConnect of the stream socket sent anything.
    let syns: Vec<_> = tcp_segments(&report, "client")
        .into_iter()
        .filter(|s| s.dir == Dir::Sent && s.flags.to_string() == "SYN")
        .collect();
    assert_eq!(syns.len(), 1);
}

/// CB-C18 on CE: closing the socket under a blocking WSAConnect fails it
/// with WSAEINTR at once, and the attempt ends: the SYNs at 0 and 3 s, none
/// at 9 s. Under the desktop provider the same story is WSAENOTSOCK.
#[test]
fn ce_close_interrupts_a_blocking_wsaconnect() {
    let path = scenarios_dir().join("conformance/wsaconnect/WSAEINTR.ron");
    let report = run_file(&path, None);
    assert_passed(&report);
    let call = &calls_named(&report, "client", "main", "WSAConnect(")[0];
    assert_eq!((call.result.as_str(), call.end_ns), ("WSAEINTR", 4 * S));
    let syns: Vec<u64> = tcp_segments(&report, "client")
        .into_iter()
        .filter(|s| s.dir == Dir::Sent)
        .map(|s| s.at_ns)
        .collect();
    assert_eq!(syns, [0, 3 * S]);

    let mut desktop = load_file(&path);
    desktop.hosts[0].profile.provider = Default::default();
    for step in &mut desktop.threads[0].steps {
        if let simsock_model::scenario::Step::WsaConnect { expect, .. } = step {
            *expect = Some(Outcome::Err(WsaError::WSAENOTSOCK));
        }
        if let simsock_model::scenario::Step::LastError { expect } = step {
            *expect = Some(Outcome::Err(WsaError::WSAENOTSOCK));
        }
    }
    assert_passed(&run(&desktop, &RunOptions::default()));
}

/// The semantic check: APC targets exist on the host, APC steps do not
/// wait, sizes have limits, a QoS length needs its QoS.
#[test]
fn bad_steps_are_located_errors() {
    let cases = [
        (
            r#"QueueApc(thread: "ghost", steps: [])"#,
            "unknown thread `ghost`",
        ),
        (
            r#"QueueApc(thread: "main", steps: [Sleep("1s")])"#,
            "Sleep inside an APC",
        ),
        (
            r#"WspConnect(socket: "s", to: "10.0.0.2:80", sqos_len: 8)"#,
            "`sqos_len` without `sqos`",
        ),
        (
            r#"WsaConnect(socket: "s", to: "10.0.0.2:80", callee_buffer: 2000000)"#,
            "at most",
        ),
    ];
    for (step, message) in cases {
        let threads =
            format!(r#"Thread(host: "client", name: "main", steps: [Socket(name: "s"), {step}])"#);
        let text = scenario("", "", &threads);
        let err = load(&text).expect_err(step);
        assert!(err.to_string().contains(message), "{step}: {err}");
        assert!(err.line_col(&text).is_some(), "{step}: no location");
    }
}

/// Every conformance row of the WSAConnect and WSPConnect columns, and the
/// two connect rows of this feature: the file passes, and a call of that
/// API expects exactly that code and got it.
#[test]
fn conformance_rows_of_wsaconnect_and_wspconnect() {
    let rows = [
        (Api::WsaConnect, "wsaconnect", "WSAConnect("),
        (Api::WspConnect, "wspconnect", "WSPConnect("),
    ];
    for (api, dir, prefix) in rows {
        let codes: Vec<_> = WsaError::ALL.iter().filter(|e| e.listed_by(api)).collect();
        assert_eq!(codes.len(), if api == Api::WsaConnect { 20 } else { 19 });
        for code in codes {
            check_row(dir, prefix, code.name());
        }
    }
    check_row("connect", "connect(", "WSAEINTR");
    check_row("connect", "connect(", "WSAEINPROGRESS");
}

fn check_row(dir: &str, prefix: &str, code: &str) {
    let path = scenarios_dir().join(format!("conformance/{dir}/{code}.ron"));
    assert!(path.exists(), "{} is missing", path.display());
    let report = run_file(&path, None);
    assert_passed(&report);
    let hit = report
        .calls
        .iter()
        .any(|c| c.call.starts_with(prefix) && c.result == code && c.failure.is_none());
    assert!(hit, "{}: no {prefix}...) returned {code}", path.display());
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(&format!("expect: Err({code})")),
        "{}",
        path.display()
    );
    assert!(text.contains("CB-"), "{}: no CB-ID", path.display());
    assert!(!calls(&report, "client", "main").is_empty());
}

/// A failed WSAConnect gets the same `why:` as connect, read off the
/// trace, here with the connect data in its text.
#[test]
fn failed_wsaconnect_is_explained_like_connect() {
    let threads = r#"Thread(host: "client", name: "main", steps: [
            Socket(name: "s"),
            WsaConnect(socket: "s", to: "10.0.0.2:81", caller_data: "hi", callee_buffer: 4,
                       expect: Err(WSAECONNREFUSED), at: "2.010s"),
        ])"#;
    let report = run_text(&scenario(
        "provider: ConnectData",
        "provider: ConnectData",
        threads,
    ));
    assert_passed(&report);
    let call = &calls_named(&report, "client", "main", "WSAConnect(")[0];
    let why = call.why.as_deref().unwrap_or("");
    assert!(
        why.contains("SYN answered with RST by server (reset: no listener)"),
        "{why}"
    );
}

/// The builder helpers: a WSAConnect with connect data between two
/// connect-data hosts, and an APC that cancels a Winsock 1.1 connect.
#[test]
fn builder_helpers_make_the_same_steps() {
    use simsock_model::HostProfile;
    use simsock_model::builder::ScenarioBuilder;
    use simsock_model::provider::Provider;
    use simsock_model::scenario::{Step, WinsockVersion};

    let data = HostProfile {
        provider: Provider::ConnectData,
        ..Default::default()
    };
    let v11 = HostProfile {
        winsock_version: WinsockVersion::V1_1,
        ..Default::default()
    };
    let scenario = ScenarioBuilder::new("builder")
        .host_with("client", &["10.0.0.1/24"], data.clone())
        .host_with("server", &["10.0.0.2/24"], data)
        .host_with("old", &["10.0.0.3/24"], v11)
        .link("client", "server", "1ms")
        .thread(
            "server",
            "main",
            [
                Step::new_socket("l"),
                Step::bind("l", "0.0.0.0:80"),
                Step::listen("l", 5),
            ],
        )
        .thread(
            "client",
            "main",
            [
                Step::new_socket("s"),
                Step::wsa_connect("s", "10.0.0.2:80")
                    .with_connect_data(Some("hi"), Some(4))
                    .expect(Outcome::Bytes(0))
                    .took("2ms"),
                Step::new_socket("t"),
                Step::wsp_connect("t", "0.0.0.0:80")
                    .expect(Outcome::Err(WsaError::WSAEADDRNOTAVAIL)),
            ],
        )
        .thread(
            "old",
            "main",
            [
                Step::new_socket("s"),
                Step::connect("s", "10.0.0.2:80").expect(Outcome::Err(WsaError::WSAEINTR)),
            ],
        )
        .thread(
            "old",
            "helper",
            [
                Step::sleep("1s"),
                Step::queue_apc(
                    "main",
                    [Step::CancelBlockingCall {
                        expect: Some(Outcome::Ok),
                    }],
                ),
            ],
        )
        .build();
    let report = run(&scenario, &RunOptions::default());
    assert_passed(&report);
    let connect = &calls_named(&report, "old", "main", "connect(")[0];
    assert_eq!(connect.end_ns, S);
}
