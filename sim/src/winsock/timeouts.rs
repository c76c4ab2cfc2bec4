//! SO_RCVTIMEO and SO_SNDTIMEO: the time-outs of blocking receives and
//! sends, in milliseconds (setsockopt's page: "a DWORD in milliseconds";
//! socket(7) for Linux). 0, the default, waits forever.
//!
//! A blocking recv, recvfrom or send that is still waiting when its
//! socket's time-out has passed since the call began fails: on Windows with
//! WSAETIMEDOUT (Wine `dlls/ws2_32/tests/sock.c`, `test_timeout`), on Linux
//! with EAGAIN, or with the bytes a send queued so far (socket(7)); the
//! profile's `timeo_would_block`. The first poll of such a call arms the
//! thread's wait timer at the time-out, as select's time-out is armed.

use simsock_model::scenario::SockOpt;
use simsock_model::{SimDuration, WsaError};

use super::{CallCx, CallResult, Poll, Slot, Value, resolve};

/// The time-outs of one socket, in milliseconds; 0 waits forever.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timeouts {
    /// SO_RCVTIMEO: recv and recvfrom.
    pub recv_ms: u32,
    /// SO_SNDTIMEO: send.
    pub send_ms: u32,
}

/// Which of the two a call waits under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dir {
    /// A receive (SO_RCVTIMEO).
    Recv,
    /// A send (SO_SNDTIMEO).
    Send,
}

/// Whether `opt` is one of this module's options.
pub(super) fn is_timeout(opt: SockOpt) -> bool {
    matches!(opt, SockOpt::SO_RCVTIMEO | SockOpt::SO_SNDTIMEO)
}

/// setsockopt(SO_RCVTIMEO or SO_SNDTIMEO, `ms`).
pub(super) fn set_option(cx: &mut CallCx<'_>, slot: Slot, opt: SockOpt, ms: u32) -> CallResult {
    let index = resolve(cx.host, slot)?;
    let t = cx.host.socket_timeouts_mut(index);
    match opt {
        SockOpt::SO_RCVTIMEO => t.recv_ms = ms,
        _ => t.send_ms = ms,
    }
    Ok(Value::None)
}

/// getsockopt(SO_RCVTIMEO or SO_SNDTIMEO): the milliseconds set, 0 by
/// default (Wine `test_timeout` reads 0 on a new socket).
pub(super) fn get_option(cx: &mut CallCx<'_>, slot: Slot, opt: SockOpt) -> CallResult {
    let index = resolve(cx.host, slot)?;
    let t = cx.host.socket_timeouts(index);
    let ms = match opt {
        SockOpt::SO_RCVTIMEO => t.recv_ms,
        _ => t.send_ms,
    };
    Ok(Value::Number(ms))
}

/// Bounds a blocking call's wait by its socket's time-out, the call on
/// the socket at `index` still waiting on this poll (its result was
/// `Poll::Pending`). A call that still waits past the time-out fails
/// (module doc); on its first poll the wait timer is armed.
///
/// Performance: called by `winsock::waiting`, which resolved the socket
/// once for this and for its nonblocking mode.
pub(super) fn bounded_wait(cx: &mut CallCx<'_>, index: u32, dir: Dir) -> Poll {
    let poll = Poll::Pending;
    let t = cx.host.socket_timeouts(index);
    let ms = match dir {
        Dir::Recv => t.recv_ms,
        Dir::Send => t.send_ms,
    };
    if ms == 0 {
        return poll;
    }
    let due = cx.start + SimDuration::from_millis(u64::from(ms));
    if cx.core.now() < due {
        if cx.first {
            cx.core.schedule_wait(cx.thread, due);
        }
        return poll;
    }
    // The call ends here: it leaves the socket's waiters.
    let thread = cx.thread;
    cx.host.socket_mut(index).waiters.retain(|w| *w != thread);
    let sent = std::mem::take(cx.progress);
    Poll::Ready(match (cx.host.profile.timeo_would_block, sent) {
        // socket(7): "the number of bytes transferred is returned".
        (true, 1..) => Ok(Value::Bytes(sent)),
        (true, 0) => Err(WsaError::WSAEWOULDBLOCK),
        (false, _) => Err(WsaError::WSAETIMEDOUT),
    })
}
