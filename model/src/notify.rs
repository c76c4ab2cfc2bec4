//! Nonblocking notifications (CB-N3, CB-N4, CB-N5): the network events of
//! WSAAsyncSelect and WSAEventSelect (`FD_*`), and the outcomes a scenario
//! writes for select, GetMessage and WSAEnumNetworkEvents.

use serde::{Deserialize, Serialize};

/// A network event of WSAAsyncSelect / WSAEventSelect, named as winsock2.h
/// names it. FD_OOB, FD_QOS, FD_GROUP_QOS and the address/routing events
/// are not modelled: the simulated stack has no urgent data and no QoS.
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum FdEvent {
    /// Data (or a datagram) is ready to read.
    FD_READ,
    /// Sending is possible: after connect succeeds, or after a send that
    /// failed with WSAEWOULDBLOCK once buffer space is free again.
    FD_WRITE,
    /// A connection is ready for accept on a listening socket.
    FD_ACCEPT,
    /// A connection attempt completed, successfully or not (CB-N4, CB-N5).
    FD_CONNECT,
    /// The peer closed the connection (FIN) or it broke.
    FD_CLOSE,
}

impl FdEvent {
    /// Every modelled event, in the order of their `FD_*_BIT` indices.
    pub const ALL: [FdEvent; 5] = [
        FdEvent::FD_READ,
        FdEvent::FD_WRITE,
        FdEvent::FD_ACCEPT,
        FdEvent::FD_CONNECT,
        FdEvent::FD_CLOSE,
    ];

    /// The `lNetworkEvents` bit (winsock2.h: FD_READ 0x01, FD_WRITE 0x02,
    /// FD_OOB 0x04, FD_ACCEPT 0x08, FD_CONNECT 0x10, FD_CLOSE 0x20).
    pub const fn bit(self) -> u32 {
        1 << self.index()
    }

    /// The `FD_*_BIT` index into `iErrorCode` of WSANETWORKEVENTS.
    pub const fn index(self) -> usize {
        match self {
            FdEvent::FD_READ => 0,
            FdEvent::FD_WRITE => 1,
            FdEvent::FD_ACCEPT => 3,
            FdEvent::FD_CONNECT => 4,
            FdEvent::FD_CLOSE => 5,
        }
    }

    /// The name, e.g. `FD_CONNECT`.
    pub const fn name(self) -> &'static str {
        match self {
            FdEvent::FD_READ => "FD_READ",
            FdEvent::FD_WRITE => "FD_WRITE",
            FdEvent::FD_ACCEPT => "FD_ACCEPT",
            FdEvent::FD_CONNECT => "FD_CONNECT",
            FdEvent::FD_CLOSE => "FD_CLOSE",
        }
    }

    /// The `lNetworkEvents` mask of a list of events.
    pub fn mask(events: &[FdEvent]) -> u32 {
        events.iter().fold(0, |m, e| m | e.bit())
    }

    /// The events of a mask, in [`FdEvent::ALL`] order.
    pub fn in_mask(mask: u32) -> impl Iterator<Item = FdEvent> {
        FdEvent::ALL
            .into_iter()
            .filter(move |e| mask & e.bit() != 0)
    }

    /// A mask as `FD_CONNECT|FD_WRITE` (`0` when empty).
    pub fn mask_text(mask: u32) -> String {
        let names: Vec<_> = FdEvent::in_mask(mask).map(FdEvent::name).collect();
        match names.is_empty() {
            true => "0".into(),
            false => names.join("|"),
        }
    }
}

/// WSAWaitForMultipleEvents' WSA_WAIT_TIMEOUT (WAIT_TIMEOUT, 258): the
/// time-out passed and no event was signalled. A scenario expects it as
/// `Value(258)`; `Value(i)` is WSA_WAIT_EVENT_0 + i.
pub const WSA_WAIT_TIMEOUT: u32 = 258;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_winsock2_h_values() {
        let bits: Vec<u32> = FdEvent::ALL.iter().map(|e| e.bit()).collect();
        assert_eq!(bits, [0x01, 0x02, 0x08, 0x10, 0x20]);
        assert_eq!(
            FdEvent::mask_text(FdEvent::FD_CONNECT.bit() | FdEvent::FD_READ.bit()),
            "FD_READ|FD_CONNECT"
        );
        assert_eq!(FdEvent::mask_text(0), "0");
    }
}
