//! What the four Winsock documents say each code means, and how simsock's
//! network produces it: the text behind `simsock explain CODE`.
//!
//! [`meaning_in`] quotes the error table of each document that lists a code
//! (`connect.txt`, `WSAConnect-CE.txt`, `WSPConnect.txt`, `ConnectEx.txt`;
//! the marks are those of [`WsaError::listed_by`], the table of
//! `connect-behaviours.md`). Quotes are verbatim but for the spaces the text
//! copies lost (`connectwas`), and long entries keep their first sentences,
//! with `...` where text is left out. `WSPConnect.txt` lost the code names
//! of its table; its entries are matched to codes in the catalogue's order.
//! ConnectEx's ERROR_IO_PENDING is quoted from its "Return value" section,
//! which is where that document explains it.
//!
//! [`causes`] says, per code, what in the simulated network or in the
//! calls produces it, each cause with its CB-ID.

use crate::wsa::{Api, WsaError};

use Api::{Connect as C, ConnectEx as X, WsaConnect as W, WspConnect as P};
use WsaError as E;

/// Same text in several documents.
const WSASTARTUP: &str = "A successful WSAStartup call must occur before using this function.";
const NETDOWN: &str = "The network subsystem has failed.";
const AFNOSUPPORT: &str = "Addresses in the specified family cannot be used with this socket.";
const ISCONN: &str = "The socket is already connected (connection-oriented sockets only).";
const NETUNREACH: &str = "The network cannot be reached from this host at this time.";
const HOSTUNREACH: &str = "A socket operation was attempted to an unreachable host.";
const NOBUFS: &str = "No buffer space is available. The socket cannot be connected.";
const NOTSOCK: &str = "The descriptor is not a socket.";
const TIMEDOUT: &str = "An attempt to connect timed out without establishing a connection.";
const WOULDBLOCK: &str =
    "The socket is marked as nonblocking and the connection cannot be completed immediately.";
const LISTENING: &str = "The parameter s is a listening socket.";
const REJECTED: &str = "The attempt to connect was rejected.";

