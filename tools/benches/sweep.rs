//! Runs per CPU-second of `simsock sweep` (`cargo bench -p simsock-tools
//! --bench sweep`; issue 18, item 5).
//!
//! Each scenario is swept by the real binary, `simsock sweep FILE --seeds
//! 0..N -j 1`, as a child process; its CPU time (user+sys, from
//! `/proc/self/stat`) covers everything a sweep pays: loading
//! and checking the file once, then per seed the world, the run, the trace
//! digest, the outcome and the summary. Printed per scenario: seeds, CPU
//! seconds and runs per CPU-second.
//!
//! Beside them, in this process, turmoil 0.7's minimal refused-connect
//! loop: per seed a new simulation (1 ms links, that seed), a server host
//! that listens on nothing and a client whose `TcpStream::connect` must
//! fail with `ConnectionRefused`. The one-connect scenarios are its twins:
//! `one-connect-refused.ron` under the default (Windows) profile, whose
//! refusal takes five SYNs (CB-C14), and `one-connect-refused-linux.ron`,
//! refused at the first SYN as in turmoil; their ratio to turmoil is
//! printed.
//!
//! Environment:
//! - `SWEEP_SEEDS`: seeds per scenario (and turmoil loops), default 50000.
//! - `SWEEP_FILES`: comma-separated scenario files (relative to the
//!   repository root), default the five above.
//! - `SWEEP_BIN`: the `simsock` binary to time, default this build's; set
//!   it to compare two builds in interleaved runs.
//! - `SWEEP_TURMOIL`: `none` skips turmoil.

#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "benchmark: measuring CPU time is the point"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use cpu_time::ProcessTime;

/// The default scenarios, relative to the repository root.
const FILES: [&str; 5] = [
    "scenarios/refused.ron",
    "scenarios/timeout.ron",
    "scenarios/reuse.ron",
    "tools/benches/scenarios/one-connect-refused.ron",
    "tools/benches/scenarios/one-connect-refused-linux.ron",
];

fn main() {
    let seeds: u64 = env_or("SWEEP_SEEDS", 50_000);
    let files = std::env::var("SWEEP_FILES").unwrap_or_else(|_| FILES.join(","));
    let bin = std::env::var("SWEEP_BIN").map_or_else(
        |_| PathBuf::from(env!("CARGO_BIN_EXE_simsock")),
        PathBuf::from,
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let turmoil = match std::env::var("SWEEP_TURMOIL").as_deref() {
        Ok("none") => None,
        _ => Some(turmoil_refused(seeds)),
    };
    println!("scenario                                  seeds     CPU s   runs/CPU-s   x turmoil");
    for file in files.split(',') {
        let cpu_s = sweep_cpu_seconds(&bin, &root, file, seeds);
        let rate = seeds as f64 / cpu_s;
        let ratio = match turmoil {
            Some(t) if file.contains("one-connect") => format!("{:>11.2}", rate / t),
            _ => String::new(),
        };
        let name = Path::new(file)
            .file_name()
            .map_or(file.into(), |n| n.to_string_lossy());
        println!("{name:<40} {seeds:>7} {cpu_s:>9.3} {rate:>12.0}{ratio}");
    }
    if let Some(rate) = turmoil {
        let cpu_s = seeds as f64 / rate;
        println!(
            "{:<40} {seeds:>7} {cpu_s:>9.3} {rate:>12.0}",
            "turmoil 0.7 minimal refused connect"
        );
    }
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Sweeps `file` over seeds `0..seeds` on one worker; the child's CPU time.
fn sweep_cpu_seconds(bin: &Path, root: &Path, file: &str, seeds: u64) -> f64 {
    let before = children_cpu_seconds();
    let status = Command::new(bin)
        .current_dir(root)
        .args(["sweep", file, "--seeds", &format!("0..{seeds}"), "-j", "1"])
        .stdout(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    assert!(status.success(), "simsock sweep {file}: {status}");
    children_cpu_seconds() - before
}

/// User+sys time of the waited-for children of this process: fields 16
/// and 17 of `/proc/self/stat` (cutime, cstime; proc(5)), in clock ticks
/// of 10 ms (`USER_HZ`, 100 on Linux), so a sweep should take a second or
/// more.
fn children_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat (Linux)");
    // The command name (field 2) is in parentheses and may hold spaces.
    let after_name = &stat[stat.rfind(')').expect("(comm)") + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |n: usize| -> f64 { fields[n - 3].parse().expect("clock ticks") };
    (ticks(16) + ticks(17)) / 100.0
}

/// Runs per CPU-second of turmoil's minimal refused-connect loop.
fn turmoil_refused(seeds: u64) -> f64 {
    let start = ProcessTime::now();
    for seed in 0..seeds {
        refused_once(seed);
    }
    seeds as f64 / start.elapsed().as_secs_f64()
}

/// One simulation: the client's connect to a port nobody listens on.
fn refused_once(seed: u64) {
    let latency = Duration::from_millis(1);
    let mut sim = turmoil::Builder::new()
        .tick_duration(Duration::from_millis(1))
        .min_message_latency(latency)
        .max_message_latency(latency)
        .fail_rate(0.0)
        .rng_seed(seed)
        .build();
    sim.host("server", || async {
        std::future::pending::<()>().await;
        Ok(())
    });
    sim.client("client", async {
        let refused = turmoil::net::TcpStream::connect(("server", 80)).await;
        match refused {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => Ok(()),
            other => Err(format!("expected ConnectionRefused, got {other:?}").into()),
        }
    });
    sim.run().expect("the connect is refused");
}
