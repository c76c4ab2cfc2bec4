//! The input path: a packet reached a host. Demultiplex it to a connection,
//! a TIME_WAIT record, a listener or a datagram socket, or answer it as RFC
//! 9293 §3.10.7.1 says a CLOSED port does.

use std::net::SocketAddrV4;

use simsock_model::packet::{DEFAULT_TTL, IcmpUnreachable, Proto};
use simsock_model::profile::BacklogOverflow;
use simsock_model::{PacketHeader, TcpFlags, TcpHeader, Transport};

use super::host::Host;
use super::socket::SockState;
use super::sync::{after_tcb, wake, with_tcb};
use super::tcp::FourTuple;
use crate::engine::Core;
use crate::net::routing::hop_back;
use crate::net::{LinkId, PacketId};
use crate::trace::TraceKind;

/// Most datagrams a socket queues before it drops new ones.
const MAX_QUEUED_DATAGRAMS: usize = 256;

/// Handles one packet that arrived at `host`, then frees it.
pub fn host_input(host: &mut Host, core: &mut Core, pkt: PacketId, link: Option<LinkId>) {
    if core.faults.engaged && !crate::engine::faults::before_host(core, host.node, link, pkt) {
        return; // a crashed host, a down interface or the firewall (`engine::faults`)
    }
    let header = core.packets.get(pkt).header;
    if !accepts(host, core, &header) {
        core.drop_packet(host.node, link, pkt, "not addressed to this host");
        return;
    }
    if core.trace.is_on() {
        core.trace
            .record(core.now(), host.node, TraceKind::Recv { link, header });
    }
    let payload = std::mem::take(&mut core.packets.get_mut(pkt).payload);
    match &header.transport {
        Transport::Tcp(tcp) => tcp_input(host, core, (&header, link), tcp, &payload),
        Transport::Udp {
            src_port, dst_port, ..
        } => udp_input(host, core, &header, *src_port, *dst_port, &payload),
        Transport::Unreachable(msg) => icmp_input(host, core, msg),
    }
    core.packets.get_mut(pkt).payload = payload;
    core.packets.free(pkt);
}

/// Whether the destination is one of the host's addresses, its loopback
/// network 127.0.0.0/8, or a broadcast address of one of its subnets (CB-B3).
fn accepts(host: &Host, core: &Core, header: &PacketHeader) -> bool {
    if core.topo.first_addr(host.node) == Some(header.dst) {
        return true; // the common case, without reading the node's addresses
    }
    let addrs = &core.topo.node(host.node).addrs;
    header.dst.is_broadcast()
        || header.dst.is_loopback()
        || addrs
            .iter()
            .any(|c| c.addr == header.dst || c.broadcast() == header.dst)
}

fn tcp_input(
    host: &mut Host,
    core: &mut Core,
    (ip, link): (&PacketHeader, Option<LinkId>),
    seg: &TcpHeader,
    payload: &[u8],
) {
    let tuple: FourTuple = (
        SocketAddrV4::new(ip.dst, seg.dst_port),
        SocketAddrV4::new(ip.src, seg.src_port),
    );
    if let Some(&conn) = host.conns.get(&tuple) {
        with_tcb(host, core, conn, |tcb, cfg, core, out| {
            if !payload.is_empty() {
                core.buffers.provide(tcb.buffers_mut().1);
            }
            tcb.on_segment(core.now(), seg, payload, cfg, out)
        });
    } else if host.time_wait.contains(&tuple) {
        time_wait_input(host, core, tuple, seg, payload.len());
    } else if seg.flags.has(TcpFlags::SYN)
        && !seg.flags.has(TcpFlags::ACK)
        && !seg.flags.has(TcpFlags::RST)
    {
        match host.binds.listener_for(seg.dst_port, ip.dst) {
            Some(listener) => passive_open(host, core, (listener, link), tuple, (seg, payload)),
            None => reset_closed(host, core, tuple, seg, "reset: no listener"),
        }
    } else {
        reset_closed(host, core, tuple, seg, "reset: no connection");
    }
}

/// A SYN reached a listener: a new connection in SYN_RECEIVED, unless the
/// backlog is full; then the profile decides: RST (Windows, the client sees
/// WSAECONNREFUSED, CB-C14) or silence (the client retransmits).
fn passive_open(
    host: &mut Host,
    core: &mut Core,
    (listener, link): (u32, Option<LinkId>),
    tuple: FourTuple,
    (syn, payload): (&TcpHeader, &[u8]),
) {
    let queues = host.socket(listener).listener.as_ref();
    let conditional = queues.is_some_and(|l| l.conditional);
    let full = queues
        .is_none_or(|l| l.half_open + l.ready.len() as u32 + l.held.len() as u32 >= l.backlog);
    if conditional && super::held::is_held(host, listener, tuple) {
        return; // a retransmission of a held request (`held`)
    }
    if full {
        match host.profile.backlog_overflow {
            BacklogOverflow::Reset => reset_closed(host, core, tuple, syn, "reset: backlog full"),
            BacklogOverflow::Drop => trace_note_drop(host, core, tuple, syn, "backlog full"),
        }
        return;
    }
    if conditional {
        super::held::hold(host, core, listener, tuple, (syn, payload));
        return;
    }
    open_passive(host, core, (listener, link), tuple, (syn, payload));
}

