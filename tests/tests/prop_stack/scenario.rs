//! A [`Case`] as a scenario value: the same data a RON file holds, so a
//! failing case is written out as a file that `simsock run` replays.
//!
//! Every call that could wait forever is bounded: connect gives up after
//! its SYN retransmissions (21 s), accept returns when the listener closes
//! at [`LISTENER_CLOSE_S`], and the connected sockets are nonblocking
//! (CB-N1), with `select` time-outs where a thread waits for data.

use std::net::SocketAddr;

use simsock_model::limits::RunLimits;
use simsock_model::scenario::{
    Direction, FaultAction, FaultSpec, HostSpec, IoctlCommand, LinkSpec, Scenario, ShutdownHow,
    Step, ThreadSpec,
};
use simsock_model::{HostProfile, SimDuration};

use crate::case::{Action, Case, FaultKind, HostCase, LinkSetCase};

pub const CLIENT: &str = "a";
pub const SERVER: &str = "b";
pub const SERVER_ADDR: &str = "10.0.0.2:80";
/// The listener closes then; every connect has ended by then.
pub const LISTENER_CLOSE_S: u64 = 40;
/// Longest wait of one `select` in the final drain.
const DRAIN_SELECT_MS: u64 = 2_000;
/// Events one case may process. None of 10,000 cases (seed 15) processes
/// 20,000; a case past 300,000 is a stack that does not stop (two ends
/// that answer each other's ACKs, a timer re-armed at once), and fails
/// here in well under a second instead of running to the default
/// 10,000,000 events (seconds a run, hours for proptest to shrink it).
pub const CASE_MAX_EVENTS: u64 = 300_000;

fn ms(n: u64) -> SimDuration {
    SimDuration::from_millis(n)
}

/// The client thread of pair `i` and its socket variable.
pub fn client_names(i: usize) -> (String, String) {
    (format!("client{i}"), format!("c{i}"))
}

/// The acceptor thread of pair `i` and its socket variable.
pub fn server_names(i: usize) -> (String, String) {
    (format!("accept{i}"), format!("s{i}"))
}

/// `len` bytes of printable text, a pattern of its own for each stream and
/// send, so a byte read twice, lost or out of order shows.
pub fn pattern(stream: &str, index: usize, len: u32) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut state = stream
        .bytes()
        .fold(index as u64 ^ 0x9E37_79B9_7F4A_7C15, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
        });
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ALPHABET[(state >> 33) as usize % ALPHABET.len()] as char
        })
        .collect()
}

fn profile(h: &HostCase) -> HostProfile {
    HostProfile {
        tcp_timed_wait_delay: ms(h.time_wait_ms),
        mss: h.mss,
        receive_window: h.receive_window,
        send_buffer: h.send_buffer,
        tcp_ack_frequency: h.ack_frequency,
        tcp_del_ack_ticks: h.del_ack_ticks,
        ..HostProfile::default()
    }
}

fn host(name: &str, addr: &str, h: &HostCase) -> HostSpec {
    HostSpec {
        name: name.into(),
        addrs: vec![addr.parse().expect("CIDR")],
        profile: profile(h),
        started: true,
    }
}

/// The scenario of a case.
pub fn scenario(case: &Case) -> Scenario {
    let mut threads = vec![listener(case)];
    for i in 0..case.pairs.len() {
        threads.push(client(case, i));
        threads.push(acceptor(case, i));
    }
    Scenario {
        name: "prop-stack".into(),
        about: "A case of tests/tests/prop_stack: random calls over a faulty link.".into(),
        question: String::new(),
        seed: case.seed,
        hosts: vec![
            host(CLIENT, "10.0.0.1/24", &case.hosts[0]),
            host(SERVER, "10.0.0.2/24", &case.hosts[1]),
        ],
        routers: vec![],
        switches: vec![],
        links: vec![LinkSpec {
            between: (CLIENT.into(), SERVER.into()),
            latency: ms(case.link.latency_ms),
            jitter: ms(case.link.jitter_ms),
            loss_ppm: case.link.loss_ppm,
            up: true,
        }],
        threads,
        faults: faults(case),
        limits: RunLimits {
            max_events: CASE_MAX_EVENTS,
            ..RunLimits::default()
        },
        shuffle_ties: false,
    }
}

fn listener(case: &Case) -> ThreadSpec {
    let addr: SocketAddr = "0.0.0.0:80".parse().expect("address");
    ThreadSpec {
        host: SERVER.into(),
        name: "listener".into(),
        start: ms(case.listen_at_ms),
        steps: vec![
            Step::new_socket("l"),
            Step::Bind {
                socket: "l".into(),
                addr,
                expect: None,
            },
            Step::listen("l", 5),
            Step::SleepUntil(SimDuration::from_secs(LISTENER_CLOSE_S)),
            Step::close("l"),
        ],
    }
}

