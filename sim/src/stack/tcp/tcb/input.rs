//! SEGMENT ARRIVES (RFC 9293 §3.10.7.3 and §3.10.7.4).

use simsock_model::{SimDuration, SimTime, TcpFlags, TcpHeader, TcpState};

use super::{Due, Tcb, TcpConfig, TcpError, seq};
use crate::stack::tcp::output::TcpOutput;

/// The least time between two ACKs that answer out-of-window pure ACKs
/// ([`Tcb::answer_out_of_window`]); Linux's default tcp_invalid_ratelimit.
pub const OUT_OF_WINDOW_ACK_INTERVAL: SimDuration = SimDuration::from_millis(500);

/// When a segment's arrival is acknowledged, in rising urgency.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ack {
    None,
    Delayed,
    Now,
}

impl Tcb {
    /// Processes one segment addressed to this connection.
    pub fn on_segment(
        &mut self,
        now: SimTime,
        hdr: &TcpHeader,
        payload: &[u8],
        cfg: &TcpConfig,
        out: &mut TcpOutput,
    ) {
        match self.state {
            TcpState::SynSent => {
                self.on_segment_syn_sent(now, hdr, cfg, out);
                // CB-W2: callee data on the SYN,ACK that established us.
                if self.state == TcpState::Established && !payload.is_empty() {
                    self.set_peer_syn_data(Some(payload.to_vec()));
                }
            }
            TcpState::Closed | TcpState::Listen => {}
            _ => self.on_segment_synchronized(now, hdr, payload, cfg, out),
        }
    }

    /// §3.10.7.3, SYN-SENT.
    fn on_segment_syn_sent(
        &mut self,
        now: SimTime,
        hdr: &TcpHeader,
        cfg: &TcpConfig,
        out: &mut TcpOutput,
    ) {
        // With Fast Open data on the SYN (RFC 7413 §3), an ACK of the SYN
        // alone is acceptable too: the server did not take the data.
        let acks_syn = hdr.flags.has(TcpFlags::ACK) && self.acks_our_syn(hdr.ack);
        if hdr.flags.has(TcpFlags::ACK) && !acks_syn {
            if !hdr.flags.has(TcpFlags::RST) {
                out.push(
                    self.header(hdr.ack, TcpFlags::RST, 0, 0),
                    [&[], &[]],
                    "reset: unacceptable ACK",
                );
            }
            return;
        }
        if hdr.flags.has(TcpFlags::RST) {
            if acks_syn {
                self.on_refused(now, cfg, out);
            }
            return;
        }
        if !hdr.flags.has(TcpFlags::SYN) {
            return;
        }
        // The SYN and the connect data it carries, if any (`Tcb::syn_data`).
        self.rcv_nxt = hdr.seq.wrapping_add(1).wrapping_add(hdr.len);
        self.snd_wnd = u32::from(hdr.window);
        if acks_syn {
            self.take_syn_ack(hdr.ack); // RFC 7413 §4.2.2
            self.sample_rtt(now, hdr.ack, cfg);
            self.establish(now, out);
            self.send_ack(cfg, out);
            self.transmit(now, cfg, "", out);
        } else {
            // Simultaneous open: answer SYN,ACK from SYN_RECEIVED.
            self.state = TcpState::SynReceived;
            self.send_syn(now, "simultaneous open", out);
        }
    }

    /// An RST answered our SYN. Windows re-sends the SYN a few times at a
    /// fixed interval before it gives up (design.md, "Host profiles"); with
    /// `refused_syn_retries = 0` the failure is immediate, as the documents
    /// describe it (CB-C14).
    fn on_refused(&mut self, now: SimTime, cfg: &TcpConfig, out: &mut TcpOutput) {
        if self.refused_left == 0 {
            self.fail(TcpError::Refused, out);
            return;
        }
        self.refused_left -= 1;
        self.set_rtt_probe(None);
        self.retransmit_at = Due::new(Some(now + cfg.refused_retry_interval));
        self.refused_retry_due = true;
    }

    fn establish(&mut self, now: SimTime, out: &mut TcpOutput) {
        self.state = TcpState::Established;
        self.established = Due::new(Some(now));
        self.retries = 0;
        self.retransmit_at = Due::NONE;
        out.notify = true;
    }

