//! The `linux` personality (scenarios/linux/), checked packet by packet
//! where the scenario's expectations alone do not show it: the SYN
//! schedule of tcp_syn_retries, the refusal at the first RST, the dropped
//! SYN of a full accept queue, and errno in the recorded results.

use simsock_model::TcpFlags;
use simsock_tests::{Dir, S, assert_passed, bundled, calls_named, run_file, tcp_segments};

fn syns_sent(report: &simsock_sim::Report, host: &str) -> Vec<u64> {
    tcp_segments(report, host)
        .into_iter()
        .filter(|s| s.dir == Dir::Sent && s.flags.has(TcpFlags::SYN))
        .map(|s| s.at_ns)
        .collect()
}

/// tcp(7): tcp_syn_retries 6 with a 1 s initial RTO doubling: SYNs at 0,
/// 1, 3, 7, 15, 31 and 63 s, ETIMEDOUT (110) at 127 s; Windows' three
/// SYNs end at 21 s.
#[test]
fn syn_retries_follow_tcp_syn_retries() {
    let report = run_file(&bundled("linux/syn-retries-127s"), None);
    assert_passed(&report);
    let at: Vec<u64> = [0, 1, 3, 7, 15, 31, 63].iter().map(|s| s * S).collect();
    assert_eq!(syns_sent(&report, "linux"), at);
    assert_eq!(syns_sent(&report, "windows"), vec![0, 3 * S, 9 * S]);
    let connect = calls_named(&report, "linux", "main", "connect(");
    assert_eq!(connect[0].result, "ETIMEDOUT");
    assert_eq!(connect[0].end_ns, 127 * S);
}

/// connect(2) ECONNREFUSED: one SYN, one RST, refused; the errno is the
/// result's name and WSAGetLastError's.
#[test]
fn an_rst_refuses_at_once() {
    let report = run_file(&bundled("linux/refused-at-once"), None);
    assert_passed(&report);
    assert_eq!(syns_sent(&report, "linux").len(), 1);
    assert_eq!(syns_sent(&report, "windows").len(), 5);
    let connect = calls_named(&report, "linux", "main", "connect(");
    assert_eq!(connect[0].result, "ECONNREFUSED");
    let why = connect[0].why.as_deref().unwrap_or_default();
    assert!(why.starts_with("ECONNREFUSED at 0.002"), "{why}");
}

/// tcp(7), listen(2): a SYN that finds the accept queue full is dropped,
/// never answered with RST; the client's re-sent SYNs (1 s, then 2 s
/// later) get through once the server accepts.
#[test]
fn a_full_accept_queue_drops_the_syn() {
    let report = run_file(&bundled("linux/backlog-drop"), None);
    assert_passed(&report);
    let server_rst = tcp_segments(&report, "server")
        .into_iter()
        .any(|s| s.dir == Dir::Sent && s.flags.has(TcpFlags::RST));
    assert!(!server_rst, "no RST from a Linux listener");
    let ms = 1_000_000;
    assert_eq!(
        syns_sent(&report, "second"),
        vec![500 * ms, 1500 * ms, 3500 * ms]
    );
}
