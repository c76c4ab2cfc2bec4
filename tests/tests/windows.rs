//! The `windows` personality's observed behaviours (scenarios/windows/),
//! checked packet by packet where the scenario's expectations alone do not
//! show it, and with the deciding profile field turned off to show that
//! the field alone makes the difference.

use simsock_model::{HostProfile, TcpFlags};
use simsock_sim::scenario::{Report, RunOptions, run};
use simsock_tests::{
    Dir, assert_passed, bundled, calls_named, lines_with, load_file, run_file, tcp_segments,
};

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

/// Runs a bundled windows scenario as written and with `flip` applied to
/// the profile of the host `win`; returns both reports. The flipped run
/// must fail: the field alone decides the behaviour the story expects.
fn as_written_and_flipped(name: &str, flip: fn(&mut HostProfile)) -> (Report, Report) {
    let mut scenario = load_file(&bundled(name));
    let report = run(&scenario, &RunOptions::default());
    assert_passed(&report);
    let win = scenario.hosts.iter_mut().find(|h| h.name == "win");
    flip(&mut win.expect("a host named win").profile);
    let flipped = run(&scenario, &RunOptions::default());
    assert!(!flipped.passed, "{name}: the flipped field changed nothing");
    (report, flipped)
}

fn detail(report: &Report, host: &str, thread: &str, prefix: &str) -> String {
    calls_named(report, host, thread, prefix)[0].detail.clone()
}

/// FD_CLOSE after the peer's RST: WSAECONNABORTED under windows (Wine
/// `test_close_events`), WSAECONNRESET under windows-documented and with
/// `fd_close_reset_aborted` off.
#[test]
fn fd_close_after_an_rst_carries_the_profiles_code() {
    let (report, flipped) = as_written_and_flipped("windows/fd-close-reset-aborted", |p| {
        p.fd_close_reset_aborted = false
    });
    let enum_events = "WSAEnumNetworkEvents(";
    let win = detail(&report, "win", "events", enum_events);
    assert_eq!(win, "OK (FD_CLOSE WSAECONNABORTED)");
    let doc = detail(&report, "doc", "main", enum_events);
    assert_eq!(doc, "OK (FD_CLOSE WSAECONNRESET)");
    let message = detail(&report, "win", "messages", "GetMessage(");
    assert_eq!(message, "OK (m FD_CLOSE WSAECONNABORTED)");
    let off = detail(&flipped, "win", "events", enum_events);
    assert_eq!(off, "OK (FD_CLOSE WSAECONNRESET)");
}

/// WSAEventSelect on a socket connected before records FD_CONNECT beside
/// FD_WRITE under windows (Wine `test_connect_events`), FD_WRITE alone with
/// `event_select_latches_connect` off.
#[test]
fn event_select_records_the_latched_fd_connect() {
    let (report, flipped) = as_written_and_flipped("windows/event-select-latched-connect", |p| {
        p.event_select_latches_connect = false
    });
    let enum_events = "WSAEnumNetworkEvents(";
    let win = detail(&report, "win", "events", enum_events);
    assert_eq!(win, "OK (FD_WRITE 0, FD_CONNECT 0)");
    let off = detail(&flipped, "win", "events", enum_events);
    assert_eq!(off, "OK (FD_WRITE 0)");
}

/// GetQueuedCompletionStatus of a refused ConnectEx: ERROR_CONNECTION_REFUSED
/// under windows (Wine `test_connect_completion_port`), WSAECONNREFUSED with
/// `completion_win32_codes` off; WSAGetOverlappedResult gives WSAECONNREFUSED
/// either way.
#[test]
fn a_failed_connectex_dequeues_with_its_win32_code() {
    let (report, flipped) = as_written_and_flipped("windows/connectex-win32-codes", |p| {
        p.completion_win32_codes = false
    });
    let dequeued = calls_named(&report, "win", "main", "GetQueuedCompletionStatus(");
    let results: Vec<_> = dequeued.iter().map(|c| c.result.as_str()).collect();
    assert_eq!(
        results,
        [
            "ERROR_HOST_UNREACHABLE",
            "ERROR_CONNECTION_REFUSED",
            "ERROR_SEM_TIMEOUT"
        ]
    );
    let off = calls_named(&flipped, "win", "main", "GetQueuedCompletionStatus(");
    assert_eq!(off[1].result, "WSAECONNREFUSED");
    let overlapped = detail(&report, "win", "main", "WSAGetOverlappedResult(");
    assert_eq!(overlapped, "WSAECONNREFUSED");
}

/// DisconnectEx with flags 0: under windows a half-close whose overlapped
/// form is pending until the FIN's ACK at 4 ms, the socket still connected
/// and readable (Wine `test_DisconnectEx`); with `disconnect_ex_half_close`
/// off it completes at once and the socket is no longer connected.
#[test]
fn disconnect_ex_without_flags_half_closes() {
    let (report, flipped) = as_written_and_flipped("windows/disconnectex-half-close", |p| {
        p.disconnect_ex_half_close = false
    });
    let results = |r: &Report, prefix: &str| -> Vec<String> {
        let calls = calls_named(r, "win", "main", prefix);
        calls.iter().map(|c| c.result.clone()).collect()
    };
    let disconnects = results(&report, "DisconnectEx(s, ov");
    assert_eq!(disconnects, ["WSAENOTCONN", "ERROR_IO_PENDING"]);
    let completed = calls_named(&report, "win", "main", "WSAGetOverlappedResult(")[0];
    assert_eq!(
        (completed.detail.as_str(), completed.end_ns),
        ("OK (0 bytes)", 4_000_000)
    );
    assert_eq!(
        detail(&report, "win", "main", "recv(s"),
        "OK (4 bytes: \"test\")"
    );
    assert_eq!(results(&report, "DisconnectEx(t"), ["OK", "OK"]);
    let fins = tcp_segments(&report, "win")
        .into_iter()
        .filter(|s| s.dir == Dir::Sent && s.flags.has(TcpFlags::FIN) && s.at_ns <= 4_000_000)
        .count();
    assert_eq!(fins, 1, "one FIN, sent by the half-close");
    assert_eq!(
        results(&flipped, "DisconnectEx(s, ov"),
        ["WSAENOTCONN", "OK"]
    );
    assert_eq!(results(&flipped, "send(s"), ["WSAENOTCONN"]);
}

