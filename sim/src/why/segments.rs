//! Following segments through the trace: what became of each SYN of an
//! attempt (RFC 9293 §3.5), who answered it with RST (§3.10.7.1), and which
//! ICMP unreachable (RFC 792) ended it.

use std::net::SocketAddrV4;

use simsock_model::packet::UnreachableCode;
use simsock_model::{PacketHeader, SimTime, TcpFlags, TcpHeader, Transport};

use super::held::Tuple;
use crate::net::{LinkId, NodeId};
use crate::trace::{TraceEvent, TraceKind};

/// What became of one segment (a SYN, or data).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fate {
    /// Dropped by `node`, on `link` or by the node itself (event `index`).
    Dropped {
        node: NodeId,
        link: Option<LinkId>,
        reason: &'static str,
        index: usize,
    },
    /// `by` answered with `reply`, which arrived (`cause`: why it was sent).
    Answered {
        by: NodeId,
        reply: &'static str,
        cause: &'static str,
    },
    /// `by` answered with `reply`, which was lost on `link`.
    ReplyLost {
        by: NodeId,
        reply: &'static str,
        link: LinkId,
    },
    /// It reached `by`, which sent nothing back.
    Unanswered { by: NodeId },
    /// The trace shows nothing more of it.
    Unknown,
}

/// The node and cause of one RST that answered a SYN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct RstSender {
    /// The node that sent the RST (the host itself when its own firewall
    /// rejected the SYN).
    pub node: NodeId,
    /// When it was sent (or, from the host itself, received).
    pub at: SimTime,
    /// Its `send` line's cause, e.g. "reset: no listener"; for the host's
    /// own answer, the SYN's drop reason.
    pub cause: &'static str,
}

/// The ICMP unreachable that ended an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Unreachable {
    /// The message's code (RFC 792: net, host, port; RFC 1812 §5.2.7.1:
    /// administratively prohibited).
    pub code: UnreachableCode,
    /// The node that sent it; `None` when the host answered itself (its own
    /// neighbour resolution failed, so no link carried the message).
    pub by: Option<NodeId>,
    /// When it was sent (or, from the host itself, received).
    pub at: SimTime,
    /// Why the SYN was dropped where the message came from.
    pub reason: Option<&'static str>,
    /// Why the message was sent, as its sender traced it.
    pub cause: &'static str,
    /// When the SYN was dropped where the message came from (for a failed
    /// ARP, when the wait began); the message's time when no drop was
    /// traced.
    pub dropped_at: SimTime,
}

/// The TCP part of a header as (source, destination, segment).
fn tcp(h: &PacketHeader) -> Option<(SocketAddrV4, SocketAddrV4, TcpHeader)> {
    match h.transport {
        Transport::Tcp(t) => Some((
            SocketAddrV4::new(h.src, t.src_port),
            SocketAddrV4::new(h.dst, t.dst_port),
            t,
        )),
        _ => None,
    }
}

/// The same segment, wherever it is (routers change the TTL, not this).
fn same(h: &PacketHeader, from: SocketAddrV4, to: SocketAddrV4, seg: &TcpHeader) -> bool {
    tcp(h).is_some_and(|(s, d, t)| s == from && d == to && t.seq == seg.seq && t.flags == seg.flags)
}

/// The header of a packet event (send, receive, drop).
fn header(e: &TraceEvent) -> Option<&PacketHeader> {
    match &e.kind {
        TraceKind::Send { header, .. }
        | TraceKind::Recv { header, .. }
        | TraceKind::Drop { header, .. } => Some(header),
        _ => None,
    }
}

/// The segments `node` sent for `tuple` between the events `from` and
/// `to` (both excluded) that `wanted` picks: their event indices.
pub(super) fn sends(
    events: &[TraceEvent],
    node: NodeId,
    tuple: Tuple,
    (from, to): (usize, usize),
    wanted: impl Fn(&TcpHeader) -> bool,
) -> Vec<usize> {
    (from + 1..to)
        .filter(|&i| {
            let e = &events[i];
            let TraceKind::Send { header, .. } = &e.kind else {
                return false;
            };
            e.node == node && tcp(header).is_some_and(|(s, d, t)| (s, d) == tuple && wanted(&t))
        })
        .collect()
}

/// The name of an answer by its control bits: `RST`, `SYN-ACK` or `ACK`.
fn reply_name(flags: TcpFlags) -> &'static str {
    if flags.has(TcpFlags::RST) {
        "RST"
    } else if flags.has(TcpFlags::SYN) {
        "SYN-ACK"
    } else {
        "ACK"
    }
}

/// A SYN without ACK: a connection request (RFC 9293 §3.5).
pub(super) fn is_syn(t: &TcpHeader) -> bool {
    t.flags.has(TcpFlags::SYN) && !t.flags.has(TcpFlags::ACK)
}

/// Each sent segment (`events[sends[k]]`) with its send time and fate,
/// followed up to the next one's send, the last one up to `end`.
pub(super) fn fates(
    events: &[TraceEvent],
    sends: &[usize],
    end: usize,
    tuple: Tuple,
) -> Vec<(SimTime, Fate)> {
    sends
        .iter()
        .enumerate()
        .map(|(k, &s)| {
            let until = sends.get(k + 1).copied().unwrap_or(end);
            (events[s].at, fate(events, s, until, tuple))
        })
        .collect()
}

