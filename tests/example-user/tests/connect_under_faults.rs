//! What a user writes: topologies in code, scripted and Rust threads, a
//! fault, and assertions on results, times and the trace.

use simsock_model::SimDuration;
use simsock_model::WsaError::{WSAECONNREFUSED, WSAETIMEDOUT};
use simsock_model::builder::ScenarioBuilder;
use simsock_model::scenario::{Family, FaultAction, FaultSpec, Kind, Outcome, Step};
use simsock_sim::Sim;
use simsock_sim::thread::Completed;
use simsock_sim::winsock::Op;

fn two_hosts(name: &str) -> ScenarioBuilder {
    ScenarioBuilder::new(name)
        .host("client", &["10.0.0.1/24"])
        .host("server", &["10.0.0.2/24"])
        .link("client", "server", "1ms")
}

fn server_listening_on_80() -> Vec<Step> {
    vec![
        Step::new_socket("l"),
        Step::bind("l", "0.0.0.0:80"),
        Step::listen("l", 5),
        Step::sleep("60s"),
    ]
}

/// CB-C15: the link goes down at 5 s; a connect at 6 s runs out of SYN
/// retransmissions 21 s later.
#[test]
fn a_cut_link_times_out_the_connect() {
    let scenario = two_hosts("cut")
        .thread("server", "main", server_listening_on_80())
        .thread_at(
            "client",
            "main",
            "6s",
            [
                Step::new_socket("s"),
                Step::connect("s", "10.0.0.2:80")
                    .expect(Outcome::Err(WSAETIMEDOUT))
                    .took("21s"),
            ],
        )
        .fault(FaultSpec::at(
            SimDuration::from_secs(5),
            FaultAction::LinkDown("client".into(), "server".into()),
        ))
        .build();
    let outcome = Sim::new(scenario).unwrap().seed(1).run();
    outcome.assert_passed();
    assert!(outcome.trace_contains("fault link client-server down"));
}

/// CB-C14, CB-C5: a Rust thread sees WSAECONNREFUSED, waits, and connects
/// on the same socket once the server listens. The server starts at 3 s:
/// a refusal takes 2.010 s on Windows 10/11 (4 re-sent SYNs), so a listener
/// up at 2 s would already catch the last re-sent SYN of the first attempt.
#[test]
fn a_rust_thread_retries_after_refused() {
    let scenario = two_hosts("retry")
        .thread_at("server", "main", "3s", server_listening_on_80())
        .build();
    let outcome = Sim::new(scenario)
        .unwrap()
        .thread("client", "rust", |sockets| {
            let s = sockets.named("s");
            let to = "10.0.0.2:80".parse().unwrap();
            move |last: Option<&Completed<'_>>| match last.map(|c| (c.op, c.result)) {
                None => Some(Op::Socket {
                    slot: s,
                    family: Family::Inet,
                    kind: Kind::Stream,
                }),
                Some((Op::Socket { .. }, _)) | Some((Op::Sleep(_), _)) => Some(Op::Connect {
                    slot: s,
                    to,
                    namelen: None,
                }),
                Some((Op::Connect { .. }, Err(WSAECONNREFUSED))) => {
                    Some(Op::Sleep(SimDuration::from_secs(1)))
                }
                Some((Op::Connect { .. }, Ok(_))) => Some(Op::Close { slot: s }),
                _ => None,
            }
        })
        .run();
    outcome.assert_passed();
    let connects: Vec<_> = outcome
        .calls("client", "rust")
        .filter(|c| c.call.starts_with("connect"))
        .collect();
    assert_eq!(connects.last().map(|c| c.result.as_str()), Some("OK"));
    assert!(
        connects.len() >= 2,
        "refused at least once before the server listened"
    );
    assert!(
        connects
            .iter()
            .rev()
            .skip(1)
            .all(|c| c.result == "WSAECONNREFUSED")
    );
}

/// A failing run's panic names the seed and says how to replay it.
#[test]
fn a_failing_run_names_its_seed_and_replay() {
    let scenario = two_hosts("wrong")
        .thread(
            "client",
            "main",
            [
                Step::new_socket("s"),
                Step::connect("s", "10.0.0.2:80").expect(Outcome::Ok),
            ],
        )
        .build();
    let outcome = Sim::new(scenario).unwrap().seed(42).run();
    assert!(!outcome.passed());
    let message = panic_message(&outcome);
    assert!(message.contains("failed with seed 42"), "{message}");
    assert!(
        message.contains("expected OK, got WSAECONNREFUSED"),
        "{message}"
    );
    assert!(
        message.contains("simsock run failing.ron --seed 42"),
        "{message}"
    );
    assert!(
        message.contains("Scenario("),
        "the scenario is printed as RON: {message}"
    );
}

/// The RON printed for replay loads back and fails the same way.
#[test]
fn the_printed_scenario_replays() {
    let scenario = two_hosts("wrong")
        .thread(
            "client",
            "main",
            [
                Step::new_socket("s"),
                Step::connect("s", "10.0.0.2:80").expect(Outcome::Ok),
            ],
        )
        .build();
    let outcome = Sim::new(scenario).unwrap().seed(42).run();
    let message = panic_message(&outcome);
    let ron_text = &message[message.find("Scenario(").expect("RON in the message")..];
    let replayed = Sim::from_ron(ron_text)
        .expect("the printed RON loads")
        .seed(42)
        .run();
    assert_eq!(replayed.report.digest, outcome.report.digest);
    assert_eq!(replayed.report.failures, outcome.report.failures);
}

/// The message `assert_passed` panics with.
fn panic_message(outcome: &simsock_sim::Outcome) -> String {
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| outcome.assert_passed()))
        .expect_err("the run failed, so assert_passed panics");
    panic.downcast_ref::<String>().cloned().unwrap_or_default()
}
