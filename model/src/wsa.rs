//! The one table of error codes: WSA name, number, one-line meaning, and which
//! of the four documents list the code in their error table.
//!
//! The table is a single macro invocation, so a name, its number, its meaning
//! and its document marks cannot drift apart (the habit of quinn-proto's
//! `transport_error.rs`). Meanings quote or condense `connect.txt` unless noted.
//! The document marks reproduce the per-API table of `connect-behaviours.md`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One of the four Winsock documents that define a connect call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Api {
    /// `connect.txt`: connect (winsock2.h).
    Connect,
    /// `WSAConnect-CE.txt`: WSAConnect, Windows Embedded CE 6.0 R3.
    WsaConnect,
    /// `WSPConnect.txt`: WSPConnect, the service-provider interface.
    WspConnect,
    /// `ConnectEx.txt`: ConnectEx, the Microsoft extension.
    ConnectEx,
}

impl Api {
    /// The four documents, in the column order of the error tables.
    pub const ALL: [Api; 4] = [
        Api::Connect,
        Api::WsaConnect,
        Api::WspConnect,
        Api::ConnectEx,
    ];

    const fn bit(self) -> u8 {
        1 << self as u8
    }

    /// The function's name as the document spells it (`WSAConnect`), as
    /// reports and `simsock explain` print it.
    pub const fn name(self) -> &'static str {
        match self {
            Api::Connect => "connect",
            Api::WsaConnect => "WSAConnect",
            Api::WspConnect => "WSPConnect",
            Api::ConnectEx => "ConnectEx",
        }
    }

    /// The folder of this API's conformance scenarios under
    /// `scenarios/conformance/`.
    pub const fn folder(self) -> &'static str {
        match self {
            Api::Connect => "connect",
            Api::WsaConnect => "wsaconnect",
            Api::WspConnect => "wspconnect",
            Api::ConnectEx => "connectex",
        }
    }
}

const C: u8 = Api::Connect.bit();
const W: u8 = Api::WsaConnect.bit();
const P: u8 = Api::WspConnect.bit();
const X: u8 = Api::ConnectEx.bit();
const NONE: u8 = 0;

macro_rules! wsa_errors {
    ($($name:ident = $num:literal, $apis:expr, $meaning:literal;)*) => {
        /// A Winsock error code. The variant names are the WSA names, verbatim,
        /// as scenarios and traces write them.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum WsaError {
            $(#[doc = concat!("`", stringify!($num), "`: ", $meaning)] $name,)*
        }

        impl WsaError {
            /// Every code, in table order.
            pub const ALL: &'static [WsaError] = &[$(WsaError::$name,)*];

            /// Every WSA name, in table order: the variants that
            /// deserialization accepts.
            const NAMES: &'static [&'static str] = &[$(stringify!($name),)*];

            /// The WSA name, e.g. `WSAECONNREFUSED`.
            pub const fn name(self) -> &'static str {
                match self { $(WsaError::$name => stringify!($name),)* }
            }

            /// The number that WSAGetLastError returns, e.g. 10061.
            pub const fn number(self) -> u32 {
                match self { $(WsaError::$name => $num,)* }
            }

            /// One line on what the code means.
            pub const fn meaning(self) -> &'static str {
                match self { $(WsaError::$name => $meaning,)* }
            }

            const fn api_bits(self) -> u8 {
                match self { $(WsaError::$name => $apis,)* }
            }
        }
    };
}

