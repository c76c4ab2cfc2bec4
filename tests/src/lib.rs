//! # simsock-tests
//!
//! Helpers for the integration tests of simsock: find, load and run the
//! bundled scenarios, and read what a run did out of its [`Report`]: the
//! calls of a thread and the TCP segments a node sent, received or dropped.
//! The tests themselves live in `tests/tests/`.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use simsock_model::limits::RunLimits;
use simsock_model::scenario::{HostSpec, LinkSpec, Scenario};
use simsock_model::{HostProfile, Ipv4Cidr, PacketHeader, SimDuration, TcpFlags, Transport};
use simsock_sim::scenario::{Report, RunOptions, load, run};
use simsock_sim::trace::TraceKind;
use simsock_sim::world::CallRecord;

/// Nanoseconds in a millisecond, to write times as `1_006 * MS`.
pub const MS: u64 = 1_000_000;
/// Nanoseconds in a second.
pub const S: u64 = 1_000_000_000;

/// The bundled `scenarios/` directory of the workspace.
pub fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios")
}

/// Every `*.ron` file under `scenarios/`, recursively, sorted by path.
pub fn scenario_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, into: &mut Vec<PathBuf>) {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(&path, into);
            } else if path.extension().is_some_and(|x| x == "ron") {
                into.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&scenarios_dir(), &mut files);
    files.sort();
    files
}

/// The path of a bundled scenario by file stem, e.g. `bundled("refused")`.
pub fn bundled(name: &str) -> PathBuf {
    scenarios_dir().join(format!("{name}.ron"))
}

/// Reads, parses and checks a scenario file; panics with the message and
/// line:column of the first mistake.
pub fn load_file(path: &Path) -> Scenario {
    let source = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    load(&source).unwrap_or_else(|e| {
        let (line, col) = e.line_col(&source).unwrap_or((0, 0));
        panic!("{}:{line}:{col}: {e}", path.display())
    })
}

/// Loads and runs a scenario file with its own seed, or `seed` if given.
pub fn run_file(path: &Path, seed: Option<u64>) -> Report {
    let scenario = load_file(path);
    run(
        &scenario,
        &RunOptions {
            seed,
            ..RunOptions::default()
        },
    )
}

/// Panics with the failures and the trace unless every expectation held.
pub fn assert_passed(report: &Report) {
    assert!(
        report.passed,
        "scenario {} (seed {}) failed: {:#?}\nlimit: {:?}\ntrace:\n{}",
        report.scenario,
        report.seed,
        report.failures,
        report.limit,
        report.trace_lines().join("\n")
    );
}

/// Panics unless two runs of one scenario and seed did the same: digest,
/// trace, engine events, calls, failures and outcome (`what` names them).
/// For tests that run a fast path against the slow one it replaces.
pub fn assert_same_run(fast: &Report, slow: &Report, what: &str) {
    assert_eq!(fast.digest, slow.digest, "{what}: trace digests differ");
    assert_eq!(
        fast.trace_lines(),
        slow.trace_lines(),
        "{what}: traces differ"
    );
    assert_eq!(fast.events, slow.events, "{what}: engine events differ");
    assert_eq!(
        fast.call_count, slow.call_count,
        "{what}: call counts differ"
    );
    assert_eq!(fast.failures, slow.failures, "{what}: failures differ");
    assert_eq!(fast.passed, slow.passed, "{what}: outcomes differ");
}

/// A link of 1 ms, no jitter or loss, up, between hosts `a` and `b`.
pub fn link_spec(a: &str, b: &str) -> LinkSpec {
    LinkSpec {
        between: (a.into(), b.into()),
        latency: SimDuration::from_millis(1),
        jitter: SimDuration::ZERO,
        loss_ppm: 0,
        up: true,
    }
}

/// A scenario of `clients` hosts (`client0`, ... on 10.0.0.0/16, 250 to a
/// /24) each linked to `server` (10.0.255.1), with no threads: for tests
/// of what a world costs to build and hold.
pub fn star(clients: usize) -> Scenario {
    let host = |name: String, addr: Ipv4Addr| HostSpec {
        name,
        addrs: vec![Ipv4Cidr::new(addr, 16).expect("a /16 is a valid prefix")],
        profile: HostProfile::default(),
        started: true,
    };
    let mut hosts = vec![host("server".into(), Ipv4Addr::new(10, 0, 255, 1))];
    let mut links = Vec::new();
    for c in 0..clients {
        let name = format!("client{c}");
        let addr = Ipv4Addr::new(10, 0, (c / 250) as u8, (c % 250 + 1) as u8);
        links.push(link_spec("server", &name));
        hosts.push(host(name, addr));
    }
    Scenario {
        name: "star".into(),
        about: String::new(),
        question: String::new(),
        seed: 1,
        hosts,
        routers: Vec::new(),
        switches: Vec::new(),
        links,
        threads: Vec::new(),
        faults: Vec::new(),
        limits: RunLimits::default(),
        shuffle_ties: false,
    }
}

