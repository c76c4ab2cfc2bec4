//! The user calls of RFC 9293 §3.10 (SEND, RECEIVE, CLOSE) and the sender.

use std::collections::VecDeque;

use simsock_model::{SimTime, TcpFlags, TcpState};

use super::{Due, Tcb, TcpConfig};
use crate::stack::tcp::output::TcpOutput;

impl Tcb {
    /// Whether the user may still queue data (SEND is legal, §3.10.2).
    pub fn can_send(&self) -> bool {
        matches!(self.state, TcpState::Established | TcpState::CloseWait) && !self.fin_queued
    }

    /// Queues as much of `data` as `capacity` leaves room for, sends what
    /// the window allows, and returns the bytes taken.
    pub fn send(
        &mut self,
        now: SimTime,
        data: &[u8],
        capacity: usize,
        cfg: &TcpConfig,
        out: &mut TcpOutput,
    ) -> usize {
        if !self.can_send() {
            return 0;
        }
        let take = capacity.saturating_sub(self.send_buf.len()).min(data.len());
        self.send_buf.extend(&data[..take]);
        if cfg.audit {
            self.rare_mut().sent.update(&data[..take]);
        }
        self.transmit(now, cfg, "", out);
        take
    }

    /// Moves up to `max` received bytes into `into`; sends a window update
    /// when the window reopens past one MSS (RFC 9293 §3.8.6.2.2).
    pub fn recv(
        &mut self,
        max: usize,
        into: &mut Vec<u8>,
        cfg: &TcpConfig,
        out: &mut TcpOutput,
    ) -> usize {
        let before = self.window(cfg);
        let n = max.min(self.recv_buf.len());
        if n > 0 && n == self.recv_buf.len() && into.is_empty() {
            // Performance: all of it is read, so the buffer itself goes to
            // the caller, and the caller's empty storage becomes the
            // buffer: no copy, and no write into the caller's lines, cold
            // by now in a large network (the copy was ~3% of the samples
            // of the 1000-host storm).
            let storage = std::mem::take(into);
            *into = Vec::from(std::mem::replace(&mut self.recv_buf, storage.into()));
        } else {
            // Performance: copy slices, not byte by byte (`extend(drain)`
            // was ~8% of the storm benchmark).
            let (a, b) = self.recv_buf.as_slices();
            let first = n.min(a.len());
            into.extend_from_slice(&a[..first]);
            into.extend_from_slice(&b[..n - first]);
            drop(self.recv_buf.drain(..n));
        }
        let mss = cfg.mss;
        let synchronized = !matches!(self.state, TcpState::Closed | TcpState::TimeWait);
        if n > 0 && before < mss && self.window(cfg) >= mss && synchronized && !self.peer_fin {
            self.send_ack(cfg, out);
        }
        n
    }

    /// closesocket (or DisconnectEx) of a connection with nothing unread:
    /// CLOSE (§3.10.4), and from now on data that arrives resets the
    /// connection (RFC 1122 §4.2.2.13, see `Tcb::on_data_after_close`).
    pub fn close_socket(&mut self, now: SimTime, cfg: &TcpConfig, out: &mut TcpOutput) {
        self.user_closed = true;
        self.close(now, cfg, out);
        self.orphan_fin_wait_2(now);
    }

    /// CLOSE (§3.10.4) or shutdown(SD_SEND): a FIN follows the queued data.
    /// A connection still in SYN_SENT simply goes away.
    pub fn close(&mut self, now: SimTime, cfg: &TcpConfig, out: &mut TcpOutput) {
        match self.state {
            TcpState::SynSent => self.close_now(),
            TcpState::SynReceived | TcpState::Established | TcpState::CloseWait => {
                self.fin_queued = true;
                self.transmit(now, cfg, "", out);
            }
            _ => {}
        }
    }

    /// Sends new data within the peer's window, then the FIN once every byte
    /// went, and arms the retransmission timer.
    ///
    /// Performance: most calls (an ACK arrived, nothing queued) have
    /// nothing to send; they only arm the retransmission timer if data is
    /// in flight, here, without the full step's frame (issue 18: 240,000
    /// calls at 100x200, ~20 instructions each). `transmit_some` does the
    /// same for them; the test `transmit_fast_path_is_the_full_step`
    /// compares the two.
    #[inline]
    pub(super) fn transmit(
        &mut self,
        now: SimTime,
        cfg: &TcpConfig,
        cause: &'static str,
        out: &mut TcpOutput,
    ) {
        if self.nothing_to_transmit() {
            #[cfg(test)]
            let full = self.full_step(now, cfg, cause);
            // `transmit_some` with no segment to send: `window_closed` needs
            // unsent data, so only data in flight arms the timer.
            if self.snd_una != self.snd_nxt && self.retransmit_at.get().is_none() {
                self.retransmit_at = Due::new(Some(now + self.rto));
            }
            #[cfg(test)]
            assert_eq!(format!("{self:?}"), full, "the fast path is the full step");
            return;
        }
        self.transmit_some(now, cfg, cause, out);
    }

