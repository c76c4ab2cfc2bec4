//! Real frames for the pcap view: Ethernet II, IPv4 and TCP, UDP or ICMP,
//! with correct lengths and checksums (etherparse computes them).
//!
//! The trace keeps headers and payload lengths, not payload bytes, so a
//! payload is written as that many zero bytes. Sizes, sequence numbers and
//! checksums stay consistent (checksums are over the zeros); only the
//! content is not the simulated one.
//!
//! What the frame builder adds that the trace does not hold: MAC addresses
//! (made up, one per interface: [`mac`]), ARP packets ([`arp`], placed by
//! [`super::l2`]) and the MSS option on SYN and SYN-ACK ([`SYN_MSS`]).

use std::io;

use etherparse::icmpv4::DestUnreachableHeader;
use etherparse::{
    ArpEthIpv4Packet, ArpOperation, EtherType, Ethernet2Header, Icmpv4Type, PacketBuilder,
    TcpOptionElement,
};
use simsock_model::packet::{DEFAULT_TTL, IcmpUnreachable, Proto, UnreachableCode};
use simsock_model::{PacketHeader, TcpFlags, TcpHeader, Transport};
use simsock_sim::net::{LinkId, NodeId};

/// The largest payload written (an IPv4 datagram holds 65,535 bytes with
/// its headers); longer payloads are cut in the capture.
const MAX_PAYLOAD: usize = 65_000;

/// The MSS option every SYN and SYN-ACK carries in the capture (RFC 9293
/// §3.7.1): the default profile's `mss`, 1460 (`model/src/profile.rs`),
/// what Windows sends on Ethernet. The trace holds no TCP options, so this
/// is the frame builder's, not the simulated stack's: a profile with
/// another `mss` still shows 1460 here.
pub const SYN_MSS: u16 = 1460;

/// The Ethernet broadcast address (IEEE 802.3): the destination of a frame
/// to 255.255.255.255 or to a subnet's directed broadcast, and of an ARP
/// request (RFC 826).
pub const BROADCAST: [u8; 6] = [0xff; 6];

/// A locally administered unicast MAC (IEEE 802: bit 1 of the first octet
/// set, bit 0 clear) of one interface, the end of `link` at `node`:
/// `02:LL:LL:NN:NN:00` from the link's and the node's index. The same
/// interface has the same MAC in every frame, as source and as destination.
pub fn mac(node: NodeId, link: LinkId) -> [u8; 6] {
    let [.., l_hi, l_lo] = link.0.to_be_bytes();
    let [.., n_hi, n_lo] = node.0.to_be_bytes();
    [0x02, l_hi, l_lo, n_hi, n_lo, 0]
}

/// The MAC of a node's "inside" interface, which carries the packets that
/// crossed no link: `02:ff:ff:NN:NN:01`.
pub fn inside_mac(node: NodeId) -> [u8; 6] {
    let [.., n_hi, n_lo] = node.0.to_be_bytes();
    [0x02, 0xff, 0xff, n_hi, n_lo, 1]
}

/// One ARP packet for Ethernet and IPv4 (RFC 826) in its Ethernet frame:
/// a request goes to [`BROADCAST`] with a zero target MAC, a reply to the
/// requester.
pub fn arp(
    operation: ArpOperation,
    (sender_mac, sender_ip): ([u8; 6], std::net::Ipv4Addr),
    (target_mac, target_ip): ([u8; 6], std::net::Ipv4Addr),
) -> Vec<u8> {
    let request = operation == ArpOperation::REQUEST;
    let ether = Ethernet2Header {
        source: sender_mac,
        destination: if request { BROADCAST } else { target_mac },
        ether_type: EtherType::ARP,
    };
    let packet = ArpEthIpv4Packet {
        operation,
        sender_mac,
        sender_ipv4: sender_ip.octets(),
        target_mac: if request { [0; 6] } else { target_mac },
        target_ipv4: target_ip.octets(),
    };
    let mut out = ether.to_bytes().to_vec();
    out.extend(etherparse::ArpPacket::from(packet).to_bytes());
    out
}