/// Each document's words for each code it lists.
const QUOTES: &[(WsaError, Api, &str)] = &[
    // connect.txt
    (E::WSANOTINITIALISED, C, WSASTARTUP),
    (E::WSAENETDOWN, C, NETDOWN),
    (
        E::WSAEADDRINUSE,
        C,
        "The socket's local address is already in use and the socket was not marked to allow \
         address reuse with SO_REUSEADDR. This error usually occurs when executing bind, but \
         could be delayed until the connect function if the bind was to a wildcard address \
         (INADDR_ANY or in6addr_any) for the local IP address.",
    ),
    (
        E::WSAEINTR,
        C,
        "The blocking Windows Socket 1.1 call was canceled through WSACancelBlockingCall.",
    ),
    (
        E::WSAEINPROGRESS,
        C,
        "A blocking Windows Sockets 1.1 call is in progress, or the service provider is still \
         processing a callback function.",
    ),
    (
        E::WSAEALREADY,
        C,
        "A nonblocking connect call is in progress on the specified socket.",
    ),
    (
        E::WSAEADDRNOTAVAIL,
        C,
        "The remote address is not a valid address (such as INADDR_ANY or in6addr_any).",
    ),
    (E::WSAEAFNOSUPPORT, C, AFNOSUPPORT),
    (
        E::WSAECONNREFUSED,
        C,
        "The attempt to connect was forcefully rejected.",
    ),
    (
        E::WSAEFAULT,
        C,
        "The sockaddr structure pointed to by the name contains incorrect address format for \
         the associated address family or the namelen parameter is too small. ...",
    ),
    (E::WSAEINVAL, C, LISTENING),
    (E::WSAEISCONN, C, ISCONN),
    (E::WSAENETUNREACH, C, NETUNREACH),
    (E::WSAEHOSTUNREACH, C, HOSTUNREACH),
    (E::WSAENOBUFS, C, NOBUFS),
    (
        E::WSAENOTSOCK,
        C,
        "The descriptor specified in the s parameter is not a socket.",
    ),
    (E::WSAETIMEDOUT, C, TIMEDOUT),
    (E::WSAEWOULDBLOCK, C, WOULDBLOCK),
    (
        E::WSAEACCES,
        C,
        "An attempt to connect a datagram socket to broadcast address failed because \
         setsockopt option SO_BROADCAST is not enabled.",
    ),
    // WSAConnect-CE.txt
    (E::WSANOTINITIALISED, W, WSASTARTUP),
    (E::WSAENETDOWN, W, NETDOWN),
    (
        E::WSAEADDRINUSE,
        W,
        "The local address of the socket is already in use and the socket was not marked to \
         allow address reuse with SO_REUSEADDR. ... it could be delayed until the WSAConnect \
         function if the bind function operates on a partially wildcard address (involving \
         ADDR_ANY) and if a specific address needs to be \"committed\" at the time of the \
         WSAConnect function.",
    ),
    (E::WSAEINTR, W, "The socket was closed."),
    (
        E::WSAEINPROGRESS,
        W,
        "A blocking Winsock call is in progress, or the service provider is still processing \
         a callback function.",
    ),
    (
        E::WSAEALREADY,
        W,
        "A nonblocking connect/WSAConnect call is in progress on the specified socket.",
    ),
    (
        E::WSAEADDRNOTAVAIL,
        W,
        "The remote address is not a valid address (such as ADDR_ANY).",
    ),
    (E::WSAEAFNOSUPPORT, W, AFNOSUPPORT),
    (E::WSAECONNREFUSED, W, REJECTED),
    (
        E::WSAEFAULT,
        W,
        "The name or namelen parameter is not a valid part of the user address space; the \
         namelen parameter is too small; the buffer length for lpCalleeData is too small; or \
         the buffer length for lpCallerData is too large.",
    ),
    (E::WSAEINVAL, W, LISTENING),
    (E::WSAEISCONN, W, ISCONN),
    (E::WSAENETUNREACH, W, NETUNREACH),
    (E::WSAENOBUFS, W, NOBUFS),
    (E::WSAENOTSOCK, W, NOTSOCK),
    (
        E::WSAEOPNOTSUPP,
        W,
        "The structures specified in lpSQOS and lpGQOS cannot be satisfied.",
    ),
    (
        E::WSAEPROTONOSUPPORT,
        W,
        "The lpCallerData argument is not supported by the service provider.",
    ),
    (E::WSAETIMEDOUT, W, TIMEDOUT),
    (E::WSAEWOULDBLOCK, W, WOULDBLOCK),
    (
        E::WSAEACCES,
        W,
        "An attempt to connect datagram socket to broadcast address failed because setsockopt \
         SO_BROADCAST is not enabled.",
    ),
    // WSPConnect.txt (names restored in the catalogue's order)
    (E::WSAENETDOWN, P, NETDOWN),
    (
        E::WSAEADDRINUSE,
        P,
        "Local address of the socket is already in use and the socket was not marked to allow \
         address reuse with SO_REUSEADDR. This error usually occurs at the time of bind, but \
         could be delayed until this function if the bind was to a partially wildcard address \
         (involving ADDR_ANY) and if a specific address needs to be committed at the time of \
         this function.",
    ),
    (
        E::WSAEINTR,
        P,
        "(Blocking) call was canceled through WSPCancelBlockingCall.",
    ),
    (
        E::WSAEINPROGRESS,
        P,
        "Blocking Winsock call is in progress or the service provider is still processing a \
         callback function.",
    ),
    (
        E::WSAEALREADY,
        P,
        "Nonblocking WSPConnect call is in progress on the specified socket.",
    ),
    (
        E::WSAEADDRNOTAVAIL,
        P,
        "Remote address is not a valid address (for example, ADDR_ANY).",
    ),
    (E::WSAEAFNOSUPPORT, P, AFNOSUPPORT),
    (E::WSAECONNREFUSED, P, "An attempt to connect was rejected."),
    (
        E::WSAEFAULT,
        P,
        "The name or the namelen parameter is not a valid part of the user address space, the \
         namelen parameter is too small, the buffer length for lpCalleeData, lpSQOS, and \
         lpGQOS is too small, or the buffer length for lpCallerData is too large.",
    ),
    (E::WSAEINVAL, P, "Parameter s is a listening socket."),
    (
        E::WSAEISCONN,
        P,
        "Socket is already connected (connection-oriented sockets only).",
    ),
    (E::WSAENETUNREACH, P, NETUNREACH),
    (E::WSAENOBUFS, P, NOBUFS),
    (E::WSAENOTSOCK, P, NOTSOCK),
    (
        E::WSAEOPNOTSUPP,
        P,
        "Flow specifications specified in lpSQOS cannot be satisfied.",
    ),
    (
        E::WSAEPROTONOSUPPORT,
        P,
        "The lpCallerData augment is not supported by the service provider.",
    ),
    (E::WSAETIMEDOUT, P, TIMEDOUT),
    (
        E::WSAEWOULDBLOCK,
        P,
        "Socket is marked as nonblocking and the connection cannot be completed immediately. \
         ...",
    ),
    (
        E::WSAEACCES,
        P,
        "An attempt to connect datagram socket to broadcast address failed because \
         WSPSetSockOpt SO_BROADCAST is not enabled.",
    ),
    // ConnectEx.txt
    (
        E::WSANOTINITIALISED,
        X,
        "A successful WSAStartup function call must occur before using ConnectEx.",
    ),
    (E::WSAENETDOWN, X, NETDOWN),
    (
        E::WSAEADDRINUSE,
        X,
        "The local address of the socket is already in use, and the socket was not marked to \
         allow address reuse with SO_REUSEADDR. This error usually occurs during a bind \
         operation, but the error could be delayed until a ConnectEx function call, if the \
         bind function was called with a wildcard address (INADDR_ANY or in6addr_any) \
         specified for the local IP address.",
    ),
    (
        E::WSAEALREADY,
        X,
        "A nonblocking connect, WSAConnect, or ConnectEx function call is in progress on the \
         specified socket.",
    ),
    (
        E::WSAEADDRNOTAVAIL,
        X,
        "The remote address is not a valid address, such as ADDR_ANY (the ConnectEx function \
         is only supported for connection-oriented sockets).",
    ),
    (E::WSAEAFNOSUPPORT, X, AFNOSUPPORT),
    (E::WSAECONNREFUSED, X, REJECTED),
    (
        E::WSAEFAULT,
        X,
        "The name, lpSendBuffer, or lpOverlapped parameter is not a valid part of the user \
         address space, or namelen is too small.",
    ),
    (
        E::WSAEINVAL,
        X,
        "The parameter s is an unbound or a listening socket.",
    ),
    (E::WSAEISCONN, X, "The socket is already connected."),
    (E::WSAENETUNREACH, X, NETUNREACH),
    (E::WSAEHOSTUNREACH, X, HOSTUNREACH),
    (
        E::WSAENOBUFS,
        X,
        "No buffer space is available; the socket cannot be connected.",
    ),
    (E::WSAENOTSOCK, X, NOTSOCK),
    (
        E::WSAETIMEDOUT,
        X,
        "The attempt to connect timed out without establishing a connection.",
    ),
    (
        E::ERROR_IO_PENDING,
        X,
        "If a call to the WSAGetLastError function returns ERROR_IO_PENDING, the operation \
         initiated successfully and is in progress.",
    ),
];

