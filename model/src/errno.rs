//! Linux errno codes, and the one table from WSA codes to them.
//!
//! A host whose profile follows the `Linux` personality shows every failed
//! call with the errno a Linux program would read. The simulator decides a
//! call's outcome once, as a Winsock code; [`Errno::from_wsa`] names it the
//! Linux way, and the Winsock layer (`sim/src/winsock/errno.rs`) applies the
//! few per-call cases where Linux answers otherwise (a nonblocking connect
//! is `EINPROGRESS`, not `EAGAIN`).
//!
//! Numbers: the kernel's `include/uapi/asm-generic/errno-base.h` and
//! `errno.h` (x86, arm and most architectures; alpha, mips, parisc and
//! sparc number some differently). Meanings condense errno(3), connect(2),
//! bind(2), send(2) and socket(7).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::wsa::WsaError;

macro_rules! errnos {
    ($($name:ident = $num:literal, $meaning:literal;)*) => {
        /// A Linux errno code; the variant names are the C names.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum Errno {
            $(#[doc = concat!("`", stringify!($num), "`: ", $meaning)] $name,)*
        }

        impl Errno {
            /// Every code, in table order.
            pub const ALL: &'static [Errno] = &[$(Errno::$name,)*];

            /// Every name, in table order: the variants deserialization
            /// accepts (and `EWOULDBLOCK`).
            const NAMES: &'static [&'static str] = &[$(stringify!($name),)*];

            /// The C name, e.g. `ECONNREFUSED`.
            pub const fn name(self) -> &'static str {
                match self { $(Errno::$name => stringify!($name),)* }
            }

            /// The number `errno` holds, e.g. 111.
            pub const fn number(self) -> u32 {
                match self { $(Errno::$name => $num,)* }
            }

            /// One line on what the code means on Linux.
            pub const fn meaning(self) -> &'static str {
                match self { $(Errno::$name => $meaning,)* }
            }
        }
    };
}

errnos! {
    EINTR = 4, "The call was interrupted by a signal before it completed.";
    EBADF = 9, "The descriptor is not an open file descriptor.";
    EAGAIN = 11, "The socket is nonblocking and the call would block (EWOULDBLOCK is the same code).";
    EACCES = 13, "Broadcast without SO_BROADCAST, or a privileged port (connect(2), bind(2)).";
    EFAULT = 14, "An address lies outside the caller's address space.";
    EINVAL = 22, "An argument is invalid (bind on a bound socket, listen on an unbound datagram socket).";
    EMFILE = 24, "The per-process limit on open file descriptors has been reached.";
    EPIPE = 32, "The local end has been shut down for writing (send(2)); SIGPIPE unless MSG_NOSIGNAL.";
    ENOTSOCK = 88, "The file descriptor does not refer to a socket.";
    EMSGSIZE = 90, "The datagram is too large to send atomically.";
    ENOPROTOOPT = 92, "The option is unknown at the level indicated (getsockopt(2)).";
    EPROTONOSUPPORT = 93, "The protocol is not supported within this domain.";
    ESOCKTNOSUPPORT = 94, "The socket type is not supported in this address family.";
    EOPNOTSUPP = 95, "The operation is not supported on this socket.";
    EAFNOSUPPORT = 97, "The address has the wrong address family for this socket.";
    EADDRINUSE = 98, "The local address is already in use (bind(2); a port in TIME_WAIT needs SO_REUSEADDR).";
    EADDRNOTAVAIL = 99, "The address is not local, or no ephemeral port is free (connect(2)).";
    ENETDOWN = 100, "The network is down.";
    ENETUNREACH = 101, "The network is unreachable.";
    ECONNABORTED = 103, "The connection was aborted.";
    ECONNRESET = 104, "The connection was reset by the peer.";
    ENOBUFS = 105, "Not enough free memory in the kernel's socket buffers.";
    EISCONN = 106, "The socket is already connected.";
    ENOTCONN = 107, "The socket is not connected.";
    ETIMEDOUT = 110, "The connect timed out: tcp_syn_retries SYNs went unanswered (tcp(7)).";
    ECONNREFUSED = 111, "No one is listening on the remote address: the SYN was answered with RST.";
    EHOSTUNREACH = 113, "The host is unreachable (neighbour discovery failed, or an ICMP error).";
    EALREADY = 114, "The socket is nonblocking and a previous connection attempt has not yet completed.";
    EINPROGRESS = 115, "The socket is nonblocking and the connection cannot be completed immediately (connect(2)).";
}

