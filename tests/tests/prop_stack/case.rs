//! A random case of the property test, as plain data that proptest
//! generates and shrinks: two hosts on one link, pairs of threads (a client
//! on `a`, an acceptor on `b`) that connect and then make random calls at
//! random times, host profiles, and a random fault schedule over the link.
//! [`crate::scenario`] turns a case into a scenario value.

use proptest::collection::vec;
use proptest::prelude::*;
use simsock_model::scenario::{Direction, ShutdownHow};

/// One generated case.
#[derive(Clone, Debug)]
pub struct Case {
    pub seed: u64,
    pub link: LinkCase,
    /// The client host `a`, then the server host `b`.
    pub hosts: [HostCase; 2],
    /// When the server's listener is opened; a client that connects before
    /// is refused (CB-C14).
    pub listen_at_ms: u64,
    pub pairs: Vec<PairCase>,
    pub faults: Vec<FaultCase>,
    /// When every fault is undone (link up, partition healed, loss,
    /// duplication, reordering and jitter off), if ever.
    pub restore_at_ms: Option<u64>,
}

/// The link's settings at the start.
#[derive(Clone, Copy, Debug)]
pub struct LinkCase {
    pub latency_ms: u64,
    pub jitter_ms: u64,
    pub loss_ppm: u32,
}

/// A host's profile: the fields that shape a transfer and TIME_WAIT.
#[derive(Clone, Copy, Debug)]
pub struct HostCase {
    pub time_wait_ms: u64,
    pub mss: u16,
    pub receive_window: u16,
    pub send_buffer: u32,
    pub ack_frequency: u8,
    pub del_ack_ticks: u8,
}

/// One connection's two threads: the client's calls after its connect and
/// the acceptor's calls after its accept.
#[derive(Clone, Debug)]
pub struct PairCase {
    pub start_ms: u64,
    pub client: Vec<Action>,
    pub server: Vec<Action>,
}

/// A call (or a pause) on a connected, nonblocking socket.
#[derive(Clone, Copy, Debug)]
pub enum Action {
    /// send of this many bytes (a pattern unique to the stream and offset).
    Send(u32),
    /// recv into a buffer of this many bytes.
    Recv(u32),
    Sleep(u64),
    Shutdown(ShutdownHow),
    Close,
}

/// A fault at a time.
#[derive(Clone, Debug)]
pub struct FaultCase {
    pub at_ms: u64,
    pub kind: FaultKind,
}

#[derive(Clone, Debug)]
pub enum FaultKind {
    /// `LinkSet`: new settings for one or both directions.
    Set(LinkSetCase),
    Down,
    Up,
    /// The two hosts in different groups.
    Partition,
    Heal,
}

/// The settings a `LinkSet` changes; `None` keeps the current one.
#[derive(Clone, Copy, Debug)]
pub struct LinkSetCase {
    pub direction: Direction,
    pub latency_ms: Option<u64>,
    pub jitter_ms: Option<u64>,
    pub loss_ppm: Option<u32>,
    pub duplicate_ppm: Option<u32>,
    pub duplicate_delay_ms: Option<u64>,
    pub reorder_ppm: Option<u32>,
}

/// Faults happen in the first 20 s; clients start in the first 2 s.
pub const FAULT_WINDOW_MS: u64 = 20_000;

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        4 => (1u32..=6_000).prop_map(Action::Send),
        1 => (6_001u32..=40_000).prop_map(Action::Send),
        4 => (1u32..=70_000).prop_map(Action::Recv),
        3 => (0u64..=3_000).prop_map(Action::Sleep),
        1 => prop_oneof![
            Just(ShutdownHow::Send),
            Just(ShutdownHow::Receive),
            Just(ShutdownHow::Both)
        ]
        .prop_map(Action::Shutdown),
        1 => Just(Action::Close),
    ]
}

fn pair() -> impl Strategy<Value = PairCase> {
    (0u64..=2_000, vec(action(), 0..=10), vec(action(), 0..=10)).prop_map(
        |(start_ms, client, server)| PairCase {
            start_ms,
            client,
            server,
        },
    )
}

fn host() -> impl Strategy<Value = HostCase> {
    let time_wait = prop_oneof![
        Just(0u64),
        Just(1),
        Just(500),
        Just(2_000),
        Just(30_000),
        Just(240_000)
    ];
    (
        time_wait,
        64u16..=1460,
        0u8..=3,
        1u8..=3,
        0u8..=3,
        1024u32..=70_000,
    )
        .prop_map(
            |(time_wait_ms, mss, window_mss, ack_frequency, del_ack_ticks, send_buffer)| {
                // A window of one to a few segments, or the full 64 KiB.
                let receive_window = match window_mss {
                    0 => u16::MAX,
                    n => mss * (u16::from(n) * 2 - 1),
                };
                HostCase {
                    time_wait_ms,
                    mss,
                    receive_window,
                    send_buffer,
                    ack_frequency,
                    del_ack_ticks,
                }
            },
        )
}

fn ppm(max: u32) -> impl Strategy<Value = Option<u32>> {
    prop_oneof![2 => Just(None), 1 => Just(Some(0)), 2 => (1..=max).prop_map(Some)]
}

fn link_set() -> impl Strategy<Value = LinkSetCase> {
    let direction = prop_oneof![
        Just(Direction::Both),
        Just(Direction::Forward),
        Just(Direction::Backward)
    ];
    let ms = |max: u64| proptest::option::of(0..=max);
    (
        direction,
        (ms(50), ms(20), ppm(500_000)),
        (ppm(300_000), ms(2_000), ppm(300_000)),
    )
        .prop_map(
            |(direction, (latency_ms, jitter_ms, loss_ppm), (dup, dup_delay, reorder))| {
                LinkSetCase {
                    direction,
                    // A link's latency is at least 1 ms.
                    latency_ms: latency_ms.map(|l| l.max(1)),
                    jitter_ms,
                    loss_ppm,
                    duplicate_ppm: dup,
                    duplicate_delay_ms: dup_delay,
                    reorder_ppm: reorder,
                }
            },
        )
}

fn fault() -> impl Strategy<Value = FaultCase> {
    let kind = prop_oneof![
        4 => link_set().prop_map(FaultKind::Set),
        1 => Just(FaultKind::Down),
        1 => Just(FaultKind::Up),
        1 => Just(FaultKind::Partition),
        1 => Just(FaultKind::Heal),
    ];
    (0..FAULT_WINDOW_MS, kind).prop_map(|(at_ms, kind)| FaultCase { at_ms, kind })
}

/// Every random case.
pub fn case() -> impl Strategy<Value = Case> {
    let link = (
        1u64..=30,
        0u64..=10,
        prop_oneof![Just(0u32), 0u32..=100_000],
    )
        .prop_map(|(latency_ms, jitter_ms, loss_ppm)| LinkCase {
            latency_ms,
            jitter_ms,
            loss_ppm,
        });
    let restore = proptest::option::weighted(0.8, FAULT_WINDOW_MS..=FAULT_WINDOW_MS + 5_000);
    (
        any::<u64>(),
        link,
        [host(), host()],
        0u64..=1_500,
        vec(pair(), 1..=3),
        vec(fault(), 0..=6),
        restore,
    )
        .prop_map(
            |(seed, link, hosts, listen_at_ms, pairs, faults, restore_at_ms)| Case {
                seed,
                link,
                hosts,
                listen_at_ms,
                pairs,
                faults,
                restore_at_ms,
            },
        )
}
