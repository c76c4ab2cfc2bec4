//! # simsock-model
//!
//! The pure data of simsock: simulated time ([`time`]), addresses ([`addr`]),
//! the one table of Winsock error codes ([`wsa`]) and what the documents
//! and simsock say of each ([`docs`]), host profiles with their
//! cited constants ([`profile`]), service providers, connect data and QoS
//! ([`provider`]), limits ([`limits`]), packet headers and TCP
//! states ([`packet`]), the scenario schema ([`scenario`], with its
//! faults in [`fault`], the `FD_*` network events in [`notify`] and the
//! ConnectEx family's names in [`overlapped`]), a builder for scenarios
//! in Rust ([`builder`]) and the catalogue of connect behaviours with
//! their CB-IDs ([`catalogue`]).
//!
//! Every public item has a doc comment (`missing_docs` warns, and
//! `cargo clippy -- -D warnings` makes that an error) that cites its
//! source where it has one: a CB-ID of `connect-behaviours.md`, one of
//! the four Winsock documents, an RFC section, or the Wine test that
//! shows real Windows.
//!
//! Architecture invariant: this crate holds data and pure functions only. It
//! has no engine, no I/O, no clock and no randomness; `sim` and `tools` build
//! on it, never the other way round.

#![warn(missing_docs)]

pub mod accept;
pub mod addr;
pub mod builder;
pub mod catalogue;
pub mod docs;
pub mod errno;
pub mod fault;
pub mod limits;
pub mod notify;
pub mod overlapped;
pub mod packet;
pub mod poll;
pub mod profile;
pub mod provider;
pub mod scenario;
pub mod time;
pub mod wsa;

pub use addr::Ipv4Cidr;
pub use errno::Errno;
pub use packet::{PacketHeader, TcpFlags, TcpHeader, TcpState, Transport};
pub use profile::HostProfile;
pub use time::{SimDuration, SimTime};
pub use wsa::{Api, WsaError};
