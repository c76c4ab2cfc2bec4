//! The JSON-lines view: one object per trace event per line, in trace order.
//!
//! Every object starts with `time_ns`, `node` and `kind` (`call`, `return`,
//! `send`, `recv`, `drop`, `state`, `time_wait_end`, `fault`), then the
//! fields of that kind. Packets are spelled out under `packet`: `src`,
//! `dst`, `ttl`, `proto` (`tcp`, `udp`, `icmp`) and that protocol's fields,
//! with absolute sequence numbers as they were sent. Links and threads are
//! named; a packet delivered or dropped inside a node has `"link": null`.

use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddrV4};

use serde::Serialize;
use simsock_model::packet::Proto;
use simsock_model::{PacketHeader, Transport};
use simsock_sim::net::LinkId;
use simsock_sim::trace::{Names, TraceEvent, TraceKind};

use super::capture::Capture;
use super::label::code_name;

/// Writes every event as one line of JSON.
pub fn write(out: &mut dyn Write, capture: &Capture) -> io::Result<()> {
    for e in &capture.events {
        serde_json::to_writer(&mut *out, &line(&capture.names, e))?;
        writeln!(out)?;
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct Line<'a> {
    time_ns: u64,
    node: &'a str,
    #[serde(flatten)]
    kind: Kind<'a>,
}

#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Kind<'a> {
    Call {
        thread: &'a str,
        call: &'a str,
    },
    Return {
        thread: &'a str,
        call: &'a str,
        result: &'a str,
        start_ns: u64,
    },
    Send {
        link: &'a str,
        len: u32,
        cause: Option<&'a str>,
        packet: Packet,
    },
    Recv {
        link: Option<&'a str>,
        packet: Packet,
    },
    Drop {
        link: Option<&'a str>,
        reason: &'a str,
        packet: Packet,
    },
    State {
        local: SocketAddrV4,
        remote: SocketAddrV4,
        from: &'static str,
        to: &'static str,
    },
    TimeWaitEnd {
        local: SocketAddrV4,
        remote: SocketAddrV4,
    },
    Fault {
        what: &'a str,
    },
    /// An overlapped operation completed (ConnectEx family).
    Completion {
        thread: &'a str,
        what: &'a str,
    },
}

#[derive(Debug, Serialize)]
struct Packet {
    src: Ipv4Addr,
    dst: Ipv4Addr,
    ttl: u8,
    #[serde(flatten)]
    transport: Proto4,
}

#[derive(Debug, Serialize)]
#[serde(tag = "proto", rename_all = "snake_case")]
enum Proto4 {
    Tcp {
        src_port: u16,
        dst_port: u16,
        seq: u32,
        ack: u32,
        /// `SYN,ACK`, in Wireshark's order.
        flags: String,
        window: u16,
        len: u32,
    },
    Udp {
        src_port: u16,
        dst_port: u16,
        len: u32,
    },
    /// ICMP destination unreachable (RFC 792), with the addressing of the
    /// datagram it is about.
    Icmp {
        icmp_type: &'static str,
        code: &'static str,
        orig_proto: &'static str,
        orig_src: SocketAddrV4,
        orig_dst: SocketAddrV4,
    },
}

fn line<'a>(names: &'a Names, e: &'a TraceEvent) -> Line<'a> {
    Line {
        time_ns: e.at.as_nanos(),
        node: names.node(e.node),
        kind: kind(names, &e.kind),
    }
}

fn kind<'a>(names: &'a Names, kind: &'a TraceKind) -> Kind<'a> {
    let link = |l: Option<LinkId>| l.is_some().then(|| names.link(l));
    match kind {
        TraceKind::Call { thread, call } => Kind::Call {
            thread: names.thread(*thread),
            call,
        },
        TraceKind::Return {
            thread,
            call,
            result,
            start,
        } => Kind::Return {
            thread: names.thread(*thread),
            call,
            result,
            start_ns: start.as_nanos(),
        },
        TraceKind::Send {
            link: l,
            header,
            len,
            cause,
        } => Kind::Send {
            link: names.link(Some(*l)),
            len: *len,
            cause: (!cause.is_empty()).then_some(*cause),
            packet: packet(header),
        },
        TraceKind::Recv { link: l, header } => Kind::Recv {
            link: link(*l),
            packet: packet(header),
        },
        TraceKind::Drop {
            link: l,
            header,
            reason,
        } => Kind::Drop {
            link: link(*l),
            reason,
            packet: packet(header),
        },
        TraceKind::State {
            local,
            remote,
            from,
            to,
        } => Kind::State {
            local: *local,
            remote: *remote,
            from: from.name(),
            to: to.name(),
        },
        TraceKind::TimeWaitEnd { local, remote } => Kind::TimeWaitEnd {
            local: *local,
            remote: *remote,
        },
        TraceKind::Fault { what } => Kind::Fault { what },
        TraceKind::Completion { thread, what } => Kind::Completion {
            thread: names.thread(*thread),
            what,
        },
    }
}

fn packet(h: &PacketHeader) -> Packet {
    let transport = match h.transport {
        Transport::Tcp(t) => Proto4::Tcp {
            src_port: t.src_port,
            dst_port: t.dst_port,
            seq: t.seq,
            ack: t.ack,
            flags: t.flags.to_string(),
            window: t.window,
            len: t.len,
        },
        Transport::Udp {
            src_port,
            dst_port,
            len,
        } => Proto4::Udp {
            src_port,
            dst_port,
            len,
        },
        Transport::Unreachable(u) => Proto4::Icmp {
            icmp_type: "destination_unreachable",
            code: code_name(u.code),
            orig_proto: match u.orig_proto {
                Proto::Icmp => "icmp",
                Proto::Tcp => "tcp",
                Proto::Udp => "udp",
            },
            orig_src: u.orig_src,
            orig_dst: u.orig_dst,
        },
    };
    Packet {
        src: h.src,
        dst: h.dst,
        ttl: h.ttl,
        transport,
    }
}
