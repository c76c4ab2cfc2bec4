//! The transmission control block: one TCP connection's state machine,
//! sans-IO. It takes `(now, input)` and writes segments to a [`TcpOutput`];
//! the engine owns time and asks [`Tcb::deadline`] when to call back.
//!
//! Read first: RFC 9293 §3.3.2 (states), §3.10.7 (segment arrives), §3.8.1
//! and RFC 6298 (retransmission timer), RFC 5961 §4 (challenge ACK).
//!
//! Divergences, on purpose: out-of-order segments are not queued (the sender's
//! go-back-N retransmission fills the hole, RFC 9293 §3.10.7.4 allows this);
//! no congestion control (RFC 5681), no window scaling; the persist timer
//! (§3.8.6.1) probes with a bare ACK below SND.NXT rather than a byte of
//! data (`probe_window`); a peer's FIN is acknowledged at once (see
//! `delay_ack`). An orphaned FIN_WAIT_2 ends after 240 s, as on Windows
//! (`orphan_fin_wait_2`); RFC 9293 sets no limit.

use std::collections::VecDeque;
use std::net::SocketAddrV4;

use simsock_model::{HostProfile, SimDuration, SimTime, TcpFlags, TcpHeader, TcpState};

use super::output::TcpOutput;
use super::seq;

/// Why a connection failed; the socket layer maps each to a WSA code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcpError {
    /// RST in answer to our SYN (CB-C14).
    Refused,
    /// SYN retransmissions ran out (CB-C15).
    TimedOut,
    /// RST on a synchronized connection.
    Reset,
    /// Data retransmissions ran out (RFC 9293 §3.8.3, R2).
    Aborted,
    /// ICMP host unreachable while connecting (CB-C13).
    HostUnreachable,
    /// ICMP net unreachable while connecting (CB-C12).
    NetUnreachable,
}

/// The constants of a host profile that a TCB needs.
#[derive(Clone, Copy, Debug)]
pub struct TcpConfig {
    /// The first SYN retransmission timeout (Windows TcpInitialRTT, 3 s).
    pub initial_rto: SimDuration,
    /// The data RTO's lower bound (Windows MinRto, 300 ms; RFC 6298 §2.4
    /// says 1 s).
    pub min_rto: SimDuration,
    /// The RTO's upper bound, 60 s (RFC 6298 §2.5).
    pub max_rto: SimDuration,
    /// SYN retransmissions before WSAETIMEDOUT (TcpMaxConnectRetransmissions,
    /// 2; CB-C15).
    pub max_connect_retransmissions: u8,
    /// Data retransmissions before the connection is aborted
    /// (TcpMaxDataRetransmissions, 5; RFC 9293 §3.8.3, R2).
    pub max_data_retransmissions: u8,
    /// SYNs re-sent after an RST before WSAECONNREFUSED (KB175523; CB-C14).
    pub refused_syn_retries: u8,
    /// The interval between those SYNs, not doubled (500 ms, KB175523).
    pub refused_retry_interval: SimDuration,
    /// Maximum segment size in bytes (1460).
    pub mss: u16,
    /// The receive window advertised and the receive buffer's size in
    /// bytes (no window scaling).
    pub receive_window: u16,
    /// Data segments acknowledged together (Windows TcpAckFrequency).
    pub ack_frequency: u8,
    /// The delayed-ACK timer; zero acknowledges every segment at once.
    pub delayed_ack: SimDuration,
    /// Keep stream digests for the end-of-run invariants (off in benchmarks).
    pub audit: bool,
}

impl From<&HostProfile> for TcpConfig {
    fn from(p: &HostProfile) -> Self {
        TcpConfig {
            initial_rto: p.initial_rto,
            min_rto: p.min_rto,
            max_rto: p.max_rto,
            max_connect_retransmissions: p.max_connect_retransmissions,
            max_data_retransmissions: p.max_data_retransmissions,
            refused_syn_retries: p.refused_syn_retries,
            refused_retry_interval: p.refused_retry_interval,
            mss: p.mss,
            receive_window: p.receive_window,
            ack_frequency: p.tcp_ack_frequency,
            delayed_ack: p.delayed_ack(),
            audit: true,
        }
    }
}

