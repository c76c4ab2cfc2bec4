//! How long `check` takes on a large scenario
//! (`cargo bench -p simsock-tools --bench check`; issue 15, item 3).
//!
//! The scenario: one host, `T` threads of `S` steps each (a `Socket`, then
//! `Close`s of it), the file that took 45 s in `check` at 1,000 x 1,000
//! before the per-host names were computed once. Printed per size: the
//! text's size, the CPU time of the parse (RON into the model) and of the
//! semantic check, each the best of `CHECK_REPEAT` runs (default 3).
//!
//! Environment: `CHECK_SIZES`, default `1000x1000,10000x100` (`TxS`).

use std::time::Duration;

use cpu_time::ProcessTime;

fn main() {
    let sizes = std::env::var("CHECK_SIZES").unwrap_or_else(|_| "1000x1000,10000x100".into());
    let repeat: usize = std::env::var("CHECK_REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    println!("threads x steps   text MB   parse s   check s");
    for size in sizes.split(',') {
        let Some((threads, steps)) = size.split_once('x') else {
            panic!("CHECK_SIZES: `{size}` is not TxS");
        };
        let (threads, steps) = (threads.parse().expect("T"), steps.parse().expect("S"));
        let text = scenario(threads, steps);
        let (mut parse, mut check) = (Duration::MAX, Duration::MAX);
        for _ in 0..repeat.max(1) {
            let start = ProcessTime::now();
            let scenario = simsock_sim::scenario::parse(&text).expect("parses");
            let parsed = ProcessTime::now();
            simsock_sim::scenario::check(&scenario, &text).expect("passes the check");
            parse = parse.min(parsed.duration_since(start));
            check = check.min(parsed.elapsed());
        }
        println!(
            "{:>7} x {:<7} {:>7.1} {:>9.3} {:>9.3}",
            threads,
            steps,
            text.len() as f64 / 1e6,
            parse.as_secs_f64(),
            check.as_secs_f64()
        );
    }
}

/// `threads` threads on one host, each a `Socket` and `steps - 1` `Close`s.
fn scenario(threads: usize, steps: usize) -> String {
    let mut text = String::from(
        "Scenario(name: \"big\", hosts: [Host(name: \"h\", addrs: [\"10.0.0.1/24\"])], threads: [\n",
    );
    for t in 0..threads {
        text.push_str(&format!(
            "Thread(host: \"h\", name: \"t{t}\", steps: [Socket(name: \"s{t}\")"
        ));
        for _ in 1..steps {
            text.push_str(&format!(", Close(socket: \"s{t}\")"));
        }
        text.push_str("]),\n");
    }
    text.push_str("])\n");
    text
}