/// Answers a SYN with SYN,ACK: a new connection in SYN_RECEIVED, counted
/// as half open on its listener. `link` is the one the SYN came over, if
/// it just did: the reply's route may be read off it
/// ([`crate::net::routing::hop_back`]).
pub(super) fn open_passive(
    host: &mut Host,
    core: &mut Core,
    (listener, link): (u32, Option<LinkId>),
    tuple: FourTuple,
    (syn, payload): (&TcpHeader, &[u8]),
) {
    let iss = host.next_isn();
    let mut out = core.scratch.take();
    let callee = callee_data(host, listener);
    let connect_data = caller_data(host, payload);
    // A SYN's data is connect data on a host whose provider reads it
    // (CB-W1), else TCP Fast Open data for the stream (RFC 7413, CB-X5).
    let stream = if connect_data.is_some() {
        &[][..]
    } else {
        payload
    };
    let (now, cfg, node) = (core.now(), host.tcp, host.node);
    let listener_sock = host.socket_mut(listener);
    let listener_handle = listener_sock.handle;
    if let Some(l) = listener_sock.listener.as_mut() {
        l.half_open += 1;
    }
    host.ports.hold(tuple.0.port());
    let conn = host.insert_new_tcb(tuple, iss);
    // Performance: the new slot is looked up once (it was three times).
    if let Some(slot) = host.slot(conn) {
        slot.listener = Some(listener_handle);
        slot.holds_port = true;
        slot.route = link.and_then(|l| hop_back(&core.topo, node, l, *tuple.1.ip()));
        if let Some(tcb) = slot.tcb.as_mut() {
            // What `Tcb::accept_syn_with_data` does, in the slot.
            tcb.open_passive(now, (syn, stream), callee, &cfg, &mut out);
            tcb.set_peer_syn_data(connect_data);
        }
    }
    host.conns.insert(tuple, conn);
    after_tcb(host, core, conn, &out);
    crate::stack::tcp::put_output(core, out);
}

/// The callee data a listener's SYN,ACK carries (CB-W2): what
/// setsockopt(SO_CONNDATA) left on the listener, if the host's provider
/// sends connect data (the Windows CE provider of WSAConnect).
fn callee_data(host: &Host, listener: u32) -> Vec<u8> {
    match host.profile.provider.supports_connect_data() {
        true => host.socket(listener).conn_data.clone().unwrap_or_default(),
        false => Vec::new(),
    }
}

/// The caller data a SYN carried, kept if the host's provider reads
/// connect data (CB-W1).
fn caller_data(host: &Host, payload: &[u8]) -> Option<Vec<u8>> {
    (host.profile.provider.supports_connect_data() && !payload.is_empty()).then(|| payload.to_vec())
}

fn trace_note_drop(
    host: &Host,
    core: &mut Core,
    tuple: FourTuple,
    seg: &TcpHeader,
    reason: &'static str,
) {
    if core.trace.is_on() {
        let header = PacketHeader {
            src: *tuple.1.ip(),
            dst: *tuple.0.ip(),
            ttl: DEFAULT_TTL,
            transport: Transport::Tcp(*seg),
        };
        core.trace.record(
            core.now(),
            host.node,
            TraceKind::Drop {
                link: None,
                header,
                reason,
            },
        );
    }
}

/// RFC 9293 §3.10.7.1: a segment for a CLOSED port is answered with RST,
/// unless it is itself an RST.
pub(super) fn reset_closed(
    host: &mut Host,
    core: &mut Core,
    tuple: FourTuple,
    seg: &TcpHeader,
    cause: &'static str,
) {
    if let Some(rst) = crate::net::packet::reset_reply(seg) {
        send_bare(host, core, tuple, (rst.seq, rst.ack, rst.flags), 0, cause);
    }
}

/// Sends a segment without payload or connection: an RST for a closed port,
/// an ACK from a TIME_WAIT record.
fn send_bare(
    host: &Host,
    core: &mut Core,
    (local, remote): FourTuple,
    (seq, ack, flags): (u32, u32, TcpFlags),
    window: u16,
    cause: &'static str,
) {
    let tcp = TcpHeader {
        src_port: local.port(),
        dst_port: remote.port(),
        seq,
        ack,
        flags,
        window,
        len: 0,
    };
    let header = PacketHeader {
        src: *local.ip(),
        dst: *remote.ip(),
        ttl: DEFAULT_TTL,
        transport: Transport::Tcp(tcp),
    };
    core.send_new(
        host.node,
        header,
        [&[], &[]],
        cause,
        host.profile.arp_timeout,
    );
}

