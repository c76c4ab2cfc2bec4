//! # simsock-sim
//!
//! The engine of simsock: everything that moves, and nothing that touches the
//! outside world.
//!
//! - [`engine`]: the event queue (total order on time, then insertion),
//!   named `rand_chacha` streams, and the core that owns time.
//! - [`net`]: topology over a petgraph graph, routing, links, packets.
//! - [`faults`]: scheduled and triggered faults: links, partitions, host
//!   crashes, interfaces, firewalls.
//! - [`stack`]: each host's TCP/UDP stack: ports, TCBs (RFC 9293), TIME_WAIT.
//! - [`winsock`]: the socket API the simulated threads call.
//! - [`thread`]: simulated threads running scripted steps or Rust programs.
//! - [`scenario`]: checking a scenario and building a [`World`] from it.
//! - [`trace`]: the one trace and its digest.
//! - [`why`]: the causal chain, why a failed call failed, read off the trace.
//! - `async_net` (feature `async`): tokio-compatible sockets and a harness
//!   for the user's own async code.
//!
//! Architecture invariants: no wall clock, no ambient randomness, no OS
//! threads and no iteration over hash containers here (clippy.toml enforces
//! them); simulated time is `u64` nanoseconds owned by the engine alone; a run
//! is a pure function of its scenario and seed.

pub mod apc;
#[cfg(feature = "async")]
pub mod async_net;
pub mod conformance;
pub mod engine;
pub mod faults;
pub mod harness;
pub mod invariants;
pub mod net;
pub mod scenario;
pub mod stack;
pub mod thread;
pub mod trace;
pub mod why;
pub mod winsock;
pub mod world;

pub use harness::{Outcome, Sim};
pub use world::World;
