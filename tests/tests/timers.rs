//! Cancelled timers (`sim::engine::timers`): a retransmission timer that
//! an ACK, an earlier re-arm or the end of its connection made pointless,
//! or the time-out of a wait that returned first, is no event. The run's
//! end time and event count are those of what happened (RFC 9293 §3.8.1:
//! the timer is restarted or cancelled, not left to fire for nothing).

use simsock_model::SimTime;
use simsock_tests::{assert_passed, run_file, scenarios_dir};

/// A refused connect (CB-C14) ends the run at 1.006 s, when the third RST
/// arrives; its SYN's 3 s retransmission timer, cancelled by the RSTs,
/// would have moved the end to 4.004 s.
#[test]
fn a_cancelled_syn_timer_does_not_extend_the_run() {
    let path = scenarios_dir().join("conformance/connect/WSAECONNREFUSED.ron");
    let report = run_file(&path, None);
    assert_passed(&report);
    assert_eq!(report.end, SimTime::from_nanos(1_006_000_000));
    let last_return = report.calls.iter().map(|c| c.end_ns).max();
    assert_eq!(last_return, Some(1_006_000_000));
}

/// A live timer still fires: with the link down, the SYN is re-sent at
/// 3 s and 9 s and connect times out at 21 s (CB-C15), the last event.
#[test]
fn a_live_timer_still_fires_and_ends_the_run() {
    let report = run_file(&scenarios_dir().join("timeout.ron"), None);
    assert_passed(&report);
    let timed_out = report
        .calls
        .iter()
        .find(|c| c.result == "WSAETIMEDOUT")
        .expect("a connect timed out");
    assert_eq!(timed_out.end_ns - timed_out.start_ns, 21_000_000_000);
}

/// A select that returns before its time-out (CB-N3: the connect completes
/// at 2 ms, well inside the 5 s) leaves no wake-up behind, and neither does
/// the server's SYN,ACK timer once the handshake's ACK turned it off: the
/// run ends at 3.012 s with its last call, not at 3.001 s (the SYN,ACK
/// timer) or 5 s (the select's time-out).
#[test]
fn a_wait_that_returns_first_cancels_its_time_out() {
    let path = scenarios_dir().join("nonblocking/select.ron");
    let report = run_file(&path, None);
    assert_passed(&report);
    let last_return = report.calls.iter().map(|c| c.end_ns).max();
    assert_eq!(last_return, Some(3_012_000_000));
    assert_eq!(report.end, SimTime::from_nanos(3_012_000_000));
}