/// One TCP connection.
#[derive(Debug)]
#[cfg_attr(test, derive(Clone))]
pub struct Tcb {
    /// The connection's state (RFC 9293 §3.3.2).
    pub state: TcpState,
    /// This end's address.
    pub local: SocketAddrV4,
    /// The peer's address.
    pub remote: SocketAddrV4,
    /// Why the connection failed, once it has; the socket layer maps it to
    /// a WSA code.
    pub error: Option<TcpError>,
    iss: u32,
    snd_una: u32,
    /// Where the next segment starts: a retransmission timeout moves it
    /// back to SND.UNA (go-back-N), so it may lie below what was sent.
    snd_nxt: u32,
    /// The end of what was sent when a retransmission timeout last moved
    /// `snd_nxt` back; see [`Tcb::snd_max`].
    snd_max: u32,
    snd_wnd: u32,
    rcv_nxt: u32,
    /// Unacknowledged and unsent data; `send_buf[0]` has sequence `buf_seq`.
    send_buf: VecDeque<u8>,
    buf_seq: u32,
    /// Data received in order and not yet read by the application (at most
    /// `receive_window` bytes).
    pub recv_buf: VecDeque<u8>,
    /// The user asked to send a FIN after the queued data (close, shutdown).
    fin_queued: bool,
    /// The application closed its socket (closesocket, DisconnectEx):
    /// nobody will read what arrives now (RFC 1122 §4.2.2.13).
    user_closed: bool,
    /// Sequence number of our FIN once sent (`fin_sent`; see
    /// [`Tcb::fin_seq`]).
    fin_at: u32,
    fin_sent: bool,
    /// The peer's FIN arrived in order: after the buffered data, recv
    /// returns 0.
    pub peer_fin: bool,
    rto: SimDuration,
    /// The smoothed RTT (RFC 6298 §2), [`NO_SRTT`] before the first
    /// measurement.
    srtt_ns: u64,
    /// Its variation (RTTVAR).
    rttvar_ns: u64,
    /// The segment timed for an RTT sample: its end and when it was sent
    /// (see [`Tcb::rtt_probe`]).
    probe_seq: u32,
    probe_sent: Due,
    retries: u8,
    refused_left: u8,
    /// An RST answered our SYN and the next timer re-sends it (Windows).
    refused_retry_due: bool,
    /// When the retransmission (or SYN retry, or FIN_WAIT_2) timer fires.
    retransmit_at: Due,
    /// When a delayed ACK is due (RFC 1122 §4.2.3.2), and the in-order data
    /// segments it will acknowledge.
    ack_due: Due,
    unacked_segments: u8,
    /// When the connection entered ESTABLISHED (see
    /// [`Tcb::established_at`]).
    established: Due,
    /// What few connections use, `None` until one of them is set.
    rare: Option<Box<Rare>>,
}

/// An `srtt_ns` that no measurement made (one would take 584 years).
const NO_SRTT: u64 = u64::MAX;

/// A time or none in 8 bytes, where `Option<SimTime>` takes 16 (a TCB
/// holds four).
///
/// Divergence: a time of `u64::MAX` ns, which a saturating sum could give,
/// is kept as one nanosecond earlier, so that it is not "none"; a run's
/// limits end it some 584 years before either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Due(u64);

impl Due {
    const NONE: Due = Due(u64::MAX);

    #[inline]
    fn new(at: Option<SimTime>) -> Due {
        at.map_or(Due::NONE, |t| Due(t.0.min(u64::MAX - 1)))
    }

    #[inline]
    fn get(self) -> Option<SimTime> {
        (self != Due::NONE).then_some(SimTime(self.0))
    }

    #[inline]
    fn is_none(self) -> bool {
        self == Due::NONE
    }
}

/// The state of a TCB that most connections never set, out of line.
///
/// Memory (issue 18, "a live connection's state fits in a few cache
/// lines"): the stream digests are kept only for the end-of-run audit (off
/// in benchmarks), connect data is rare, and an out-of-window ACK is
/// answered on few connections; inline they were 56 of a TCB's 288 bytes.
#[derive(Debug, Default)]
#[cfg_attr(test, derive(Clone))]
struct Rare {
    /// What the user queued to send (kept when `TcpConfig::audit`).
    sent: super::digest::StreamDigest,
    /// What was delivered in order to the receive buffer (kept when
    /// `TcpConfig::audit`).
    delivered: super::digest::StreamDigest,
    /// Connect data (CB-W1, CB-W2; feature: wsaconnect). See
    /// [`ConnectData`].
    connect_data: ConnectData,
    /// When an ACK last answered an out-of-window pure ACK (see
    /// `Tcb::answer_out_of_window`).
    oow_ack_at: Option<SimTime>,
}

