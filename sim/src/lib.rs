//! # simsock-sim
//!
//! The engine of simsock: everything that moves, and nothing that touches the
//! outside world.
//!
//! - [`engine`]: the event queue (total order on time, then insertion),
//!   named `rand_chacha` streams, and the core that owns time.
//! - [`rng`]: the named `rand_chacha` streams every draw comes from.
//! - [`net`]: topology over a petgraph graph, routing, links, packets.
//! - [`stack`]: each host's TCP/UDP stack: ports, TCBs (RFC 9293), TIME_WAIT.
//! - [`winsock`]: the socket API the simulated threads call.
//! - [`thread`]: simulated threads running scripted steps or Rust programs.
//! - [`scenario`]: checking a scenario and building a [`World`] from it.
//! - [`trace`]: the one trace and its digest.
//! - [`why`]: the causal chain, why a failed call failed, read off the trace.
//!
//! Architecture invariants: no wall clock, no ambient randomness, no OS
//! threads and no iteration over hash containers here (clippy.toml enforces
//! them); simulated time is `u64` nanoseconds owned by the engine alone; a run
//! is a pure function of its scenario and seed.

pub mod conformance;
pub mod engine;
pub mod harness;
pub mod invariants;
pub mod net;
pub mod rng;
pub mod scenario;
pub mod stack;
pub mod thread;
pub mod trace;
pub mod why;
pub mod winsock;
pub mod world;

pub use harness::{Outcome, Sim};
pub use world::World;
