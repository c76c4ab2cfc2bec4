//! The ceiling (issue 18, item 4): the same storm as a bare event loop,
//! against which simsock's cost per connection is measured.
//!
//! `n` clients each run `k` cycles against their server (client `c` to
//! server `c % servers`, as in `storm_layout.rs`), over direct 1 ms links:
//! the 9 packets of a simsock connection with delayed ACKs (SYN, SYN-ACK,
//! ACK, the 100-byte request, the echo carrying the ACK of the request, the
//! client's FIN carrying the ACK of the echo, the server's ACK of that FIN,
//! its own FIN, the client's last ACK), each one event of a binary heap on
//! `(time, sequence)`. The packets live in a pool and carry their payload
//! (copied into the echo and checked by the client, as the simsock storm's
//! programs do); each server keeps its connections in a hash map on (client,
//! port), each client its live and closing connection and a TIME_WAIT
//! record per connection. Nothing else: no sockets, threads, calls, timers,
//! routing, trace or checks, which is what makes it a ceiling and not a
//! simulator.

#![allow(
    clippy::disallowed_types,
    reason = "benchmark: the servers' connection tables are looked up, never iterated"
)]

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use cpu_time::ProcessTime;

/// A link's latency, ns.
const LATENCY_NS: u64 = 1_000_000;
/// TIME_WAIT, ns (240 s, as the simsock storm's profile).
const TIME_WAIT_NS: u64 = 240_000_000_000;
const MSG_LEN: usize = 100;
const FIRST_PORT: u16 = 49_152;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Syn,
    SynAck,
    Ack,
    Data,
    Echo,
    Fin,
}

/// One packet in flight: between client `client` (port `port`) and its
/// server, towards the server when `to_server`.
struct Packet {
    kind: Kind,
    client: u32,
    port: u16,
    to_server: bool,
    seq: u32,
    ack: u32,
    payload: Vec<u8>,
}

/// A server's side of one connection.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ServerState {
    SynReceived,
    Established,
    LastAck,
}

/// A client's side of one connection.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ClientState {
    SynSent,
    Established,
    FinWait1,
    FinWait2,
}

#[derive(Clone, Copy)]
struct ClientConn {
    port: u16,
    state: ClientState,
    snd_nxt: u32,
    rcv_nxt: u32,
}

#[derive(Default)]
struct Client {
    cycles_left: usize,
    next_port: u16,
    live: Option<ClientConn>,
    closing: Option<ClientConn>,
    /// TIME_WAIT records: (port, expiry ns).
    time_wait: Vec<(u16, u64)>,
    msg: Vec<u8>,
}

struct ServerConn {
    state: ServerState,
    snd_nxt: u32,
    rcv_nxt: u32,
}

/// The bare loop's state.
struct Bare {
    heap: BinaryHeap<Reverse<(u64, u64, u32)>>,
    seq: u64,
    now: u64,
    packets: Vec<Packet>,
    free: Vec<u32>,
    clients: Vec<Client>,
    servers: Vec<HashMap<(u32, u16), ServerConn, rustc_hash::FxBuildHasher>>,
    events: u64,
    done: u64,
    failure: Option<String>,
}

/// What one bare storm did.
pub struct BareStats {
    pub connections: u64,
    pub events: u64,
    pub cpu_seconds: f64,
}

impl Bare {
    /// Sends a packet with `payload` (copied) over the 1 ms link.
    fn send(&mut self, kind: Kind, (client, port): (u32, u16), to_server: bool, sa: (u32, u32)) {
        self.send_data(kind, (client, port), to_server, sa, &[]);
    }

    fn send_data(
        &mut self,
        kind: Kind,
        (client, port): (u32, u16),
        to_server: bool,
        sa: (u32, u32),
        payload: &[u8],
    ) {
        let idx = match self.free.pop() {
            Some(i) => i,
            None => {
                self.packets.push(Packet {
                    kind,
                    client,
                    port,
                    to_server,
                    seq: 0,
                    ack: 0,
                    payload: Vec::new(),
                });
                (self.packets.len() - 1) as u32
            }
        };
        let p = &mut self.packets[idx as usize];
        (p.kind, p.client, p.port, p.to_server, p.seq, p.ack) =
            (kind, client, port, to_server, sa.0, sa.1);
        p.payload.clear();
        p.payload.extend_from_slice(payload);
        self.seq += 1;
        self.heap
            .push(Reverse((self.now + LATENCY_NS, self.seq, idx)));
    }

    /// A client opens its next connection: SYN.
    fn connect(&mut self, c: u32) {
        let client = &mut self.clients[c as usize];
        if client.cycles_left == 0 {
            return;
        }
        client.cycles_left -= 1;
        let port = client.next_port;
        client.next_port = client.next_port.wrapping_add(1).max(FIRST_PORT);
        client.live = Some(ClientConn {
            port,
            state: ClientState::SynSent,
            snd_nxt: 1,
            rcv_nxt: 0,
        });
        self.send(Kind::Syn, (c, port), true, (0, 0));
    }