/// The Ethernet frame of a packet from `src` to `dst`. An ICMP message is
/// built about `original`, the datagram it reports, when the trace has it.
pub fn ethernet(
    header: &PacketHeader,
    src: [u8; 6],
    dst: [u8; 6],
    original: Option<&PacketHeader>,
) -> io::Result<Vec<u8>> {
    let ether = Ethernet2Header {
        source: src,
        destination: dst,
        ether_type: EtherType::IPV4,
    };
    let mut out = ether.to_bytes().to_vec();
    out.extend(ip_datagram(header, original)?);
    Ok(out)
}

/// The IPv4 datagram of a packet (DF set, identification 0: there is no
/// fragmentation in the simulator).
fn ip_datagram(header: &PacketHeader, original: Option<&PacketHeader>) -> io::Result<Vec<u8>> {
    let ip = PacketBuilder::ipv4(header.src.octets(), header.dst.octets(), header.ttl);
    let mut out = Vec::new();
    let written = match header.transport {
        Transport::Tcp(tcp) => tcp_builder(ip, &tcp)?.write(&mut out, &zeros(tcp.len)),
        Transport::Udp {
            src_port,
            dst_port,
            len,
        } => ip.udp(src_port, dst_port).write(&mut out, &zeros(len)),
        Transport::Unreachable(u) => {
            let quoted = quoted_datagram(&u, original)?;
            let kind = Icmpv4Type::DestinationUnreachable(unreachable_code(u.code));
            ip.icmpv4(kind).write(&mut out, &quoted)
        }
    };
    written.map_err(io::Error::other)?;
    Ok(out)
}

fn tcp_builder(
    ip: etherparse::PacketBuilderStep<etherparse::IpHeaders>,
    tcp: &TcpHeader,
) -> io::Result<etherparse::PacketBuilderStep<etherparse::TcpHeader>> {
    let mut b = ip.tcp(tcp.src_port, tcp.dst_port, tcp.seq, tcp.window);
    let flags = tcp.flags;
    if flags.has(TcpFlags::SYN) {
        b = b.syn();
    }
    if flags.has(TcpFlags::FIN) {
        b = b.fin();
    }
    if flags.has(TcpFlags::RST) {
        b = b.rst();
    }
    if flags.has(TcpFlags::PSH) {
        b = b.psh();
    }
    if flags.has(TcpFlags::ACK) {
        b = b.ack(tcp.ack);
    }
    if flags.has(TcpFlags::SYN) {
        let mss = [TcpOptionElement::MaximumSegmentSize(SYN_MSS)];
        b = b.options(&mss).map_err(io::Error::other)?;
    }
    Ok(b)
}

/// RFC 792, Destination Unreachable: the data field holds "the internet
/// header plus the first 64 bits of the original datagram's data". The
/// original is rebuilt from the packet the trace last showed on the same
/// addresses and ports; without one, from the message's own fields (TCP
/// sequence number 0, TTL 64, no payload).
fn quoted_datagram(u: &IcmpUnreachable, original: Option<&PacketHeader>) -> io::Result<Vec<u8>> {
    let rebuilt = match original {
        Some(h) => *h,
        None => stand_in(u),
    };
    let mut datagram = ip_datagram(&rebuilt, None)?;
    // Internet header length from the IHL field (RFC 791), plus 8 bytes.
    let ihl = usize::from(datagram[0] & 0x0f) * 4;
    datagram.truncate(ihl + 8);
    Ok(datagram)
}

/// A datagram with the addressing an ICMP message reports.
fn stand_in(u: &IcmpUnreachable) -> PacketHeader {
    let (src_port, dst_port) = (u.orig_src.port(), u.orig_dst.port());
    let transport = match u.orig_proto {
        Proto::Udp => Transport::Udp {
            src_port,
            dst_port,
            len: 0,
        },
        // RFC 1122 §3.2.2: no ICMP error about an ICMP error; the simulator
        // never sends one, so this case only keeps the match total.
        Proto::Tcp | Proto::Icmp => Transport::Tcp(TcpHeader {
            src_port,
            dst_port,
            seq: 0,
            ack: 0,
            flags: TcpFlags::default(),
            window: 0,
            len: 0,
        }),
    };
    PacketHeader {
        src: *u.orig_src.ip(),
        dst: *u.orig_dst.ip(),
        ttl: DEFAULT_TTL,
        transport,
    }
}

