//! The connection storm benchmark (`cargo bench -p simsock-tools --bench storm`).
//!
//! `n` client hosts each run `k` cycles, one after another: socket, connect
//! to their server, send 100 bytes, receive the 100-byte echo (checked),
//! close. The client closes first, so every cycle leaves a TIME_WAIT record
//! on its client. Each server runs `w` worker threads, each looping accept,
//! recv, send (the echo), recv until 0, closesocket. Up to 1,024 clients
//! (one listen backlog) there is one server; past that one server per 1,024
//! clients, up to 1,000,000 clients on 10.0.0.0-10.15.255.255
//! (`storm_layout.rs`). Every link has a latency of exactly 1 ms. Two
//! topologies: `direct`, a link from each client to its server (one hop per
//! message, as in turmoil), and `router`, every client and server linked to
//! one router (two hops). Full TCP: handshake, ACKs, FIN in both
//! directions, TIME_WAIT (240 s; the run stops at 200 s of simulated time,
//! so every record is still there when it is counted).
//!
//! Printed, per size: simulated connections per CPU-second and engine events
//! per CPU-second (building and dropping the world included, as in the
//! other runs); the same storm on turmoil 0.7 (`turmoil_storm.rs`, in this
//! process) and on madsim 0.2 (`madsim_storm.rs`, a subprocess built with `--cfg madsim`),
//! and simsock's ratio to each; the memory held per TIME_WAIT record,
//! measured three ways, and the heap of the built world per host, before
//! any host connects.
//!
//! Environment:
//! - `STORM_SIZES`: simsock sizes, default `10x100,100x100,100x1000,1000x100`
//!   (`NxK`, N up to 1,000,000; e.g. `1000000x1` or `100000x10`). The two
//!   100k rows separate the number of connections from the number of hosts
//!   that are active at once.
//! - `STORM_TURMOIL`: turmoil sizes, default `10x100,100x100`; turmoil takes
//!   minutes at 1000 hosts, so add `1000x100` only on purpose; `none` skips it.
//! - `STORM_MADSIM`: madsim sizes, default the simsock sizes; `none` skips
//!   madsim (and its build). `STORM_MADSIM_BIN`: a madsim storm binary built
//!   beforehand (see `madsim_storm.rs`).
//! - `STORM_WORKERS`: worker threads per server, default 16.
//! - `STORM_TOPOLOGY`: `direct`, `router` or both (the default, `direct,router`).
//! - `STORM_REPEAT`: simsock runs per size and topology, default 3; the
//!   best (least CPU) is printed; madsim runs as often, one after another
//!   in one child process, as simsock's in this one (a first run in a
//!   fresh process pays for cold caches and first-touched pages). Turmoil
//!   runs once.
//! - `STORM_PICK`: which of the `STORM_REPEAT` runs a row prints, for
//!   simsock, madsim and the bare loop alike: `best` (the default, least
//!   CPU: the run least disturbed by other processes) or `median` (the
//!   middle run by CPU time; of an even count the slower middle one). At
//!   sizes where a run takes well under a millisecond (10 or 100 hosts x 1)
//!   the process CPU clock reads some runs microseconds short, and the best
//!   of many runs is such a run; take the median of many there
//!   (`STORM_PICK=median STORM_REPEAT=21`).
//! - `STORM_ASYNC`: sizes of the storm written with `async_net` (a tokio
//!   task per connection; `async_storm.rs`), default `10x100,100x100`,
//!   `direct` topology, one run each; `none` skips it.
//! - `STORM_BARE`: sizes of the same storm as a bare event loop (a binary
//!   heap of the 9 packet arrivals per connection and nothing else;
//!   `storm_bare.rs`), the ceiling simsock is measured against, default the
//!   simsock sizes; best of `STORM_REPEAT` runs, printed beside simsock's
//!   `direct` rows; `none` skips it.
//! - `STORM_DEL_ACK_TICKS`: every host's `tcp_del_ack_ticks`, default 2
//!   (Windows' 200 ms delayed ACK); 0 acknowledges every segment at once,
//!   two more packets per connection (the server's ACK of the request and
//!   the client's ACK of the echo).
//!
//! CPU time is the process's user+sys time (`cpu_time::ProcessTime`); the
//! run is single-threaded. The allocator is the simsock binary's: jemalloc
//! with transparent huge pages (`.cargo/config.toml`), built with its
//! statistics, from whose per-thread counters the memory figures are read
//! (`live_bytes`).

#![allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "benchmark: measuring wall-clock time is the point"
)]

mod async_storm;
mod madsim_storm;
mod storm_bare;
mod storm_layout;
mod turmoil_storm;

