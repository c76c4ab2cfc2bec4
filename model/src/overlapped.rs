//! Names the ConnectEx family's steps use (issue 3, item 4): the Microsoft
//! extension functions reached through WSAIoctl (CB-X3) and the flags of
//! DisconnectEx and TransmitFile (CB-X9).

use serde::{Deserialize, Serialize};

/// An extension function whose pointer WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)
/// returns for its GUID (mswsock.h: WSAID_CONNECTEX and the others).
#[allow(clippy::enum_variant_names)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ExtensionFunction {
    /// ConnectEx (ConnectEx.txt): an overlapped connect on a bound socket,
    /// with an optional send buffer (CB-X1..X5).
    ConnectEx,
    /// DisconnectEx: closes the connection, and with TF_REUSE_SOCKET keeps
    /// the socket bound for another ConnectEx (CB-X9).
    DisconnectEx,
    /// TransmitFile: sends a file's bytes; with TF_DISCONNECT and
    /// TF_REUSE_SOCKET it returns the socket to the bound state (CB-X9).
    TransmitFile,
    /// AcceptEx: an overlapped accept into a fresh, unbound socket; a socket
    /// reused after ConnectEx cannot be passed to it (CB-X9).
    AcceptEx,
}

impl ExtensionFunction {
    /// Every extension function, in the order of their [`bit`](Self::bit)s.
    pub const ALL: [ExtensionFunction; 4] = [
        ExtensionFunction::ConnectEx,
        ExtensionFunction::DisconnectEx,
        ExtensionFunction::TransmitFile,
        ExtensionFunction::AcceptEx,
    ];

    /// The GUID's name in mswsock.h.
    pub const fn guid_name(self) -> &'static str {
        match self {
            ExtensionFunction::ConnectEx => "WSAID_CONNECTEX",
            ExtensionFunction::DisconnectEx => "WSAID_DISCONNECTEX",
            ExtensionFunction::TransmitFile => "WSAID_TRANSMITFILE",
            ExtensionFunction::AcceptEx => "WSAID_ACCEPTEX",
        }
    }

    /// This function's bit in a host's set of obtained pointers: a thread of
    /// the host must obtain the pointer (CB-X3) before a call through it
    /// works; a call through a pointer never obtained is WSAEFAULT.
    pub const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// Flags of DisconnectEx and TransmitFile (mswsock.h).
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TfFlag {
    /// TransmitFile: start a transport-level disconnect after the data.
    TF_DISCONNECT,
    /// Return the socket to the bound, unconnected state for reuse (CB-X9).
    TF_REUSE_SOCKET,
}
