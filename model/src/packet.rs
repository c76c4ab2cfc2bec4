//! Packet headers as they cross a link: IPv4 with TCP, UDP or ICMP. The
//! payload bytes travel beside the header in the engine; the trace and the
//! exporters see the header and the payload length.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddrV4};

/// TCP control bits (RFC 9293 §3.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TcpFlags(pub u8);

impl TcpFlags {
    pub const FIN: TcpFlags = TcpFlags(0x01);
    pub const SYN: TcpFlags = TcpFlags(0x02);
    pub const RST: TcpFlags = TcpFlags(0x04);
    pub const PSH: TcpFlags = TcpFlags(0x08);
    pub const ACK: TcpFlags = TcpFlags(0x10);

    pub const fn has(self, other: TcpFlags) -> bool {
        self.0 & other.0 == other.0
    }
    pub const fn with(self, other: TcpFlags) -> TcpFlags {
        TcpFlags(self.0 | other.0)
    }
}

/// `SYN,ACK` style, in the order Wireshark prints them.
impl fmt::Display for TcpFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (TcpFlags::SYN, "SYN"),
            (TcpFlags::FIN, "FIN"),
            (TcpFlags::RST, "RST"),
            (TcpFlags::PSH, "PSH"),
            (TcpFlags::ACK, "ACK"),
        ];
        let mut first = true;
        for (flag, name) in names {
            if self.has(flag) {
                if !first {
                    f.write_str(",")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        if first {
            f.write_str("-")?;
        }
        Ok(())
    }
}

/// Reads the `Display` form back: flag names separated by commas, in any
/// order and case (`"SYN,ACK"`, `"fin, ack"`); `"-"` is no flag.
impl std::str::FromStr for TcpFlags {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.trim() == "-" {
            return Ok(TcpFlags(0));
        }
        text.split(',').try_fold(TcpFlags(0), |flags, name| {
            let flag = match name.trim().to_ascii_uppercase().as_str() {
                "SYN" => TcpFlags::SYN,
                "FIN" => TcpFlags::FIN,
                "RST" => TcpFlags::RST,
                "PSH" => TcpFlags::PSH,
                "ACK" => TcpFlags::ACK,
                _ => {
                    return Err(format!(
                        "unknown TCP flag `{}`: use SYN, FIN, RST, PSH, ACK",
                        name.trim()
                    ));
                }
            };
            Ok(flags.with(flag))
        })
    }
}

/// A TCP segment header; `len` is the payload length in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpHeader {
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    pub ack: u32,
    pub flags: TcpFlags,
    pub window: u16,
    pub len: u32,
}

impl TcpHeader {
    /// Sequence space the segment occupies: payload plus one for SYN and FIN
    /// (RFC 9293 §3.4, SEG.LEN).
    pub fn seq_len(&self) -> u32 {
        self.len
            + u32::from(self.flags.has(TcpFlags::SYN))
            + u32::from(self.flags.has(TcpFlags::FIN))
    }
}

/// ICMP destination-unreachable codes (RFC 792).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnreachableCode {
    /// Code 0: the router has no route to the destination network.
    Net = 0,
    /// Code 1: the destination network is attached but the host does not answer.
    Host = 1,
    /// Code 3: no process listens on the UDP port.
    Port = 3,
    /// Code 13: communication administratively prohibited (RFC 1812
    /// §5.2.7.1), what a firewall's reject rule answers. A connecting TCB
    /// treats it as host unreachable: WSAEHOSTUNREACH (CB-C13).
    AdminProhibited = 13,
}

/// An ICMP destination-unreachable message with the addressing of the datagram
/// that caused it (RFC 792 carries its IP header and first 8 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IcmpUnreachable {
    pub code: UnreachableCode,
    pub orig_src: SocketAddrV4,
    pub orig_dst: SocketAddrV4,
    pub orig_proto: Proto,
}

/// IP protocol numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Proto {
    Icmp = 1,
    Tcp = 6,
    Udp = 17,
}

/// The transport part of a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Tcp(TcpHeader),
    Udp {
        src_port: u16,
        dst_port: u16,
        len: u32,
    },
    Unreachable(IcmpUnreachable),
}

/// An IPv4 packet header with its transport header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketHeader {
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub ttl: u8,
    pub transport: Transport,
}

/// Initial TTL of packets a host sends (RFC 1700's recommended 64).
pub const DEFAULT_TTL: u8 = 64;

impl fmt::Display for PacketHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.transport {
            Transport::Tcp(t) => write!(
                f,
                "TCP {}:{} > {}:{} [{}] seq={} ack={} win={} len={}",
                self.src, t.src_port, self.dst, t.dst_port, t.flags, t.seq, t.ack, t.window, t.len
            ),
            Transport::Udp {
                src_port,
                dst_port,
                len,
            } => {
                write!(
                    f,
                    "UDP {}:{src_port} > {}:{dst_port} len={len}",
                    self.src, self.dst
                )
            }
            Transport::Unreachable(u) => write!(
                f,
                "ICMP {} > {} unreachable ({:?}) for {:?} {} > {}",
                self.src, self.dst, u.code, u.orig_proto, u.orig_src, u.orig_dst
            ),
        }
    }
}

/// The connection states of RFC 9293 §3.3.2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TcpState {
    Closed,
    Listen,
    SynSent,
    SynReceived,
    Established,
    FinWait1,
    FinWait2,
    CloseWait,
    Closing,
    LastAck,
    TimeWait,
}

impl TcpState {
    /// The RFC's spelling: `SYN_SENT`, `TIME_WAIT`.
    pub const fn name(self) -> &'static str {
        match self {
            TcpState::Closed => "CLOSED",
            TcpState::Listen => "LISTEN",
            TcpState::SynSent => "SYN_SENT",
            TcpState::SynReceived => "SYN_RECEIVED",
            TcpState::Established => "ESTABLISHED",
            TcpState::FinWait1 => "FIN_WAIT_1",
            TcpState::FinWait2 => "FIN_WAIT_2",
            TcpState::CloseWait => "CLOSE_WAIT",
            TcpState::Closing => "CLOSING",
            TcpState::LastAck => "LAST_ACK",
            TcpState::TimeWait => "TIME_WAIT",
        }
    }
}

impl fmt::Display for TcpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
