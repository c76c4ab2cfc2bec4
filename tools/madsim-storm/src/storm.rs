//! The storm itself (compiled only with `--cfg madsim`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cpu_time::ProcessTime;
use madsim::net::{TcpListener, TcpStream};
use madsim::runtime::Runtime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;

const PORT: u16 = 7000;
const MSG_LEN: usize = 100;

/// Client `i`'s address: 10.a.b.c with 250 per /24 and 62,500 per /16, as
/// in the simsock storm (`storm_layout.rs`).
fn client_ip(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(
        10,
        (i / 62_500) as u8,
        (i / 250 % 250) as u8,
        (i % 250 + 1) as u8,
    )
}

/// Server `s`'s address, on 10.255.0.0/16.
fn server_ip(s: usize) -> Ipv4Addr {
    Ipv4Addr::new(10, 255, (s / 250) as u8, (s % 250 + 1) as u8)
}

/// The arguments: clients, cycles, servers and runs (1 when not given).
struct Args {
    n: usize,
    k: usize,
    servers: usize,
    runs: usize,
}

fn parse_args() -> Result<Args, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (n, k, s, runs) = match args.as_slice() {
        [n, k, s] => (n, k, s, "1"),
        [n, k, s, runs] => (n, k, s, runs.as_str()),
        _ => return Err("usage: simsock-madsim-storm N K SERVERS [RUNS]".into()),
    };
    let num = |t: &str| {
        t.parse::<usize>()
            .map_err(|e| format!("{t:?} is not a count: {e}"))
    };
    let (n, k, servers, runs) = (num(n)?, num(k)?, num(s)?, num(runs)?);
    if servers == 0 || servers > 62_500 || n > 16 * 62_500 {
        return Err(format!("{n} clients and {servers} servers: out of range"));
    }
    if runs == 0 || runs > 10_000 {
        return Err(format!("{runs} runs: out of range (1 to 10,000)"));
    }
    Ok(Args {
        n,
        k,
        servers,
        runs,
    })
}

/// Runs the storm `runs` times, one after another in this process (as the
/// simsock storm repeats its runs in its own), printing a line per run;
/// the exit code.
pub fn main() -> i32 {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("simsock-madsim-storm: {e}");
            return 2;
        }
    };
    for _ in 0..args.runs {
        if let Err(e) = run_once(&args) {
            eprintln!("madsim storm ({} x {}) failed: {e}", args.n, args.k);
            return 1;
        }
    }
    0
}

/// One timed storm and its line: `connections cpu_seconds wall_seconds
/// peak_rss_kib` (the peak of the process so far).
#[allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "benchmark: measuring wall-clock time is the point"
)]
fn run_once(args: &Args) -> Result<(), String> {
    let cpu = ProcessTime::now();
    let wall = std::time::Instant::now();
    let done = Arc::new(AtomicU64::new(0));
    simulate(args.n, args.k, args.servers, &done)?;
    let cpu_seconds = cpu.elapsed().as_secs_f64();
    let wall_seconds = wall.elapsed().as_secs_f64();
    let connections = done.load(Ordering::Relaxed);
    let expected = (args.n * args.k) as u64;
    if connections != expected {
        return Err(format!(
            "{connections} cycles completed, expected {expected}"
        ));
    }
    println!(
        "{connections} {cpu_seconds:.6} {wall_seconds:.6} {}",
        peak_rss_kib().unwrap_or(0)
    );
    Ok(())
}

/// The process's peak resident set (`VmHWM` in /proc/self/status), KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn simulate(n: usize, k: usize, servers: usize, done: &Arc<AtomicU64>) -> Result<(), String> {
    let mut config = madsim::Config::default();
    let latency = Duration::from_millis(1);
    config.net.send_latency = latency..latency + Duration::from_nanos(1);
    let mut rt = Runtime::with_seed_and_config(1, config);
    rt.set_time_limit(Duration::from_secs(3600));
    let mut bound = Vec::with_capacity(servers);
    for s in 0..servers {
        let node = rt.create_node().ip(IpAddr::V4(server_ip(s))).build();
        let (tx, rx) = oneshot::channel();
        node.spawn(serve(tx));
        bound.push(rx);
    }
    let nodes: Vec<_> = (0..n)
        .map(|c| rt.create_node().ip(IpAddr::V4(client_ip(c))).build())
        .collect();
    let done = Arc::clone(done);
    rt.block_on(async move {
        // madsim runs ready tasks in a random order: every listener is
        // bound before any client connects, as in simsock (its workers
        // start first) and turmoil (a refused connect would end the run).
        for rx in bound {
            rx.await.map_err(|_| "a server did not bind".to_string())?;
        }
        let clients: Vec<_> = nodes
            .iter()
            .enumerate()
            .map(|(c, node)| {
                let to = SocketAddr::new(IpAddr::V4(server_ip(c % servers)), PORT);
                node.spawn(client(c, k, to, Arc::clone(&done)))
            })
            .collect();
        for handle in clients {
            match handle.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(e),
                Err(e) => return Err(format!("client task: {e}")),
            }
        }
        Ok(())
    })
}

async fn serve(bound: oneshot::Sender<()>) {
    let listener = TcpListener::bind((Ipv4Addr::UNSPECIFIED, PORT))
        .await
        .expect("bind");
    let _ = bound.send(());
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        // Errors here surface on the client side (bad echo or reset).
        madsim::task::spawn(async move {
            let _ = echo(stream).await;
        });
    }
}

/// Server side of one connection: echo 100 bytes, then read until EOF.
async fn echo(mut stream: TcpStream) -> std::io::Result<()> {
    let mut buf = [0u8; MSG_LEN];
    stream.read_exact(&mut buf).await?;
    stream.write_all(&buf).await?;
    // madsim's stream sends what was written when it is flushed.
    stream.flush().await?;
    while stream.read(&mut buf).await? != 0 {}
    Ok(())
}

async fn client(c: usize, k: usize, to: SocketAddr, done: Arc<AtomicU64>) -> Result<(), String> {
    for cycle in 0..k {
        let msg: Vec<u8> = (0..MSG_LEN).map(|i| (c + cycle + i) as u8).collect();
        let io = |e: std::io::Error| format!("client{c} cycle {cycle}: {e}");
        let mut stream = TcpStream::connect(to).await.map_err(io)?;
        stream.write_all(&msg).await.map_err(io)?;
        stream.flush().await.map_err(io)?;
        let mut reply = [0u8; MSG_LEN];
        stream.read_exact(&mut reply).await.map_err(io)?;
        if reply[..] != msg[..] {
            return Err(format!("client{c} cycle {cycle}: echo mismatch"));
        }
        drop(stream); // the client closes first
        done.fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}