/// The connect data of one connection.
///
/// Connect data sent on our SYN or SYN,ACK and its retransmissions
/// (CB-W1, CB-W2; feature: wsaconnect). TCP has no connect data; here
/// it is the SYN's payload. As SYN data does (RFC 9293 §3.10.7.2, TCP
/// Fast Open, RFC 7413) it occupies sequence space right after the SYN,
/// so the SYN's ACK, or the RST of a closed port, covers it; unlike
/// them it never enters the byte stream: the receiving stack keeps it as
/// connect data, or drops it if its provider has none (a divergence from
/// RFC 9293, which queues SYN data for delivery).
#[derive(Debug, Default)]
#[cfg_attr(test, derive(Clone))]
pub struct ConnectData {
    /// Sent on our SYN or SYN,ACK and its retransmissions.
    pub ours: Vec<u8>,
    /// What the peer's SYN or SYN,ACK carried, if any.
    pub peer: Option<Vec<u8>>,
}

impl Tcb {
    /// A TCB in CLOSED with its addresses and initial sequence number, to
    /// be opened where it lies ([`Tcb::open_active`], [`Tcb::open_passive`],
    /// [`Tcb::open_fast`]): `stack::Host::insert_new_tcb` builds it in its
    /// slot.
    #[inline]
    pub fn new(local: SocketAddrV4, remote: SocketAddrV4, iss: u32, cfg: &TcpConfig) -> Tcb {
        Tcb {
            state: TcpState::Closed,
            local,
            remote,
            error: None,
            iss,
            snd_una: iss,
            snd_nxt: iss,
            snd_max: iss,
            snd_wnd: 0,
            rcv_nxt: 0,
            send_buf: VecDeque::new(),
            buf_seq: iss.wrapping_add(1),
            recv_buf: VecDeque::new(),
            fin_queued: false,
            user_closed: false,
            fin_at: 0,
            fin_sent: false,
            peer_fin: false,
            rto: cfg.initial_rto,
            srtt_ns: NO_SRTT,
            rttvar_ns: 0,
            probe_seq: 0,
            probe_sent: Due::NONE,
            retries: 0,
            refused_left: cfg.refused_syn_retries,
            refused_retry_due: false,
            retransmit_at: Due::NONE,
            ack_due: Due::NONE,
            unacked_segments: 0,
            established: Due::NONE,
            rare: None,
        }
    }

    /// Active open (RFC 9293 §3.10.1): sends a SYN and enters SYN_SENT.
    pub fn connect(
        now: SimTime,
        local: SocketAddrV4,
        remote: SocketAddrV4,
        iss: u32,
        cfg: &TcpConfig,
        out: &mut TcpOutput,
    ) -> Tcb {
        Tcb::connect_with_data(now, (local, remote), &[], iss, cfg, out)
    }

    /// [`Tcb::connect`] whose SYN carries caller data (CB-W1).
    pub fn connect_with_data(
        now: SimTime,
        (local, remote): (SocketAddrV4, SocketAddrV4),
        syn_data: &[u8],
        iss: u32,
        cfg: &TcpConfig,
        out: &mut TcpOutput,
    ) -> Tcb {
        let mut tcb = Tcb::new(local, remote, iss, cfg);
        tcb.open_active(now, syn_data, out);
        tcb
    }

    /// Active open of a new TCB ([`Tcb::new`]) where it lies: what
    /// [`Tcb::connect_with_data`] does.
    pub fn open_active(&mut self, now: SimTime, syn_data: &[u8], out: &mut TcpOutput) {
        self.set_syn_data(syn_data.to_vec());
        self.state = TcpState::SynSent;
        self.send_syn(now, "", out);
    }