/// RFC 792 codes 0 (net), 1 (host), 3 (port); RFC 1812 §5.2.7.1 code 13
/// (communication administratively prohibited).
fn unreachable_code(code: UnreachableCode) -> DestUnreachableHeader {
    match code {
        UnreachableCode::Net => DestUnreachableHeader::Network,
        UnreachableCode::Host => DestUnreachableHeader::Host,
        UnreachableCode::Port => DestUnreachableHeader::Port,
        UnreachableCode::AdminProhibited => DestUnreachableHeader::FilterProhibited,
    }
}

fn zeros(len: u32) -> Vec<u8> {
    vec![0; (len as usize).min(MAX_PAYLOAD)]
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, SocketAddrV4};

    use etherparse::{NetSlice, SlicedPacket, TransportSlice};

    use super::*;

    fn syn() -> PacketHeader {
        PacketHeader {
            src: Ipv4Addr::new(10, 0, 0, 1),
            dst: Ipv4Addr::new(10, 0, 1, 99),
            ttl: 64,
            transport: Transport::Tcp(TcpHeader {
                src_port: 49152,
                dst_port: 80,
                seq: 1234,
                ack: 0,
                flags: TcpFlags::SYN,
                window: 65535,
                len: 0,
            }),
        }
    }

    #[test]
    fn a_tcp_frame_parses_back() {
        let (a, b) = (mac(NodeId(0), LinkId(0)), mac(NodeId(1), LinkId(0)));
        let bytes = ethernet(&syn(), a, b, None).unwrap();
        let packet = SlicedPacket::from_ethernet(&bytes).unwrap();
        let Some(TransportSlice::Tcp(tcp)) = packet.transport else {
            panic!("not TCP");
        };
        assert!(tcp.syn() && !tcp.ack());
        assert_eq!(tcp.sequence_number(), 1234);
        // The MSS option (kind 2, length 4, 1460), padded to 32 bits.
        assert_eq!(tcp.options(), &[2, 4, 0x05, 0xb4]);
    }

    #[test]
    fn icmp_quotes_the_original_header_and_8_bytes() {
        let icmp = PacketHeader {
            src: Ipv4Addr::new(10, 0, 0, 254),
            dst: Ipv4Addr::new(10, 0, 0, 1),
            ttl: 64,
            transport: Transport::Unreachable(IcmpUnreachable {
                code: UnreachableCode::Host,
                orig_src: SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 49152),
                orig_dst: SocketAddrV4::new(Ipv4Addr::new(10, 0, 1, 99), 80),
                orig_proto: Proto::Tcp,
            }),
        };
        let (a, b) = (mac(NodeId(2), LinkId(0)), mac(NodeId(0), LinkId(0)));
        let bytes = ethernet(&icmp, a, b, Some(&syn())).unwrap();
        let packet = SlicedPacket::from_ethernet(&bytes).unwrap();
        let Some(NetSlice::Ipv4(ip)) = packet.net else {
            panic!("not IPv4");
        };
        let quoted = ip.payload().payload;
        // 8 bytes of ICMP header, then 20 of IP header and 8 of TCP (the
        // first 8 bytes: the MSS option of the quoted SYN is beyond them).
        assert_eq!(quoted.len(), 8 + 20 + 8);
        assert_eq!(&quoted[8 + 12..8 + 20], &[10, 0, 0, 1, 10, 0, 1, 99]);
        assert_eq!(&quoted[8 + 24..8 + 28], &1234u32.to_be_bytes());
    }

    #[test]
    fn macs_are_locally_administered_unicast() {
        assert_eq!(mac(NodeId(0x0102), LinkId(0x0304)), [2, 3, 4, 1, 2, 0]);
        assert_eq!(inside_mac(NodeId(7)), [2, 0xff, 0xff, 0, 7, 1]);
    }

    #[test]
    fn an_arp_request_is_broadcast_and_parses_back() {
        let a = mac(NodeId(0), LinkId(0));
        let ips = (Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2));
        let bytes = arp(ArpOperation::REQUEST, (a, ips.0), (BROADCAST, ips.1));
        assert_eq!(&bytes[..6], &BROADCAST);
        let packet = SlicedPacket::from_ethernet(&bytes).unwrap();
        let Some(NetSlice::Arp(arp)) = packet.net else {
            panic!("not ARP");
        };
        assert_eq!(arp.operation(), ArpOperation::REQUEST);
        assert_eq!(arp.sender_hw_addr(), &a);
        assert_eq!(arp.target_protocol_addr(), &ips.1.octets());
    }
}
