//! The connection storm written with `simsock_sim::async_net` (issue 13,
//! item 8): the same code as the turmoil twin (`turmoil_storm.rs`), a tokio
//! task per connection on the server, each client a loop of `k` cycles,
//! on the storm's own scenario (`direct`: 1 ms links, full TCP and
//! TIME_WAIT). CPU time as in the other storms (`cpu_time::ProcessTime`),
//! building the simulation included.

use std::cell::Cell;
use std::rc::Rc;

use cpu_time::ProcessTime;
use simsock_model::limits::{RUN_LIMIT_CEILING, RunLimits};
use simsock_model::scenario::Scenario;
use simsock_sim::async_net::{Sim, TcpListener, TcpStream};
use simsock_sim::trace::TraceMode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PORT: u16 = 7000;
const MSG_LEN: usize = 100;

/// Outcome of one async storm run.
pub struct AsyncStats {
    pub connections: u64,
    pub cpu_seconds: f64,
    pub wall_seconds: f64,
}

#[allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "benchmark tool: measuring wall-clock time is the point"
)]
/// Runs `n` clients x `k` cycles on `scenario`; `None` (reason on stderr)
/// if a cycle failed.
pub fn run(mut scenario: Scenario, n: usize, k: usize) -> Option<AsyncStats> {
    // The library checks limits against the ceiling a scenario file may
    // write; the Op-level storm's unbounded ones are above it.
    scenario.limits = RunLimits {
        max_time: scenario.limits.max_time,
        ..RUN_LIMIT_CEILING
    };
    let cpu = ProcessTime::try_now().ok()?;
    let wall = std::time::Instant::now();
    let done = Rc::new(Cell::new(0u64));
    let mut sim = Sim::new(scenario)
        .map_err(|e| eprintln!("async storm: {e}"))
        .ok()?
        .trace(TraceMode::Off)
        .record_calls(false)
        .invariants(false); // as the Op-level storm (`run_simsock`)
    sim.host("server", serve);
    for c in 0..n {
        let done = done.clone();
        sim.client(&format!("client{c}"), async move {
            for cycle in 0..k {
                let msg: Vec<u8> = (0..MSG_LEN).map(|i| (c + cycle + i) as u8).collect();
                let mut stream = TcpStream::connect(("server", PORT)).await?;
                stream.write_all(&msg).await?;
                let mut reply = [0u8; MSG_LEN];
                stream.read_exact(&mut reply).await?;
                if reply[..] != msg[..] {
                    return Err(std::io::Error::other(format!("client{c}: echo mismatch")));
                }
                drop(stream); // the client closes first
                done.set(done.get() + 1);
            }
            Ok(())
        });
    }
    let outcome = sim.run();
    let cpu = cpu.try_elapsed().ok()?;
    if let Some(failed) = outcome.clients.iter().find(|c| c.result.is_err()) {
        eprintln!("async storm {n}x{k}: {}: {:?}", failed.host, failed.result);
        return None;
    }
    Some(AsyncStats {
        connections: done.get(),
        cpu_seconds: cpu.as_secs_f64(),
        wall_seconds: wall.elapsed().as_secs_f64(),
    })
}

/// The server: a task per connection.
async fn serve() -> std::io::Result<()> {
    let listener = TcpListener::bind(("0.0.0.0", PORT)).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::task::spawn_local(async move {
            let _ = echo(stream).await;
        });
    }
}

/// Server side of one connection: echo 100 bytes, then read until EOF.
async fn echo(mut stream: TcpStream) -> std::io::Result<()> {
    let mut buf = [0u8; MSG_LEN];
    stream.read_exact(&mut buf).await?;
    stream.write_all(&buf).await?;
    while stream.read(&mut buf).await? > 0 {}
    Ok(())
}
