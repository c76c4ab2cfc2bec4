//! Whether a bind or a listen may take a local address that other sockets
//! hold, by the host's [`BindRules`] (profile `bind_rules`).
//!
//! `Windows` follows the bind matrix of Microsoft's "Using SO_REUSEADDR and
//! SO_EXCLUSIVEADDRUSE" (Windows Server 2003 and later, "enhanced socket
//! security"), read here from the identical table of the WSK page "Sharing
//! Transport Addresses": for each socket already bound to an overlapping
//! address (the same address, or either is the wildcard), the first
//! socket's option and address kind against the second's give success,
//! WSAEADDRINUSE (INUSE) or WSAEACCES (DENIED). The table's CHECK cells are
//! an access check between the two sockets' users; every socket of a
//! simulated host has one user, so they succeed. Every cell that Wine's
//! `test_reuseaddr` (`dlls/ws2_32/tests/sock.c`) exercises on real Windows
//! agrees: e.g. 127.0.0.1:p then SO_REUSEADDR 127.0.0.1:p is WSAEACCES,
//! 0.0.0.0:p then 127.0.0.1:p succeeds, an exclusive 0.0.0.0:p then
//! 127.0.0.1:p is WSAEACCES. Sockets in TIME_WAIT and connections are not
//! checked (curl issue 8112).
//!
//! `Linux` follows socket(7) ("a socket may bind, except when there is an
//! active listening socket bound to the address") and the kernel's
//! `inet_bind_conflict`: two sockets on overlapping addresses conflict
//! unless both set SO_REUSEADDR and the earlier one does not listen; a port
//! held by TIME_WAIT or a connection needs SO_REUSEADDR. Divergences: the
//! kernel also requires the TIME_WAIT's own socket to have set SO_REUSEADDR
//! (its `sk_reuse` is inherited), and compares its address; simsock only
//! knows that something other than a bound socket holds the port.
//!
//! `Documented` is CB-C17 as simsock read it before ports belonged to
//! addresses: any holder of the port refuses a bind without SO_REUSEADDR.

use std::net::Ipv4Addr;

use simsock_model::WsaError;
use simsock_model::profile::BindRules;
use simsock_model::scenario::Kind;

use crate::stack::Host;
use crate::stack::binds::{Binding, Net, Share};

/// A cell of the bind matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cell {
    /// SUCCESS (and CHECK, granted: one user per host).
    Ok,
    /// INUSE: WSAEADDRINUSE.
    InUse,
    /// DENIED: WSAEACCES.
    Denied,
}

/// The matrix's row or column of a binding: its option, then wildcard (0)
/// or specific (1).
fn side(share: Share, addr: Ipv4Addr) -> usize {
    let option = match share {
        Share::Default => 0,
        Share::Reuse => 1,
        Share::Exclusive => 2,
    };
    option * 2 + usize::from(!addr.is_unspecified())
}

/// "Sharing Transport Addresses" (the bind matrix of "Using SO_REUSEADDR and
/// SO_EXCLUSIVEADDRUSE"): rows are the second bind, columns the first, each
/// in the order default wildcard, default specific, SO_REUSEADDR wildcard,
/// SO_REUSEADDR specific, SO_EXCLUSIVEADDRUSE wildcard, specific.
const MATRIX: [[Cell; 6]; 6] = {
    use Cell::{Denied as D, InUse as U, Ok as S};
    [
        [U, S, U, S, U, S], // default, wildcard
        [S, U, S, D, D, U], // default, specific
        [D, S, S, S, D, S], // SO_REUSEADDR, wildcard
        [S, D, S, S, D, D], // SO_REUSEADDR, specific
        [U, U, U, U, U, U], // SO_EXCLUSIVEADDRUSE, wildcard
        [S, U, S, U, D, U], // SO_EXCLUSIVEADDRUSE, specific
    ]
};

