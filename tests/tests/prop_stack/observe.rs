//! Running a scenario while watching what its threads' calls return: each
//! scripted thread's program is wrapped in a [`Recorder`] that notes the
//! bytes every send queued and every recv returned, then hands the call on
//! to the script unchanged (so the run, and its digest, are those of
//! `simsock run` on the same scenario). After the run, what the stacks
//! still hold.

use std::cell::RefCell;
use std::net::{SocketAddr, SocketAddrV4};
use std::rc::Rc;

use simsock_model::scenario::Scenario;
use simsock_sim::scenario::Report;
use simsock_sim::thread::{Completed, Program, Step};
use simsock_sim::winsock::{Op, Value};
use simsock_sim::{Sim, World};

/// What one thread's calls moved.
#[derive(Clone, Debug, Default)]
pub struct ThreadLog {
    pub host: String,
    pub thread: String,
    /// The bytes its sends queued, in order (a partial nonblocking send
    /// counts the bytes it took).
    pub written: Vec<u8>,
    /// The bytes its recvs returned, in order.
    pub read: Vec<u8>,
    /// A recv returned 0: the end of the peer's stream.
    pub eof: bool,
    /// Its socket's address (getsockname) or its peer's (getpeername).
    pub addr: Option<SocketAddr>,
    /// A recv whose result and bytes disagree.
    pub mismatch: Option<String>,
}

impl ThreadLog {
    fn record(&mut self, done: &Completed<'_>) {
        match (done.op, done.result) {
            (Op::Send { data, .. }, Ok(Value::Bytes(n))) => {
                self.written.extend_from_slice(&data[..n as usize]);
            }
            (Op::Recv { .. }, Ok(Value::Bytes(n))) => {
                if done.received.len() != n as usize {
                    self.mismatch = Some(format!(
                        "recv returned {n} bytes but {} were received",
                        done.received.len()
                    ));
                }
                self.read.extend_from_slice(done.received);
                self.eof |= n == 0;
            }
            (Op::GetSockName { .. } | Op::GetPeerName { .. }, Ok(Value::Addr(a))) => {
                self.addr = Some(a);
            }
            _ => {}
        }
    }
}

/// A program that records each completed call, then asks the one it wraps.
struct Recorder {
    inner: Box<dyn Program>,
    log: Rc<RefCell<ThreadLog>>,
}

impl Program for Recorder {
    fn next(&mut self, last: Option<&Completed<'_>>) -> Option<Step> {
        if let Some(done) = last {
            self.log.borrow_mut().record(done);
        }
        self.inner.next(last)
    }
}

/// A connection that closed gracefully at `host` (RFC 9293: its FIN was
/// acknowledged and the peer's received, no reset).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Graceful {
    pub host: String,
    pub local: SocketAddrV4,
    pub remote: SocketAddrV4,
}

/// Everything one run showed.
pub struct Run {
    pub report: Report,
    pub logs: Vec<ThreadLog>,
    pub graceful: Vec<Graceful>,
    /// What the stacks still held when the run ended.
    pub leftovers: Vec<String>,
}

/// Runs a checked scenario with every thread recorded.
///
/// # Panics
///
/// If the scenario does not pass the check (the generator's mistake).
pub fn execute(scenario: &Scenario) -> Run {
    let mut world = Sim::new(scenario.clone())
        .unwrap_or_else(|e| panic!("a generated scenario is invalid: {e}"))
        .world();
    let logs = record_threads(&mut world);
    // A limit hit is in the report: finish runs the world again (a no-op
    // once its queue is empty) and reports it.
    let _ = world.run();
    let leftovers = leftovers(&world);
    let graceful = world
        .hosts
        .iter()
        .flat_map(|h| {
            h.closed.iter().map(|c| Graceful {
                host: h.name.to_string(),
                local: c.local,
                remote: c.remote,
            })
        })
        .collect();
    let report = simsock_sim::scenario::finish(scenario, world);
    let logs = logs.into_iter().map(|l| l.borrow().clone()).collect();
    Run {
        report,
        logs,
        graceful,
        leftovers,
    }
}

fn record_threads(world: &mut World) -> Vec<Rc<RefCell<ThreadLog>>> {
    let mut logs = Vec::new();
    for thread in &mut world.threads {
        let log = Rc::new(RefCell::new(ThreadLog {
            host: world.hosts[thread.host as usize].name.to_string(),
            thread: thread.name.to_string(),
            ..ThreadLog::default()
        }));
        let inner = std::mem::replace(
            &mut thread.program,
            Box::new(|_: Option<&Completed<'_>>| None),
        );
        thread.program = Box::new(Recorder {
            inner,
            log: Rc::clone(&log),
        });
        logs.push(log);
    }
    logs
}

/// Sockets, connections, TIME_WAIT records, port holds, listeners and
/// packets still held after the run: every one is a leak once all threads
/// have ended and every TIME_WAIT has expired.
fn leftovers(world: &World) -> Vec<String> {
    let mut left = Vec::new();
    for h in &world.hosts {
        let counts = [
            ("sockets", h.sockets.iter().flatten().count()),
            ("TCBs", h.tcbs.iter().filter(|s| s.tcb.is_some()).count()),
            ("connections", h.conns.len()),
            ("TIME_WAIT records", h.time_wait.len()),
            ("held ports", h.ports.holds().count()),
            ("listeners", h.binds.listeners()),
        ];
        for (what, n) in counts {
            if n != 0 {
                left.push(format!("{}: {n} {what} left", h.name));
            }
        }
    }
    if world.packets_in_flight() != 0 {
        left.push(format!("{} packets left", world.packets_in_flight()));
    }
    left.extend(world.blocked_threads());
    left
}
