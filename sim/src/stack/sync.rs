//! After a TCB has run: send its segments, trace its state change, tell its
//! socket, turn TIME_WAIT into a record, free what is finished, re-arm its
//! timer. Every path that touches a TCB ends here, so these rules hold in one
//! place.

use std::net::SocketAddrV4;

use simsock_model::{SimTime, TcpState, WsaError};

use super::ConnId;
use super::host::Host;
use super::socket::SockState;
use super::tcp::{FourTuple, Tcb, TcpConfig, TcpError, TcpOutput, TimeWaitRecord};
use crate::engine::timers::{Target, TimerId};
use crate::engine::{Core, Event};
use crate::net::{Hop, NodeId};
use crate::trace::TraceKind;

/// The WSA code a failed connection reports.
pub fn wsa_code(error: TcpError) -> WsaError {
    match error {
        TcpError::Refused => WsaError::WSAECONNREFUSED,
        TcpError::TimedOut => WsaError::WSAETIMEDOUT,
        TcpError::Reset => WsaError::WSAECONNRESET,
        TcpError::Aborted => WsaError::WSAECONNABORTED,
        TcpError::HostUnreachable => WsaError::WSAEHOSTUNREACH,
        TcpError::NetUnreachable => WsaError::WSAENETUNREACH,
    }
}

/// Runs `f` on a live TCB with the scratch output, then applies [`after_tcb`].
///
/// Performance: a hint to inline it into its callers (Winsock's
/// `events::with_tcb`, `close_connection`), which the compiler had stopped
/// doing after a change elsewhere (the topology's inline address lists):
/// with the hint the storm at 100 x 200 takes 469,938,664 -> 459,667,593
/// instructions (23,497 -> 22,983 a connection; callgrind, issue 18).
#[inline]
pub fn with_tcb<R>(
    host: &mut Host,
    core: &mut Core,
    conn: ConnId,
    f: impl FnOnce(&mut Tcb, &TcpConfig, &mut Core, &mut TcpOutput) -> R,
) -> Option<R> {
    let mut out = core.scratch.take();
    let result = host
        .tcb_and_config(conn)
        .map(|(tcb, cfg)| f(tcb, cfg, core, &mut out));
    if result.is_some() {
        after_tcb(host, core, conn, &out);
    }
    crate::stack::tcp::put_output(core, out);
    result
}

/// Applies the consequences of one TCB step; see the module doc.
pub fn after_tcb(host: &mut Host, core: &mut Core, conn: ConnId, out: &TcpOutput) {
    let node = host.node;
    let Some(slot) = host.slot(conn) else { return };
    let Some(tcb) = slot.tcb.as_mut() else { return };
    let (local, remote, state) = (tcb.local, tcb.remote, tcb.state);
    core.buffers.reclaim_pair(tcb.buffers_mut());
    // Who may wait on this connection: its socket, or the listener it is
    // queued on (reported to the layer above: notifications, AcceptEx).
    let watch = (slot.socket, slot.listener);
    // Performance: one slot lookup for the route and the state change.
    let hop = match out.segments.is_empty() {
        true => None,
        false => Some(
            *slot
                .route
                .get_or_insert_with(|| core.routes.next_hop(&core.topo, node, *remote.ip())),
        ),
    };
    let from = std::mem::replace(&mut slot.traced, state);
    // Performance: whether the TCB's timer is already right is known now,
    // with the slot at hand (most steps: a timer pending as early as the
    // deadline, or none and none due); it stays right unless a handler
    // below changes or frees the TCB. So does the deadline to arm it at.
    let due = tcb.deadline();
    let timer_set = timer_is_set(due, slot.timer);
    if let Some(hop) = hop {
        send_segments(host, core, (local, remote), (hop, out));
    }
    if from != state {
        trace_state(core, node, (local, remote), from, state);
    }
    if out.notify {
        wake_owner(host, core, conn);
    }
    // Whether a handler changed or freed the TCB.
    let changed = match state {
        // Performance: a step within ESTABLISHED has nothing to do here;
        // the step that entered it connected the socket or queued the
        // connection for accept.
        TcpState::Established if from != TcpState::Established => on_established(host, core, conn),
        // One segment completed the handshake and carried the peer's FIN
        // (its ACK of our SYN was lost, and the FIN acknowledges it): RFC
        // 9293 §3.10.7.4 moves SYN-RECEIVED to ESTABLISHED on the ACK, then
        // to CLOSE-WAIT on the FIN. The connection is established all the
        // same: its socket connects, or accept returns it (it was left in
        // the handshake count and never accepted).
        TcpState::CloseWait if matches!(from, TcpState::SynReceived | TcpState::SynSent) => {
            on_established(host, core, conn)
        }
        TcpState::TimeWait => {
            enter_time_wait(host, core, conn);
            true
        }
        TcpState::Closed => {
            on_closed(host, core, conn);
            true
        }
        _ => false,
    };
    if changed {
        arm_timer(host, core, conn);
    } else if !timer_set {
        set_timer(host, core, conn, due);
    }
    if host.steps_watched && (watch.0.is_some() || watch.1.is_some()) {
        host.report(super::Report::Stepped {
            socket: watch.0,
            listener: watch.1,
            state,
        });
    }
}

