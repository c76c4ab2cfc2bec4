//! Sizing hints (`World::reserve`, `stack::Host::reserve_connections`;
//! issue 18, flat cost with size): a world told how much it will hold at
//! once allocates its tables once. A hint changes capacity only, never the
//! run: the same report byte for byte, and the same room used.

use simsock_sim::World;
use simsock_sim::scenario::{RunOptions, build, finish, run};
use simsock_sim::world::Room;
use simsock_tests::{load_file, scenario_files};

/// Seeds each scenario runs.
const SEEDS: u64 = 3;

/// Room for more than any bundled scenario holds at once.
const GENEROUS: Room = Room {
    packets: 4096,
    timers: 4096,
};

/// TCBs each host is told to make room for in the generous case.
const CONNECTIONS: usize = 64;

fn reserve_generously(world: &mut World) {
    world.reserve(GENEROUS);
    for host in &mut world.hosts {
        host.reserve_connections(CONNECTIONS);
    }
}

/// Every bundled scenario, over several seeds: the report of a world with
/// room made in every table is the report of the same world without (its
/// `Debug` text: digest, trace events, calls, failures, counts, end).
#[test]
fn a_world_with_room_made_runs_as_one_without() {
    for path in scenario_files() {
        let scenario = load_file(&path);
        for seed in 0..SEEDS {
            let opts = RunOptions {
                seed: Some(seed),
                ..RunOptions::default()
            };
            let mut world = build(&scenario, &opts);
            reserve_generously(&mut world);
            assert!(world.room_made().packets >= GENEROUS.packets);
            assert!(world.room_made().timers >= GENEROUS.timers);
            let reserved = finish(&scenario, world);
            let plain = run(&scenario, &opts);
            assert_eq!(
                format!("{reserved:?}"),
                format!("{plain:?}"),
                "{} seed {seed}",
                path.display()
            );
        }
    }
}

/// A world sized by what the same run held at the most (`room_used`, each
/// host's TCB slots) never grows those tables while it runs, and uses the
/// same room as the first run.
#[test]
fn room_made_from_room_used_holds_the_run_without_growth() {
    let mut sized = 0;
    for path in scenario_files() {
        let scenario = load_file(&path);
        let opts = RunOptions::default();
        let mut first = build(&scenario, &opts);
        let _ = first.run();
        let used = first.room_used();
        let tcbs: Vec<usize> = first.hosts.iter().map(|h| h.tcbs.len()).collect();

        let mut world = build(&scenario, &opts);
        world.reserve(used);
        for (host, &n) in world.hosts.iter_mut().zip(&tcbs) {
            host.reserve_connections(n);
        }
        let made = world.room_made();
        let capacities: Vec<usize> = world.hosts.iter().map(|h| h.tcbs.capacity()).collect();
        let _ = world.run();
        let name = path.display();
        assert_eq!(world.trace().digest(), first.trace().digest(), "{name}");
        assert_eq!(world.room_used(), used, "{name}: the same room used");
        assert_eq!(world.room_made(), made, "{name}: the tables grew");
        for (i, host) in world.hosts.iter().enumerate() {
            assert_eq!(host.tcbs.len(), tcbs[i], "{name} host {i}");
            assert_eq!(host.tcbs.capacity(), capacities[i], "{name} host {i}");
        }
        sized += usize::from(used.packets > 0 && used.timers > 0);
    }
    assert!(
        sized > 50,
        "only {sized} scenarios sent packets and armed timers"
    );
}
