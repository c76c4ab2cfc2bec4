//! Why a connect failed on the network: refused (CB-C14), timed out
//! (CB-C15), or unreachable (CB-C12, CB-C13), from the fate of its SYNs.

use simsock_model::SimTime;
use simsock_model::packet::UnreachableCode;

use super::held::Tuple;
use super::segments::{Fate, fates, is_syn, rst_senders, sends, unreachable_answer};
use super::text::{at, grouped, times};
use super::{Cx, Failed};

impl Cx<'_> {
    /// The four-tuple the failed connect opened.
    fn attempt(&self, f: &Failed<'_>) -> Option<Tuple> {
        self.opened(f.node, f.call, f.addr?)
    }

    /// CB-C15: every SYN went unanswered; says what became of each.
    pub(super) fn timed_out(&self, f: &Failed<'_>) -> Option<String> {
        let tuple = self.attempt(f)?;
        let syns = sends(self.events, f.node, tuple, (f.call, f.ret), is_syn);
        self.what_became_of("SYN", &syns, f.ret, tuple)
    }

    /// `<what> sent at 0, 3 and 9 s; all <fate>`, or each group of sends
    /// with its fate.
    pub(super) fn what_became_of(
        &self,
        what: &str,
        sent: &[usize],
        end: usize,
        tuple: Tuple,
    ) -> Option<String> {
        let fates = fates(self.events, sent, end, tuple);
        if fates.is_empty() {
            return None;
        }
        let when: Vec<SimTime> = fates.iter().map(|(t, _)| *t).collect();
        let described = fates
            .iter()
            .map(|(t, fate)| (self.fate(fate), *t))
            .collect();
        let groups = grouped(described);
        let head = format!("{what} sent at {}", times(&when));
        Some(match groups.as_slice() {
            [(fate, _)] if when.len() == 1 => format!("{head}; {fate}"),
            [(fate, _)] => format!("{head}; all {fate}"),
            _ => {
                let parts: Vec<String> = groups
                    .iter()
                    .map(|(fate, ts)| format!("at {} {fate}", times(ts)))
                    .collect();
                format!("{head}: {}", parts.join("; "))
            }
        })
    }

    fn fate(&self, fate: &Fate) -> String {
        match *fate {
            Fate::Dropped {
                node,
                link: Some(link),
                reason,
                index,
            } => {
                let name = self.names.link(Some(link));
                match reason {
                    "link down" => {
                        format!("dropped on link {name} ({})", self.down_since(name, index))
                    }
                    "lost" => format!("lost on link {name}"),
                    _ => format!("dropped on link {name} by {} ({reason})", self.node(node)),
                }
            }
            Fate::Dropped {
                node,
                link: None,
                reason,
                ..
            } => format!("dropped by {} ({reason})", self.node(node)),
            Fate::Answered { by, reply, cause } => {
                format!(
                    "answered by {} with {reply}{}",
                    self.node(by),
                    parens(cause)
                )
            }
            Fate::ReplyLost { by, reply, link } => format!(
                "answered by {} with {reply}, which was lost on link {}",
                self.node(by),
                self.names.link(Some(link))
            ),
            Fate::Unanswered { by } => format!("reached {}, which never answered", self.node(by)),
            Fate::Unknown => "not seen again".to_string(),
        }
    }

    /// "down since 12.000 s", from the last fault that took the link down.
    fn down_since(&self, link: &str, before: usize) -> String {
        match self.index.link_down_before(link, before) {
            Some(t) => format!("down since {}", at(t)),
            None => "down since the start".to_string(),
        }
    }

    /// CB-C14: the RSTs that answered the SYNs, who sent them and why.
    pub(super) fn refused(&self, f: &Failed<'_>) -> Option<String> {
        let tuple = self.attempt(f)?;
        let senders = rst_senders(self.events, f.node, tuple, f.call, f.ret);
        if senders.is_empty() {
            return None;
        }
        let keyed = senders
            .iter()
            .map(|s| (format!("{}{}", self.node(s.node), parens(s.cause)), s.at))
            .collect();
        let parts: Vec<String> = grouped(keyed)
            .iter()
            .map(|(by, when)| format!("{by} at {}", times(when)))
            .collect();
        Some(format!("SYN answered with RST by {}", parts.join("; by ")))
    }

    /// CB-C12, CB-C13: no route at all, or an ICMP unreachable answered the
    /// SYN (from a router or a firewall, or from the host's own failed ARP).
    pub(super) fn unreachable(&self, f: &Failed<'_>) -> Option<String> {
        let to = f.addr?;
        let Some(tuple) = self.attempt(f) else {
            let from = self.node(f.node);
            let to = to.ip();
            return Some(format!("no route from {from} to {to}; no packet sent"));
        };
        let answer = unreachable_answer(self.events, f.node, tuple, f.call, f.ret)?;
        let dst = tuple.1.ip();
        let why = match answer.reason {
            Some("no neighbour answers ARP") => format!("ARP got no answer for {dst}"),
            Some("no route") => format!("no route to {dst}"),
            Some(other) => other.to_string(),
            None => answer.cause.to_string(),
        };
        Some(match answer.by {
            Some(by) if by != f.node => format!(
                "{} answered ICMP {} at {}{}",
                self.node(by),
                code_name(answer.code),
                at(answer.at),
                parens(&why)
            ),
            _ => format!(
                "{why} on {}'s own network (gave up after {}); the SYN never left the host",
                self.node(f.node),
                times(&[SimTime::from_nanos(
                    answer.at.since(answer.dropped_at).as_nanos()
                )])
            ),
        })
    }
}

/// RFC 792's and RFC 1812's names of the destination-unreachable codes.
fn code_name(code: UnreachableCode) -> &'static str {
    match code {
        UnreachableCode::Net => "network unreachable",
        UnreachableCode::Host => "host unreachable",
        UnreachableCode::Port => "port unreachable",
        UnreachableCode::AdminProhibited => "communication administratively prohibited",
    }
}

/// ` (text)`, or nothing for an empty text.
pub(super) fn parens(text: &str) -> String {
    match text {
        "" => String::new(),
        t => format!(" ({t})"),
    }
}