/// Sends the TCB's segments along the connection's route.
fn send_segments(
    host: &Host,
    core: &mut Core,
    (local, remote): (SocketAddrV4, SocketAddrV4),
    (hop, out): (Hop, &TcpOutput),
) {
    let via = (hop, host.profile.arp_timeout);
    let addrs = (*local.ip(), *remote.ip());
    for seg in &out.segments {
        let data = (out.payload(seg), seg.cause);
        core.send_segment_via(host.node, (addrs, &seg.hdr), data, via);
    }
}

fn trace_state(
    core: &mut Core,
    node: NodeId,
    (local, remote): (SocketAddrV4, SocketAddrV4),
    from: TcpState,
    to: TcpState,
) {
    if core.trace.is_on() {
        let kind = TraceKind::State {
            local,
            remote,
            from,
            to,
        };
        core.trace.record(core.now(), node, kind);
    }
}

/// The connection is established: its socket connects, or it joins its
/// listener's accept queue. Returns whether it aborted the connection
/// instead (its listener closed).
fn on_established(host: &mut Host, core: &mut Core, conn: ConnId) -> bool {
    let Some(slot) = host.slot(conn) else {
        return false;
    };
    if let Some(sock) = slot.socket {
        let sock = host.socket_mut(sock);
        if sock.state == SockState::Connecting {
            sock.state = SockState::Connected;
            sock.error = None; // a success clears SO_ERROR (`test_select`)
        }
        return false;
    }
    if slot.ready {
        return false;
    }
    let Some(handle) = slot.listener else {
        return false;
    };
    let Some(listener) = host.listener_index(handle) else {
        // The listener closed while the handshake ran: reset the connection.
        with_abort(host, core, conn);
        return true;
    };
    if let Some(slot) = host.slot(conn) {
        slot.ready = true;
    }
    let sock = host.socket_mut(listener);
    if let Some(l) = sock.listener.as_mut() {
        l.half_open -= 1;
        l.ready.push_back(conn);
    }
    wake(core, &mut sock.waiters);
    false
}

/// CB-T1: the connection leaves the connection table for a TIME_WAIT record
/// that holds its port for TcpTimedWaitDelay.
fn enter_time_wait(host: &mut Host, core: &mut Core, conn: ConnId) {
    let Some(tcb) = host.tcb(conn) else { return };
    let tuple = (tcb.local, tcb.remote);
    let (snd_nxt, rcv_nxt) = tcb.sequence_pair();
    if host.conns.remove(&tuple).is_none() {
        return; // already a record
    }
    let until = core.now() + host.profile.tcp_timed_wait_delay;
    host.time_wait.insert(
        tuple,
        TimeWaitRecord {
            until,
            snd_nxt,
            rcv_nxt,
        },
    );
    host.ports.hold(tuple.0.port());
    arm_time_wait(host, core);
    release_if_detached(host, core, conn);
}

