//! The user's own tokio code on simulated sockets (issue 13,
//! `simsock_sim::async_net`): outcomes and their Windows timings come from
//! the simulated network, and a seed replays a run exactly.

use std::io::ErrorKind;
use std::time::Duration;

use simsock_sim::async_net::{Sim, TcpListener, TcpStream, UdpSocket, wsa_code};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

const PAIR: &str = r#"Scenario(
    name: "async-pair",
    hosts: [Host(name: "client", addrs: ["10.0.0.1/24"]),
            Host(name: "server", addrs: ["10.0.0.2/24"])],
    links: [Link(between: ("client", "server"), latency: "1ms")],
)"#;

/// A scenario like PAIR with extra faults.
fn pair_with(faults: &str) -> String {
    PAIR.replace(
        "    links: [",
        &format!("    faults: [{faults}],\n    links: ["),
    )
}

/// The echo server of these tests: each connection on its own task.
async fn echo_server() -> std::io::Result<()> {
    let listener = TcpListener::bind("0.0.0.0:80").await?;
    loop {
        let (mut stream, _) = listener.accept().await?;
        tokio::task::spawn_local(async move {
            let mut buf = [0u8; 1024];
            loop {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        if stream.write_all(&buf[..n]).await.is_err() {
                            return;
                        }
                    }
                }
            }
        });
    }
}

#[test]
fn a_client_echoes_through_the_simulated_stack() {
    let mut sim = Sim::from_ron(PAIR).unwrap();
    sim.host("server", echo_server);
    sim.client("client", async {
        let start = Instant::now();
        let mut stream = TcpStream::connect("server:80").await?;
        // SYN, SYN-ACK over a 1 ms link: connected 2 ms in.
        assert_eq!(start.elapsed(), Duration::from_millis(2));
        assert_eq!(stream.peer_addr()?.to_string(), "10.0.0.2:80");
        assert_eq!(stream.local_addr()?.ip().to_string(), "10.0.0.1");
        stream.write_all(b"hello").await?;
        let mut buf = [0u8; 5];
        stream.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"hello");
        stream.shutdown().await?;
        Ok::<_, std::io::Error>(())
    });
    let outcome = sim.run();
    outcome.assert_passed();
    assert!(
        outcome
            .report
            .calls
            .iter()
            .any(|c| c.call.starts_with("connect("))
    );
}

#[test]
fn a_refused_connect_takes_the_windows_syn_resends() {
    let mut sim = Sim::from_ron(PAIR).unwrap();
    sim.client("client", async {
        let start = Instant::now();
        let error = TcpStream::connect("server:80").await.unwrap_err();
        let took = start.elapsed();
        assert_eq!(error.kind(), ErrorKind::ConnectionRefused, "{error}");
        assert_eq!(wsa_code(&error), Some(10061));
        // Windows re-sends the SYN 4 times, 500 ms apart, after each RST
        // (README's refused ladder: the last RST at 2.009 s).
        assert!(
            took >= Duration::from_millis(2009) && took <= Duration::from_millis(2011),
            "{took:?}"
        );
        Ok::<_, std::io::Error>(())
    });
    sim.run().assert_passed();
}

#[test]
fn a_black_hole_connect_times_out_after_21_s_and_timeouts_follow_simulated_time() {
    let text = pair_with(r#"Fault(at: "0s", action: LinkDown("client", "server"))"#);
    let mut sim = Sim::from_ron(&text).unwrap();
    sim.host("server", echo_server);
    sim.client("client", async {
        let start = Instant::now();
        // The user's own 3 s timeout fires first, at 3 s of simulated time.
        let quick =
            tokio::time::timeout(Duration::from_secs(3), TcpStream::connect("server:80")).await;
        assert!(quick.is_err(), "the timeout fires");
        assert_eq!(start.elapsed(), Duration::from_secs(3));
        let start = Instant::now();
        let error = TcpStream::connect("server:80").await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::TimedOut, "{error}");
        assert_eq!(wsa_code(&error), Some(10060));
        assert_eq!(start.elapsed(), Duration::from_secs(21));
        Ok::<_, std::io::Error>(())
    });
    sim.run().assert_passed();
}