    /// §3.10.7.4, every synchronized state and SYN_RECEIVED.
    fn on_segment_synchronized(
        &mut self,
        now: SimTime,
        hdr: &TcpHeader,
        payload: &[u8],
        cfg: &TcpConfig,
        out: &mut TcpOutput,
    ) {
        if !self.acceptable(hdr, cfg) {
            if !hdr.flags.has(TcpFlags::RST) {
                self.answer_out_of_window(now, hdr, cfg, out);
            }
            return;
        }
        if hdr.flags.has(TcpFlags::RST) {
            self.on_reset(hdr, out);
            return;
        }
        if hdr.flags.has(TcpFlags::SYN) {
            // RFC 5961 §4.2: a SYN in a synchronized state gets a challenge ACK.
            self.send_ack(cfg, out);
            return;
        }
        if !hdr.flags.has(TcpFlags::ACK) || !self.on_ack(now, hdr, cfg, out) {
            return;
        }
        if self.on_data_after_close(hdr, payload, out) {
            return;
        }
        // Performance: most segments carry neither data nor a FIN (issue
        // 18: 100,000 of the 140,000 at 100x200); those skip both calls.
        let data = match payload.is_empty() {
            true => Ack::None,
            false => self.on_data(hdr, payload, cfg, out),
        };
        let fin = match hdr.flags.has(TcpFlags::FIN) {
            true => self.on_fin(now, hdr, out),
            false => Ack::None,
        };
        match data.max(fin) {
            Ack::None => {}
            Ack::Delayed => self.delay_ack(now, cfg, out),
            Ack::Now => self.send_ack(cfg, out),
        }
        self.transmit(now, cfg, "", out);
    }

    /// The acceptability test of §3.10.7.4 for our fixed receive window.
    fn acceptable(&self, hdr: &TcpHeader, cfg: &TcpConfig) -> bool {
        let wnd = u32::from(self.window(cfg)).max(1);
        let end = self.rcv_nxt.wrapping_add(wnd);
        let in_window = |s: u32| seq::le(self.rcv_nxt, s) && seq::lt(s, end);
        match hdr.seq_len() {
            0 => in_window(hdr.seq) || hdr.seq == self.rcv_nxt,
            n => in_window(hdr.seq) || in_window(hdr.seq.wrapping_add(n - 1)),
        }
    }

    /// The ACK that §3.10.7.4 sends in reply to an unacceptable segment or
    /// to an ACK of something not yet sent. When what arrived is a pure ACK
    /// (no data, SYN or FIN) at or past RCV.NXT, the reply goes at most
    /// once every [`OUT_OF_WINDOW_ACK_INTERVAL`]: two ends whose pure ACKs
    /// each lie past the other's window (a peer that sent past a window
    /// the SYN advertised wider, or one whose SND.NXT is the right edge of
    /// a full window in flight) would otherwise answer each other's ACKs
    /// forever, one more loop with every duplicate. Linux limits these
    /// replies the same way ("tcp: mitigate ACK loops", 2015;
    /// tcp_invalid_ratelimit, 500 ms); Windows documents no limit, and the
    /// RFC says "should send": a divergence, for a stack that does not
    /// livelock. A pure ACK below RCV.NXT is answered every time: a window
    /// probe (RFC 1122 §4.2.2.17) or a keep-alive asks for that answer, and
    /// an ACK loop needs both ends past the other's window, since every
    /// ACK but a probe carries SND.NXT ([`Tcb::snd_max`]), which no peer's
    /// RCV.NXT exceeds.
    fn answer_out_of_window(
        &mut self,
        now: SimTime,
        hdr: &TcpHeader,
        cfg: &TcpConfig,
        out: &mut TcpOutput,
    ) {
        if hdr.seq_len() == 0 && !seq::lt(hdr.seq, self.rcv_nxt) {
            let last = self.rare.as_ref().and_then(|r| r.oow_ack_at);
            if last.is_some_and(|at| now < at + OUT_OF_WINDOW_ACK_INTERVAL) {
                return;
            }
            self.rare_mut().oow_ack_at = Some(now);
        }
        self.send_ack(cfg, out);
    }

    /// RST on a synchronized connection (§3.10.7.4, second check). A
    /// passively opened connection in SYN_RECEIVED just goes away.
    fn on_reset(&mut self, hdr: &TcpHeader, out: &mut TcpOutput) {
        if hdr.seq != self.rcv_nxt {
            // RFC 5961 §3.2: an in-window but inexact RST gets a challenge
            // ACK, <SEQ=SND.NXT> ([`Tcb::snd_max`]).
            out.push(
                self.header(self.snd_max(), TcpFlags::ACK, 0, 0),
                [&[], &[]],
                "challenge ACK",
            );
            return;
        }
        match self.state {
            TcpState::Closing | TcpState::LastAck | TcpState::TimeWait => self.close_now(),
            _ => self.fail(TcpError::Reset, out),
        }
    }

