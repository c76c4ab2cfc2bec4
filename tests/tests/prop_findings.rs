//! The stack bugs the property tests (`tests/prop_stack`) found, each as
//! the smallest story that shows it. Each test fails without its fix: the
//! run leaked a connection, or a thread waited forever.

use simsock_sim::Sim;
use simsock_sim::harness::Outcome;

fn run(text: &str) -> Outcome {
    let outcome = Sim::from_ron(text).expect("a valid scenario").run();
    outcome.assert_passed();
    outcome
}

/// RFC 1122 §4.2.2.13: data that arrives after closesocket is answered
/// with RST, not acknowledged and dropped: the sender's next call learns
/// that its data was lost (WSAECONNRESET). Before, the client's stack
/// acknowledged "late" and the server's recv returned 0, a graceful end.
#[test]
fn data_after_close_resets_the_connection() {
    let outcome = run(r#"Scenario(name: "data-after-close", seed: 1,
 hosts: [Host(name: "client", addrs: ["10.0.0.1/24"]), Host(name: "server", addrs: ["10.0.0.2/24"])],
 links: [Link(between: ("client", "server"), latency: "1ms")],
 threads: [
  Thread(host: "server", name: "main", steps: [Socket(name: "l"), Bind(socket: "l", addr: "0.0.0.0:80"), Listen(socket: "l"),
    Accept(socket: "l", name: "c"), Sleep("100ms"), Send(socket: "c", data: "late", expect: Bytes(4)), Sleep("100ms"),
    Recv(socket: "c", expect: Err(WSAECONNRESET)), Close(socket: "c"), Close(socket: "l")]),
  Thread(host: "client", name: "main", steps: [Socket(name: "s"), Connect(socket: "s", to: "10.0.0.2:80", expect: Ok), Close(socket: "s")]),
 ])"#);
    assert!(outcome.trace_contains(
        "104000000 client send client-server TCP 10.0.0.1:49152 > 10.0.0.2:80 [RST,ACK]"
    ));
    assert!(outcome.trace_contains("(reset: data after close)"));
    assert!(
        outcome.trace_contains(
            "104000000 client tcp 10.0.0.1:49152 > 10.0.0.2:80 FIN_WAIT_2 -> CLOSED"
        )
    );
}

/// RFC 9293 §3.10.7.4: the client's ACK of the SYN,ACK is lost, and its
/// FIN (which acknowledges the SYN,ACK too) completes the handshake:
/// SYN_RECEIVED, ESTABLISHED and CLOSE_WAIT in one segment. accept still
/// returns the connection, and recv its end. Before, it never reached the
/// accept queue: accept waited forever and the connection leaked.
#[test]
fn a_fin_that_completes_the_handshake_is_accepted() {
    let outcome = run(r#"Scenario(name: "fin-completes-handshake", seed: 1,
 hosts: [Host(name: "client", addrs: ["10.0.0.1/24"]), Host(name: "server", addrs: ["10.0.0.2/24"])],
 links: [Link(between: ("client", "server"), latency: "10ms")],
 threads: [
  Thread(host: "server", name: "main", steps: [Socket(name: "l"), Bind(socket: "l", addr: "0.0.0.0:80"), Listen(socket: "l"),
    Accept(socket: "l", name: "c", expect: Ok), Recv(socket: "c", expect: Bytes(0)), Close(socket: "c"), Close(socket: "l")]),
  Thread(host: "client", name: "main", steps: [Socket(name: "s"), Connect(socket: "s", to: "10.0.0.2:80", expect: Ok), Sleep("50ms"), Close(socket: "s")]),
 ],
 faults: [
  Fault(at: "15ms", action: LinkDown("client", "server")),
  Fault(at: "40ms", action: LinkUp("client", "server")),
 ])"#);
    assert!(outcome.trace_contains(
        "80000000 server tcp 10.0.0.2:80 > 10.0.0.1:49152 SYN_RECEIVED -> CLOSE_WAIT"
    ));
    assert_eq!(outcome.result("server", "main", "c = accept"), Some("OK"));
}