    fn at_server(&mut self, idx: u32) {
        let p = &self.packets[idx as usize];
        let (kind, key, seq) = (p.kind, (p.client, p.port), p.seq);
        let len = p.payload.len() as u32;
        let server = key.0 as usize % self.servers.len();
        let table = &mut self.servers[server];
        if kind == Kind::Syn {
            let conn = ServerConn {
                state: ServerState::SynReceived,
                snd_nxt: 1,
                rcv_nxt: seq + 1,
            };
            table.insert(key, conn);
            self.send(Kind::SynAck, key, false, (0, seq + 1));
            return;
        }
        let Some(conn) = table.get_mut(&key) else {
            self.failure = Some(format!("server: no connection for {key:?}"));
            return;
        };
        match (kind, conn.state) {
            (Kind::Ack, ServerState::SynReceived) => conn.state = ServerState::Established,
            (Kind::Ack, ServerState::LastAck) => {
                table.remove(&key);
            }
            (Kind::Data, ServerState::Established) => {
                conn.rcv_nxt += len;
                let sa = (conn.snd_nxt, conn.rcv_nxt);
                conn.snd_nxt += len;
                let echo = std::mem::take(&mut self.packets[idx as usize].payload);
                self.send_data(Kind::Echo, key, false, sa, &echo);
                self.packets[idx as usize].payload = echo;
            }
            (Kind::Fin, ServerState::Established) => {
                conn.rcv_nxt += 1;
                conn.state = ServerState::LastAck;
                let (snd, rcv) = (conn.snd_nxt, conn.rcv_nxt);
                self.send(Kind::Ack, key, false, (snd, rcv));
                self.send(Kind::Fin, key, false, (snd, rcv));
            }
            (kind, _) => self.failure = Some(format!("server: unexpected {kind:?}")),
        }
    }

    fn at_client(&mut self, idx: u32) {
        let p = &self.packets[idx as usize];
        let (kind, c, port, seq) = (p.kind, p.client, p.port, p.seq);
        let client = &mut self.clients[c as usize];
        let (live, mut conn) = match (client.live, client.closing) {
            (Some(l), _) if l.port == port => (true, l),
            (_, Some(l)) if l.port == port => (false, l),
            _ => {
                self.failure = Some(format!("client {c}: no connection on port {port}"));
                return;
            }
        };
        match (kind, conn.state) {
            (Kind::SynAck, ClientState::SynSent) => {
                conn.state = ClientState::Established;
                conn.rcv_nxt = seq + 1;
                let sa = (conn.snd_nxt, conn.rcv_nxt);
                conn.snd_nxt += MSG_LEN as u32;
                client.live = Some(conn);
                let msg = std::mem::take(&mut client.msg);
                self.send(Kind::Ack, (c, port), true, sa);
                self.send_data(Kind::Data, (c, port), true, sa, &msg);
                self.clients[c as usize].msg = msg;
            }
            (Kind::Echo, ClientState::Established) if live => {
                if self.packets[idx as usize].payload != client.msg {
                    self.failure = Some(format!("client {c}: bad echo"));
                }
                conn.rcv_nxt += MSG_LEN as u32;
                conn.state = ClientState::FinWait1;
                let sa = (conn.snd_nxt, conn.rcv_nxt);
                conn.snd_nxt += 1;
                client.closing = Some(conn);
                client.live = None;
                self.send(Kind::Fin, (c, port), true, sa);
                self.connect(c);
            }
            (Kind::Ack, ClientState::FinWait1) => {
                conn.state = ClientState::FinWait2;
                client.closing = Some(conn);
            }
            (Kind::Fin, ClientState::FinWait2) => {
                conn.rcv_nxt += 1;
                let sa = (conn.snd_nxt, conn.rcv_nxt);
                client.closing = None;
                client.time_wait.push((port, self.now + TIME_WAIT_NS));
                self.done += 1;
                self.send(Kind::Ack, (c, port), true, sa);
            }
            (kind, state) => {
                self.failure = Some(format!("client {c}: unexpected {kind:?} in {state:?}"))
            }
        }
    }

    fn run(&mut self) {
        while let Some(Reverse((at, _, idx))) = self.heap.pop() {
            self.now = at;
            self.events += 1;
            if self.packets[idx as usize].to_server {
                self.at_server(idx);
            } else {
                self.at_client(idx);
            }
            self.free.push(idx);
        }
    }
}

/// Runs the bare storm of `n` clients x `k` cycles over `servers` servers.
pub fn run(n: usize, k: usize, servers: usize) -> Result<BareStats, String> {
    let cpu = ProcessTime::try_now().map_err(|e| format!("process CPU time: {e}"))?;
    let mut bare = Bare {
        heap: BinaryHeap::new(),
        seq: 0,
        now: 0,
        packets: Vec::new(),
        free: Vec::new(),
        clients: (0..n)
            .map(|c| Client {
                cycles_left: k,
                next_port: FIRST_PORT,
                msg: (0..MSG_LEN).map(|i| (c + i) as u8).collect(),
                ..Client::default()
            })
            .collect(),
        servers: (0..servers).map(|_| HashMap::default()).collect(),
        events: 0,
        done: 0,
        failure: None,
    };
    for c in 0..n {
        bare.connect(c as u32);
    }
    bare.run();
    let cpu_seconds = cpu
        .try_elapsed()
        .map_err(|e| format!("process CPU time: {e}"))?
        .as_secs_f64();
    if let Some(f) = bare.failure {
        return Err(f);
    }
    let expected = (n * k) as u64;
    let records: usize = bare.clients.iter().map(|c| c.time_wait.len()).sum();
    if bare.done != expected || records as u64 != expected {
        return Err(format!(
            "{} connections closed, expected {expected}",
            bare.done
        ));
    }
    Ok(BareStats {
        connections: expected,
        events: bare.events,
        cpu_seconds,
    })
}
