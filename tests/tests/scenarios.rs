//! The bundled scenarios: each passes with its own seed, each is
//! deterministic, and the stories they tell hold packet by packet.

use std::collections::BTreeSet;

use simsock_model::TcpFlags;
use simsock_tests::{
    Dir, MS, S, assert_passed, bundled, calls_named, lines_with, run_file, scenario_files,
    tcp_segments,
};

/// The determinism rule and every CB-ID the bundled stories show (CB-C5,
/// CB-C12..C17, CB-T1..T3): every `*.ron` under `scenarios/` loads, passes
/// with its own seed, and a second run gives the same digest and the very
/// same trace lines.
#[test]
fn every_bundled_scenario_passes_twice_with_the_same_trace() {
    let files = scenario_files();
    let stems: BTreeSet<String> = files
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    for name in ["refused", "unreachable", "timeout", "reuse"] {
        assert!(stems.contains(name), "scenarios/{name}.ron is missing");
    }
    for path in &files {
        let first = run_file(path, None);
        assert_passed(&first);
        assert!(
            !first.trace_lines().is_empty(),
            "{}: empty trace",
            path.display()
        );
        assert_eq!(first.digest.len(), 64, "SHA-256 in hex");
        let second = run_file(path, None);
        assert_eq!(first.digest, second.digest, "{}: digest", path.display());
        assert_eq!(
            first.trace_lines(),
            second.trace_lines(),
            "{}: trace lines",
            path.display()
        );
        assert_eq!(first.calls, second.calls, "{}: calls", path.display());
    }
}

/// CB-C15: on the lossy link the outcome depends on the seed. Every seed
/// from 1 to 8 passes (the step expects Ok or WSAETIMEDOUT), the traces
/// differ, and both outcomes occur.
#[test]
fn lossy_link_outcome_depends_on_the_seed() {
    let mut digests = BTreeSet::new();
    let mut outcomes = BTreeSet::new();
    for seed in 1..=8 {
        let report = run_file(&bundled("timeout"), Some(seed));
        assert_passed(&report);
        assert_eq!(report.seed, seed);
        digests.insert(report.digest.clone());
        let connect = calls_named(&report, "phone", "main", "connect(");
        assert_eq!(connect.len(), 1);
        let took = connect[0].end_ns - connect[0].start_ns;
        match connect[0].result.as_str() {
            "OK" => assert!((40 * MS..21 * S).contains(&took), "took {took} ns"),
            "WSAETIMEDOUT" => assert_eq!(took, 21 * S),
            other => panic!("seed {seed}: unexpected {other}"),
        }
        outcomes.insert(connect[0].result.clone());
        // The cut cable of the same scenario does not depend on the seed.
        let client = calls_named(&report, "client", "main", "connect(");
        assert_eq!(client[0].result, "WSAETIMEDOUT");
        assert_eq!(client[0].end_ns, 21 * S);
    }
    assert!(digests.len() >= 2, "seeds 1..=8 gave one digest");
    assert_eq!(
        outcomes,
        BTreeSet::from(["OK".to_string(), "WSAETIMEDOUT".to_string()]),
        "seeds 1..=8 should show both outcomes of the lossy link"
    );
}