use std::cell::{Cell, RefCell};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::Path;
use std::rc::Rc;

use cpu_time::ProcessTime;
use simsock_model::scenario::{Family, Kind, Scenario};
use simsock_model::{HostProfile, SimDuration, SimTime};
use simsock_sim::World;
use simsock_sim::scenario::{RunOptions, build};
use simsock_sim::thread::Completed;
use simsock_sim::trace::TraceMode;
use simsock_sim::winsock::{Op, Value};
use simsock_sim::world::{LimitError, Room};
use storm_layout::{BACKLOG, Layout, Topology, servers_for};

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const PORT: u16 = 7000;
const MSG_LEN: usize = 100;

/// What the bench programs saw: completed cycles and the first failure.
#[derive(Default)]
struct Tally {
    cycles: Cell<u64>,
    echoes: Cell<u64>,
    /// When the last client cycle ended.
    end: Cell<SimTime>,
    failure: RefCell<Option<String>>,
}

impl Tally {
    fn fail(&self, what: String) {
        self.failure.borrow_mut().get_or_insert(what);
    }
}

/// Outcome of one simsock storm.
struct SimStats {
    connections: u64,
    events: u64,
    sim_seconds: f64,
    cpu_seconds: f64,
    wall_seconds: f64,
    client_time_wait: usize,
    server_time_wait: usize,
    /// `TimeWaitTable::bytes_allocated` summed over hosts.
    tw_estimate: usize,
    /// Bytes the allocator got back when every TIME_WAIT table was dropped.
    tw_freed: usize,
    /// Live heap growth over the whole storm (world built to end of storm).
    growth: i64,
    /// Live heap of the built world with its programs, before any host
    /// has connected (the scenario it was built from excluded).
    world_bytes: i64,
    /// Hosts in the world (servers and clients).
    hosts: usize,
}

/// Every host's profile: Windows as observed, with the bench's changes.
fn profile() -> HostProfile {
    HostProfile {
        tcp_del_ack_ticks: std::env::var("STORM_DEL_ACK_TICKS")
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or(HostProfile::default().tcp_del_ack_ticks),
        // Every client connects at once: the listen backlog (1024) must
        // hold all of a server's clients, past Windows' cap of 200.
        listen_backlog_max: BACKLOG as u16,
        // The documents' 240 s (TcpTimedWaitDelay's default before Windows
        // 10): the run stops at 200 s, so every record is still live when
        // it is counted. Windows 10/11 as observed keep 120 s (the default
        // profile), which would end them all before the count.
        tcp_timed_wait_delay: SimDuration::from_secs(240),
        ..HostProfile::default()
    }
}

/// Which bench program a failure is about.
///
/// Performance: the name is built only for a failure; formatting it per
/// program at spawn was half of the harness's own cost at 10 hosts x 1
/// (the madsim and turmoil harnesses build no such name either).
#[derive(Clone, Copy)]
enum Who {
    Client(usize),
    Worker { server: usize, worker: usize },
}

impl std::fmt::Display for Who {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Who::Client(c) => write!(f, "client{c}"),
            Who::Worker { server, worker } => {
                write!(f, "{}/worker{worker}", Layout::server_name(server))
            }
        }
    }
}

/// The names of each server worker's thread and socket variable
/// (`worker<w>`, `c<w>`), made once per bench rather than per run: they
/// are the same in every world.
struct WorkerNames(Vec<(String, String)>);

impl WorkerNames {
    fn new(workers: usize) -> WorkerNames {
        WorkerNames(
            (0..workers)
                .map(|w| (format!("worker{w}"), format!("c{w}")))
                .collect(),
        )
    }
}

/// Whether a call completed with `Ok`, else records why not.
fn ok(tally: &Tally, who: Who, done: &Completed<'_>) -> Option<Value> {
    match done.result {
        Ok(v) => Some(v),
        Err(e) => {
            tally.fail(format!("{who}: {:?} failed with {}", done.op, e.name()));
            None
        }
    }
}

/// The messages `clients` clients send: client `c` sends bytes `c + i`
/// (wrapping), `messages(clients)[c % 256]`.
///
/// Memory: one shared copy of each of the 256 distinct messages rather
/// than one per client (128 bytes a client, 12.8 MB at 100,000 hosts;
/// issue 18, flat cost with size). The bytes sent are the same. Fewer
/// clients make only their own: 256 at 10 clients were 13k instructions
/// a connection of the timed run.
fn messages(clients: usize) -> Vec<Rc<[u8]>> {
    (0..clients.min(256))
        .map(|c| (0..MSG_LEN).map(|i| (c + i) as u8).collect())
        .collect()
}

