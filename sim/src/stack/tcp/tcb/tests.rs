//! TCB tests grouped by state (RFC 9293 §3.10). Each test is a small script
//! of segments at simulated times; the ISNs are fixed by the fixture.

use std::net::{Ipv4Addr, SocketAddrV4};

use simsock_model::{HostProfile, SimDuration, SimTime, TcpFlags, TcpHeader, TcpState};

use super::{Tcb, TcpConfig, TcpError};
use crate::stack::tcp::output::TcpOutput;

const CLIENT_ISS: u32 = 1_000;
const SERVER_ISS: u32 = 5_000;

fn cfg() -> TcpConfig {
    TcpConfig::from(&HostProfile::default())
}

fn addr(last: u8, port: u16) -> SocketAddrV4 {
    SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, last), port)
}

fn ms(n: u64) -> SimTime {
    SimTime(n * 1_000_000)
}

fn secs(n: u64) -> SimTime {
    SimTime(n * 1_000_000_000)
}

/// The flags of every segment in an output, in order.
fn flags(out: &TcpOutput) -> Vec<String> {
    out.segments
        .iter()
        .map(|s| s.hdr.flags.to_string())
        .collect()
}

/// Feeds every segment of `out` to `to`, returning what `to` sent back.
fn deliver(out: &TcpOutput, to: &mut Tcb, now: SimTime, cfg: &TcpConfig) -> TcpOutput {
    let mut reply = TcpOutput::default();
    for seg in &out.segments {
        to.on_segment(now, &seg.hdr, out.payload(seg), cfg, &mut reply);
    }
    reply
}

fn connect(cfg: &TcpConfig) -> (Tcb, TcpOutput) {
    let mut out = TcpOutput::default();
    let tcb = Tcb::connect(
        SimTime::ZERO,
        addr(1, 49152),
        addr(2, 80),
        CLIENT_ISS,
        cfg,
        &mut out,
    );
    (tcb, out)
}

/// A client and a server after the three-way handshake at 0, 1 and 2 ms.
fn established(cfg: &TcpConfig) -> (Tcb, Tcb) {
    let (mut client, syn) = connect(cfg);
    let mut synack = TcpOutput::default();
    let mut server = Tcb::accept_syn(
        ms(1),
        addr(2, 80),
        addr(1, 49152),
        (&syn.segments[0].hdr, &[]),
        SERVER_ISS,
        cfg,
        &mut synack,
    );
    let ack = deliver(&synack, &mut client, ms(2), cfg);
    deliver(&ack, &mut server, ms(3), cfg);
    assert_eq!(
        (client.state, server.state),
        (TcpState::Established, TcpState::Established)
    );
    (client, server)
}

fn rst_for(syn: &TcpHeader) -> TcpHeader {
    TcpHeader {
        src_port: 80,
        dst_port: 49152,
        seq: 0,
        ack: syn.seq + 1,
        flags: TcpFlags::RST.with(TcpFlags::ACK),
        window: 0,
        len: 0,
    }
}

// SYN_SENT (§3.10.7.3)

#[test]
fn syn_sent_sends_syn_then_establishes_on_syn_ack() {
    let c = cfg();
    let (mut client, syn) = connect(&c);
    assert_eq!(flags(&syn), ["SYN"]);
    assert_eq!(syn.segments[0].hdr.seq, CLIENT_ISS);
    let synack = TcpHeader {
        src_port: 80,
        dst_port: 49152,
        seq: SERVER_ISS,
        ack: CLIENT_ISS + 1,
        flags: TcpFlags::SYN.with(TcpFlags::ACK),
        window: 1000,
        len: 0,
    };
    let mut out = TcpOutput::default();
    client.on_segment(ms(2), &synack, &[], &c, &mut out);
    assert_eq!(client.state, TcpState::Established);
    assert_eq!(flags(&out), ["ACK"]);
    assert_eq!(
        (out.segments[0].hdr.seq, out.segments[0].hdr.ack),
        (CLIENT_ISS + 1, SERVER_ISS + 1)
    );
    assert_eq!(client.established_at(), Some(ms(2)));
}

/// CB-C15: SYNs at 0, 3 and 9 s, WSAETIMEDOUT at 21 s under the default profile.
#[test]
fn syn_sent_retransmits_on_the_doubling_schedule_then_times_out() {
    let c = cfg();
    let (mut client, _) = connect(&c);
    let mut sent_at = vec![];
    while let Some(due) = client.deadline() {
        let mut out = TcpOutput::default();
        client.on_timer(due, &c, &mut out);
        if !out.segments.is_empty() {
            assert_eq!(out.segments[0].cause, "retransmission");
            sent_at.push(due);
        }
    }
    assert_eq!(sent_at, [secs(3), secs(9)]);
    assert_eq!(
        (client.state, client.error),
        (TcpState::Closed, Some(TcpError::TimedOut))
    );
}

