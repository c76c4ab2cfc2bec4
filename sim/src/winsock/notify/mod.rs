//! select, WSAAsyncSelect + GetMessage, WSACreateEvent + WSAEventSelect +
//! WSAWaitForMultipleEvents + WSAEnumNetworkEvents, and their SPI forms
//! (WSPSelect, WSPAsyncSelect, WSPEventSelect, WSPEnumNetworkEvents):
//! how a nonblocking connect reports its outcome (connect.txt, "With a
//! nonblocking socket"; CB-N3, CB-N4, CB-N5). The levels and edges they
//! report are computed in [`network`].
//!
//! A thread waiting in select or WSAWaitForMultipleEvents is parked on
//! every object it waits for (each socket's, or each event's, waiter list)
//! and, with a time-out, on the clock ([`park`]). A change wakes the
//! threads on that one object's list, O(1) each; the woken thread re-polls
//! its own sets only, and on completion leaves the other lists
//! ([`unpark`]). Nothing scans all sockets or hosts per event.

use std::rc::Rc;

use simsock_model::SimDuration;
use simsock_model::WsaError;
use simsock_model::notify::{FdEvent, WSA_WAIT_TIMEOUT};

use super::{CallCx, Op, Poll, Slot, Value, resolve};
use network::{Target, readiness, register};

mod display;
pub mod network;
mod wait;

pub(super) use display::display;
pub use wait::{is_wait, park, unpark};

/// A window or event object of the host: its index and its name as the
/// scenario wrote it (for the call's text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    /// Its index in the host's windows or event objects
    /// (`HostNotify::window_named`, `HostNotify::event_named`).
    pub index: u32,
    /// The name the scenario gave it.
    pub name: Rc<str>,
}

/// The three sets of a select call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectSets {
    /// readfds: sockets watched for data, a connection to accept or the
    /// end of the stream (at most FD_SETSIZE, 64).
    pub read: Rc<[Slot]>,
    /// writefds: sockets watched for a connect that succeeded or room to
    /// send (CB-N3).
    pub write: Rc<[Slot]>,
    /// exceptfds: sockets watched for a nonblocking connect that failed
    /// (CB-N3).
    pub except: Rc<[Slot]>,
}

impl SelectSets {
    fn all(&self) -> impl Iterator<Item = Slot> + '_ {
        self.read
            .iter()
            .chain(self.write.iter())
            .chain(self.except.iter())
            .copied()
    }
}

/// Whether `now` is past a wait's time-out (`None`: waits forever).
fn timed_out(cx: &CallCx<'_>, timeout: Option<SimDuration>) -> bool {
    timeout.is_some_and(|t| cx.core.now() >= cx.start + t)
}

/// select / WSPSelect (CB-N3): the sockets of each set that are ready, as
/// a bit per position; waits while none is, until the time-out (0 ready).
/// All three sets empty is WSAEINVAL (the select document); a name that is
/// no socket is WSAENOTSOCK.
pub(super) fn select(cx: &mut CallCx<'_>, sets: &SelectSets, timeout: Option<SimDuration>) -> Poll {
    if sets.all().next().is_none() {
        return Poll::Ready(Err(WsaError::WSAEINVAL));
    }
    let mut masks = [0u64; 3];
    for (which, list) in [&sets.read, &sets.write, &sets.except]
        .into_iter()
        .enumerate()
    {
        for (position, slot) in list.iter().enumerate() {
            let index = match resolve(cx.host, *slot) {
                Ok(i) => i,
                Err(e) => return Poll::Ready(Err(e)),
            };
            let level = readiness(cx.host, index);
            if [level.read, level.write, level.except][which] {
                masks[which] |= 1 << position;
            }
        }
    }
    let count = masks.iter().map(|m| m.count_ones()).sum::<u32>();
    if count == 0 && !timed_out(cx, timeout) && timeout != Some(SimDuration::ZERO) {
        return Poll::Pending;
    }
    Poll::Ready(Ok(Value::Selected {
        count,
        read: masks[0],
        write: masks[1],
        except: masks[2],
    }))
}

