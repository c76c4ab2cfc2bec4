//! Faults in a scenario: what breaks, and when.
//!
//! A fault happens at a simulated time (`Fault(at: "5s", action: ...)`) or
//! after a trace event (`Fault(after: Packet(from: "client", flags: "SYN",
//! count: 2), delay: "10ms", action: ...)`: 10 ms after the second SYN the
//! client puts on a link). Each action is a change to the network or to a
//! host that the engine applies and records as a trace event.
//!
//! ```ron
//! faults: [
//!     Fault(at: "5s", action: LinkDown("client", "server")),
//!     Fault(after: Packet(from: "client", flags: "SYN", count: 2),
//!           action: Partition([["client"], ["server"]])),
//!     Fault(at: "1s", action: LinkSet(between: ("client", "server"),
//!           direction: Forward, loss_ppm: 200000, duplicate_ppm: 50000)),
//!     Fault(at: "2s", action: HostCrash("server")),
//!     Fault(at: "3s", action: Firewall(host: "server",
//!           rule: (port: 80, direction: In, action: RejectRst))),
//! ]
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::time::SimDuration;

/// One fault: an action at a time, or after a trigger (exactly one of `at`
/// and `after`), plus an optional `delay` after the trigger.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Fault", deny_unknown_fields)]
pub struct FaultSpec {
    /// The simulated time at which the action happens.
    #[serde(default)]
    pub at: Option<SimDuration>,
    /// The trace event after which the action happens (once).
    #[serde(default)]
    pub after: Option<Trigger>,
    /// How long after the trigger the action happens (default at once).
    #[serde(default)]
    pub delay: SimDuration,
    /// What breaks (or heals); the engine applies it and the trace records
    /// it as a `fault` line.
    pub action: FaultAction,
}

impl FaultSpec {
    /// `action` at simulated time `at`.
    pub fn at(at: SimDuration, action: FaultAction) -> Self {
        FaultSpec {
            at: Some(at),
            after: None,
            delay: SimDuration::ZERO,
            action,
        }
    }

    /// `action` once `trigger` has been met.
    pub fn after(trigger: Trigger, action: FaultAction) -> Self {
        FaultSpec {
            at: None,
            after: Some(trigger),
            delay: SimDuration::ZERO,
            action,
        }
    }

    /// The same fault, `delay` after its trigger.
    pub fn delay(mut self, delay: SimDuration) -> Self {
        self.delay = delay;
        self
    }
}

/// A trace event that sets off a fault.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Trigger {
    /// The `count`-th packet (default the first) that node `from` puts on a
    /// link toward node `to` (the trace's `send` lines), whose TCP flags are
    /// exactly `flags` (`"SYN"`, `"SYN,ACK"`; any packet when omitted, only
    /// TCP segments when given). Omitted nodes match any node.
    Packet {
        /// The node (host, router or switch) that sends the packet; absent:
        /// any node.
        #[serde(default)]
        from: Option<String>,
        /// The node at the other end of the link it goes on; absent: any.
        #[serde(default)]
        to: Option<String>,
        /// The exact TCP flags, written as the trace prints them
        /// (`"SYN,ACK"`, see [`crate::packet::TcpFlags`]); absent: any
        /// packet, TCP or not.
        #[serde(default)]
        flags: Option<String>,
        /// Which matching packet sets the fault off: 1 (the default) is
        /// the first, up to `limits::scenario::MAX_TRIGGER_COUNT`.
        #[serde(default = "one")]
        count: u32,
    },
}

fn one() -> u32 {
    1
}

/// Which way across a link a `LinkSet` applies: `Forward` is from the first
/// node of `between` to the second.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// Both directions (the default).
    #[default]
    Both,
    /// From the first node of `between` to the second only.
    Forward,
    /// From the second node of `between` to the first only.
    Backward,
}

/// Which packets a firewall rule looks at: `In` those arriving for a local
/// port, `Out` those leaving for a remote port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleDirection {
    /// Packets arriving at the host; `port` is their destination, a local
    /// port (a listener's, for a SYN).
    In,
    /// Packets the host sends; `port` is their destination, the remote
    /// port (a connect's target, for a SYN).
    Out,
}

/// What a firewall rule does with a packet it matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleAction {
    /// Discard it silently: the sender retransmits and times out (CB-C15).
    Drop,
    /// Answer a TCP segment with RST, as a closed port does: refused
    /// (CB-C14). Other packets are dropped.
    RejectRst,
    /// Answer ICMP destination unreachable, code 13 (communication
    /// administratively prohibited, RFC 1812 §5.2.7.1): the connect fails
    /// with WSAEHOSTUNREACH (CB-C13).
    RejectIcmp,
}

/// A host firewall rule on TCP and UDP packets; the first matching rule of
/// a host decides. Loopback packets are not filtered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirewallRule {
    /// The port it applies to (every port when omitted): the local port for
    /// `In`, the remote port for `Out`.
    #[serde(default)]
    pub port: Option<u16>,
    /// Whether the rule looks at arriving or leaving packets.
    pub direction: RuleDirection,
    /// What happens to a packet the rule matches.
    pub action: RuleAction,
}

