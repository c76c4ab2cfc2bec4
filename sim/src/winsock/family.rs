//! Socket names by address family: which names a socket of a family takes
//! (CB-C9), and how the stack's IPv4 addresses are shown to an IPv6 socket.
//!
//! Divergence: the simulated network carries IPv4 only. AF_INET6 sockets
//! exist, bind to `[::]:port`, refuse IPv4 names (CB-C9) and know the
//! unspecified address (CB-C3, CB-D4), but no host has an IPv6 address, so
//! any other IPv6 destination has no route (WSAENETUNREACH) and any other
//! IPv6 local address is not the host's (WSAEADDRNOTAVAIL); ::1 is left out
//! (it needs IPv6 packets in the stack, the trace and the captures).
//!
//! IPV6_V6ONLY (the profile's `ipv6_v6only_default`: 1 on Windows, Wine
//! `test_ipv6only`; 0 on Linux, ipv6(7)) decides whether the socket takes
//! IPv4 too. A V6ONLY socket never does: its binding `[::]:port` is kept as
//! `0.0.0.0:port` marked IPv6-only (`stack::binds::Net::V6Only`), which an
//! AF_INET binding of the same port does not meet (Wine `test_ipv6only`:
//! AF_INET 0.0.0.0:p binds beside `[::]:p`). A dual-stack socket (V6ONLY 0)
//! reads ::ffff:a.b.c.d as the IPv4 name it maps, its `[::]` binding takes
//! IPv4 SYNs and datagrams (`Net::Dual`), and every address it shows is
//! IPv4-mapped (RFC 4291 §2.5.5.2): the peer of an accepted IPv4
//! connection is `[::ffff:a.b.c.d]:p`ort. How a dual-stack `[::]:p` and an
//! AF_INET 0.0.0.0:p share a port is the bind rules' (`bind_rules.rs`).

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use simsock_model::WsaError;
use simsock_model::scenario::Family;

/// A name given to a call, as the socket's family reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Name {
    /// An IPv4 name on an IPv4 socket.
    V4(SocketAddrV4),
    /// `[::]:port` (in6addr_any) on an IPv6 socket.
    AnyV6(u16),
    /// Any other IPv6 name on an IPv6 socket.
    V6(SocketAddrV6),
}

/// Reads `addr` for a socket of `family`; a name of the other family is
/// WSAEAFNOSUPPORT (CB-C9). A dual-stack socket (`dual`: AF_INET6 without
/// IPV6_V6ONLY) reads an IPv4-mapped ::ffff:a.b.c.d as the IPv4 name it
/// maps (RFC 4291 §2.5.5.2; ipv6(7): "IPv4 connections can be handled with
/// the v6 API by using the v4-mapped-on-v6 address type"); a V6ONLY socket
/// takes it as an IPv6 name, which no route reaches.
pub(super) fn name(family: Family, dual: bool, addr: SocketAddr) -> Result<Name, WsaError> {
    match (family, addr) {
        (Family::Inet, SocketAddr::V4(v4)) => Ok(Name::V4(v4)),
        (Family::Inet6, SocketAddr::V6(v6)) if v6.ip().is_unspecified() => {
            Ok(Name::AnyV6(v6.port()))
        }
        (Family::Inet6, SocketAddr::V6(v6)) => match v6.ip().to_ipv4_mapped() {
            Some(v4) if dual => Ok(Name::V4(SocketAddrV4::new(v4, v6.port()))),
            _ => Ok(Name::V6(v6)),
        },
        _ => Err(WsaError::WSAEAFNOSUPPORT), // CB-C9
    }
}

/// The stack's form of the all-zero name of either family.
pub(super) const UNSPECIFIED: SocketAddrV4 = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 0);

/// An address of the stack as a socket of `family` shows it (getsockname,
/// getpeername): an IPv6 socket's wildcard binding is `[::]:port`.
pub(super) fn shown(family: Family, addr: SocketAddrV4) -> SocketAddr {
    match family {
        // No AF_IRDA socket is ever created (CB-I1): shown as IPv4.
        Family::Inet | Family::Irda => SocketAddr::V4(addr),
        Family::Inet6 if addr.ip().is_unspecified() => SocketAddr::V6(SocketAddrV6::new(
            std::net::Ipv6Addr::UNSPECIFIED,
            addr.port(),
            0,
            0,
        )),
        Family::Inet6 => SocketAddr::V6(SocketAddrV6::new(
            addr.ip().to_ipv6_mapped(),
            addr.port(),
            0,
            0,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    /// CB-C9 both ways; CB-C3's in6addr_any is told apart.
    #[test]
    fn names_of_the_other_family_are_refused() {
        let e = Err(WsaError::WSAEAFNOSUPPORT);
        assert_eq!(name(Family::Inet, false, addr("[::1]:80")), e);
        assert_eq!(name(Family::Inet6, false, addr("10.0.0.2:80")), e);
        assert_eq!(
            name(Family::Inet6, false, addr("[::]:80")),
            Ok(Name::AnyV6(80))
        );
        assert!(matches!(
            name(Family::Inet6, false, addr("[2001:db8::1]:80")),
            Ok(Name::V6(_))
        ));
    }

    /// A dual-stack socket reads ::ffff:a.b.c.d as IPv4; a V6ONLY one does not.
    #[test]
    fn a_mapped_name_is_ipv4_only_on_a_dual_stack_socket() {
        let mapped = addr("[::ffff:10.0.0.2]:80");
        let v4 = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 80);
        assert_eq!(name(Family::Inet6, true, mapped), Ok(Name::V4(v4)));
        assert!(matches!(
            name(Family::Inet6, false, mapped),
            Ok(Name::V6(_))
        ));
        assert_eq!(shown(Family::Inet6, v4), addr("[::ffff:10.0.0.2]:80"));
    }

    #[test]
    fn an_ipv6_wildcard_binding_shows_as_in6addr_any() {
        let bound = SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, 5000);
        assert_eq!(shown(Family::Inet6, bound), addr("[::]:5000"));
        assert_eq!(shown(Family::Inet, bound), addr("0.0.0.0:5000"));
    }
}
