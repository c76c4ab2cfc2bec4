//! A packet's layers as Wireshark lists them, read back from the bytes of
//! the frame the pcap view writes ([`super::super::frame`]): Ethernet II,
//! IPv4, then TCP, UDP or ICMP, then the payload. Each checksum is shown
//! with the value recomputed from the same bytes, so the page and a capture
//! opened in Wireshark agree field for field.

use std::fmt::Write as _;

use etherparse::{
    Icmpv4Header, Icmpv4Type, Ipv4Header, LinkHeader, NetHeaders, PacketHeaders, TcpHeader,
    TransportHeader, UdpHeader,
};
use serde::Serialize;

/// Bytes of payload shown in hex.
const PAYLOAD_SHOWN: usize = 32;

/// One protocol layer: its name and its fields in header order.
#[derive(Debug, Serialize)]
pub struct Layer {
    pub name: String,
    pub fields: Vec<(String, String)>,
}

impl Layer {
    fn new(name: impl Into<String>) -> Layer {
        Layer {
            name: name.into(),
            fields: Vec::new(),
        }
    }

    fn field(&mut self, name: &str, value: impl Into<String>) {
        self.fields.push((name.to_string(), value.into()));
    }
}

/// Sequence and acknowledgment numbers relative to each side's SYN (see
/// [`super::super::label`]), for a TCP segment.
#[derive(Clone, Copy, Debug, Default)]
pub struct Relative {
    pub seq: u32,
    pub ack: Option<u32>,
}

/// The layers of `frame`; a frame etherparse cannot read gives one layer
/// that says why (the simulator's frames always parse).
pub fn layers(frame: &[u8], relative: Option<Relative>) -> Vec<Layer> {
    let headers = match PacketHeaders::from_ethernet_slice(frame) {
        Ok(headers) => headers,
        Err(error) => {
            let mut layer = Layer::new("Malformed frame");
            layer.field("Error", error.to_string());
            return vec![layer];
        }
    };
    let mut out = Vec::new();
    if let Some(LinkHeader::Ethernet2(eth)) = &headers.link {
        let mut layer = Layer::new("Ethernet II");
        layer.field("Destination", mac(eth.destination));
        layer.field("Source", mac(eth.source));
        layer.field(
            "Type",
            format!("IPv4 (0x{:04x})", u16::from(eth.ether_type)),
        );
        out.push(layer);
    }
    let payload = headers.payload.slice();
    if let Some(NetHeaders::Ipv4(ip, _)) = &headers.net {
        out.push(ipv4(ip));
        match &headers.transport {
            Some(TransportHeader::Tcp(tcp)) => out.push(tcp_layer(ip, tcp, payload, relative)),
            Some(TransportHeader::Udp(udp)) => out.push(udp_layer(ip, udp, payload)),
            Some(TransportHeader::Icmpv4(icmp)) => out.push(icmp_layer(icmp, payload)),
            _ => {}
        }
    }
    if !payload.is_empty() && !matches!(headers.transport, Some(TransportHeader::Icmpv4(_))) {
        out.push(data(payload));
    }
    out
}

fn ipv4(ip: &Ipv4Header) -> Layer {
    let mut layer = Layer::new("Internet Protocol Version 4");
    layer.field("Version", "4");
    layer.field("Header length", format!("{} bytes", ip.header_len()));
    layer.field(
        "DSCP / ECN",
        format!("{} / {}", ip.dscp.value(), ip.ecn.value()),
    );
    layer.field("Total length", ip.total_len.to_string());
    layer.field("Identification", format!("0x{:04x}", ip.identification));
    let df = if ip.dont_fragment {
        "Don't fragment"
    } else {
        "none"
    };
    layer.field("Flags", df);
    layer.field("Fragment offset", ip.fragment_offset.value().to_string());
    layer.field("Time to live", ip.time_to_live.to_string());
    let proto = ip.protocol;
    let name = proto.keyword_str().unwrap_or("?");
    layer.field("Protocol", format!("{name} ({})", proto.0));
    let check = checksum(ip.header_checksum, ip.calc_header_checksum());
    layer.field("Header checksum", check);
    layer.field(
        "Source address",
        std::net::Ipv4Addr::from(ip.source).to_string(),
    );
    let dst = std::net::Ipv4Addr::from(ip.destination);
    layer.field("Destination address", dst.to_string());
    layer
}

