//! Invariants checked at the end of every run (issue 4): a run that breaks
//! one fails, whatever its expectations say.
//!
//! - No byte lost or reordered on a connection that closed gracefully: what
//!   each side queued to send equals, byte for byte and in order, what the
//!   other side delivered (RFC 9293 §1: a reliable, in-order byte stream).
//! - No port left held without a holder: every hold in a port table belongs
//!   to an open socket, a connection whose socket closed, or a TIME_WAIT
//!   record (CB-T1, CB-C16).
//! - Every TIME_WAIT ended exactly TcpTimedWaitDelay after it began (or
//!   after a retransmitted FIN restarted it), checked as records expire
//!   (CB-T2).

use std::collections::BTreeMap;
use std::net::SocketAddrV4;

use crate::stack::host::ClosedConnection;
use crate::winsock::Host;
use crate::world::World;

/// Every broken invariant, as a sentence; empty when all hold.
pub fn check(world: &World) -> Vec<String> {
    let mut broken = Vec::new();
    for host in &world.hosts {
        broken.extend(
            host.violations
                .iter()
                .map(|v| format!("invariant: {}: {v}", host.name)),
        );
        broken.extend(check_ports(host));
    }
    broken.extend(check_streams(&world.hosts));
    broken
}

/// Pairs each gracefully closed connection with its peer's (in order, as a
/// four-tuple may be reused after TIME_WAIT) and compares the streams.
fn check_streams(hosts: &[Host]) -> Vec<String> {
    let mut by_tuple: BTreeMap<(SocketAddrV4, SocketAddrV4), Vec<&ClosedConnection>> =
        BTreeMap::new();
    for c in hosts.iter().flat_map(|h| &h.closed) {
        by_tuple.entry((c.local, c.remote)).or_default().push(c);
    }
    let mut broken = Vec::new();
    for ((local, remote), ours) in &by_tuple {
        let Some(theirs) = by_tuple.get(&(*remote, *local)) else {
            continue;
        };
        for (a, b) in ours.iter().zip(theirs) {
            if a.sent != b.delivered {
                broken.push(format!(
                    "invariant: bytes lost or reordered on {local} > {remote}: sent {} bytes (hash {:016x}), delivered {} (hash {:016x})",
                    a.sent.bytes, a.sent.hash, b.delivered.bytes, b.delivered.hash
                ));
            }
        }
    }
    broken
}

/// Recounts the holders of every port and compares with the port table.
fn check_ports(host: &Host) -> Vec<String> {
    let mut expected: BTreeMap<u16, u32> = BTreeMap::new();
    let sockets = host.sockets.iter().flatten().filter(|s| s.holds_port);
    for port in sockets.filter_map(|s| s.local.map(|l| l.port())) {
        *expected.entry(port).or_default() += 1;
    }
    let orphans = host.tcbs.iter().filter(|s| s.holds_port);
    for port in orphans.filter_map(|s| s.tcb.as_ref().map(|t| t.local.port())) {
        *expected.entry(port).or_default() += 1;
    }
    for ((local, _), _) in host.time_wait.iter() {
        *expected.entry(local.port()).or_default() += 1;
    }
    let actual: BTreeMap<u16, u32> = host.ports.holds().collect();
    if actual == expected {
        return Vec::new();
    }
    let ports: Vec<u16> = actual.keys().chain(expected.keys()).copied().collect();
    let mut broken: Vec<String> = Vec::new();
    for port in ports.into_iter().collect::<std::collections::BTreeSet<_>>() {
        let (held, holders) = (
            actual.get(&port).copied().unwrap_or(0),
            expected.get(&port).copied().unwrap_or(0),
        );
        if held != holders {
            broken.push(format!(
                "invariant: {}: port {port} held {held} times but has {holders} holders",
                host.name
            ));
        }
    }
    broken
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::stack::tcp::TimeWaitRecord;
    use crate::winsock::events::time_wait;

    /// CB-T2: a TIME_WAIT that outlives its deadline is reported.
    #[test]
    fn a_late_time_wait_breaks_the_time_wait_invariant() {
        let text = include_str!("../../scenarios/refused.ron");
        let mut world = crate::Sim::from_ron(text).unwrap().world();
        world.run().unwrap();
        let a = "10.0.0.1:1".parse().unwrap();
        let b = "10.0.0.2:2".parse().unwrap();
        let until = world.core.now();
        world.hosts[0].time_wait.insert(
            (a, b),
            TimeWaitRecord {
                until,
                snd_nxt: 0,
                rcv_nxt: 0,
            },
        );
        world.hosts[0].ports.hold(1);
        world.core.schedule(
            until + simsock_model::SimDuration::from_secs(1),
            crate::engine::Event::Fault { index: u32::MAX },
        );
        let _ = world.core.queue.pop(|_| true);
        assert!(world.core.now() > until);
        time_wait(&mut world.hosts[0], &mut world.core);
        let broken = check(&world);
        assert_eq!(broken.len(), 1, "{broken:?}");
        assert!(
            broken[0].contains("ended 1s after its deadline"),
            "{}",
            broken[0]
        );
    }
}
