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

/// The threads parked on one object (a socket, an event, a window, a
/// completion port), in the order they parked. Most objects have one or
/// none, so a few are kept inline: parking costs no allocation.
pub type Waiters = smallvec::SmallVec<[u32; 4]>;

/// A TCB slot and its generation, so a stale timer finds nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnId {
    pub index: u32,
    pub generation: u32,
}