/// CB-C14 at the documents' timing: an RST that acknowledges the SYN refuses at once.
#[test]
fn syn_sent_rst_refuses_at_once_without_retries() {
    let c = TcpConfig {
        refused_syn_retries: 0,
        ..cfg()
    };
    let (mut client, syn) = connect(&c);
    let mut out = TcpOutput::default();
    client.on_segment(ms(2), &rst_for(&syn.segments[0].hdr), &[], &c, &mut out);
    assert_eq!(
        (client.state, client.error),
        (TcpState::Closed, Some(TcpError::Refused))
    );
    assert!(out.notify);
}

/// CB-C14 with Windows' observed behaviour: the SYN is re-sent 4 times,
/// 500 ms apart, not doubled, before the refusal (`refused_syn_retries`).
#[test]
fn syn_sent_rst_re_sends_the_syn_at_a_fixed_interval() {
    let c = cfg();
    let (mut client, syn) = connect(&c);
    let rst = rst_for(&syn.segments[0].hdr);
    let mut now = ms(2);
    for _ in 0..4 {
        client.on_segment(now, &rst, &[], &c, &mut TcpOutput::default());
        assert_eq!(client.deadline(), Some(now + SimDuration::from_millis(500)));
        let mut out = TcpOutput::default();
        client.on_timer(client.deadline().unwrap(), &c, &mut out);
        assert_eq!(flags(&out), ["SYN"]);
        now = now + SimDuration::from_millis(502);
    }
    client.on_segment(now, &rst, &[], &c, &mut TcpOutput::default());
    assert_eq!(client.error, Some(TcpError::Refused));
}

/// §3.10.7.3: an RST whose ACK does not acknowledge our SYN is ignored.
#[test]
fn syn_sent_ignores_rst_with_unacceptable_ack() {
    let c = cfg();
    let (mut client, syn) = connect(&c);
    let mut rst = rst_for(&syn.segments[0].hdr);
    rst.ack += 7;
    client.on_segment(ms(2), &rst, &[], &c, &mut TcpOutput::default());
    assert_eq!(client.state, TcpState::SynSent);
}

// SYN_RECEIVED

#[test]
fn syn_received_answers_syn_ack_and_retransmits_it() {
    let c = cfg();
    let (_, syn) = connect(&c);
    let mut out = TcpOutput::default();
    let mut server = Tcb::accept_syn(
        ms(1),
        addr(2, 80),
        addr(1, 49152),
        (&syn.segments[0].hdr, &[]),
        SERVER_ISS,
        &c,
        &mut out,
    );
    assert_eq!(flags(&out), ["SYN,ACK"]);
    assert_eq!(out.segments[0].hdr.ack, CLIENT_ISS + 1);
    let mut again = TcpOutput::default();
    server.on_timer(ms(1) + SimDuration::from_secs(3), &c, &mut again);
    assert_eq!(flags(&again), ["SYN,ACK"]);
    assert_eq!(server.state, TcpState::SynReceived);
}

// ESTABLISHED

/// RFC 9293 §3.10.7.4 with Windows' delayed ACK (RFC 1122 §4.2.3.2,
/// TcpDelAckTicks 2): one segment is acknowledged when the 200 ms timer fires.
#[test]
fn established_delivers_in_order_data_and_acks_it_after_the_delay() {
    let c = cfg();
    let (mut client, mut server) = established(&c);
    let mut out = TcpOutput::default();
    assert_eq!(client.send(ms(10), b"hello", 65_536, &c, &mut out), 5);
    assert_eq!(flags(&out), ["PSH,ACK"]);
    assert!(deliver(&out, &mut server, ms(11), &c).segments.is_empty());
    assert_eq!(server.deadline(), Some(ms(211)));
    let mut got = vec![];
    server.recv(100, &mut got, &c, &mut TcpOutput::default());
    assert_eq!(got, b"hello");
    let mut ack = TcpOutput::default();
    server.on_timer(ms(211), &c, &mut ack);
    assert_eq!(flags(&ack), ["ACK"]);
    assert_eq!(ack.segments[0].cause, "delayed ACK");
    assert_eq!(ack.segments[0].hdr.ack, CLIENT_ISS + 1 + 5);
    assert_eq!(server.deadline(), None);
    deliver(&ack, &mut client, ms(212), &c);
    assert_eq!(client.send_queued(), 0);
    assert_eq!(client.deadline(), None);
}

