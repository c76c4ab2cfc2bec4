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
        matches!(report.limit, Some(LimitError::Time(t)) if t.as_nanos() == 3 * 3_600_000_000_000)
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

#[test]
fn limits_above_the_ceiling_are_rejected_before_the_run() {
    let text = scenario("max_events: 99999999999", "");
    let err = load(&text).unwrap_err();
    assert!(err.message.contains("ceiling"), "{}", err.message);
    assert_eq!(err.line_col(&text).map(|(line, _)| line), Some(5));
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