wsa_errors! {
    WSANOTINITIALISED = 10093, C | W | X, "A successful WSAStartup call must occur before using this function.";
    WSAENETDOWN = 10050, C | W | P | X, "The network subsystem has failed.";
    WSAEADDRINUSE = 10048, C | W | P | X, "The local address is already in use and the socket was not marked for address reuse with SO_REUSEADDR.";
    WSAEINTR = 10004, C | W | P, "The blocking call was cancelled.";
    WSAEINPROGRESS = 10036, C | W | P, "A blocking Windows Sockets 1.1 call is in progress, or the provider is still processing a callback.";
    WSAEALREADY = 10037, C | W | P | X, "A nonblocking connect call is in progress on the specified socket.";
    WSAEADDRNOTAVAIL = 10049, C | W | P | X, "The remote address is not a valid address (such as INADDR_ANY).";
    WSAEAFNOSUPPORT = 10047, C | W | P | X, "Addresses in the specified family cannot be used with this socket.";
    WSAECONNREFUSED = 10061, C | W | P | X, "The attempt to connect was forcefully rejected.";
    WSAEFAULT = 10014, C | W | P | X, "The name or a buffer has a bad format, a bad length, or lies outside the caller's memory.";
    WSAEINVAL = 10022, C | W | P | X, "An argument is invalid: the socket is listening, or (ConnectEx) not bound.";
    WSAEISCONN = 10056, C | W | P | X, "The socket is already connected.";
    WSAENETUNREACH = 10051, C | W | P | X, "The network cannot be reached from this host at this time.";
    WSAEHOSTUNREACH = 10065, C | X, "A socket operation was attempted to an unreachable host.";
    WSAENOBUFS = 10055, C | W | P | X, "No buffer space is available; the socket cannot be connected.";
    WSAENOTSOCK = 10038, C | W | P | X, "The descriptor is not a socket.";
    WSAEOPNOTSUPP = 10045, W | P, "The flow specifications of the QoS request cannot be satisfied (WSAConnect, WSPConnect).";
    WSAEPROTONOSUPPORT = 10043, W | P, "The provider does not support connect data (WSAConnect CE: lpCallerData must be null).";
    WSAETIMEDOUT = 10060, C | W | P | X, "An attempt to connect timed out without establishing a connection.";
    WSAEWOULDBLOCK = 10035, C | W | P, "The socket is nonblocking and the connection cannot be completed immediately.";
    WSAEACCES = 10013, C | W | P, "Connecting a datagram socket to a broadcast address failed: SO_BROADCAST is not enabled.";
    ERROR_IO_PENDING = 997, X, "An overlapped operation was started and will complete later (ConnectEx).";
    WSAECONNRESET = 10054, NONE, "The connection was reset by the remote side (send, recv).";
    WSAECONNABORTED = 10053, NONE, "The connection was aborted by this host, e.g. its retransmissions ran out (send, recv).";
    WSAENOTCONN = 10057, NONE, "The socket is not connected (send, recv, getpeername, shutdown).";
    WSAESHUTDOWN = 10058, NONE, "The socket has been shut down in that direction (send, recv).";
    WSAEMFILE = 10024, NONE, "No more socket descriptors are available (socket, accept).";
    WSAENOPROTOOPT = 10042, NONE, "The option is unknown or unsupported for this socket (getsockopt, setsockopt).";
    WSAEMSGSIZE = 10040, NONE, "The datagram is larger than the buffer or the maximum datagram size (sendto, recvfrom).";
    WSA_INVALID_HANDLE = 6, NONE, "A handle is not a valid event object (WSAWaitForMultipleEvents).";
    WSAESOCKTNOSUPPORT = 10044, NONE, "The socket type is not supported in this address family (socket).";
    ERROR_INVALID_PARAMETER = 87, NONE, "The parameter is incorrect: ConnectEx or AcceptEx with lpOverlapped NULL on observed Windows (profile null_overlapped_invalid_parameter).";
    WSATRY_AGAIN = 11002, NONE, "The condition function deferred the connection request (WSAAccept, CF_DEFER); it stays queued.";
    // ConnectEx and overlapped I/O (issue 3, item 4): Win32 codes that the
    // completion functions report (GetQueuedCompletionStatus, GetOverlappedResult).
    ERROR_OPERATION_ABORTED = 995, NONE, "The overlapped operation was aborted: its thread exited (CB-X8) or it was cancelled.";
    WSA_IO_INCOMPLETE = 996, NONE, "The overlapped operation has not completed yet (GetOverlappedResult without waiting).";
    WAIT_TIMEOUT = 258, NONE, "The wait's time-out elapsed before a completion arrived (GetQueuedCompletionStatus).";
    // Win32 codes of a failed ConnectEx as GetQueuedCompletionStatus reports
    // it on observed Windows (profile `completion_win32_codes`).
    ERROR_CONNECTION_REFUSED = 1225, NONE, "The remote computer refused the network connection (a ConnectEx completion; WSAECONNREFUSED).";
    ERROR_NETWORK_UNREACHABLE = 1231, NONE, "The network location cannot be reached (a ConnectEx completion; WSAENETUNREACH).";
    ERROR_HOST_UNREACHABLE = 1232, NONE, "The network location cannot be reached (a ConnectEx completion; WSAEHOSTUNREACH).";
    ERROR_SEM_TIMEOUT = 121, NONE, "The semaphore timeout period has expired (a ConnectEx completion; WSAETIMEDOUT).";
    // WSAConnectByName (issue 14, item 3): name resolution's codes
    // (WSAConnectByNameW's page refers to getaddrinfo's).
    WSAHOST_NOT_FOUND = 11001, NONE, "No such host is known (WSAConnectByName, getaddrinfo: the name does not resolve).";
    WSATYPE_NOT_FOUND = 10109, NONE, "The service name is not known (WSAConnectByName, getaddrinfo).";
}