/// A socket that a pending AcceptEx holds: a second AcceptEx into it,
/// connect and ConnectEx are WSAEINVAL, and closing it or the listener
/// aborts the AcceptEx (Wine `test_AcceptEx`). No document names a code
/// for these, so every personality answers the same.
#[test]
fn a_socket_held_by_accept_ex_is_the_same_under_every_personality() {
    let mut scenario = load_file(&bundled("windows/acceptex-held-socket"));
    for personality in simsock_model::profile::Personality::ALL {
        let win = scenario.hosts.iter_mut().find(|h| h.name == "win");
        win.expect("a host named win").profile = HostProfile::of(personality);
        let report = run(&scenario, &RunOptions::default());
        assert!(report.passed, "{personality:?}: {:#?}", report.failures);
        let queued = calls_named(&report, "win", "main", "d = accept(l)");
        assert_eq!(queued[0].end_ns, 13_000_000, "the connection stayed queued");
    }
}

/// WSAAccept's condition function without SO_CONDITIONAL_ACCEPT (the
/// WSAAccept page; Wine `test_accept`, `test_AcceptEx`): the stack
/// answered the rejected client's SYN itself, so CF_REJECT resets an
/// established connection: between 10 and 20 ms the server sends a SYN,ACK
/// and then an RST, nothing else.
#[test]
fn a_rejected_connection_was_established_then_reset() {
    let report = run_file(&bundled("windows/wsaaccept-condition"), None);
    assert_passed(&report);
    let sent: Vec<(bool, bool)> = tcp_segments(&report, "win")
        .into_iter()
        .filter(|s| s.dir == Dir::Sent && (10_000_000..20_000_000).contains(&s.at_ns))
        .map(|s| (s.flags.has(TcpFlags::SYN), s.flags.has(TcpFlags::RST)))
        .collect();
    assert_eq!(sent, [(true, false), (false, true)]);
    let deferred = calls_named(&report, "win", "main", "a = WSAAccept(l, CF_DEFER)");
    assert_eq!(deferred[0].result, "WSATRY_AGAIN");
    let taken = calls_named(&report, "win", "main", "recv(e");
    assert_eq!(
        taken[0].detail, "OK (4 bytes: \"four\")",
        "AcceptEx took the deferred one"
    );
}

/// SO_CONDITIONAL_ACCEPT (the SOL_SOCKET options page; the WSAAccept
/// page): the server sends nothing while the first request is held and
/// deferred, its SYN,ACK only when the condition function accepts at
/// 3.5 s, and an RST for each of the second client's five SYNs.
#[test]
fn a_conditional_listener_answers_only_when_the_function_decides() {
    let report = run_file(&bundled("windows/conditional-accept"), None);
    assert_passed(&report);
    let sent: Vec<(u64, bool, bool)> = tcp_segments(&report, "win")
        .into_iter()
        .filter(|s| s.dir == Dir::Sent)
        .map(|s| {
            (
                s.at_ns,
                s.flags.has(TcpFlags::SYN),
                s.flags.has(TcpFlags::RST),
            )
        })
        .collect();
    assert_eq!(
        sent[0],
        (3_500_000_000, true, false),
        "the first segment is the SYN,ACK"
    );
    let rsts = sent.iter().filter(|(_, _, rst)| *rst).count();
    assert_eq!(rsts, 5);
    let received_syns = tcp_segments(&report, "win")
        .into_iter()
        .filter(|s| s.dir == Dir::Received && s.flags.has(TcpFlags::SYN) && s.at_ns < 3_500_000_000)
        .count();
    assert_eq!(
        received_syns, 2,
        "the SYN and its retransmission, one request"
    );
}

/// ConnectEx and AcceptEx with lpOverlapped NULL: ERROR_INVALID_PARAMETER
/// under windows (Wine `test_connect`, `test_AcceptEx`), WSAEFAULT with
/// `null_overlapped_invalid_parameter` off, as the ConnectEx page says.
#[test]
fn a_null_overlapped_is_an_invalid_parameter() {
    let (report, flipped) = as_written_and_flipped("windows/null-overlapped", |p| {
        p.null_overlapped_invalid_parameter = false
    });
    for prefix in ["ConnectEx(", "AcceptEx("] {
        assert_eq!(
            detail(&report, "win", "main", prefix),
            "ERROR_INVALID_PARAMETER"
        );
        assert_eq!(detail(&report, "doc", "main", prefix), "WSAEFAULT");
        assert_eq!(detail(&flipped, "win", "main", prefix), "WSAEFAULT");
    }
}