/// WSAAsyncSelect / WSPAsyncSelect (CB-N4): `mask`'s events go to the
/// window as messages. The socket becomes nonblocking (the WSAAsyncSelect
/// document: "automatically sets socket s to nonblocking mode").
pub(super) fn async_select(cx: &mut CallCx<'_>, slot: Slot, window: u32, mask: u32) -> Poll {
    let index = match resolve(cx.host, slot) {
        Ok(i) => i,
        Err(e) => return Poll::Ready(Err(e)),
    };
    cx.host.notify.window(window);
    cx.host.socket_mut(index).nonblocking = true;
    register(cx.host, cx.core, index, Target::Window(window), mask);
    Poll::Ready(Ok(Value::None))
}

/// GetMessage: the window's oldest message, waiting for one.
pub(super) fn get_message(cx: &mut CallCx<'_>, window: u32) -> Poll {
    let Some(message) = cx.host.notify.window(window).queue.pop_front() else {
        return Poll::Pending;
    };
    // wParam is the handle; name it by the socket variable that holds it.
    let slot = cx.host.slot_holding(message.socket);
    Poll::Ready(Ok(Value::Message {
        socket: message.socket,
        slot,
        event: message.event,
        error: message.error,
    }))
}

/// WSACreateEvent: a new manual-reset event object, not signalled.
pub(super) fn create_event(cx: &mut CallCx<'_>, event: u32) -> Poll {
    let object = cx.host.notify.event(event);
    object.created = true;
    object.signalled = false;
    Poll::Ready(Ok(Value::None))
}

/// WSAEventSelect / WSPEventSelect (CB-N5): `mask`'s events are recorded on
/// the socket and signal the event object; the socket becomes nonblocking
/// (the WSAEventSelect document). An event never created: WSAEINVAL.
pub(super) fn event_select(cx: &mut CallCx<'_>, slot: Slot, event: u32, mask: u32) -> Poll {
    let index = match resolve(cx.host, slot) {
        Ok(i) => i,
        Err(e) => return Poll::Ready(Err(e)),
    };
    if !cx.host.notify.event(event).created {
        return Poll::Ready(Err(WsaError::WSAEINVAL));
    }
    cx.host.socket_mut(index).nonblocking = true;
    register(cx.host, cx.core, index, Target::Event(event), mask);
    Poll::Ready(Ok(Value::None))
}

/// WSAWaitForMultipleEvents: WSA_WAIT_EVENT_0 + the lowest index of a
/// signalled event (all of them with `wait_all`, then 0), waiting until
/// then or the time-out (WSA_WAIT_TIMEOUT). Events are manual reset: the
/// wait does not reset them. An event never created: WSA_INVALID_HANDLE.
pub(super) fn wait_for_events(
    cx: &mut CallCx<'_>,
    events: &[Named],
    wait_all: bool,
    timeout: Option<SimDuration>,
) -> Poll {
    let mut first = None;
    let mut all = true;
    for (position, named) in events.iter().enumerate() {
        let object = cx.host.notify.event(named.index);
        if !object.created {
            return Poll::Ready(Err(WsaError::WSA_INVALID_HANDLE));
        }
        if object.signalled {
            first = first.or(Some(position as u32));
        } else {
            all = false;
        }
    }
    let done = if wait_all { all.then_some(0) } else { first };
    match done {
        Some(i) => Poll::Ready(Ok(Value::Wait(i))),
        None if timed_out(cx, timeout) || timeout == Some(SimDuration::ZERO) => {
            Poll::Ready(Ok(Value::Wait(WSA_WAIT_TIMEOUT)))
        }
        None => Poll::Pending,
    }
}

/// WSAEnumNetworkEvents / WSPEnumNetworkEvents (CB-N5): the events recorded
/// since the last call and their codes; clears them and resets the event
/// object if one is given (an event never created: WSAEINVAL).
pub(super) fn enum_network_events(cx: &mut CallCx<'_>, slot: Slot, event: Option<u32>) -> Poll {
    let index = match resolve(cx.host, slot) {
        Ok(i) => i,
        Err(e) => return Poll::Ready(Err(e)),
    };
    if let Some(e) = event {
        let object = cx.host.notify.event(e);
        if !object.created {
            return Poll::Ready(Err(WsaError::WSAEINVAL));
        }
        object.signalled = false;
    }
    let notify = cx.host.socket_notify_mut(index);
    let events = std::mem::take(&mut notify.recorded);
    let errors = std::mem::take(&mut notify.errors);
    Poll::Ready(Ok(Value::NetworkEvents { events, errors }))
}