fn client(case: &Case, i: usize) -> ThreadSpec {
    let (name, s) = client_names(i);
    let mut steps = vec![
        Step::new_socket(&s),
        Step::connect(&s, SERVER_ADDR),
        nonblocking(&s),
        Step::GetSockName {
            socket: s.clone(),
            expect: None,
        },
    ];
    let pair = &case.pairs[i];
    steps.extend(actions(&s, &name, &pair.client));
    steps.extend(drain(&s, drain_rounds(case, &pair.server)));
    ThreadSpec {
        host: CLIENT.into(),
        name,
        start: ms(pair.start_ms),
        steps,
    }
}

fn acceptor(case: &Case, i: usize) -> ThreadSpec {
    let (name, s) = server_names(i);
    let mut steps = vec![
        Step::accept("l", &s),
        nonblocking(&s),
        Step::GetPeerName {
            socket: s.clone(),
            expect: None,
        },
    ];
    let pair = &case.pairs[i];
    steps.extend(actions(&s, &name, &pair.server));
    steps.extend(drain(&s, drain_rounds(case, &pair.client)));
    ThreadSpec {
        host: SERVER.into(),
        name,
        // After the listener thread's listen, which takes no time.
        start: ms(case.listen_at_ms + 1),
        steps,
    }
}

fn nonblocking(s: &str) -> Step {
    Step::IoctlSocket {
        socket: s.into(),
        command: IoctlCommand::FIONBIO,
        value: 1,
        expect: None,
    }
}

fn actions<'a>(
    s: &'a str,
    thread: &'a str,
    actions: &'a [Action],
) -> impl Iterator<Item = Step> + 'a {
    actions.iter().enumerate().map(move |(k, a)| match *a {
        Action::Send(len) => Step::send(s, &pattern(thread, k, len)),
        Action::Recv(max) => Step::recv(s, max),
        Action::Sleep(d) => Step::Sleep(ms(d)),
        Action::Shutdown(how) => Step::Shutdown {
            socket: s.into(),
            how,
            expect: None,
        },
        Action::Close => Step::close(s),
    })
}

/// Enough select-and-recv rounds to read everything the peer may send, one
/// segment a round, and its FIN.
fn drain_rounds(case: &Case, peer: &[Action]) -> u32 {
    let bytes: u32 = peer
        .iter()
        .map(|a| match a {
            Action::Send(n) => *n,
            _ => 0,
        })
        .sum();
    let mss = u32::from(case.hosts[0].mss.min(case.hosts[1].mss));
    bytes.div_ceil(mss) + 4
}

/// The end of a thread: no more sending, read until the peer's FIN (or an
/// error, or the rounds run out), close.
fn drain(s: &str, rounds: u32) -> Vec<Step> {
    vec![
        Step::Shutdown {
            socket: s.into(),
            how: ShutdownHow::Send,
            expect: None,
        },
        Step::Repeat {
            times: rounds,
            steps: vec![
                Step::Select {
                    read: vec![s.into()],
                    write: vec![],
                    except: vec![],
                    timeout: Some(ms(DRAIN_SELECT_MS)),
                    spi: false,
                    expect: None,
                    at: None,
                    took: None,
                },
                Step::recv(s, 65_535),
            ],
        },
        Step::close(s),
    ]
}

fn link_set(set: &LinkSetCase) -> FaultAction {
    FaultAction::LinkSet {
        between: (CLIENT.into(), SERVER.into()),
        direction: set.direction,
        latency: set.latency_ms.map(ms),
        jitter: set.jitter_ms.map(ms),
        loss_ppm: set.loss_ppm,
        duplicate_ppm: set.duplicate_ppm,
        duplicate_delay: set.duplicate_delay_ms.map(ms),
        reorder_ppm: set.reorder_ppm,
    }
}

fn faults(case: &Case) -> Vec<FaultSpec> {
    let link = || (CLIENT.to_string(), SERVER.to_string());
    let mut faults: Vec<FaultSpec> = case
        .faults
        .iter()
        .map(|f| {
            let action = match &f.kind {
                FaultKind::Set(set) => link_set(set),
                FaultKind::Down => FaultAction::LinkDown(link().0, link().1),
                FaultKind::Up => FaultAction::LinkUp(link().0, link().1),
                FaultKind::Partition => {
                    FaultAction::Partition(vec![vec![CLIENT.into()], vec![SERVER.into()]])
                }
                FaultKind::Heal => FaultAction::Heal,
            };
            FaultSpec::at(ms(f.at_ms), action)
        })
        .collect();
    if let Some(at) = case.restore_at_ms {
        let calm = LinkSetCase {
            direction: Direction::Both,
            latency_ms: Some(case.link.latency_ms),
            jitter_ms: Some(0),
            loss_ppm: Some(0),
            duplicate_ppm: Some(0),
            duplicate_delay_ms: Some(0),
            reorder_ppm: Some(0),
        };
        for action in [
            FaultAction::LinkUp(link().0, link().1),
            FaultAction::Heal,
            link_set(&calm),
        ] {
            faults.push(FaultSpec::at(ms(at), action));
        }
    }
    faults
}
