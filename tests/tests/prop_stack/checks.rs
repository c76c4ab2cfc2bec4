//! The properties every run must have. Each check returns the broken ones
//! as sentences; an empty list is a pass.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use simsock_model::scenario::Scenario;

use crate::observe::{Run, ThreadLog};
use crate::scenario::{CLIENT, SERVER};

/// Every property of one case: the byte streams, the leftovers, TIME_WAIT
/// and the run's own failures (engine invariants, limits, threads that
/// never ended).
pub fn all(scenario: &Scenario, run: &Run) -> Vec<String> {
    let mut broken = Vec::new();
    broken.extend(run.report.failures.iter().cloned());
    if let Some(limit) = &run.report.limit {
        broken.push(format!("limit: {limit}"));
    }
    broken.extend(run.leftovers.iter().cloned());
    broken.extend(run.logs.iter().filter_map(|l| l.mismatch.clone()));
    broken.extend(streams(run));
    broken.extend(time_wait(scenario, &run.report.trace_lines()));
    broken
}

/// The client threads and the acceptor threads that hold each end of one
/// connection, matched by the client's address (its getsockname, the
/// acceptor's getpeername).
pub fn connections(logs: &[ThreadLog]) -> Vec<(&ThreadLog, &ThreadLog)> {
    let acceptors: BTreeMap<SocketAddr, &ThreadLog> = logs
        .iter()
        .filter(|l| l.host == SERVER && l.thread != "listener")
        .filter_map(|l| l.addr.map(|a| (a, l)))
        .collect();
    logs.iter()
        .filter(|l| l.host == CLIENT)
        .filter_map(|c| c.addr.and_then(|a| acceptors.get(&a)).map(|s| (c, *s)))
        .collect()
}

/// RFC 9293 §1 (a reliable, in-order byte stream): what a side read is
/// always a prefix of what its peer wrote, and once a recv returned 0 (the
/// peer's FIN, sent after its last byte) it is all of it, each byte once.
///
/// A graceful close of both TCP ends alone does not promise that: a side
/// that stops reading (shutdown SD_RECEIVE) and closes in TIME_WAIT, after
/// both FINs, drops what it did not read, and no RST can tell the peer (its
/// end is gone). So "both sides close gracefully" is read as the
/// application's graceful close: read to the end of the stream, then close.
fn streams(run: &Run) -> Vec<String> {
    let server: SocketAddr = crate::scenario::SERVER_ADDR.parse().expect("address");
    let graceful_at = |host: &str, local: SocketAddr, remote: SocketAddr| {
        run.graceful.iter().any(|g| {
            g.host == host && SocketAddr::V4(g.local) == local && SocketAddr::V4(g.remote) == remote
        })
    };
    let mut broken = Vec::new();
    for (client, acceptor) in connections(&run.logs) {
        let addr = client.addr.expect("a matched client has an address");
        let both = graceful_at(CLIENT, addr, server) && graceful_at(SERVER, server, addr);
        for (from, to) in [(client, acceptor), (acceptor, client)] {
            if let Some(why) = compare(from, to) {
                let closed = if both {
                    "both ends closed gracefully"
                } else {
                    "not closed gracefully"
                };
                broken.push(format!(
                    "{}/{} > {}/{} ({closed}): {why}",
                    from.host, from.thread, to.host, to.thread
                ));
            }
        }
    }
    broken
}

/// What is wrong with `to`'s reads of `from`'s writes, if anything.
fn compare(from: &ThreadLog, to: &ThreadLog) -> Option<String> {
    let (w, r) = (&from.written, &to.read);
    let common = w.iter().zip(r).take_while(|(a, b)| a == b).count();
    if common < r.len() {
        let bad = String::from_utf8_lossy(&r[common..(common + 16).min(r.len())]).into_owned();
        return Some(format!(
            "read {} bytes of {} written; byte {common} differs (read {bad:?})",
            r.len(),
            w.len()
        ));
    }
    (to.eof && r.len() != w.len()).then(|| {
        format!(
            "read {} bytes of {} written, then the end of the stream",
            r.len(),
            w.len()
        )
    })
}

/// One connection end's TIME_WAIT as the trace shows it.
#[derive(Default)]
struct Wait {
    /// When it began, or a retransmitted FIN restarted it (RFC 9293
    /// §3.10.7.4).
    since_ns: Option<u64>,
}

/// CB-T2: every TIME_WAIT ends exactly the host's `tcp_timed_wait_delay`
/// after it began or was last restarted, and every one ends.
fn time_wait(scenario: &Scenario, lines: &[String]) -> Vec<String> {
    let delay_ns = |node: &str| {
        scenario
            .hosts
            .iter()
            .find(|h| h.name == node)
            .map(|h| h.profile.tcp_timed_wait_delay.as_nanos())
    };
    let mut waits: BTreeMap<(String, String), Wait> = BTreeMap::new();
    let mut broken = Vec::new();
    for line in lines {
        let mut words = line.split(' ');
        let (Some(at), Some(node), Some(what)) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        let at: u64 = at.parse().unwrap_or(0);
        let rest: Vec<&str> = words.collect();
        match (what, rest.as_slice()) {
            ("tcp", [l, ">", r, _, "->", "TIME_WAIT"]) => {
                let key = (node.to_string(), format!("{l} > {r}"));
                waits.entry(key).or_default().since_ns = Some(at);
            }
            ("recv", [_, "TCP", src, ">", dst, flags, ..]) if is_fin(flags) => {
                let key = (node.to_string(), format!("{dst} > {src}"));
                if let Some(w) = waits.get_mut(&key).filter(|w| w.since_ns.is_some()) {
                    w.since_ns = Some(at);
                }
            }
            ("tcp", [l, ">", r, "TIME_WAIT", "ended"]) => {
                let key = (node.to_string(), format!("{l} > {r}"));
                let since = waits.remove(&key).and_then(|w| w.since_ns);
                let want = delay_ns(node).unwrap_or(0);
                match since {
                    Some(s) if at - s == want => {}
                    Some(s) => broken.push(format!(
                        "TIME_WAIT of {} at {node} lasted {} ns, the profile says {want} ns",
                        key.1,
                        at - s
                    )),
                    None => broken.push(format!("{line}: no TIME_WAIT began")),
                }
            }
            _ => {}
        }
    }
    broken.extend(
        waits
            .iter()
            .filter(|(_, w)| w.since_ns.is_some())
            .map(|((node, tuple), _)| format!("TIME_WAIT of {tuple} at {node} never ended")),
    );
    broken
}

/// `[FIN,ACK]` and the like, without RST (an RST in TIME_WAIT is ignored,
/// RFC 1337).
fn is_fin(flags: &str) -> bool {
    let flags: Vec<&str> = flags.trim_matches(['[', ']']).split(',').collect();
    flags.contains(&"FIN") && !flags.contains(&"RST")
}