/// RFC 1122 §4.2.2.17 (RFC 9293 §3.8.6.1): the server's receive window
/// (100 bytes) is full and its window update, when it reads at 1.03 s, is
/// lost. The client's persist timer probes the window (at 0.94 s, answered
/// "still 0" and lost; at 2.14 s, answered "100") and the transfer ends.
/// Before, nothing was in flight, no timer ran, and both sides waited
/// forever.
#[test]
fn a_lost_window_update_is_recovered_by_window_probes() {
    let outcome = run(r#"Scenario(name: "lost-window-update", seed: 1,
 hosts: [Host(name: "client", addrs: ["10.0.0.1/24"]), Host(name: "server", addrs: ["10.0.0.2/24"], profile: (mss: 100, receive_window: 100))],
 links: [Link(between: ("client", "server"), latency: "10ms")],
 threads: [
  Thread(host: "server", name: "main", steps: [Socket(name: "l"), Bind(socket: "l", addr: "0.0.0.0:80"), Listen(socket: "l"),
    Accept(socket: "l", name: "c"), Sleep("1s"), Repeat(times: 3, steps: [Recv(socket: "c", expect: Bytes(100))]), Recv(socket: "c", expect: Bytes(0)), Close(socket: "c"), Close(socket: "l")]),
  Thread(host: "client", name: "main", steps: [Socket(name: "s"), Connect(socket: "s", to: "10.0.0.2:80", expect: Ok), Send(socket: "s", len: 300, expect: Bytes(300)), Close(socket: "s")]),
 ],
 faults: [
  Fault(at: "900ms", action: LinkSet(between: ("client", "server"), direction: Backward, loss_ppm: 1000000)),
  Fault(at: "1100ms", action: LinkSet(between: ("client", "server"), direction: Backward, loss_ppm: 0)),
 ])"#);
    for at in ["940000000", "2140000000"] {
        assert!(outcome.trace_contains(&format!(
            "{at} client send client-server TCP 10.0.0.1:49152 > 10.0.0.2:80 [ACK] seq=1529837460 ack=2398319573 win=65535 len=0 (window probe)"
        )));
    }
    let recvs: Vec<_> = outcome
        .calls("server", "main")
        .map(|c| c.detail.as_str())
        .collect();
    assert!(recvs.contains(&"OK (0 bytes)"), "{recvs:?}");
}

/// A closed socket's connection in FIN_WAIT_2 whose peer vanished (the
/// server crashed) ends 240 s after its FIN was acknowledged (Windows
/// TcpFinWait2Delay). Before, it held its TCB and port forever.
#[test]
fn an_orphan_in_fin_wait_2_ends_after_240_s() {
    let outcome = run(r#"Scenario(name: "orphan-fin-wait-2", seed: 1,
 hosts: [Host(name: "client", addrs: ["10.0.0.1/24"]), Host(name: "server", addrs: ["10.0.0.2/24"])],
 links: [Link(between: ("client", "server"), latency: "1ms")],
 threads: [
  Thread(host: "server", name: "main", steps: [Socket(name: "l"), Bind(socket: "l", addr: "0.0.0.0:80"), Listen(socket: "l"),
    Accept(socket: "l", name: "c")]),
  Thread(host: "client", name: "main", steps: [Socket(name: "s"), Connect(socket: "s", to: "10.0.0.2:80", expect: Ok), Close(socket: "s")]),
 ],
 faults: [Fault(at: "1s", action: HostCrash("server"))])"#);
    assert!(outcome.trace_contains(
        "240004000000 client tcp 10.0.0.1:49152 > 10.0.0.2:80 FIN_WAIT_2 -> CLOSED"
    ));
    assert_eq!(outcome.report.end.as_nanos(), 240_004_000_000);
}
