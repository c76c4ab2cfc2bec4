//! The client of `src/lib.rs`, unchanged, under faults on simsock's
//! simulated network; each test asserts the simulated times that the
//! Windows profile gives.

use std::io;
use std::time::Duration;

use simsock_example_async::{Client, Config, Connector, serve_connection};
use simsock_sim::async_net::{Sim, TcpListener, TcpStream};
use tokio::time::Instant;

/// The seam: simsock's sockets instead of tokio's (seven lines).
struct Simsock;
impl Connector for Simsock {
    type Stream = TcpStream;
    async fn connect(&self, addr: &str) -> io::Result<TcpStream> {
        TcpStream::connect(addr).await
    }
}

fn sim(faults: &str) -> Sim {
    Sim::from_ron(&format!(
        r#"Scenario(
    name: "example-async",
    hosts: [Host(name: "client", addrs: ["10.0.0.1/24"]),
            Host(name: "server", addrs: ["10.0.0.2/24"])],
    links: [Link(between: ("client", "server"), latency: "1ms")],
    faults: [{faults}],
)"#
    ))
    .unwrap()
}

/// The server, listening from `start_after` on.
async fn server(start_after: Duration) -> io::Result<()> {
    tokio::time::sleep(start_after).await;
    let listener = TcpListener::bind("0.0.0.0:80").await?;
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::task::spawn_local(serve_connection(stream));
    }
}

fn client() -> Client<Simsock> {
    Client::new(Simsock, "server:80", Config::default())
}

#[test]
fn a_server_not_up_yet_then_up() {
    let mut sim = sim("");
    sim.host("server", || server(Duration::from_secs(5)));
    sim.client("client", async {
        let start = Instant::now();
        let mut client = client();
        assert_eq!(client.ping("a").await?, "PONG a");
        // Each refusal takes Windows' ~2.01 s of SYN re-sends (500 ms after
        // each RST); with back-offs of 0.1 s and 0.2 s the first two attempts
        // are refused at 2.010 s and 4.120 s; the third, at 4.320 s, is still
        // re-sending its SYN when the server starts listening at 5 s, and
        // its re-send at ~5.32 s connects: the answer arrives at 5.328 s.
        assert_eq!(client.attempts_made, 3);
        assert_eq!(start.elapsed(), Duration::from_millis(5328));
        Ok::<_, io::Error>(())
    });
    sim.run().assert_passed();
}

#[test]
fn the_link_goes_down_during_connect() {
    let mut sim = sim(r#"Fault(at: "0s", action: LinkDown("client", "server")),
                         Fault(at: "4s", action: LinkUp("client", "server"))"#);
    sim.host("server", || server(Duration::ZERO));
    sim.client("client", async {
        let start = Instant::now();
        let mut client = client();
        assert_eq!(client.ping("b").await?, "PONG b");
        // The first attempt's SYNs are lost; the client's own 3 s connect
        // timeout ends it at 3 s. The second, after 0.1 s, sends its SYN at
        // 3.1 s into the dead link; Windows would re-send it 3 s later
        // (initial RTO), at 6.1 s, just when the client's timeout ends that
        // attempt too. The third, after 0.2 s, connects at once (the link
        // is up since 4 s) at 6.302 s; the answer arrives at 6.304 s.
        assert_eq!(client.attempts_made, 3);
        assert_eq!(start.elapsed(), Duration::from_millis(6304));
        Ok::<_, io::Error>(())
    });
    sim.run().assert_passed();
}

#[test]
fn a_partition_then_heal_during_a_request() {
    let mut sim = sim(
        r#"Fault(at: "1s", action: Partition([["client"], ["server"]])),
                         Fault(at: "3s", action: Heal)"#,
    );
    sim.host("server", || server(Duration::ZERO));
    sim.client("client", async {
        let mut client = client();
        assert_eq!(client.ping("c").await?, "PONG c");
        tokio::time::sleep_until(Instant::now() + Duration::from_millis(1500)).await;
        let start = Instant::now();
        // Asked in the partition: the request is retransmitted (Windows'
        // RTO, doubled) until one gets through after the heal at 3 s, within
        // the client's 3 s request timeout: asked at ~1.504 s, re-sent
        // 0.3 s, 0.6 s and 1.2 s later; the third re-send (3.604 s) passes.
        assert_eq!(client.ping("d").await?, "PONG d");
        assert_eq!(client.attempts_made, 1, "the same connection");
        assert_eq!(start.elapsed(), Duration::from_millis(2102));
        Ok::<_, io::Error>(())
    });
    sim.run().assert_passed();
}

#[test]
fn a_crash_and_restart_resets_and_the_client_reconnects_once() {
    let mut sim = sim(r#"Fault(at: "1s", action: HostCrash("server")),
                         Fault(at: "2s", action: HostRestart("server"))"#);
    sim.host("server", || server(Duration::ZERO));
    sim.client("client", async {
        let mut client = client();
        assert_eq!(client.ping("e").await?, "PONG e");
        tokio::time::sleep(Duration::from_secs(3)).await;
        let start = Instant::now();
        // The restarted server answers the old connection with RST; the
        // client reconnects once and asks again: one round trip for the
        // reset, one for the handshake, one for the answer.
        assert_eq!(client.ping("f").await?, "PONG f");
        assert_eq!(client.attempts_made, 2);
        assert_eq!(start.elapsed(), Duration::from_millis(6));
        Ok::<_, io::Error>(())
    });
    sim.run().assert_passed();
}
