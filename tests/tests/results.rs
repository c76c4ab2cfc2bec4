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