/// CB-C14, CB-C5: the refused story, segment by segment. The client's SYN is
/// answered with RST,ACK; Windows 10/11 re-sends the SYN 4 times, 500 ms
/// after each RST (the `windows` personality, `refused_syn_retries`);
/// connect fails with WSAECONNREFUSED after 2.010 s. At 6 s the same
/// socket connects with the three-way handshake.
#[test]
fn refused_flag_sequence_and_duration() {
    let report = run_file(&bundled("refused"), None);
    assert_passed(&report);
    let client: Vec<_> = tcp_segments(&report, "client")
        .iter()
        .map(|s| s.short())
        .collect();
    let expected = [
        (0, Dir::Sent, "SYN"),
        (2 * MS, Dir::Received, "RST,ACK"),
        (502 * MS, Dir::Sent, "SYN"),
        (504 * MS, Dir::Received, "RST,ACK"),
        (1_004 * MS, Dir::Sent, "SYN"),
        (1_006 * MS, Dir::Received, "RST,ACK"),
        (1_506 * MS, Dir::Sent, "SYN"),
        (1_508 * MS, Dir::Received, "RST,ACK"),
        (2_008 * MS, Dir::Sent, "SYN"),
        (2_010 * MS, Dir::Received, "RST,ACK"),
        // The retry on the same socket (CB-C5): the three-way handshake.
        (6 * S, Dir::Sent, "SYN"),
        (6 * S + 2 * MS, Dir::Received, "SYN,ACK"),
        (6 * S + 2 * MS, Dir::Sent, "ACK"),
        // send("hello") and closesocket.
        (6 * S + 2 * MS, Dir::Sent, "PSH,ACK"),
        (6 * S + 2 * MS, Dir::Sent, "FIN,ACK"),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(t, d, f)| (*t, *d, f.to_string()))
        .collect();
    assert_eq!(client[..expected.len()], expected[..]);
    // The re-sent SYNs say why they were sent.
    let resent = lines_with(&report, "client", "(SYN re-sent after RST)");
    assert_eq!(resent.len(), 4, "{resent:#?}");
    // The server's stack answers each SYN with RST,ACK (no listener yet).
    let resets: Vec<_> = tcp_segments(&report, "server")
        .into_iter()
        .filter(|s| s.dir == Dir::Sent && s.flags.has(TcpFlags::RST))
        .map(|s| (s.at_ns, s.why))
        .collect();
    let no_listener = "reset: no listener".to_string();
    assert_eq!(
        resets,
        [
            (MS, no_listener.clone()),
            (503 * MS, no_listener.clone()),
            (1_005 * MS, no_listener.clone()),
            (1_507 * MS, no_listener.clone()),
            (2_009 * MS, no_listener)
        ]
    );
    let connects = calls_named(&report, "client", "main", "connect(");
    assert_eq!(connects.len(), 2);
    assert_eq!(connects[0].result, "WSAECONNREFUSED");
    assert_eq!((connects[0].start_ns, connects[0].end_ns), (0, 2_010 * MS));
    assert_eq!(connects[1].result, "OK");
    assert_eq!(
        (connects[1].start_ns, connects[1].end_ns),
        (6 * S, 6 * S + 2 * MS)
    );
}

/// CB-C15: a dead link drops the SYNs sent at 0, 3 and 9 s (initial RTO 3 s,
/// doubled, two retransmissions) and connect fails with WSAETIMEDOUT at
/// exactly 21 s; once the link is back the same socket connects (CB-C5).
#[test]
fn timeout_syn_schedule_on_a_dead_link() {
    let report = run_file(&bundled("timeout"), None);
    assert_passed(&report);
    let before_repair: Vec<_> = tcp_segments(&report, "client")
        .into_iter()
        .filter(|s| s.at_ns < 25 * S)
        .map(|s| (s.at_ns, s.dir, s.flags.to_string(), s.why))
        .collect();
    let syn = |t: u64, dir: Dir, why: &str| (t, dir, "SYN".to_string(), why.to_string());
    assert_eq!(
        before_repair,
        [
            syn(0, Dir::Sent, ""),
            syn(0, Dir::Dropped, "link down"),
            syn(3 * S, Dir::Sent, "retransmission"),
            syn(3 * S, Dir::Dropped, "link down"),
            syn(9 * S, Dir::Sent, "retransmission"),
            syn(9 * S, Dir::Dropped, "link down"),
        ]
    );
    // Nothing reached the server while the link was down.
    assert!(
        tcp_segments(&report, "server")
            .iter()
            .all(|s| s.at_ns > 25 * S)
    );
    let gave_up = lines_with(&report, "client", "SYN_SENT -> CLOSED");
    assert_eq!(gave_up.len(), 1);
    assert!(gave_up[0].starts_with("21000000000 "), "{}", gave_up[0]);
    let connects = calls_named(&report, "client", "main", "connect(");
    assert_eq!(connects[0].result, "WSAETIMEDOUT");
    assert_eq!((connects[0].start_ns, connects[0].end_ns), (0, 21 * S));
    assert_eq!(connects[1].result, "OK");
    assert_eq!(
        (connects[1].start_ns, connects[1].end_ns),
        (30 * S, 30 * S + 2 * MS)
    );
}

