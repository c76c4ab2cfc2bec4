//! WSAConnect (WSAConnect-CE.txt) and WSPConnect (WSPConnect.txt): the
//! connect engine of `connect.rs` with connect data (CB-W1..W4, CB-W6) and
//! quality of service (CB-W5), as the host's provider
//! ([`simsock_model::provider::Provider`]) interprets them; SO_CONNDATA;
//! and cancelling a blocking call (CB-C18).
//!
//! How connect data travels: the caller data rides on the SYN and its
//! retransmissions, the callee data on the SYN,ACK, in sequence space but
//! never in the byte stream (see `Tcb::syn_data` for the divergence from
//! TCP). The listener supplies its callee data
//! beforehand with setsockopt(SO_CONNDATA), the connect-data option of
//! Windows' mswsock.h, and the accepted socket reads the caller data with
//! getsockopt(SO_CONNDATA). A WSAAccept condition function would be the
//! other mechanism, but the simulated stack, as Windows TCP does, answers
//! the SYN before any accept call, so the callee data must be on the
//! listener when the SYN arrives; the option is what such a stack offers.

use std::fmt;
use std::net::SocketAddr;
use std::rc::Rc;

use simsock_model::provider::{Provider, QOS_SIZE, Qos};
use simsock_model::scenario::Kind;
use simsock_model::{Api, WsaError};

use super::Host;
use super::connect::{Request, connect_api};
use super::events::with_abort;
use super::{CallCx, CallResult, Op, Poll, Value, resolve};
use crate::stack::socket::SockState;

/// What WSAConnect and WSPConnect pass besides the socket and the name.
/// Every buffer is copied in at the call and out at completion: nothing of
/// the caller's is kept past the call (CB-W6).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConnectParams {
    /// lpCallerData; `None` is null (CB-W1).
    pub caller_data: Option<Rc<[u8]>>,
    /// lpCalleeData->len on entry; `None` is null (CB-W2).
    pub callee_buffer: Option<u32>,
    /// lpSQOS: the flow specifications asked for the socket; `None` is
    /// null (CB-W5).
    pub sqos: Option<Qos>,
    /// lpGQOS: those of a socket group ("Reserved" in WSAConnect-CE.txt),
    /// checked like `sqos`; `None` is null (CB-W5).
    pub gqos: Option<Qos>,
    /// The size of the lpSQOS buffer in bytes (WSPConnect); `None` is a
    /// whole QOS. Smaller is WSAEFAULT (CB-W3).
    pub sqos_len: Option<u32>,
    /// The size of the lpGQOS buffer in bytes (WSPConnect); `None` is a
    /// whole QOS. Smaller is WSAEFAULT (CB-W3).
    pub gqos_len: Option<u32>,
}

/// Polls WSAConnect, or WSPConnect when `spi`: the connect engine with the
/// provider's checks, then the callee data on success.
pub(super) fn wsa_connect(
    cx: &mut CallCx<'_>,
    spi: bool,
    slot: u32,
    (to, namelen): (SocketAddr, Option<u32>),
    params: &ConnectParams,
) -> Poll {
    let api = if spi {
        Api::WspConnect
    } else {
        Api::WsaConnect
    };
    let check = |cx: &CallCx<'_>| provider_check(cx, spi, params);
    let request = Request {
        early: &[],
        api,
        to,
        namelen,
        syn_data: params.caller_data.as_deref().unwrap_or(&[]),
        check: &check,
    };
    match connect_api(cx, slot, &request) {
        Poll::Ready(Ok(_)) => Poll::Ready(callee(cx, slot, params.callee_buffer)),
        other => other,
    }
}

/// The checks of the parameters a provider interprets, on a stream socket
/// (a datagram socket ignores them, CB-D7).
fn provider_check(cx: &CallCx<'_>, spi: bool, params: &ConnectParams) -> Result<(), WsaError> {
    let profile = &cx.host.profile;
    let provider = profile.provider;
    // CB-W3: WSPConnect also checks the sizes of the QoS buffers.
    let short =
        |qos: &Option<Qos>, len: Option<u32>| qos.is_some() && len.is_some_and(|l| l < QOS_SIZE);
    if spi && (short(&params.sqos, params.sqos_len) || short(&params.gqos, params.gqos_len)) {
        return Err(WsaError::WSAEFAULT);
    }
    if let Some(data) = &params.caller_data {
        if !provider.supports_connect_data() {
            return Err(WsaError::WSAEPROTONOSUPPORT); // CB-W4
        }
        if data.len() > usize::from(profile.connect_data_max) {
            return Err(WsaError::WSAEFAULT); // CB-W3: caller data too large
        }
    }
    // CB-W4: on the CE provider both data pointers must be null.
    if params.callee_buffer.is_some() && provider == Provider::WindowsCe {
        return Err(WsaError::WSAEPROTONOSUPPORT);
    }
    // CB-W5: CE reserves both QoS parameters; elsewhere a reservation
    // cannot be honoured (no admission control in the simulated network).
    let qos = [params.sqos, params.gqos];
    let asked = qos.iter().flatten().next().is_some();
    if (asked && provider.qos_reserved()) || qos.iter().flatten().any(Qos::needs_reservation) {
        return Err(WsaError::WSAEOPNOTSUPP);
    }
    Ok(())
}