#[test]
fn a_crash_and_restart_resets_the_connection_and_reruns_the_host() {
    let text = pair_with(
        r#"Fault(at: "1s", action: HostCrash("server")), Fault(at: "2s", action: HostRestart("server"))"#,
    );
    let mut sim = Sim::from_ron(&text).unwrap();
    sim.host("server", echo_server);
    sim.client("client", async {
        let mut stream = TcpStream::connect("server:80").await?;
        tokio::time::sleep(Duration::from_secs(3)).await;
        // The restarted stack answers the old connection's data with RST.
        stream.write_all(b"ping").await?;
        let mut buf = [0u8; 4];
        let error = stream.read(&mut buf).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::ConnectionReset, "{error}");
        // The server's code ran again after the restart: a new connection works.
        let mut again = TcpStream::connect("server:80").await?;
        again.write_all(b"pong").await?;
        again.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"pong");
        Ok::<_, std::io::Error>(())
    });
    let outcome = sim.run();
    outcome.assert_passed();
}

#[test]
fn udp_datagrams_go_both_ways() {
    let mut sim = Sim::from_ron(PAIR).unwrap();
    sim.host("server", || async {
        let socket = UdpSocket::bind("0.0.0.0:53").await?;
        let mut buf = [0u8; 512];
        let (n, from) = socket.recv_from(&mut buf).await?;
        socket.send_to(&buf[..n], from).await?;
        Ok::<_, std::io::Error>(())
    });
    sim.client("client", async {
        let socket = UdpSocket::bind("0.0.0.0:0").await?;
        socket.connect("server:53").await?;
        socket.send(b"query").await?;
        let mut buf = [0u8; 512];
        let n = socket.recv(&mut buf).await?;
        assert_eq!(&buf[..n], b"query");
        Ok::<_, std::io::Error>(())
    });
    sim.run().assert_passed();
}

#[test]
fn an_unknown_host_name_fails_as_a_resolver_does() {
    let mut sim = Sim::from_ron(PAIR).unwrap();
    sim.client("client", async {
        let error = TcpStream::connect("nowhere:80").await.unwrap_err();
        assert!(
            error.to_string().contains("No such host is known"),
            "{error}"
        );
        assert!(error.to_string().contains("nowhere"), "{error}");
        Ok::<_, std::io::Error>(())
    });
    sim.run().assert_passed();
}

#[test]
fn a_client_error_fails_the_run_with_the_seed_and_the_trace() {
    let mut sim = Sim::from_ron(PAIR).unwrap().seed(5);
    sim.client("client", async {
        TcpStream::connect("server:80").await?;
        Ok::<_, std::io::Error>(())
    });
    let outcome = sim.run();
    assert!(!outcome.passed());
    let message = std::panic::catch_unwind(|| outcome.assert_passed())
        .unwrap_err()
        .downcast::<String>()
        .unwrap();
    println!("{message}");
    assert!(message.contains("seed 5"), "{message}");
    assert!(message.contains("WSAECONNREFUSED"), "{message}");
    // The refusal surfaced through SO_ERROR, as a Windows reactor reads
    // it; its why tells the SYNs' story.
    assert!(
        message.contains(
            "last failed call: client/tokio: getsockopt(t1, SO_ERROR) -> OK (10061)\n  \
             why: WSAECONNREFUSED (SO_ERROR) at 2.010 s: SYN answered with RST by server \
             (reset: no listener) at 0.001, 0.503, 1.005, 1.507 and 2.009 s\n"
        ),
        "{message}"
    );
    assert!(message.contains("last trace lines"), "{message}");
    assert!(
        message.contains("return tokio getsockopt(t1, SO_ERROR) = OK (10061)"),
        "{message}"
    );
}

