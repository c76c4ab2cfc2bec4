//! The catalogue of connect behaviours: every promise of the four Winsock
//! documents with its stable ID (`CB-...`), as `connect-behaviours.md` lists
//! them. It is the project's own list: `simsock explain CB-N3` prints an
//! entry, and a test checks that every ID is named by a test or a scenario.

/// One behaviour of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Behaviour {
    /// The stable ID, e.g. `CB-C14`.
    pub id: &'static str,
    /// The catalogue section it belongs to.
    pub section: &'static str,
    /// What the documents promise.
    pub text: &'static str,
}

/// Every behaviour, in catalogue order.
pub const BEHAVIOURS: &[Behaviour] = &[
    Behaviour {
        id: "CB-C1",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "Success returns 0 (ConnectEx: TRUE); failure returns SOCKET_ERROR (ConnectEx: FALSE) and the code is read with WSAGetLastError, which is per thread. WSPConnect instead writes the code through its `lpErrno` out-parameter.",
    },
    Behaviour {
        id: "CB-C2",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "An unbound socket is bound implicitly at connect time to a unique local address and port, and is marked bound (getsockname shows it afterwards). ConnectEx is the exception: it requires a socket that was bound beforehand and fails with WSAEINVAL on an unbound one (CB-X2).",
    },
    Behaviour {
        id: "CB-C3",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "A destination whose address is all zeros (INADDR_ANY, in6addr_any) fails with WSAEADDRNOTAVAIL on a connection-oriented socket.",
    },
    Behaviour {
        id: "CB-C4",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "Connecting a socket that is already connected fails with WSAEISCONN.",
    },
    Behaviour {
        id: "CB-C5",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "After a failure of WSAECONNREFUSED, WSAENETUNREACH or WSAETIMEDOUT the same socket may call connect (or WSAConnect, or ConnectEx) again, and the new attempt behaves as a fresh one.",
    },
    Behaviour {
        id: "CB-C6",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "A listening socket cannot connect: WSAEINVAL.",
    },
    Behaviour {
        id: "CB-C7",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "A descriptor that is not a socket: WSAENOTSOCK.",
    },
    Behaviour {
        id: "CB-C8",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "`namelen` smaller than the address family's sockaddr, or a name whose format does not fit the family: WSAEFAULT.",
    },
    Behaviour {
        id: "CB-C9",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "A name from another address family than the socket's: WSAEAFNOSUPPORT.",
    },
    Behaviour {
        id: "CB-C10",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "Before a successful WSAStartup: WSANOTINITIALISED (not at the SPI level, where the provider is only reached after startup).",
    },
    Behaviour {
        id: "CB-C11",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "The network subsystem has failed (the host's interface is down): WSAENETDOWN.",
    },
    Behaviour {
        id: "CB-C12",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "The destination network has no route from this host: WSAENETUNREACH.",
    },
    Behaviour {
        id: "CB-C13",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "A host on a reachable network does not answer at the link level, or a router reports it unreachable: WSAEHOSTUNREACH (connect and ConnectEx list it; the CE WSAConnect and WSPConnect tables do not).",
    },
    Behaviour {
        id: "CB-C14",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "The peer answers the connection request with a reset (no listener on that port, or a listener that refuses): WSAECONNREFUSED.",
    },
    Behaviour {
        id: "CB-C15",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "No answer before the stack gives up its retransmissions: WSAETIMEDOUT.",
    },
    Behaviour {
        id: "CB-C16",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "No buffer space, for example no ephemeral port left to bind implicitly: WSAENOBUFS.",
    },
    Behaviour {
        id: "CB-C17",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "The local address is in use and SO_REUSEADDR was not set. Usually reported by bind, but reported by connect when the socket was bound to a wildcard address and committing the specific local address at connect time collides (the delayed bind): WSAEADDRINUSE.",
    },
    Behaviour {
        id: "CB-C18",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "A blocking call that is cancelled fails with WSAEINTR: through WSACancelBlockingCall (connect, Winsock 1.1), through WSPCancelBlockingCall (WSPConnect), or, on Windows CE, because another thread closed the socket.",
    },
    Behaviour {
        id: "CB-C19",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "Another blocking Winsock 1.1 call is already in progress on the thread, or the provider is still inside a callback: WSAEINPROGRESS.",
    },
    Behaviour {
        id: "CB-C20",
        section: "Common to every connect call (connect, WSAConnect, WSPConnect, ConnectEx)",
        text: "When a connected socket breaks for any reason it is to be discarded and a new one created; the simulator never revives a broken connection.",
    },
    Behaviour {
        id: "CB-N1",
        section: "Nonblocking connection-oriented sockets",
        text: "A nonblocking connect that cannot complete at once fails with WSAEWOULDBLOCK while the attempt goes on (ConnectEx: FALSE with ERROR_IO_PENDING, see CB-X4).",
    },
    Behaviour {
        id: "CB-N2",
        section: "Nonblocking connection-oriented sockets",
        text: "While the attempt is pending, a further connect on the socket fails with WSAEALREADY; Winsock 1.1 applications see WSAEINVAL instead (connect, WSPConnect). Once the attempt has succeeded, a further connect fails with WSAEISCONN. Portable callers treat WSAEINVAL and WSAEWOULDBLOCK like WSAEALREADY.",
    },
    Behaviour {
        id: "CB-N3",
        section: "Nonblocking connection-oriented sockets",
        text: "With select, success is reported in the write set and failure in the except set (WSPSelect likewise at the SPI level).",
    },
    Behaviour {
        id: "CB-N4",
        section: "Nonblocking connection-oriented sockets",
        text: "With WSAAsyncSelect (WSPAsyncSelect) an FD_CONNECT notification is posted; its error code is 0 on success or the specific failure code.",
    },
    Behaviour {
        id: "CB-N5",
        section: "Nonblocking connection-oriented sockets",
        text: "With WSAEventSelect (WSPEventSelect) the associated event object is signalled when the attempt completes, successfully or not; the FD_CONNECT error code (read with WSAEnumNetworkEvents) tells which.",
    },
    Behaviour {
        id: "CB-N6",
        section: "Nonblocking connection-oriented sockets",
        text: "Calling setsockopt while a connection attempt is in progress is not supported; the caller waits for completion first.",
    },
    Behaviour {
        id: "CB-N7",
        section: "Nonblocking connection-oriented sockets",
        text: "On a blocking socket the call returns only when the outcome is known, and its return value is that outcome.",
    },
    Behaviour {
        id: "CB-D1",
        section: "Connectionless sockets (SOCK_DGRAM)",
        text: "connect only records a default destination; no packet is exchanged and the call succeeds at once.",
    },
    Behaviour {
        id: "CB-D2",
        section: "Connectionless sockets (SOCK_DGRAM)",
        text: "Once connected, datagrams arriving from any other address are discarded.",
    },
    Behaviour {
        id: "CB-D3",
        section: "Connectionless sockets (SOCK_DGRAM)",
        text: "send/WSASend and recv/WSARecv use the default destination.",
    },
    Behaviour {
        id: "CB-D4",
        section: "Connectionless sockets (SOCK_DGRAM)",
        text: "Connecting to the all-zero address disconnects the socket (connect, WSPConnect: the address member is zero; WSAConnect CE: the entire name structure is zero); afterwards send and recv fail with WSAENOTCONN, while sendto and recvfrom still work.",
    },
    Behaviour {
        id: "CB-D5",
        section: "Connectionless sockets (SOCK_DGRAM)",
        text: "Connecting again changes the default destination, even while connected.",
    },
    Behaviour {
        id: "CB-D6",
        section: "Connectionless sockets (SOCK_DGRAM)",
        text: "If the new name differs from the previous one, datagrams already queued for receipt are discarded.",
    },
    Behaviour {
        id: "CB-D7",
        section: "Connectionless sockets (SOCK_DGRAM)",
        text: "Connect data and QoS parameters are silently ignored on connectionless sockets.",
    },
    Behaviour {
        id: "CB-B1",
        section: "Broadcast",
        text: "A connectionless socket may connect to any valid address, a broadcast address included.",
    },
    Behaviour {
        id: "CB-B2",
        section: "Broadcast",
        text: "Connecting to a broadcast address without SO_BROADCAST enabled fails with WSAEACCES.",
    },
    Behaviour {
        id: "CB-B3",
        section: "Broadcast",
        text: "A datagram sent to a broadcast address reaches every host of the broadcast domain (the simulator defines the domain from the topology: the hosts of one subnet for a directed broadcast, of one link segment for 255.255.255.255).",
    },
    Behaviour {
        id: "CB-W1",
        section: "WSAConnect and WSPConnect: connect data and quality of service",
        text: "`lpCallerData`, when not null, is user data sent to the peer with the connection request; null means none.",
    },
    Behaviour {
        id: "CB-W2",
        section: "WSAConnect and WSPConnect: connect data and quality of service",
        text: "`lpCalleeData` receives user data sent back by the peer during establishment. On entry `len` is the buffer's size; on completion it holds the length received, 0 when the peer sent none. It is valid when the blocking call returns, or after FD_CONNECT for a nonblocking socket. Null means the caller wants none.",
    },
    Behaviour {
        id: "CB-W3",
        section: "WSAConnect and WSPConnect: connect data and quality of service",
        text: "Caller data too large, or a callee buffer too small: WSAEFAULT (WSPConnect also for too-small lpSQOS or lpGQOS buffers).",
    },
    Behaviour {
        id: "CB-W4",
        section: "WSAConnect and WSPConnect: connect data and quality of service",
        text: "A provider that does not support connect data fails a request that carries caller data with WSAEPROTONOSUPPORT. The Windows CE default TCP/UDP provider is such a provider: both data pointers must be null there.",
    },
    Behaviour {
        id: "CB-W5",
        section: "WSAConnect and WSPConnect: connect data and quality of service",
        text: "`lpSQOS` carries flow specifications, one for each direction; a provider or socket type that cannot honour them fails with WSAEOPNOTSUPP. At the SPI level it overrides an earlier SIO_SET_QOS. Null means no QoS asked. On Windows CE both QoS parameters are reserved.",
    },
    Behaviour {
        id: "CB-W6",
        section: "WSAConnect and WSPConnect: connect data and quality of service",
        text: "The memory behind every parameter is the caller's; the simulator never keeps a reference past the call (completion data is copied into the caller's buffers at completion time).",
    },
    Behaviour {
        id: "CB-X1",
        section: "ConnectEx",
        text: "Only connection-oriented sockets (SOCK_STREAM, SOCK_RDM, SOCK_SEQPACKET) may use ConnectEx.",
    },
    Behaviour {
        id: "CB-X2",
        section: "ConnectEx",
        text: "The socket must already be bound: an unbound socket fails with WSAEINVAL, as does a listening one.",
    },
    Behaviour {
        id: "CB-X3",
        section: "ConnectEx",
        text: "The function is reached through WSAIoctl with SIO_GET_EXTENSION_FUNCTION_POINTER and the WSAID_CONNECTEX identifier.",
    },
    Behaviour {
        id: "CB-X4",
        section: "ConnectEx",
        text: "It is overlapped: `lpOverlapped` is required (null is WSAEFAULT). It returns TRUE when done at once, else FALSE with ERROR_IO_PENDING, and the outcome arrives through the overlapped completion mechanism (an event, or a completion port read with GetQueuedCompletionStatus; WSAGetOverlappedResult/GetOverlappedResult give the same outcome). The call can still fail at completion.",
    },
    Behaviour {
        id: "CB-X5",
        section: "ConnectEx",
        text: "An optional send buffer is sent once the connection is established; `lpdwBytesSent` (and the completion's byte count) tells how many bytes went. With TCP_FASTOPEN enabled before the call, part of the data may ride on the connection request itself.",
    },
    Behaviour {
        id: "CB-X6",
        section: "ConnectEx",
        text: "After success the socket is in the default state of a connected socket: options set earlier take effect, and functions such as getpeername and shutdown work, only after setsockopt(SO_UPDATE_CONNECT_CONTEXT).",
    },
    Behaviour {
        id: "CB-X7",
        section: "ConnectEx",
        text: "getsockopt(SO_CONNECT_TIME) gives the number of seconds the socket has been connected, or 0xFFFFFFFF while it is not connected.",
    },
    Behaviour {
        id: "CB-X8",
        section: "ConnectEx",
        text: "All I/O that a thread started is cancelled when the thread exits; a pending ConnectEx then fails.",
    },
    Behaviour {
        id: "CB-X9",
        section: "ConnectEx",
        text: "TransmitFile with TF_DISCONNECT and TF_REUSE_SOCKET, or DisconnectEx with TF_REUSE_SOCKET, returns a connected socket to the bound, unconnected state; such a socket may be passed to ConnectEx again, but not to AcceptEx. A socket that came from accept and was reused so cannot be used with ConnectEx.",
    },
    Behaviour {
        id: "CB-X10",
        section: "ConnectEx",
        text: "A reused socket is subject to TIME_WAIT: its new ConnectEx may be delayed until the old connection's TIME_WAIT has passed.",
    },
    Behaviour {
        id: "CB-X11",
        section: "ConnectEx",
        text: "The error table of ConnectEx differs from connect's: no WSAEINTR, no WSAEINPROGRESS, no WSAEWOULDBLOCK, no WSAEACCES; WSAEINVAL also covers an unbound socket.",
    },
    Behaviour {
        id: "CB-T1",
        section: "TIME_WAIT and reuse",
        text: "The side that closes a connection first keeps it in TIME_WAIT for 2MSL before its resources are released.",
    },
    Behaviour {
        id: "CB-T2",
        section: "TIME_WAIT and reuse",
        text: "MSL defaults to 120 s. TcpTimedWaitDelay, a per-host setting, defaults to 240 s and may be set from 0 to 300 s; the simulator's host configuration exposes it with those bounds and rejects values outside them.",
    },
    Behaviour {
        id: "CB-T3",
        section: "TIME_WAIT and reuse",
        text: "While a connection is in TIME_WAIT its socket pair (the four-tuple) cannot be used by a new connection.",
    },
    Behaviour {
        id: "CB-T4",
        section: "TIME_WAIT and reuse",
        text: "A shorter TIME_WAIT frees resources sooner; too short a one lets a late segment of the old connection reach a new one (the simulator can show this).",
    },
    Behaviour {
        id: "CB-A1",
        section: "Blocking calls and threads",
        text: "A blocking call waits alertably: an asynchronous procedure call queued to the same thread can run inside it. Issuing another blocking Winsock call from inside such an APC is undefined behaviour; the simulator reports it as a scenario error instead of guessing.",
    },
    Behaviour {
        id: "CB-I1",
        section: "IrDA (connect only)",
        text: "Addresses are `sockaddr_irda`; a client enumerates devices in range (IRLMP_ENUMDEVICES) before connecting. Blocking and nonblocking behave alike.",
    },
    Behaviour {
        id: "CB-I2",
        section: "IrDA (connect only)",
        text: "WSAENETDOWN when an IrDA connection already exists at the media-access level; WSAEADDRINUSE when active connections to a device with another address exist; WSAEISCONN when already connected or an exclusive/multiplexed mode change failed; WSAEINVAL when the socket was bound to a local service name to accept connections.",
    },
];

/// Whether `text` names `id` as a whole ID: `CB-C1` is not named by
/// `CB-C14`.
pub fn names(text: &str, id: &str) -> bool {
    text.match_indices(id).any(|(at, _)| {
        !text[at + id.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

/// The behaviour with this ID (case-insensitive), if any.
pub fn find(id: &str) -> Option<&'static Behaviour> {
    BEHAVIOURS.iter().find(|b| b.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut ids: Vec<_> = BEHAVIOURS.iter().map(|b| b.id).collect();
        assert_eq!(ids.len(), 61);
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 61, "duplicate IDs");
        assert!(ids.iter().all(|id| id.starts_with("CB-") && id.len() >= 5));
        assert_eq!(
            find("cb-n3").map(|b| b.section),
            Some("Nonblocking connection-oriented sockets")
        );
    }
}
