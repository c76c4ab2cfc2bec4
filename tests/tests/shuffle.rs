//! Same-time events: FIFO by default, a seeded shuffle with `shuffle_ties`
//! (design.md "Principles": a total order, or a seeded shuffle to explore
//! interleavings).

use std::collections::BTreeSet;

use simsock_sim::scenario::{RunOptions, load, run};

/// Two clients connect at the same instant, over equal links, to a listener
/// with backlog 1 that never accepts: whichever SYN arrives first is queued,
/// the other is reset (CB-C14).
fn race(shuffle_ties: bool) -> String {
    format!(
        r#"Scenario(
    name: "race",
    shuffle_ties: {shuffle_ties},
    hosts: [
        Host(name: "a", addrs: ["10.0.0.1/24"]),
        Host(name: "b", addrs: ["10.0.0.3/24"]),
        Host(name: "server", addrs: ["10.0.0.2/24"]),
    ],
    links: [
        Link(between: ("a", "server"), latency: "1ms"),
        Link(between: ("b", "server"), latency: "1ms"),
    ],
    threads: [
        Thread(host: "server", name: "main", steps: [
            Socket(name: "l"),
            Bind(socket: "l", addr: "0.0.0.0:80"),
            Listen(socket: "l", backlog: 1),
            Sleep("60s"),
            Close(socket: "l"),
        ]),
        Thread(host: "a", name: "first", start: "1s", steps: [
            Socket(name: "s"),
            Connect(socket: "s", to: "10.0.0.2:80", expect: OneOf([Ok, Err(WSAECONNREFUSED)])),
        ]),
        Thread(host: "b", name: "second", start: "1s", steps: [
            Socket(name: "s"),
            Connect(socket: "s", to: "10.0.0.2:80", expect: OneOf([Ok, Err(WSAECONNREFUSED)])),
        ]),
    ],
)"#
    )
}

/// Which thread was refused, for each seed in `seeds`.
fn refused(shuffle_ties: bool, seeds: std::ops::Range<u64>) -> BTreeSet<String> {
    let scenario = load(&race(shuffle_ties)).unwrap();
    seeds
        .map(|seed| {
            let options = RunOptions {
                seed: Some(seed),
                ..RunOptions::default()
            };
            let report = run(&scenario, &options);
            assert!(report.passed, "seed {seed}: {:?}", report.failures);
            let loser: Vec<_> = report
                .calls
                .iter()
                .filter(|c| c.call.starts_with("connect") && c.result == "WSAECONNREFUSED")
                .map(|c| c.thread.clone())
                .collect();
            assert_eq!(loser.len(), 1, "seed {seed}: one connect is refused");
            loser[0].clone()
        })
        .collect()
}

#[test]
fn fifo_by_default_the_first_declared_thread_wins_every_time() {
    assert_eq!(
        refused(false, 0..16),
        BTreeSet::from(["second".to_string()])
    );
}

#[test]
fn shuffled_ties_let_either_thread_win_depending_on_the_seed() {
    let losers = refused(true, 0..16);
    assert_eq!(losers.len(), 2, "both orders appear: {losers:?}");
}

#[test]
fn a_shuffled_run_replays_from_its_seed() {
    let scenario = load(&race(true)).unwrap();
    let options = RunOptions {
        seed: Some(5),
        ..RunOptions::default()
    };
    assert_eq!(
        run(&scenario, &options).digest,
        run(&scenario, &options).digest
    );
}
