//! Triggers: a fault that waits for a packet, e.g. "10 ms after the second
//! SYN from client".
//!
//! A trigger watches the transmit path itself (each packet a node puts on a
//! link, the trace's `send` lines), not the recorded trace, so it works with
//! tracing off. It counts the packets that match; at the `count`-th it
//! schedules its fault `delay` later and is spent. The packet that meets the
//! trigger is already on the wire: a fault with no delay applies right after
//! it and does not affect it.

use std::fmt;

use simsock_model::{PacketHeader, SimDuration, TcpFlags, Transport};

use crate::engine::Core;
use crate::net::{NodeId, PacketId};

/// A trigger waiting for its packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Armed {
    /// The fault it sets off (its index in the scenario's `faults`).
    pub fault: u32,
    /// The node that must send the packet; `None` matches any.
    pub from: Option<NodeId>,
    /// The neighbour it must be sent toward (the link's other end);
    /// `None` matches any.
    pub to: Option<NodeId>,
    /// The exact set of TCP flags; `None` matches any packet.
    pub flags: Option<TcpFlags>,
    /// The matching packet that sets the fault off: 1 for the first.
    pub count: u32,
    /// Matching packets counted so far.
    pub seen: u32,
    /// How long after the `count`-th matching packet the fault happens.
    pub delay: SimDuration,
    /// How the trace names the trigger, e.g. `packet [SYN] from client`.
    pub label: String,
}

impl Armed {
    /// Whether a packet `from` puts on a link toward `to` matches.
    pub fn matches(&self, from: NodeId, to: NodeId, header: &PacketHeader) -> bool {
        if self.from.is_some_and(|n| n != from) || self.to.is_some_and(|n| n != to) {
            return false;
        }
        match (self.flags, header.transport) {
            (None, _) => true,
            (Some(want), Transport::Tcp(tcp)) => tcp.flags == want,
            (Some(_), _) => false,
        }
    }
}

/// Ordinal of a count, `1st`, `2nd`, `3rd`, `11th`.
struct Ordinal(u32);

impl fmt::Display for Ordinal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        let suffix = match (n % 10, n % 100) {
            (_, 11..=13) => "th",
            (1, _) => "st",
            (2, _) => "nd",
            (3, _) => "rd",
            _ => "th",
        };
        write!(f, "{n}{suffix}")
    }
}

/// Counts `pkt` against every waiting trigger and fires those it completes,
/// in the order the scenario declared them.
pub fn observe(core: &mut Core, from: NodeId, to: NodeId, pkt: PacketId) {
    let header = core.packets.get(pkt).header;
    let mut i = 0;
    let mut fired = false;
    while i < core.faults.triggers.len() {
        let t = &mut core.faults.triggers[i];
        if t.matches(from, to, &header) {
            t.seen += 1;
        }
        if t.seen >= t.count {
            let t = core.faults.triggers.remove(i);
            fire(core, from, &t);
            fired = true;
        } else {
            i += 1;
        }
    }
    if fired {
        core.faults.refresh();
    }
}

/// Schedules the trigger's fault and records that the trigger was met.
fn fire(core: &mut Core, node: NodeId, t: &Armed) {
    let at = core.now() + t.delay;
    super::schedule(core, at, t.fault);
    let when = match t.delay {
        SimDuration::ZERO => "now".to_string(),
        d => format!("in {d}"),
    };
    let what = format!(
        "trigger met: {} {}; fault {} {when}",
        Ordinal(t.count),
        t.label,
        t.fault + 1
    );
    super::record(core, node, what);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_read_naturally() {
        let text: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101]
            .iter()
            .map(|n| Ordinal(*n).to_string())
            .collect();
        assert_eq!(
            text,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"
            ]
        );
    }
}
