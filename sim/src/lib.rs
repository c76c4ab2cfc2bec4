//! # simsock-sim
//!
//! The engine of simsock: everything that moves, and nothing that touches the
//! outside world.
//!
//! ## For users
//!
//! The paths re-exported here are the library's public surface:
//!
//! - [`Sim`] and [`Outcome`]: a scenario (RON text or a builder), Rust
//!   [`Program`]s on its hosts, a run, and what the calls returned.
//! - [`load`], [`check`], [`run`], [`build`] with [`RunOptions`]: the CLI's own
//!   steps, giving a [`Report`] (digest, calls, failures, `why:` lines) or a
//!   [`World`] to run and inspect; [`ScenarioError`] locates bad input.
//! - [`TraceMode`], [`TraceEvent`], [`TraceKind`]: the trace the views read.
//! - [`Program`], [`Completed`], [`Step`], [`Op`], [`Value`]: the calls a Rust
//!   program makes, one at a time, and their results.
//! - [`CallRecord`], [`LimitError`]: a run's calls, and why a run stopped.
//! - [`conformance`]: the documents' error tables and which run proves a row.
//!
//! A [`World`] answers for its engine ([`World::now`], [`World::topology`],
//! [`World::trace`], ...): `engine` is private to the crate. `stack` is
//! internal: public only because a world's hosts (`World::hosts`) give
//! simsock's own benchmarks and tests their stack's tables; it carries no
//! promise of stability and is hidden from the documentation.
//!
//! ## Layers
//!
//! Dependencies point one way, down (`sim/tests/layers.rs` fails on an
//! import that points up): a lower layer reports what changed and the layer
//! above reacts; it never calls up.
//!
//! - [`harness`], [`conformance`], `async_net` (feature `async`, on by
//!   default: tokio-compatible sockets and a harness for the user's own
//!   async code): the entry points for users.
//! - [`scenario`]: loading, checking and building a [`World`], and the report.
//! - [`why`] (the causal chain of a failed call, read off the trace) and
//!   [`invariants`] (the end-of-run audit).
//! - [`world`]: the run loop; what faults do to hosts and threads; APCs.
//! - [`thread`]: simulated threads running scripted steps or Rust programs.
//! - [`winsock`]: the socket API the threads call; it drives the stack for
//!   the host's events and reacts to the stack's reports (`winsock::events`).
//! - `stack` (internal): each host's TCP/UDP stack: ports, TCBs (RFC 9293),
//!   TIME_WAIT, listeners, datagram sockets; it reports socket changes.
//! - `engine` (private): the event queue (total order on time, then
//!   insertion), timers, the fault state the packet paths consult.
//! - [`trace`]: the one trace and its digest.
//! - [`net`]: topology over a petgraph graph, routing, links, packets.
//! - `rng`: the named `rand_chacha` streams every random draw comes from.
//!
//! Architecture invariants: no wall clock, no ambient randomness, no OS
//! threads and no iteration over hash containers here (clippy.toml enforces
//! them); simulated time is `u64` nanoseconds owned by the engine alone; a run
//! is a pure function of its scenario and seed.
//!
//! Every public item has a doc comment (`missing_docs` warns, and
//! `cargo clippy -- -D warnings` makes that an error) that says what it is
//! for and cites its source where it has one: a CB-ID, a Winsock document,
//! an RFC 9293 section, a Wine test or a KB article. The lint skips the
//! crate-private `engine` and the hidden `stack`; their items are
//! documented all the same, for maintainers.

#![warn(missing_docs)]

#[cfg(feature = "async")]
pub mod async_net;
pub mod conformance;
pub(crate) mod engine;
pub mod harness;
pub mod invariants;
pub mod net;
pub(crate) mod rng;
pub mod scenario;
/// Internal: each host's TCP/UDP stack (no stability promise).
#[doc(hidden)]
pub mod stack;
pub mod thread;
pub mod trace;
pub mod why;
pub mod winsock;
pub mod world;

pub use harness::{Outcome, Sim};
pub use scenario::{Report, RunOptions, ScenarioError, build, check, load, run};
pub use thread::{Completed, Program, Step};
pub use trace::{TraceEvent, TraceKind, TraceMode};
pub use winsock::{Op, Value};
pub use world::{CallRecord, LimitError, ResultRecord, World};
