//! WSAPoll (the WSAPoll page; Wine `dlls/ws2_32/tests/sock.c`,
//! `test_WSAPoll`) and, on a Linux host, poll(2): which flags each entry
//! reports, what the call returns, and how long it waits.
//!
//! A waiting WSAPoll is parked on every socket of its array and on the
//! clock at its time-out (`notify::park`), as select is. The flags of a
//! socket are computed from its state as select's levels are
//! (`notify::network::readiness`), with the differences between Windows
//! and Linux each a profile field: `poll_failed_connect_readable`,
//! `poll_hup_on_peer_fin`, `poll_checks_arguments`, `poll_counts_nval`.

use simsock_model::poll::bits;
use simsock_model::scenario::Kind;
use simsock_model::{SimDuration, WsaError};

use super::notify::network::readiness;
use super::wincalls::{ALWAYS, PollEntry};
use super::{CallCx, Host, Poll, Value, resolve};
use crate::stack::socket::SockState;

/// What WSAPoll accepts in `events` on Windows: POLLRDNORM, POLLRDBAND and
/// POLLWRNORM, of which POLLIN and POLLOUT are made (Wine `test_WSAPoll`,
/// `invalid_flags`).
const WINDOWS_EVENTS: u16 = bits::RDNORM | bits::RDBAND | bits::WRNORM;

/// WSAPoll / poll(2): `revents` of each entry go to the thread's received
/// bytes (LE u16s, `wincalls::revents`), the count is the value.
pub(super) fn wsa_poll(
    cx: &mut CallCx<'_>,
    fds: &[PollEntry],
    timeout: Option<SimDuration>,
) -> Poll {
    let profile = &cx.host.profile;
    let (checks, counts_nval) = (profile.poll_checks_arguments, profile.poll_counts_nval);
    if fds.is_empty() && checks {
        // Wine `test_WSAPoll`: WSAPoll(NULL, 0, ...) is WSAEINVAL.
        return Poll::Ready(Err(WsaError::WSAEINVAL));
    }
    let linux = profile.personality.errno_names();
    let mut revents = Vec::with_capacity(fds.len());
    let (mut count, mut sockets) = (0u32, 0usize);
    for entry in fds {
        let Ok(index) = resolve(cx.host, entry.slot) else {
            revents.push(bits::NVAL);
            // Windows counts a socket closed while the call waited (Wine,
            // "Test closing a socket while selecting on it"), not one that
            // was no socket when the call began. Divergence: a waiting call
            // polled again counts every such entry, whenever it closed.
            count += u32::from(counts_nval || !cx.first);
            continue;
        };
        if checks && entry.events & !WINDOWS_EVENTS != 0 {
            return Poll::Ready(Err(WsaError::WSAEINVAL));
        }
        sockets += 1;
        let got = flags(cx.host, index, linux) & (entry.events | ALWAYS);
        count += u32::from(got != 0);
        revents.push(got);
    }
    if sockets == 0 && !counts_nval && !fds.is_empty() {
        // Wine `test_WSAPoll`: every entry invalid is WSAENOTSOCK.
        return Poll::Ready(Err(WsaError::WSAENOTSOCK));
    }
    let due = timeout.is_some_and(|t| t == SimDuration::ZERO || cx.core.now() >= cx.start + t);
    if count == 0 && !due {
        return Poll::Pending;
    }
    cx.received.clear();
    cx.received
        .extend(revents.iter().flat_map(|r| r.to_le_bytes()));
    Poll::Ready(Ok(Value::Number(count)))
}

/// Every flag that holds for a socket now (before `events` masks them),
/// in the one layout; readable and writable are POLLRDNORM and POLLWRNORM,
/// and on Linux POLLIN and POLLOUT too.
pub(super) fn flags(host: &Host, index: u32, linux: bool) -> u16 {
    let (read, write) = if linux {
        (bits::IN | bits::RDNORM, bits::OUT | bits::WRNORM)
    } else {
        (bits::RDNORM, bits::WRNORM)
    };
    let sock = host.socket(index);
    let level = readiness(host, index);
    if sock.kind == Kind::Dgram {
        // Wine `test_WSAPoll`, "Test UDP sockets": POLLWRNORM always,
        // POLLRDNORM with a datagram queued.
        return if level.read { read | write } else { write };
    }
    match sock.state {
        SockState::Listening if level.read => read,
        SockState::Listening | SockState::Connecting => 0,
        SockState::Connected => connected(host, index, linux, (read, write)),
        SockState::Fresh | SockState::Bound => unconnected(host, index, linux, (read, write)),
    }
}

/// A connected stream socket: readable with data (on Linux also at the end
/// of the stream), writable with send buffer room, hung up per
/// `poll_hup_on_peer_fin`.
fn connected(host: &Host, index: u32, linux: bool, (read, write): (u16, u16)) -> u16 {
    let sock = host.socket(index);
    let Some(tcb) = sock.conn.and_then(|c| host.tcb(c)) else {
        return bits::HUP; // released: the connection is over
    };
    let broken = tcb.error.is_some() || tcb.is_closed();
    let data = !tcb.recv_buf.is_empty();
    let room = tcb.can_send() && tcb.send_queued() < host.profile.send_buffer as usize;
    let mut got = 0;
    if data || (linux && (tcb.peer_fin || broken)) {
        got |= read;
    }
    // Wine `test_tcp_reset`: after the peer's RST, POLLERR | POLLHUP |
    // POLLWRNORM (`tcp_poll` on Linux: writable once sending is shut).
    if room || broken {
        got |= write;
    }
    let hup = if host.profile.poll_hup_on_peer_fin {
        // Wine `test_WSAPoll`, "Test shutdown": POLLHUP after the peer's
        // shutdown(SD_SEND) or closesocket.
        tcb.peer_fin || broken
    } else {
        // `tcp_poll`: POLLHUP once both directions are shut down.
        broken || (tcb.peer_fin && !tcb.can_send())
    };
    if hup {
        got |= bits::HUP;
    }
    if tcb.error.is_some() {
        got |= bits::ERR; // a reset: Wine `test_tcp_reset`; `tcp_poll`'s sk_err
    }
    got
}

/// A stream socket that is not connected: after a failed connect
/// POLLWRNORM | POLLHUP | POLLERR on Windows (Wine `test_WSAPoll`, "Test a
/// failed connection"), readable as well on Linux
/// (`poll_failed_connect_readable`). A Linux socket never connected is
/// writable and hung up (`tcp_poll`: TCP_CLOSE is POLLHUP; a state other
/// than SYN_SENT is writable). Divergence: a Windows socket never connected
/// reports nothing (no Wine test shows it); a Linux one whose SO_ERROR was
/// read (cleared) loses its POLLIN, which Linux keeps.
fn unconnected(host: &Host, index: u32, linux: bool, (read, write): (u16, u16)) -> u16 {
    let failed = host.socket(index).error.is_some();
    let mut got = if linux { write | bits::HUP } else { 0 };
    if failed {
        got |= write | bits::HUP | bits::ERR;
        if host.profile.poll_failed_connect_readable {
            got |= read;
        }
    }
    got
}
