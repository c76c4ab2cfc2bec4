//! Service providers and the parameters of WSAConnect and WSPConnect that only
//! a provider interprets: connect data (CB-W1..W4, CB-W6) and quality of
//! service (CB-W5).
//!
//! Winsock 2 hands WSAConnect to the transport service provider of the
//! socket (WSPConnect), and the provider decides what it supports. The host
//! profile names one provider for every socket of the host
//! (`profile: (provider: WindowsCe)`); see [`Provider`].

use serde::{Deserialize, Serialize};

/// The transport service provider behind a host's sockets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Provider {
    /// The desktop TCP/IP provider (the default). It does not support
    /// connect data: caller data is WSAEPROTONOSUPPORT (CB-W4), a callee
    /// buffer comes back with `len` 0 (CB-W2). It honours best-effort flow
    /// specifications only, see [`FlowSpec::needs_reservation`] (CB-W5).
    #[default]
    Desktop,
    /// The Windows Embedded CE default TCP/UDP provider (WSAConnect-CE.txt,
    /// "Note"): no connect data, so both data pointers must be null and
    /// either one is WSAEPROTONOSUPPORT (CB-W4); lpSQOS and lpGQOS are
    /// "Reserved", so it can satisfy no flow specification at all: a
    /// non-null one is WSAEOPNOTSUPP, the CE table's code for QoS that
    /// "cannot be satisfied" (CB-W5; the document does not say that
    /// reserved values are ignored, and the simulator does not guess it).
    /// A blocking call whose socket another thread closes fails with
    /// WSAEINTR, "The socket was closed" (CB-C18), and CE's Winsock keeps
    /// the rule of one blocking call per thread: a blocking call made from
    /// an APC inside another fails with WSAEINPROGRESS (CB-C19, CB-A1).
    WindowsCe,
    /// A provider that exchanges connect data (CB-W1..W3), as the OSI and
    /// DECnet providers that WSAConnect was designed for did. Caller data
    /// up to `connect_data_max` bytes rides on the connection request,
    /// callee data comes back with the answer. QoS as [`Provider::Desktop`].
    ConnectData,
}

impl Provider {
    /// Whether connect data is exchanged at all (CB-W1, CB-W4).
    pub const fn supports_connect_data(self) -> bool {
        matches!(self, Provider::ConnectData)
    }

    /// Whether QoS parameters are reserved, so none can be satisfied (CB-W5).
    pub const fn qos_reserved(self) -> bool {
        matches!(self, Provider::WindowsCe)
    }
}

/// The service type of a flow specification (`ServiceType` of FLOWSPEC).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServiceType {
    /// SERVICETYPE_NOTRAFFIC: no traffic in this direction.
    NoTraffic,
    /// SERVICETYPE_BESTEFFORT: no guarantee asked.
    #[default]
    BestEffort,
    /// SERVICETYPE_CONTROLLEDLOAD: a reservation (RFC 2211).
    ControlledLoad,
    /// SERVICETYPE_GUARANTEED: a reservation with a delay bound (RFC 2212).
    Guaranteed,
}

/// One direction of a QoS request (FLOWSPEC). Rates in bytes per second,
/// sizes in bytes, times in microseconds; `None` is QOS_NOT_SPECIFIED.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlowSpec {
    /// The level of service asked (default best effort); the only field
    /// that decides whether a provider can honour the flow
    /// ([`FlowSpec::needs_reservation`], CB-W5).
    pub service_type: ServiceType,
    /// FLOWSPEC's TokenRate: the sustained rate the flow sends at, in bytes
    /// per second. A hint only: the simulator shapes no traffic by it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_rate: Option<u32>,
    /// FLOWSPEC's TokenBucketSize: the largest burst at `token_rate`, in
    /// bytes. A hint only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_bucket_size: Option<u32>,
    /// FLOWSPEC's PeakBandwidth: the highest rate of a burst, in bytes per
    /// second. A hint only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_bandwidth: Option<u32>,
    /// FLOWSPEC's Latency: the largest acceptable delay, in microseconds.
    /// A hint only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_us: Option<u32>,
}

impl FlowSpec {
    /// Whether the flow asks the network for a reservation. The simulated
    /// network has no admission control (no RSVP, RFC 2205), so no provider
    /// here can honour one: it is WSAEOPNOTSUPP (CB-W5). Best effort and no
    /// traffic need nothing from the network; a best-effort flow whose rates
    /// are given is still best effort (the numbers are hints).
    pub const fn needs_reservation(&self) -> bool {
        matches!(
            self.service_type,
            ServiceType::ControlledLoad | ServiceType::Guaranteed
        )
    }
}

/// A QoS structure: the flow specifications of both directions (CB-W5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Qos {
    /// QOS's SendingFlowspec: traffic from this socket to the peer.
    pub send: FlowSpec,
    /// QOS's ReceivingFlowspec: traffic from the peer to this socket.
    pub recv: FlowSpec,
}

impl Qos {
    /// Whether either direction asks for a reservation, which no provider
    /// here can honour: the connect fails with WSAEOPNOTSUPP (CB-W5).
    pub const fn needs_reservation(&self) -> bool {
        self.send.needs_reservation() || self.recv.needs_reservation()
    }
}

/// `sizeof(QOS)` on x64: two FLOWSPECs of eight ULONGs (32 bytes each) and
/// the ProviderSpecific WSABUF (a ULONG, padding and a pointer, 16 bytes).
/// WSPConnect fails a smaller lpSQOS or lpGQOS buffer with WSAEFAULT (CB-W3).
pub const QOS_SIZE: u32 = 80;

/// Largest connect data a [`Provider::ConnectData`] provider carries by
/// default, in bytes. The documents give no size; DECnet's connect data was
/// at most 16 bytes and OSI's 32, so 64 is generous while a SYN still
/// carries it in one segment.
pub const DEFAULT_CONNECT_DATA_MAX: u16 = 64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reservations_cannot_be_honoured() {
        let mut q = Qos::default();
        assert!(!q.needs_reservation());
        q.send.token_rate = Some(1_000_000);
        assert!(!q.needs_reservation());
        q.recv.service_type = ServiceType::Guaranteed;
        assert!(q.needs_reservation());
    }

    /// The data rides on one SYN: more than an MSS is a profile error.
    #[test]
    fn connect_data_must_fit_one_syn() {
        let mut p = crate::profile::HostProfile::default();
        assert_eq!(p.connect_data_max, DEFAULT_CONNECT_DATA_MAX);
        p.connect_data_max = p.mss;
        assert!(p.validate().is_ok());
        p.connect_data_max = p.mss + 1;
        assert_eq!(p.validate().unwrap_err().field, "connect_data_max");
    }

    #[test]
    fn reads_from_ron() {
        let options = ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
        let q: Qos = options
            .from_str("(send: (service_type: Guaranteed, token_rate: 8000))")
            .unwrap();
        assert_eq!(q.send.token_rate, Some(8000));
        assert!(q.needs_reservation());
    }
}
