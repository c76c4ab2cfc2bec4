//! The `windows` personality's observed behaviours (scenarios/windows/),
//! checked packet by packet where the scenario's expectations alone do not
//! show it.

use simsock_model::TcpFlags;
use simsock_tests::{Dir, assert_passed, bundled, lines_with, run_file, tcp_segments};

/// SO_LINGER with a zero timeout: closesocket sends RST, never FIN, and
/// the client keeps no TIME_WAIT (closesocket's page; Wine `test_linger`).
#[test]
fn an_abortive_close_sends_rst_and_keeps_no_time_wait() {
    let report = run_file(&bundled("windows/linger-abort"), None);
    assert_passed(&report);
    let sent: Vec<_> = tcp_segments(&report, "client")
        .into_iter()
        .filter(|s| s.dir == Dir::Sent)
        .collect();
    assert!(sent.iter().any(|s| s.flags.has(TcpFlags::RST)), "an RST");
    assert!(!sent.iter().any(|s| s.flags.has(TcpFlags::FIN)), "no FIN");
    assert!(lines_with(&report, "client", "TIME_WAIT").is_empty());
}

/// Windows 10/11 re-sends a refused SYN 4 times, 500 ms apart: five SYNs,
/// five RSTs, WSAECONNREFUSED at 2.010 s over 1 ms links; KB175523's 2
/// re-sends under windows-documented.
#[test]
fn a_refused_connect_sends_five_syns_under_windows_and_three_documented() {
    let report = run_file(&bundled("windows/refused-2s"), None);
    assert_passed(&report);
    let syns = |host: &str| {
        tcp_segments(&report, host)
            .into_iter()
            .filter(|s| s.dir == Dir::Sent && s.flags.has(TcpFlags::SYN))
            .count()
    };
    assert_eq!((syns("windows"), syns("kb"), syns("now")), (5, 3, 1));
}
