//! A call's result named the Linux way, for a host whose profile follows
//! the `Linux` personality.
//!
//! The layer decides every outcome as a Winsock code; this names it as the
//! errno a Linux program reads: the one table ([`Errno::from_wsa`]), and
//! before it the cases where Linux answers a particular call with another
//! code than the table's counterpart, each with its man page.
//!

use simsock_model::{Errno, WsaError};

use super::{CallResult, Host, Op};
use crate::stack::socket::SockState;

/// The errno a failed call shows on `host`: `None` when it succeeded, when
/// the host shows WSA codes, or when the code has no Linux counterpart.
pub fn shown(host: &Host, op: &Op, result: &CallResult) -> Option<Errno> {
    let Err(code) = result else {
        return None;
    };
    if !host.profile.personality.errno_names() {
        return None;
    }
    let listening = op
        .slot()
        .and_then(|slot| host.slot_socket(slot).ok())
        .is_some_and(|index| host.socket(index).state == SockState::Listening);
    match (code, op) {
        // Winsock's WSAEINVAL for a listening socket (CB-C6) is EISCONN on
        // Linux: `__inet_stream_connect` (net/ipv4/af_inet.c) refuses an
        // unconnected socket that is not in TCP_CLOSE with EISCONN.
        (WsaError::WSAEINVAL, Op::Connect { .. } | Op::WsaConnect { .. }) if listening => {
            Some(Errno::EISCONN)
        }
        _ => linux(op, *code),
    }
}

/// The errno a Linux program reads where Winsock gives `code` for `op`;
/// `None` for a code with no Linux counterpart (shown by its WSA name).
pub fn linux(op: &Op, code: WsaError) -> Option<Errno> {
    let connect = matches!(op, Op::Connect { .. } | Op::WsaConnect { .. });
    match (code, op) {
        // connect(2): "EINPROGRESS The socket is nonblocking and the
        // connection cannot be completed immediately."
        (WsaError::WSAEWOULDBLOCK, _) if connect => Some(Errno::EINPROGRESS),
        // connect(2): "EADDRNOTAVAIL ... upon attempting to bind it to an
        // ephemeral port, it was determined that all port numbers in the
        // ephemeral port range are currently in use."
        (WsaError::WSAENOBUFS, _) if connect => Some(Errno::EADDRNOTAVAIL),
        // A four-tuple already in use (a connection, or TIME_WAIT, of the
        // socket's bound port): `__inet_check_established` in
        // net/ipv4/inet_hashtables.c returns EADDRNOTAVAIL (connect(2)
        // lists it for the address being in use), where Winsock gives
        // WSAEADDRINUSE.
        (WsaError::WSAEADDRINUSE, _) if connect => Some(Errno::EADDRNOTAVAIL),
        // bind(2): "EADDRINUSE ... The port number was specified as zero
        // ..., but ... all port numbers in the ephemeral port range are
        // currently in use."
        (WsaError::WSAENOBUFS, Op::Bind { .. }) => Some(Errno::EADDRINUSE),
        _ => Errno::from_wsa(code),
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use super::*;

    #[test]
    fn per_call_cases_then_the_table() {
        let to: SocketAddr = "10.0.0.2:80".parse().unwrap();
        let connect = Op::Connect {
            slot: 0,
            to,
            namelen: None,
        };
        let bind = Op::Bind { slot: 0, addr: to };
        let recv = Op::Recv { slot: 0, max: 1 };
        let w = WsaError::WSAEWOULDBLOCK;
        assert_eq!(linux(&connect, w), Some(Errno::EINPROGRESS));
        assert_eq!(linux(&recv, w), Some(Errno::EAGAIN));
        let nobufs = WsaError::WSAENOBUFS;
        assert_eq!(linux(&connect, nobufs), Some(Errno::EADDRNOTAVAIL));
        assert_eq!(linux(&bind, nobufs), Some(Errno::EADDRINUSE));
        let in_use = WsaError::WSAEADDRINUSE;
        assert_eq!(linux(&connect, in_use), Some(Errno::EADDRNOTAVAIL));
        assert_eq!(linux(&bind, in_use), Some(Errno::EADDRINUSE));
        let refused = WsaError::WSAECONNREFUSED;
        assert_eq!(linux(&connect, refused), Some(Errno::ECONNREFUSED));
        assert_eq!(linux(&recv, WsaError::ERROR_IO_PENDING), None);
    }
}
