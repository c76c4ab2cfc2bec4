//! Host profiles: every timing and policy constant of a host's stack, each with
//! its source. A scenario may override any field per host (`profile: (...)`).

use serde::{Deserialize, Serialize};

use crate::time::SimDuration;

/// What a listener does with a SYN that finds its backlog full.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BacklogOverflow {
    /// Windows answers with RST: the client sees WSAECONNREFUSED (design.md,
    /// "Host profiles").
    Reset,
    /// A POSIX-style stack drops the SYN: the client retransmits and may time out.
    Drop,
}

/// The Winsock version that WSAStartup negotiates. Some codes differ by
/// version: a further connect while one is pending is WSAEALREADY under 2.2
/// and WSAEINVAL under 1.1 (CB-N2); WSACancelBlockingCall (CB-C18) and
/// WSAEINPROGRESS (CB-C19) belong to 1.1's blocking model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum WinsockVersion {
    /// Winsock 1.1 (WSAStartup(MAKEWORD(1, 1))).
    V1_1,
    /// Winsock 2.2, the default.
    #[default]
    V2_2,
}

impl WinsockVersion {
    pub const fn text(self) -> &'static str {
        match self {
            WinsockVersion::V1_1 => "1.1",
            WinsockVersion::V2_2 => "2.2",
        }
    }
}

impl std::fmt::Display for WinsockVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}

impl std::str::FromStr for WinsockVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "1.1" => Ok(WinsockVersion::V1_1),
            "2.2" | "2.0" | "2.1" => Ok(WinsockVersion::V2_2),
            _ => Err(format!(
                "unknown Winsock version {s:?}: write \"1.1\" or \"2.2\""
            )),
        }
    }
}

impl Serialize for WinsockVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.text())
    }
}

impl<'de> Deserialize<'de> for WinsockVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The timing and policy constants of one host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HostProfile {
    /// How long the side that closes first holds TIME_WAIT. Windows
    /// TcpTimedWaitDelay: default 240 s, allowed 0..=300 s (ConnectEx.txt,
    /// CB-T1, CB-T2).
    pub tcp_timed_wait_delay: SimDuration,
    /// Maximum segment lifetime, 120 s (RFC 9293 §3.4.2; CB-T2). Shown in
    /// explanations; the TIME_WAIT length is `tcp_timed_wait_delay`.
    pub msl: SimDuration,
    /// First SYN retransmission timeout. Windows TcpInitialRTT, 3 s (RFC 6298
    /// §2.1 used 3 s before RFC 6298 lowered it to 1 s; Windows keeps 3 s).
    pub initial_rto: SimDuration,
    /// SYN retransmissions before WSAETIMEDOUT. Windows
    /// TcpMaxConnectRetransmissions, 2: SYNs at 0, 3 and 9 s, failure at 21 s.
    pub max_connect_retransmissions: u8,
    /// Data retransmissions before the connection is aborted. Windows
    /// TcpMaxDataRetransmissions, 5 (RFC 9293 §3.8.3, R2).
    pub max_data_retransmissions: u8,
    /// Lower bound of the data retransmission timeout. Windows MinRto, 300 ms
    /// (a divergence from RFC 6298 §2.4's 1 s that Windows makes too).
    pub min_rto: SimDuration,
    /// Upper bound of the retransmission timeout, 60 s (RFC 6298 §2.5).
    pub max_rto: SimDuration,
    /// SYNs re-sent after an RST before WSAECONNREFUSED. Windows re-sends the
    /// SYN twice (design.md, "Host profiles"); 0 gives the documents' timing.
    pub refused_syn_retries: u8,
    /// Interval between those re-sent SYNs, not doubled: 500 ms.
    pub refused_retry_interval: SimDuration,
    /// Delayed acknowledgment (RFC 1122 §4.2.3.2, RFC 9293 §3.8.6.3): how
    /// many data segments may arrive unacknowledged before the stack ACKs
    /// at once. Windows TcpAckFrequency: default 2 (an ACK for every other
    /// segment), 1 acknowledges every segment at once; allowed 1..=255.
    pub tcp_ack_frequency: u8,
    /// The delayed-ACK timer in 100 ms ticks: a data segment not followed
    /// by another within it is acknowledged when it fires. Windows
    /// TcpDelAckTicks: default 2 (200 ms), allowed 0..=6; 0 turns delayed
    /// acknowledgment off.
    pub tcp_del_ack_ticks: u8,
    /// How long neighbour resolution (ARP) tries before the stack reports the
    /// next hop unreachable: three requests one second apart, at 0, 1 and
    /// 2 s (Windows ArpRetryCount 3), so 2 s; it gives up before the first
    /// SYN retransmission at 3 s.
    pub arp_timeout: SimDuration,
    /// First and last ephemeral port, inclusive: 49152..=65535 (RFC 6335 §6,
    /// the Windows default dynamic port range).
    pub ephemeral_ports: (u16, u16),
    /// What a full listen backlog does with a new SYN.
    pub backlog_overflow: BacklogOverflow,
    /// Maximum segment size, 1460 bytes (Ethernet MTU less IPv4 and TCP headers).
    pub mss: u16,
    /// Receive window advertised and receive buffer size, 64 KiB - 1 (no window
    /// scaling; RFC 7323 is not modelled).
    pub receive_window: u16,
    /// Send buffer: bytes a blocking send may queue before it waits, 64 KiB.
    pub send_buffer: u32,
    /// The Winsock version the host's threads start with (and that a
    /// `Startup` step without `version` asks for): "2.2".
    pub winsock_version: WinsockVersion,
    // --- WSAConnect/WSPConnect (provider, connect data) ---
    /// The transport service provider behind the host's sockets, which
    /// decides connect data and QoS (CB-W1..W5): `Desktop` (the default),
    /// `WindowsCe` or `ConnectData`; see [`crate::provider::Provider`].
    pub provider: crate::provider::Provider,
    /// Largest caller or callee data, in bytes, that a `ConnectData`
    /// provider carries; more is WSAEFAULT (CB-W3). Default 64, at most the
    /// MSS (the data rides on one SYN).
    pub connect_data_max: u16,
}

