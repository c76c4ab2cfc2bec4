//! A woken thread whose blocking accept would only wait again is parked
//! again without a poll (`World::rewait`, `winsock::waits_again`). These
//! tests hold the fast path to the slow path it replaces
//! (`World::poll_every_wake`): the same trace (digest), engine events and
//! call results, on every bundled scenario and on an accept pool made to
//! hit each case the fast path must leave to the poll.

use simsock_model::scenario::Scenario;
use simsock_sim::scenario::{Report, RunOptions, build, finish, load};
use simsock_tests::{load_file, scenario_files};

fn options(seed: u64) -> RunOptions {
    RunOptions {
        seed: Some(seed),
        ..RunOptions::default()
    }
}

/// Runs `scenario` at `seed`, polling every woken thread or not.
fn run(scenario: &Scenario, seed: u64, poll_every_wake: bool) -> Report {
    let mut world = build(scenario, &options(seed));
    world.poll_every_wake = poll_every_wake;
    finish(scenario, world)
}

/// How many wakes the fast path answered in a run of `scenario` at `seed`.
fn rewaits(scenario: &Scenario, seed: u64, poll_every_wake: bool) -> u64 {
    let mut world = build(scenario, &options(seed));
    world.poll_every_wake = poll_every_wake;
    let _ = world.run(); // a limit is part of the run compared in `assert_same`
    world.rewaits()
}

/// Asserts the fast path and the slow path ran `scenario` at `seed` alike;
/// returns how many wakes the fast path answered.
fn assert_same(scenario: &Scenario, seed: u64) -> u64 {
    let (fast, slow) = (run(scenario, seed, false), run(scenario, seed, true));
    let what = format!("{} at seed {seed}", scenario.name);
    assert_eq!(
        rewaits(scenario, seed, true),
        0,
        "{what}: the slow path polls every wake"
    );
    simsock_tests::assert_same_run(&fast, &slow, &what);
    rewaits(scenario, seed, false)
}

#[test]
fn every_bundled_scenario_runs_the_same_with_the_fast_path() {
    for path in scenario_files() {
        let scenario = load_file(&path);
        for seed in [scenario.seed, 2, 3] {
            assert_same(&scenario, seed);
        }
    }
}

/// Six workers share one listener (CB-C14's backlog aside, nothing is
/// refused). Clients connect at the same instant and one after another,
/// so most wakes find the queue taken. Around them, the cases the fast
/// path must leave to the poll: `quick` accepts and closes at once and
/// waits again inside its own wake-up (its place among the waiters moves);
/// `sel` waits in select on the listener; `boss` queues an APC to `w1`
/// while it waits in accept (CB-A1) and makes the listener nonblocking at
/// 1.5 s, so the waiters `late`'s connection wakes at 1.6 s fail with
/// WSAEWOULDBLOCK but the one that takes it (CB-N1), then closes it.
fn pool(shuffle_ties: bool) -> String {
    let worker = |name: &str| {
        format!(
            r#"Thread(host: "server", name: "{name}", start: "10ms", steps: [
            Repeat(times: 20, steps: [
                Accept(socket: "l", name: "c_{name}", expect: OneOf([Ok, Err(WSAEWOULDBLOCK), Err(WSAENOTSOCK), Err(WSAEINTR)])),
                Recv(socket: "c_{name}", max: 100),
                Close(socket: "c_{name}"),
            ]),
        ]),"#
        )
    };
    let workers: String = ["w1", "w2", "w3", "w4", "w5", "w6"]
        .iter()
        .map(|w| worker(w))
        .collect();
    let client = |i: usize, start_ms: usize| {
        format!(
            r#"Thread(host: "c{i}", name: "main", start: "{start_ms}ms", steps: [
            Repeat(times: 4, steps: [
                Socket(name: "s"),
                Connect(socket: "s", to: "10.0.0.100:80", expect: OneOf([Ok, Err(WSAECONNREFUSED), Err(WSAECONNRESET)])),
                Send(socket: "s", data: "hello"),
                Close(socket: "s"),
                Sleep("{start_ms}ms"),
            ]),
        ]),"#
        )
    };
    let clients: String = (1..=8).map(|i| client(i, 100 + (i % 3) * 7)).collect();
    let hosts: String = (1..=8)
        .map(|i| format!(r#"Host(name: "c{i}", addrs: ["10.0.0.{i}/24"]),"#))
        .collect();
    let links: String = (1..=8)
        .map(|i| format!(r#"Link(between: ("c{i}", "server"), latency: "1ms"),"#))
        .collect();
    format!(
        r#"Scenario(
    name: "accept-pool",
    shuffle_ties: {shuffle_ties},
    hosts: [{hosts} Host(name: "server", addrs: ["10.0.0.100/24"])],
    links: [{links}],
    threads: [
        Thread(host: "server", name: "boss", steps: [
            Socket(name: "l"),
            Bind(socket: "l", addr: "0.0.0.0:80"),
            Listen(socket: "l", backlog: 5),
            Sleep("50ms"),
            QueueApc(thread: "w1", steps: [GetSockName(socket: "l")]),
            SleepUntil("1500ms"),
            IoctlSocket(socket: "l", command: FIONBIO, value: 1),
            SleepUntil("1700ms"),
            IoctlSocket(socket: "l", command: FIONBIO, value: 0),
            SleepUntil("3s"),
            Close(socket: "l"),
        ]),
        {workers}
        Thread(host: "server", name: "quick", start: "10ms", steps: [
            Repeat(times: 10, steps: [
                Accept(socket: "l", name: "q", expect: OneOf([Ok, Err(WSAEWOULDBLOCK), Err(WSAENOTSOCK)])),
                Close(socket: "q", expect: OneOf([Ok, Err(WSAENOTSOCK)])),
            ]),
        ]),
        Thread(host: "server", name: "sel", start: "10ms", steps: [
            Repeat(times: 10, steps: [
                Select(read: ["l"], timeout: "2s", expect: OneOf([Value(0), Value(1), Err(WSAENOTSOCK)])),
                Sleep("30ms"),
            ]),
        ]),
        {clients}
        Thread(host: "c1", name: "late", start: "1600ms", steps: [
            Socket(name: "t"),
            Connect(socket: "t", to: "10.0.0.100:80"),
            Close(socket: "t"),
        ]),
    ],
)"#
    )
}

#[test]
fn an_accept_pool_runs_the_same_with_the_fast_path() {
    let mut rewaits = 0;
    for shuffle_ties in [false, true] {
        let scenario = load(&pool(shuffle_ties)).unwrap_or_else(|e| panic!("{e}"));
        for seed in 1..=12 {
            rewaits += assert_same(&scenario, seed);
        }
    }
    // The pool exercises the fast path, not only the cases it declines.
    assert!(rewaits > 100, "only {rewaits} wakes took the fast path");
}
