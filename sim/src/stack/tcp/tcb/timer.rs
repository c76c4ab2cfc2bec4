//! The retransmission timer (RFC 9293 §3.8.1, RFC 6298 §5), the
//! connection-establishment schedule of the host profile, and the
//! delayed-ACK timer (RFC 1122 §4.2.3.2) that shares the TCB's one timer.

use simsock_model::{SimTime, TcpState};

use super::{Tcb, TcpConfig, TcpError};
use crate::stack::tcp::output::TcpOutput;

impl Tcb {
    /// Called by the engine at (or after) [`Tcb::deadline`].
    pub fn on_timer(&mut self, now: SimTime, cfg: &TcpConfig, out: &mut TcpOutput) {
        self.send_delayed_ack(now, cfg, out);
        match self.deadline {
            Some(due) if due <= now => self.deadline = None,
            _ => return,
        }
        match self.state {
            TcpState::SynSent => self.syn_timeout(now, cfg, out),
            TcpState::SynReceived => self.retransmit_syn(now, cfg, out),
            TcpState::Closed | TcpState::Listen | TcpState::TimeWait => {}
            _ => self.data_timeout(now, cfg, out),
        }
    }

    /// SYN retransmission: the interval doubles from `initial_rto`; after
    /// `max_connect_retransmissions` the attempt fails with WSAETIMEDOUT
    /// (CB-C15). Under the default profile: SYNs at 0, 3 and 9 s, failure at
    /// 21 s. A SYN re-sent after an RST keeps its interval (see `on_refused`).
    fn syn_timeout(&mut self, now: SimTime, cfg: &TcpConfig, out: &mut TcpOutput) {
        if std::mem::take(&mut self.refused_retry_due) {
            self.send_syn(now, "SYN re-sent after RST", out);
            return;
        }
        self.retransmit_syn(now, cfg, out);
    }

    /// Sends the SYN (or, from a passive open, the SYN,ACK) again with the
    /// interval doubled; when `max_connect_retransmissions` are spent the
    /// attempt fails (a half-open passive connection is dropped: Windows
    /// TcpMaxConnectResponseRetransmissions, here the same count).
    fn retransmit_syn(&mut self, now: SimTime, cfg: &TcpConfig, out: &mut TcpOutput) {
        if self.retries >= cfg.max_connect_retransmissions {
            self.fail(TcpError::TimedOut, out);
            return;
        }
        self.retries += 1;
        self.rto = self.rto.saturating_mul(2).min(cfg.max_rto);
        self.rtt_probe = None;
        self.send_syn(now, "retransmission", out);
    }

    /// Data or FIN unacknowledged: go back to SND.UNA and send again with the
    /// timer backed off (RFC 6298 §5.5-5.6); after
    /// `max_data_retransmissions` the connection is aborted with RST.
    fn data_timeout(&mut self, now: SimTime, cfg: &TcpConfig, out: &mut TcpOutput) {
        if self.snd_una == self.snd_nxt {
            return;
        }
        if self.retries >= cfg.max_data_retransmissions {
            self.abort(out);
            self.fail(TcpError::Aborted, out);
            return;
        }
        self.retries += 1;
        self.rto = self.rto.saturating_mul(2).min(cfg.max_rto);
        self.rtt_probe = None;
        self.snd_nxt = self.snd_una;
        if self
            .fin_seq
            .is_some_and(|fin| !super::seq::lt(fin, self.snd_una))
        {
            self.fin_seq = None;
        }
        self.transmit(now, cfg, "retransmission", out);
    }
}
