//! The causal chain: why a call failed, in one sentence read off the trace.
//!
//! ```text
//! WSAETIMEDOUT at 21.000 s: SYN sent at 0, 3 and 9 s; all dropped on link client-server (down since the start)
//! WSAECONNREFUSED at 2.010 s: SYN answered with RST by server (reset: no listener) at 0.001, 0.503, 1.005, 1.507 and 2.009 s
//! WSAEHOSTUNREACH at 2.002 s: router answered ICMP host unreachable at 2.001 s (ARP got no answer for 10.0.1.99)
//! WSAENETUNREACH at 0.000 s: no route from client to 192.168.9.9; no packet sent
//! WSAEADDRINUSE at 1.000 s: 10.0.0.1:5000 > 10.0.0.2:80 is in TIME_WAIT until 30.004 s
//! WSAENOBUFS at 3.006 s: all 3 ephemeral ports (65533-65535) are held (3 by TIME_WAIT); the first is released at 240.004 s
//! WSAECONNABORTED at 20.900 s: data sent at 2, 2.3, 2.9, 4.1, 6.5 and 11.3 s; all dropped on link client-server by server (host down)
//! ```
//!
//! Code map: `connect` (refused, timed out, unreachable: the fate of the
//! SYNs), `ports` (address in use, no ephemeral port: what holds them),
//! `broken` (a connection reset or aborted, an interface down),
//! `segments` (following a segment through the trace), `held` (tuples
//! and ports held at a point of the trace), `text` (times and lists).
//!
//! [`annotate`] is a pure function of the trace events: the call and its
//! return, the SYNs of the attempt and what became of each (a drop on a link,
//! an RST and who sent it, an ICMP unreachable and why it was sent), the TCP
//! state changes and the ends of TIME_WAIT records (CB-T1). The one fact no
//! event carries, each host's ephemeral port range (CB-C16), comes in as
//! [`HostFacts`]. A failed call it has no story for keeps `why: None`.
//!
//! The trace is complete when this runs (it runs after the run), so a
//! sentence may name a later event: when the TIME_WAIT that blocked a
//! connect ended, for instance.

mod broken;
mod connect;
mod held;
mod ports;
mod segments;
mod text;

use std::net::SocketAddrV4;

use simsock_model::{SimTime, TcpState, WsaError};

use self::held::{Held, Index, Tuple};
use self::text::at;
use crate::net::NodeId;
use crate::trace::{Names, TraceEvent, TraceKind};
use crate::world::CallRecord;

/// What the trace does not say about a host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostFacts {
    /// The host's node, as trace events name it.
    pub node: NodeId,
    /// First and last ephemeral port (the host profile's `ephemeral_ports`).
    pub ephemeral_ports: (u16, u16),
    /// How its binds decide an address is in use (profile `bind_rules`).
    pub bind_rules: simsock_model::profile::BindRules,
}

/// Fills `why` in each failed call of `calls`. `calls` must be the run's
/// call records in the order they were made, each with its `seq` (its
/// place among the trace's `Return` events); calls whose `Return` is past
/// the kept events (a trace kept in part, or not at all) keep `why: None`.
pub fn annotate(
    events: &[TraceEvent],
    names: &Names,
    hosts: &[HostFacts],
    calls: &mut [CallRecord],
) {
    if events.is_empty() || calls.is_empty() {
        return;
    }
    let index = Index::new(events);
    let mut held = Held::default();
    let mut seq = 0;
    let mut next = calls.iter_mut().peekable();
    for (i, event) in events.iter().enumerate() {
        held.apply(event);
        if !matches!(event.kind, TraceKind::Return { .. }) {
            continue;
        }
        let this = seq;
        seq += 1;
        let Some(record) = next.next_if(|c| c.seq == this) else {
            continue;
        };
        if record.result != "OK" || reads_connect_error(&record.call, &record.detail) {
            let cx = Cx {
                events,
                names,
                hosts,
                index: &index,
                held: &held,
            };
            record.why = cx.explain(i);
        }
    }
}

