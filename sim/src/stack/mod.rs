//! The TCP/UDP stack of a host: ports, TCBs, TIME_WAIT records, listeners,
//! datagram sockets, and the input path from the wire.

pub mod buffers;
pub mod host;
pub mod input;
pub mod lookup;
pub mod notify;
pub mod ports;
pub mod socket;
pub mod sync;
pub mod tcp;

pub use host::Host;

/// A TCB slot and its generation, so a stale timer finds nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnId {
    pub index: u32,
    pub generation: u32,
}