/// One client: `k` cycles of socket, connect, send, recv (checked), close;
/// `msg` is its message (`messages`).
fn client(
    world: &mut World,
    layout: &Layout,
    c: usize,
    k: usize,
    msg: Rc<[u8]>,
    tally: &Rc<Tally>,
) {
    let host = layout.client_host(c);
    let server = layout.server_ip(layout.server_of(c));
    let s = world.hosts[host].slot_named("s");
    let to = SocketAddr::V4(SocketAddrV4::new(server, PORT));
    let tally = Rc::clone(tally);
    let mut left = k;
    let who = Who::Client(c);
    let program = move |last: Option<&Completed<'_>>| -> Option<Op> {
        let Some(done) = last else {
            return (left > 0).then_some(Op::Socket {
                slot: s,
                family: Family::Inet,
                kind: Kind::Stream,
            });
        };
        ok(&tally, who, done)?;
        match done.op {
            Op::Socket { .. } => Some(Op::Connect {
                slot: s,
                to,
                namelen: None,
            }),
            Op::Connect { .. } => Some(Op::Send {
                slot: s,
                data: Rc::clone(&msg),
            }),
            Op::Send { .. } => Some(Op::Recv {
                slot: s,
                max: MSG_LEN as u32,
            }),
            Op::Recv { .. } if done.received == &msg[..] => Some(Op::Close { slot: s }),
            Op::Recv { .. } => {
                tally.fail(format!("{who}: bad echo {:?}", done.received));
                None
            }
            Op::Close { .. } => {
                tally.cycles.set(tally.cycles.get() + 1);
                tally.end.set(tally.end.get().max(done.end));
                left -= 1;
                (left > 0).then_some(Op::Socket {
                    slot: s,
                    family: Family::Inet,
                    kind: Kind::Stream,
                })
            }
            _ => None,
        }
    };
    world.spawn_on(host as u32, "main", Box::new(program));
}

/// One worker of server `s`: accept, recv, echo, recv until 0, close,
/// forever. Worker 0 first opens the listener.
fn worker(world: &mut World, s: usize, w: usize, names: &WorkerNames, tally: &Rc<Tally>) {
    let (thread, slot) = &names.0[w];
    let server = &mut world.hosts[s];
    let l = server.slot_named("l");
    let c = server.slot_named(slot);
    let tally = Rc::clone(tally);
    let who = Who::Worker {
        server: s,
        worker: w,
    };
    // The echo buffer, reused: the previous send's copy is gone by the time
    // the next connection's data arrives.
    let mut echo: Rc<[u8]> = Rc::from(vec![0u8; MSG_LEN]);
    let mut echoed = false;
    let accept = Op::Accept { slot: l, into: c };
    let recv = Op::Recv {
        slot: c,
        max: MSG_LEN as u32,
    };
    let program = move |last: Option<&Completed<'_>>| -> Option<Op> {
        let Some(done) = last else {
            return Some(if w == 0 {
                Op::Socket {
                    slot: l,
                    family: Family::Inet,
                    kind: Kind::Stream,
                }
            } else {
                accept.clone()
            });
        };
        let value = ok(&tally, who, done)?;
        match done.op {
            Op::Socket { .. } => Some(Op::Bind {
                slot: l,
                addr: SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, PORT)),
            }),
            Op::Bind { .. } => Some(Op::Listen {
                slot: l,
                backlog: BACKLOG as u32,
            }),
            Op::Listen { .. } | Op::Close { .. } => Some(accept.clone()),
            Op::Accept { .. } => {
                echoed = false;
                Some(recv.clone())
            }
            Op::Recv { .. } if echoed => match value {
                Value::Bytes(0) => Some(Op::Close { slot: c }),
                _ => Some(recv.clone()),
            },
            Op::Recv { .. } => {
                // The 100 bytes come in one segment (MSS 1460), so one recv
                // gets them all; the client checks the echo.
                echoed = true;
                let data = match Rc::get_mut(&mut echo) {
                    Some(buf) if buf.len() == done.received.len() => {
                        buf.copy_from_slice(done.received);
                        Rc::clone(&echo)
                    }
                    _ => Rc::from(done.received),
                };
                Some(Op::Send { slot: c, data })
            }
            Op::Send { .. } => {
                tally.echoes.set(tally.echoes.get() + 1);
                Some(recv.clone())
            }
            _ => None,
        }
    };
    world.spawn_on(s as u32, thread, Box::new(program));
}

