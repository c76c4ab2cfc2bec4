//! simsock as a library: a scenario built as a Rust value (no RON), and a
//! simulated thread driven by a Rust closure that chooses each call from the
//! result of the last one.

use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;

use simsock_model::scenario::{
    Family, HostSpec, Kind, LinkSpec, Outcome, Scenario, Step, ThreadSpec, TimeSpec,
};
use simsock_model::{HostProfile, SimDuration, SimTime, WsaError};
use simsock_sim::scenario::{RunOptions, build, check, run};
use simsock_sim::thread::Completed;
use simsock_sim::winsock::{CallResult, Op, Value};
use simsock_tests::{MS, S, assert_passed, bundled, calls_named, load_file};

fn host(name: &str, addr: &str) -> HostSpec {
    HostSpec {
        name: name.into(),
        addrs: vec![addr.parse().expect("CIDR")],
        profile: HostProfile::default(),
        started: true,
    }
}

fn ms(n: u64) -> SimDuration {
    SimDuration::from_millis(n)
}

fn addr(text: &str) -> SocketAddr {
    text.parse().expect("socket address")
}

/// The server of the refused story: from 5 s it listens on port 80,
/// accepts one connection, reads "hello" and the end of the stream.
fn server_thread() -> ThreadSpec {
    ThreadSpec {
        host: "server".into(),
        name: "main".into(),
        start: SimDuration::from_secs(5),
        steps: vec![
            Step::Socket {
                name: "l".into(),
                family: Family::Inet,
                kind: Kind::Stream,
                expect: None,
            },
            Step::Bind {
                socket: "l".into(),
                addr: addr("0.0.0.0:80"),
                expect: Some(Outcome::Ok),
            },
            Step::Listen {
                socket: "l".into(),
                backlog: 5,
                expect: Some(Outcome::Ok),
            },
            Step::Accept {
                socket: "l".into(),
                name: "c".into(),
                expect: Some(Outcome::Ok),
                at: Some(TimeSpec::Exactly(ms(6_003))),
                took: None,
            },
            Step::Recv {
                socket: "c".into(),
                max: 100,
                expect: Some(Outcome::Data("hello".into())),
                at: None,
                took: None,
            },
            Step::Recv {
                socket: "c".into(),
                max: 100,
                expect: Some(Outcome::Bytes(0)),
                at: None,
                took: None,
            },
            Step::Close {
                socket: "c".into(),
                expect: None,
            },
            Step::Close {
                socket: "l".into(),
                expect: None,
            },
        ],
    }
}

/// The refused story of `scenarios/refused.ron`, as a Rust value.
fn refused_story() -> Scenario {
    let connect = |expect, took| Step::Connect {
        socket: "s".into(),
        to: addr("10.0.0.2:80"),
        namelen: None,
        expect: Some(expect),
        at: None,
        took: Some(TimeSpec::Exactly(took)),
    };
    let client = ThreadSpec {
        host: "client".into(),
        name: "main".into(),
        start: SimDuration::ZERO,
        steps: vec![
            Step::Socket {
                name: "s".into(),
                family: Family::Inet,
                kind: Kind::Stream,
                expect: None,
            },
            connect(Outcome::Err(WsaError::WSAECONNREFUSED), ms(2_010)),
            Step::LastError {
                expect: Some(Outcome::Err(WsaError::WSAECONNREFUSED)),
            },
            Step::SleepUntil(SimDuration::from_secs(6)),
            connect(Outcome::Ok, ms(2)),
            Step::Send {
                socket: "s".into(),
                data: Some("hello".into()),
                len: None,
                expect: Some(Outcome::Bytes(5)),
                at: None,
                took: None,
            },
            Step::Close {
                socket: "s".into(),
                expect: None,
            },
        ],
    };
    Scenario {
        name: "refused".into(),
        about: "Built in Rust: CB-C14, CB-C5.".into(),
        question: String::new(),
        seed: 7,
        hosts: vec![host("client", "10.0.0.1/24"), host("server", "10.0.0.2/24")],
        routers: vec![],
        switches: vec![],
        links: vec![LinkSpec {
            between: ("client".into(), "server".into()),
            latency: ms(1),
            jitter: SimDuration::ZERO,
            loss_ppm: 0,
            up: true,
        }],
        threads: vec![client, server_thread()],
        faults: vec![],
        limits: Default::default(),
        shuffle_ties: false,
    }
}