/// What became of the segment sent at `events[sent]`, looking up to `end`.
fn fate(events: &[TraceEvent], sent: usize, end: usize, (local, remote): Tuple) -> Fate {
    let Some((.., seg)) = header(&events[sent]).and_then(tcp) else {
        return Fate::Unknown;
    };
    let window = sent + 1..end;
    for i in window.clone() {
        let e = &events[i];
        if let TraceKind::Drop {
            header,
            link,
            reason,
        } = &e.kind
            && same(header, local, remote, &seg)
        {
            return Fate::Dropped {
                node: e.node,
                link: *link,
                reason,
                index: i,
            };
        }
    }
    let reply = window.clone().find_map(|i| match &events[i].kind {
        TraceKind::Send { header, cause, .. } => tcp(header)
            .filter(|(s, d, _)| (*s, *d) == (remote, local))
            .map(|(.., t)| (i, t, *cause)),
        _ => None,
    });
    if let Some((r, answer, cause)) = reply {
        let (by, reply) = (events[r].node, reply_name(answer.flags));
        return (r + 1..end)
            .find_map(|i| match &events[i].kind {
                TraceKind::Drop {
                    header,
                    link: Some(link),
                    ..
                } if same(header, remote, local, &answer) => Some(Fate::ReplyLost {
                    by,
                    reply,
                    link: *link,
                }),
                _ => None,
            })
            .unwrap_or(Fate::Answered { by, reply, cause });
    }
    window
        .rev()
        .find(|&i| {
            matches!(events[i].kind, TraceKind::Recv { .. })
                && header(&events[i]).is_some_and(|h| same(h, local, remote, &seg))
        })
        .map_or(Fate::Unknown, |i| Fate::Unanswered { by: events[i].node })
}

/// The RSTs that reached `node` for `tuple` between `call` and `ret`: for
/// each, the node that first sent it (not a router that forwarded it).
pub(super) fn rst_senders(
    events: &[TraceEvent],
    node: NodeId,
    (local, remote): Tuple,
    call: usize,
    ret: usize,
) -> Vec<RstSender> {
    let mut senders = Vec::new();
    let mut from = call + 1;
    for j in call + 1..=ret {
        let e = &events[j];
        let TraceKind::Recv { header, .. } = &e.kind else {
            continue;
        };
        let Some((s, d, rst)) = tcp(header) else {
            continue;
        };
        if e.node != node || (s, d) != (remote, local) || !rst.flags.has(TcpFlags::RST) {
            continue;
        }
        let first = (from..j).find_map(|i| match &events[i].kind {
            TraceKind::Send { header, cause, .. } if same(header, remote, local, &rst) => {
                Some(RstSender {
                    node: events[i].node,
                    at: events[i].at,
                    cause,
                })
            }
            _ => None,
        });
        // No link carried it: the host answered itself (its own firewall
        // rejected the SYN), and the SYN's drop there says why.
        let local_answer = || RstSender {
            node,
            at: e.at,
            cause: own_drop(events, node, (local, remote), (from, j)).unwrap_or(""),
        };
        senders.push(first.unwrap_or_else(local_answer));
        from = j + 1;
    }
    senders
}

/// Why `node` itself dropped a segment of `tuple` between `from` and `to`.
fn own_drop(
    events: &[TraceEvent],
    node: NodeId,
    tuple: Tuple,
    (from, to): (usize, usize),
) -> Option<&'static str> {
    (from..to).find_map(|i| match &events[i].kind {
        TraceKind::Drop { header, reason, .. }
            if events[i].node == node && tcp(header).is_some_and(|(s, d, _)| (s, d) == tuple) =>
        {
            Some(*reason)
        }
        _ => None,
    })
}

/// The ICMP unreachable about `tuple` that reached `node` between `call`
/// and `ret`, who sent it, and why the SYN was dropped there.
pub(super) fn unreachable_answer(
    events: &[TraceEvent],
    node: NodeId,
    (local, remote): Tuple,
    call: usize,
    ret: usize,
) -> Option<Unreachable> {
    let (j, icmp) = (call + 1..=ret).find_map(|j| {
        let e = &events[j];
        match &e.kind {
            TraceKind::Recv { header, .. } if e.node == node => match header.transport {
                Transport::Unreachable(u) if u.orig_src == local && u.orig_dst == remote => {
                    Some((j, *header))
                }
                _ => None,
            },
            _ => None,
        }
    })?;
    let Transport::Unreachable(msg) = icmp.transport else {
        return None;
    };
    let sent = (call + 1..j).find_map(|i| match &events[i].kind {
        TraceKind::Send { header, cause, .. }
            if header.src == icmp.src
                && header.dst == icmp.dst
                && header.transport == icmp.transport =>
        {
            Some((i, *cause))
        }
        _ => None,
    });
    let cause = sent.map_or("", |(_, c)| c);
    let sent = sent.map(|(i, _)| i);
    let by = sent.map(|i| events[i].node);
    let drop = (call + 1..j).find_map(|i| match &events[i].kind {
        TraceKind::Drop {
            header,
            link: None,
            reason,
        } if by.is_none_or(|b| b == events[i].node)
            && tcp(header).is_some_and(|(s, d, _)| (s, d) == (local, remote)) =>
        {
            Some((*reason, events[i].at))
        }
        _ => None,
    });
    Some(Unreachable {
        code: msg.code,
        by,
        at: sent.map_or(events[j].at, |i| events[i].at),
        reason: drop.map(|(r, _)| r),
        cause,
        dropped_at: drop.map_or(events[j].at, |(_, t)| t),
    })
}