fn on_closed(host: &mut Host, core: &mut Core, conn: ConnId) {
    let Some(tcb) = host.tcb(conn) else { return };
    let (tuple, error) = ((tcb.local, tcb.remote), tcb.error);
    host.conns.remove_if_eq(tuple, &conn);
    let Some(slot) = host.slot(conn) else { return };
    if let Some(index) = slot.socket {
        let sock = host.socket_mut(index);
        sock.error = error.map(wsa_code).or(sock.error);
        if sock.state == SockState::Connecting {
            // CB-C5: the socket keeps its binding and may connect again.
            sock.state = SockState::Bound;
            sock.conn = None;
            free_tcb(host, core, conn);
        }
        return;
    }
    if slot.ready {
        return; // accept will hand out a socket whose connection is gone
    }
    if let Some(listener) = slot.listener.and_then(|h| host.listener_index(h))
        && let Some(l) = host.socket_mut(listener).listener.as_mut()
    {
        l.half_open -= 1;
    }
    release_if_detached(host, core, conn);
}

/// Aborts a connection with RST and frees it (its owner is gone).
pub fn with_abort(host: &mut Host, core: &mut Core, conn: ConnId) {
    if let Some(slot) = host.slot(conn) {
        slot.listener = None;
        slot.ready = false;
        slot.socket = None;
    }
    with_tcb(host, core, conn, |tcb, _, _, out| tcb.abort(out));
    release_if_detached(host, core, conn);
}

/// Frees a TCB that no socket owns and no listener queue holds.
pub fn release_if_detached(host: &mut Host, core: &mut Core, conn: ConnId) {
    let Some(slot) = host.slot(conn) else { return };
    if slot.socket.is_some() || slot.ready {
        return;
    }
    let port = slot.tcb.as_ref().map(|t| t.local.port());
    if std::mem::take(&mut slot.holds_port)
        && let Some(port) = port
    {
        host.ports.release(port);
    }
    free_tcb(host, core, conn);
}

fn wake_owner(host: &mut Host, core: &mut Core, conn: ConnId) {
    let Some(slot) = host.slot(conn) else { return };
    let (socket, listener, ready) = (slot.socket, slot.listener, slot.ready);
    let owner = socket.or_else(|| {
        listener
            .filter(|_| ready)
            .and_then(|h| host.listener_index(h))
    });
    if let Some(index) = owner {
        wake(core, &mut host.socket_mut(index).waiters);
    }
}

/// Resumes every thread waiting on a socket; each re-checks its call.
pub fn wake(core: &mut Core, waiters: &mut super::Waiters) {
    for thread in waiters.drain(..) {
        core.schedule(core.now(), Event::Resume { thread });
    }
}

/// Frees a TCB and cancels its pending timer.
fn free_tcb(host: &mut Host, core: &mut Core, conn: ConnId) {
    if let Some(timer) = host.free_tcb(conn, &mut core.buffers) {
        core.timers.cancel(timer);
    }
}

/// Whether [`arm_timer`] would leave a slot's `timer` as it is, given its
/// TCB's deadline `due`: one is pending no later than the deadline, or
/// none is and none is due.
#[inline]
fn timer_is_set(due: Option<SimTime>, timer: Option<(SimTime, TimerId)>) -> bool {
    match (due, timer) {
        (Some(due), Some((at, _))) => at <= due,
        (None, None) => true,
        _ => false,
    }
}

/// Schedules the TCB's timer at its deadline unless one is pending as
/// early; a later one it replaces is cancelled, and so is a pending one
/// when the TCB has no deadline left (everything sent was acknowledged:
/// RFC 9293 §3.8.1 turns the timer off) ([`crate::engine::timers`]). A
/// deadline moved later keeps the earlier timer, which re-arms when it
/// fires (cheaper than a new event for every acknowledgment).
fn arm_timer(host: &mut Host, core: &mut Core, conn: ConnId) {
    let Some(slot) = host.slot(conn) else { return };
    let due = slot.tcb.as_ref().and_then(Tcb::deadline);
    if !timer_is_set(due, slot.timer) {
        set_timer(host, core, conn, due);
    }
}