/// The calls of thread `thread` on host `host`, in completion order.
pub fn calls<'a>(report: &'a Report, host: &str, thread: &str) -> Vec<&'a CallRecord> {
    report
        .calls
        .iter()
        .filter(|c| c.host == host && c.thread == thread)
        .collect()
}

/// The calls of a thread whose text starts with `prefix`, e.g. `"connect("`.
pub fn calls_named<'a>(
    report: &'a Report,
    host: &str,
    thread: &str,
    prefix: &str,
) -> Vec<&'a CallRecord> {
    calls(report, host, thread)
        .into_iter()
        .filter(|c| c.call.starts_with(prefix))
        .collect()
}

/// What a node did with a TCP segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// Put it on a link.
    Sent,
    /// Received it (it reached the node).
    Received,
    /// Dropped it: on a link (down, lost) or at the node (no ARP answer).
    Dropped,
}

/// One TCP segment event of a node, from the trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub at_ns: u64,
    pub dir: Dir,
    pub flags: TcpFlags,
    /// Why it was sent (`retransmission`, `SYN re-sent after RST`...) or
    /// dropped (`link down`, `lost`...); empty for an ordinary segment.
    pub why: String,
}

impl Segment {
    /// `(time, direction, "SYN,ACK")`, handy to compare with a literal.
    pub fn short(&self) -> (u64, Dir, String) {
        (self.at_ns, self.dir, self.flags.to_string())
    }
}

/// The name of the node of trace event `index`.
fn node_of(report: &Report, index: usize) -> &str {
    report.names.node(report.trace[index].node)
}

/// Every TCP segment that node `node` sent, received or dropped, in trace
/// order.
pub fn tcp_segments(report: &Report, node: &str) -> Vec<Segment> {
    assert_eq!(report.trace_unkept, 0, "the report keeps the full trace");
    packet_events(report, node)
        .filter_map(|(at_ns, dir, header, why)| {
            let Transport::Tcp(tcp) = header.transport else {
                return None;
            };
            Some(Segment {
                at_ns,
                dir,
                flags: tcp.flags,
                why: why.to_string(),
            })
        })
        .collect()
}

/// The packets node `node` sent, received or dropped, in trace order:
/// when, what the node did, the header, and why (a send's cause or a
/// drop's reason).
fn packet_events<'a>(
    report: &'a Report,
    node: &'a str,
) -> impl Iterator<Item = (u64, Dir, &'a PacketHeader, &'static str)> + 'a {
    report
        .trace
        .iter()
        .enumerate()
        .filter(move |(i, _)| node_of(report, *i) == node)
        .filter_map(|(_, e)| {
            let (dir, header, why) = match &e.kind {
                TraceKind::Send { header, cause, .. } => (Dir::Sent, header, *cause),
                TraceKind::Recv { header, .. } => (Dir::Received, header, ""),
                TraceKind::Drop { header, reason, .. } => (Dir::Dropped, header, *reason),
                _ => return None,
            };
            Some((e.at.as_nanos(), dir, header, why))
        })
}

/// The canonical trace lines of node `node` that contain `needle`.
pub fn lines_with(report: &Report, node: &str, needle: &str) -> Vec<String> {
    report
        .trace
        .iter()
        .filter(|e| report.names.node(e.node) == node)
        .map(|e| report.trace_line(e))
        .filter(|l| l.contains(needle))
        .collect()
}

/// One UDP datagram event of a node, from the trace: when, what the node
/// did with it, its destination address, and why (a drop's reason).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Datagram {
    pub at_ns: u64,
    pub dir: Dir,
    pub dst: std::net::Ipv4Addr,
    pub why: String,
}

/// Every UDP datagram that node `node` sent, received or dropped, in trace
/// order.
pub fn udp_datagrams(report: &Report, node: &str) -> Vec<Datagram> {
    packet_events(report, node)
        .filter(|(_, _, header, _)| matches!(header.transport, Transport::Udp { .. }))
        .map(|(at_ns, dir, header, why)| Datagram {
            at_ns,
            dir,
            dst: header.dst,
            why: why.to_string(),
        })
        .collect()
}

/// Whether the trace has any packet event (sent, received or dropped).
pub fn has_packets(report: &Report) -> bool {
    report.trace.iter().any(|e| {
        matches!(
            e.kind,
            TraceKind::Send { .. } | TraceKind::Recv { .. } | TraceKind::Drop { .. }
        )
    })
}
