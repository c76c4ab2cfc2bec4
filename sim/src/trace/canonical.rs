//! The canonical line of an event as bytes, written without `core::fmt`:
//! what the digest hashes on every event of every run.
//!
//! Architecture invariant: [`write_line`] writes exactly the bytes of
//! [`Names::write_event`] (the `Display` forms of the model's types) plus
//! the newline; a sweep spends a third of its time here, and the
//! formatting machinery was most of that (issue 18, item 5). The tests
//! below compare the two on every kind of event, and the bundled
//! scenarios' digests (`/work/digests`) compare them on whole runs.

use std::net::{Ipv4Addr, SocketAddrV4};

use simsock_model::packet::{PacketHeader, TcpFlags, Transport};

use simsock_model::SimTime;

use super::{Names, Returned, TraceEvent, TraceKind};
use crate::net::NodeId;

/// Appends the canonical text of `e` and a newline to `out`.
pub fn write_line(names: &Names, out: &mut Vec<u8>, e: &TraceEvent) {
    prefix(names, out, e.at, e.node);
    match &e.kind {
        TraceKind::Call { thread, call } => {
            words(out, &["call ", names.thread(*thread), " ", call]);
        }
        TraceKind::Return {
            thread,
            call,
            result,
            start,
        } => return_words(
            names,
            out,
            *thread,
            [call.as_str(), result.as_str()],
            *start,
        ),
        TraceKind::Send {
            link,
            header,
            cause,
            ..
        } => {
            words(out, &["send ", names.link(Some(*link)), " "]);
            packet(out, header);
            if !cause.is_empty() {
                words(out, &[" (", cause, ")"]);
            }
        }
        TraceKind::Recv { link, header } => {
            words(out, &["recv ", names.link(*link), " "]);
            packet(out, header);
        }
        TraceKind::Drop {
            link,
            header,
            reason,
        } => {
            words(out, &["drop ", names.link(*link), " "]);
            packet(out, header);
            words(out, &[" (", reason, ")"]);
        }
        TraceKind::State {
            local,
            remote,
            from,
            to,
        } => {
            four_tuple(out, local, remote);
            words(out, &[" ", from.name(), " -> ", to.name()]);
        }
        TraceKind::TimeWaitEnd { local, remote } => {
            four_tuple(out, local, remote);
            out.extend_from_slice(b" TIME_WAIT ended");
        }
        TraceKind::Fault { what } => words(out, &["fault ", what]),
        TraceKind::Completion { thread, what } => {
            words(out, &["complete ", names.thread(*thread), " ", what]);
        }
    }
    out.push(b'\n');
}

/// The line of a [`TraceKind::Return`] from borrowed text, as
/// [`write_line`] writes that event.
pub fn write_return(names: &Names, out: &mut Vec<u8>, (at, node): (SimTime, NodeId), r: &Returned) {
    prefix(names, out, at, node);
    return_words(names, out, r.thread, [r.call.as_str(), r.result], r.start);
    out.push(b'\n');
}

/// `<time ns> <node> `.
fn prefix(names: &Names, out: &mut Vec<u8>, at: SimTime, node: NodeId) {
    int(out, at.as_nanos());
    out.push(b' ');
    out.extend_from_slice(names.node(node).as_bytes());
    out.push(b' ');
}

/// `return <thread> <call> = <result> (called at <ns>)`.
fn return_words(
    names: &Names,
    out: &mut Vec<u8>,
    thread: u32,
    [call, result]: [&str; 2],
    start: SimTime,
) {
    let thread = names.thread(thread);
    words(out, &["return ", thread, " ", call, " = ", result]);
    out.extend_from_slice(b" (called at ");
    int(out, start.as_nanos());
    out.push(b')');
}

fn words(out: &mut Vec<u8>, words: &[&str]) {
    for w in words {
        out.extend_from_slice(w.as_bytes());
    }
}

/// `u64`, `u32`, `u16` and `u8` in decimal, as `Display` writes them.
/// Byte by byte: a call to `memcpy` for five digits cost more than the
/// digits.
fn int(out: &mut Vec<u8>, n: impl itoa::Integer) {
    for &digit in itoa::Buffer::new().format(n).as_bytes() {
        out.push(digit);
    }
}