fn tcp_layer(ip: &Ipv4Header, tcp: &TcpHeader, payload: &[u8], rel: Option<Relative>) -> Layer {
    let mut layer = Layer::new("Transmission Control Protocol");
    layer.field("Source port", tcp.source_port.to_string());
    layer.field("Destination port", tcp.destination_port.to_string());
    let rel = rel.unwrap_or_default();
    layer.field("Sequence number (relative)", rel.seq.to_string());
    layer.field("Sequence number (raw)", tcp.sequence_number.to_string());
    if tcp.ack {
        let ack = rel.ack.unwrap_or(tcp.acknowledgment_number);
        layer.field("Acknowledgment number (relative)", ack.to_string());
        layer.field(
            "Acknowledgment number (raw)",
            tcp.acknowledgment_number.to_string(),
        );
    }
    layer.field("Header length", format!("{} bytes", tcp.header_len()));
    layer.field("Flags", flags(tcp));
    layer.field("Window", tcp.window_size.to_string());
    let computed = tcp.calc_checksum_ipv4(ip, payload).unwrap_or(0);
    layer.field("Checksum", checksum(tcp.checksum, computed));
    layer.field("Urgent pointer", tcp.urgent_pointer.to_string());
    layer.field("Segment length", format!("{} bytes", payload.len()));
    layer
}

/// `0x012 (SYN, ACK)`, as Wireshark writes the flags field.
fn flags(tcp: &TcpHeader) -> String {
    let bits = [
        (tcp.fin, 0x001, "FIN"),
        (tcp.syn, 0x002, "SYN"),
        (tcp.rst, 0x004, "RST"),
        (tcp.psh, 0x008, "PSH"),
        (tcp.ack, 0x010, "ACK"),
        (tcp.urg, 0x020, "URG"),
    ];
    let value: u16 = bits.iter().filter(|b| b.0).map(|b| b.1).sum();
    let names: Vec<&str> = bits.iter().filter(|b| b.0).map(|b| b.2).collect();
    format!("0x{value:03x} ({})", names.join(", "))
}

fn udp_layer(ip: &Ipv4Header, udp: &UdpHeader, payload: &[u8]) -> Layer {
    let mut layer = Layer::new("User Datagram Protocol");
    layer.field("Source port", udp.source_port.to_string());
    layer.field("Destination port", udp.destination_port.to_string());
    layer.field("Length", udp.length.to_string());
    let computed = udp.calc_checksum_ipv4(ip, payload).unwrap_or(0);
    layer.field("Checksum", checksum(udp.checksum, computed));
    layer
}

/// ICMP destination unreachable (RFC 792) and the datagram it quotes.
fn icmp_layer(icmp: &Icmpv4Header, payload: &[u8]) -> Layer {
    let mut layer = Layer::new("Internet Control Message Protocol");
    let bytes = icmp.to_bytes();
    let (kind, code) = (bytes[0], bytes[1]);
    let name = match icmp.icmp_type {
        Icmpv4Type::DestinationUnreachable(_) => "Destination unreachable",
        _ => "other",
    };
    layer.field("Type", format!("{kind} ({name})"));
    layer.field("Code", format!("{code} ({})", unreachable_name(code)));
    let computed = icmp.icmp_type.calc_checksum(payload);
    layer.field("Checksum", checksum(icmp.checksum, computed));
    if let Ok((quoted, _)) = Ipv4Header::from_slice(payload) {
        let (src, dst) = (quoted.source, quoted.destination);
        let about = format!(
            "{} -> {}, protocol {}",
            std::net::Ipv4Addr::from(src),
            std::net::Ipv4Addr::from(dst),
            quoted.protocol.keyword_str().unwrap_or("?")
        );
        layer.field("Quoted datagram", about);
        let rest = &payload[quoted.header_len().min(payload.len())..];
        if rest.len() >= 4 {
            let ports = format!(
                "{} -> {}",
                u16::from_be_bytes([rest[0], rest[1]]),
                u16::from_be_bytes([rest[2], rest[3]])
            );
            layer.field("Quoted ports", ports);
        }
    }
    layer.field(
        "Quoted bytes",
        format!("{} ({} bytes)", hex(payload), payload.len()),
    );
    layer
}

/// RFC 792 codes 0, 1, 3; RFC 1812 §5.2.7.1 code 13.
fn unreachable_name(code: u8) -> &'static str {
    match code {
        0 => "network unreachable",
        1 => "host unreachable",
        3 => "port unreachable",
        13 => "communication administratively filtered",
        _ => "other",
    }
}

fn data(payload: &[u8]) -> Layer {
    let mut layer = Layer::new(format!("Data ({} bytes)", payload.len()));
    let shown = &payload[..payload.len().min(PAYLOAD_SHOWN)];
    let more = if payload.len() > PAYLOAD_SHOWN {
        " …"
    } else {
        ""
    };
    layer.field("Bytes", format!("{}{more}", hex(shown)));
    layer.field(
        "Note",
        "zeros: the trace keeps each payload's length, not its bytes",
    );
    layer
}

/// `0x1a2b [correct]`, or what it should have been.
fn checksum(found: u16, computed: u16) -> String {
    if found == computed {
        format!("0x{found:04x} [correct]")
    } else {
        format!("0x{found:04x} [incorrect, should be 0x{computed:04x}]")
    }
}

fn mac(bytes: [u8; 6]) -> String {
    let parts: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    parts.join(":")
}

/// Bytes as space-separated hex pairs.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{b:02x}");
    }
    out
}
