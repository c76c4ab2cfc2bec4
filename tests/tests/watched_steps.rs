//! A TCB step is reported to the Winsock layer only on a host where
//! something acts on it (`stack::Host::steps_watched`: network-event
//! notifications, ConnectEx, DisconnectEx, AcceptEx). These tests hold
//! that fast path to the slow one, a report after every step on every
//! host: the same trace (digest), engine events and call results on every
//! bundled scenario.

use simsock_model::scenario::Scenario;
use simsock_sim::scenario::{Report, RunOptions, build, finish};
use simsock_tests::{load_file, scenario_files};

/// Runs `scenario` at `seed`; with `watch_all`, every host reports every
/// step from the start (the slow path). Returns the report and how many
/// hosts ended up watched without being told to.
fn run(scenario: &Scenario, seed: u64, watch_all: bool) -> (Report, usize) {
    let options = RunOptions {
        seed: Some(seed),
        ..RunOptions::default()
    };
    let mut world = build(scenario, &options);
    for host in &mut world.hosts {
        host.steps_watched = watch_all;
    }
    let mut probe = build(scenario, &options);
    let _ = probe.run(); // a limit is part of the run compared below
    let watched = probe.hosts.iter().filter(|h| h.steps_watched).count();
    (finish(scenario, world), watched)
}

#[test]
fn every_bundled_scenario_runs_the_same_when_every_step_is_reported() {
    let (mut watched, mut unwatched) = (0, 0);
    for path in scenario_files() {
        let scenario = load_file(&path);
        for seed in [scenario.seed, 2] {
            let ((fast, hosts_watched), (slow, _)) =
                (run(&scenario, seed, false), run(&scenario, seed, true));
            let what = format!("{} at seed {seed}", scenario.name);
            simsock_tests::assert_same_run(&fast, &slow, &what);
            match hosts_watched {
                0 => unwatched += 1,
                _ => watched += 1,
            }
        }
    }
    // Both paths are exercised: scenarios that use notifications or the
    // ConnectEx family, and scenarios that use neither.
    assert!(watched > 0, "no scenario watched its steps");
    assert!(unwatched > 0, "every scenario watched its steps");
}
