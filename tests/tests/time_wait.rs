//! What TIME_WAIT is for (CB-T4, CB-T1, CB-T3), on
//! `scenarios/faults/old-duplicate.ron`: a copy of an old data segment
//! arrives 3 s late. Without TIME_WAIT it reaches the new connection that
//! reuses the four-tuple; with TIME_WAIT it meets the record and dies there.

use simsock_tests::{assert_passed, bundled, lines_with, run_file};

const LATE: &str = "3011000000";

/// The `seq=` of a canonical trace line.
fn seq(line: &str) -> &str {
    line.split_whitespace()
        .find_map(|w| w.strip_prefix("seq="))
        .unwrap_or("")
}

#[test]
fn an_old_duplicate_reaches_the_new_connection_only_without_time_wait() {
    let report = run_file(&bundled("faults/old-duplicate"), None);
    assert_passed(&report);

    // The server's 'old' at 10 ms, copied by the network.
    let sent = lines_with(
        &report,
        "server",
        "server-hasty TCP 10.0.1.2:80 > 10.0.1.1:5000 [PSH,ACK]",
    );
    let sent: Vec<String> = sent
        .into_iter()
        .filter(|l| l.starts_with("10000000 "))
        .collect();
    assert_eq!(sent.len(), 2, "the segment and its copy: {sent:?}");
    assert!(sent[1].ends_with("(duplicate)"));
    let old_seq = seq(&sent[0]);

    // hasty (TcpTimedWaitDelay 0) reconnected from port 5000 at 1 s: the
    // four-tuple's new incarnation is established when the copy arrives.
    let up = lines_with(
        &report,
        "hasty",
        "10.0.1.1:5000 > 10.0.1.2:80 SYN_SENT -> ESTABLISHED",
    );
    assert_eq!(up.len(), 2, "two incarnations of the four-tuple: {up:?}");
    assert!(up[1].starts_with("1002000000 "), "{up:?}");
    let late = lines_with(&report, "hasty", LATE);
    assert_eq!(late.len(), 2, "{late:?}");
    assert!(late[0].contains(" recv ") && late[0].contains("len=3"));
    assert_eq!(
        seq(&late[0]),
        old_seq,
        "the old segment reached the new connection"
    );
    // The new connection answers it (its random ISN puts the old sequence
    // numbers outside its window): an ACK of its own, not TIME_WAIT's.
    assert!(late[1].contains(" send ") && late[1].contains("[ACK]"));
    assert!(!late[1].contains("TIME_WAIT"), "{}", late[1]);

    // patient (120 s) could not reconnect (WSAEADDRINUSE, in the scenario);
    // its copy meets the TIME_WAIT record, which answers it.
    let late = lines_with(&report, "patient", LATE);
    assert_eq!(late.len(), 2, "{late:?}");
    assert!(late[0].contains(" recv ") && late[0].contains("len=3"));
    assert!(late[1].ends_with("(ACK from TIME_WAIT)"), "{}", late[1]);
    // With the whole receive window open: nothing is buffered in TIME_WAIT
    // (RFC 9293 §3.8.6.2.2), so Wireshark sees no zero window.
    assert!(late[1].contains(" win=65535 "), "{}", late[1]);
}