/// [`arm_timer`] for a slot whose timer is known not to be set for its
/// TCB's deadline `due`: cancels the pending one, arms one at `due`.
///
/// Performance (issue 18): `after_tcb` knows the deadline and that the
/// timer is not set from the lookup it made; calling `arm_timer` looked
/// the slot up and worked both out again, 11 times a connection of the
/// storm (callgrind at 100 x 200: ~40 instructions a connection).
#[inline]
fn set_timer(host: &mut Host, core: &mut Core, conn: ConnId, due: Option<SimTime>) {
    let Some(slot) = host.slot(conn) else { return };
    if let Some((_, old)) = slot.timer.take() {
        core.timers.cancel(old);
    }
    let Some(due) = due else { return };
    let target = Target::Host {
        host: host_index(core, host),
        key: conn.key(),
    };
    let timer = core.timers.arm(target);
    if let Some(slot) = host.slot(conn) {
        slot.timer = Some((due, timer));
    }
    core.schedule(due, Event::Timer { timer });
}

/// Schedules the TIME_WAIT timer for the head record if none is pending.
pub fn arm_time_wait(host: &mut Host, core: &mut Core) {
    if host.time_wait.timer_at.is_some() {
        return;
    }
    if let Some(due) = host.time_wait.next_deadline() {
        host.time_wait.timer_at = Some(due);
        let host_index = host_index(core, host);
        core.schedule(due, Event::TimeWait { host: host_index });
    }
}

fn host_index(core: &Core, host: &Host) -> u32 {
    match core.topo.kind(host.node) {
        crate::net::NodeKind::Host(index) => index,
        crate::net::NodeKind::Router | crate::net::NodeKind::Switch => {
            unreachable!("a host's node is a host")
        }
    }
}

/// The TIME_WAIT timer of a host fired: ends the oldest record that is
/// due and returns its four-tuple, for the layer above to act on (a
/// ConnectEx waiting for it, CB-X10); `None` when no record is due. The
/// caller ends them one at a time, then calls [`arm_time_wait`].
pub fn end_next_time_wait(host: &mut Host, core: &mut Core) -> Option<FourTuple> {
    host.time_wait.timer_at = None;
    let now = core.now();
    let ((local, remote), until) = host.time_wait.pop_expired(now)?;
    if until != now {
        // Invariant (issue 4): TIME_WAIT lasts exactly TcpTimedWaitDelay.
        let late = now.since(until);
        host.violations.push(format!(
            "TIME_WAIT of {local} > {remote} ended {late} after its deadline {until}"
        ));
    }
    host.ports.release(local.port());
    if core.trace.is_on() {
        core.trace
            .record(now, host.node, TraceKind::TimeWaitEnd { local, remote });
    }
    Some((local, remote))
}

/// A TCB timer fired. Superseded timers, those of freed TCBs and those an
/// ACK turned off were cancelled and never arrive; one whose deadline an
/// ACK moved later arrives early and only re-arms. The check against the
/// slot's timer guards the one left uncancelled: a crash empties the slots
/// (`Host::reset_stack`) without visiting the timer table.
pub fn tcp_timer(host: &mut Host, core: &mut Core, conn: ConnId, timer: TimerId) {
    let now = core.now();
    let Some(slot) = host.slot(conn) else { return };
    if slot.timer.map(|(_, id)| id) != Some(timer) {
        return;
    }
    slot.timer = None;
    let due = slot.tcb.as_ref().and_then(Tcb::deadline);
    if due.is_none_or(|due| due > now) {
        arm_timer(host, core, conn);
        return;
    }
    with_tcb(host, core, conn, |tcb, cfg, core, out| {
        tcb.on_timer(core.now(), cfg, out)
    });
}