/// A black-hole connect's timeout, read through SO_ERROR, says where each
/// SYN went.
#[test]
fn a_timed_out_connect_says_why_in_the_failure_message() {
    let text = pair_with(r#"Fault(at: "0s", action: LinkDown("client", "server"))"#);
    let mut sim = Sim::from_ron(&text).unwrap().seed(3);
    sim.client("client", async {
        TcpStream::connect("server:80").await?;
        Ok::<_, std::io::Error>(())
    });
    let outcome = sim.run();
    let message = std::panic::catch_unwind(|| outcome.assert_passed())
        .unwrap_err()
        .downcast::<String>()
        .unwrap();
    assert!(message.contains("with seed 3:\n"), "{message}");
    assert!(
        message.contains(
            "  why: WSAETIMEDOUT (SO_ERROR) at 21.000 s: SYN sent at 0, 3 and 9 s; \
             all dropped on link client-server (down since 0.000 s)\n"
        ),
        "{message}"
    );
}

/// One run of a busy async scenario: its digest.
fn busy_run(seed: u64) -> String {
    let text = PAIR.replace(
        r#"latency: "1ms")"#,
        r#"latency: "1ms", jitter: "3ms", loss_ppm: 50000)"#,
    );
    let mut sim = Sim::from_ron(&text).unwrap().seed(seed);
    sim.host("server", echo_server);
    for i in 0..3u8 {
        sim.client("client", async move {
            tokio::time::sleep(Duration::from_millis(u64::from(i) * 7)).await;
            let mut stream = TcpStream::connect("server:80").await?;
            let data = vec![i; 3000];
            stream.write_all(&data).await?;
            let mut back = vec![0u8; 3000];
            stream.read_exact(&mut back).await?;
            assert_eq!(back, data);
            Ok::<_, std::io::Error>(())
        });
    }
    let outcome = sim.run();
    outcome.assert_passed();
    outcome.digest().to_string()
}

#[test]
fn the_same_seed_gives_the_same_digest_with_async_code() {
    let first = busy_run(11);
    assert_eq!(first, busy_run(11), "same seed, same process");
    assert_ne!(first, busy_run(12), "another seed, another run");
}

#[test]
fn a_panic_in_a_client_fails_the_run_with_its_message() {
    let mut sim = Sim::from_ron(PAIR).unwrap();
    sim.client("client", async {
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert_eq!(1 + 1, 3, "the user's own assertion");
        Ok::<_, std::io::Error>(())
    });
    let outcome = sim.run();
    let error = outcome.clients[0].result.as_ref().unwrap_err();
    assert!(error.contains("the user's own assertion"), "{error}");
}

/// Ten simulated minutes of idle, with and without engine events pending
/// (a TIME_WAIT record): the CPU it costs is printed (`--nocapture`).
#[test]
fn idle_time_costs_little() {
    for (idle_s, linger) in [(1u64, true), (600, true), (600, false)] {
        let mut sim = Sim::from_ron(PAIR).unwrap();
        sim.host("server", echo_server);
        sim.client("client", async move {
            if linger {
                let stream = TcpStream::connect("server:80").await?;
                drop(stream); // leaves TIME_WAIT: engine events pending
            }
            let start = Instant::now();
            tokio::time::sleep(Duration::from_secs(idle_s)).await;
            assert_eq!(start.elapsed(), Duration::from_secs(idle_s));
            Ok::<_, std::io::Error>(())
        });
        #[allow(
            clippy::disallowed_types,
            clippy::disallowed_methods,
            reason = "measures the cost"
        )]
        let wall = std::time::Instant::now();
        let outcome = sim.run();
        outcome.assert_passed();
        println!(
            "idle {idle_s} s (engine events pending: {linger}): {:?} wall, {} events",
            wall.elapsed(),
            outcome.report.events
        );
    }
}

#[test]
fn faults_called_at_run_time_take_effect_now_and_are_traced() {
    use simsock_model::scenario::FaultAction;
    use simsock_sim::async_net::fault;
    let mut sim = Sim::from_ron(PAIR).unwrap();
    sim.host("server", echo_server);
    sim.client("client", async {
        let mut stream = TcpStream::connect("server:80").await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        fault(FaultAction::Partition(vec![
            vec!["client".into()],
            vec!["server".into()],
        ]))?;
        stream.write_all(b"held").await?;
        let start = Instant::now();
        tokio::time::sleep(Duration::from_secs(2)).await;
        fault(FaultAction::Heal)?;
        let mut buf = [0u8; 4];
        stream.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"held");
        assert!(start.elapsed() >= Duration::from_secs(2));
        let error = fault(FaultAction::HostCrash("nowhere".into())).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(error.to_string().contains("nowhere"), "{error}");
        fault(FaultAction::HostCrash("server".into()))?;
        Ok::<_, std::io::Error>(())
    });
    let outcome = sim.run();
    outcome.assert_passed();
    assert!(outcome.trace_contains("partition [client] | [server]"));
    assert!(outcome.trace_contains("host server crashed"));
}