impl Default for HostProfile {
    fn default() -> Self {
        HostProfile {
            tcp_timed_wait_delay: SimDuration::from_secs(240),
            msl: SimDuration::from_secs(120),
            initial_rto: SimDuration::from_secs(3),
            max_connect_retransmissions: 2,
            max_data_retransmissions: 5,
            min_rto: SimDuration::from_millis(300),
            max_rto: SimDuration::from_secs(60),
            refused_syn_retries: 2,
            refused_retry_interval: SimDuration::from_millis(500),
            tcp_ack_frequency: 2,
            tcp_del_ack_ticks: 2,
            arp_timeout: SimDuration::from_secs(2),
            ephemeral_ports: (49152, 65535),
            backlog_overflow: BacklogOverflow::Reset,
            mss: 1460,
            receive_window: u16::MAX,
            send_buffer: 64 * 1024,
            winsock_version: WinsockVersion::V2_2,
            provider: crate::provider::Provider::Desktop,
            connect_data_max: crate::provider::DEFAULT_CONNECT_DATA_MAX,
        }
    }
}

/// A profile field outside its allowed range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileError {
    /// The field's name as a scenario writes it.
    pub field: &'static str,
    pub message: String,
}

/// CB-T2: TcpTimedWaitDelay may be set from 0 to 300 s.
pub const MAX_TCP_TIMED_WAIT_DELAY: SimDuration = SimDuration::from_secs(300);

impl HostProfile {
    /// How long an ACK may wait for more data or a reply to ride on;
    /// zero when delayed acknowledgment is off (`tcp_del_ack_ticks`).
    pub fn delayed_ack(&self) -> SimDuration {
        SimDuration::from_millis(100 * u64::from(self.tcp_del_ack_ticks))
    }