/// Why the call that returned at `events[ret]` failed; `None` when it did
/// not fail or the trace tells no story for it. Replays the trace up to
/// `ret`; [`annotate`] does the same for every call in one pass.
pub fn explain(
    events: &[TraceEvent],
    names: &Names,
    hosts: &[HostFacts],
    ret: usize,
) -> Option<String> {
    let mut held = Held::default();
    for event in events.get(..=ret)? {
        held.apply(event);
    }
    let index = Index::new(events);
    let cx = Cx {
        events,
        names,
        hosts,
        index: &index,
        held: &held,
    };
    cx.explain(ret)
}

/// The Winsock code whose story a Linux host's errno result tells
/// (`winsock::errno`): its counterpart, and for connect's EADDRNOTAVAIL
/// the four-tuple in use (WSAEADDRINUSE on Windows).
fn linux_counterpart(result: &str, verb: &str) -> Option<WsaError> {
    use simsock_model::Errno;
    match (Errno::lookup(result)?, verb) {
        (Errno::EADDRNOTAVAIL, "connect") => Some(WsaError::WSAEADDRINUSE),
        (errno, _) => errno.to_wsa(),
    }
}

/// Everything an explanation may read.
struct Cx<'a> {
    events: &'a [TraceEvent],
    names: &'a Names,
    hosts: &'a [HostFacts],
    index: &'a Index,
    /// Connections and TIME_WAIT records as of the return.
    held: &'a Held,
}

/// A failed call: where it sits in the trace and what it asked for.
struct Failed<'a> {
    /// Index of its `Call` event.
    call: usize,
    /// Index of its `Return` event.
    ret: usize,
    node: NodeId,
    end: SimTime,
    /// The socket variable, e.g. `s`.
    socket: &'a str,
    /// The address the call names (destination of connect, local of bind).
    addr: Option<SocketAddrV4>,
}

