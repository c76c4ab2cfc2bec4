//! Bad scenarios are rejected before anything runs, with a message that
//! says what is wrong and a line and column that point at it (design.md,
//! "Scenario files").

use simsock_sim::scenario::{ScenarioError, load};

/// A valid scenario; each test breaks one line of it.
const BASE: &str = r#"Scenario(
    name: "bad",
    hosts: [
        Host(name: "client", addrs: ["10.0.0.1/24"]),
        Host(name: "server", addrs: ["10.0.0.2/24"]),
    ],
    links: [Link(between: ("client", "server"), latency: "1ms")],
    threads: [
        Thread(host: "client", name: "main", steps: [
            Socket(name: "s"),
            Connect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAECONNREFUSED)),
        ]),
    ],
)
"#;

/// `BASE` with `from` replaced (exactly once) by `to`.
fn variant(from: &str, to: &str) -> String {
    assert_eq!(BASE.matches(from).count(), 1, "`{from}` is not unique");
    BASE.replace(from, to)
}

/// Loads `source`, which must fail; returns the error, its 1-based line and
/// the text of that line from the error's column on.
fn rejected(source: &str) -> (ScenarioError, usize, String) {
    let err = load(source).expect_err("the scenario should be rejected");
    let (line, col) = err
        .line_col(source)
        .unwrap_or_else(|| panic!("no position for {err:?}"));
    let text = source.lines().nth(line - 1).expect("line in source");
    let from_col: String = text.chars().skip(col - 1).collect();
    (err, line, from_col)
}

/// The base scenario is valid, so each failure below comes from its one change.
#[test]
fn the_base_scenario_loads() {
    let s = load(BASE).expect("valid");
    assert_eq!(s.hosts.len(), 2);
}