/// CB-C12, CB-C13: no route fails at once without a packet; the router
/// answers ICMP host unreachable 2 s after the SYN reached it; an on-link
/// address nobody owns fails after the host's arp_timeout of 2 s, before
/// the first SYN retransmission at 3 s.
#[test]
fn unreachable_codes_and_times() {
    let report = run_file(&bundled("unreachable"), None);
    assert_passed(&report);
    let result = |thread: &str| {
        let c = calls_named(&report, "client", thread, "connect(");
        assert_eq!(c.len(), 1, "{thread}");
        (c[0].result.clone(), c[0].start_ns, c[0].end_ns)
    };
    assert_eq!(result("noroute"), ("WSAENETUNREACH".into(), 0, 0));
    assert_eq!(
        result("routed"),
        ("WSAEHOSTUNREACH".into(), 0, 2 * S + 2 * MS)
    );
    assert_eq!(result("onlink"), ("WSAEHOSTUNREACH".into(), 0, 2 * S));
    assert_eq!(result("reachable"), ("OK".into(), 0, 4 * MS));
    // No packet ever leaves for the network without a route.
    assert!(lines_with(&report, "client", "> 192.168.9.9").is_empty());
    assert_eq!(
        lines_with(&report, "client", "connect(a, 192.168.9.9:80)").len(),
        2
    );
    // The router's ICMP message, sent 2 s after the SYN reached it at 1 ms.
    let icmp = lines_with(&report, "router", "unreachable (Host)");
    assert_eq!(icmp.len(), 1, "{icmp:#?}");
    assert!(
        icmp[0].starts_with("2001000000 router send "),
        "{}",
        icmp[0]
    );
    assert!(icmp[0].contains("10.0.1.99:80"), "{}", icmp[0]);
}

/// CB-C17, CB-T1..T3, CB-C16: a four-tuple in TIME_WAIT refuses connect
/// without a packet until TcpTimedWaitDelay (30 s here) has passed; three
/// TIME_WAITs exhaust a three-port ephemeral range.
#[test]
fn reuse_time_wait_and_port_exhaustion() {
    let report = run_file(&bundled("reuse"), None);
    assert_passed(&report);
    let entered = lines_with(&report, "client", "FIN_WAIT_2 -> TIME_WAIT");
    let ended = lines_with(&report, "client", "TIME_WAIT ended");
    assert!(entered[0].starts_with("4000000 "), "{}", entered[0]);
    assert!(ended[0].starts_with("30004000000 "), "{}", ended[0]);
    // Windows does not check TIME_WAIT at bind (curl issue 8112).
    let bind = calls_named(&report, "client", "main", "bind(b,");
    assert_eq!(bind[0].result, "OK");
    let connects: Vec<_> = calls_named(&report, "client", "main", "connect(")
        .iter()
        .map(|c| (c.call.clone(), c.result.clone(), c.end_ns))
        .collect();
    let row = |s: &str, r: &str, t: u64| (format!("connect({s}, 10.0.0.2:80)"), r.to_string(), t);
    assert_eq!(
        connects,
        [
            row("a", "OK", 2 * MS),
            row("c", "WSAEADDRINUSE", S),
            row("c", "WSAEADDRINUSE", 30 * S + 3 * MS),
            row("d", "OK", 30 * S + 6 * MS),
        ]
    );
    // The refused connects send nothing: only two SYNs ever leave port 5000.
    let syns: Vec<_> = tcp_segments(&report, "client")
        .into_iter()
        .filter(|s| s.dir == Dir::Sent && s.flags == TcpFlags::SYN)
        .map(|s| s.at_ns)
        .collect();
    assert_eq!(syns, [0, 30 * S + 4 * MS]);
    let tiny: Vec<_> = calls_named(&report, "tiny", "main", "connect(")
        .iter()
        .map(|c| (c.result.clone(), c.end_ns))
        .collect();
    let ok = |t: u64| ("OK".to_string(), t);
    assert_eq!(
        tiny,
        [
            ok(2 * MS),
            ok(S + 4 * MS),
            ok(2 * S + 6 * MS),
            ("WSAENOBUFS".to_string(), 3 * S + 6 * MS),
            ok(120 * S + 6 * MS),
        ]
    );
}
