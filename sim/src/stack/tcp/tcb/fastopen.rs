//! TCP Fast Open (RFC 7413), as much of it as ConnectEx's TCP_FASTOPEN
//! needs (CB-X5): data on the SYN, a server that takes it, and the fallback
//! when the SYN's data is not acknowledged.
//!
//! Divergences, on purpose: the Fast Open cookie option (kind 34, §4.1.1)
//! is not carried on the wire, since segments here have no options. Whether
//! a client holds a cookie for a server is kept by the socket layer
//! (`winsock/connectex.rs`): the first connection to a server is the cookie
//! request and sends no data on its SYN (§4.1.2); once that handshake has
//! completed the client holds a cookie. Every simulated server supports
//! Fast Open and accepts the data of any SYN that carries some (it trusts
//! the cookie it never sees, §4.1.2's validation is not modelled). A
//! retransmitted SYN carries no data (RFC 7413 §4.2.2 allows either); the
//! data then follows the handshake.

use simsock_model::{SimTime, TcpFlags, TcpState};

use super::{Due, Tcb, TcpConfig};
use crate::stack::tcp::output::TcpOutput;
use crate::stack::tcp::seq;

impl Tcb {
    /// Active open with `data` queued first; up to one MSS of it rides on
    /// the SYN (RFC 7413 §3, the client holds a cookie).
    pub fn connect_fast_open(
        now: SimTime,
        local: std::net::SocketAddrV4,
        remote: std::net::SocketAddrV4,
        iss: u32,
        data: &[u8],
        cfg: &TcpConfig,
        out: &mut TcpOutput,
    ) -> Tcb {
        let mut tcb = Tcb::new(local, remote, iss, cfg);
        tcb.open_fast(now, data, cfg, out);
        tcb
    }

    /// [`Tcb::connect_fast_open`] of a new TCB ([`Tcb::new`]) where it
    /// lies.
    pub fn open_fast(&mut self, now: SimTime, data: &[u8], cfg: &TcpConfig, out: &mut TcpOutput) {
        let iss = self.iss;
        self.state = TcpState::SynSent;
        self.send_buf.extend(data);
        if cfg.audit {
            self.rare_mut().sent.update(data);
        }
        let n = data.len().min(usize::from(cfg.mss));
        let hdr = self.header(iss, TcpFlags::SYN, n as u32, u16::MAX);
        out.push(hdr, [&data[..n], &[]], "fast open: data on SYN");
        self.snd_nxt = iss.wrapping_add(1).wrapping_add(n as u32);
        self.set_rtt_probe(Some((self.snd_nxt, now)));
        self.retransmit_at = Due::new(Some(now + self.rto));
    }

    /// Whether `ack` acknowledges our SYN: exactly, or with some or all of
    /// the data that rode on it.
    pub(super) fn acks_our_syn(&self, ack: u32) -> bool {
        seq::lt(self.iss, ack) && seq::le(ack, self.snd_nxt)
    }

    /// Takes the SYN-ACK's acknowledgment: drops the acknowledged SYN data
    /// from the send buffer; the rest (all of it when the server took none)
    /// is sent again after the handshake (RFC 7413 §4.2.2).
    pub(super) fn take_syn_ack(&mut self, ack: u32) {
        let acked = ack.wrapping_sub(self.buf_seq) as usize;
        let drained = acked.min(self.send_buf.len());
        self.send_buf.drain(..drained);
        self.buf_seq = self.buf_seq.wrapping_add(drained as u32);
        self.snd_una = ack;
        self.snd_nxt = ack;
    }

    /// The server side: data on a SYN goes to the receive buffer and the
    /// SYN-ACK acknowledges it (RFC 7413 §4.1.2, cookie assumed valid).
    pub(super) fn take_syn_data(&mut self, data: &[u8], cfg: &TcpConfig) {
        let take = data.len().min(usize::from(cfg.receive_window));
        self.recv_buf.extend(&data[..take]);
        if cfg.audit {
            self.rare_mut().delivered.update(&data[..take]);
        }
        self.rcv_nxt = self.rcv_nxt.wrapping_add(take as u32);
    }
}
