//! hyper 1.x, code nobody here wrote, over simulated sockets through
//! hyper-util's `TokioIo` (issue 13, item 6): an HTTP/1.1 server and
//! client exchange requests, meet a server that is not up yet (refused,
//! with Windows' timing), a crash and restart, and a partition during a
//! request.

use std::convert::Infallible;
use std::io::ErrorKind;
use std::time::Duration;

use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use simsock_sim::async_net::{Sim, TcpListener, TcpStream};
use tokio::time::Instant;

const PAIR: &str = r#"Scenario(
    name: "hyper",
    hosts: [Host(name: "client", addrs: ["10.0.0.1/24"]),
            Host(name: "server", addrs: ["10.0.0.2/24"])],
    links: [Link(between: ("client", "server"), latency: "1ms")],
    faults: [FAULTS],
)"#;

type Error = Box<dyn std::error::Error>;

/// The service: waits `delay`, then answers with the request's path.
async fn hello(
    req: Request<Incoming>,
    delay: Duration,
) -> Result<Response<Full<Bytes>>, Infallible> {
    tokio::time::sleep(delay).await;
    let body = format!("hello from {}", req.uri().path());
    Ok(Response::new(Full::new(Bytes::from(body))))
}

/// An ordinary hyper server, as hyper's own examples write it.
async fn serve(start_after: Duration, delay: Duration) -> Result<(), Error> {
    tokio::time::sleep(start_after).await;
    let listener = TcpListener::bind("0.0.0.0:80").await?;
    loop {
        let (stream, _) = listener.accept().await?;
        let io = TokioIo::new(stream);
        tokio::task::spawn_local(async move {
            let service = hyper::service::service_fn(move |req| hello(req, delay));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await;
        });
    }
}

/// An ordinary hyper client connection.
async fn connect() -> Result<hyper::client::conn::http1::SendRequest<Empty<Bytes>>, Error> {
    let stream = TcpStream::connect("server:80").await?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::task::spawn_local(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

async fn get(
    sender: &mut hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
    path: &str,
) -> Result<String, Error> {
    let req = Request::get(path)
        .header("host", "server")
        .body(Empty::new())?;
    let response = sender.send_request(req).await?;
    let body = response.into_body().collect().await?.to_bytes();
    Ok(String::from_utf8(body.to_vec())?)
}

fn sim(faults: &str) -> Sim {
    Sim::from_ron(&PAIR.replace("FAULTS", faults)).unwrap()
}

#[test]
fn hyper_exchanges_requests() {
    let mut sim = sim("");
    sim.host("server", || serve(Duration::ZERO, Duration::ZERO));
    sim.client("client", async {
        let mut sender = connect().await?;
        assert_eq!(get(&mut sender, "/one").await?, "hello from /one");
        assert_eq!(get(&mut sender, "/two").await?, "hello from /two");
        Ok::<_, Error>(())
    });
    sim.run().assert_passed();
}

#[test]
fn a_server_not_up_yet_is_refused_with_windows_timing_then_answers() {
    let mut sim = sim("");
    sim.host("server", || serve(Duration::from_secs(3), Duration::ZERO));
    sim.client("client", async {
        let start = Instant::now();
        let first = connect().await.expect_err("nobody listens yet");
        let io = first
            .downcast_ref::<std::io::Error>()
            .expect("an io::Error");
        assert_eq!(io.kind(), ErrorKind::ConnectionRefused);
        // Windows re-sends the SYN after each RST: refused at ~2 s, not 1 ms.
        assert_eq!(start.elapsed(), Duration::from_millis(2010));
        tokio::time::sleep(Duration::from_secs(1)).await;
        let mut sender = connect().await?;
        assert_eq!(get(&mut sender, "/late").await?, "hello from /late");
        Ok::<_, Error>(())
    });
    sim.run().assert_passed();
}

#[test]
fn a_crash_and_restart_breaks_the_connection_and_the_server_comes_back() {
    let mut sim = sim(
        r#"Fault(at: "1s", action: HostCrash("server")), Fault(at: "2s", action: HostRestart("server"))"#,
    );
    sim.host("server", || serve(Duration::ZERO, Duration::ZERO));
    sim.client("client", async {
        let mut sender = connect().await?;
        assert_eq!(get(&mut sender, "/before").await?, "hello from /before");
        tokio::time::sleep(Duration::from_secs(3)).await;
        // The restarted stack resets the old connection.
        assert!(get(&mut sender, "/old").await.is_err());
        let mut sender = connect().await?;
        assert_eq!(get(&mut sender, "/after").await?, "hello from /after");
        Ok::<_, Error>(())
    });
    sim.run().assert_passed();
}

#[test]
fn a_partition_during_a_request_delays_the_answer_until_it_heals() {
    let mut sim = sim(
        r#"Fault(at: "100ms", action: Partition([["client"], ["server"]])), Fault(at: "5s", action: Heal)"#,
    );
    sim.host("server", || {
        serve(Duration::ZERO, Duration::from_millis(500))
    });
    sim.client("client", async {
        let mut sender = connect().await?;
        let start = Instant::now();
        // Asked at 2 ms, answered at 502 ms into the partition: the answer
        // is retransmitted 300 ms, 600 ms, 1.2 s and 2.4 s later (Windows'
        // minimum RTO, doubled); the fourth, at 5.002 s, passes the healed
        // network, and the client reads it 5.002 s after asking.
        assert_eq!(get(&mut sender, "/slow").await?, "hello from /slow");
        assert_eq!(start.elapsed(), Duration::from_millis(5002));
        Ok::<_, Error>(())
    });
    let outcome = sim.run();
    outcome.assert_passed();
    assert!(outcome.report.trace.len() > 10);
}

/// hyper's exchange under loss and jitter, run twice: the same digest.
#[test]
fn hyper_runs_replay_from_their_seed() {
    let run = |seed: u64| {
        let text = PAIR.replace("FAULTS", "").replace(
            r#"latency: "1ms")"#,
            r#"latency: "1ms", jitter: "2ms", loss_ppm: 100000)"#,
        );
        let mut sim = Sim::from_ron(&text).unwrap().seed(seed);
        sim.host("server", || serve(Duration::ZERO, Duration::from_millis(3)));
        sim.client("client", async {
            let mut sender = connect().await?;
            for i in 0..5 {
                let path = format!("/{i}");
                assert_eq!(get(&mut sender, &path).await?, format!("hello from {path}"));
            }
            Ok::<_, Error>(())
        });
        let outcome = sim.run();
        outcome.assert_passed();
        outcome.digest().to_string()
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}
