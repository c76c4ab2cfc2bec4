//! A host crashes and restarts.
//!
//! A crash is instant and silent: the host's sockets, connections, TIME_WAIT
//! records and running threads vanish, and no FIN or RST is sent. While it is
//! down, packets to or from it are dropped ("host down"), so a peer that
//! talks to it retransmits until it gives up (WSAETIMEDOUT while connecting,
//! WSAECONNABORTED on an established connection, RFC 9293 §3.8.3). After a
//! restart the stack is empty: a segment for an old connection is answered
//! with RST (RFC 9293 §3.10.7.1), which the peer sees as WSAECONNRESET.
//!
//! Threads: those that had started when the host crashed never resume, and
//! one whose `start` falls while the host is down never runs (`World`'s
//! run loop); one whose `start` is at or after the restart runs normally on
//! the new stack. A restart of
//! a host that is up is a reboot: a crash and a restart at once.

use crate::engine::faults::record;
use crate::net::NodeId;
use crate::world::World;

/// Crashes host `host`; returns the trace node and text.
pub(super) fn crash(world: &mut World, host: u32) -> (NodeId, String) {
    let now = world.core.now();
    let h = &mut world.hosts[host as usize];
    let lost = h.reset_stack();
    h.startups = 0;
    world.core.faults.node_mut(h.node).crashed = true;
    let mut threads = 0;
    let started = |t: &&mut crate::thread::Thread| t.host == host && t.start <= now;
    for t in world.threads.iter_mut().filter(started) {
        threads += u32::from(!t.finished);
        t.finished = true;
        t.pending = None;
    }
    let what = format!(
        "host {} crashed, lost: {}, {}, {}, {}",
        h.name,
        counted(lost.sockets, "socket"),
        counted(lost.connections, "connection"),
        counted(lost.time_wait, "TIME_WAIT record"),
        counted(threads as usize, "running thread"),
    );
    (h.node, what)
}

/// `1 socket`, `2 sockets`.
fn counted(n: usize, what: &str) -> String {
    match n {
        1 => format!("1 {what}"),
        n => format!("{n} {what}s"),
    }
}

/// Restarts host `host` with an empty stack; threads that start later run.
pub(super) fn restart(world: &mut World, host: u32, started: bool) -> (NodeId, String) {
    let node = world.hosts[host as usize].node;
    if !world.core.faults.crashed(node) {
        let (node, what) = crash(world, host);
        record(&mut world.core, node, what);
    }
    world.core.faults.node_mut(node).crashed = false;
    let h = &mut world.hosts[host as usize];
    h.startups = u32::from(started);
    (
        node,
        format!("host {} restarted with an empty stack", h.name),
    )
}
