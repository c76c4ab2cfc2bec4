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
    if hosts.iter().all(|h| h.closed.is_empty()) {
        return Vec::new(); // nothing to pair (a sweep's seeds: no map)
    }
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
    let ports = holder_ports(host);
    if holder_counts(&ports).eq(host.ports.holds()) {
        return Vec::new();
    }
    port_mismatches(host, &ports)
}

/// The local port of every holder of a port (an open socket that holds
/// one, a connection whose socket closed, a TIME_WAIT record), sorted.
fn holder_ports(host: &Host) -> Vec<u16> {
    let sockets = host.sockets.iter().flatten().filter(|s| s.holds_port);
    let sockets = sockets.filter_map(|s| s.local.map(|l| l.port()));
    let orphans = host.tcbs.iter().filter(|s| s.holds_port);
    let orphans = orphans.filter_map(|s| s.tcb.as_ref().map(|t| t.local.port()));
    let time_wait = host.time_wait.iter().map(|((local, _), _)| local.port());
    let mut ports: Vec<u16> = sockets.chain(orphans).chain(time_wait).collect();
    ports.sort_unstable();
    ports
}

/// Each of the sorted `ports` once, with how many times it appears, by
/// port: what the port table should say
/// ([`PortTable::holds`](crate::stack::ports::PortTable::holds)).
///
/// Performance: runs of a sorted list, not a map, as every run of every
/// sweep asks (two maps a host were a percent of a one-connect sweep;
/// issue 18, item 5). The test `holder_counts_are_a_maps_counts`
/// compares the two.
fn holder_counts(ports: &[u16]) -> impl Iterator<Item = (u16, u32)> + '_ {
    ports
        .chunk_by(|a, b| a == b)
        .map(|run| (run[0], run.len() as u32))
}

/// One sentence for each port whose holds differ from its holders
/// (`ports`, [`holder_ports`]).
fn port_mismatches(host: &Host, ports: &[u16]) -> Vec<String> {
    let mut expected: BTreeMap<u16, u32> = BTreeMap::new();
    for &port in ports {
        *expected.entry(port).or_default() += 1;
    }
    let actual: BTreeMap<u16, u32> = host.ports.holds().collect();
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
    use std::collections::BTreeMap;

    use super::{check, holder_counts};
    use crate::stack::tcp::TimeWaitRecord;
    use crate::winsock::events::time_wait;

    /// The runs of a sorted list are the counts a map makes of it.
    #[test]
    fn holder_counts_are_a_maps_counts() {
        for ports in [vec![], vec![7], vec![1, 1, 2, 9, 9, 9, 65535], vec![5; 4]] {
            let mut map: BTreeMap<u16, u32> = BTreeMap::new();
            for &port in &ports {
                *map.entry(port).or_default() += 1;
            }
            let runs: Vec<(u16, u32)> = holder_counts(&ports).collect();
            assert_eq!(runs, map.into_iter().collect::<Vec<_>>(), "{ports:?}");
        }
    }

    /// A port held in the table with no holder is reported.
    #[test]
    fn a_port_held_without_holders_is_reported() {
        let text = include_str!("../../scenarios/refused.ron");
        let mut world = crate::Sim::from_ron(text).unwrap().world();
        world.run().unwrap();
        assert_eq!(check(&world), Vec::<String>::new());
        world.hosts[1].ports.hold(4000);
        let held = "invariant: server: port 4000 held 1 times but has 0 holders";
        assert_eq!(check(&world), vec![held.to_string()]);
    }

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
