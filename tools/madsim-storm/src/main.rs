//! The connection storm of `tools/benches/storm.rs`, run on madsim 0.2 so
//! that the bench can print simsock, turmoil and madsim from one invocation.
//!
//! Usage: `simsock-madsim-storm N K SERVERS [RUNS]`. Runs the storm RUNS
//! times (default 1) one after another in this process and prints a line
//! per run, `connections cpu_seconds wall_seconds peak_rss_kib`, or an
//! error on stderr and exit code 1. The storm bench builds it with
//! `RUSTFLAGS="--cfg madsim"` (in `target/madsim-storm`) and runs it once
//! per size with its `STORM_REPEAT` as RUNS, as it repeats simsock's runs
//! in its own process: a run in a fresh process pays for its cold caches
//! and first-touched pages (simsock's first run at 10 x 1 is about 5x
//! slower than its later ones). CPU time is the process's user+sys
//! (`cpu_time::ProcessTime`), read outside the madsim runtime (madsim
//! replaces `clock_gettime` inside it).
//!
//! Setup, matching the simsock storm: `SERVERS` server nodes and `N` client
//! nodes, client `i` talking to server `i % SERVERS` (as simsock spreads the
//! clients beyond one listen backlog); every message takes 1 ms (madsim
//! draws the latency from a range: `1 ms..1 ms + 1 ns`); no loss; seed 1.
//! Each client runs `K` cycles: connect, send 100 bytes, read the 100-byte
//! echo and check it, close (the client first). Each server accepts forever
//! and spawns a task per connection that echoes and reads until EOF.
//!
//! Differences with simsock: madsim's TCP is a message channel (a connect is
//! one request, no handshake segments, ACKs, FIN exchange or TIME_WAIT), and
//! its server spawns a task per connection where simsock's has 16 workers.

#[cfg(madsim)]
mod storm;

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[cfg(madsim)]
fn main() {
    std::process::exit(storm::main());
}

#[cfg(not(madsim))]
fn main() {
    eprintln!(
        "simsock-madsim-storm: built without --cfg madsim, so madsim would use the real network; \
         build it with RUSTFLAGS=\"--cfg madsim\""
    );
    std::process::exit(2);
}