/// TcpAckFrequency 2: the second unacknowledged segment is acknowledged at
/// once, and the pending delayed ACK with it.
#[test]
fn every_second_segment_is_acknowledged_at_once() {
    let c = cfg();
    let (mut client, mut server) = established(&c);
    let mut first = TcpOutput::default();
    client.send(ms(10), b"one", 65_536, &c, &mut first);
    let mut second = TcpOutput::default();
    client.send(ms(20), b"two", 65_536, &c, &mut second);
    assert!(deliver(&first, &mut server, ms(11), &c).segments.is_empty());
    let ack = deliver(&second, &mut server, ms(21), &c);
    assert_eq!(flags(&ack), ["ACK"]);
    assert_eq!(ack.segments[0].hdr.ack, CLIENT_ISS + 1 + 6);
    assert_eq!(server.deadline(), None, "no delayed ACK left pending");
}

/// TcpAckFrequency 3: the second segment waits too, and the timer the first
/// started is not restarted (RFC 1122 §4.2.3.2: no ACK waits 0.5 s).
#[test]
fn later_segments_do_not_restart_the_delayed_ack_timer() {
    let c = TcpConfig {
        ack_frequency: 3,
        ..cfg()
    };
    let (mut client, mut server) = established(&c);
    for (at, data) in [(10, b"one"), (110, b"two")] {
        let mut out = TcpOutput::default();
        client.send(ms(at), data, 65_536, &c, &mut out);
        assert!(
            deliver(&out, &mut server, ms(at + 1), &c)
                .segments
                .is_empty()
        );
    }
    assert_eq!(server.deadline(), Some(ms(211)));
    let mut ack = TcpOutput::default();
    server.on_timer(ms(211), &c, &mut ack);
    assert_eq!(ack.segments[0].hdr.ack, CLIENT_ISS + 1 + 6);
}

/// A reply carries the ACK (RFC 1122 §4.2.3.2's purpose): no bare ACK, and
/// the delayed-ACK timer is off.
#[test]
fn a_reply_carries_the_delayed_ack() {
    let c = cfg();
    let (mut client, mut server) = established(&c);
    let mut out = TcpOutput::default();
    client.send(ms(10), b"ping", 65_536, &c, &mut out);
    deliver(&out, &mut server, ms(11), &c);
    let mut reply = TcpOutput::default();
    server.send(ms(11), b"pong", 65_536, &c, &mut reply);
    assert_eq!(flags(&reply), ["PSH,ACK"]);
    assert_eq!(reply.segments[0].hdr.ack, CLIENT_ISS + 1 + 4);
    assert_eq!(server.deadline(), Some(ms(11) + c.min_rto), "only the RTO");
}

/// TcpDelAckTicks 0 turns delayed acknowledgment off; a FIN is
/// acknowledged at once either way (our reading, see `Tcb::delay_ack`).
#[test]
fn without_delayed_ack_and_for_a_fin_the_ack_is_immediate() {
    let off = TcpConfig {
        delayed_ack: SimDuration::ZERO,
        ..cfg()
    };
    let (mut client, mut server) = established(&off);
    let mut out = TcpOutput::default();
    client.send(ms(10), b"hello", 65_536, &off, &mut out);
    assert_eq!(flags(&deliver(&out, &mut server, ms(11), &off)), ["ACK"]);
    let c = cfg();
    let (mut client, mut server) = established(&c);
    let mut fin = TcpOutput::default();
    client.close(ms(10), &c, &mut fin);
    assert_eq!(flags(&deliver(&fin, &mut server, ms(11), &c)), ["ACK"]);
}

/// Out-of-order data is not queued (documented divergence): duplicate ACK.
#[test]
fn established_drops_out_of_order_data_with_a_duplicate_ack() {
    let c = cfg();
    let (_, mut server) = established(&c);
    let seg = TcpHeader {
        src_port: 49152,
        dst_port: 80,
        seq: CLIENT_ISS + 1 + 10,
        ack: SERVER_ISS + 1,
        flags: TcpFlags::ACK,
        window: 1000,
        len: 3,
    };
    let mut out = TcpOutput::default();
    server.on_segment(ms(5), &seg, b"abc", &c, &mut out);
    assert_eq!(flags(&out), ["ACK"]);
    assert_eq!(out.segments[0].hdr.ack, CLIENT_ISS + 1);
    assert!(server.recv_buf.is_empty());
}