    /// In tests, every fast [`Tcb::transmit`] is checked against the full
    /// step on a copy: what the copy became, which must send nothing.
    #[cfg(test)]
    fn full_step(&self, now: SimTime, cfg: &TcpConfig, cause: &'static str) -> String {
        let mut twin = self.clone();
        let mut out = TcpOutput::default();
        twin.transmit_some(now, cfg, cause, &mut out);
        assert!(out.segments.is_empty(), "the full step sent {out:?}");
        format!("{twin:?}")
    }

    /// In a state that sends, every queued byte went (or the FIN did) and
    /// no FIN waits to go: `transmit_some` would send nothing.
    #[inline]
    fn nothing_to_transmit(&self) -> bool {
        let sent = self.snd_nxt.wrapping_sub(self.buf_seq) as usize;
        let all_sent = self.fin_seq().is_some() || sent >= self.send_buf.len();
        self.sends() && all_sent && (!self.fin_queued || self.fin_seq().is_some())
    }

    /// A state in which queued data or the FIN may go out: ESTABLISHED and
    /// CLOSE-WAIT take new data (RFC 9293 §3.10.2, SEND), and FIN-WAIT-1,
    /// CLOSING and LAST-ACK still send what was queued before the close
    /// and the FIN (§3.10.4, CLOSE).
    #[inline]
    fn sends(&self) -> bool {
        matches!(
            self.state,
            TcpState::Established
                | TcpState::CloseWait
                | TcpState::FinWait1
                | TcpState::Closing
                | TcpState::LastAck
        )
    }

    /// The full step of [`Tcb::transmit`].
    #[inline(never)]
    pub(super) fn transmit_some(
        &mut self,
        now: SimTime,
        cfg: &TcpConfig,
        cause: &'static str,
        out: &mut TcpOutput,
    ) {
        if !self.sends() {
            return;
        }
        let mut sent = self.snd_nxt.wrapping_sub(self.buf_seq) as usize;
        while self.fin_seq().is_none() && sent < self.send_buf.len() {
            let in_flight = self.snd_nxt.wrapping_sub(self.snd_una);
            let room = self.snd_wnd.saturating_sub(in_flight) as usize;
            let n = (self.send_buf.len() - sent)
                .min(usize::from(cfg.mss))
                .min(room);
            if n == 0 {
                break;
            }
            let flags = TcpFlags::ACK.with(TcpFlags::PSH);
            let hdr = self.header(self.snd_nxt, flags, n as u32, self.window(cfg));
            out.push(hdr, slices(&self.send_buf, sent, n), cause);
            self.acked_all();
            if self.rtt_probe().is_none() && cause.is_empty() {
                self.set_rtt_probe(Some((self.snd_nxt.wrapping_add(n as u32), now)));
            }
            self.snd_nxt = self.snd_nxt.wrapping_add(n as u32);
            sent += n;
        }
        if self.fin_queued && self.fin_seq().is_none() && sent == self.send_buf.len() {
            self.send_fin(cause, cfg, out);
        }
        // The retransmission timer, or the persist timer when only the
        // peer's zero window holds the data back (`Tcb::probe_window`).
        if (self.snd_una != self.snd_nxt || self.window_closed())
            && self.retransmit_at.get().is_none()
        {
            self.retransmit_at = Due::new(Some(now + self.rto));
        }
    }

    /// Nothing in flight, data waiting, and the peer's window shut.
    pub(super) fn window_closed(&self) -> bool {
        let unsent = self.send_buf.len() > self.snd_nxt.wrapping_sub(self.buf_seq) as usize;
        self.snd_una == self.snd_nxt && self.fin_seq().is_none() && self.snd_wnd == 0 && unsent
    }

    fn send_fin(&mut self, cause: &'static str, cfg: &TcpConfig, out: &mut TcpOutput) {
        let hdr = self.header(
            self.snd_nxt,
            TcpFlags::FIN.with(TcpFlags::ACK),
            0,
            self.window(cfg),
        );
        out.push(hdr, [&[], &[]], cause);
        self.acked_all();
        self.set_fin_seq(Some(self.snd_nxt));
        self.snd_nxt = self.snd_nxt.wrapping_add(1);
        self.state = match self.state {
            TcpState::Established | TcpState::SynReceived => TcpState::FinWait1,
            TcpState::CloseWait => TcpState::LastAck,
            other => other,
        };
    }
}

/// `len` bytes of `buf` from `start`, as at most two slices.
fn slices(buf: &VecDeque<u8>, start: usize, len: usize) -> [&[u8]; 2] {
    let (a, b) = buf.as_slices();
    let end = start + len;
    if start >= a.len() {
        [&b[start - a.len()..end - a.len()], &[]]
    } else if end <= a.len() {
        [&a[start..end], &[]]
    } else {
        [&a[start..], &b[..end - a.len()]]
    }
}
