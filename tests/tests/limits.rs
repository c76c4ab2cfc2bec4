//! Limits on what a scenario can ask for (issue: "a scenario that would run
//! forever or ask for too much stops with a clear error, never a hang or a
//! panic").

use simsock_sim::scenario::{RunOptions, load, run};
use simsock_sim::world::LimitError;

fn scenario(limits: &str, steps: &str) -> String {
    format!(
        r#"Scenario(
    name: "limits",
    hosts: [Host(name: "h", addrs: ["10.0.0.1/24"])],
    threads: [Thread(host: "h", name: "main", steps: [{steps}])],
    limits: ({limits}),
)"#
    )
}

#[test]
fn a_run_that_would_go_on_for_days_stops_at_max_time() {
    let text = scenario(
        r#"max_time: "2h""#,
        r#"Repeat(times: 100000, steps: [Sleep("1h")])"#,
    );
    let report = run(&load(&text).unwrap(), &RunOptions::default());
    assert!(!report.passed);
    assert!(
        matches!(report.limit, Some(LimitError::Time(t)) if t.as_nanos() == 2 * 3_600_000_000_000)
    );
}

#[test]
fn a_run_with_too_many_events_stops_at_max_events() {
    let text = scenario(
        "max_events: 1000",
        r#"Repeat(times: 100000, steps: [Socket(name: "s"), Close(socket: "s")])"#,
    );
    let report = run(&load(&text).unwrap(), &RunOptions::default());
    assert_eq!(report.limit, Some(LimitError::Events(1000)));
    assert!(report.limit.unwrap().to_string().contains("max_events"));
}

/// Issue 18, item 3: a call that completes at once is no event of the
/// engine (the thread's start is the only one here), yet it is work, and
/// counts against `max_events` (above).
#[test]
fn calls_that_complete_at_once_are_not_events() {
    let text = scenario(
        "",
        r#"Repeat(times: 10, steps: [Socket(name: "s"), Close(socket: "s")])"#,
    );
    let report = run(&load(&text).unwrap(), &RunOptions::default());
    assert!(report.passed, "{:?}", report.failures);
    assert_eq!((report.events, report.call_count.made), (1, 20));
}

#[test]
fn limits_above_the_ceiling_are_rejected_before_the_run() {
    let text = scenario("max_events: 99999999999", "");
    let err = load(&text).unwrap_err();
    assert!(err.message.contains("ceiling"), "{}", err.message);
    assert_eq!(err.line_col(&text).map(|(line, _)| line), Some(5));
}

/// `max_steps` has a ceiling like the other run limits.
#[test]
fn max_steps_above_the_ceiling_is_rejected() {
    let text = scenario("max_steps: 10000000001", "");
    let err = load(&text).unwrap_err();
    assert!(
        err.message.contains("max_steps 10000000000"),
        "{}",
        err.message
    );
    assert!(load(&scenario("max_steps: 10000000000", "")).is_ok());
}