    /// Passive open: a SYN reached a listener (RFC 9293 §3.10.7.2); sends
    /// SYN,ACK and enters SYN_RECEIVED. `syn` is the SYN and its data
    /// (TCP Fast Open, RFC 7413; empty without).
    pub fn accept_syn(
        now: SimTime,
        local: SocketAddrV4,
        remote: SocketAddrV4,
        syn: (&TcpHeader, &[u8]),
        iss: u32,
        cfg: &TcpConfig,
        out: &mut TcpOutput,
    ) -> Tcb {
        Tcb::accept_syn_with_data(now, (local, remote), syn, Vec::new(), iss, cfg, out)
    }

    /// [`Tcb::accept_syn`] whose SYN,ACK carries callee data (CB-W2).
    /// `stream` is the SYN's Fast Open data, queued for the user (RFC 7413
    /// §4.1.2); other SYN data (connect data, which the caller keeps apart,
    /// CB-W1) is acknowledged but never enters the stream (see `syn_data`).
    pub fn accept_syn_with_data(
        now: SimTime,
        (local, remote): (SocketAddrV4, SocketAddrV4),
        (syn, stream): (&TcpHeader, &[u8]),
        callee: Vec<u8>,
        iss: u32,
        cfg: &TcpConfig,
        out: &mut TcpOutput,
    ) -> Tcb {
        let mut tcb = Tcb::new(local, remote, iss, cfg);
        tcb.open_passive(now, (syn, stream), callee, cfg, out);
        tcb
    }

    /// Passive open of a new TCB ([`Tcb::new`]) where it lies: what
    /// [`Tcb::accept_syn_with_data`] does.
    pub fn open_passive(
        &mut self,
        now: SimTime,
        (syn, stream): (&TcpHeader, &[u8]),
        callee: Vec<u8>,
        cfg: &TcpConfig,
        out: &mut TcpOutput,
    ) {
        self.set_syn_data(callee);
        self.state = TcpState::SynReceived;
        self.rcv_nxt = syn.seq.wrapping_add(1);
        self.snd_wnd = u32::from(syn.window);
        if stream.is_empty() {
            self.rcv_nxt = self.rcv_nxt.wrapping_add(syn.len);
        } else {
            self.take_syn_data(stream, cfg);
        }
        self.send_syn(now, "", out);
    }

    /// Connect data for our SYN: the stream's first byte follows it.
    fn set_syn_data(&mut self, data: Vec<u8>) {
        self.buf_seq = self.iss.wrapping_add(1).wrapping_add(data.len() as u32);
        if !data.is_empty() {
            self.rare_mut().connect_data.ours = data;
        }
    }

    /// Connect data sent on our SYN or SYN,ACK (empty if none).
    #[inline]
    pub fn syn_data(&self) -> &[u8] {
        self.rare.as_ref().map_or(&[], |r| &r.connect_data.ours)
    }

    /// Connect data the peer's SYN or SYN,ACK carried, if any.
    #[inline]
    pub fn peer_syn_data(&self) -> Option<&[u8]> {
        self.rare.as_ref()?.connect_data.peer.as_deref()
    }

    /// Records the connect data the peer's SYN or SYN,ACK carried.
    pub fn set_peer_syn_data(&mut self, data: Option<Vec<u8>>) {
        if data.is_some() || self.rare.is_some() {
            self.rare_mut().connect_data.peer = data;
        }
    }

    /// The rarely set state, allocated on first use.
    fn rare_mut(&mut self) -> &mut Rare {
        self.rare.get_or_insert_default()
    }

    /// What the user queued to send (kept when `TcpConfig::audit`).
    pub fn sent(&self) -> super::digest::StreamDigest {
        self.rare.as_ref().map(|r| r.sent).unwrap_or_default()
    }

    /// What was delivered in order to the receive buffer (kept when
    /// `TcpConfig::audit`).
    pub fn delivered(&self) -> super::digest::StreamDigest {
        self.rare.as_ref().map(|r| r.delivered).unwrap_or_default()
    }

    /// When the engine must call [`Tcb::on_timer`]: the retransmission
    /// deadline or a delayed ACK, whichever is first.
    pub fn deadline(&self) -> Option<SimTime> {
        Due(self.retransmit_at.0.min(self.ack_due.0)).get()
    }

    /// When the connection entered ESTABLISHED (SO_CONNECT_TIME, CB-X7).
    pub fn established_at(&self) -> Option<SimTime> {
        self.established.get()
    }

