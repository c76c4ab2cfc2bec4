//! The canonical line of an event as bytes, written without `core::fmt`:
//! what the digest hashes on every event of every run.
//!
//! Architecture invariant: [`write_line`] writes exactly the bytes of
//! [`Names::write_event`] (the `Display` forms of the model's types) plus
//! the newline; a sweep spends a third of its time here, and the
//! formatting machinery was most of that (issue 18, item 5). The tests
//! below compare the two on every kind of event, and the bundled
//! scenarios' digests (`/work/digests`) compare them on whole runs.

use std::net::SocketAddrV4;

use simsock_model::packet::{PacketHeader, Transport};

use simsock_model::SimTime;

use super::piece::{Piece, Recent};
use super::{Names, Returned, TraceEvent, TraceKind};
use crate::net::NodeId;

/// Appends the canonical text of `e` and a newline to `out`.
/// `recent` holds texts of earlier lines that this one may repeat.
pub fn write_line(names: &Names, recent: &mut Recent, out: &mut Vec<u8>, e: &TraceEvent) {
    let mut piece = Piece::new();
    prefix(names, (&mut piece, recent), out, (e.at, e.node));
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
            (&mut piece, out),
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
            packet(&mut piece, recent, out, header);
            if !cause.is_empty() {
                words(out, &[" (", cause, ")"]);
            }
        }
        TraceKind::Recv { link, header } => {
            words(out, &["recv ", names.link(*link), " "]);
            packet(&mut piece, recent, out, header);
        }
        TraceKind::Drop {
            link,
            header,
            reason,
        } => {
            words(out, &["drop ", names.link(*link), " "]);
            packet(&mut piece, recent, out, header);
            words(out, &[" (", reason, ")"]);
        }
        TraceKind::State {
            local,
            remote,
            from,
            to,
        } => {
            four_tuple(&mut piece, recent, out, local, remote);
            words(out, &[" ", from.name(), " -> ", to.name()]);
        }
        TraceKind::TimeWaitEnd { local, remote } => {
            four_tuple(&mut piece, recent, out, local, remote);
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
pub fn write_return(
    names: &Names,
    recent: &mut Recent,
    out: &mut Vec<u8>,
    (at, node): (SimTime, NodeId),
    r: &Returned,
) {
    let mut piece = Piece::new();
    prefix(names, (&mut piece, recent), out, (at, node));
    return_words(
        names,
        (&mut piece, out),
        r.thread,
        [r.call.as_str(), r.result],
        r.start,
    );
    out.push(b'\n');
}

/// `<time ns> <node> `.
fn prefix(
    names: &Names,
    (piece, recent): (&mut Piece, &mut Recent),
    out: &mut Vec<u8>,
    (at, node): (SimTime, NodeId),
) {
    piece.time(recent, at.as_nanos());
    piece.flush(out);
    out.extend_from_slice(names.node(node).as_bytes());
    out.push(b' ');
}

/// `return <thread> <call> = <result> (called at <ns>)`.
fn return_words(
    names: &Names,
    (piece, out): (&mut Piece, &mut Vec<u8>),
    thread: u32,
    [call, result]: [&str; 2],
    start: SimTime,
) {
    let thread = names.thread(thread);
    words(out, &["return ", thread, " ", call, " = ", result]);
    piece.put(b" (called at ");
    piece.int(start.as_nanos());
    piece.put(b")");
    piece.flush(out);
}

fn words(out: &mut Vec<u8>, words: &[&str]) {
    for w in words {
        out.extend_from_slice(w.as_bytes());
    }
}

/// `tcp <local> > <remote>`.
fn four_tuple(
    piece: &mut Piece,
    recent: &mut Recent,
    out: &mut Vec<u8>,
    local: &SocketAddrV4,
    remote: &SocketAddrV4,
) {
    piece.put(b"tcp ");
    piece.socket_recent(recent, *local.ip(), local.port());
    piece.put(b" > ");
    piece.socket_recent(recent, *remote.ip(), remote.port());
    piece.flush(out);
}

/// `PacketHeader`'s `Display` (simsock_model::packet); an ICMP error,
/// rare, goes through `Display` itself.
fn packet(piece: &mut Piece, recent: &mut Recent, out: &mut Vec<u8>, h: &PacketHeader) {
    match h.transport {
        Transport::Tcp(t) => {
            piece.tcp_recent(recent, h, &t);
            piece.flush(out);
        }
        Transport::Udp {
            src_port,
            dst_port,
            len,
        } => {
            piece.put(b"UDP ");
            piece.socket(h.src, src_port);
            piece.put(b" > ");
            piece.socket(h.dst, dst_port);
            piece.put(b" len=");
            piece.int(u64::from(len));
            piece.flush(out);
        }
        Transport::Unreachable(_) => {
            use std::io::Write as _;
            // Invariant: writing to a Vec cannot fail.
            let _ = write!(out, "{h}");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use simsock_model::TcpState;
    use simsock_model::packet::{IcmpUnreachable, Proto, TcpFlags, TcpHeader, UnreachableCode};

    use super::*;
    use crate::net::LinkId;
    use crate::trace::Text;

    fn names() -> Names {
        Names {
            nodes: ["client".into(), "server".into()].into(),
            links: ["client-server".into()].into(),
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

    /// A return written from borrowed text is the line of the event,
    /// with and without recent texts to repeat.
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
        let (mut recent_b, mut recent_l) = (Recent::default(), Recent::default());
        for _ in 0..2 {
            write_return(
                &names,
                &mut recent_b,
                &mut borrowed,
                (event.at, event.node),
                &r,
            );
            write_line(&names, &mut recent_l, &mut line, &event);
        }
        assert_eq!(
            String::from_utf8(borrowed).unwrap(),
            String::from_utf8(line).unwrap()
        );
    }

    #[test]
    fn the_bytes_are_the_display_line_and_a_newline() {
        let names = names();
        let mut recent = Recent::default();
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
                write_line(&names, &mut recent, &mut bytes, &event);
                assert_eq!(String::from_utf8(bytes).unwrap(), display);
            }
        }
    }
}