/// Bytes this thread has allocated and not yet freed, as jemalloc counts
/// them (usable sizes, after rounding to its size classes). Every simsock
/// storm runs on this thread.
///
/// Read from jemalloc's per-thread counters, which cost nothing to read.
/// A counting wrapper (the `cap` crate, used before) added a locked atomic
/// add to every allocation and free, a cost madsim's process did not pay:
/// 4.5% of the CPU at 10 x 1 (issue 18; interleaved `perf stat -e
/// task-clock`, `STORM_REPEAT=3000`, 9 pairs, medians 117.1 against 112.1
/// ms). jemalloc's statistics, which these counters need, cost 1.5% of
/// that (7 pairs: 116.8 ms); madsim's storm runs without them.
fn live_bytes() -> i64 {
    let allocated = tikv_jemalloc_ctl::thread::allocatedp::read()
        .expect("jemalloc built with its statistics (the `stats` feature)")
        .get();
    let freed = tikv_jemalloc_ctl::thread::deallocatedp::read()
        .expect("jemalloc built with its statistics (the `stats` feature)")
        .get();
    allocated as i64 - freed as i64
}

/// Makes room for what the storm holds at once, so the world's big tables
/// are allocated once rather than doubled into fresh memory as every
/// client connects at once (issue 18, flat cost with size): two packets
/// and two timers per connection (`World::room_used` reads 2 and 2 per
/// client at 100 to 100,000 hosts x 1, a few more with workers looping),
/// and on each server a TCB per client and per worker.
fn reserve(world: &mut World, layout: &Layout, workers: usize) {
    let at_once = layout.clients + layout.servers * workers;
    world.reserve(Room {
        packets: 2 * at_once,
        timers: 2 * at_once,
    });
    let per_server = layout.clients.div_ceil(layout.servers) + workers;
    for s in 0..layout.servers {
        world.hosts[s].reserve_connections(per_server);
        world.hosts[s].reserve_slots(1 + workers); // `l` and each `c<w>`
    }
}

/// Builds and runs one storm of `scenario` (`layout`'s), then checks it
/// and measures TIME_WAIT memory.
fn run_simsock(
    layout: &Layout,
    scenario: &Scenario,
    k: usize,
    names: &WorkerNames,
) -> Result<SimStats, String> {
    let workers = names.0.len();
    let base = live_bytes();
    let cpu = ProcessTime::try_now().map_err(|e| format!("process CPU time: {e}"))?;
    let wall = std::time::Instant::now();

    let opts = RunOptions {
        seed: Some(1),
        trace: TraceMode::Off,
        record_calls: false,
        invariants: false,
        ..RunOptions::default()
    };
    let mut world = build(scenario, &opts);
    let tally = Rc::new(Tally::default());
    let msgs = messages(layout.clients);
    // One program per worker and per client: the list is sized once, as
    // madsim's harness collects its client tasks.
    world.reserve_threads(layout.servers * workers + layout.clients);
    reserve(&mut world, layout, workers);
    for s in 0..layout.servers {
        for w in 0..workers {
            worker(&mut world, s, w, names, &tally);
        }
    }
    for c in 0..layout.clients {
        client(
            &mut world,
            layout,
            c,
            k,
            Rc::clone(&msgs[c % msgs.len()]),
            &tally,
        );
    }
    let built = live_bytes();
    let outcome = world.run();

    let cpu_seconds = cpu
        .try_elapsed()
        .map_err(|e| format!("process CPU time: {e}"))?
        .as_secs_f64();
    let wall_seconds = wall.elapsed().as_secs_f64();
    let growth = live_bytes() - built;
    let expected = (layout.clients * k) as u64;
    let (client_time_wait, server_time_wait) =
        check(&world, &tally, outcome, layout.servers, expected)?;
    // Tearing the world down is timed too, as turmoil's and madsim's
    // runtimes are dropped inside their timed part; the checks above are not.
    let teardown = ProcessTime::try_now().map_err(|e| format!("process CPU time: {e}"))?;
    let teardown_wall = std::time::Instant::now();
    let (tw_estimate, tw_freed) = time_wait_memory(&mut world);
    let (events, hosts) = (world.events(), world.hosts.len());
    drop(world);
    let teardown_seconds = teardown
        .try_elapsed()
        .map_err(|e| format!("process CPU time: {e}"))?
        .as_secs_f64();
    Ok(SimStats {
        connections: expected,
        events,
        sim_seconds: tally.end.get().as_nanos() as f64 / 1e9,
        cpu_seconds: cpu_seconds + teardown_seconds,
        wall_seconds: wall_seconds + teardown_wall.elapsed().as_secs_f64(),
        client_time_wait,
        server_time_wait,
        tw_estimate,
        tw_freed,
        growth,
        world_bytes: built - base,
        hosts,
    })
}