/// A thread on a host that does not exist: the error points at the name.
#[test]
fn unknown_host_in_a_thread() {
    let src = variant(r#"Thread(host: "client""#, r#"Thread(host: "nobody""#);
    let (err, line, at) = rejected(&src);
    assert_eq!(err.message, "thread `main` runs on unknown host `nobody`");
    assert_eq!(line, 9);
    assert!(at.starts_with(r#""nobody""#), "{at}");
}

/// Two nodes with one address: the error points at the second one.
#[test]
fn duplicate_address() {
    let src = variant(r#"addrs: ["10.0.0.2/24"]"#, r#"addrs: ["10.0.0.1/24"]"#);
    let (err, line, at) = rejected(&src);
    assert_eq!(err.message, "duplicate address 10.0.0.1 (on `server`)");
    assert_eq!(line, 5);
    assert!(at.starts_with(r#""10.0.0.1/24"]"#), "{at}");
}

/// A step on a socket that no Socket or Accept step of the host creates.
#[test]
fn unknown_socket_name_in_a_step() {
    let src = variant(r#"Connect(socket: "s""#, r#"Connect(socket: "t""#);
    let (err, line, at) = rejected(&src);
    assert!(
        err.message.starts_with("unknown socket name `t`"),
        "{}",
        err.message
    );
    assert_eq!(line, 11);
    assert!(at.starts_with(r#""t", to:"#), "{at}");
}

/// CB-T2: TcpTimedWaitDelay may be set from 0 to 300 s; 301 s is rejected,
/// and the error points at the setting of the host that has it.
#[test]
fn timed_wait_delay_over_300s() {
    let src = variant(
        r#"Host(name: "server", addrs: ["10.0.0.2/24"]),"#,
        r#"Host(name: "server", addrs: ["10.0.0.2/24"], profile: (tcp_timed_wait_delay: "301s")),"#,
    );
    let (err, line, at) = rejected(&src);
    assert_eq!(
        err.message,
        "host `server`: TcpTimedWaitDelay is 301s, allowed 0s..=300s (CB-T2)"
    );
    assert_eq!(line, 5);
    assert!(at.starts_with("tcp_timed_wait_delay: \"301s\""), "{at}");
    // 300 s itself is allowed.
    let ok = src.replace("301s", "300s");
    assert!(load(&ok).is_ok());
}

/// A RON syntax error (a missing comma between two steps) is reported where
/// the parser stopped: at the start of the next step.
#[test]
fn ron_syntax_error() {
    let src = variant(r#"Socket(name: "s"),"#, r#"Socket(name: "s")"#);
    let (err, line, at) = rejected(&src);
    assert!(
        err.message.to_lowercase().contains("comma"),
        "{}",
        err.message
    );
    assert_eq!(line, 11);
    assert!(at.starts_with("Connect("), "{at}");
}

/// A link to a node that is neither a host nor a router; the help lists
/// the nodes there are.
#[test]
fn link_to_unknown_node() {
    let src = variant(r#"("client", "server")"#, r#"("client", "nowhere")"#);
    let (err, line, at) = rejected(&src);
    assert_eq!(err.message, "link to unknown node `nowhere`");
    assert_eq!(line, 7);
    assert!(at.starts_with(r#""nowhere")"#), "{at}");
    assert_eq!(err.help.as_deref(), Some("nodes are: client, server"));
    // The first end, too.
    let src = variant(r#"("client", "server")"#, r#"("nowhere", "server")"#);
    let (err, line, at) = rejected(&src);
    assert_eq!(err.message, "link to unknown node `nowhere`");
    assert_eq!(line, 7);
    assert!(at.starts_with(r#""nowhere", "server")"#), "{at}");
}

/// An expected error that is not a WSA name is a parse error at the name.
#[test]
fn unknown_wsa_error_name() {
    let src = variant("Err(WSAECONNREFUSED)", "Err(WSAECONNREFUSD)");
    let (err, line, at) = rejected(&src);
    assert!(err.message.contains("WSAECONNREFUSD"), "{}", err.message);
    assert_eq!(line, 11);
    assert!(at.starts_with("WSAECONNREFUSD"), "{at}");
}

// --- Errors that help (issue 15, item 4) ---

/// `-1ms` said "is not a unit"; it says what is wrong.
#[test]
fn a_negative_duration_says_so() {
    let source = variant(r#"latency: "1ms""#, r#"latency: "-1ms""#);
    let (err, line, at) = rejected(&source);
    assert!(err.message.contains("negative"), "{}", err.message);
    assert!(!err.message.contains("not a unit"), "{}", err.message);
    assert_eq!(line, 7);
    assert!(at.contains("-1ms\""), "{at}");
}

/// A UTF-8 byte order mark (as Windows editors write) is skipped.
#[test]
fn a_byte_order_mark_is_skipped() {
    let source = format!("\u{feff}{BASE}");
    assert_eq!(load(&source).expect("loads").hosts.len(), 2);
    // An error after it still points at the right line and column.
    let source = format!("\u{feff}{}", variant(r#"name: "bad","#, "name: 3,"));
    let (_, line, at) = rejected(&source);
    assert_eq!((line, at.trim_start().starts_with('3')), (2, true), "{at}");
}

/// Deep nesting gets our message with the limit, not RON's advice about
/// `recursion_limit` and `serde_stacker`.
#[test]
fn deep_nesting_says_how_deep_it_may_go() {
    let mut deep = String::from(r#"Sleep("1ms")"#);
    for _ in 0..100 {
        deep = format!("Repeat(times: 1, steps: [{deep}])");
    }
    let source = variant(
        r#"Socket(name: "s"),"#,
        &format!(r#"Socket(name: "s"), {deep},"#),
    );
    let err = load(&source).expect_err("too deep");
    assert!(err.message.contains("nesting too deep"), "{}", err.message);
    assert!(err.message.contains("128"), "{}", err.message);
    assert!(!err.message.contains("serde_stacker"), "{}", err.message);
}

/// A span ends on a char boundary: a library user who slices the text with
/// it must not panic (a syntax error at `ü` ended inside it).
#[test]
fn spans_lie_on_char_boundaries() {
    for (from, to) in [
        (r#"addrs: ["10.0.0.1/24"]"#, "addrs: [ü]"),
        (r#"name: "bad","#, "name: ü,"),
        (
            r#"Socket(name: "s"),"#,
            "Socket(name: \"s\"), Sleep(\"1ü\"),",
        ),
        (r#""client", "server""#, r#""client", "sërver""#),
    ] {
        let source = variant(from, to);
        let err = load(&source).expect_err("rejected");
        let span = err.span.clone().expect("located");
        assert!(source.is_char_boundary(span.start), "{err:?}");
        assert!(source.is_char_boundary(span.end), "{err:?}");
        assert!(!source[span].is_empty(), "{err:?}");
    }
}

/// A bad value is located at the value, not at the first occurrence of its
/// key: a `Recv`'s `max` pointed at an earlier `Send(len:)`.
#[test]
fn recv_max_is_located_at_its_value() {
    let source = variant(
        r#"Socket(name: "s"),"#,
        r#"Socket(name: "s"),
            Send(socket: "s", len: 5),
            Recv(socket: "s", max: 2000000),"#,
    );
    let (err, line, at) = rejected(&source);
    assert!(err.message.contains("2000000 bytes"), "{}", err.message);
    assert_eq!(line, 12);
    assert!(at.starts_with("2000000)"), "{at}");
}

/// An inner `Repeat`'s `times` is located there, not at the outer one.
#[test]
fn an_inner_repeat_count_is_located_at_its_value() {
    let source = variant(
        r#"Socket(name: "s"),"#,
        r#"Socket(name: "s"),
            Repeat(times: 2, steps: [Sleep("1ms"), Repeat(times: 100001, steps: [])]),"#,
    );
    let (err, line, at) = rejected(&source);
    assert!(err.message.contains("at most 100000"), "{}", err.message);
    assert_eq!(line, 11);
    assert!(at.starts_with("100001,"), "{at}");
}

/// An empty scenario name is rejected at the name.
#[test]
fn an_empty_scenario_name_is_rejected() {
    let source = variant(r#"name: "bad","#, r#"name: "","#);
    let (err, line, at) = rejected(&source);
    assert!(err.message.contains("name is empty"), "{}", err.message);
    assert_eq!((line, at.as_str()), (2, "\"\","));
}

/// Two links between one pair (in either order) are rejected at the second.
#[test]
fn two_links_between_one_pair_are_rejected() {
    let source = variant(
        r#"links: [Link(between: ("client", "server"), latency: "1ms")],"#,
        r#"links: [
        Link(between: ("client", "server"), latency: "1ms"),
        Link(between: ("server", "client"), latency: "2ms"),
    ],"#,
    );
    let (err, line, at) = rejected(&source);
    assert!(
        err.message.contains("second link between"),
        "{}",
        err.message
    );
    assert_eq!(line, 9);
    assert!(at.starts_with(r#"("server", "client")"#), "{at}");
}

/// A huge name is quoted cut short: the message stays small.
#[test]
fn a_huge_name_is_cut_in_the_message() {
    let name = "x".repeat(10_000_000);
    let source = variant(r#"Host(name: "server""#, &format!(r#"Host(name: "{name}""#));
    let (err, line, _) = rejected(&source);
    assert!(err.message.len() < 1000, "{} bytes", err.message.len());
    assert!(
        err.message.contains("10000000 bytes"),
        "{}",
        &err.message[..200]
    );
    assert_eq!(line, 5);
}

/// The same holds for the connect family's sizes: the second WSAConnect's
/// `callee_buffer` is located there, not at the first one's, and an APC's
/// `Sleep` at the APC's own step.
#[test]
fn wsaconnect_sizes_and_apc_steps_are_located_at_their_step() {
    let source = variant(
        r#"Connect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAECONNREFUSED)),"#,
        r#"WsaConnect(socket: "s", to: "10.0.0.2:80", callee_buffer: 16),
            Repeat(times: 2, steps: [WsaConnect(socket: "s", to: "10.0.0.2:80", callee_buffer: 9999999)]),"#,
    );
    let (err, line, at) = rejected(&source);
    assert!(
        err.message.contains("`callee_buffer` of 9999999"),
        "{}",
        err.message
    );
    assert_eq!(line, 12);
    assert!(at.starts_with("9999999)"), "{at}");

    let source = variant(
        r#"Connect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAECONNREFUSED)),"#,
        r#"Sleep("1ms"),
            QueueApc(thread: "main", steps: [LastError(), Sleep("1ms")]),"#,
    );
    let (err, line, at) = rejected(&source);
    assert!(
        err.message.contains("Sleep inside an APC"),
        "{}",
        err.message
    );
    assert_eq!(line, 12);
    assert!(at.starts_with(r#"Sleep("1ms")])"#), "{at}");
}

/// An errno expectation on a host that shows Winsock codes could never
/// hold: rejected at the expectation, naming the WSA code to write; on a
/// Linux host it loads.
#[test]
fn errno_expectation_on_a_windows_host() {
    let src = variant("Err(WSAECONNREFUSED)", "Errno(ECONNREFUSED)");
    let (err, line, at) = rejected(&src);
    assert!(
        err.message
            .starts_with("`ECONNREFUSED` is a Linux errno, but host `client`"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("Err(WSAECONNREFUSED)"),
        "{}",
        err.message
    );
    assert_eq!(line, 11);
    assert!(at.starts_with("Errno(ECONNREFUSED)"), "{at}");
    let linux = src.replace(
        r#"Host(name: "client", addrs: ["10.0.0.1/24"])"#,
        r#"Host(name: "client", addrs: ["10.0.0.1/24"], profile: (personality: Linux))"#,
    );
    assert!(load(&linux).is_ok());
}