/// GetMessage and the event calls are not Winsock socket calls: they work
/// before WSAStartup and while the interface is down.
pub(super) fn beside_winsock(op: &Op) -> bool {
    matches!(
        op,
        Op::GetMessage { .. } | Op::CreateEvent { .. } | Op::WaitForEvents { .. }
    )
}

/// Whether `op` is a call of this module.
pub(super) fn is_notify(op: &Op) -> bool {
    beside_winsock(op)
        || matches!(
            op,
            Op::Select { .. }
                | Op::AsyncSelect { .. }
                | Op::EventSelect { .. }
                | Op::EnumNetworkEvents { .. }
        )
}

/// Polls a call of this module.
pub(super) fn poll(cx: &mut CallCx<'_>, op: &Op) -> Poll {
    match op {
        Op::Select { sets, timeout, .. } => select(cx, sets, *timeout),
        Op::AsyncSelect {
            slot, window, mask, ..
        } => async_select(cx, *slot, window.index, *mask),
        Op::GetMessage { window } => get_message(cx, window.index),
        Op::CreateEvent { event } => create_event(cx, event.index),
        Op::EventSelect {
            slot, event, mask, ..
        } => event_select(cx, *slot, event.index, *mask),
        Op::WaitForEvents {
            events,
            wait_all,
            timeout,
        } => wait_for_events(cx, events, *wait_all, *timeout),
        Op::EnumNetworkEvents { slot, event, .. } => {
            enum_network_events(cx, *slot, event.as_ref().map(|e| e.index))
        }
        _ => unreachable!("is_notify admits only the calls above"),
    }
}

/// CB-N6: "Calling setsockopt while a connection is in progress is not
/// supported" (connect.txt, Remarks). No document names the code
/// (WSAConnect-CE.txt and WSPConnect.txt say nothing of it); simsock
/// returns WSAEINVAL, the Winsock convention for a call the socket's
/// state does not allow (setsockopt's own table: "level is not valid, or
/// the information in optval is not valid").
pub(super) fn setsockopt_while_connecting(cx: &CallCx<'_>, slot: Slot) -> bool {
    resolve(cx.host, slot)
        .is_ok_and(|i| cx.host.socket(i).state == crate::stack::socket::SockState::Connecting)
}

/// ioctlsocket FIONBIO 0 on a socket with WSAAsyncSelect or WSAEventSelect
/// active fails with WSAEINVAL (the ioctlsocket and WSAAsyncSelect
/// documents: the socket cannot be set back to blocking mode until the
/// registration is cancelled with an empty event mask).
pub(super) fn registered(cx: &CallCx<'_>, slot: Slot) -> bool {
    resolve(cx.host, slot).is_ok_and(|i| cx.host.socket_notify(i).registration.is_some())
}

/// A call re-enabled an event of its socket (the module doc of
/// [`network`]): recv FD_READ, accept FD_ACCEPT, a send that
/// would block FD_WRITE.
pub(super) fn reenable(cx: &mut CallCx<'_>, slot: Slot, event: FdEvent) {
    if !cx.host.notify.in_use {
        return; // performance: see `HostNotify::in_use`
    }
    if let Ok(index) = resolve(cx.host, slot) {
        network::reenable(cx.host, cx.core, index, event);
    }
}

/// The WSAAsyncSelect and WSAEventSelect documents: a socket that accept
/// returns has the listening socket's properties, its registration (and so
/// its nonblocking mode) included; events already due (FD_WRITE) are
/// posted for it at once.
pub(super) fn inherit(cx: &mut CallCx<'_>, listener: Slot, handle: u32) {
    let Ok(from) = resolve(cx.host, listener) else {
        return;
    };
    let Some(registration) = cx.host.socket_notify(from).registration else {
        return;
    };
    let Ok(index) = cx.host.socket_index(handle) else {
        return;
    };
    cx.host.socket_mut(index).nonblocking = true;
    register(
        cx.host,
        cx.core,
        index,
        registration.target,
        registration.mask,
    );
}
