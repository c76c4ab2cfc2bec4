//! The README's side-by-side: the same client, the same fault (a server
//! that starts listening 5 s late), on turmoil 0.7. turmoil refuses at
//! once, so the client's five attempts (back-offs 0.1 s to 0.8 s) are all
//! spent by 1.5 s and it gives up; on simsock each refusal takes Windows'
//! ~2 s of SYN re-sends and the third attempt connects at 5.32 s
//! (`faults.rs`, `a_server_not_up_yet_then_up`).

use std::cell::RefCell;
use std::io;
use std::rc::Rc;
use std::time::Duration;

use simsock_example_async::{Client, Config, Connector, serve_connection};

/// The seam: turmoil's sockets.
struct Turmoil;
impl Connector for Turmoil {
    type Stream = turmoil::net::TcpStream;
    async fn connect(&self, addr: &str) -> io::Result<Self::Stream> {
        turmoil::net::TcpStream::connect(addr).await
    }
}

#[test]
fn on_turmoil_a_late_server_makes_the_client_give_up_at_1_5_s() {
    let mut sim = turmoil::Builder::new()
        .min_message_latency(Duration::from_millis(1))
        .max_message_latency(Duration::from_millis(1))
        .build();
    sim.host("server", || async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let listener = turmoil::net::TcpListener::bind("0.0.0.0:80").await?;
        loop {
            let (stream, _) = listener.accept().await?;
            tokio::task::spawn_local(serve_connection(stream));
        }
    });
    let seen = Rc::new(RefCell::new(None));
    let out = seen.clone();
    sim.client("client", async move {
        let start = tokio::time::Instant::now();
        let mut client = Client::new(Turmoil, "server:80", Config::default());
        let result = client.ping("a").await;
        *out.borrow_mut() = Some((
            result.map_err(|e| e.kind()),
            client.attempts_made,
            start.elapsed(),
        ));
        Ok(())
    });
    sim.run().unwrap();
    let (result, attempts, took) = seen.borrow_mut().take().unwrap();
    println!("turmoil: {result:?} after {attempts} attempts, {took:?}");
    assert_eq!(result, Err(io::ErrorKind::ConnectionRefused));
    assert_eq!(attempts, 5);
    assert_eq!(took, Duration::from_millis(1505));
}