#[test]
fn repeat_counts_and_sizes_are_bounded() {
    let err = load(&scenario("", r#"Repeat(times: 100001, steps: [])"#)).unwrap_err();
    assert!(err.message.contains("at most 100000"), "{}", err.message);
    let err = load(&scenario(
        "",
        r#"Socket(name: "s"), Send(socket: "s", len: 2000000)"#,
    ))
    .unwrap_err();
    assert!(err.message.contains("at most"), "{}", err.message);
}

/// Sockets per host are limited: socket fails with WSAEMFILE past the limit.
#[test]
fn sockets_per_host_are_limited() {
    let text = scenario(
        "max_sockets_per_host: 3",
        r#"Repeat(times: 3, steps: [Socket(name: "s")]), Socket(name: "t", expect: Err(WSAEMFILE))"#,
    );
    let report = run(&load(&text).unwrap(), &RunOptions::default());
    assert!(report.passed, "{:?}", report.failures);
}

/// Issue 15, item 1: `Repeat`s of steps that neither call nor wait make no
/// event, so neither `max_events` nor `max_time` stops them; every step
/// counts against `limits.max_steps` (default 100,000,000). Without that
/// limit this run ends after 10^9 empty passes with no limit reported.
#[test]
fn nested_repeats_of_nothing_stop_at_max_steps() {
    let text = scenario(
        "",
        "Repeat(times: 100000, steps: [Repeat(times: 10000, steps: [])])",
    );
    let report = run(&load(&text).unwrap(), &RunOptions::default());
    assert!(!report.passed);
    assert_eq!(report.limit, Some(LimitError::Steps(100_000_000)));
    let message = report.limit.unwrap().to_string();
    assert!(message.contains("limits.max_steps"), "{message}");
}

/// A scenario may lower the step limit; a zero-time call counts a step too.
#[test]
fn max_steps_counts_calls_and_passes() {
    let text = scenario(
        "max_steps: 1000",
        "Repeat(times: 100000, steps: [LastError(), LastError()])",
    );
    let report = run(&load(&text).unwrap(), &RunOptions::default());
    assert_eq!(report.limit, Some(LimitError::Steps(1000)));
    // 1 for the Repeat's start, then 3 per pass: the two calls and the pass.
    assert_eq!(report.calls.len(), 666);
}

/// The check bounds the unrolled size and points at the innermost `Repeat`
/// past it (here the middle one: 100,000 x 100,002 steps).
#[test]
fn three_nested_repeats_are_rejected_at_the_offending_repeat() {
    let text = scenario(
        "",
        "\n  Repeat(times: 100000, steps: [\n    Repeat(times: 100000, steps: [\n      Repeat(times: 100000, steps: [])])])",
    );
    let err = load(&text).unwrap_err();
    assert!(err.message.contains("unrolled"), "{}", err.message);
    assert!(err.message.contains("10000000000"), "{}", err.message);
    assert_eq!(err.line_col(&text), Some((6, 5)));
    assert_eq!(&text[err.span.unwrap()], "Repeat");
}

/// Threads of large (but each allowed: 5,000,100,001 steps) `Repeat`s:
/// the bound is on the scenario, pointing at the steps of the thread that
/// passes it (the second).
#[test]
fn the_unrolled_bound_is_on_the_whole_scenario() {
    let thread = r#"Thread(host: "h", name: "tNAME", steps: [Repeat(times: 100000, steps: [Repeat(times: 49999, steps: [])])])"#;
    let threads: Vec<String> = (0..3)
        .map(|i| thread.replace("NAME", &i.to_string()))
        .collect();
    let text = format!(
        "Scenario(name: \"u\", hosts: [Host(name: \"h\", addrs: [\"10.0.0.1/24\"])],\n threads: [\n{}\n])",
        threads.join(",\n")
    );
    let err = load(&text).unwrap_err();
    assert!(err.message.contains("unrolled"), "{}", err.message);
    assert_eq!(err.line_col(&text).map(|(line, _)| line), Some(4));
    assert!(text[err.span.unwrap()].starts_with("[Repeat"));
}

/// The time-limit report names the limit, not the time of the event past
/// it (issue 15, item 4).
#[test]
fn the_time_limit_report_names_the_limit() {
    let text = scenario(r#"max_time: "2h""#, r#"Sleep("3h")"#);
    let report = run(&load(&text).unwrap(), &RunOptions::default());
    let limit = report.limit.expect("stopped by the time limit");
    assert_eq!(
        limit,
        LimitError::Time(simsock_model::SimTime(2 * 3_600_000_000_000))
    );
    assert!(limit.to_string().contains("7200.000s"), "{limit}");
}

/// A thread woken by its timer that spends the last step stops the run at
/// that event: the other thread's wake-up, 1 ms later, is never run. (The
/// run loop checks the step budget only after the events that run a
/// thread or a fault, `World::dispatch`; a timer that wakes a thread is
/// one of them.)
#[test]
fn max_steps_stops_at_the_timer_event_that_spent_it() {
    let text = r#"Scenario(
    name: "limits",
    hosts: [Host(name: "h", addrs: ["10.0.0.1/24"])],
    threads: [
        Thread(host: "h", name: "main", steps: [
            Sleep("1ms"), Repeat(times: 100000, steps: [LastError()]),
        ]),
        Thread(host: "h", name: "other", steps: [Sleep("2ms"), LastError()]),
    ],
    limits: (max_steps: 1000),
)"#;
    let report = run(&load(text).unwrap(), &RunOptions::default());
    assert_eq!(report.limit, Some(LimitError::Steps(1000)));
    // Two starts and main's wake-up; other's wake-up at 2 ms never runs.
    assert_eq!(report.events, 3);
}