    /// Checks every field against its allowed range.
    pub fn validate(&self) -> Result<(), ProfileError> {
        let err = |field, message: String| Err(ProfileError { field, message });
        if self.tcp_timed_wait_delay > MAX_TCP_TIMED_WAIT_DELAY {
            return err(
                "tcp_timed_wait_delay",
                format!(
                    "TcpTimedWaitDelay is {}, allowed 0s..=300s (CB-T2)",
                    self.tcp_timed_wait_delay
                ),
            );
        }
        if self.initial_rto < SimDuration::from_millis(1)
            || self.initial_rto > SimDuration::from_secs(60)
        {
            return err(
                "initial_rto",
                format!("{} is outside 1ms..=60s", self.initial_rto),
            );
        }
        if self.min_rto > self.max_rto || self.max_rto > SimDuration::from_secs(600) {
            return err(
                "min_rto",
                "min_rto must not exceed max_rto, and max_rto is at most 600s".into(),
            );
        }
        if self.max_connect_retransmissions > 32 || self.max_data_retransmissions > 32 {
            return err(
                "max_connect_retransmissions",
                "retransmission counts are at most 32".into(),
            );
        }
        if self.refused_syn_retries > 16 {
            return err("refused_syn_retries", "at most 16".into());
        }
        if self.tcp_ack_frequency == 0 {
            return err("tcp_ack_frequency", "TcpAckFrequency is 1..=255".into());
        }
        if self.tcp_del_ack_ticks > 6 {
            return err(
                "tcp_del_ack_ticks",
                format!(
                    "TcpDelAckTicks is {}, allowed 0..=6 (100 ms each)",
                    self.tcp_del_ack_ticks
                ),
            );
        }
        if self.arp_timeout > SimDuration::from_secs(60) {
            return err("arp_timeout", "at most 60s".into());
        }
        let (lo, hi) = self.ephemeral_ports;
        if lo == 0 || lo > hi {
            return err(
                "ephemeral_ports",
                format!("({lo}, {hi}) is not a range of ports from 1 to 65535"),
            );
        }
        if !(64..=9000).contains(&self.mss) {
            return err("mss", format!("{} is outside 64..=9000", self.mss));
        }
        if self.receive_window < self.mss || !(1024..=16 << 20).contains(&self.send_buffer) {
            return err(
                "receive_window",
                "receive_window must hold one MSS and send_buffer be 1KiB..=16MiB".into(),
            );
        }
        if self.connect_data_max > self.mss {
            return err(
                "connect_data_max",
                format!(
                    "{} bytes of connect data do not fit one SYN of MSS {}",
                    self.connect_data_max, self.mss
                ),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_windows_like() {
        let p = HostProfile::default();
        assert_eq!(p.validate(), Ok(()));
        assert_eq!(p.tcp_timed_wait_delay, SimDuration::from_secs(240));
    }

    /// CB-T2: 300 s is allowed, 301 s is not.
    #[test]
    fn timed_wait_delay_bounds() {
        let mut p = HostProfile {
            tcp_timed_wait_delay: SimDuration::from_secs(300),
            ..Default::default()
        };
        assert!(p.validate().is_ok());
        p.tcp_timed_wait_delay = SimDuration::from_secs(301);
        assert_eq!(p.validate().unwrap_err().field, "tcp_timed_wait_delay");
    }

    /// Windows' delayed-ACK registry ranges: TcpAckFrequency 1..=255,
    /// TcpDelAckTicks 0..=6 with 2 (200 ms) by default.
    #[test]
    fn delayed_ack_bounds() {
        let mut p = HostProfile::default();
        assert_eq!(p.delayed_ack(), SimDuration::from_millis(200));
        p.tcp_del_ack_ticks = 6;
        assert!(p.validate().is_ok());
        p.tcp_del_ack_ticks = 7;
        assert_eq!(p.validate().unwrap_err().field, "tcp_del_ack_ticks");
        p.tcp_del_ack_ticks = 0;
        assert_eq!(p.delayed_ack(), SimDuration::ZERO);
        p.tcp_ack_frequency = 0;
        assert_eq!(p.validate().unwrap_err().field, "tcp_ack_frequency");
    }
}
