//! libFuzzer target: any bytes as a scenario file. `load` (parse and check)
//! must answer with a scenario or an error, never panic; an accepted
//! scenario runs for at most 20,000 events.
#![no_main]

use libfuzzer_sys::fuzz_target;
use simsock_model::scenario::{Step, ThreadSpec};
use simsock_sim::scenario::{RunOptions, load, run};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match load(text) {
        Err(e) => {
            let _ = e.to_string();
            let _ = e.line_col(text);
        }
        Ok(mut scenario) => {
            // Steps that take no simulated time count against no run limit
            // (issue 15, item 1): keep the unrolled size small.
            if unrolled(&scenario.threads) > 200_000 {
                return;
            }
            scenario.limits.max_events = scenario.limits.max_events.min(20_000);
            let _ = run(&scenario, &RunOptions::default());
        }
    }
});

/// Steps once every `Repeat` is unrolled (an empty body counts one a round).
fn unrolled(threads: &[ThreadSpec]) -> u64 {
    fn steps(list: &[Step]) -> u64 {
        list.iter()
            .map(|s| match s {
                Step::Repeat {
                    times,
                    steps: inner,
                } => u64::from(*times).saturating_mul(1 + steps(inner)),
                _ => 1,
            })
            .fold(0, u64::saturating_add)
    }
    threads
        .iter()
        .map(|t| steps(&t.steps))
        .fold(0, u64::saturating_add)
}