/// Checks that the storm ran as meant: every cycle echoed, no call failed,
/// one TIME_WAIT record per connection, all on the clients. The TIME_WAIT
/// records on the clients and on the servers.
fn check(
    world: &World,
    tally: &Tally,
    outcome: Result<(), LimitError>,
    servers: usize,
    expected: u64,
) -> Result<(usize, usize), String> {
    // The servers' workers block in accept for ever, so the run ends on the
    // time limit, when the TIME_WAIT timers are the only events left.
    match outcome {
        Ok(()) | Err(LimitError::Time(_)) => {}
        Err(e) => return Err(format!("run stopped: {e}")),
    }
    if let Some(failure) = tally.failure.borrow().as_ref() {
        return Err(failure.clone());
    }
    if let Some(call) = world.calls.iter().find(|c| c.failure.is_some()) {
        return Err(format!("{call:?}"));
    }
    if tally.cycles.get() != expected || tally.echoes.get() != expected {
        return Err(format!(
            "{} client cycles and {} echoes, expected {expected}",
            tally.cycles.get(),
            tally.echoes.get()
        ));
    }
    let (on_servers, on_clients) = world.hosts.split_at(servers);
    let client_time_wait: usize = on_clients.iter().map(|h| h.time_wait.len()).sum();
    let server_time_wait: usize = on_servers.iter().map(|h| h.time_wait.len()).sum();
    if client_time_wait as u64 != expected || server_time_wait != 0 {
        return Err(format!(
            "TIME_WAIT: {client_time_wait} on clients, {server_time_wait} on the servers; \
             expected {expected} and 0"
        ));
    }
    Ok((client_time_wait, server_time_wait))
}

/// TIME_WAIT memory: what the tables say they hold, and what the allocator
/// gets back when they are all dropped.
fn time_wait_memory(world: &mut World) -> (usize, usize) {
    let estimate = world
        .hosts
        .iter()
        .map(|h| h.time_wait.bytes_allocated())
        .sum();
    let before_drop = live_bytes();
    for h in &mut world.hosts {
        drop(std::mem::take(&mut h.time_wait));
    }
    (estimate, (before_drop - live_bytes()) as usize)
}

/// Parses `10x100,100x100` into `(n, k)` pairs.
fn sizes(var: &str, default: &str) -> Vec<(usize, usize)> {
    let text = std::env::var(var).unwrap_or_else(|_| default.to_string());
    if text.trim() == "none" {
        return Vec::new();
    }
    text.split(',')
        .filter_map(|s| {
            let (n, k) = s.trim().split_once('x')?;
            Some((n.parse().ok()?, k.parse().ok()?))
        })
        .collect()
}

fn per_sec(count: u64, seconds: f64) -> String {
    if seconds > 0.0 {
        format!("{:.0}", count as f64 / seconds)
    } else {
        "-".into()
    }
}

/// What to run, from the environment (see the module docs).
struct Config {
    sim_sizes: Vec<(usize, usize)>,
    turmoil_sizes: Vec<(usize, usize)>,
    madsim_sizes: Vec<(usize, usize)>,
    workers: usize,
    repeat: usize,
    pick: Pick,
    topologies: Vec<Topology>,
}

/// Which of a size's runs its row prints (`STORM_PICK`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pick {
    Best,
    Median,
}

impl Pick {
    fn from_env() -> Pick {
        match std::env::var("STORM_PICK").as_deref() {
            Ok("median") => Pick::Median,
            _ => Pick::Best,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Pick::Best => "best",
            Pick::Median => "median",
        }
    }

    /// The run of `runs` this pick chooses by its CPU seconds.
    fn choose<T>(self, mut runs: Vec<T>, cpu_seconds: impl Fn(&T) -> f64) -> Option<T> {
        runs.sort_by(|a, b| cpu_seconds(a).total_cmp(&cpu_seconds(b)));
        let i = match self {
            Pick::Best => 0,
            Pick::Median => runs.len() / 2,
        };
        (i < runs.len()).then(|| runs.swap_remove(i))
    }
}

fn env_count(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
        .max(1)
}

fn config() -> Config {
    let default_sizes = "10x100,100x100,100x1000,1000x100";
    let sim_sizes = sizes("STORM_SIZES", default_sizes);
    let sizes_text = std::env::var("STORM_SIZES").unwrap_or_else(|_| default_sizes.into());
    Config {
        madsim_sizes: sizes("STORM_MADSIM", &sizes_text),
        sim_sizes,
        turmoil_sizes: sizes("STORM_TURMOIL", "10x100,100x100"),
        workers: env_count("STORM_WORKERS", 16),
        repeat: env_count("STORM_REPEAT", 3),
        pick: Pick::from_env(),
        topologies: std::env::var("STORM_TOPOLOGY")
            .unwrap_or_else(|_| "direct,router".into())
            .split(',')
            .filter_map(|t| match t.trim() {
                "direct" => Some(Topology::Direct),
                "router" => Some(Topology::Router),
                _ => None,
            })
            .collect(),
    }
}

