//! WSAPoll (Windows) and poll(2) (Linux): the `POLL*` flags a scenario
//! writes in a `WsaPoll` step's `events` and expects in its `revents`.
//!
//! One layout holds both personalities' flags: Linux's (`<poll.h>`:
//! POLLIN 0x1, POLLPRI 0x2, POLLOUT 0x4, POLLERR 0x8, POLLHUP 0x10,
//! POLLNVAL 0x20, POLLRDNORM 0x40, POLLRDBAND 0x80, POLLWRNORM 0x100,
//! POLLWRBAND 0x200), where POLLIN and POLLOUT are flags of their own. On
//! Windows (WinSock2.h) POLLIN is POLLRDNORM | POLLRDBAND and POLLOUT is
//! POLLWRNORM: [`PollEvent::mask`] writes them so, and the trace names a
//! Windows host's flags by their Winsock names.

use serde::{Deserialize, Serialize};

/// A `POLL*` flag, as WinSock2.h and `<poll.h>` name it.
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PollEvent {
    /// Data may be read (Linux: a flag of its own; Windows: POLLRDNORM |
    /// POLLRDBAND).
    POLLIN,
    /// Urgent data may be read. WSAPoll: not supported (the WSAPoll page;
    /// Wine `test_WSAPoll`: WSAEINVAL in `events`).
    POLLPRI,
    /// Data may be written (Linux: a flag of its own; Windows: POLLWRNORM).
    POLLOUT,
    /// An error: a failed connect's (revents only).
    POLLERR,
    /// Hung up: the connection ended or was never made (revents only).
    POLLHUP,
    /// The socket is not a socket (revents only).
    POLLNVAL,
    /// Normal data may be read, a connection accepted, or the end of the
    /// stream read.
    POLLRDNORM,
    /// Priority band data may be read (never, here: no urgent data).
    POLLRDBAND,
    /// Normal data may be written.
    POLLWRNORM,
    /// Priority data may be written. WSAPoll: WSAEINVAL in `events`.
    POLLWRBAND,
}

/// The flags in the one layout (Linux's numbers, module doc).
pub mod bits {
    /// POLLIN as Linux has it (a flag of its own).
    pub const IN: u16 = 0x1;
    /// POLLPRI.
    pub const PRI: u16 = 0x2;
    /// POLLOUT as Linux has it (a flag of its own).
    pub const OUT: u16 = 0x4;
    /// POLLERR.
    pub const ERR: u16 = 0x8;
    /// POLLHUP.
    pub const HUP: u16 = 0x10;
    /// POLLNVAL.
    pub const NVAL: u16 = 0x20;
    /// POLLRDNORM.
    pub const RDNORM: u16 = 0x40;
    /// POLLRDBAND.
    pub const RDBAND: u16 = 0x80;
    /// POLLWRNORM.
    pub const WRNORM: u16 = 0x100;
    /// POLLWRBAND.
    pub const WRBAND: u16 = 0x200;
}

impl PollEvent {
    /// Every flag, in the order the trace names them.
    pub const ALL: [PollEvent; 10] = [
        PollEvent::POLLIN,
        PollEvent::POLLRDNORM,
        PollEvent::POLLRDBAND,
        PollEvent::POLLPRI,
        PollEvent::POLLOUT,
        PollEvent::POLLWRNORM,
        PollEvent::POLLWRBAND,
        PollEvent::POLLHUP,
        PollEvent::POLLERR,
        PollEvent::POLLNVAL,
    ];

    /// Its bits in the one layout; on Windows (`linux` false) POLLIN and
    /// POLLOUT are the composites WinSock2.h defines.
    pub const fn bits(self, linux: bool) -> u16 {
        use bits::*;
        match self {
            PollEvent::POLLIN if linux => IN,
            PollEvent::POLLIN => RDNORM | RDBAND,
            PollEvent::POLLOUT if linux => OUT,
            PollEvent::POLLOUT => WRNORM,
            PollEvent::POLLPRI => PRI,
            PollEvent::POLLERR => ERR,
            PollEvent::POLLHUP => HUP,
            PollEvent::POLLNVAL => NVAL,
            PollEvent::POLLRDNORM => RDNORM,
            PollEvent::POLLRDBAND => RDBAND,
            PollEvent::POLLWRNORM => WRNORM,
            PollEvent::POLLWRBAND => WRBAND,
        }
    }

    /// The mask of a list of flags.
    pub fn mask(events: &[PollEvent], linux: bool) -> u16 {
        events.iter().fold(0, |m, e| m | e.bits(linux))
    }

    /// The name, e.g. `POLLWRNORM`.
    pub const fn name(self) -> &'static str {
        match self {
            PollEvent::POLLIN => "POLLIN",
            PollEvent::POLLPRI => "POLLPRI",
            PollEvent::POLLOUT => "POLLOUT",
            PollEvent::POLLERR => "POLLERR",
            PollEvent::POLLHUP => "POLLHUP",
            PollEvent::POLLNVAL => "POLLNVAL",
            PollEvent::POLLRDNORM => "POLLRDNORM",
            PollEvent::POLLRDBAND => "POLLRDBAND",
            PollEvent::POLLWRNORM => "POLLWRNORM",
            PollEvent::POLLWRBAND => "POLLWRBAND",
        }
    }

    /// A mask as people read it: `POLLWRNORM|POLLHUP|POLLERR`, `0` for
    /// none. On Windows the composites POLLIN and POLLOUT are not named
    /// (their parts are).
    pub fn mask_text(mask: u16, linux: bool) -> String {
        let names: Vec<&str> = PollEvent::ALL
            .into_iter()
            .filter(|e| linux || !matches!(e, PollEvent::POLLIN | PollEvent::POLLOUT))
            .filter(|e| mask & e.bits(linux) != 0)
            .map(PollEvent::name)
            .collect();
        if names.is_empty() {
            "0".into()
        } else {
            names.join("|")
        }
    }
}

/// One entry of a `WsaPoll` step's array (a WSAPOLLFD, a `struct pollfd`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PollFd {
    /// The socket, by the name a `Socket` or `Accept` step gave it on this
    /// host; one closed since is POLLNVAL.
    pub socket: String,
    /// `events`: what to watch for (absent: none, so only POLLERR,
    /// POLLHUP and POLLNVAL can be reported).
    #[serde(default)]
    pub events: Vec<PollEvent>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composites_on_windows_flags_of_their_own_on_linux() {
        let win = PollEvent::mask(&[PollEvent::POLLIN], false);
        assert_eq!(win, bits::RDNORM | bits::RDBAND);
        assert_eq!(PollEvent::mask(&[PollEvent::POLLIN], true), bits::IN);
        assert_eq!(PollEvent::mask(&[PollEvent::POLLOUT], false), bits::WRNORM);
        let refused = bits::WRNORM | bits::HUP | bits::ERR;
        assert_eq!(
            PollEvent::mask_text(refused, false),
            "POLLWRNORM|POLLHUP|POLLERR"
        );
        assert_eq!(PollEvent::mask_text(0, true), "0");
    }
}
