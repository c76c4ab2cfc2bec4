//! The TCP/UDP stack of a host: ports, TCBs, TIME_WAIT records, listeners,
//! datagram sockets, and the input path from the wire.

pub mod binds;
pub mod cold;
pub mod held;
pub mod host;
pub mod input;
pub mod lookup;
pub mod ports;
pub mod report;
mod slots;
pub mod socket;
pub mod sync;
pub mod tcp;

pub use host::Host;
pub use report::Report;

/// The threads parked on one object (a socket, an event, a window, a
/// completion port), in the order they parked. Most objects have one or
/// none, so a few are kept inline: parking costs no allocation.
pub type Waiters = smallvec::SmallVec<[u32; 4]>;

/// A TCB slot and its generation, so a stale timer finds nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnId {
    /// The slot, in [`Host::tcbs`].
    pub index: u32,
    /// The slot's generation when the connection took it.
    pub generation: u32,
}

impl ConnId {
    /// The connection as the key of its engine timer
    /// (`engine::timers::Target::Host`): the engine names no stack type.
    #[inline]
    pub fn key(self) -> u64 {
        u64::from(self.generation) << 32 | u64::from(self.index)
    }

    /// The connection a timer's key names ([`ConnId::key`]).
    #[inline]
    pub fn from_key(key: u64) -> Self {
        ConnId {
            index: key as u32,
            generation: (key >> 32) as u32,
        }
    }
}
