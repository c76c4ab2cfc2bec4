//! The stack's work as the Winsock layer drives it: a host's events (a
//! packet arrived, a TCB timer or the TIME_WAIT timer fired) and the
//! stack calls Winsock makes run the stack, then act on what it reported
//! (`stack::Report`): network events are posted (CB-N3..N5), a pending
//! ConnectEx moves on, a listener's waiting
//! AcceptEx calls take their connections (CB-X4, CB-X9), a ConnectEx
//! waiting for a TIME_WAIT record sends its SYN (CB-X10).
//!
//! Every Winsock call into the stack that may run a TCB goes through the
//! functions here, so a report is acted on as soon as the stack call that
//! made it returns: the same point of the run at which the stack once
//! called up into Winsock, so every trace is unchanged.

use simsock_model::TcpState;

use super::Host;
use super::notify::network::socket_changed;
use super::{connectex, ex_op};
use crate::engine::Core;
use crate::engine::timers::TimerId;
use crate::net::{LinkId, PacketId};
use crate::stack::tcp::{Tcb, TcpConfig, TcpOutput};
use crate::stack::{ConnId, Report, input, sync};

/// A packet reached the host: the stack takes it ([`input::host_input`]).
pub fn packet(host: &mut Host, core: &mut Core, pkt: PacketId, link: Option<LinkId>) {
    input::host_input(host, core, pkt, link);
    react(host, core);
}

/// A TCB timer fired ([`sync::tcp_timer`]).
pub fn tcp_timer(host: &mut Host, core: &mut Core, conn: ConnId, timer: TimerId) {
    sync::tcp_timer(host, core, conn, timer);
    react(host, core);
}

/// The host's TIME_WAIT timer fired: every record that is due ends, and a
/// ConnectEx that waited for one of them starts (CB-X10).
pub fn time_wait(host: &mut Host, core: &mut Core) {
    while let Some(tuple) = sync::end_next_time_wait(host, core) {
        if !host.ex.delayed.is_empty() {
            connectex::time_wait_ended(host, core, tuple);
        }
    }
    sync::arm_time_wait(host, core);
}

/// Runs `f` on a live TCB ([`sync::with_tcb`]).
pub fn with_tcb<R>(
    host: &mut Host,
    core: &mut Core,
    conn: ConnId,
    f: impl FnOnce(&mut Tcb, &TcpConfig, &mut Core, &mut TcpOutput) -> R,
) -> Option<R> {
    let result = sync::with_tcb(host, core, conn, f);
    react(host, core);
    result
}

/// Aborts a connection with RST and frees it ([`sync::with_abort`]).
pub fn with_abort(host: &mut Host, core: &mut Core, conn: ConnId) {
    sync::with_abort(host, core, conn);
    react(host, core);
}

/// Applies a TCB step that Winsock ran itself ([`sync::after_tcb`]).
pub fn after_tcb(host: &mut Host, core: &mut Core, conn: ConnId, out: &TcpOutput) {
    sync::after_tcb(host, core, conn, out);
    react(host, core);
}

/// Answers the oldest SYN a conditional listener holds
/// ([`crate::stack::held::answer`]): SYN,ACK or RST.
pub fn answer_held(
    host: &mut Host,
    core: &mut Core,
    listener: u32,
    accept: bool,
) -> Option<crate::stack::tcp::FourTuple> {
    let tuple = crate::stack::held::answer(host, core, listener, accept);
    react(host, core);
    tuple
}

/// Acts on the stack's reports, oldest first.
///
/// Performance: inlined, so a stack call that reported nothing (a third
/// of them in the storm) costs one test; the loop is [`react_to`].
#[inline(always)]
fn react(host: &mut Host, core: &mut Core) {
    if host.has_reports() {
        react_to(host, core);
    }
}

/// [`react`] when a report is waiting.
#[inline(never)]
fn react_to(host: &mut Host, core: &mut Core) {
    while let Some(report) = host.take_report() {
        match report {
            Report::Stepped {
                socket,
                listener,
                state,
            } => stepped(host, core, (socket, listener), state),
            Report::Datagram { socket } => socket_changed(host, core, socket),
        }
    }
}

/// A TCB step ran: the network events of its socket, or of the listener
/// it is queued on (FD_ACCEPT), are due (CB-N3..N5); a ConnectEx pending
/// on its socket, or AcceptEx calls on the listener whose connection was
/// just established, may complete; so may a DisconnectEx waiting for the
/// ACK of its FIN.
fn stepped(host: &mut Host, core: &mut Core, watch: (Option<u32>, Option<u32>), state: TcpState) {
    let (socket, listener) = watch;
    if host.notify.in_use {
        let owner = socket.or_else(|| listener.and_then(|h| host.listener_index(h)));
        if let Some(index) = owner {
            socket_changed(host, core, index);
        }
    }
    if let Some(index) = socket
        && host.socket_ex(index).disconnecting.is_some()
    {
        super::reuse::disconnect_progress(host, core, index);
    }
    let accepted_now =
        listener.is_some() && state == TcpState::Established && host.ex.accept_ex_used;
    if socket.is_some_and(|i| host.socket_ex(i).pending.is_some()) || accepted_now {
        ex_op::after_tcb(host, core, socket, listener);
    }
}
