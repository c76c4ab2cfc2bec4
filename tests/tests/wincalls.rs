//! The calls Windows programs make around connect (issue 14, item 3):
//! WSAPoll (`scenarios/windows/wsapoll.ron`), SO_RCVTIMEO / SO_SNDTIMEO
//! (`rcvtimeo.ron`) and WSAConnectByName (`connect-by-name.ron`). Each
//! story passes as written, and each profile field that decides a
//! difference between the personalities fails it when turned over.

use simsock_model::HostProfile;
use simsock_sim::scenario::{Report, RunOptions, run};
use simsock_tests::{MS, assert_passed, bundled, calls_named, load_file};

/// Runs a bundled scenario as written (it must pass) and with `flip`
/// applied to the profile of `host` (it must fail: the field alone
/// decides what the story expects); returns both reports.
fn as_written_and_flipped(name: &str, host: &str, flip: fn(&mut HostProfile)) -> (Report, Report) {
    let mut scenario = load_file(&bundled(name));
    let report = run(&scenario, &RunOptions::default());
    assert_passed(&report);
    let h = scenario.hosts.iter_mut().find(|h| h.name == host);
    flip(&mut h.expect("the host").profile);
    let flipped = run(&scenario, &RunOptions::default());
    assert!(!flipped.passed, "{name}: the flipped field changed nothing");
    (report, flipped)
}

fn details(report: &Report, host: &str, prefix: &str) -> Vec<String> {
    calls_named(report, host, "main", prefix)
        .iter()
        .map(|c| format!("{} {}", c.result, c.detail))
        .collect()
}

/// Wine `test_WSAPoll`, "Test a failed connection": after a refused
/// nonblocking connect WSAPoll reports POLLWRNORM|POLLHUP|POLLERR, after
/// about 2 s on Windows; Linux's poll(2) reports the socket readable too,
/// at once.
#[test]
fn wsapoll_after_a_refused_connect() {
    let (report, flipped) = as_written_and_flipped("windows/wsapoll", "box", |p| {
        p.poll_failed_connect_readable = true
    });
    let refused = calls_named(&report, "box", "main", "WSAPoll([f ");
    assert_eq!(refused[0].detail, "OK (1: f POLLWRNORM|POLLHUP|POLLERR)");
    let took_ns = refused[0].end_ns - refused[0].start_ns;
    assert!(
        (2000 * MS..2100 * MS).contains(&took_ns),
        "took {took_ns} ns"
    );
    let on_linux = calls_named(&report, "lin", "main", "poll([f ");
    assert_eq!(
        on_linux[0].detail,
        "OK (1: f POLLIN|POLLOUT|POLLHUP|POLLERR)"
    );
    let readable = calls_named(&flipped, "box", "main", "WSAPoll([f ");
    assert_eq!(
        readable[0].detail,
        "OK (1: f POLLRDNORM|POLLWRNORM|POLLHUP|POLLERR)"
    );
}

/// Wine `test_WSAPoll`: an empty array and POLLPRI in `events` are
/// WSAEINVAL on Windows; poll(2) takes both.
#[test]
fn wsapoll_checks_its_arguments_on_windows_only() {
    let (report, flipped) = as_written_and_flipped("windows/wsapoll", "box", |p| {
        p.poll_checks_arguments = false
    });
    let win = details(&report, "box", "WSAPoll([");
    assert_eq!(win[..2], ["WSAEINVAL WSAEINVAL", "WSAEINVAL WSAEINVAL"]);
    let lin = details(&report, "lin", "poll([");
    assert_eq!(lin[..2], ["OK OK (0)", "OK OK (0: l 0)"]);
    let off = details(&flipped, "box", "WSAPoll([");
    assert_eq!(off[0], "OK OK (0)");
}

/// Wine `test_WSAPoll`, "Test shutdown": the peer's shutdown(SD_SEND) is
/// POLLHUP on Windows, even with `events` 0.
#[test]
fn wsapoll_reports_the_peers_fin_as_pollhup() {
    let (_, flipped) =
        as_written_and_flipped("windows/wsapoll", "box", |p| p.poll_hup_on_peer_fin = false);
    let after = details(&flipped, "box", "WSAPoll([c POLLRDNORM|POLLWRNORM]");
    assert_eq!(after, ["OK OK (1: c POLLWRNORM)"]);
}

/// Wine `test_WSAPoll`: a closed socket's POLLNVAL is not counted, and an
/// array of closed sockets is WSAENOTSOCK; poll(2) counts it.
#[test]
fn wsapoll_does_not_count_pollnval_on_windows() {
    let (report, flipped) =
        as_written_and_flipped("windows/wsapoll", "box", |p| p.poll_counts_nval = true);
    let closed = details(&report, "box", "WSAPoll([l POLLRDNORM|POLLRDBAND, c");
    assert_eq!(closed, ["OK OK (0: l 0, c POLLNVAL)"]);
    let counted = details(&flipped, "box", "WSAPoll([l POLLRDNORM|POLLRDBAND, c");
    assert_eq!(counted, ["OK OK (1: l 0, c POLLNVAL)"]);
}

