//! What a completed call's result shows: its own value, never one left by
//! an earlier call on the same thread.

use simsock_tests::{bundled, calls_named, run_file};

/// A send after a recv shows its byte count, not the recv's data.
#[test]
fn a_send_after_a_recv_shows_no_received_bytes() {
    let report = run_file(&bundled("faults/partition-during-handshake"), None);
    let recv = calls_named(&report, "server", "main", "recv(");
    assert_eq!(recv[0].detail, r#"OK (5 bytes: "hello")"#);
    let send = calls_named(&report, "server", "main", "send(");
    assert_eq!(send[0].detail, "OK (5 bytes)");
}

/// ConnectEx after a GetQueuedCompletionStatus that dequeued a failed
/// packet (key 7) shows ERROR_IO_PENDING alone: the key belonged to the
/// dequeue (CB-X4: the outcome arrives through the completion port), not
/// to the calls after it.
#[test]
fn a_completion_key_stays_with_the_call_that_dequeued_it() {
    let report = run_file(&bundled("conformance/connectex/WSAECONNREFUSED"), None);
    let dequeued = calls_named(&report, "client", "main", "GetQueuedCompletionStatus(");
    assert_eq!(dequeued[0].detail, "WSAECONNREFUSED (key 7, 0 bytes)");
    let later = calls_named(&report, "client", "main", "ConnectEx(");
    assert_eq!(later[1].detail, "ERROR_IO_PENDING");
    let result = calls_named(&report, "client", "main", "WSAGetOverlappedResult(");
    assert_eq!(result[0].detail, "WSAECONNREFUSED");
}

/// A sweep's lean records (`RunOptions::results_only`) say what the full
/// records would: the same calls (threads, texts, results), the same
/// counts of calls left unrecorded, the same failures; a call that failed
/// its expectation keeps its full record. Checked with the record limit
/// below the number of calls, and on a scenario whose expectation fails.
#[test]
fn a_sweeps_lean_records_say_what_the_full_records_would() {
    use simsock_sim::scenario::{RunOptions, load, run};
    use simsock_sim::trace::TraceMode;
    let refused = std::fs::read_to_string(bundled("refused")).unwrap();
    let failing = refused.replace(
        r#"expect: Err(WSAECONNREFUSED), took: "2.010s""#,
        "expect: Err(WSAETIMEDOUT)",
    );
    assert_ne!(failing, refused, "the failing twin changes an expectation");
    let timeout = std::fs::read_to_string(bundled("timeout")).unwrap();
    for (source, max) in [(&refused, 100), (&refused, 4), (&failing, 4), (&timeout, 2)] {
        let s = load(source).unwrap();
        let full = RunOptions {
            trace: TraceMode::DigestOnly,
            max_recorded_calls: max,
            ..RunOptions::default()
        };
        let lean = RunOptions {
            results_only: true,
            ..full
        };
        let (full, lean) = (run(&s, &full), run(&s, &lean));
        let said: Vec<(String, String, String)> = full
            .calls
            .iter()
            .map(|c| (c.thread.clone(), c.call.clone(), c.result.clone()))
            .collect();
        let lean_said: Vec<(String, String, String)> = lean
            .results
            .iter()
            .map(|r| {
                let thread = lean.names.thread(r.thread).to_string();
                (thread, r.call.to_string(), r.result.to_string())
            })
            .collect();
        assert_eq!(lean_said, said, "max {max}");
        assert_eq!(
            full.call_count.unrecorded > 0,
            max < 10,
            "the cap is reached"
        );
        assert_eq!(lean.calls.is_empty(), *source != failing);
        assert!(full.results.is_empty());
        let failed: Vec<_> = full.calls.iter().filter(|c| c.failure.is_some()).collect();
        assert_eq!(lean.calls.iter().collect::<Vec<_>>(), failed);
        assert_eq!(lean.call_count, full.call_count);
        assert_eq!(lean.failures, full.failures);
        assert_eq!((lean.passed, &lean.digest), (full.passed, &full.digest));
    }
}
