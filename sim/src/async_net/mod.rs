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
//! - Time is tokio's (`tokio::time`); `std::time::Instant::now` and
//!   `SystemTime::now` read the wall clock and break replay.
//! - No OS threads (`std::thread::spawn`, `spawn_blocking`, a
//!   multi-thread runtime): a socket used from another thread panics with
//!   a message saying so.
//! - `tokio::select!` picks among ready branches at random from an
//!   unseeded generator: write `biased;` in it, or build with
//!   `--cfg tokio_unstable` (then [`Sim::run`] seeds tokio's generator).
//! - Tasks started with `tokio::spawn` run on no host: they may use
//!   sockets handed to them but cannot make new ones, and survive a crash
//!   of the host (their sockets then fail). Use
//!   `tokio::task::spawn_local` for tasks that belong to the host.

mod context;
mod drive;
pub mod error;
mod fault;
mod report;
mod resolve;
mod sim;
mod sock;
mod tcp;
mod udp;

pub use error::{to_io, wsa_code};
pub use fault::fault;
pub use resolve::{ToSocketAddrs, lookup};
pub use sim::{ClientResult, Outcome, Sim};
pub use tcp::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, TcpListener, TcpStream, WriteHalf};
pub use udp::UdpSocket;

/// The error type of host and client code that uses `?` on several error
/// types.
pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;