/// The matrix's verdict on binding `second` where `first` is bound (both
/// on overlapping addresses).
fn windows_cell(first: &Binding, second: &Binding) -> Cell {
    MATRIX[side(second.share, second.addr)][side(first.share, first.addr)]
}

/// Whether bindings of these two reaches can meet: an IPv4 one never meets
/// a V6ONLY one (Wine `test_ipv6only`: AF_INET 0.0.0.0:p binds beside a
/// V6ONLY `[::]:p`; on Linux likewise, ipv6(7)); a dual-stack one meets both.
fn nets_meet(a: Net, b: Net) -> bool {
    !matches!((a, b), (Net::V4, Net::V6Only) | (Net::V6Only, Net::V4))
}

/// Windows' verdict on a pair: the matrix, except an IPv4 wildcard and a
/// dual-stack `[::]` on the same port. Wine `test_reuseaddr` (IPV6_V6ONLY 0):
/// a dual-stack `[::]:p` first lets AF_INET 0.0.0.0:p bind with no option or
/// with SO_EXCLUSIVEADDRUSE, and an exclusive dual-stack `[::]:p` refuses it
/// with WSAEACCES. AF_INET 0.0.0.0:p first, then a dual-stack `[::]:p`: no
/// `ok()` of test_reuseaddr checks it; Wine's `test_ipv6only` ("binding
/// IPv4 first") expects WSAEADDRINUSE, taken here.
fn windows_pair(first: &Binding, second: &Binding) -> Cell {
    let wildcards = first.addr.is_unspecified() && second.addr.is_unspecified();
    match (first.net, second.net) {
        (Net::Dual, Net::V4) if wildcards => match first.share {
            Share::Exclusive => Cell::Denied,
            _ => Cell::Ok,
        },
        (Net::V4, Net::Dual) if wildcards => Cell::InUse,
        _ => windows_cell(first, second),
    }
}

/// May `new` (not yet recorded) bind port `port` of protocol `kind`?
pub(super) fn may_bind(host: &Host, kind: Kind, port: u16, new: &Binding) -> Result<(), WsaError> {
    let others = host.binds.on(kind, port);
    let meets = |b: &&Binding| nets_meet(b.net, new.net) && b.overlaps(new.addr);
    match host.profile.bind_rules {
        BindRules::Windows => {
            for first in others.iter().filter(meets) {
                match windows_pair(first, new) {
                    Cell::Ok => {}
                    Cell::InUse => return Err(WsaError::WSAEADDRINUSE),
                    Cell::Denied => return Err(WsaError::WSAEACCES),
                }
            }
            Ok(())
        }
        BindRules::Linux => {
            let reuse = new.share == Share::Reuse;
            let shares = |b: &Binding| reuse && b.share == Share::Reuse && !b.listening;
            let clash = others.iter().filter(meets).any(|b| !shares(b));
            if clash || (!reuse && lingering_holds(host, port)) {
                return Err(WsaError::WSAEADDRINUSE);
            }
            Ok(())
        }
        BindRules::Documented => {
            // The SO_EXCLUSIVEADDRUSE page: no socket may be "forcibly
            // bound" to an exclusive socket's address, SO_REUSEADDR or not.
            let exclusive = others.iter().any(|b| b.share == Share::Exclusive);
            let held = host.ports.is_held(port);
            if exclusive || (held && new.share != Share::Reuse) {
                return Err(WsaError::WSAEADDRINUSE);
            }
            Ok(())
        }
    }
}

/// Whether something other than a bound socket holds `port`: a TIME_WAIT
/// record, a connection whose socket closed, an accepted socket.
fn lingering_holds(host: &Host, port: u16) -> bool {
    host.ports.holders(port) as usize > host.binds.count_on_port(port)
}