impl Errno {
    /// Looks a code up by name (`ECONNREFUSED`, or `EWOULDBLOCK` for
    /// EAGAIN) or number (`111`).
    pub fn lookup(text: &str) -> Option<Errno> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("EWOULDBLOCK") {
            return Some(Errno::EAGAIN);
        }
        match text.parse::<u32>() {
            Ok(n) => Errno::ALL.iter().copied().find(|e| e.number() == n),
            Err(_) => Errno::ALL
                .iter()
                .copied()
                .find(|e| e.name().eq_ignore_ascii_case(text)),
        }
    }

    /// The one table from Winsock codes to errno: what a Linux program
    /// reads where a Windows program reads `code`; `None` for the Win32
    /// and Winsock codes with no Linux counterpart (WSAStartup,
    /// overlapped I/O, event handles), which a Linux host shows by their
    /// WSA name. Where Linux answers a particular call otherwise, the
    /// Winsock layer says so (`sim/src/winsock/errno.rs`); where Linux's
    /// code for the same situation differs from the name-for-name
    /// counterpart, the row says so.
    pub const fn from_wsa(code: WsaError) -> Option<Errno> {
        use WsaError as W;
        Some(match code {
            // Linux has no WSAStartup: no counterpart.
            W::WSANOTINITIALISED => return None,
            W::WSAENETDOWN => Errno::ENETDOWN,
            W::WSAEADDRINUSE => Errno::EADDRINUSE,
            W::WSAEINTR => Errno::EINTR,
            // Winsock 1.1's blocking call in progress: Linux has no such
            // state (its EINPROGRESS is a nonblocking connect under way,
            // WSAEWOULDBLOCK's place, named by the Winsock layer).
            W::WSAEINPROGRESS => return None,
            W::WSAEALREADY => Errno::EALREADY,
            W::WSAEADDRNOTAVAIL => Errno::EADDRNOTAVAIL,
            W::WSAEAFNOSUPPORT => Errno::EAFNOSUPPORT,
            W::WSAECONNREFUSED => Errno::ECONNREFUSED,
            W::WSAEFAULT => Errno::EFAULT,
            W::WSAEINVAL => Errno::EINVAL,
            W::WSAEISCONN => Errno::EISCONN,
            W::WSAENETUNREACH => Errno::ENETUNREACH,
            W::WSAEHOSTUNREACH => Errno::EHOSTUNREACH,
            // Differs per call: no free ephemeral port is EADDRNOTAVAIL at
            // connect (connect(2)) and EADDRINUSE at bind (bind(2)); the
            // Winsock layer names those two.
            W::WSAENOBUFS => Errno::ENOBUFS,
            W::WSAENOTSOCK => Errno::ENOTSOCK,
            W::WSAEOPNOTSUPP => Errno::EOPNOTSUPP,
            W::WSAEPROTONOSUPPORT => Errno::EPROTONOSUPPORT,
            W::WSAETIMEDOUT => Errno::ETIMEDOUT,
            // EAGAIN == EWOULDBLOCK (11); a nonblocking connect is
            // EINPROGRESS instead (connect(2)), named by the Winsock layer.
            W::WSAEWOULDBLOCK => Errno::EAGAIN,
            W::WSAEACCES => Errno::EACCES,
            // Overlapped I/O: no counterpart.
            W::ERROR_IO_PENDING => return None,
            W::WSAECONNRESET => Errno::ECONNRESET,
            // Differs: simsock gives WSAECONNABORTED when this host's data
            // retransmissions run out; Linux reports that as ETIMEDOUT
            // (tcp(7), tcp_retries2). Shown as ECONNABORTED, its name.
            W::WSAECONNABORTED => Errno::ECONNABORTED,
            W::WSAENOTCONN => Errno::ENOTCONN,
            // Differs: send after shutdown(SHUT_WR) is EPIPE on Linux
            // (send(2)), not ESHUTDOWN.
            W::WSAESHUTDOWN => Errno::EPIPE,
            W::WSAEMFILE => Errno::EMFILE,
            W::WSAENOPROTOOPT => Errno::ENOPROTOOPT,
            W::WSAEMSGSIZE => Errno::EMSGSIZE,
            W::WSA_INVALID_HANDLE => return None,
            W::WSAESOCKTNOSUPPORT => Errno::ESOCKTNOSUPPORT,
            // WSAAccept's CF_DEFER: Linux has no condition function.
            W::WSATRY_AGAIN => return None,
            // A Win32 code of the ConnectEx family (`null_overlapped_invalid_parameter`).
            W::ERROR_INVALID_PARAMETER => return None,
            W::ERROR_OPERATION_ABORTED => return None,
            W::WSA_IO_INCOMPLETE => return None,
            W::WAIT_TIMEOUT => return None,
            // Win32 codes of a failed ConnectEx as GetQueuedCompletionStatus
            // gives them (`completion_win32_codes`): overlapped I/O, no
            // counterpart (a Linux program reads the errno of its connect).
            W::ERROR_CONNECTION_REFUSED
            | W::ERROR_NETWORK_UNREACHABLE
            | W::ERROR_HOST_UNREACHABLE
            | W::ERROR_SEM_TIMEOUT => return None,
            // Name resolution: getaddrinfo(3) reports EAI_NONAME and
            // EAI_SERVICE, not an errno; shown by their WSA names.
            W::WSAHOST_NOT_FOUND | W::WSATYPE_NOT_FOUND => return None,
        })
    }

    /// The Winsock code whose counterpart this is (the first row of
    /// [`Errno::from_wsa`] that names it); `None` for codes only a
    /// per-call rule gives (`EINPROGRESS`) or none (`EBADF`).
    pub fn to_wsa(self) -> Option<WsaError> {
        WsaError::ALL
            .iter()
            .copied()
            .find(|&w| Errno::from_wsa(w) == Some(self))
    }
}