/// The same seed gives the same digest in another process: this test runs
/// itself again as a child process, which prints its digest.
#[test]
fn the_same_seed_gives_the_same_digest_in_another_process() {
    let digest = busy_run(11);
    if std::env::var_os("SIMSOCK_ASYNC_DIGEST_CHILD").is_some() {
        println!("DIGEST={digest}");
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let output = std::process::Command::new(exe)
        .args([
            "--exact",
            "the_same_seed_gives_the_same_digest_in_another_process",
            "--nocapture",
        ])
        .env("SIMSOCK_ASYNC_DIGEST_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let child = stdout
        .lines()
        .find_map(|l| l.strip_prefix("DIGEST="))
        .unwrap_or_else(|| panic!("the child printed no digest:\n{stdout}"));
    assert_eq!(child, digest);
}

/// The README's examples ("Testing your own code") are the ones the doc
/// tests of `simsock_sim::async_net` compile and run, in the same order.
#[test]
fn the_readme_example_is_the_doc_tested_one() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let module = std::fs::read_to_string(format!("{root}/sim/src/async_net/mod.rs")).unwrap();
    let section = &readme[readme.find("## Testing your own code").unwrap()..];
    let section = &section[..section[3..].find("\n## ").unwrap()];
    let in_readme: Vec<&str> = section
        .split("```rust\n")
        .skip(1)
        .map(|block| &block[..block.find("\n```").unwrap()])
        .collect();
    let doc: Vec<&str> = module
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| {
            l.strip_prefix("//! ")
                .unwrap_or(l.trim_start_matches("//!"))
        })
        .collect();
    let doc = doc.join("\n") + "\n";
    let in_doc: Vec<&str> = doc
        .split("```\n")
        .skip(1)
        .step_by(2)
        .map(|block| block.strip_suffix('\n').unwrap_or(block))
        .collect();
    assert_eq!(in_readme.len(), 2, "the example and the step-by-step one");
    assert_eq!(in_readme, in_doc);
}

/// What the rules forbid and the simulation can see fails with a message
/// that says so: a real tokio socket (the runtime has no I/O driver), a
/// socket made by a task of no host (`tokio::spawn`), a socket made
/// outside any simulation.
#[test]
fn forbidden_uses_fail_with_a_clear_message() {
    let mut sim = Sim::from_ron(PAIR).unwrap();
    sim.client("client", async {
        let spawned = tokio::spawn(async { TcpStream::connect("server:80").await.map(|_| ()) });
        let error = spawned.await.unwrap().unwrap_err();
        assert!(error.to_string().contains("spawn_local"), "{error}");
        let _real = tokio::net::TcpStream::connect("10.0.0.2:80").await;
        Ok::<_, std::io::Error>(())
    });
    let outcome = sim.run();
    let error = outcome.clients[0].result.as_ref().unwrap_err();
    assert!(error.contains("IO is disabled"), "{error}");

    let outside = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(TcpStream::connect("10.0.0.2:80"))
        .unwrap_err();
    assert!(
        outside.to_string().contains("outside a simulated host"),
        "{outside}"
    );
}