/// CB-W2: on completion lpCalleeData->len is the length of the callee data
/// received (0 for none; a provider without connect data never has any),
/// and the data is copied into the caller's buffer (CB-W6). Data larger
/// than the buffer is WSAEFAULT (CB-W3). The data arrives with the SYN,ACK,
/// after the handshake committed, so the simulator then resets the
/// connection and returns the socket to the bound state (a divergence: the
/// documents do not say what becomes of a connection whose callee data did
/// not fit).
fn callee(cx: &mut CallCx<'_>, slot: u32, buffer: Option<u32>) -> CallResult {
    cx.received.clear();
    let Some(size) = buffer else {
        return Ok(Value::None);
    };
    let index = resolve(cx.host, slot)?;
    let sock = cx.host.socket(index);
    if sock.kind == Kind::Dgram {
        return Ok(Value::None); // CB-D7: ignored
    }
    let data = received_data(cx.host, index);
    if data.len() > size as usize {
        if let Some(conn) = cx.host.socket(index).conn {
            let sock = cx.host.socket_mut(index);
            sock.conn = None;
            sock.state = SockState::Bound;
            with_abort(cx.host, cx.core, conn);
        }
        return Err(WsaError::WSAEFAULT);
    }
    cx.received.extend_from_slice(&data);
    Ok(Value::Bytes(data.len() as u32))
}

/// The connect data the peer sent on the socket's connection, if the
/// host's provider exchanges connect data.
fn received_data(host: &Host, index: u32) -> Vec<u8> {
    if !host.profile.provider.supports_connect_data() {
        return Vec::new();
    }
    host.socket(index)
        .conn
        .and_then(|c| host.tcb(c))
        .and_then(|t| t.peer_syn_data().map(<[u8]>::to_vec))
        .unwrap_or_default()
}

/// setsockopt(SO_CONNDATA): the callee data a listener's connections send
/// back (CB-W2). WSAENOPROTOOPT without connect data; WSAEFAULT over the
/// provider's size (CB-W3).
pub(super) fn set_conn_data(cx: &mut CallCx<'_>, slot: u32, data: &[u8]) -> CallResult {
    let index = resolve(cx.host, slot)?;
    if !cx.host.profile.provider.supports_connect_data() {
        return Err(WsaError::WSAENOPROTOOPT);
    }
    if data.len() > usize::from(cx.host.profile.connect_data_max) {
        return Err(WsaError::WSAEFAULT);
    }
    cx.host.socket_mut(index).conn_data = Some(data.to_vec());
    Ok(Value::None)
}

/// getsockopt(SO_CONNDATA): the connect data the peer sent, as bytes read.
pub(super) fn get_conn_data(cx: &mut CallCx<'_>, slot: u32) -> CallResult {
    let index = resolve(cx.host, slot)?;
    if !cx.host.profile.provider.supports_connect_data() {
        return Err(WsaError::WSAENOPROTOOPT);
    }
    let data = received_data(cx.host, index);
    cx.received.clear();
    cx.received.extend_from_slice(&data);
    Ok(Value::Bytes(data.len() as u32))
}

/// A blocking call cancelled by WSACancelBlockingCall or
/// WSPCancelBlockingCall fails with WSAEINTR (CB-C18). A cancelled connect
/// attempt is torn down in the stack: its TCB is deleted from SYN_SENT
/// (RFC 9293 §3.10.5 ABORT: no RST from SYN_SENT), so no SYN is sent again,
/// and the socket keeps its binding. The documents leave a cancelled
/// socket in an indeterminate state fit only for closesocket; the
/// simulator lets it connect again as after CB-C5.
pub fn cancel(cx: &mut CallCx<'_>, op: &Op) -> CallResult {
    let connecting = matches!(op, Op::Connect { .. } | Op::WsaConnect { .. });
    if let (true, Some(slot)) = (connecting, op.slot())
        && let Ok(index) = resolve(cx.host, slot)
        && cx.host.socket(index).state == SockState::Connecting
    {
        let sock = cx.host.socket_mut(index);
        let conn = sock.conn.take();
        sock.state = SockState::Bound;
        if let Some(conn) = conn {
            with_abort(cx.host, cx.core, conn);
        }
    }
    Err(WsaError::WSAEINTR)
}

/// The display text: `WSAConnect(s, 10.0.0.2:80)`, then the namelen and
/// the parameters that are not null.
pub(super) fn display(
    f: &mut fmt::Formatter<'_>,
    spi: bool,
    socket: &str,
    (to, namelen): (SocketAddr, Option<u32>),
    params: &ConnectParams,
) -> fmt::Result {
    let name = if spi { "WSPConnect" } else { "WSAConnect" };
    write!(f, "{name}({socket}, {to}")?;
    if let Some(len) = namelen {
        write!(f, ", {len}")?;
    }
    if let Some(data) = &params.caller_data {
        write!(f, ", caller {:?}", String::from_utf8_lossy(data))?;
    }
    if let Some(size) = params.callee_buffer {
        write!(f, ", callee {size}")?;
    }
    for (label, qos, len) in [
        ("sqos", params.sqos, params.sqos_len),
        ("gqos", params.gqos, params.gqos_len),
    ] {
        match (qos, len) {
            (Some(_), Some(len)) => write!(f, ", {label} {len} bytes")?,
            (Some(_), None) => write!(f, ", {label}")?,
            _ => {}
        }
    }
    f.write_str(")")
}
