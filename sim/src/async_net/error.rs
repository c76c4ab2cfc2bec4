//! WSA codes as `std::io::Error`: one table.
//!
//! The kinds are those the standard library gives each code on Windows
//! (`decode_error_kind` in `library/std/src/sys/pal/windows/mod.rs`, now
//! `library/std/src/sys/io/error/windows.rs`: its `match errno` over the
//! `WSAE*` constants). Codes std does not list decode there to the unstable
//! `ErrorKind::Uncategorized`, which code outside std cannot build; they are
//! [`io::ErrorKind::Other`] here (a divergence, written in the table).
//!
//! `raw_os_error()`: on a Windows build the error is
//! `io::Error::from_raw_os_error(code)`, so it returns the WSA code and std
//! decodes the kind itself. Elsewhere std would decode the number as an
//! errno of that system (10061 is no errno of Linux), so the error is
//! `io::Error::new(kind, SimOsError)` instead: `raw_os_error()` is `None`
//! there and [`wsa_code`] reads the code back on every system.

use std::fmt;
use std::io;

use simsock_model::WsaError;

/// Each code std decodes, with its kind on Windows (std's order).
pub const TABLE: &[(WsaError, io::ErrorKind)] = &[
    (WsaError::WSAEACCES, io::ErrorKind::PermissionDenied),
    (WsaError::WSAEADDRINUSE, io::ErrorKind::AddrInUse),
    (WsaError::WSAEADDRNOTAVAIL, io::ErrorKind::AddrNotAvailable),
    (WsaError::WSAECONNABORTED, io::ErrorKind::ConnectionAborted),
    (WsaError::WSAECONNREFUSED, io::ErrorKind::ConnectionRefused),
    (WsaError::WSAECONNRESET, io::ErrorKind::ConnectionReset),
    (WsaError::WSAEINVAL, io::ErrorKind::InvalidInput),
    (WsaError::WSAENOTCONN, io::ErrorKind::NotConnected),
    (WsaError::WSAEWOULDBLOCK, io::ErrorKind::WouldBlock),
    (WsaError::WSAETIMEDOUT, io::ErrorKind::TimedOut),
    (WsaError::WSAEHOSTUNREACH, io::ErrorKind::HostUnreachable),
    (WsaError::WSAENETDOWN, io::ErrorKind::NetworkDown),
    (WsaError::WSAENETUNREACH, io::ErrorKind::NetworkUnreachable),
];

/// The kind std gives `code` on Windows; `Other` where std says
/// `Uncategorized` (see the module's note).
pub fn kind_of(code: WsaError) -> io::ErrorKind {
    TABLE
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(io::ErrorKind::Other, |(_, kind)| *kind)
}

/// The payload of a simulated OS error on a non-Windows build: the code,
/// shown as Windows' `FormatMessage` would name it, with its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimOsError(pub WsaError);

impl fmt::Display for SimOsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.0;
        write!(
            f,
            "{} (os error {}, simulated): {}",
            code.name(),
            code.number(),
            code.meaning()
        )
    }
}

impl std::error::Error for SimOsError {}

/// `code` as the `io::Error` a Windows program would get.
pub fn to_io(code: WsaError) -> io::Error {
    #[cfg(windows)]
    {
        io::Error::from_raw_os_error(code.number() as i32)
    }
    #[cfg(not(windows))]
    {
        io::Error::new(kind_of(code), SimOsError(code))
    }
}

/// The WSA code of an error made by [`to_io`] (or any OS error on
/// Windows), on every system.
pub fn wsa_code(error: &io::Error) -> Option<u32> {
    if let Some(code) = error.get_ref().and_then(|e| e.downcast_ref::<SimOsError>()) {
        return Some(code.0.number());
    }
    if cfg!(windows) {
        return error.raw_os_error().map(|n| n as u32);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes the issue names, each with std's kind on Windows and its
    /// code readable back.
    #[test]
    fn the_table_gives_std_kinds_and_codes() {
        let want = [
            (10061, io::ErrorKind::ConnectionRefused),
            (10060, io::ErrorKind::TimedOut),
            (10054, io::ErrorKind::ConnectionReset),
            (10053, io::ErrorKind::ConnectionAborted),
            (10048, io::ErrorKind::AddrInUse),
            (10049, io::ErrorKind::AddrNotAvailable),
            (10051, io::ErrorKind::NetworkUnreachable),
            (10065, io::ErrorKind::HostUnreachable),
            (10035, io::ErrorKind::WouldBlock),
            (10050, io::ErrorKind::NetworkDown),
            (10057, io::ErrorKind::NotConnected),
            (10022, io::ErrorKind::InvalidInput),
            (10013, io::ErrorKind::PermissionDenied),
            // Uncategorized in std: Other here.
            (10038, io::ErrorKind::Other),
            (10056, io::ErrorKind::Other),
            (10058, io::ErrorKind::Other),
        ];
        for (number, kind) in want {
            let code = WsaError::lookup(&number.to_string()).expect("a known code");
            let error = to_io(code);
            assert_eq!(error.kind(), kind, "{}", code.name());
            assert_eq!(wsa_code(&error), Some(number), "{}", code.name());
        }
    }

    #[test]
    fn the_message_names_the_code() {
        let text = to_io(WsaError::WSAECONNREFUSED).to_string();
        if cfg!(not(windows)) {
            assert!(
                text.starts_with("WSAECONNREFUSED (os error 10061, simulated)"),
                "{text}"
            );
        }
    }

    #[test]
    fn every_code_in_the_table_is_distinct() {
        for (i, (a, _)) in TABLE.iter().enumerate() {
            assert!(TABLE[i + 1..].iter().all(|(b, _)| a != b), "{a} twice");
        }
    }
}
