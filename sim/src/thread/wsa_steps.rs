//! Compiling the steps of WSAConnect, WSPConnect, SO_CONNDATA, APCs and
//! cancel to calls (feature: wsaconnect).

use std::rc::Rc;

use simsock_model::scenario::{self, Qos};

use super::Step;
use crate::winsock::Host;
use crate::winsock::{ConnectParams, Op};

/// The call of one of this feature's steps; `None` for any other step.
pub(super) fn to_op(step: &scenario::Step, host: &mut Host) -> Option<Op> {
    use scenario::Step as S;
    Some(match step {
        S::WsaConnect {
            socket,
            to,
            namelen,
            caller_data,
            callee_buffer,
            sqos,
            gqos,
            ..
        } => Op::WsaConnect {
            spi: false,
            slot: host.slot_named(socket),
            to: *to,
            namelen: *namelen,
            params: params(caller_data, *callee_buffer, (*sqos, *gqos), (None, None)),
        },
        S::WspConnect {
            socket,
            to,
            namelen,
            caller_data,
            callee_buffer,
            sqos,
            gqos,
            sqos_len,
            gqos_len,
            ..
        } => Op::WsaConnect {
            spi: true,
            slot: host.slot_named(socket),
            to: *to,
            namelen: *namelen,
            params: params(
                caller_data,
                *callee_buffer,
                (*sqos, *gqos),
                (*sqos_len, *gqos_len),
            ),
        },
        // WSAAccept with a condition function (`winsock/wsaaccept.rs`).
        S::WsaAccept {
            socket,
            name,
            condition,
            ..
        } => Op::WsaAccept {
            slot: host.slot_named(socket),
            into: host.slot_named(name),
            condition: *condition,
        },
        S::SetConnectData { socket, data, .. } => Op::SetConnData {
            slot: host.slot_named(socket),
            data: Rc::from(data.as_bytes()),
        },
        S::GetConnectData { socket, .. } => Op::GetConnData {
            slot: host.slot_named(socket),
        },
        S::QueueApc { thread, steps, .. } => Op::QueueApc {
            thread: thread.clone(),
            // The checker allows no Repeat inside an APC: one call per step.
            steps: steps
                .iter()
                .map(|s| Step::new(super::script::to_op(s, host), s.expectation()))
                .collect(),
        },
        S::CancelBlockingCall { .. } => Op::CancelBlockingCall { spi: false },
        S::WspCancelBlockingCall { .. } => Op::CancelBlockingCall { spi: true },
        _ => return None,
    })
}

/// The connect data and QoS arguments of a WSAConnect or WSPConnect step;
/// the QoS buffer sizes are WSPConnect's only (`None`: a whole QOS).
fn params(
    caller_data: &Option<String>,
    callee_buffer: Option<u32>,
    (sqos, gqos): (Option<Qos>, Option<Qos>),
    (sqos_len, gqos_len): (Option<u32>, Option<u32>),
) -> Rc<ConnectParams> {
    Rc::new(ConnectParams {
        caller_data: caller_data.as_deref().map(|d| Rc::from(d.as_bytes())),
        callee_buffer,
        sqos,
        gqos,
        sqos_len,
        gqos_len,
    })
}