/// Accepts the bare name as RON writes an enum variant (`ECONNREFUSED`,
/// `EWOULDBLOCK`).
impl<'de> Deserialize<'de> for Errno {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Errno;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an errno name such as ECONNREFUSED")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Errno, E> {
                Errno::lookup(v)
                    .ok_or_else(|| E::custom(format!("`{v}` is not a known errno name")))
            }
            fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Errno, A::Error> {
                use serde::de::VariantAccess;
                let (code, variant): (ErrnoName, _) = data.variant()?;
                variant.unit_variant()?;
                Ok(code.0)
            }
        }
        d.deserialize_enum("Errno", Errno::NAMES, Visitor)
    }
}

/// An errno name read as an enum variant's identifier.
struct ErrnoName(Errno);

impl<'de> Deserialize<'de> for ErrnoName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = ErrnoName;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an errno name")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ErrnoName, E> {
                Errno::lookup(v)
                    .map(ErrnoName)
                    .ok_or_else(|| E::custom(format!("`{v}` is not a known errno name")))
            }
        }
        d.deserialize_identifier(Visitor)
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The numbers of the kernel's asm-generic/errno-base.h and errno.h.
    #[test]
    fn numbers_are_the_kernels() {
        let kernel = [
            (Errno::ECONNREFUSED, 111),
            (Errno::ETIMEDOUT, 110),
            (Errno::EINPROGRESS, 115),
            (Errno::EALREADY, 114),
            (Errno::EADDRINUSE, 98),
            (Errno::EADDRNOTAVAIL, 99),
            (Errno::ENETUNREACH, 101),
            (Errno::EHOSTUNREACH, 113),
            (Errno::ECONNRESET, 104),
            (Errno::EAGAIN, 11),
            (Errno::EISCONN, 106),
            (Errno::ENOTCONN, 107),
            (Errno::EPIPE, 32),
            (Errno::EINVAL, 22),
            (Errno::EACCES, 13),
        ];
        for (code, number) in kernel {
            assert_eq!(code.number(), number, "{code}");
        }
    }

    #[test]
    fn names_and_numbers_are_unique_and_round_trip() {
        for (i, a) in Errno::ALL.iter().enumerate() {
            for b in &Errno::ALL[i + 1..] {
                assert_ne!(a.number(), b.number());
            }
            assert_eq!(Errno::lookup(a.name()), Some(*a));
            assert_eq!(Errno::lookup(&a.number().to_string()), Some(*a));
        }
        assert_eq!(Errno::lookup("EWOULDBLOCK"), Some(Errno::EAGAIN));
        assert_eq!(Errno::lookup("WSAECONNREFUSED"), None);
    }

    /// The table maps the connect codes name for name, the differences as
    /// their rows say, and a counterpart maps back.
    #[test]
    fn wsa_table() {
        let pairs = [
            (WsaError::WSAECONNREFUSED, Some(Errno::ECONNREFUSED)),
            (WsaError::WSAETIMEDOUT, Some(Errno::ETIMEDOUT)),
            (WsaError::WSAEWOULDBLOCK, Some(Errno::EAGAIN)),
            (WsaError::WSAEADDRINUSE, Some(Errno::EADDRINUSE)),
            (WsaError::WSAEHOSTUNREACH, Some(Errno::EHOSTUNREACH)),
            (WsaError::WSAESHUTDOWN, Some(Errno::EPIPE)),
            (WsaError::WSANOTINITIALISED, None),
            (WsaError::ERROR_IO_PENDING, None),
        ];
        for (wsa, errno) in pairs {
            assert_eq!(Errno::from_wsa(wsa), errno, "{wsa}");
        }
        for &wsa in WsaError::ALL {
            if let Some(errno) = Errno::from_wsa(wsa) {
                assert_eq!(Errno::from_wsa(errno.to_wsa().unwrap()), Some(errno));
            }
        }
        assert_eq!(Errno::EBADF.to_wsa(), None);
        assert_eq!(Errno::EINPROGRESS.to_wsa(), None);
    }

    #[test]
    fn reads_from_ron() {
        let e: Errno = ron::from_str("ECONNREFUSED").unwrap();
        assert_eq!(e, Errno::ECONNREFUSED);
        let e: Errno = ron::from_str("EWOULDBLOCK").unwrap();
        assert_eq!(e, Errno::EAGAIN);
        assert!(ron::from_str::<Errno>("WSAECONNREFUSED").is_err());
    }
}
