//! A sweep builds each seed's world from one `Prepared`, which makes the
//! next world from the last, in place (`Prepared::world`, its containers
//! emptied; issue 18, item 5). Such a world must run
//! as a new one: the same report, byte for byte.

use std::path::{Path, PathBuf};

use simsock_sim::scenario::{Prepared, RunOptions, run, run_prepared};
use simsock_sim::trace::TraceMode;
use simsock_tests::{load_file, scenario_files};

/// Seeds each scenario runs, one after the other on one `Prepared`.
const SEEDS: u64 = 6;

/// The benchmark scenarios beside the bundled ones.
fn bench_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/benches/scenarios");
    ["one-connect-refused.ron", "one-connect-refused-linux.ron"]
        .iter()
        .map(|f| dir.join(f))
        .collect()
}

/// Every bundled scenario, over several seeds, with the full trace and with
/// a sweep's options: each report of a world built on the storage the
/// previous seed's world left is the report of a world built from nothing
/// (its `Debug` text: digest, trace events, calls, failures, counts, end).
#[test]
fn a_sweeps_worlds_reuse_storage_and_run_as_new_ones() {
    let sweep = RunOptions {
        trace: TraceMode::DigestOnly,
        results_only: true,
        ..RunOptions::default()
    };
    for path in scenario_files().into_iter().chain(bench_files()) {
        let scenario = load_file(&path);
        for base in [RunOptions::default(), sweep] {
            let prepared = Prepared::new(&scenario);
            for seed in 0..SEEDS {
                let opts = RunOptions {
                    seed: Some(seed),
                    ..base
                };
                let reused = run_prepared(&scenario, &prepared, &opts);
                let new = run(&scenario, &opts);
                assert_eq!(
                    format!("{reused:?}"),
                    format!("{new:?}"),
                    "{} seed {seed} ({:?})",
                    path.display(),
                    opts.trace
                );
            }
        }
    }
}