/// TIME_WAIT (RFC 9293 §3.10.7.4): a retransmitted FIN is acknowledged again
/// and restarts the wait; an RST is ignored (RFC 1337, against TIME_WAIT
/// assassination); a SYN is answered with an ACK for the old connection; an
/// old duplicate carrying data is not acceptable (all its sequence numbers
/// are below RCV.NXT) and is answered with an ACK, its data dropped: the
/// wandering segment dies here instead of reaching a new incarnation of the
/// four-tuple (CB-T4). A bare ACK is acceptable and needs no answer.
fn time_wait_input(
    host: &mut Host,
    core: &mut Core,
    tuple: FourTuple,
    seg: &TcpHeader,
    len: usize,
) {
    let Some(&record) = host.time_wait.get(&tuple) else {
        return;
    };
    let answered = seg.flags.has(TcpFlags::FIN) || seg.flags.has(TcpFlags::SYN) || len > 0;
    if seg.flags.has(TcpFlags::RST) || !answered {
        return;
    }
    if seg.flags.has(TcpFlags::FIN) {
        let until = core.now() + host.profile.tcp_timed_wait_delay;
        host.time_wait
            .insert(tuple, super::tcp::TimeWaitRecord { until, ..record });
    }
    // The ACK advertises the whole receive window: nothing is buffered in
    // TIME_WAIT (RFC 9293 §3.8.6.2.2: RCV.WND is the free buffer space). An
    // RST, the other bare segment, carries 0.
    let ack = (record.snd_nxt, record.rcv_nxt, TcpFlags::ACK);
    let window = host.profile.receive_window;
    send_bare(host, core, tuple, ack, window, "ACK from TIME_WAIT");
}

/// A datagram: queued on the socket bound to its address and port (else to
/// the wildcard, `binds.rs`), unless the socket is
/// connected to another peer (CB-D2) or its queue is full. Each discard is
/// a `drop` line of the trace.
///
/// Divergence: a datagram for a port without a socket is dropped silently;
/// a Windows host answers ICMP port unreachable (RFC 1122 §4.1.3.1), which
/// the sender's next recvfrom reports as WSAECONNRESET.
fn udp_input(
    host: &mut Host,
    core: &mut Core,
    ip: &PacketHeader,
    src_port: u16,
    dst_port: u16,
    payload: &[u8],
) {
    let from = SocketAddrV4::new(ip.src, src_port);
    let broadcast = ip.dst.is_broadcast() || !host_owns(core, host, ip.dst);
    let Some(index) = host.binds.datagram_socket_for(dst_port, ip.dst, broadcast) else {
        trace_udp_drop(host, core, ip, "no socket on the port");
        return;
    };
    let sock = host.socket_mut(index);
    let filtered = sock.state == SockState::Connected && sock.remote.is_some_and(|r| r != from);
    if filtered {
        trace_udp_drop(host, core, ip, "socket connected to another peer (CB-D2)");
        return;
    }
    if sock.datagrams.len() >= MAX_QUEUED_DATAGRAMS {
        trace_udp_drop(host, core, ip, "receive queue full");
        return;
    }
    sock.datagrams.push_back((from, payload.to_vec()));
    wake(core, &mut sock.waiters);
    host.report(super::Report::Datagram { socket: index }); // FD_READ (CB-N4, CB-N5)
}

/// Whether `ip` is one of the host's own unicast addresses (or loopback).
fn host_owns(core: &Core, host: &Host, ip: std::net::Ipv4Addr) -> bool {
    ip.is_loopback() || core.topo.node(host.node).addrs.iter().any(|c| c.addr == ip)
}

fn trace_udp_drop(host: &Host, core: &mut Core, ip: &PacketHeader, reason: &'static str) {
    if core.trace.is_on() {
        let kind = TraceKind::Drop {
            link: None,
            header: *ip,
            reason,
        };
        core.trace.record(core.now(), host.node, kind);
    }
}

/// ICMP destination unreachable about one of our TCP connections.
fn icmp_input(host: &mut Host, core: &mut Core, msg: &IcmpUnreachable) {
    if msg.orig_proto != Proto::Tcp {
        return;
    }
    if let Some(&conn) = host.conns.get(&(msg.orig_src, msg.orig_dst)) {
        with_tcb(host, core, conn, |tcb, _, _, out| {
            tcb.on_unreachable(msg.code, out)
        });
    }
}
