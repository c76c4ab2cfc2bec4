//! What held four-tuples and ports at a point of the trace, replayed from
//! its TCP state changes (RFC 9293 §3.3.2) and TIME_WAIT ends (CB-T1), and
//! an index of the later events an explanation may name.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::ops::RangeInclusive;

use simsock_model::{SimTime, TcpState};

use crate::net::NodeId;
use crate::trace::{TraceEvent, TraceKind};

/// A connection's four-tuple, local first.
pub(super) type Tuple = (SocketAddrV4, SocketAddrV4);

type Key = (NodeId, SocketAddrV4, SocketAddrV4);

const ANY: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0);

/// Every four-tuple not CLOSED, per node, with its state and since when.
#[derive(Debug, Default)]
pub(super) struct Held {
    tuples: BTreeMap<Key, (TcpState, SimTime)>,
}

/// Ports of a range held by TIME_WAIT records only, and by connections.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct PortCount {
    /// Ports held only by TIME_WAIT records (CB-T1).
    pub time_wait: usize,
    /// Ports held by at least one connection in a state other than
    /// TIME_WAIT.
    pub open: usize,
}

impl Held {
    /// Applies one event (only state changes and TIME_WAIT ends matter).
    pub fn apply(&mut self, e: &TraceEvent) {
        match e.kind {
            TraceKind::State {
                local, remote, to, ..
            } => {
                let key = (e.node, local, remote);
                if to == TcpState::Closed {
                    self.tuples.remove(&key);
                } else {
                    self.tuples.insert(key, (to, e.at));
                }
            }
            TraceKind::TimeWaitEnd { local, remote } => {
                let key = (e.node, local, remote);
                if self
                    .tuples
                    .get(&key)
                    .is_some_and(|(s, _)| *s == TcpState::TimeWait)
                {
                    self.tuples.remove(&key);
                }
            }
            _ => {}
        }
    }

    /// The tuples held on `node`, in address order.
    pub fn on(&self, node: NodeId) -> impl Iterator<Item = (Tuple, TcpState, SimTime)> + '_ {
        self.tuples
            .range((node, ANY, ANY)..)
            .take_while(move |((n, ..), _)| *n == node)
            .map(|((_, l, r), (s, t))| ((*l, *r), *s, *t))
    }

    /// How many ports of `range` on `node` are held by a connection, and
    /// how many only by TIME_WAIT records.
    pub fn ports(&self, node: NodeId, range: &RangeInclusive<u16>) -> PortCount {
        let mut by_port: BTreeMap<u16, bool> = BTreeMap::new();
        for ((local, _), state, _) in self.on(node) {
            if range.contains(&local.port()) {
                let open = by_port.entry(local.port()).or_insert(false);
                *open |= state != TcpState::TimeWait;
            }
        }
        let open = by_port.values().filter(|o| **o).count();
        PortCount {
            time_wait: by_port.len() - open,
            open,
        }
    }
}

/// Later events an explanation names: TIME_WAIT ends and link faults.
#[derive(Debug, Default)]
pub(super) struct Index {
    /// Every TIME_WAIT end: (event index, time, node, tuple), in trace order.
    time_wait_ends: Vec<(usize, SimTime, NodeId, Tuple)>,
    /// Faults that took a link down, by link name: (event index, time).
    link_downs: BTreeMap<String, Vec<(usize, SimTime)>>,
}

impl Index {
    /// Indexes `events` (the whole kept trace) in one pass.
    pub fn new(events: &[TraceEvent]) -> Self {
        let mut index = Index::default();
        for (i, e) in events.iter().enumerate() {
            match &e.kind {
                TraceKind::TimeWaitEnd { local, remote } => {
                    index
                        .time_wait_ends
                        .push((i, e.at, e.node, (*local, *remote)));
                }
                TraceKind::Fault { what } => {
                    let down = what
                        .strip_prefix("link ")
                        .and_then(|w| w.strip_suffix(" down"));
                    if let Some(link) = down {
                        let list = index.link_downs.entry(link.to_string()).or_default();
                        list.push((i, e.at));
                    }
                }
                _ => {}
            }
        }
        index
    }

    /// When the TIME_WAIT of `tuple` on `node` ended, after event `after`.
    pub fn time_wait_end(&self, node: NodeId, tuple: Tuple, after: usize) -> Option<SimTime> {
        self.ends_after(after)
            .find(|(_, _, n, t)| *n == node && *t == tuple)
            .map(|(_, at, ..)| *at)
    }

    /// The first TIME_WAIT end on `node` after event `after` whose local
    /// port lies in `range`.
    pub fn first_time_wait_end(
        &self,
        node: NodeId,
        range: &RangeInclusive<u16>,
        after: usize,
    ) -> Option<SimTime> {
        self.ends_after(after)
            .find(|(_, _, n, (l, _))| *n == node && range.contains(&l.port()))
            .map(|(_, at, ..)| *at)
    }

    fn ends_after(&self, after: usize) -> impl Iterator<Item = &(usize, SimTime, NodeId, Tuple)> {
        let start = self.time_wait_ends.partition_point(|(i, ..)| *i <= after);
        self.time_wait_ends[start..].iter()
    }

    /// When the last fault before event `before` took `link` down; `None`
    /// if no fault did (the link was declared down).
    pub fn link_down_before(&self, link: &str, before: usize) -> Option<SimTime> {
        let downs = self.link_downs.get(link)?;
        downs
            .iter()
            .rev()
            .find(|(i, _)| *i < before)
            .map(|(_, at)| *at)
    }
}
