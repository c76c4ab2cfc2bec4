//! Memory that does not grow with the run (issue "Nothing unbounded"): the
//! trace is streamed into the digest and only a bounded prefix is kept, so
//! a run of a million calls holds no more than a run of ten thousand; a
//! kept event costs under 100 bytes. Heap bytes are counted by a wrapper
//! around the system allocator: a count, not a time, the same on every run.

use cap::Cap;
use simsock_sim::scenario::{RunOptions, load, run};
use simsock_sim::trace::TraceMode;

#[global_allocator]
static HEAP: Cap<std::alloc::System> = Cap::new(std::alloc::System, usize::MAX);

/// `iterations` x (socket, closesocket): two calls and four trace events
/// each, no simulated time.
fn socket_loop(iterations: u32) -> String {
    let outer = iterations / 1000;
    format!(
        r#"Scenario(
    name: "loop",
    hosts: [Host(name: "h", addrs: ["10.0.0.1/24"])],
    threads: [Thread(host: "h", name: "main", steps: [
        Repeat(times: {outer}, steps: [Repeat(times: 1000, steps: [
            Socket(name: "s"), Close(socket: "s"),
        ])]),
    ])],
)"#
    )
}

/// Peak heap bytes, above what was allocated before, while `f` runs.
fn peak_during<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let before = HEAP.allocated();
    let peak_before = HEAP.max_allocated();
    let value = f();
    let peak = HEAP.max_allocated();
    assert!(peak > peak_before, "this test runs alone in its binary");
    (peak - before, value)
}

/// One test, so that no other test allocates while it measures.
#[test]
fn memory_is_bounded_whatever_the_length_of_the_run() {
    let long = load(&socket_loop(500_000)).unwrap();

    // A sweep's seed: digest only, the first 10,000 call records.
    let sweep = RunOptions {
        trace: TraceMode::DigestOnly,
        max_recorded_calls: 10_000,
        ..RunOptions::default()
    };
    let (peak, report) = peak_during(|| run(&long, &sweep));
    assert!(report.passed, "{:?}", report.failures);
    assert_eq!(report.call_count.made, 1_000_000);
    assert_eq!(report.call_count.unrecorded, 990_000);
    println!("sweep seed, 1M calls: peak heap {peak} bytes");
    assert!(
        peak < 8 << 20,
        "a 1M-call sweep seed peaked at {peak} bytes"
    );

    // `simsock run`: the first 100,000 events and 10,000 calls kept.
    let listing = RunOptions {
        max_kept_events: 100_000,
        max_recorded_calls: 10_000,
        ..RunOptions::default()
    };
    let (peak, report) = peak_during(|| run(&long, &listing));
    assert_eq!(report.trace.len(), 100_000);
    assert_eq!(report.trace_unkept, 2_000_000 - 100_000);
    println!("run listing, 1M calls: peak heap {peak} bytes");
    assert!(peak < 24 << 20, "a 1M-call listing peaked at {peak} bytes");
    drop(report);

    // A view keeps every event: under 100 bytes each, texts shared.
    let short = load(&socket_loop(100_000)).unwrap();
    let view = RunOptions {
        record_calls: false,
        ..RunOptions::default()
    };
    let before = HEAP.allocated();
    let report = run(&short, &view);
    let held = HEAP.allocated() - before;
    let per_event = held / report.trace.len();
    assert_eq!(report.trace.len(), 400_000);
    println!("view: {per_event} bytes per kept event");
    assert!(per_event < 100, "{per_event} bytes per kept event");
}