impl Cx<'_> {
    fn explain(&self, ret: usize) -> Option<String> {
        let event = self.events.get(ret)?;
        let TraceKind::Return {
            thread,
            call,
            result,
            start,
        } = &event.kind
        else {
            return None;
        };
        let (verb, socket, addr) = parse_call(call)?;
        if reads_connect_error(call, result) {
            return self.so_error(ret, socket, result);
        }
        let error = match WsaError::lookup(result) {
            Some(error) => error,
            None => linux_counterpart(result, verb)?,
        };
        // WSAConnect and WSPConnect fail for the same network reasons.
        let verb = match verb {
            "WSAConnect" | "WSPConnect" => "connect",
            verb => verb,
        };
        let call_index = self.events[..ret].iter().rposition(|e| {
            e.node == event.node
                && matches!(&e.kind, TraceKind::Call { thread: t, .. } if t == thread)
                && e.at == *start
        })?;
        let f = Failed {
            call: call_index,
            ret,
            node: event.node,
            end: event.at,
            socket,
            addr,
        };
        let end = f.end;
        let reason = self.reason(verb, error, f)?;
        Some(format!("{} at {}: {reason}", result.as_str(), at(end)))
    }

    /// The story of `error` for the failed call `f` whose verb is `verb`.
    fn reason(&self, verb: &str, error: WsaError, f: Failed<'_>) -> Option<String> {
        match (verb, error) {
            // It only reads the code of the call that failed before.
            ("WSAGetLastError", _) => None,
            (_, WsaError::WSAENETDOWN) => self.interface_down(&f),
            ("connect", WsaError::WSAETIMEDOUT) => self.timed_out(&f),
            ("connect", WsaError::WSAECONNREFUSED) => self.refused(&f),
            ("connect", WsaError::WSAEHOSTUNREACH | WsaError::WSAENETUNREACH) => {
                self.unreachable(&f)
            }
            ("connect", WsaError::WSAEADDRINUSE) => self.tuple_in_use(&f),
            ("connect" | "bind", WsaError::WSAENOBUFS) => self.ports_exhausted(&f),
            ("bind", WsaError::WSAEADDRINUSE | WsaError::WSAEACCES) => self.port_in_use(&f, error),
            ("send" | "recv", WsaError::WSAECONNRESET) => self.reset(&f),
            ("send" | "recv", WsaError::WSAECONNABORTED) => self.aborted(&f),
            _ => None,
        }
    }

    /// A nonblocking connect's failure read with getsockopt(SO_ERROR)
    /// (CB-N3; how mio, and so tokio on Windows, learns it): the story of
    /// the socket's last connect up to this read, under the code read,
    /// e.g. `WSAECONNREFUSED (SO_ERROR) at 2.010 s: SYN answered with RST
    /// by server ...`.
    fn so_error(&self, ret: usize, socket: &str, result: &str) -> Option<String> {
        let event = &self.events[ret];
        let number = result.strip_prefix("OK (")?.strip_suffix(')')?;
        // A Linux host reads the errno number (socket(7)).
        let (error, name) = match WsaError::lookup(number) {
            Some(error) => (error, error.name()),
            None => {
                let errno = simsock_model::Errno::lookup(number)?;
                (errno.to_wsa()?, errno.name())
            }
        };
        let mut f = Failed {
            call: ret,
            ret,
            node: event.node,
            end: event.at,
            socket,
            addr: None,
        };
        let (call, text) = self.earlier_call(&f, &format!("connect({socket}, "))?;
        f.call = call;
        f.addr = parse_call(text)?.2;
        let end = f.end;
        let reason = self.reason("connect", error, f)?;
        Some(format!("{name} (SO_ERROR) at {}: {reason}", at(end)))
    }

    fn node(&self, node: NodeId) -> &str {
        self.names.node(node)
    }

    /// The four-tuple that the connect called at `events[call]` opened on
    /// `node`: its CLOSED -> SYN_SENT change, traced in the same step as
    /// the call.
    fn opened(&self, node: NodeId, call: usize, to: SocketAddrV4) -> Option<Tuple> {
        self.events[call + 1..]
            .iter()
            .take_while(|e| !matches!(e.kind, TraceKind::Call { .. } | TraceKind::Return { .. }))
            .find_map(|e| match e.kind {
                TraceKind::State {
                    local,
                    remote,
                    from: TcpState::Closed,
                    to: TcpState::SynSent,
                } if e.node == node && remote == to => Some((local, remote)),
                _ => None,
            })
    }

    /// The last call on the socket before the failed one whose text starts
    /// with `prefix` (e.g. `bind(s, `), as long as the socket variable was
    /// not created anew in between: its index and text.
    fn earlier_call(&self, f: &Failed<'_>, prefix: &str) -> Option<(usize, &str)> {
        let created = format!("{} = socket(", f.socket);
        for (i, e) in self.events[..f.call].iter().enumerate().rev() {
            let TraceKind::Call { call, .. } = &e.kind else {
                continue;
            };
            if e.node != f.node {
                continue;
            }
            if call.starts_with(prefix) {
                return Some((i, call));
            }
            if call.starts_with(&created) {
                return None;
            }
        }
        None
    }
}

/// Whether a call is getsockopt(SO_ERROR) that read a pending error:
/// `result` is its traced result (`OK (10061)`), or the record's detail.
fn reads_connect_error(call: &str, result: &str) -> bool {
    call.starts_with("getsockopt(") && call.ends_with(", SO_ERROR)") && result != "OK (0)"
}

/// A call's text as (verb, socket, address): `connect(s, 10.0.0.2:80)`
/// gives (`connect`, `s`, 10.0.0.2:80), `recv(c, 100)` gives (`recv`, `c`,
/// none), `t = socket(Inet, Stream)` gives (`socket`, `Inet`, none).
fn parse_call(call: &str) -> Option<(&str, &str, Option<SocketAddrV4>)> {
    let call = call.split_once(" = ").map_or(call, |(_, c)| c);
    let (verb, rest) = call.split_once('(')?;
    let args = rest.strip_suffix(')')?;
    let (socket, addr) = args.split_once(", ").unwrap_or((args, ""));
    // The address is the second argument; `namelen`, connect data... follow.
    let addr = addr.split(", ").next().unwrap_or(addr);
    Some((verb, socket, addr.parse().ok()))
}

#[cfg(test)]
mod tests;