    /// ACK processing; false when the segment must be dropped.
    fn on_ack(
        &mut self,
        now: SimTime,
        hdr: &TcpHeader,
        cfg: &TcpConfig,
        out: &mut TcpOutput,
    ) -> bool {
        if self.state == TcpState::SynReceived {
            if !(seq::lt(self.snd_una, hdr.ack) && seq::le(hdr.ack, self.snd_nxt)) {
                out.push(
                    self.header(hdr.ack, TcpFlags::RST, 0, 0),
                    [&[], &[]],
                    "reset: unacceptable ACK",
                );
                return false;
            }
            self.establish(now, out);
        }
        // "If the ACK acks something not yet sent (SEG.ACK > SND.NXT)":
        // the RFC's SND.NXT, [`Tcb::snd_max`]. An ACK of data sent before a
        // retransmission timeout moved `snd_nxt` back is no such ACK; were
        // it dropped, SND.UNA would never pass `snd_nxt` and the peer's
        // segments, data included, would all be dropped until the
        // connection aborted.
        if seq::lt(self.snd_max(), hdr.ack) {
            self.answer_out_of_window(now, hdr, cfg, out);
            return false;
        }
        self.snd_wnd = u32::from(hdr.window);
        if self.snd_una == self.snd_nxt && self.fin_seq().is_none() {
            // Nothing in flight: any deadline is the persist timer
            // (`Tcb::probe_window`). The peer answered, so the probes start
            // over; an open window lets `transmit` send and re-arm.
            self.retries = 0;
            if self.snd_wnd > 0 {
                self.retransmit_at = Due::NONE;
            }
        }
        if seq::lt(self.snd_una, hdr.ack) {
            self.advance_una(now, hdr.ack, cfg, out);
        }
        self.on_fin_acked(now, out);
        true
    }

    /// New data acknowledged: drop it from the send buffer, sample the RTT,
    /// restart or stop the retransmission timer (RFC 6298 §5).
    fn advance_una(&mut self, now: SimTime, ack: u32, cfg: &TcpConfig, out: &mut TcpOutput) {
        if seq::lt(self.snd_nxt, ack) {
            self.skip_acked(ack);
        }
        if !seq::lt(ack, self.snd_max) {
            // Kept within a window of `snd_nxt`, where the comparisons of
            // sequence numbers (modulo 2^32) hold.
            self.snd_max = ack;
        }
        self.snd_una = ack;
        let acked_data = ack.wrapping_sub(self.buf_seq) as usize;
        let drained = acked_data.min(self.send_buf.len());
        self.send_buf.drain(..drained);
        self.buf_seq = self.buf_seq.wrapping_add(drained as u32);
        self.sample_rtt(now, ack, cfg);
        self.retries = 0;
        self.retransmit_at = Due::new((self.snd_una != self.snd_nxt).then(|| now + self.rto));
        if drained > 0 {
            out.notify = true;
        }
    }

    /// The peer acknowledged past `snd_nxt` what it received before a
    /// retransmission timeout moved `snd_nxt` back: sending resumes at the
    /// ACK (BSD does the same). If it acknowledged our FIN as well (all the
    /// data and one more), the FIN is sent: the timeout forgot it so that
    /// `transmit` would send it again.
    fn skip_acked(&mut self, ack: u32) {
        self.snd_nxt = ack;
        let data_end = self.buf_seq.wrapping_add(self.send_buf.len() as u32);
        if self.fin_queued && ack == data_end.wrapping_add(1) {
            self.set_fin_seq(Some(data_end));
        }
    }

    /// RFC 6298 §2: SRTT and RTTVAR from one sample, Karn's rule applied by
    /// clearing the probe on retransmission.
    pub(super) fn sample_rtt(&mut self, now: SimTime, ack: u32, cfg: &TcpConfig) {
        let Some((probe_seq, sent)) = self.rtt_probe() else {
            return;
        };
        if seq::lt(ack, probe_seq) {
            return;
        }
        self.set_rtt_probe(None);
        let r = now.since(sent).as_nanos();
        let (srtt, rttvar) = match (self.srtt_ns, self.rttvar_ns) {
            (super::NO_SRTT, _) => (r, r / 2),
            (s, v) => (s - s / 8 + r / 8, v - v / 4 + s.abs_diff(r) / 4),
        };
        (self.srtt_ns, self.rttvar_ns) = (srtt, rttvar);
        let rto = srtt + (4 * rttvar).max(1_000_000);
        self.rto =
            simsock_model::SimDuration(rto.clamp(cfg.min_rto.as_nanos(), cfg.max_rto.as_nanos()));
    }