/// May the socket `index`, bound to `addr:port`, listen? `Windows`: always
/// (two SO_REUSEADDR sockets on one address both listen; the first takes
/// the connections: Wine `test_reuseaddr`). `Linux`: not while another
/// socket listens on an overlapping address (`inet_csk_listen_start`
/// checks the port again). `Documented`: not while another IPv4 socket
/// listens on the port.
pub(super) fn may_listen(host: &Host, index: u32, addr: Ipv4Addr, port: u16) -> bool {
    let others = host.binds.on(Kind::Stream, port);
    let own = others
        .iter()
        .find(|b| b.socket == index)
        .map_or(Net::V4, |b| b.net);
    let other = |b: &&Binding| b.socket != index && b.listening && nets_meet(b.net, own);
    match host.profile.bind_rules {
        BindRules::Windows => true,
        BindRules::Linux => !others.iter().filter(other).any(|b| b.overlaps(addr)),
        BindRules::Documented => !others.iter().filter(other).any(|b| b.net != Net::V6Only),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANY: [u8; 4] = [0, 0, 0, 0];
    const LO: [u8; 4] = [127, 0, 0, 1];

    fn b(share: Share, addr: [u8; 4]) -> Binding {
        Binding {
            socket: 0,
            addr: Ipv4Addr::from(addr),
            share,
            net: Net::V4,
            listening: false,
        }
    }

    /// Every cell of the matrix that Wine's `test_reuseaddr` checks on real
    /// Windows (first bind, second bind, outcome), plus the cells it leaves
    /// out, as "Sharing Transport Addresses" gives them.
    #[test]
    fn the_windows_matrix_cell_by_cell() {
        use Share::{Default as D, Exclusive as X, Reuse as R};
        let rows = [
            // Wine test_reuseaddr, AF_INET rows.
            ((D, LO), (R, LO), Cell::Denied), // "SO_REUSEADDR on second socket only"
            ((R, LO), (D, LO), Cell::Denied), // fails (code not checked by Wine)
            ((R, LO), (R, LO), Cell::Ok),     // "SO_REUSEADDR on both sockets"
            ((D, ANY), (D, LO), Cell::Ok),    // "any addr first"
            ((D, LO), (D, ANY), Cell::Ok),    // "loopback addr first"
            ((D, ANY), (D, ANY), Cell::InUse),
            ((X, ANY), (D, LO), Cell::Denied),
            ((D, ANY), (X, LO), Cell::Ok),
            ((X, ANY), (X, LO), Cell::Denied),
            ((X, LO), (D, ANY), Cell::Ok),
            ((D, LO), (X, ANY), Cell::InUse),
            ((D, ANY), (X, ANY), Cell::InUse),
            ((X, LO), (D, LO), Cell::InUse),
            ((D, LO), (X, LO), Cell::InUse),
            // The table's other cells.
            ((R, ANY), (R, ANY), Cell::Ok),
            ((D, ANY), (R, ANY), Cell::Denied),
            ((R, ANY), (D, ANY), Cell::InUse),
            ((R, ANY), (D, LO), Cell::Ok),
            ((R, LO), (D, ANY), Cell::Ok),
            ((X, ANY), (R, ANY), Cell::Denied),
            ((X, LO), (R, LO), Cell::Denied),
            ((R, ANY), (X, ANY), Cell::InUse),
            ((X, ANY), (X, ANY), Cell::InUse),
            ((R, ANY), (X, LO), Cell::Ok),
        ];
        for ((s1, a1), (s2, a2), want) in rows {
            let got = windows_cell(&b(s1, a1), &b(s2, a2));
            assert_eq!(got, want, "first {s1:?} {a1:?}, second {s2:?} {a2:?}");
        }
    }

    #[test]
    fn the_matrix_reads_option_then_address_kind() {
        assert_eq!(side(Share::Default, Ipv4Addr::UNSPECIFIED), 0);
        assert_eq!(side(Share::Reuse, Ipv4Addr::LOCALHOST), 3);
        assert_eq!(side(Share::Exclusive, Ipv4Addr::LOCALHOST), 5);
    }
}
