//! Delayed acknowledgment (RFC 1122 §4.2.3.2, RFC 9293 §3.8.6.3) as
//! Windows does it: TcpAckFrequency 2 and TcpDelAckTicks 2 (200 ms) by
//! default, `tcp_del_ack_ticks: 0` to turn it off. Tour stop 9.

use simsock_tests::{Dir, MS, assert_passed, bundled, run_file, tcp_segments};

/// What `node` sent, as (time in ms, flags, why).
fn sent(report: &simsock_sim::scenario::Report, node: &str) -> Vec<(u64, String, String)> {
    tcp_segments(report, node)
        .into_iter()
        .filter(|s| s.dir == Dir::Sent)
        .map(|s| (s.at_ns / MS, s.flags.to_string(), s.why))
        .collect()
}

fn seg(ms: u64, flags: &str, why: &str) -> (u64, String, String) {
    (ms, flags.to_string(), why.to_string())
}

/// One segment alone waits 200 ms for its ACK; a FIN is acknowledged at
/// once, and its ACK covers the data before it.
#[test]
fn a_lone_segment_is_acknowledged_when_the_timer_fires() {
    let report = run_file(&bundled("tour/09-delayed-ack"), None);
    assert_passed(&report);
    assert_eq!(
        sent(&report, "lazy"),
        [
            seg(10, "SYN,ACK", ""),
            seg(230, "ACK", "delayed ACK"),
            seg(250, "ACK", ""),
            seg(250, "FIN,ACK", ""),
        ]
    );
}

/// With delayed ACK off, every segment is acknowledged as it arrives.
#[test]
fn without_delayed_ack_every_segment_is_acknowledged_at_once() {
    let report = run_file(&bundled("tour/09-delayed-ack"), None);
    assert_eq!(
        sent(&report, "eager"),
        [
            seg(10, "SYN,ACK", ""),
            seg(30, "ACK", ""),
            seg(50, "ACK", ""),
            seg(50, "ACK", ""),
            seg(50, "FIN,ACK", ""),
        ]
    );
}