/// The words of `api`'s document for `code`; `None` when its error table
/// does not list the code.
pub fn meaning_in(code: WsaError, api: Api) -> Option<&'static str> {
    QUOTES
        .iter()
        .find(|(c, a, _)| *c == code && *a == api)
        .map(|(.., text)| *text)
}

/// How simsock produces `code`: one sentence per cause, each with its CB-ID
/// (or RFC). Empty for the codes simsock never returns.
pub fn causes(code: WsaError) -> &'static [&'static str] {
    match code {
        E::WSAECONNREFUSED => &[
            "The SYN reaches a host with no listener on the port, and its stack answers RST \
             (RFC 9293 §3.10.7.1; CB-C14). The client re-sends the SYN refused_syn_retries \
             times, refused_retry_interval apart (500 ms), before it gives up: 4 times under \
             the windows personality (2.010 s over a 1 ms link, as Windows 10/11 is \
             measured), 2 under windows-documented (1.006 s, KB175523). \
             refused_syn_retries: 0 gives an immediate refusal.",
            "The listener's backlog is full and the server's profile has backlog_overflow: \
             Reset, the Windows default: the SYN is answered with RST (CB-C14).",
        ],
        E::WSAETIMEDOUT => &[
            "No SYN gets an answer: a link on the way is down (up: false, or a LinkDown fault) \
             or loses them (loss_ppm). The SYN goes at 0 s and again after initial_rto (3 s), \
             doubled each time, max_connect_retransmissions times (2): SYNs at 0, 3 and 9 s, \
             and WSAETIMEDOUT at 21 s (CB-C15).",
            "The SYN arrives but no answer comes back: the SYN-ACK is lost on the way, or a \
             full backlog drops the SYN under backlog_overflow: Drop, a POSIX-style server \
             (CB-C15).",
        ],
        E::WSAENETUNREACH => &[
            "No route: the destination lies in no subnet of the address plan, or no chain of \
             routers leads there. connect fails at once and no packet is sent (CB-C12).",
            "A router on the path has no route and answers ICMP network unreachable \
             (RFC 792 code 0; CB-C12).",
            "An IPv6 socket connects: the simulated network carries IPv4 only.",
        ],
        E::WSAEHOSTUNREACH => &[
            "The destination is on a router's subnet but no host owns it: the router tries \
             ARP for 2 s, then answers ICMP host unreachable (RFC 792 code 1; CB-C13).",
            "The destination is on the host's own subnet and nobody answers its ARP: after \
             the profile's arp_timeout (2 s) the stack reports it unreachable (CB-C13).",
        ],
        E::WSAEADDRINUSE => &[
            "connect from a socket bound (with SO_REUSEADDR) to a port whose earlier \
             connection to the same peer is still in TIME_WAIT: the four-tuple is held until \
             tcp_timed_wait_delay (120 s under windows, 240 s under windows-documented, 0 to \
             300 s) has passed, and connect \
             reports the collision, the delayed bind (CB-C17, CB-T1, CB-T3).",
            "bind to a port that a socket, a connection or a TIME_WAIT record holds, on a \
             socket without SO_REUSEADDR (CB-C17; windows-documented); listen on a port \
             another socket listens on.",
            "bind under windows: an address that overlaps another socket's (the same, or \
             either 0.0.0.0) where Windows' bind matrix says in use, e.g. two sockets on \
             0.0.0.0:p, or any bind beside an SO_EXCLUSIVEADDRUSE socket's wildcard; TIME_WAIT \
             is not checked, so the connect fails instead (curl issue 8112).",
        ],
        E::WSAENOBUFS => &[
            "No ephemeral port is free for the implicit bind of connect (or bind to port 0): \
             every port of the profile's ephemeral_ports (49152 to 65535 by default) is held \
             by a socket, a connection or a TIME_WAIT record (CB-C16).",
        ],
        E::WSAECONNRESET => &[
            "The peer resets an established connection (an abortive close, or a segment for \
             a connection it no longer has): send and recv fail (RFC 9293 §3.10.7.4).",
        ],
        E::WSAECONNABORTED => &["The stack gives up on data the peer never acknowledges: \
             max_data_retransmissions (5) run out and the connection is aborted \
             (RFC 9293 §3.8.3)."],
        E::WSANOTINITIALISED => {
            &["A call before WSAStartup, on a host with started: false (CB-C10)."]
        }
        E::WSAENOTSOCK => {
            &["A socket variable that names no open socket, e.g. after closesocket (CB-C7)."]
        }
        E::WSAEAFNOSUPPORT => &["An address of the other family than the socket's (CB-C9)."],
        E::WSAEADDRNOTAVAIL => {
            &["connect to 0.0.0.0 or to port 0 (CB-C3); bind to an address the host does not own."]
        }
        E::WSAEINVAL => &["connect on a listening socket (CB-C6); listen on an unbound socket."],
        E::WSAEISCONN => &["connect on a socket already connected (CB-C4)."],
        E::WSAEALREADY => &["connect while the socket's connection attempt is under way (CB-N2)."],
        E::WSAEACCES => &[
            "connect of a datagram socket to a broadcast address without SO_BROADCAST (CB-B2).",
            "bind under windows where Windows' bind matrix denies sharing an address: \
             SO_REUSEADDR on an address another socket holds without it, or an address that \
             overlaps an SO_EXCLUSIVEADDRUSE socket's (\"Using SO_REUSEADDR and \
             SO_EXCLUSIVEADDRUSE\"; Wine test_reuseaddr).",
        ],
        E::WSAEOPNOTSUPP => &[
            "listen on a datagram socket.",
            // --- feature: wsaconnect ---
            "WSAConnect or WSPConnect with a flow specification asking a reservation \
             (ControlledLoad, Guaranteed): the simulated network has no admission control; \
             on the Windows CE provider any lpSQOS or lpGQOS, both reserved there (CB-W5).",
            "WSACancelBlockingCall under Winsock 2.2, which removed it (CB-C18).",
        ],
        E::WSAEPROTONOSUPPORT => &[
            "WSAConnect or WSPConnect with caller data on a provider without connect data \
             (Desktop, WindowsCe); on the Windows CE provider a callee buffer too (CB-W4).",
        ],
        E::WSAEINTR => &[
            "WSACancelBlockingCall (Winsock 1.1) or WSPCancelBlockingCall from an APC that \
             runs inside the blocking call; the attempt is torn down (CB-C18, CB-A1).",
            "On the Windows CE provider, another thread closes the socket of a blocking \
             connect or WSAConnect (CB-C18).",
        ],
        E::WSAEINPROGRESS => &[
            "A Winsock call from an APC that runs inside a blocking call, under Winsock 1.1 \
             or on the Windows CE provider (CB-C19, CB-A1); under Winsock 2.2 a blocking \
             one is undefined and stops the run with a scenario error.",
        ],
        E::WSAENOTCONN => {
            &["send, recv, getpeername or shutdown on a socket that is not connected (CB-D4)."]
        }
        E::WSAESHUTDOWN => &["send after shutdown(Send), recv after shutdown(Receive)."],
        E::WSAEMSGSIZE => &["A datagram larger than the limit, or than the receive buffer."],
        E::WSAEMFILE => &["More sockets open on one host than limits.max_sockets_per_host."],
        E::WSAENOPROTOOPT => &["An option the socket does not support (getsockopt, setsockopt)."],
        // ConnectEx and overlapped I/O (issue 3, item 4).
        E::ERROR_IO_PENDING => &[
            "ConnectEx started a connection attempt: the handshake needs a round trip, so the \
             call returns FALSE and the outcome arrives through the OVERLAPPED (CB-X4). \
             AcceptEx with no connection queued yet.",
        ],
        E::ERROR_OPERATION_ABORTED => &[
            "The thread that started a ConnectEx or AcceptEx exited before it completed: its \
             I/O is cancelled (CB-X8); or the socket was closed with the operation pending.",
        ],
        E::WSA_IO_INCOMPLETE => &[
            "WSAGetOverlappedResult without waiting while the operation is still pending (CB-X4).",
        ],
        E::WAIT_TIMEOUT => {
            &["GetQueuedCompletionStatus whose timeout passed with no completion packet queued."]
        }
        E::ERROR_INVALID_PARAMETER => &[
            "ConnectEx or AcceptEx called with lpOverlapped NULL on a host of the windows \
             personality (profile null_overlapped_invalid_parameter; Wine test_connect, \
             test_AcceptEx); the ConnectEx page's code, WSAEFAULT, under windows-documented.",
        ],
        E::WSATRY_AGAIN => &[
            "WSAAccept whose condition function answered CF_DEFER: the connection request \
             stays at the head of the listener's queue for a later accept, WSAAccept or \
             AcceptEx (the WSAAccept page; Wine test_accept, test_AcceptEx).",
        ],
        E::ERROR_CONNECTION_REFUSED
        | E::ERROR_NETWORK_UNREACHABLE
        | E::ERROR_HOST_UNREACHABLE
        | E::ERROR_SEM_TIMEOUT => &[
            "GetQueuedCompletionStatus dequeued a failed ConnectEx on a host of the windows \
             personality: the Win32 form of WSAECONNREFUSED, WSAENETUNREACH, WSAEHOSTUNREACH \
             or WSAETIMEDOUT (profile completion_win32_codes; Wine test_connect_completion_port).",
        ],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A quote for exactly the marks of the error table (74 in all).
    #[test]
    fn quotes_match_the_marks() {
        for code in WsaError::ALL {
            for api in Api::ALL {
                assert_eq!(
                    meaning_in(*code, api).is_some(),
                    code.listed_by(api),
                    "{code} in {}",
                    api.name()
                );
            }
        }
        assert_eq!(QUOTES.len(), 74);
    }

    #[test]
    fn the_documents_differ_where_they_do() {
        let refused = |api| meaning_in(E::WSAECONNREFUSED, api).unwrap();
        assert_eq!(
            refused(C),
            "The attempt to connect was forcefully rejected."
        );
        assert_eq!(refused(P), "An attempt to connect was rejected.");
        assert_eq!(meaning_in(E::WSAEHOSTUNREACH, W), None);
        assert_eq!(meaning_in(E::WSAEINTR, W), Some("The socket was closed."));
    }

    /// The four network outcomes have causes with a CB-ID.
    #[test]
    fn network_outcomes_have_cited_causes() {
        for code in [
            E::WSAECONNREFUSED,
            E::WSAETIMEDOUT,
            E::WSAENETUNREACH,
            E::WSAEHOSTUNREACH,
            E::WSAEADDRINUSE,
            E::WSAENOBUFS,
        ] {
            assert!(causes(code).iter().any(|c| c.contains("CB-")), "{code}");
        }
        assert!(
            causes(E::ERROR_IO_PENDING)
                .iter()
                .any(|c| c.contains("CB-X4"))
        );
    }
}