    /// Sequence number of our FIN once sent.
    #[inline]
    fn fin_seq(&self) -> Option<u32> {
        self.fin_sent.then_some(self.fin_at)
    }

    #[inline]
    fn set_fin_seq(&mut self, fin: Option<u32>) {
        (self.fin_sent, self.fin_at) = (fin.is_some(), fin.unwrap_or(0));
    }

    /// The segment timed for an RTT sample (RFC 6298 §3, Karn): the
    /// sequence number its ACK must reach, and when it was sent.
    #[inline]
    fn rtt_probe(&self) -> Option<(u32, SimTime)> {
        Some((self.probe_seq, self.probe_sent.get()?))
    }

    #[inline]
    fn set_rtt_probe(&mut self, probe: Option<(u32, SimTime)>) {
        self.probe_seq = probe.map_or(0, |p| p.0);
        self.probe_sent = Due::new(probe.map(|p| p.1));
    }

    /// The TCB's send and receive buffers, whose storage
    /// [`crate::engine::buffers::BufferPool`] lends and takes back.
    pub fn buffers_mut(&mut self) -> (&mut VecDeque<u8>, &mut VecDeque<u8>) {
        (&mut self.send_buf, &mut self.recv_buf)
    }

    /// Both FINs were exchanged and acknowledged with no reset or abort:
    /// the connection closed gracefully (RFC 9293 §3.6).
    pub fn closed_gracefully(&self) -> bool {
        let fin_acked = self.fin_seq().is_some_and(|fin| seq::lt(fin, self.snd_una));
        self.error.is_none() && self.peer_fin && fin_acked
    }

    /// Whether the connection is gone and its TCB may be freed.
    pub fn is_closed(&self) -> bool {
        self.state == TcpState::Closed
    }

    /// Bytes queued to send and not yet acknowledged.
    pub fn send_queued(&self) -> usize {
        self.send_buf.len()
    }

    /// The (SND.NXT, RCV.NXT) pair a TIME_WAIT record keeps to re-ACK a FIN.
    pub fn sequence_pair(&self) -> (u32, u32) {
        (self.snd_nxt, self.rcv_nxt)
    }

    /// RFC 9293's SND.NXT, the next sequence number never sent: the later
    /// of `snd_nxt` and the end of what was sent before a retransmission
    /// timeout moved `snd_nxt` back (BSD's `snd_max`). In RFC 9293 a
    /// retransmission comes from the queue and leaves SND.NXT alone
    /// (§3.8.1, RFC 6298 §5.4); here it re-sends from `snd_nxt`, so the
    /// tests and segments that mean the RFC's SND.NXT use this value.
    fn snd_max(&self) -> u32 {
        match seq::lt(self.snd_nxt, self.snd_max) {
            true => self.snd_max,
            false => self.snd_nxt,
        }
    }

    fn window(&self, cfg: &TcpConfig) -> u16 {
        let free = usize::from(cfg.receive_window).saturating_sub(self.recv_buf.len());
        free.min(usize::from(u16::MAX)) as u16
    }

    fn header(&self, seq: u32, flags: TcpFlags, len: u32, window: u16) -> TcpHeader {
        TcpHeader {
            src_port: self.local.port(),
            dst_port: self.remote.port(),
            seq,
            ack: if flags.has(TcpFlags::ACK) {
                self.rcv_nxt
            } else {
                0
            },
            flags,
            window,
            len,
        }
    }

    fn send_syn(&mut self, now: SimTime, cause: &'static str, out: &mut TcpOutput) {
        let flags = match self.state {
            TcpState::SynReceived => TcpFlags::SYN.with(TcpFlags::ACK),
            _ => TcpFlags::SYN,
        };
        let syn_data = self.syn_data();
        let len = syn_data.len() as u32;
        out.push(
            self.header(self.iss, flags, len, u16::MAX),
            [syn_data, &[]],
            cause,
        );
        self.snd_nxt = self.iss.wrapping_add(1).wrapping_add(len);
        if cause.is_empty() {
            self.set_rtt_probe(Some((self.snd_nxt, now)));
        }
        self.retransmit_at = Due::new(Some(now + self.rto));
    }

    fn send_ack(&mut self, cfg: &TcpConfig, out: &mut TcpOutput) {
        self.push_ack("", cfg, out);
    }

