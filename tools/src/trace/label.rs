//! Short packet labels for the diagrams: `SYN,ACK seq=0 ack=1`.
//!
//! Sequence numbers are relative, as Wireshark shows them by default: each
//! side's numbers count from the initial sequence number of its latest SYN,
//! so a handshake reads `SYN seq=0`, `SYN,ACK seq=0 ack=1`, `ACK seq=1
//! ack=1`. A side that has sent no SYN on the four-tuple (a reset from a
//! port with no listener) shows its number as sent.

use std::collections::BTreeMap;
use std::net::SocketAddrV4;

use simsock_model::packet::{IcmpUnreachable, UnreachableCode};
use simsock_model::{PacketHeader, TcpFlags, TcpHeader, Transport};

/// The legend line the diagrams print.
pub const LEGEND: &str = "seq/ack relative to each side's SYN (as Wireshark shows them)";

/// Initial sequence numbers by direction (source, destination).
#[derive(Debug, Default)]
pub struct Relative {
    isn: BTreeMap<(SocketAddrV4, SocketAddrV4), u32>,
}

impl Relative {
    /// The label of a packet sent now; call it once per sent packet, in
    /// trace order (it learns the ISNs from the SYNs).
    pub fn label(&mut self, header: &PacketHeader) -> String {
        match header.transport {
            Transport::Tcp(tcp) => self.tcp(header, &tcp),
            Transport::Udp { len, .. } => format!("UDP len={len}"),
            Transport::Unreachable(u) => icmp(&u),
        }
    }

    fn tcp(&mut self, header: &PacketHeader, tcp: &TcpHeader) -> String {
        let (seq, ack) = self.numbers(header, tcp);
        let mut label = format!("{} seq={seq}", tcp.flags);
        if let Some(ack) = ack {
            label.push_str(&format!(" ack={ack}"));
        }
        if tcp.len > 0 {
            label.push_str(&format!(" len={}", tcp.len));
        }
        label
    }

    /// The relative sequence number of a segment sent now, and its relative
    /// acknowledgment number when ACK is set; like [`Relative::label`], it
    /// learns the ISNs from the SYNs, so call one of the two once per sent
    /// packet.
    pub fn numbers(&mut self, header: &PacketHeader, tcp: &TcpHeader) -> (u32, Option<u32>) {
        let here = SocketAddrV4::new(header.src, tcp.src_port);
        let there = SocketAddrV4::new(header.dst, tcp.dst_port);
        if tcp.flags.has(TcpFlags::SYN) {
            self.isn.insert((here, there), tcp.seq);
            if !tcp.flags.has(TcpFlags::ACK) {
                // A new attempt: the peer's old ISN no longer applies.
                self.isn.remove(&(there, here));
            }
        }
        let seq = self.relative(here, there, tcp.seq);
        let ack = tcp
            .flags
            .has(TcpFlags::ACK)
            .then(|| self.relative(there, here, tcp.ack));
        (seq, ack)
    }

    fn relative(&self, from: SocketAddrV4, to: SocketAddrV4, number: u32) -> u32 {
        match self.isn.get(&(from, to)) {
            Some(isn) => number.wrapping_sub(*isn),
            None => number,
        }
    }
}

/// `ICMP host unreachable`.
fn icmp(u: &IcmpUnreachable) -> String {
    format!("ICMP {} unreachable", code_name(u.code))
}

/// The RFC 792 / RFC 1812 name of an unreachable code, in a few words.
pub fn code_name(code: UnreachableCode) -> &'static str {
    match code {
        UnreachableCode::Net => "net",
        UnreachableCode::Host => "host",
        UnreachableCode::Port => "port",
        UnreachableCode::AdminProhibited => "admin-prohibited",
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    fn seg(src: u8, dst: u8, flags: TcpFlags, seq: u32, ack: u32) -> PacketHeader {
        let (src_port, dst_port) = if src == 1 { (5000, 80) } else { (80, 5000) };
        PacketHeader {
            src: Ipv4Addr::new(10, 0, 0, src),
            dst: Ipv4Addr::new(10, 0, 0, dst),
            ttl: 64,
            transport: Transport::Tcp(TcpHeader {
                src_port,
                dst_port,
                seq,
                ack,
                flags,
                window: 100,
                len: 0,
            }),
        }
    }

    #[test]
    fn a_handshake_counts_from_zero() {
        let mut r = Relative::default();
        let syn_ack = TcpFlags::SYN.with(TcpFlags::ACK);
        assert_eq!(r.label(&seg(1, 2, TcpFlags::SYN, 1000, 0)), "SYN seq=0");
        let label = r.label(&seg(2, 1, syn_ack, 7, 1001));
        assert_eq!(label, "SYN,ACK seq=0 ack=1");
        let label = r.label(&seg(1, 2, TcpFlags::ACK, 1001, 8));
        assert_eq!(label, "ACK seq=1 ack=1");
    }

    #[test]
    fn a_reset_without_syn_keeps_its_number() {
        let mut r = Relative::default();
        r.label(&seg(1, 2, TcpFlags::SYN, 1000, 0));
        let rst = TcpFlags::RST.with(TcpFlags::ACK);
        assert_eq!(r.label(&seg(2, 1, rst, 0, 1001)), "RST,ACK seq=0 ack=1");
    }

    #[test]
    fn a_new_syn_forgets_the_old_peer() {
        let mut r = Relative::default();
        let syn_ack = TcpFlags::SYN.with(TcpFlags::ACK);
        r.label(&seg(1, 2, TcpFlags::SYN, 1000, 0));
        r.label(&seg(2, 1, syn_ack, 7, 1001));
        r.label(&seg(1, 2, TcpFlags::SYN, 5000, 0));
        let rst = TcpFlags::RST.with(TcpFlags::ACK);
        assert_eq!(r.label(&seg(2, 1, rst, 9, 5001)), "RST,ACK seq=9 ack=1");
    }
}