/// What a fault does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FaultAction {
    /// The link between two nodes stops carrying packets ("link down").
    LinkDown(String, String),
    /// The link between two nodes carries packets again, with the settings
    /// it had.
    LinkUp(String, String),
    /// Packets between nodes of different groups are dropped on every link
    /// ("partition"); a node in no group still reaches everyone. Replaces
    /// any earlier partition.
    Partition(Vec<Vec<String>>),
    /// Ends the partition.
    Heal,
    /// Changes how a link carries packets, in one or both directions; the
    /// settings left out keep their current values.
    LinkSet {
        /// The two nodes the link joins, as written in the scenario's
        /// `links` (in either order; `Forward` is first to second).
        between: (String, String),
        /// Which way across the link the new settings apply (default both).
        #[serde(default)]
        direction: Direction,
        /// New one-way delay of every packet, at most 60 s
        /// (`limits::scenario::MAX_LATENCY`).
        #[serde(default)]
        latency: Option<SimDuration>,
        /// New extra delay drawn uniformly from 0..=jitter per packet, from
        /// the seed; at most 60 s.
        #[serde(default)]
        jitter: Option<SimDuration>,
        /// New probability that a packet is lost, in parts per million
        /// (1,000,000 is every packet).
        #[serde(default)]
        loss_ppm: Option<u32>,
        /// Probability that a second copy of a packet is delivered too, in
        /// parts per million.
        #[serde(default)]
        duplicate_ppm: Option<u32>,
        /// How long after the packet its copy arrives (default at once): a
        /// copy held in some queue of the network, the "old duplicate" that
        /// TIME_WAIT guards against (RFC 9293 §3.4.1, RFC 1337; CB-T4).
        #[serde(default)]
        duplicate_delay: Option<SimDuration>,
        /// Probability that a packet is held back so later ones overtake
        /// it, in parts per million.
        #[serde(default)]
        reorder_ppm: Option<u32>,
    },
    /// The host stops at once: its sockets, connections, TIME_WAIT records
    /// and running threads vanish without a FIN or RST; packets to it are
    /// dropped ("host down").
    HostCrash(String),
    /// A crashed host comes back with an empty stack. Its old threads do not
    /// resume; a thread whose `start` is after the restart runs normally.
    HostRestart(String),
    /// The host's network interface fails: its calls fail with WSAENETDOWN
    /// (CB-C11) and its packets are dropped ("interface down").
    InterfaceDown(String),
    /// The host's network interface works again: calls no longer fail with
    /// WSAENETDOWN and its packets flow.
    InterfaceUp(String),
    /// Adds a rule to the host's firewall, after its other rules.
    Firewall {
        /// The host whose firewall gets the rule.
        host: String,
        /// The rule added.
        rule: FirewallRule,
    },
    /// Removes every rule of the host's firewall.
    FirewallClear(String),
}

impl FaultAction {
    /// The host the action applies to, for the host actions.
    pub fn host(&self) -> Option<&str> {
        match self {
            FaultAction::HostCrash(h)
            | FaultAction::HostRestart(h)
            | FaultAction::InterfaceDown(h)
            | FaultAction::InterfaceUp(h)
            | FaultAction::FirewallClear(h)
            | FaultAction::Firewall { host: h, .. } => Some(h),
            _ => None,
        }
    }

    /// The two ends of the link the action applies to, for link actions.
    pub fn link(&self) -> Option<(&str, &str)> {
        match self {
            FaultAction::LinkDown(a, b)
            | FaultAction::LinkUp(a, b)
            | FaultAction::LinkSet {
                between: (a, b), ..
            } => Some((a, b)),
            _ => None,
        }
    }
}

impl fmt::Display for RuleDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuleDirection::In => "in",
            RuleDirection::Out => "out",
        })
    }
}

impl fmt::Display for FirewallRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let action = match self.action {
            RuleAction::Drop => "drop",
            RuleAction::RejectRst => "reject with RST",
            RuleAction::RejectIcmp => "reject with ICMP admin prohibited",
        };
        match self.port {
            Some(port) => write!(f, "{} port {port}: {action}", self.direction),
            None => write!(f, "{} every port: {action}", self.direction),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> FaultSpec {
        let options = ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
        options.from_str(text).unwrap()
    }

    #[test]
    fn the_old_spelling_still_reads() {
        let f = parse(r#"Fault(at: "5s", action: LinkDown("a", "b"))"#);
        assert_eq!(
            f,
            FaultSpec::at(
                SimDuration::from_secs(5),
                FaultAction::LinkDown("a".into(), "b".into())
            )
        );
    }

    #[test]
    fn triggers_and_actions_read_as_documented() {
        let f = parse(
            r#"Fault(after: Packet(from: "client", flags: "SYN", count: 2), delay: "10ms",
                     action: Firewall(host: "s", rule: (port: 80, direction: In, action: RejectRst)))"#,
        );
        let Some(Trigger::Packet { from, count, .. }) = &f.after else {
            panic!("{f:?}")
        };
        assert_eq!((from.as_deref(), *count), (Some("client"), 2));
        assert_eq!(f.delay, SimDuration::from_millis(10));
        assert_eq!(f.action.host(), Some("s"));
        let f = parse(
            r#"Fault(at: "1s", action: LinkSet(between: ("a", "b"), direction: Forward, duplicate_ppm: 5))"#,
        );
        assert_eq!(f.action.link(), Some(("a", "b")));
        let f = parse(r#"Fault(at: "1s", action: Partition([["a", "b"], ["c"]]))"#);
        assert!(matches!(f.action, FaultAction::Partition(ref g) if g.len() == 2));
    }
}
