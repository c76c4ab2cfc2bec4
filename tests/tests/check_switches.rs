//! The scenario check of the fields for datagrams and broadcast domains:
//! switches and the SendTo/RecvFrom steps are rejected with a message and
//! a line and column that point at the mistake.

use simsock_sim::scenario::{ScenarioError, load};

/// A valid scenario with a switch; each test breaks one line of it.
const BASE: &str = r#"Scenario(
    name: "bad",
    hosts: [
        Host(name: "a", addrs: ["10.0.0.1/24"]),
        Host(name: "b", addrs: ["10.0.0.2/24"]),
    ],
    switches: [Switch(name: "lan")],
    links: [
        Link(between: ("a", "lan"), latency: "1ms"),
        Link(between: ("b", "lan"), latency: "1ms"),
    ],
    threads: [
        Thread(host: "a", name: "main", steps: [
            Socket(name: "u", kind: Dgram),
            SendTo(socket: "u", to: "10.0.0.2:53", data: "hi"),
            RecvFrom(socket: "u", max: 100),
        ]),
    ],
)
"#;

fn variant(from: &str, to: &str) -> String {
    assert_eq!(BASE.matches(from).count(), 1, "`{from}` is not unique");
    BASE.replace(from, to)
}

/// The error, its 1-based line, and the text of that line from its column.
fn rejected(source: &str) -> (ScenarioError, usize, String) {
    let err = load(source).expect_err("the scenario should be rejected");
    let (line, col) = err
        .line_col(source)
        .unwrap_or_else(|| panic!("no position for {err:?}"));
    let text = source.lines().nth(line - 1).expect("line in source");
    (err, line, text.chars().skip(col - 1).collect())
}

#[test]
fn the_base_scenario_loads() {
    let s = load(BASE).expect("valid");
    assert_eq!(s.switches.len(), 1);
}

#[test]
fn a_link_between_two_switches_is_rejected() {
    let src = variant(
        r#"switches: [Switch(name: "lan")],"#,
        r#"switches: [Switch(name: "lan"), Switch(name: "lan2")],"#,
    );
    let src = src.replace(r#"("b", "lan")"#, r#"("lan2", "lan")"#);
    let (err, line, at) = rejected(&src);
    assert!(err.message.contains("two switches"), "{}", err.message);
    assert_eq!(line, 10);
    assert!(at.starts_with("between"), "{at}");
}

#[test]
fn a_switch_named_like_a_host_is_rejected() {
    let src = variant(r#"Switch(name: "lan")"#, r#"Switch(name: "b")"#);
    let src = src.replace(r#"("b", "lan")"#, r#"("a", "b")"#);
    let src = src.replace(r#"("a", "lan")"#, r#"("b", "a")"#);
    let (err, line, at) = rejected(&src);
    assert_eq!(err.message, "duplicate node name `b`");
    assert_eq!(line, 7);
    assert!(at.starts_with(r#""b""#), "{at}");
}

#[test]
fn a_thread_on_a_switch_is_rejected() {
    let src = variant(r#"Thread(host: "a""#, r#"Thread(host: "lan""#);
    let (err, line, _) = rejected(&src);
    assert_eq!(
        err.message,
        "thread `main` runs on switch `lan`; threads run on hosts"
    );
    assert_eq!(line, 13);
}

#[test]
fn an_unknown_switch_field_is_rejected_where_it_is() {
    let src = variant(r#"Switch(name: "lan")"#, r#"Switch(name: "lan", ports: 4)"#);
    let (err, line, at) = rejected(&src);
    assert!(err.message.contains("ports"), "{}", err.message);
    assert_eq!(line, 7);
    assert!(at.contains("ports"), "{at}");
}

#[test]
fn sendto_needs_data_or_len() {
    let src = variant(r#", data: "hi")"#, ")");
    let (err, line, at) = rejected(&src);
    assert_eq!(err.message, "SendTo needs `data` or `len`");
    assert_eq!(line, 15);
    assert!(at.starts_with("SendTo"), "{at}");
}

#[test]
fn recvfrom_over_the_byte_limit_is_rejected() {
    let src = variant("max: 100", "max: 2000000");
    let (err, line, at) = rejected(&src);
    assert!(err.message.contains("at most"), "{}", err.message);
    assert_eq!(line, 16);
    assert!(at.starts_with("2000000"), "{at}"); // at the value (issue 15, item 4)
}

#[test]
fn a_sendto_to_a_bad_address_is_a_syntax_error_with_a_position() {
    let src = variant(r#"to: "10.0.0.2:53""#, r#"to: "10.0.0.2""#);
    let (_, line, _) = rejected(&src);
    assert_eq!(line, 15);
}

#[test]
fn too_many_switches_are_rejected() {
    let many: Vec<String> = (0..1_001)
        .map(|i| format!(r#"Switch(name: "s{i}")"#))
        .collect();
    let src = variant(
        r#"switches: [Switch(name: "lan")],"#,
        &format!(r#"switches: [Switch(name: "lan"), {}],"#, many.join(", ")),
    );
    let (err, line, at) = rejected(&src);
    assert!(err.message.starts_with("1002 switches"), "{}", err.message);
    assert_eq!(line, 7);
    assert!(at.starts_with("switches"), "{at}");
}