/// Wine `test_timeout`: SO_RCVTIMEO 100 ms makes a blocking recv fail with
/// WSAETIMEDOUT 100 ms after it began, and the connection stays usable;
/// Linux fails it with EAGAIN (socket(7)). SO_SNDTIMEO bounds a blocking
/// send the same way; Linux returns the bytes queued so far.
#[test]
fn a_blocking_recv_gives_up_at_so_rcvtimeo() {
    let (report, flipped) =
        as_written_and_flipped("windows/rcvtimeo", "win", |p| p.timeo_would_block = true);
    let recvs = calls_named(&report, "win", "main", "recv(c, 1)");
    let results: Vec<_> = recvs.iter().map(|c| c.result.as_str()).collect();
    assert_eq!(
        results,
        ["WSAETIMEDOUT", "WSAETIMEDOUT", "OK", "WSAEWOULDBLOCK"]
    );
    assert_eq!(recvs[0].end_ns - recvs[0].start_ns, 100 * MS);
    let lin = calls_named(&report, "lin", "main", "recv(c, 1)");
    assert_eq!(lin[0].result, "EAGAIN");
    let sent = calls_named(&report, "lin", "main", "send(c, 200000 bytes)");
    assert_eq!(sent[0].detail, "OK (129776 bytes)");
    let off = calls_named(&flipped, "win", "main", "recv(c, 1)");
    assert_eq!(off[0].result, "WSAEWOULDBLOCK");
}

/// WSAConnectByName resolves a scenario host by name and returns
/// LocalAddress with port 0 and RemoteAddress (Wine
/// `test_WSAConnectByName`); an unknown name is WSAHOST_NOT_FOUND, an
/// unknown service WSATYPE_NOT_FOUND; past its time-out it fails with
/// WSAETIMEDOUT and abandons the attempt, whose late SYN-ACK gets an RST
/// (the WSAConnectByNameW page).
#[test]
fn connect_by_name_resolves_connects_and_gives_up_at_its_time_out() {
    let report = simsock_tests::run_file(&bundled("windows/connect-by-name"), None);
    assert_passed(&report);
    let by_name = calls_named(&report, "client", "main", "WSAConnectByName(");
    let got: Vec<_> = by_name.iter().map(|c| c.detail.as_str()).collect();
    assert_eq!(
        got,
        [
            "OK (local 10.0.0.1:0, remote 10.0.0.2:80)",
            "WSAHOST_NOT_FOUND",
            "WSATYPE_NOT_FOUND",
            "WSAEFAULT",
            "WSAETIMEDOUT",
            "WSAECONNREFUSED",
            "OK (local 10.0.0.1:0, remote 10.0.0.2:80)",
        ]
    );
    assert_eq!(by_name[4].end_ns - by_name[4].start_ns, 1000 * MS);
    let resets: Vec<_> = simsock_tests::tcp_segments(&report, "client")
        .into_iter()
        .filter(|s| s.dir == simsock_tests::Dir::Sent && s.why.contains("no connection"))
        .map(|s| s.at_ns)
        .collect();
    assert_eq!(
        resets.first(),
        Some(&(4020 * MS)),
        "the abandoned attempt's SYN-ACK is reset"
    );
}

/// Wine `test_connect_events`, `test_write_events`: a new WSAEventSelect
/// records nothing already recorded and not re-enabled, WSAAsyncSelect
/// posts FD_WRITE again; with `event_select_keeps_reported` off the
/// re-selection records FD_WRITE as windows-documented does.
#[test]
fn a_new_event_select_does_not_record_again() {
    let (report, flipped) = as_written_and_flipped("windows/event-select-reselect", "win", |p| {
        p.event_select_keeps_reported = false
    });
    let enumerated = |r: &Report| {
        calls_named(r, "win", "events", "WSAEnumNetworkEvents(")
            .iter()
            .map(|c| c.detail.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        enumerated(&report),
        ["OK (FD_WRITE 0, FD_CONNECT 0)", "OK (no events)"]
    );
    assert_eq!(
        enumerated(&flipped),
        ["OK (FD_WRITE 0, FD_CONNECT 0)", "OK (FD_WRITE 0)"]
    );
    let messages = calls_named(&report, "win", "messages", "GetMessage(");
    assert_eq!(messages[2].detail, "OK (m FD_WRITE 0)");
}

/// Wine `test_connect_events`, "Test with UDP sockets": connecting a
/// datagram socket records FD_CONNECT and FD_WRITE under WSAEventSelect
/// and posts FD_WRITE again under WSAAsyncSelect; with
/// `dgram_connect_notifies` off, FD_WRITE alone, as documented.
#[test]
fn a_datagram_connect_records_fd_connect() {
    let (report, flipped) = as_written_and_flipped("windows/udp-connect-events", "win", |p| {
        p.dgram_connect_notifies = false
    });
    let enumerated = |r: &Report| {
        calls_named(r, "win", "events", "WSAEnumNetworkEvents(u")
            .iter()
            .map(|c| c.detail.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(enumerated(&report), ["OK (FD_WRITE 0, FD_CONNECT 0)"]);
    assert_eq!(enumerated(&flipped), ["OK (FD_WRITE 0)"]);
    let messages = calls_named(&report, "win", "messages", "GetMessage(");
    assert_eq!(messages.len(), 2);
}