    fn on_fin_acked(&mut self, now: SimTime, out: &mut TcpOutput) {
        let Some(fin) = self.fin_seq() else { return };
        if !seq::lt(fin, self.snd_una) {
            return;
        }
        match self.state {
            TcpState::FinWait1 => {
                self.state = TcpState::FinWait2;
                self.orphan_fin_wait_2(now);
            }
            TcpState::Closing => self.enter_time_wait(now, out),
            TcpState::LastAck => {
                self.close_now();
                out.notify = true;
            }
            _ => {}
        }
    }

    /// New data for a connection whose socket the application closed: no
    /// one can read it, so the connection is reset rather than the data
    /// acknowledged, and the sender learns that it was lost (RFC 1122
    /// §4.2.2.13: "if new data is received after CLOSE is called, its TCP
    /// SHOULD send a RST"; Windows does). Acknowledging it instead left the
    /// peer believing it delivered, and a peer whose data filled the
    /// closed side's window waited forever.
    /// True when the connection was reset.
    fn on_data_after_close(
        &mut self,
        hdr: &TcpHeader,
        payload: &[u8],
        out: &mut TcpOutput,
    ) -> bool {
        let end = hdr.seq.wrapping_add(payload.len() as u32);
        let new_data = !payload.is_empty() && seq::lt(self.rcv_nxt, end);
        if !(self.user_closed && new_data) {
            return false;
        }
        self.reset("reset: data after close", out);
        true
    }

    /// Appends in-order payload (not empty: the caller checked) to the
    /// receive buffer; says when to ACK.
    fn on_data(
        &mut self,
        hdr: &TcpHeader,
        payload: &[u8],
        cfg: &TcpConfig,
        out: &mut TcpOutput,
    ) -> Ack {
        if !matches!(
            self.state,
            TcpState::Established | TcpState::FinWait1 | TcpState::FinWait2
        ) {
            return Ack::Now;
        }
        let skip = self.rcv_nxt.wrapping_sub(hdr.seq) as usize;
        if seq::lt(self.rcv_nxt, hdr.seq) || skip >= payload.len() {
            return Ack::Now; // out of order or a duplicate: ACK what we have
        }
        let room = usize::from(self.window(cfg));
        let take = (payload.len() - skip).min(room);
        self.recv_buf.extend(&payload[skip..skip + take]);
        if cfg.audit {
            self.rare_mut()
                .delivered
                .update(&payload[skip..skip + take]);
        }
        self.rcv_nxt = self.rcv_nxt.wrapping_add(take as u32);
        out.notify |= take > 0;
        match take == payload.len() - skip {
            true => Ack::Delayed,
            false => Ack::Now, // the window cut it short: tell the sender
        }
    }

    /// A segment with FIN set (the caller checked): the FIN, if in order
    /// (§3.10.7.4, eighth check), is acknowledged at once (see
    /// `Tcb::delay_ack`).
    fn on_fin(&mut self, now: SimTime, hdr: &TcpHeader, out: &mut TcpOutput) -> Ack {
        let fin_seq = hdr.seq.wrapping_add(hdr.len);
        if fin_seq != self.rcv_nxt {
            return Ack::Now;
        }
        self.rcv_nxt = self.rcv_nxt.wrapping_add(1);
        self.peer_fin = true;
        out.notify = true;
        match self.state {
            TcpState::SynReceived | TcpState::Established => self.state = TcpState::CloseWait,
            TcpState::FinWait1 => self.state = TcpState::Closing,
            TcpState::FinWait2 => self.enter_time_wait(now, out),
            _ => {}
        }
        Ack::Now
    }

    /// CB-T1: the side that closed first holds TIME_WAIT. The stack turns the
    /// TCB into a small TIME_WAIT record and frees it.
    fn enter_time_wait(&mut self, _now: SimTime, out: &mut TcpOutput) {
        self.state = TcpState::TimeWait;
        self.retransmit_at = Due::NONE;
        out.notify = true;
    }
}
