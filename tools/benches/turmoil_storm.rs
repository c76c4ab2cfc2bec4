//! The "connection storm" benchmark, run on turmoil 0.7 so that it can be
//! compared with simsock.
//!
//! CPU time is measured with the `cpu-time` crate (`cpu_time::ProcessTime`,
//! i.e. user+sys of the whole process, via `clock_gettime`).
//!
//! Setup, matching the simsock storm: one server host and `n` client hosts,
//! every link with exactly 1 ms latency (min = max latency), no message loss,
//! 1 ms ticks, a fixed rng seed. Each client runs `k` cycles one after another:
//! TCP connect to the server, send 100 bytes, read the 100-byte echo and check
//! it, then close (the client closes first). The server accepts forever and,
//! for each connection, reads 100 bytes, writes them back, reads until EOF and
//! drops the stream.
//!
//! Differences with simsock: turmoil has no real TCP (no handshake packets
//! beyond SYN, no TIME_WAIT, no retransmission), and each turmoil host owns a
//! tokio runtime, so the cost grows with the number of hosts. The measured CPU
//! time covers building the simulation (registering every host) and running it.

use std::cell::Cell;
use std::net::{IpAddr, Ipv4Addr};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::time::Duration;

use cpu_time::ProcessTime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use turmoil::net::{TcpListener, TcpStream};

const PORT: u16 = 7000;
const MSG_LEN: usize = 100;

/// Outcome of one turmoil storm run.
pub struct TurmoilStats {
    /// Completed client cycles whose echo matched what was sent (`n * k`).
    pub connections: u64,
    /// Process CPU time (user+sys) spent building and running the simulation.
    pub cpu_seconds: f64,
    /// Wall-clock time of the same span.
    pub wall_seconds: f64,
}

/// Runs the storm; returns None if turmoil fails (e.g. too many hosts), with the reason printed to stderr.
#[allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "benchmark tool: measuring wall-clock time is the point"
)]
pub fn run(n_clients: usize, k_cycles: usize) -> Option<TurmoilStats> {
    let cpu_start = ProcessTime::try_now()
        .map_err(|e| eprintln!("turmoil storm: cannot read process CPU time: {e}"))
        .ok()?;
    let wall_start = std::time::Instant::now();
    let done = Rc::new(Cell::new(0u64));

    // turmoil reports some failures (full accept queue, address space
    // exhausted, ...) by panicking; turn those into `None` as well.
    let outcome = catch_unwind(AssertUnwindSafe(|| simulate(n_clients, k_cycles, &done)));
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            eprintln!("turmoil storm ({n_clients} x {k_cycles}) failed: {e}");
            return None;
        }
        Err(_) => {
            eprintln!("turmoil storm ({n_clients} x {k_cycles}) panicked (message above)");
            return None;
        }
    }

    let cpu = cpu_start
        .try_elapsed()
        .map_err(|e| eprintln!("turmoil storm: cannot read process CPU time: {e}"))
        .ok()?;
    let wall = wall_start.elapsed();
    let connections = done.get();
    let expected = (n_clients * k_cycles) as u64;
    if connections != expected {
        eprintln!("turmoil storm: {connections} cycles completed, expected {expected}");
        return None;
    }
    Some(TurmoilStats {
        connections,
        cpu_seconds: cpu.as_secs_f64(),
        wall_seconds: wall.as_secs_f64(),
    })
}

/// Builds and runs the simulation; `done` counts completed client cycles.
fn simulate(n_clients: usize, k_cycles: usize, done: &Rc<Cell<u64>>) -> turmoil::Result {
    let latency = Duration::from_millis(1);
    let mut sim = turmoil::Builder::new()
        .simulation_duration(Duration::from_secs(3600))
        .tick_duration(Duration::from_millis(1))
        .min_message_latency(latency)
        .max_message_latency(latency)
        .fail_rate(0.0)
        // The accept queue is bounded by this and turmoil panics when it
        // overflows; every client may have a SYN pending at once.
        .tcp_capacity(n_clients.max(64))
        .rng_seed(0x5EED)
        .build();

    sim.host("server", || async {
        let listener = TcpListener::bind((IpAddr::V4(Ipv4Addr::UNSPECIFIED), PORT)).await?;
        loop {
            let (stream, _) = listener.accept().await?;
            // Errors here surface on the client side (bad echo or reset).
            tokio::task::spawn_local(async move {
                let _ = echo(stream).await;
            });
        }
    });

    for c in 0..n_clients {
        let done = Rc::clone(done);
        sim.client(format!("client{c}"), async move {
            for cycle in 0..k_cycles {
                let msg: Vec<u8> = (0..MSG_LEN).map(|i| (c + cycle + i) as u8).collect();
                let mut stream = TcpStream::connect(("server", PORT)).await?;
                stream.write_all(&msg).await?;
                let mut reply = [0u8; MSG_LEN];
                stream.read_exact(&mut reply).await?;
                if reply[..] != msg[..] {
                    return Err(format!("client{c} cycle {cycle}: echo mismatch").into());
                }
                drop(stream); // client closes first
                done.set(done.get() + 1);
            }
            Ok(())
        });
    }

    sim.run()
}

/// Server side of one connection: echo 100 bytes, then read until EOF.
async fn echo(mut stream: TcpStream) -> std::io::Result<()> {
    let mut buf = [0u8; MSG_LEN];
    stream.read_exact(&mut buf).await?;
    stream.write_all(&buf).await?;
    while stream.read(&mut buf).await? != 0 {}
    Ok(())
}