/// `a.b.c.d`, as `Ipv4Addr`'s `Display` writes it.
fn ip(out: &mut Vec<u8>, addr: Ipv4Addr) {
    let [a, b, c, d] = addr.octets();
    int(out, a);
    for octet in [b, c, d] {
        out.push(b'.');
        int(out, octet);
    }
}

/// `a.b.c.d:port`, as `SocketAddrV4`'s `Display` writes it.
fn socket(out: &mut Vec<u8>, addr: &SocketAddrV4) {
    ip(out, *addr.ip());
    out.push(b':');
    int(out, addr.port());
}

/// `tcp <local> > <remote>`.
fn four_tuple(out: &mut Vec<u8>, local: &SocketAddrV4, remote: &SocketAddrV4) {
    out.extend_from_slice(b"tcp ");
    socket(out, local);
    out.extend_from_slice(b" > ");
    socket(out, remote);
}

/// `PacketHeader`'s `Display` (simsock_model::packet); an ICMP error,
/// rare, goes through `Display` itself.
fn packet(out: &mut Vec<u8>, h: &PacketHeader) {
    match h.transport {
        Transport::Tcp(t) => {
            out.extend_from_slice(b"TCP ");
            socket(out, &SocketAddrV4::new(h.src, t.src_port));
            out.extend_from_slice(b" > ");
            socket(out, &SocketAddrV4::new(h.dst, t.dst_port));
            out.extend_from_slice(b" [");
            flags(out, t.flags);
            out.extend_from_slice(b"] seq=");
            int(out, t.seq);
            out.extend_from_slice(b" ack=");
            int(out, t.ack);
            out.extend_from_slice(b" win=");
            int(out, t.window);
            out.extend_from_slice(b" len=");
            int(out, t.len);
        }
        Transport::Udp {
            src_port,
            dst_port,
            len,
        } => {
            out.extend_from_slice(b"UDP ");
            socket(out, &SocketAddrV4::new(h.src, src_port));
            out.extend_from_slice(b" > ");
            socket(out, &SocketAddrV4::new(h.dst, dst_port));
            out.extend_from_slice(b" len=");
            int(out, len);
        }
        Transport::Unreachable(_) => {
            use std::io::Write as _;
            // Invariant: writing to a Vec cannot fail.
            let _ = write!(out, "{h}");
        }
    }
}

/// `TcpFlags`' `Display`: the set flags' names joined by commas, `-` for
/// none.
fn flags(out: &mut Vec<u8>, flags: TcpFlags) {
    let names = [
        (TcpFlags::SYN, &b"SYN"[..]),
        (TcpFlags::FIN, b"FIN"),
        (TcpFlags::RST, b"RST"),
        (TcpFlags::PSH, b"PSH"),
        (TcpFlags::ACK, b"ACK"),
    ];
    let mut first = true;
    for (flag, name) in names {
        if flags.has(flag) {
            if !first {
                out.push(b',');
            }
            out.extend_from_slice(name);
            first = false;
        }
    }
    if first {
        out.push(b'-');
    }
}

#[cfg(test)]
mod tests {
    use simsock_model::packet::{IcmpUnreachable, Proto, TcpHeader, UnreachableCode};
    use simsock_model::{SimTime, TcpState};

    use super::*;
    use crate::net::{LinkId, NodeId};
    use crate::trace::Text;

    fn names() -> Names {
        Names {
            nodes: vec!["client".into(), "server".into()],
            links: vec!["client-server".into()],
            threads: vec!["main".into()],
        }
    }

    fn tcp(flags: TcpFlags, seq: u32, window: u16, len: u32) -> PacketHeader {
        PacketHeader {
            src: Ipv4Addr::new(10, 0, 0, 1),
            dst: Ipv4Addr::new(255, 255, 255, 255),
            ttl: 64,
            transport: Transport::Tcp(TcpHeader {
                src_port: 49152,
                dst_port: 0,
                flags,
                seq,
                ack: u32::MAX,
                window,
                len,
            }),
        }
    }

