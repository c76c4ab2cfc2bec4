//! The retransmission timer (RFC 9293 §3.8.1, RFC 6298 §5), the
//! connection-establishment schedule of the host profile, and the
//! delayed-ACK timer (RFC 1122 §4.2.3.2) that shares the TCB's one timer.

use simsock_model::{SimTime, TcpFlags, TcpState};

use super::{Due, Tcb, TcpConfig, TcpError};
use crate::stack::tcp::output::TcpOutput;

/// How long an orphaned connection waits in FIN_WAIT_2: Windows'
/// TcpFinWait2Delay, 240 s by default (not a profile setting here).
pub const FIN_WAIT_2_DELAY: simsock_model::SimDuration = simsock_model::SimDuration::from_secs(240);

impl Tcb {
    /// Called by the engine at (or after) [`Tcb::deadline`].
    pub fn on_timer(&mut self, now: SimTime, cfg: &TcpConfig, out: &mut TcpOutput) {
        self.send_delayed_ack(now, cfg, out);
        match self.retransmit_at.get() {
            Some(due) if due <= now => self.retransmit_at = Due::NONE,
            _ => return,
        }
        match self.state {
            TcpState::SynSent => self.syn_timeout(now, cfg, out),
            TcpState::SynReceived => self.retransmit_syn(now, cfg, out),
            TcpState::Closed | TcpState::Listen | TcpState::TimeWait => {}
            // An orphan's FIN_WAIT_2 ran out (see `orphan_fin_wait_2`).
            TcpState::FinWait2 if self.user_closed => self.close_now(),
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
        self.set_rtt_probe(None);
        self.send_syn(now, "retransmission", out);
    }

    /// Data or FIN unacknowledged: go back to SND.UNA and send again with the
    /// timer backed off (RFC 6298 §5.5-5.6); after
    /// `max_data_retransmissions` the connection is aborted with RST.
    fn data_timeout(&mut self, now: SimTime, cfg: &TcpConfig, out: &mut TcpOutput) {
        if self.snd_una == self.snd_nxt {
            self.probe_window(now, cfg, out);
            return;
        }
        if !self.back_off(cfg, out) {
            return;
        }
        self.set_rtt_probe(None);
        self.snd_max = self.snd_max();
        self.snd_nxt = self.snd_una;
        if self
            .fin_seq()
            .is_some_and(|fin| !super::seq::lt(fin, self.snd_una))
        {
            self.set_fin_seq(None);
        }
        self.transmit(now, cfg, "retransmission", out);
    }

    /// Counts one more unanswered try and doubles the interval (RFC 6298
    /// §5.5-5.6); after `max_data_retransmissions` unanswered tries it
    /// aborts the connection with RST instead and returns false.
    fn back_off(&mut self, cfg: &TcpConfig, out: &mut TcpOutput) -> bool {
        if self.retries >= cfg.max_data_retransmissions {
            self.abort(out);
            self.fail(TcpError::Aborted, out);
            return false;
        }
        self.retries += 1;
        self.rto = self.rto.saturating_mul(2).min(cfg.max_rto);
        true
    }

    /// A connection in FIN_WAIT_2 whose socket is closed waits at most
    /// [`FIN_WAIT_2_DELAY`] for the peer's FIN, then goes away without a
    /// segment: a peer that vanished (crashed, partitioned, or aborted with
    /// an RST that was lost) would otherwise hold the connection and its
    /// port forever. RFC 9293 sets no limit; Windows does
    /// (TcpFinWait2Delay), as BSD and Linux (tcp_fin_timeout) do. A
    /// connection whose application still holds the socket waits, as a
    /// half-closed one may.
    pub(super) fn orphan_fin_wait_2(&mut self, now: SimTime) {
        if self.user_closed && self.state == TcpState::FinWait2 {
            self.retransmit_at = Due::new(Some(now + FIN_WAIT_2_DELAY));
        }
    }

    /// The persist timer (RFC 1122 §4.2.2.17, RFC 9293 §3.8.6.1): the peer
    /// advertised a zero window and data waits to be sent. Its window
    /// update may be lost, so the sender asks again: an ACK one below
    /// SND.NXT, which the peer must answer with an ACK carrying its
    /// current window (§3.10.7.4, an unacceptable segment). The interval
    /// backs off like a retransmission; an answer resets the count
    /// (`Tcb::on_ack`), and `max_data_retransmissions` probes without one
    /// abort the connection, as unanswered retransmissions do.
    fn probe_window(&mut self, now: SimTime, cfg: &TcpConfig, out: &mut TcpOutput) {
        if !self.window_closed() {
            return;
        }
        if !self.back_off(cfg, out) {
            return;
        }
        let probe = self.snd_nxt.wrapping_sub(1);
        let hdr = self.header(probe, TcpFlags::ACK, 0, self.window(cfg));
        out.push(hdr, [&[], &[]], "window probe");
        self.retransmit_at = Due::new(Some(now + self.rto));
    }
}