    /// An ACK carries <SEQ=SND.NXT> (RFC 9293 §3.10.7.4), the RFC's
    /// SND.NXT: [`Tcb::snd_max`]. With `snd_nxt` moved back by a
    /// retransmission timeout its sequence number would lie below what the
    /// peer already received: unacceptable there (§3.10.7.4), answered
    /// with an ACK of its own, whose answer is this ACK again, forever.
    fn push_ack(&mut self, cause: &'static str, cfg: &TcpConfig, out: &mut TcpOutput) {
        out.push(
            self.header(self.snd_max(), TcpFlags::ACK, 0, self.window(cfg)),
            [&[], &[]],
            cause,
        );
        self.acked_all();
    }

    /// A segment carrying RCV.NXT left: nothing is left to acknowledge.
    fn acked_all(&mut self) {
        self.ack_due = Due::NONE;
        self.unacked_segments = 0;
    }

    /// In-order data arrived (RFC 1122 §4.2.3.2, RFC 9293 §3.8.6.3). As
    /// Windows does (TcpAckFrequency, TcpDelAckTicks): the ACK waits for a
    /// reply to ride on, but the `ack_frequency`-th unacknowledged segment
    /// is acknowledged at once, and the delayed-ACK timer, started by the
    /// first, ends the wait. The timer is not restarted by later segments,
    /// so no ACK waits longer than one tick count (RFC 1122: under 0.5 s).
    ///
    /// A FIN, an out-of-order or duplicate segment, and a window update are
    /// acknowledged at once (RFC 5681 §4.2 for out-of-order data). The
    /// Windows documents speak of data only; acknowledging a FIN at once is
    /// our reading, and it keeps the four-segment close.
    fn delay_ack(&mut self, now: SimTime, cfg: &TcpConfig, out: &mut TcpOutput) {
        self.unacked_segments = self.unacked_segments.saturating_add(1);
        if cfg.delayed_ack == SimDuration::ZERO || self.unacked_segments >= cfg.ack_frequency {
            self.send_ack(cfg, out);
            return;
        }
        if self.ack_due.is_none() {
            self.ack_due = Due::new(Some(now + cfg.delayed_ack));
        }
    }

    /// The delayed-ACK timer fired.
    fn send_delayed_ack(&mut self, now: SimTime, cfg: &TcpConfig, out: &mut TcpOutput) {
        if self.ack_due.get().is_some_and(|due| due <= now) {
            self.push_ack("delayed ACK", cfg, out);
        }
    }

    /// Sends a RST for this connection and closes it.
    pub fn abort(&mut self, out: &mut TcpOutput) {
        self.reset("reset: abortive close", out);
    }

    /// Closes the connection with a RST that gives `cause` in the trace
    /// (none where the peer has no connection to reset).
    fn reset(&mut self, cause: &'static str, out: &mut TcpOutput) {
        if matches!(
            self.state,
            TcpState::SynSent | TcpState::Closed | TcpState::TimeWait
        ) {
            self.close_now();
            return;
        }
        out.push(
            self.header(self.snd_nxt, TcpFlags::RST.with(TcpFlags::ACK), 0, 0),
            [&[], &[]],
            cause,
        );
        self.close_now();
    }

    /// ICMP destination unreachable about this connection. While connecting
    /// it ends the attempt (CB-C12, CB-C13; RFC 5461 §4 discusses treating it
    /// as a hard error in SYN_SENT, as Windows does); on a synchronized
    /// connection it is a soft error and is ignored (RFC 1122 §4.2.3.9).
    pub fn on_unreachable(
        &mut self,
        code: simsock_model::packet::UnreachableCode,
        out: &mut TcpOutput,
    ) {
        use simsock_model::packet::UnreachableCode;
        if self.state != TcpState::SynSent {
            return;
        }
        let error = match code {
            UnreachableCode::Net => TcpError::NetUnreachable,
            _ => TcpError::HostUnreachable,
        };
        self.fail(error, out);
    }

    fn close_now(&mut self) {
        self.state = TcpState::Closed;
        self.retransmit_at = Due::NONE;
        self.acked_all();
    }

    fn fail(&mut self, error: TcpError, out: &mut TcpOutput) {
        self.error = Some(error);
        self.close_now();
        out.notify = true;
    }
}

mod fastopen;
mod input;
mod timer;
mod user;

#[cfg(test)]
mod tests;