    fn kinds() -> Vec<TraceKind> {
        let a = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 5000);
        let b = SocketAddrV4::new(Ipv4Addr::new(192, 168, 100, 254), 65535);
        let udp = PacketHeader {
            src: Ipv4Addr::new(0, 0, 0, 0),
            dst: Ipv4Addr::new(10, 9, 99, 100),
            ttl: 1,
            transport: Transport::Udp {
                src_port: 7,
                dst_port: 53,
                len: 0,
            },
        };
        let icmp = PacketHeader {
            transport: Transport::Unreachable(IcmpUnreachable {
                code: UnreachableCode::Port,
                orig_src: a,
                orig_dst: b,
                orig_proto: Proto::Udp,
            }),
            ..udp
        };
        let all = TcpFlags(0x1f);
        let mut kinds = vec![
            TraceKind::Call {
                thread: 0,
                call: Text::from("connect(s, 10.0.0.2:80)"),
            },
            TraceKind::Return {
                thread: 7,
                call: Text::from("recv(c, 100)"),
                result: Text::from("OK (5 bytes \"hello\")"),
                start: SimTime(u64::MAX),
            },
            TraceKind::Recv {
                link: None,
                header: udp,
            },
            TraceKind::Drop {
                link: Some(LinkId(9)),
                header: icmp,
                reason: "lost",
            },
            TraceKind::State {
                local: a,
                remote: b,
                from: TcpState::SynSent,
                to: TcpState::TimeWait,
            },
            TraceKind::TimeWaitEnd {
                local: b,
                remote: a,
            },
            TraceKind::Fault {
                what: "link client-server down".into(),
            },
            TraceKind::Completion {
                thread: 0,
                what: "ConnectEx(s) on ov = OK (3 bytes)".into(),
            },
        ];
        // Long lines: a name or text of any length is copied whole.
        for n in [150, 500] {
            kinds.push(TraceKind::Fault {
                what: "x".repeat(n),
            });
            kinds.push(TraceKind::Return {
                thread: 0,
                call: Text::from("y".repeat(n - 60).as_str()),
                result: Text::from("OK"),
                start: SimTime(1_234_567_890),
            });
        }
        for (flags, seq, window, len) in [
            (TcpFlags(0), 0, 0, 0),
            (TcpFlags::SYN, 1, 65535, 1460),
            (TcpFlags::RST.with(TcpFlags::ACK), u32::MAX, 8192, 100_000),
            (all, 12_345, 1, 9),
        ] {
            for cause in ["", "reset: no listener"] {
                let header = tcp(flags, seq, window, len);
                let link = LinkId(0);
                kinds.push(TraceKind::Send {
                    link,
                    header,
                    len,
                    cause,
                });
            }
        }
        kinds
    }

    /// A return written from borrowed text is the line of the event.
    #[test]
    fn a_borrowed_return_is_the_line_of_the_event() {
        let names = names();
        let call = Text::from("recv(c, 100)");
        let r = Returned {
            thread: 0,
            call: &call,
            result: "OK (5 bytes: \"hello\")",
            start: SimTime(2_010_000_000),
        };
        let event = TraceEvent {
            at: SimTime(2_012_000_001),
            node: NodeId(1),
            kind: TraceKind::Return {
                thread: r.thread,
                call: call.clone(),
                result: Text::from(r.result),
                start: r.start,
            },
        };
        let (mut borrowed, mut line) = (Vec::new(), Vec::new());
        write_return(&names, &mut borrowed, (event.at, event.node), &r);
        write_line(&names, &mut line, &event);
        assert_eq!(
            String::from_utf8(borrowed).unwrap(),
            String::from_utf8(line).unwrap()
        );
    }

    #[test]
    fn the_bytes_are_the_display_line_and_a_newline() {
        let names = names();
        for (i, kind) in kinds().into_iter().enumerate() {
            for at in [0, 9, 10, 2_010_000_000, u64::MAX] {
                let node = NodeId(i as u32 % 3); // 2 has no name: `?`
                let event = TraceEvent {
                    at: SimTime(at),
                    node,
                    kind: kind.clone(),
                };
                let mut display = String::new();
                names.write_event(&mut display, &event);
                display.push('\n');
                let mut bytes = Vec::new();
                write_line(&names, &mut bytes, &event);
                assert_eq!(String::from_utf8(bytes).unwrap(), display);
            }
        }
    }
}