/// CB-C14, CB-C5: the refused story built from Rust values passes the
/// semantic check, runs, and its calls end with the right codes at the
/// right times: WSAECONNREFUSED after 2.010 s, then OK at 6.002 s.
#[test]
fn refused_story_built_in_rust() {
    let story = refused_story();
    check(&story, "").expect("a valid scenario");
    let report = run(&story, &RunOptions::default());
    assert_passed(&report);
    let connects = calls_named(&report, "client", "main", "connect(");
    let seen: Vec<_> = connects
        .iter()
        .map(|c| (c.result.as_str(), c.start_ns, c.end_ns))
        .collect();
    assert_eq!(
        seen,
        [
            ("WSAECONNREFUSED", 0, 2_010 * MS),
            ("OK", 6 * S, 6 * S + 2 * MS)
        ]
    );
    let recv = calls_named(&report, "server", "main", "recv(");
    assert_eq!(recv[0].detail, r#"OK (5 bytes: "hello")"#);
}

/// CB-C14: the Rust value and `scenarios/refused.ron` describe the same
/// run: their traces are identical, digest and lines.
#[test]
fn rust_story_and_ron_file_give_the_same_trace() {
    let from_rust = run(&refused_story(), &RunOptions::default());
    let from_ron = run(&load_file(&bundled("refused")), &RunOptions::default());
    assert_eq!(from_rust.trace_lines(), from_ron.trace_lines());
    assert_eq!(from_rust.digest, from_ron.digest);
}

/// A wrong expectation in a Rust-built scenario makes the run fail, with a
/// message naming the call (so the passing tests above can fail).
#[test]
fn a_wrong_expectation_fails_the_run() {
    let mut story = refused_story();
    story.threads[0].steps[1] = Step::Connect {
        socket: "s".into(),
        to: addr("10.0.0.2:80"),
        namelen: None,
        expect: Some(Outcome::Err(WsaError::WSAETIMEDOUT)),
        at: None,
        took: None,
    };
    let report = run(&story, &RunOptions::default());
    assert!(!report.passed);
    assert_eq!(
        report.failures,
        ["client/main: connect(s, 10.0.0.2:80): expected WSAETIMEDOUT, got WSAECONNREFUSED"]
    );
}

/// What the closure saw of one call: its text, result, start and end.
type Seen = (String, CallResult, SimTime, SimTime);

/// CB-C14, CB-C5, CB-N7: a thread driven by a Rust closure. The closure
/// connects; when it sees WSAECONNREFUSED it sleeps until 6 s and tries
/// again on the same socket, then sends "hello" and closes. It sees each
/// blocking call's outcome when the call returns: refused after 2.010 s,
/// connected at 6.002 s.
#[test]
fn closure_program_reacts_to_results() {
    let mut story = refused_story();
    story.threads.retain(|t| t.host == "server");
    let mut world = build(&story, &RunOptions::default());
    let client = world
        .hosts
        .iter()
        .position(|h| &*h.name == "client")
        .expect("client host");
    let s = world.hosts[client].slot_named("s");
    let to = addr("10.0.0.2:80");
    let seen: Rc<RefCell<Vec<Seen>>> = Rc::default();
    let log = Rc::clone(&seen);
    let mut retried = false;
    let program = move |last: Option<&Completed<'_>>| -> Option<Op> {
        if let Some(done) = last {
            log.borrow_mut()
                .push((format!("{:?}", done.op), done.result, done.start, done.end));
        }
        let Some(done) = last else {
            return Some(Op::Socket {
                slot: s,
                family: Family::Inet,
                kind: Kind::Stream,
            });
        };
        match (done.op, done.result) {
            (Op::Socket { .. }, Ok(_)) => Some(Op::Connect {
                slot: s,
                to,
                namelen: None,
            }),
            (Op::Connect { .. }, Err(WsaError::WSAECONNREFUSED)) if !retried => {
                retried = true;
                Some(Op::SleepUntil(SimTime(6 * S)))
            }
            (Op::SleepUntil(_), _) => Some(Op::Connect {
                slot: s,
                to,
                namelen: None,
            }),
            (Op::Connect { .. }, Ok(_)) => Some(Op::Send {
                slot: s,
                data: Rc::from(&b"hello"[..]),
            }),
            (Op::Send { .. }, Ok(_)) => Some(Op::Close { slot: s }),
            _ => None,
        }
    };
    world.spawn("client", "rust", Box::new(program));
    world.run().expect("no limit is hit");
    assert!(world.blocked_threads().is_empty(), "every thread finished");
    let failures: Vec<_> = world
        .calls
        .iter()
        .filter_map(|c| c.failure.clone())
        .collect();
    assert!(failures.is_empty(), "server expectations: {failures:?}");

    let seen = seen.borrow();
    let summary: Vec<_> = seen
        .iter()
        .map(|(op, result, start, end)| {
            let name = op.split([' ', '(']).next().unwrap_or("").to_string();
            (name, *result, start.as_nanos(), end.as_nanos())
        })
        .collect();
    let refused = Err(WsaError::WSAECONNREFUSED);
    let at_6_002 = 6 * S + 2 * MS;
    assert_eq!(
        summary,
        [
            ("Socket".into(), Ok(Value::Socket(0x100)), 0, 0),
            ("Connect".into(), refused, 0, 2_010 * MS),
            ("SleepUntil".into(), Ok(Value::None), 2_010 * MS, 6 * S),
            ("Connect".into(), Ok(Value::None), 6 * S, at_6_002),
            ("Send".into(), Ok(Value::Bytes(5)), at_6_002, at_6_002),
            ("Close".into(), Ok(Value::None), at_6_002, at_6_002),
        ]
    );
    // The closure's calls are in the trace under the thread's name.
    let lines: Vec<_> = world
        .trace()
        .events()
        .iter()
        .map(|e| world.trace().canonical(e))
        .filter(|l| l.contains(" return rust connect("))
        .collect();
    assert_eq!(
        lines,
        [
            "2010000000 client return rust connect(s, 10.0.0.2:80) = WSAECONNREFUSED (called at 0)",
            "6002000000 client return rust connect(s, 10.0.0.2:80) = OK (called at 6000000000)",
        ]
    );
}
