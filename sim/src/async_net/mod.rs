//! Your own async Rust code on simsock: tokio-compatible sockets over the
//! simulated stack (issue 13). Feature `async` (on by default).
//!
//! - [`TcpStream`], [`TcpListener`], [`UdpSocket`]: the methods of
//!   `tokio::net` that programs call, with tokio's `AsyncRead` and
//!   `AsyncWrite`. Underneath, each is a nonblocking simulated Winsock
//!   socket driven as a Windows reactor drives one (mio): a call that says
//!   WSAEWOULDBLOCK waits for the socket to change, a connect waits for the
//!   socket to leave SYN_SENT and reads SO_ERROR. Every call is traced.
//! - Errors: `std::io::Error` with the kind std gives the WSA code on
//!   Windows ([`error`]); [`wsa_code`] reads the code back.
//! - [`Sim`]: the topology of a scenario, hosts whose code is a future
//!   (made again after each restart), clients whose `Err` fails the run.
//!   Tokio's clock is simulated time: `tokio::time::{sleep, timeout,
//!   interval, Instant}` follow it, and idle time costs nothing.
//!
//! Rules for the code under test (what the simulation cannot see it
//! cannot replay):
//! - Make sockets with these types only. A `tokio::net` socket fails with
//!   tokio's own message (the runtime has no I/O driver: "IO is disabled").
//! - Time is tokio's (`tokio::time`); the standard library's clocks
//!   (`std::time`) are the wall clock and break replay.
//! - No OS threads (spawning one, `spawn_blocking`, a multi-thread
//!   runtime): a socket used from another thread panics with
//!   a message saying so.
//! - `tokio::select!` picks among ready branches at random from a
//!   generator tokio seeds per runtime (`Builder::rng_seed` would fix it,
//!   but needs `--cfg tokio_unstable`): write `biased;` in it. This cannot
//!   be detected.
//! - Tasks started with `tokio::spawn` run on no host: they may use
//!   sockets handed to them but cannot make new ones, and a crash of the
//!   host cannot end them; a crash of a host whose code started such
//!   tasks while any is alive fails the run, saying so. Use
//!   `tokio::task::spawn_local` for tasks that belong to the host (they
//!   die with it).
//!
//! # Testing your own code
//!
//! ```
//! use std::time::Duration;
//!
//! use simsock_sim::async_net::{Sim, TcpListener, TcpStream};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! /// The code under test, as it ships: up to 5 attempts with a 3 s connect
//! /// timeout and a doubling back-off, then one request.
//! async fn fetch(addr: &str) -> std::io::Result<String> {
//!     let mut backoff = Duration::from_millis(500);
//!     for attempt in 1..=5 {
//!         match tokio::time::timeout(Duration::from_secs(3), TcpStream::connect(addr)).await {
//!             Ok(Ok(mut stream)) => {
//!                 stream.write_all(b"ping").await?;
//!                 let mut answer = String::new();
//!                 stream.read_to_string(&mut answer).await?;
//!                 return Ok(answer);
//!             }
//!             Ok(Err(e)) if attempt == 5 => return Err(e),
//!             Ok(Err(_)) | Err(_) => {} // refused, or the 3 s timeout
//!         }
//!         tokio::time::sleep(backoff).await;
//!         backoff *= 2;
//!     }
//!     Err(std::io::ErrorKind::TimedOut.into())
//! }
//!
//! /// A server that starts listening 5 s late and answers once per connection.
//! async fn late_server() -> std::io::Result<()> {
//!     tokio::time::sleep(Duration::from_secs(5)).await;
//!     let listener = TcpListener::bind("0.0.0.0:80").await?;
//!     loop {
//!         let (mut stream, _) = listener.accept().await?;
//!         let mut request = [0u8; 4];
//!         stream.read_exact(&mut request).await?;
//!         stream.write_all(b"pong").await?;
//!     } // the stream is closed when dropped
//! }
//!
//! let mut sim = Sim::from_ron(r#"Scenario(
//!     name: "late-server",
//!     hosts: [Host(name: "client", addrs: ["10.0.0.1/24"]),
//!             Host(name: "server", addrs: ["10.0.0.2/24"])],
//!     links: [Link(between: ("client", "server"), latency: "1ms")],
//! )"#)
//! .unwrap()
//! .seed(1);
//! sim.host("server", late_server);
//! sim.client("client", async {
//!     let start = tokio::time::Instant::now();
//!     assert_eq!(fetch("server:80").await?, "pong");
//!     // Refused at 2.01 s (Windows re-sends its SYN four times after RSTs),
//!     // again at 4.52 s; the third attempt, at 5.52 s, connects, and the
//!     // answer and the server's close arrive at 5.524 s.
//!     assert_eq!(start.elapsed(), Duration::from_millis(5524));
//!     Ok::<_, std::io::Error>(())
//! });
//! let outcome = sim.run();
//! outcome.assert_passed(); // else: the seed, the failing call's why, the last trace lines
//! ```
//!
//! # Step by step
//!
//! ```
//! use std::time::Duration;
//!
//! use simsock_model::scenario::FaultAction;
//! use simsock_sim::async_net::{Sim, TcpListener, TcpStream};
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//!
//! let mut sim = Sim::from_ron(r#"Scenario(
//!     name: "step",
//!     hosts: [Host(name: "client", addrs: ["10.0.0.1/24"]),
//!             Host(name: "server", addrs: ["10.0.0.2/24"])],
//!     links: [Link(between: ("client", "server"), latency: "1ms")],
//! )"#)
//! .unwrap();
//! sim.host("server", || async {
//!     let listener = TcpListener::bind("0.0.0.0:80").await?;
//!     let (mut stream, _) = listener.accept().await?;
//!     stream.write_all(b"hello").await
//! });
//! sim.client("client", async {
//!     tokio::time::sleep(Duration::from_secs(1)).await;
//!     let mut stream = TcpStream::connect("server:80").await?;
//!     let mut hello = [0u8; 5];
//!     stream.read_exact(&mut hello).await.map(drop)
//! });
//! // Between two steps the clock stands still and the test acts.
//! assert_eq!(sim.run_until(Duration::from_millis(500)), Ok(false));
//! assert_eq!(sim.elapsed(), Duration::from_millis(500));
//! let split = vec![vec!["client".into()], vec!["server".into()]];
//! sim.fault(FaultAction::Partition(split)).unwrap();
//! // The next step: the client wakes at 1 s and sends its SYN (lost).
//! assert_eq!(sim.step(), Ok(false));
//! assert_eq!(sim.elapsed(), Duration::from_secs(1));
//! sim.run_until(Duration::from_secs(3)).unwrap();
//! sim.fault(FaultAction::Heal).unwrap();
//! // Windows re-sends the SYN 3 s after the first: connected at 4.002 s,
//! // and the client has read the server's hello at 4.004 s.
//! assert_eq!(sim.run_until(Duration::from_secs(60)), Ok(true));
//! assert_eq!(sim.elapsed(), Duration::from_millis(4004));
//! sim.run().assert_passed();
//! ```

mod context;
mod drive;
pub mod error;
mod fault;
mod live;
mod outcome;
mod report;
mod resolve;
mod sim;
mod sock;
mod tcp;
mod udp;

pub use error::{to_io, wsa_code};
pub use fault::fault;
pub use outcome::{ClientResult, Outcome};
pub use resolve::{ToSocketAddrs, lookup};
pub use sim::{Sim, StepError};
pub use tcp::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, TcpListener, TcpStream, WriteHalf};
pub use udp::UdpSocket;

/// The error type of host and client code that uses `?` on several error
/// types.
pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;