/// Data the receive window cut short is acknowledged at once, not delayed
/// (RFC 9293 §3.10.7.4: the ACK tells the sender where to resume; RFC 1122
/// §4.2.3.2 delays only what the receiver took).
#[test]
fn data_cut_short_by_the_window_is_acknowledged_at_once() {
    let c = TcpConfig {
        receive_window: 4,
        ..cfg()
    };
    let (_, mut server) = established(&c);
    let seg = TcpHeader {
        src_port: 49152,
        dst_port: 80,
        seq: CLIENT_ISS + 1,
        ack: SERVER_ISS + 1,
        flags: TcpFlags::ACK.with(TcpFlags::PSH),
        window: 1000,
        len: 6,
    };
    let mut out = TcpOutput::default();
    server.on_segment(ms(5), &seg, b"abcdef", &c, &mut out);
    assert_eq!(flags(&out), ["ACK"]);
    assert_eq!(out.segments[0].hdr.ack, CLIENT_ISS + 1 + 4);
    assert_eq!(out.segments[0].hdr.window, 0);
    assert_eq!(server.deadline(), None, "no delayed ACK pending");
}

/// RFC 6298 §5: unacknowledged data is sent again from SND.UNA when the timer
/// fires; after max_data_retransmissions the connection is reset and aborted.
#[test]
fn established_retransmits_then_aborts() {
    let c = cfg();
    let (mut client, _) = established(&c);
    let mut out = TcpOutput::default();
    client.send(ms(10), b"data", 65_536, &c, &mut out);
    let first_seq = out.segments[0].hdr.seq;
    let mut retransmissions = 0;
    while let Some(due) = client.deadline() {
        let mut out = TcpOutput::default();
        client.on_timer(due, &c, &mut out);
        if client.state == TcpState::Closed {
            assert_eq!(flags(&out), ["RST,ACK"]);
            break;
        }
        assert_eq!(
            (out.segments[0].hdr.seq, out.segments[0].cause),
            (first_seq, "retransmission")
        );
        retransmissions += 1;
    }
    assert_eq!(retransmissions, c.max_data_retransmissions);
    assert_eq!(client.error, Some(TcpError::Aborted));
}

/// RFC 6298 §2.2: the first sample sets SRTT = R and RTTVAR = R/2, so the RTO
/// is 3R, then clamped up to min_rto (300 ms).
#[test]
fn first_rtt_sample_sets_the_rto() {
    let c = cfg();
    let (mut client, _) = established(&c);
    let mut out = TcpOutput::default();
    client.send(ms(10), b"x", 65_536, &c, &mut out);
    assert_eq!(
        client.deadline(),
        Some(ms(10) + SimDuration::from_millis(300))
    );
}

/// RFC 5961 §4.2: a SYN on a synchronized connection gets a challenge ACK.
#[test]
fn established_answers_syn_with_a_challenge_ack() {
    let c = cfg();
    let (_, mut server) = established(&c);
    let syn = TcpHeader {
        src_port: 49152,
        dst_port: 80,
        seq: CLIENT_ISS + 1,
        ack: 0,
        flags: TcpFlags::SYN,
        window: 1000,
        len: 0,
    };
    let mut out = TcpOutput::default();
    server.on_segment(ms(5), &syn, &[], &c, &mut out);
    assert_eq!(flags(&out), ["ACK"]);
    assert_eq!(server.state, TcpState::Established);
}

/// §3.10.7.4 and RFC 5961 §3.2: an exact RST resets; an inexact one in the
/// window only draws a challenge ACK.
#[test]
fn established_rst_must_match_rcv_nxt() {
    let c = cfg();
    let (_, mut server) = established(&c);
    let mut rst = TcpHeader {
        src_port: 49152,
        dst_port: 80,
        seq: CLIENT_ISS + 3,
        ack: 0,
        flags: TcpFlags::RST,
        window: 0,
        len: 0,
    };
    let mut out = TcpOutput::default();
    server.on_segment(ms(5), &rst, &[], &c, &mut out);
    assert_eq!(
        (server.state, flags(&out)),
        (TcpState::Established, vec!["ACK".to_string()])
    );
    rst.seq = CLIENT_ISS + 1;
    server.on_segment(ms(6), &rst, &[], &c, &mut TcpOutput::default());
    assert_eq!(
        (server.state, server.error),
        (TcpState::Closed, Some(TcpError::Reset))
    );
}

// Closing: FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, LAST_ACK, CLOSING, TIME_WAIT