/// Another simulator's run of one size: connections, CPU s, wall s.
#[derive(Clone, Copy)]
struct Other {
    connections: u64,
    cpu_seconds: f64,
    wall_seconds: f64,
    /// Peak resident set of its process, KiB (madsim's child; 0 for
    /// turmoil, which runs in this process).
    peak_rss_kib: u64,
}

impl Other {
    fn rate(self) -> f64 {
        self.connections as f64 / self.cpu_seconds
    }

    /// The row's three columns for it: CPU/wall, conns/CPU-s, and simsock's
    /// rate over its rate.
    fn columns(other: Option<Other>, sim_rate: f64) -> [String; 3] {
        match other {
            Some(o) => [
                format!("{:.3}/{:.3}", o.cpu_seconds, o.wall_seconds),
                format!("{:.0}", o.rate()),
                ratio(sim_rate / o.rate()),
            ],
            None => ["-".into(), "-".into(), "-".into()],
        }
    }
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

/// `4.7x` below 10, `27x` from there.
fn ratio(r: f64) -> String {
    if r < 10.0 {
        format!("{r:.1}x")
    } else {
        format!("{r:.0}x")
    }
}

fn turmoil(n: usize, k: usize) -> Option<Other> {
    turmoil_storm::run(n, k).map(|t| Other {
        connections: t.connections,
        cpu_seconds: t.cpu_seconds,
        wall_seconds: t.wall_seconds,
        peak_rss_kib: 0,
    })
}

/// The picked one of `repeat` madsim runs, one after another in one child
/// process as simsock's are in this one.
fn madsim(bin: Option<&Path>, n: usize, k: usize, (repeat, pick): (usize, Pick)) -> Option<Other> {
    let runs = madsim_storm::run(bin?, n, k, servers_for(n), repeat)?;
    let runs = runs.into_iter().map(|m| Other {
        connections: m.connections,
        cpu_seconds: m.cpu_seconds,
        wall_seconds: m.wall_seconds,
        peak_rss_kib: m.peak_rss_kib,
    });
    pick.choose(runs.collect(), |o| o.cpu_seconds)
}

fn print_header(cfg: &Config) {
    println!(
        "connection storm: N clients x K cycles of connect, send 100 B, echo, close (client \
         first); 1 ms links; {} server workers per {BACKLOG} clients; full TCP + TIME_WAIT; \
         simsock and madsim: {} of {} runs",
        cfg.workers,
        cfg.pick.name(),
        cfg.repeat
    );
    println!(
        "{:>10} {:>7} {:>8} {:>9} {:>7} {:>7} {:>7} {:>11} {:>12} {:>7} | {:>17} {:>11} {:>6} | {:>17} {:>11} {:>6}",
        "NxK",
        "links",
        "conns",
        "events",
        "sim s",
        "CPU s",
        "wall s",
        "conns/CPU-s",
        "events/CPU-s",
        "TW",
        "turmoil CPU/wall",
        "conns/CPU-s",
        "ratio",
        "madsim CPU/wall",
        "conns/CPU-s",
        "ratio"
    );
}

fn print_row(size: (usize, usize), topology: Topology, sim: &SimStats, versus: [[String; 3]; 2]) {
    let [t, m] = versus;
    println!(
        "{:>10} {:>7} {:>8} {:>9} {:>7.3} {:>7.3} {:>7.3} {:>11} {:>12} {:>7} | {:>17} {:>11} {:>6} | {:>17} {:>11} {:>6}",
        format!("{}x{}", size.0, size.1),
        topology.name(),
        sim.connections,
        sim.events,
        sim.sim_seconds,
        sim.cpu_seconds,
        sim.wall_seconds,
        per_sec(sim.connections, sim.cpu_seconds),
        per_sec(sim.events, sim.cpu_seconds),
        sim.client_time_wait + sim.server_time_wait,
        t[0],
        t[1],
        t[2],
        m[0],
        m[1],
        m[2],
    );
}

/// The picked one of `repeat` runs (`STORM_PICK`): by default the best
/// (least CPU), the least disturbed by other processes.
fn best_run(cfg: &Config, layout: &Layout, k: usize) -> Result<SimStats, String> {
    let mut runs = Vec::with_capacity(cfg.repeat);
    let names = WorkerNames::new(cfg.workers);
    // The storm's description is the bench's input, written once per
    // size; each run still builds its world from it and drops the world
    // (issue 18, small sizes: writing and dropping it in every run was
    // 1.1k instructions a connection at 10 hosts x 1, callgrind).
    let scenario = layout.scenario(&profile());
    for _ in 0..cfg.repeat {
        runs.push(run_simsock(layout, &scenario, k, &names)?);
    }
    cfg.pick
        .choose(runs, |r| r.cpu_seconds)
        .ok_or_else(|| "no run".into())
}

/// Rows for the sizes only turmoil or madsim ran.
fn print_others(cfg: &Config, madsim_bin: Option<&Path>, peaks: &mut Vec<String>) {
    let only = |name: &str, o: Other, (n, k): (usize, usize)| {
        println!(
            "{:>10} {name} only: {:.3} CPU s, {:.3} wall s, {:.0} conns/CPU-s",
            format!("{n}x{k}"),
            o.cpu_seconds,
            o.wall_seconds,
            o.rate()
        );
    };
    for &(n, k) in cfg
        .turmoil_sizes
        .iter()
        .filter(|s| !cfg.sim_sizes.contains(s))
    {
        if let Some(t) = turmoil(n, k) {
            only("turmoil", t, (n, k));
        }
    }
    for &(n, k) in cfg
        .madsim_sizes
        .iter()
        .filter(|s| !cfg.sim_sizes.contains(s))
    {
        if let Some(m) = madsim(madsim_bin, n, k, (cfg.repeat, cfg.pick)) {
            only("madsim", m, (n, k));
            peaks.push(format!("{n}x{k} {}", mib(m.peak_rss_kib)));
        }
    }
}

fn print_memory(memory: &[((usize, usize), Topology, SimStats)]) {
    println!();
    println!(
        "bytes per connection held in TIME_WAIT (all records live at the end of the storm), and per host before it connects:"
    );
    println!(
        "{:>10} {:>7} {:>8} {:>22} {:>18} {:>16} {:>17}",
        "NxK",
        "links",
        "records",
        "bytes_allocated()/rec",
        "freed on drop/rec",
        "heap growth/rec",
        "world heap/host"
    );
    for ((n, k), topology, s) in memory {
        let records = (s.client_time_wait + s.server_time_wait).max(1) as f64;
        println!(
            "{:>10} {:>7} {:>8} {:>22.1} {:>18.1} {:>16.1} {:>17.1}",
            format!("{n}x{k}"),
            topology.name(),
            s.client_time_wait + s.server_time_wait,
            s.tw_estimate as f64 / records,
            s.tw_freed as f64 / records,
            s.growth as f64 / records,
            s.world_bytes as f64 / s.hosts.max(1) as f64
        );
    }
}

/// This process's peak resident set (`VmHWM` in /proc/self/status), KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// What the runs so far gave: the simsock rows for the memory table, the
/// madsim runs' peak memory, and whether anything failed.
#[derive(Default)]
struct Results {
    memory: Vec<((usize, usize), Topology, SimStats)>,
    madsim_peaks: Vec<String>,
    failed: bool,
}

/// The storm written with `async_net`, beside the Op-level one.
fn async_storms(sizes: &[(usize, usize)], failed: &mut bool) {
    if sizes.is_empty() {
        return;
    }
    println!();
    println!("the same storm written with async_net (tokio tasks; direct links; one run):");
    println!(
        "{:>10} {:>8} {:>7} {:>7} {:>11}",
        "NxK", "conns", "CPU s", "wall s", "conns/CPU-s"
    );
    for &(n, k) in sizes {
        let layout = match Layout::new(n, Topology::Direct) {
            Ok(layout) if layout.servers == 1 => layout,
            _ => {
                eprintln!(
                    "async storm {n}x{k}: one server holds at most {BACKLOG} clients; skipped"
                );
                *failed = true;
                continue;
            }
        };
        match async_storm::run(layout.scenario(&profile()), n, k) {
            Some(a) => println!(
                "{:>10} {:>8} {:>7.3} {:>7.3} {:>11}",
                format!("{n}x{k}"),
                a.connections,
                a.cpu_seconds,
                a.wall_seconds,
                per_sec(a.connections, a.cpu_seconds)
            ),
            None => *failed = true,
        }
    }
}

/// The bare event loop's storms (the ceiling), each beside simsock's
/// `direct` row of the same size, and simsock's share of its rate.
fn bare_storms(cfg: &Config, sims: &[((usize, usize), Topology, SimStats)], failed: &mut bool) {
    let default: Vec<String> = cfg
        .sim_sizes
        .iter()
        .map(|(n, k)| format!("{n}x{k}"))
        .collect();
    let sizes = sizes("STORM_BARE", &default.join(","));
    if sizes.is_empty() {
        return;
    }
    println!();
    println!(
        "the ceiling: the same storm as a bare event loop (binary heap, 9 packet events per \
         connection, no sockets, threads or trace; direct links; {} of {}):",
        cfg.pick.name(),
        cfg.repeat
    );
    println!(
        "{:>10} {:>8} {:>9} {:>7} {:>11} {:>12} {:>14}",
        "NxK", "conns", "events", "CPU s", "conns/CPU-s", "simsock", "simsock/bare"
    );
    for &(n, k) in &sizes {
        let mut runs = Vec::with_capacity(cfg.repeat);
        for _ in 0..cfg.repeat {
            match storm_bare::run(n, k, servers_for(n)) {
                Ok(b) => runs.push(b),
                Err(e) => {
                    eprintln!("bare storm {n}x{k} failed: {e}");
                    *failed = true;
                    break;
                }
            }
        }
        let Some(b) = cfg.pick.choose(runs, |b| b.cpu_seconds) else {
            continue;
        };
        let bare_rate = b.connections as f64 / b.cpu_seconds;
        let sim_rate = sims
            .iter()
            .find(|(size, t, _)| *size == (n, k) && *t == Topology::Direct)
            .map(|(_, _, s)| s.connections as f64 / s.cpu_seconds);
        println!(
            "{:>10} {:>8} {:>9} {:>7.3} {:>11.0} {:>12} {:>14}",
            format!("{n}x{k}"),
            b.connections,
            b.events,
            b.cpu_seconds,
            bare_rate,
            sim_rate.map_or("-".into(), |r| format!("{r:.0}")),
            sim_rate.map_or("-".into(), |r| format!("{:.0}%", 100.0 * r / bare_rate)),
        );
    }
}

/// One size: turmoil and madsim where asked, then simsock over each
/// topology; prints its rows.
fn run_size(cfg: &Config, madsim_bin: Option<&Path>, (n, k): (usize, usize), out: &mut Results) {
    if let Err(e) = Layout::new(n, Topology::Direct) {
        eprintln!("{n}x{k}: {e}; skipped");
        out.failed = true;
        return;
    }
    let t = cfg
        .turmoil_sizes
        .contains(&(n, k))
        .then(|| turmoil(n, k))
        .flatten();
    let m = cfg
        .madsim_sizes
        .contains(&(n, k))
        .then(|| madsim(madsim_bin, n, k, (cfg.repeat, cfg.pick)))
        .flatten();
    if let Some(m) = m {
        out.madsim_peaks
            .push(format!("{n}x{k} {}", mib(m.peak_rss_kib)));
    }
    for &topology in &cfg.topologies {
        let layout = Layout::new(n, topology).expect("checked above");
        match best_run(cfg, &layout, k) {
            Ok(sim) => {
                let rate = sim.connections as f64 / sim.cpu_seconds;
                let versus = [Other::columns(t, rate), Other::columns(m, rate)];
                print_row((n, k), topology, &sim, versus);
                out.memory.push(((n, k), topology, sim));
            }
            Err(e) => {
                eprintln!("simsock storm {n}x{k} ({}) failed: {e}", topology.name());
                out.failed = true;
            }
        }
    }
}

fn main() {
    let cfg = config();
    let mut out = Results::default();
    let madsim_bin = match cfg.madsim_sizes.is_empty() {
        true => None,
        false => madsim_storm::build()
            .map_err(|e| {
                eprintln!("madsim storm: {e}; its columns stay empty");
                out.failed = true;
            })
            .ok(),
    };
    print_header(&cfg);
    for &size in &cfg.sim_sizes {
        run_size(&cfg, madsim_bin.as_deref(), size, &mut out);
    }
    print_others(&cfg, madsim_bin.as_deref(), &mut out.madsim_peaks);
    async_storms(&sizes("STORM_ASYNC", "10x100,100x100"), &mut out.failed);
    bare_storms(&cfg, &out.memory, &mut out.failed);
    print_memory(&out.memory);
    let own = peak_rss_kib().map_or("-".into(), mib);
    let madsim_peaks = match out.madsim_peaks.is_empty() {
        true => "-".to_string(),
        false => out.madsim_peaks.join(", "),
    };
    println!(
        "peak resident memory: this process (simsock, turmoil) {own}; madsim's process: {madsim_peaks}"
    );
    if out.failed {
        std::process::exit(1);
    }
}
