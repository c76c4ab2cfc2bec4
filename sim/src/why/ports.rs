//! Why an address or a port was not to be had: a four-tuple held by
//! TIME_WAIT or a connection (CB-C17, CB-T1, CB-T3), a port held without
//! SO_REUSEADDR, or no ephemeral port left (CB-C16).

use simsock_model::profile::BindRules;
use simsock_model::{SimTime, TcpState, WsaError};

use super::held::Tuple;
use super::text::{at, plural};
use super::{Cx, Failed, parse_call};

impl Cx<'_> {
    /// CB-C17, CB-T3: the four-tuple is held, by TIME_WAIT or a connection.
    pub(super) fn tuple_in_use(&self, f: &Failed<'_>) -> Option<String> {
        let to = f.addr?;
        let port = self
            .earlier_call(f, &format!("bind({}, ", f.socket))
            .and_then(|(_, call)| parse_call(call)?.2)
            .map(|a| a.port());
        let (tuple, state, since) = self
            .held
            .on(f.node)
            .find(|((l, r), ..)| *r == to && port.is_none_or(|p| l.port() == p))?;
        Some(self.holder(f, tuple, state, since))
    }

    /// bind's WSAEADDRINUSE (or WSAEACCES): what holds the address. Under
    /// Windows' bind matrix only another bound socket can (TIME_WAIT is
    /// not checked at bind: curl issue 8112); under the other rules a
    /// held port refuses a socket without SO_REUSEADDR (CB-C17).
    pub(super) fn port_in_use(&self, f: &Failed<'_>, error: WsaError) -> Option<String> {
        let addr = f.addr?;
        let port = addr.port();
        let facts = self.hosts.iter().find(|h| h.node == f.node)?;
        let host = self.node(f.node);
        if facts.bind_rules == BindRules::Windows {
            let verdict = match error {
                WsaError::WSAEACCES => "denies",
                _ => "refuses",
            };
            return Some(format!(
                "another socket on {host} is bound to an address that overlaps {addr}, and \
                 Windows' bind matrix (SO_REUSEADDR, SO_EXCLUSIVEADDRUSE, wildcard or \
                 specific) {verdict} the second bind"
            ));
        }
        let held = self.held.on(f.node).find(|((l, _), ..)| l.port() == port);
        let by = match held {
            Some((tuple, state, since)) => format!(" ({})", self.holder(f, tuple, state, since)),
            // socket(7): SO_REUSEADDR on both, and the other not listening.
            None if facts.bind_rules == BindRules::Linux => {
                return Some(format!(
                    "another socket on {host} is bound to an address that overlaps {addr}; \
                     they may share it only if both set SO_REUSEADDR and the other does not listen"
                ));
            }
            None => format!(" by another socket on {host}"),
        };
        let socket = f.socket;
        Some(format!(
            "port {port} is held{by} and {socket} has no SO_REUSEADDR"
        ))
    }

    fn holder(
        &self,
        f: &Failed<'_>,
        (local, remote): Tuple,
        state: TcpState,
        since: SimTime,
    ) -> String {
        if state != TcpState::TimeWait {
            return format!("{local} > {remote} is held by a connection in {state}");
        }
        match self.index.time_wait_end(f.node, (local, remote), f.ret) {
            Some(end) => format!("{local} > {remote} is in TIME_WAIT until {}", at(end)),
            None => format!(
                "{local} > {remote} is in TIME_WAIT since {} (it outlived the run)",
                at(since)
            ),
        }
    }

    /// CB-C16: every ephemeral port of the host is held.
    pub(super) fn ports_exhausted(&self, f: &Failed<'_>) -> Option<String> {
        let facts = self.hosts.iter().find(|h| h.node == f.node)?;
        let (first, last) = facts.ephemeral_ports;
        let total = usize::from(last - first) + 1;
        let range = first..=last;
        let count = self.held.ports(f.node, &range);
        let other = total.saturating_sub(count.time_wait + count.open);
        let mut parts = Vec::new();
        for (n, what) in [
            (count.time_wait, "by TIME_WAIT"),
            (count.open, "by open connections"),
            (other, "by other sockets"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        let ports = plural(total, "ephemeral port");
        let mut text = format!(
            "all {ports} ({first}-{last}) are held ({})",
            parts.join(", ")
        );
        if let Some(end) = self.index.first_time_wait_end(f.node, &range, f.ret) {
            text.push_str(&format!("; the first is released at {}", at(end)));
        }
        Some(text)
    }
}