/// CB-T1: the side that closes first ends in TIME_WAIT; the other passes
/// CLOSE_WAIT and LAST_ACK to CLOSED.
#[test]
fn active_and_passive_close() {
    let c = cfg();
    let (mut client, mut server) = established(&c);
    let mut fin = TcpOutput::default();
    client.close(ms(10), &c, &mut fin);
    assert_eq!(
        (client.state, flags(&fin)),
        (TcpState::FinWait1, vec!["FIN,ACK".to_string()])
    );
    let ack = deliver(&fin, &mut server, ms(11), &c);
    assert_eq!(server.state, TcpState::CloseWait);
    assert!(server.peer_fin);
    deliver(&ack, &mut client, ms(12), &c);
    assert_eq!(client.state, TcpState::FinWait2);
    let mut server_fin = TcpOutput::default();
    server.close(ms(13), &c, &mut server_fin);
    assert_eq!(server.state, TcpState::LastAck);
    let last_ack = deliver(&server_fin, &mut client, ms(14), &c);
    assert_eq!(
        (client.state, flags(&last_ack)),
        (TcpState::TimeWait, vec!["ACK".to_string()])
    );
    deliver(&last_ack, &mut server, ms(15), &c);
    assert_eq!(server.state, TcpState::Closed);
    assert_eq!(server.error, None);
}

/// Simultaneous close: both FINs cross, both sides pass CLOSING to TIME_WAIT.
#[test]
fn simultaneous_close_passes_closing() {
    let c = cfg();
    let (mut client, mut server) = established(&c);
    let (mut fin_c, mut fin_s) = (TcpOutput::default(), TcpOutput::default());
    client.close(ms(10), &c, &mut fin_c);
    server.close(ms(10), &c, &mut fin_s);
    let ack_from_client = deliver(&fin_s, &mut client, ms(11), &c);
    let ack_from_server = deliver(&fin_c, &mut server, ms(11), &c);
    assert_eq!(
        (client.state, server.state),
        (TcpState::Closing, TcpState::Closing)
    );
    deliver(&ack_from_server, &mut client, ms(12), &c);
    deliver(&ack_from_client, &mut server, ms(12), &c);
    assert_eq!(
        (client.state, server.state),
        (TcpState::TimeWait, TcpState::TimeWait)
    );
}

/// A FIN lost on the way is sent again by the retransmission timer.
#[test]
fn fin_wait_1_retransmits_the_fin() {
    let c = cfg();
    let (mut client, _) = established(&c);
    let mut fin = TcpOutput::default();
    client.close(ms(10), &c, &mut fin);
    let mut again = TcpOutput::default();
    client.on_timer(client.deadline().unwrap(), &c, &mut again);
    assert_eq!(flags(&again), ["FIN,ACK"]);
    assert_eq!(again.segments[0].hdr.seq, fin.segments[0].hdr.seq);
    assert_eq!(client.state, TcpState::FinWait1);
}

/// `Tcb::transmit`'s fast path (nothing to send) is checked against the
/// full step on a copy at every call in tests; this script reaches it in
/// each state that sends, with data in flight and without.
#[test]
fn transmit_fast_path_is_the_full_step() {
    let c = cfg();
    let (mut client, mut server) = established(&c);
    let mut data = TcpOutput::default();
    client.send(ms(10), &[7; 3000], 8192, &c, &mut data);
    assert_eq!(data.segments.len(), 3, "1460 + 1460 + 80 bytes");
    let mut first = TcpOutput::default();
    first.push(
        data.segments[0].hdr,
        [data.payload(&data.segments[0]), &[]],
        "",
    );
    // The server has nothing to send; the client, two segments in flight.
    let ack = deliver(&first, &mut server, ms(11), &c);
    let ack = match ack.segments.is_empty() {
        true => {
            let mut late = TcpOutput::default();
            server.on_timer(server.deadline().unwrap(), &c, &mut late);
            late
        }
        false => ack,
    };
    deliver(&ack, &mut client, ms(12), &c);
    assert!(
        client.deadline().is_some(),
        "data in flight keeps the timer"
    );
    let mut fin = TcpOutput::default();
    server.close(ms(13), &c, &mut fin);
    assert_eq!(server.state, TcpState::FinWait1);
    deliver(&fin, &mut client, ms(14), &c);
    assert_eq!(client.state, TcpState::CloseWait);
    let mut last = TcpOutput::default();
    client.close(ms(15), &c, &mut last);
    assert_eq!(client.state, TcpState::LastAck);
    deliver(&last, &mut server, ms(16), &c);
}