impl WsaError {
    /// Whether the document of `api` lists this code in its error table.
    pub const fn listed_by(self, api: Api) -> bool {
        self.api_bits() & api.bit() != 0
    }

    /// The documents that list this code, in [`Api::ALL`] order.
    pub fn listed_in(self) -> impl Iterator<Item = Api> {
        Api::ALL.into_iter().filter(move |api| self.listed_by(*api))
    }

    /// Looks a code up by WSA name (`WSAECONNREFUSED`) or number (`10061`).
    pub fn lookup(text: &str) -> Option<WsaError> {
        let text = text.trim();
        match text.parse::<u32>() {
            Ok(n) => WsaError::ALL.iter().copied().find(|e| e.number() == n),
            Err(_) => WsaError::ALL
                .iter()
                .copied()
                .find(|e| e.name().eq_ignore_ascii_case(text)),
        }
    }
}

impl fmt::Display for WsaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::error::Error for WsaError {}

impl FromStr for WsaError {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        WsaError::lookup(text)
            .ok_or_else(|| format!("`{text}` is not a known WSA error name or number"))
    }
}

impl Serialize for WsaError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_unit_variant("WsaError", *self as u32, self.name())
    }
}

/// Accepts the bare WSA name as RON writes an enum variant (`WSAECONNREFUSED`).
impl<'de> Deserialize<'de> for WsaError {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = WsaError;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a WSA error name such as WSAECONNREFUSED")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<WsaError, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<WsaError, E> {
                v.to_string().parse().map_err(E::custom)
            }
            fn visit_enum<A: serde::de::EnumAccess<'de>>(
                self,
                data: A,
            ) -> Result<WsaError, A::Error> {
                use serde::de::VariantAccess;
                let (code, variant): (WsaName, _) = data.variant()?;
                variant.unit_variant()?;
                Ok(code.0)
            }
        }
        d.deserialize_enum("WsaError", WsaError::NAMES, Visitor)
    }
}

/// A WSA name read as an enum variant's identifier.
struct WsaName(WsaError);

impl<'de> Deserialize<'de> for WsaName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = WsaName;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a WSA error name")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<WsaName, E> {
                v.parse().map(WsaName).map_err(E::custom)
            }
        }
        d.deserialize_identifier(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// connect-behaviours.md, "Error tables, per API": 19 + 20 + 19 + 16 = 74 marks.
    #[test]
    fn per_api_marks_match_the_catalogue() {
        let count = |api| WsaError::ALL.iter().filter(|e| e.listed_by(api)).count();
        assert_eq!(count(Api::Connect), 19);
        assert_eq!(count(Api::WsaConnect), 20);
        assert_eq!(count(Api::WspConnect), 19);
        assert_eq!(count(Api::ConnectEx), 16);
    }

    #[test]
    fn names_and_numbers_are_unique_and_round_trip() {
        for (i, a) in WsaError::ALL.iter().enumerate() {
            for b in &WsaError::ALL[i + 1..] {
                assert_ne!(a.number(), b.number());
                assert_ne!(a.name(), b.name());
            }
            assert_eq!(WsaError::lookup(a.name()), Some(*a));
            assert_eq!(WsaError::lookup(&a.number().to_string()), Some(*a));
        }
        assert_eq!(WsaError::WSAECONNREFUSED.number(), 10061);
    }

    #[test]
    fn reads_from_ron() {
        let e: WsaError = ron::from_str("WSAETIMEDOUT").unwrap();
        assert_eq!(e, WsaError::WSAETIMEDOUT);
        assert!(ron::from_str::<WsaError>("WSAEBOGUS").is_err());
    }
}
