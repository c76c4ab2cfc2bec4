//! Packet headers as they cross a link: IPv4 with TCP, UDP or ICMP. The
//! payload bytes travel beside the header in the engine; the trace and the
//! exporters see the header and the payload length.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddrV4};

/// TCP control bits (RFC 9293 §3.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TcpFlags(pub u8);

impl TcpFlags {
    /// FIN, bit 0x01: "No more data from sender" (RFC 9293 §3.1); it takes
    /// one sequence number.
    pub const FIN: TcpFlags = TcpFlags(0x01);
    /// SYN, bit 0x02: "Synchronize sequence numbers", the connection request
    /// and its answer; it takes one sequence number.
    pub const SYN: TcpFlags = TcpFlags(0x02);
    /// RST, bit 0x04: "Reset the connection"; an RST to a SYN is a refusal
    /// (CB-C14).
    pub const RST: TcpFlags = TcpFlags(0x04);
    /// PSH, bit 0x08: "Push function"; simsock sets it on every data
    /// segment it sends.
    pub const PSH: TcpFlags = TcpFlags(0x08);
    /// ACK, bit 0x10: "Acknowledgment field is significant"; set on every
    /// segment after the first SYN.
    pub const ACK: TcpFlags = TcpFlags(0x10);

    /// Whether every bit of `other` is set here (`has(SYN.with(ACK))` asks
    /// for both).
    pub const fn has(self, other: TcpFlags) -> bool {
        self.0 & other.0 == other.0
    }
    /// These flags and those of `other`: `TcpFlags::SYN.with(TcpFlags::ACK)`.
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
    /// The sender's port.
    pub src_port: u16,
    /// The receiver's port; a SYN to a port with no listener is answered
    /// with RST (CB-C14).
    pub dst_port: u16,
    /// Sequence number of the first octet of the segment, or of the SYN
    /// (SEG.SEQ, RFC 9293 §3.1); the initial one is drawn from the seed.
    pub seq: u32,
    /// Next sequence number the sender expects, valid when ACK is set
    /// (SEG.ACK).
    pub ack: u32,
    /// The control bits (SYN, ACK, FIN, RST, PSH).
    pub flags: TcpFlags,
    /// Receive window in bytes, unscaled (SEG.WND; RFC 7323 scaling is not
    /// modelled, so at most 65,535).
    pub window: u16,
    /// Payload length in bytes (without SYN and FIN; see [`Self::seq_len`]).
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
    /// Code 3: no process listens on the UDP port. Named for the trace and
    /// explanations; simsock's stack drops such a datagram silently.
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
    /// Why the datagram could not be delivered; it decides the error the
    /// sending socket sees.
    pub code: UnreachableCode,
    /// Source address and port of the datagram that caused the message:
    /// the stack finds the sending socket by them.
    pub orig_src: SocketAddrV4,
    /// Destination address and port of that datagram.
    pub orig_dst: SocketAddrV4,
    /// Transport protocol of that datagram (TCP or UDP).
    pub orig_proto: Proto,
}

/// IP protocol numbers (the IPv4 header's Protocol field, IANA's
/// "Assigned Internet Protocol Numbers").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Proto {
    /// 1: ICMP (RFC 792), here only destination-unreachable messages.
    Icmp = 1,
    /// 6: TCP (RFC 9293).
    Tcp = 6,
    /// 17: UDP (RFC 768).
    Udp = 17,
}

/// The transport part of a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// A TCP segment.
    Tcp(TcpHeader),
    /// A UDP datagram (RFC 768).
    Udp {
        /// The sender's port.
        src_port: u16,
        /// The receiver's port; a datagram for a port without a socket is
        /// dropped (simsock sends no port unreachable; see `sim`'s
        /// `stack/input.rs`).
        dst_port: u16,
        /// Payload length in bytes.
        len: u32,
    },
    /// An ICMP destination-unreachable message from a router or host.
    Unreachable(IcmpUnreachable),
}

/// An IPv4 packet header with its transport header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketHeader {
    /// The sending interface's address.
    pub src: Ipv4Addr,
    /// The destination: a host's address, a subnet's directed broadcast
    /// or 255.255.255.255 (CB-B3).
    pub dst: Ipv4Addr,
    /// Hops left (RFC 791): a router drops a packet whose TTL is 1 or less
    /// and decrements it on the others; starts at [`DEFAULT_TTL`].
    pub ttl: u8,
    /// The TCP, UDP or ICMP part.
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
    /// No connection: before it opens and after it is gone.
    Closed,
    /// Waiting for a connection request from any remote TCP and port
    /// (after listen).
    Listen,
    /// A SYN was sent (connect), waiting for the matching SYN,ACK.
    SynSent,
    /// A SYN was received and answered with SYN,ACK, waiting for the ACK
    /// that establishes the connection (a listener's embryonic entry).
    SynReceived,
    /// An open connection: data flows both ways.
    Established,
    /// This side closed first and sent FIN; waiting for its ACK or the
    /// peer's FIN.
    FinWait1,
    /// Our FIN is acknowledged; waiting for the peer's FIN.
    FinWait2,
    /// The peer sent FIN; waiting for the local user to close.
    CloseWait,
    /// Both sides sent FIN at once; waiting for the ACK of ours.
    Closing,
    /// The peer closed first; our FIN is sent, waiting for its ACK.
    LastAck,
    /// The side that closed first waits for `tcp_timed_wait_delay` (2MSL in
    /// the RFC) so old duplicates die out; the four-tuple stays taken
    /// (CB-T1, CB-T3).
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