#[test]
fn run_until_stops_at_a_simulated_time_and_says_who_was_still_running() {
    let mut sim = Sim::from_ron(PAIR).unwrap();
    sim.host("server", echo_server);
    sim.client("client", async {
        let mut stream = TcpStream::connect("server:80").await?;
        loop {
            stream.write_all(b"tick").await?;
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        #[allow(unreachable_code)]
        Ok::<_, std::io::Error>(())
    });
    assert_eq!(sim.run_until(Duration::from_secs(30)), Ok(false));
    assert_eq!(sim.elapsed(), Duration::from_secs(30));
    let outcome = sim.finish();
    assert_eq!(outcome.elapsed, Duration::from_secs(30));
    let error = outcome.clients[0].result.as_ref().unwrap_err();
    assert!(error.contains("still running"), "{error}");
}

/// A test drives the simulation itself: a step at a time (the clock
/// stands still between two), faults between steps, `run_until` and
/// `run` on the same `Sim`.
#[test]
fn a_test_drives_the_simulation_step_by_step_with_faults_between_steps() {
    use std::cell::RefCell;
    use std::rc::Rc;

    use simsock_model::scenario::FaultAction;
    let mut sim = Sim::from_ron(PAIR).unwrap();
    sim.host("server", echo_server);
    let echoed: Rc<RefCell<Vec<Duration>>> = Rc::default();
    let log = echoed.clone();
    sim.client("client", async move {
        let start = Instant::now();
        let mut stream = TcpStream::connect("server:80").await?;
        for _ in 0..3 {
            stream.write_all(b"ping").await?;
            let mut buf = [0u8; 4];
            stream.read_exact(&mut buf).await?;
            log.borrow_mut().push(start.elapsed());
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        Ok::<_, std::io::Error>(())
    });
    assert_eq!(sim.elapsed(), Duration::ZERO);
    let mut times = Vec::new();
    while sim.elapsed() < Duration::from_millis(1500) {
        assert_eq!(sim.step(), Ok(false));
        times.push(sim.elapsed());
    }
    // The first step starts the hosts' code at 0; the SYN reaches the
    // server at 1 ms, its SYN-ACK the client at 2 ms; the first echo is
    // back at 4 ms, the second at 1.006 s.
    assert_eq!(times[..3], [Duration::ZERO, ms(1), ms(2)]);
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert_eq!(*echoed.borrow(), [ms(4), ms(1006)]);
    // Idle time is one step: from the last ACK to the client's next
    // write, 2.006 s, after its 1 s sleep.
    assert_eq!(times[times.len() - 2..], [ms(1305), ms(2006)]);
    sim.fault(FaultAction::Partition(vec![
        vec!["client".into()],
        vec!["server".into()],
    ]))
    .unwrap();
    assert_eq!(sim.run_until(Duration::from_secs(4)), Ok(false));
    assert_eq!(sim.elapsed(), Duration::from_secs(4));
    assert_eq!(echoed.borrow().len(), 2, "the third ping is held");
    sim.fault(FaultAction::Heal).unwrap();
    while !sim.step().unwrap() {}
    // The ping, re-sent by the stack after the heal, is echoed at 4.641 s;
    // the client ends after its last 1 s sleep.
    assert_eq!(echoed.borrow()[2], ms(4641));
    assert_eq!(sim.elapsed(), ms(5641));
    let outcome = sim.run();
    outcome.assert_passed();
    assert_eq!(outcome.elapsed, ms(5641));
    assert!(outcome.trace_contains("partition [client] | [server]"));
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A client's `Err` stops `step` with the host's name and the error, and
/// `finish` reports the run.
#[test]
fn step_says_which_client_failed() {
    let mut sim = Sim::from_ron(PAIR).unwrap();
    sim.client("client", async {
        tokio::time::sleep(Duration::from_secs(1)).await;
        Err::<(), _>(std::io::Error::other("gave up"))
    });
    let error = loop {
        match sim.step() {
            Ok(done) => assert!(!done),
            Err(e) => break e,
        }
    };
    assert_eq!(error.host, "client");
    assert_eq!(error.to_string(), "simsock: client: gave up");
    assert_eq!(sim.elapsed(), Duration::from_secs(1));
    let outcome = sim.finish();
    assert!(!outcome.passed());
    assert_eq!(outcome.clients[0].result, Err("gave up".to_string()));
}

/// A server whose connections run on `tokio::spawn`ed tasks: those run on
/// the simulation's runtime, not on the host, so a crash of the host
/// cannot end them; the run fails and says to use `spawn_local`.
#[test]
fn a_crash_with_tokio_spawned_tasks_alive_fails_the_run_saying_so() {
    use simsock_model::scenario::FaultAction;
    let spawning_server = || async {
        let listener = TcpListener::bind("0.0.0.0:80").await?;
        loop {
            let (mut stream, _) = listener.accept().await?;
            tokio::spawn(async move {
                let mut buf = [0u8; 4];
                while let Ok(4) = stream.read_exact(&mut buf).await {
                    let _ = stream.write_all(&buf).await;
                }
            });
        }
        #[allow(unreachable_code)]
        Ok::<_, std::io::Error>(())
    };
    let mut sim = Sim::from_ron(PAIR).unwrap();
    sim.host("server", spawning_server);
    sim.client("client", async {
        let mut stream = TcpStream::connect("server:80").await?;
        stream.write_all(b"ping").await?;
        let mut buf = [0u8; 4];
        stream.read_exact(&mut buf).await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        Ok::<_, std::io::Error>(())
    });
    assert_eq!(sim.run_until(Duration::from_millis(500)), Ok(false));
    sim.fault(FaultAction::HostCrash("server".into())).unwrap();
    let error = loop {
        match sim.step() {
            Ok(done) => assert!(!done, "the crash must fail the run"),
            Err(e) => break e,
        }
    };
    assert_eq!(error.host, "run");
    assert!(
        error.message.contains(
            "host `server` crashed at 0.500s while tasks started with tokio::spawn were \
             alive (1 started by its code, 1 alive in all)"
        ),
        "{error}"
    );
    assert!(
        error.message.contains("tokio::task::spawn_local"),
        "{error}"
    );
    assert!(!sim.finish().passed());

    // The same server with spawn_local: its tasks die with it.
    let mut sim = Sim::from_ron(PAIR).unwrap();
    sim.host("server", echo_server);
    sim.client("client", async {
        let _stream = TcpStream::connect("server:80").await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        Ok::<_, std::io::Error>(())
    });
    sim.run_until(Duration::from_millis(500)).unwrap();
    sim.fault(FaultAction::HostCrash("server".into())).unwrap();
    sim.run().assert_passed();
}
