//! Why a connection broke under send or recv, reset by the peer (RFC 9293
//! §3.10.7.4) or aborted when data retransmissions ran out (§3.8.3, R2),
//! and why every call failed while the host's interface was down (CB-C11).

use simsock_model::{TcpFlags, TcpState};

use super::connect::parens;
use super::held::Tuple;
use super::segments::{rst_senders, sends};
use super::text::at;
use super::{Cx, Failed, parse_call};
use crate::trace::TraceKind;

impl Cx<'_> {
    /// CB-C11: the fault that took the host's interface down.
    pub(super) fn interface_down(&self, f: &Failed<'_>) -> Option<String> {
        let name = self.node(f.node);
        let down = format!("interface of {name} down");
        let since = self.events[..=f.ret]
            .iter()
            .rev()
            .find_map(|e| match &e.kind {
                TraceKind::Fault { what } if e.node == f.node && *what == down => Some(e.at),
                _ => None,
            })?;
        Some(format!(
            "{name}'s network interface is down (since {})",
            at(since)
        ))
    }

    /// The connection of the socket the failed call used: the one its last
    /// successful connect opened (an accepted socket's is not traced).
    fn connection(&self, f: &Failed<'_>) -> Option<Tuple> {
        let (call, text) = self.earlier_call(f, &format!("connect({}, ", f.socket))?;
        let to = parse_call(text)?.2?;
        self.opened(f.node, call, to)
    }

    /// The peer reset the connection: who sent the RST, when and why.
    pub(super) fn reset(&self, f: &Failed<'_>) -> Option<String> {
        let tuple = self.connection(f)?;
        let from = self.earlier_call(f, &format!("connect({}, ", f.socket))?.0;
        let last = rst_senders(self.events, f.node, tuple, from, f.ret).pop()?;
        Some(format!(
            "{} answered with RST at {}{}",
            self.node(last.node),
            at(last.at),
            parens(last.cause)
        ))
    }

    /// The stack gave up on unacknowledged data: what became of each copy.
    pub(super) fn aborted(&self, f: &Failed<'_>) -> Option<String> {
        let tuple = self.connection(f)?;
        let from = self.earlier_call(f, &format!("connect({}, ", f.socket))?.0;
        let closed = self.events[..=f.ret].iter().rposition(|e| {
            e.node == f.node
                && matches!(e.kind, TraceKind::State { local, remote, to: TcpState::Closed, .. }
                    if (local, remote) == tuple)
        })?;
        let data = sends(self.events, f.node, tuple, (from, closed), |t| {
            t.len > 0 || t.flags.has(TcpFlags::FIN)
        });
        let last = *data.last()?;
        let seq = self.seq(last)?;
        let copies: Vec<usize> = data
            .into_iter()
            .filter(|&i| self.seq(i) == Some(seq))
            .collect();
        self.what_became_of("data", &copies, closed, tuple)
    }

    fn seq(&self, send: usize) -> Option<u32> {
        match &self.events[send].kind {
            TraceKind::Send { header, .. } => match header.transport {
                simsock_model::Transport::Tcp(t) => Some(t.seq),
                _ => None,
            },
            _ => None,
        }
    }
}
