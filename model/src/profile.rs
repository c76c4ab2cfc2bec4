//! Host profiles: every timing and policy constant of a host's stack, each with
//! its source. A scenario may override any field per host (`profile: (...)`).
//!
//! A profile starts from a [`Personality`], the truth it follows:
//! `Windows` (the default: Windows 10/11 as observed, in Wine's ws2_32
//! conformance tests, which pass on real Windows, and in measurements by
//! others), or `WindowsDocumented` (the four Winsock documents and
//! Microsoft's knowledge-base articles where they and observed Windows
//! disagree; the 74-row conformance matrix runs under it), or `Linux` (the
//! Linux man pages connect(2), tcp(7), socket(7), ip(7) and the kernel's
//! defaults; its results carry errno names, `crate::errno`). Each difference
//! between them is one field below, with both sources on the field; the
//! fields a scenario writes override the personality's values
//! (`profile: (personality: WindowsDocumented, tcp_timed_wait_delay: "30s")`).

use serde::{Deserialize, Serialize};

use crate::time::SimDuration;

/// What a listener does with a SYN that finds its backlog full.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BacklogOverflow {
    /// Windows answers with RST: the client sees WSAECONNREFUSED (design.md,
    /// "Host profiles").
    Reset,
    /// A POSIX-style stack drops the SYN: the client retransmits and may time out.
    Drop,
}

/// Which rules decide that a bind's local address is in use (a port
/// belongs to an address, not to a host, in `Windows` and `Linux`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BindRules {
    /// A port held by anything (a bound socket of either family, a
    /// connection, a TIME_WAIT record) refuses a bind without SO_REUSEADDR,
    /// whatever the address; SO_REUSEADDR lets any bind through (CB-C17:
    /// "the local address is in use and SO_REUSEADDR was not set"; bind's
    /// WSAEADDRINUSE row). A second listener on the port: WSAEADDRINUSE.
    Documented,
    /// Windows Server 2003 and later: the bind matrix of first socket's
    /// option x second socket's option x wildcard or specific address
    /// (Microsoft, "Using SO_REUSEADDR and SO_EXCLUSIVEADDRUSE" and the same
    /// table in "Sharing Transport Addresses"; Wine `test_reuseaddr`). Only
    /// sockets bound to overlapping addresses of the same protocol and
    /// family meet; TIME_WAIT and connections are not checked at bind
    /// (curl issue 8112: the connect fails instead, WSAEADDRINUSE).
    Windows,
    /// Linux (socket(7) SO_REUSEADDR, ip(7), `inet_bind_conflict`): two
    /// sockets bound to overlapping addresses conflict unless both set
    /// SO_REUSEADDR and the earlier one does not listen; a port held by a
    /// TIME_WAIT record or a connection refuses a bind without SO_REUSEADDR.
    Linux,
}

/// The Winsock version that WSAStartup negotiates. Some codes differ by
/// version: a further connect while one is pending is WSAEALREADY under 2.2
/// and WSAEINVAL under 1.1 (CB-N2); WSACancelBlockingCall (CB-C18) and
/// WSAEINPROGRESS (CB-C19) belong to 1.1's blocking model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum WinsockVersion {
    /// Winsock 1.1 (WSAStartup(MAKEWORD(1, 1))).
    V1_1,
    /// Winsock 2.2, the default.
    #[default]
    V2_2,
}

impl WinsockVersion {
    /// The version as a scenario writes it and the trace prints it: `"1.1"`
    /// or `"2.2"`.
    pub const fn text(self) -> &'static str {
        match self {
            WinsockVersion::V1_1 => "1.1",
            WinsockVersion::V2_2 => "2.2",
        }
    }
}

impl std::fmt::Display for WinsockVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}

impl std::str::FromStr for WinsockVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "1.1" => Ok(WinsockVersion::V1_1),
            "2.2" | "2.0" | "2.1" => Ok(WinsockVersion::V2_2),
            _ => Err(format!(
                "unknown Winsock version {s:?}: write \"1.1\" or \"2.2\""
            )),
        }
    }
}

impl Serialize for WinsockVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.text())
    }
}

impl<'de> Deserialize<'de> for WinsockVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Which truth a host's profile follows; it picks the value of every field a
/// scenario leaves out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Personality {
    /// Windows 10/11 as observed (Wine's `dlls/ws2_32/tests/sock.c`, whose
    /// `ok()` checks hold on real Windows, and measurements cited per field).
    #[default]
    Windows,
    /// The four Winsock documents (connect, WSAConnect, WSPConnect,
    /// ConnectEx) and Microsoft's written word where observed Windows
    /// differs from them.
    WindowsDocumented,
    /// Linux with its default sysctls (connect(2), tcp(7), socket(7),
    /// ip(7); the kernel's `include/net/tcp.h`): the same calls, with
    /// Linux's timings and policies, and results shown as errno
    /// ([`crate::errno::Errno`]).
    Linux,
}

impl Personality {
    /// The name a scenario writes and the CLI prints.
    pub const fn text(self) -> &'static str {
        match self {
            Personality::Windows => "windows",
            Personality::WindowsDocumented => "windows-documented",
            Personality::Linux => "linux",
        }
    }

    /// Every personality, in the order the CLI lists them.
    pub const ALL: [Personality; 3] = [
        Personality::Windows,
        Personality::WindowsDocumented,
        Personality::Linux,
    ];

    /// Looks a personality up by the name the CLI takes (`windows`,
    /// `windows-documented`, `linux`) or the one a scenario writes
    /// (`WindowsDocumented`).
    pub fn lookup(text: &str) -> Option<Personality> {
        let text = text.trim();
        Personality::ALL.into_iter().find(|p| {
            p.text().eq_ignore_ascii_case(text) || format!("{p:?}").eq_ignore_ascii_case(text)
        })
    }

    /// Whether results are shown as errno (Linux) rather than WSA codes.
    pub const fn errno_names(self) -> bool {
        matches!(self, Personality::Linux)
    }
}

impl std::fmt::Display for Personality {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}

/// The timing and policy constants of one host.
///
/// Deserialized through a patch of optional fields (`ProfilePatch`, private
/// to this module): the fields a scenario writes override those of its
/// `personality` (default `Windows`); [`HostProfile::default`] is the
/// `Windows` personality.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "ProfilePatch")]
pub struct HostProfile {
    /// The truth the fields below follow where the scenario leaves them out.
    pub personality: Personality,
    /// How long the side that closes first holds TIME_WAIT, allowed
    /// 0..=300 s (CB-T2). `Windows`: 120 s, the TcpTimedWaitDelay default
    /// since Windows Server 2003 ("TcpTimedWaitDelay", Windows Server 2003
    /// TCP/IP registry reference), and what is measured on Windows 10/11.
    /// `WindowsDocumented`: 240 s, "2 MSL" with MSL = 120 s (ConnectEx.txt,
    /// CB-T1). `Linux`: 60 s, TCP_TIMEWAIT_LEN in `include/net/tcp.h`, a
    /// constant (net.ipv4.tcp_fin_timeout, also 60 s, is FIN_WAIT_2's
    /// length, not TIME_WAIT's; tcp(7)).
    pub tcp_timed_wait_delay: SimDuration,
    /// Maximum segment lifetime, 120 s (RFC 9293 §3.4.2; CB-T2). Shown in
    /// explanations; the TIME_WAIT length is `tcp_timed_wait_delay`.
    pub msl: SimDuration,
    /// First SYN retransmission timeout. Windows TcpInitialRTT, 3 s (RFC 6298
    /// §2.1 used 3 s before RFC 6298 lowered it to 1 s; Windows keeps 3 s).
    /// `Linux`: 1 s, TCP_TIMEOUT_INIT (`include/net/tcp.h`; RFC 6298 §2.1).
    pub initial_rto: SimDuration,
    /// SYN retransmissions before WSAETIMEDOUT. Windows
    /// TcpMaxConnectRetransmissions, 2: SYNs at 0, 3 and 9 s, failure at 21 s.
    /// `Linux`: 6, net.ipv4.tcp_syn_retries (tcp(7)): SYNs at 0, 1, 3, 7,
    /// 15, 31 and 63 s, ETIMEDOUT at 127 s.
    pub max_connect_retransmissions: u8,
    /// Data retransmissions before the connection is aborted. Windows
    /// TcpMaxDataRetransmissions, 5 (RFC 9293 §3.8.3, R2). `Linux`: 15,
    /// net.ipv4.tcp_retries2 (tcp(7)).
    pub max_data_retransmissions: u8,
    /// Lower bound of the data retransmission timeout. Windows MinRto, 300 ms
    /// (a divergence from RFC 6298 §2.4's 1 s that Windows makes too).
    /// `Linux`: 200 ms, TCP_RTO_MIN (`include/net/tcp.h`).
    pub min_rto: SimDuration,
    /// Upper bound of the retransmission timeout, 60 s (RFC 6298 §2.5).
    /// `Linux`: 120 s, TCP_RTO_MAX (`include/net/tcp.h`), so the 64 s wait
    /// before ETIMEDOUT is not cut short.
    pub max_rto: SimDuration,
    /// SYNs re-sent after an RST before WSAECONNREFUSED; 0 gives an
    /// immediate refusal at the first RST. `Windows`: 4, so a connect to a
    /// closed port fails after about 2 s on Windows 10/11 even on loopback
    /// (measured in curl issue 14144: 12 runs, min 2002 ms, median 2011 ms;
    /// libuv PR 2896). `WindowsDocumented`: 2, "the client will retry the
    /// connection request 2 more times at 500 ms intervals" (KB175523); the
    /// four documents name no timing, so the knowledge base is the written
    /// word kept here. `Linux`: 0, an RST to a SYN refuses the connect at
    /// once (connect(2) ECONNREFUSED; tcp_rcv_synsent_state_process in
    /// `net/ipv4/tcp_input.c` resets the socket).
    pub refused_syn_retries: u8,
    /// Interval between those re-sent SYNs, not doubled: 500 ms (KB175523;
    /// both personalities).
    pub refused_retry_interval: SimDuration,
    /// Delayed acknowledgment (RFC 1122 §4.2.3.2, RFC 9293 §3.8.6.3): how
    /// many data segments may arrive unacknowledged before the stack ACKs
    /// at once. Windows TcpAckFrequency: default 2 (an ACK for every other
    /// segment), 1 acknowledges every segment at once; allowed 1..=255.
    pub tcp_ack_frequency: u8,
    /// The delayed-ACK timer in 100 ms ticks: a data segment not followed
    /// by another within it is acknowledged when it fires. Windows
    /// TcpDelAckTicks: default 2 (200 ms), allowed 0..=6; 0 turns delayed
    /// acknowledgment off.
    pub tcp_del_ack_ticks: u8,
    /// How long neighbour resolution (ARP) tries before the stack reports the
    /// next hop unreachable: three requests one second apart, at 0, 1 and
    /// 2 s (Windows ArpRetryCount 3), so 2 s; it gives up before the first
    /// SYN retransmission at 3 s. `Linux`: 3 s, net.ipv4.neigh.default
    /// mcast_solicit 3 probes retrans_time_ms 1000 apart (arp(7)); the
    /// entry fails one interval after the last probe.
    pub arp_timeout: SimDuration,
    /// First and last ephemeral port, inclusive: 49152..=65535 (RFC 6335 §6,
    /// the Windows default dynamic port range). `Linux`: 32768..=60999,
    /// net.ipv4.ip_local_port_range (ip(7)). Divergence: ports are taken
    /// in order from the first in both; Linux picks a hashed offset
    /// (RFC 6056 §3.3.4), which no scenario could predict.
    pub ephemeral_ports: (u16, u16),
    /// What a full listen backlog does with a new SYN. Windows: `Reset`.
    /// `Linux`: `Drop`: a SYN that finds the accept queue full is dropped
    /// and the client retransmits (tcp(7), tcp_abort_on_overflow 0; listen(2)).
    pub backlog_overflow: BacklogOverflow,
    /// Largest backlog a listen gets, whatever it asks for: 200. Windows
    /// caps the backlog (SOMAXCONN included) at about 200 and answers the
    /// SYNs past it with RST (KB113576; Node issue 38736: of 300
    /// simultaneous connects, 232 to 299 were refused). Both Windows
    /// personalities; allowed 1..=1024 (simsock's own limit). `Linux`:
    /// 1024. Divergence: Linux caps at net.core.somaxconn, 4096 since
    /// 5.4 (listen(2)), above simsock's limit; and its accept queue holds
    /// backlog + 1 connections, simsock's holds backlog.
    pub listen_backlog_max: u16,
    /// Whether a socket's SO_ERROR outlives a new connect. `Windows`: true:
    /// after a failed nonblocking connect SO_ERROR reads the code, reading
    /// does not clear it, and a new connect() does not reset it; it stays
    /// until a connect succeeds (Wine, `dlls/ws2_32/tests/sock.c`,
    /// `test_select`). `WindowsDocumented`: false: a new attempt starts
    /// with SO_ERROR 0 (connect.txt: SO_ERROR reports the outcome of "the
    /// connection attempt"). Reading never clears it in either. `Linux`:
    /// false (a new connect starts afresh).
    pub so_error_until_connected: bool,
    /// Whether reading SO_ERROR clears it. `Linux`: true: "SO_ERROR: get
    /// and clear the pending socket error" (socket(7)); the value read is
    /// the errno number (111 for ECONNREFUSED). Both Windows
    /// personalities: false (Wine `test_select`; getsockopt's page says
    /// nothing of clearing).
    pub so_error_cleared_on_read: bool,
    /// Which select set a failed nonblocking connect lands in. Both
    /// Windows personalities: true, exceptfds ("If processing a connect
    /// call (nonblocking), connection attempt failed", the select page;
    /// CB-N3). `Linux`: false: the pending error makes the socket readable
    /// and writable, never exceptional (connect(2): "select(2) ... for
    /// writing ... then use getsockopt(2) to read the SO_ERROR option";
    /// POLLERR is in select's read and write sets, fs/select.c). Once
    /// SO_ERROR is read and cleared, simsock shows the socket in no set
    /// (divergence: Linux's closed socket stays readable through POLLHUP).
    pub failed_connect_selects_except: bool,
    /// Whether mixing connect() and ConnectEx is WSAEINVAL. `Windows`: true:
    /// ConnectEx while a connect() is pending, connect() while a ConnectEx
    /// is pending, and a second ConnectEx while one is pending all fail with
    /// WSAEINVAL, and connect() on a socket that ConnectEx connected gives
    /// WSAEINVAL (ConnectEx again: WSAEISCONN) (Wine,
    /// `dlls/ws2_32/tests/sock.c`, `test_connect`, `test_connecting_socket`).
    /// `WindowsDocumented`: false: WSAEALREADY while an attempt is pending
    /// ("A nonblocking connect, WSAConnect, or ConnectEx function call is in
    /// progress on the specified socket", ConnectEx.txt; CB-N2) and
    /// WSAEISCONN once connected. `Linux`: false (no ConnectEx; a second
    /// connect while one is pending is EALREADY, connect(2)).
    pub connect_mixing_einval: bool,
    /// Whether a datagram socket's connect to the limited broadcast
    /// 255.255.255.255 needs SO_BROADCAST. `Windows`: false: the connect
    /// succeeds without it and send() on the socket works, while sendto()
    /// to the same address fails with WSAEACCES (Wine,
    /// `dlls/ws2_32/tests/sock.c`, `test_broadcast`). `WindowsDocumented`:
    /// true: WSAEACCES at connect (connect.txt, CB-B2). `Linux`: true:
    /// EACCES, "tried to connect to a broadcast address without having
    /// the socket broadcast flag enabled" (connect(2)). A directed
    /// broadcast needs SO_BROADCAST in all.
    pub broadcast_connect_needs_so_broadcast: bool,
    /// Whether connecting an unconnected datagram socket to 0.0.0.0:0 fails.
    /// `Windows`: true, WSAEADDRNOTAVAIL; on a connected socket it
    /// disconnects (Wine, `test_connect_udp`). `WindowsDocumented`: false:
    /// the all-zero address disconnects, connected or not (connect.txt,
    /// CB-D4). `Linux`: false: connect with AF_UNSPEC dissolves the
    /// association (connect(2)). Divergence: an AF_INET 0.0.0.0 on Linux
    /// connects to the local host instead; simsock disconnects.
    pub dgram_disconnect_needs_connection: bool,
    /// Whether FD_CLOSE after the peer's RST carries WSAECONNABORTED.
    /// `Windows`: true: a connection the peer reset reports FD_CLOSE with
    /// WSAECONNABORTED (10053), through WSAEventSelect's `iErrorCode` and
    /// WSAAsyncSelect's WSAGETSELECTERROR alike, while recv on it still
    /// fails with WSAECONNRESET (Wine, `dlls/ws2_32/tests/sock.c`,
    /// `test_close_events`, "Trigger RST": `check_events(ctx,
    /// MAKELONG(FD_CLOSE, WSAECONNABORTED), 0, 200)` after
    /// `close_with_rst(client)`). `WindowsDocumented`: false: WSAECONNRESET,
    /// "The connection was reset by the remote side" (the WSAAsyncSelect
    /// and WSAEventSelect pages, FD_CLOSE's error codes).
    pub fd_close_reset_aborted: bool,
    /// Whether WSAEventSelect latches FD_CONNECT. `Windows`: true: a socket
    /// that connected (connect, WSAConnect, ConnectEx) before any
    /// WSAEventSelect asked for FD_CONNECT records FD_CONNECT (code 0) with
    /// FD_WRITE when WSAEventSelect is called on it; once recorded it is
    /// not recorded again. WSAAsyncSelect on the same socket posts FD_WRITE
    /// only (Wine, `dlls/ws2_32/tests/sock.c`, `test_connect_events`,
    /// "Connect and then select": `check_events(ctx, FD_CONNECT, FD_WRITE,
    /// 200)` for events, `check_events(ctx, FD_WRITE, 0, 200)` for
    /// messages). `WindowsDocumented`: false: FD_CONNECT is recorded when an
    /// attempt completes (connect.txt, CB-N5); a socket connected before
    /// WSAEventSelect records FD_WRITE only. Divergence: the summaries of
    /// events on the WSAAsyncSelect and WSAEventSelect pages also list
    /// FD_CONNECT when the call finds a connection already established;
    /// `WindowsDocumented` does not model that (nor does `Windows` for
    /// WSAAsyncSelect, which Windows does not post).
    pub event_select_latches_connect: bool,
    /// Whether a new WSAEventSelect leaves out the events already recorded
    /// and not re-enabled since. `Windows`: true: after FD_WRITE (or
    /// FD_READ, FD_CONNECT) was recorded and read, selecting again with the
    /// same events, even after a zero mask, records nothing until a call
    /// re-enables the event (a send that would block, a recv, a new
    /// connect); an event never recorded (outside the earlier mask) is
    /// recorded. WSAAsyncSelect posts the due events again at each call
    /// (Wine, `dlls/ws2_32/tests/sock.c`, `test_connect_events`,
    /// `test_write_events`, `test_read_events`: `select_events(ctx, s, 0);
    /// select_events(ctx, s, ...); if (ctx->is_message) check_events(ctx,
    /// FD_WRITE, 0, 200); check_events(ctx, 0, 0, 0)`).
    /// `WindowsDocumented`: false: each WSAEventSelect records the events
    /// whose condition holds (the WSAEventSelect page: a socket connected
    /// before the call records FD_WRITE). `Linux`: false (no WSAEventSelect).
    pub event_select_keeps_reported: bool,
    /// Whether connecting a datagram socket notifies. `Windows`: true:
    /// WSAEventSelect records FD_CONNECT (code 0) and FD_WRITE when a
    /// datagram socket is connected, and WSAAsyncSelect posts FD_WRITE
    /// again; before the connect an unbound datagram socket records
    /// nothing under WSAEventSelect, while WSAAsyncSelect posts FD_WRITE at
    /// once and a bound socket records FD_WRITE (Wine,
    /// `dlls/ws2_32/tests/sock.c`, `test_connect_events`, "Test with UDP
    /// sockets"; `test_WSAEnumNetworkEvents`). `WindowsDocumented`: false:
    /// FD_CONNECT and FD_WRITE follow a connection (the WSAAsyncSelect and
    /// WSAEventSelect pages), which a datagram socket never makes; FD_WRITE
    /// is due once it has a default destination. `Linux`: false (no
    /// WSAEventSelect).
    pub dgram_connect_notifies: bool,
    /// Whether GetQueuedCompletionStatus reports a failed ConnectEx with its
    /// Win32 code. `Windows`: true: ERROR_CONNECTION_REFUSED (1225) where
    /// WSAGetOverlappedResult gives WSAECONNREFUSED (Wine,
    /// `dlls/ws2_32/tests/sock.c`, `test_connect_completion_port`, "Connect
    /// to an invalid address": `ok(GetLastError() == ERROR_CONNECTION_REFUSED)`
    /// after GetQueuedCompletionStatus; `test_connect` checks the same code
    /// from GetOverlappedResult), and by the same NTSTATUS-to-Win32 mapping
    /// (RtlNtStatusToDosError) ERROR_NETWORK_UNREACHABLE (1231),
    /// ERROR_HOST_UNREACHABLE (1232) and ERROR_SEM_TIMEOUT (121) for
    /// WSAENETUNREACH, WSAEHOSTUNREACH and WSAETIMEDOUT; those three no
    /// Wine `ok()` checks. `WindowsDocumented`: false: the WSA code, as the
    /// ConnectEx page's error table has it. WSAGetOverlappedResult gives the
    /// WSA code in both; kernel32's GetOverlappedResult is not modelled.
    pub completion_win32_codes: bool,
    /// How bind decides a local address is in use ([`BindRules`]).
    /// `Windows`: [`BindRules::Windows`]: 0.0.0.0:p and 127.0.0.1:p bind
    /// side by side and the specific one takes the connections and
    /// datagrams to its address; SO_REUSEADDR and SO_EXCLUSIVEADDRUSE follow
    /// the bind matrix ("Using SO_REUSEADDR and SO_EXCLUSIVEADDRUSE"; Wine
    /// `test_reuseaddr`); a port held only by TIME_WAIT binds, and the
    /// connect to the same peer then fails with WSAEADDRINUSE (curl issue
    /// 8112; libuv PR 1360: "sockets in TIME_WAIT are not checked when
    /// binding"). `WindowsDocumented`: [`BindRules::Documented`], one port
    /// table per host (CB-C17). `Linux`: [`BindRules::Linux`] (socket(7),
    /// ip(7)).
    pub bind_rules: BindRules,
    /// IPV6_V6ONLY of a new AF_INET6 socket. `Windows`: true (Wine
    /// `test_ipv6only` reads 1 from a new socket; Microsoft, "Dual-Stack
    /// Sockets for IPv6 Winsock Applications": IPV6_V6ONLY is on by
    /// default), and so `WindowsDocumented`. `Linux`: false: "the default
    /// value for that file [/proc/sys/net/ipv6/bindv6only] is 0 (false)"
    /// (ipv6(7)), so an AF_INET6 socket bound to `[::]` also takes IPv4.
    pub ipv6_v6only_default: bool,
    /// Whether DisconnectEx without TF_REUSE_SOCKET (flags 0) is a graceful
    /// half-close. `Windows`: true: it sends FIN as shutdown(SD_SEND)
    /// would; the socket stays connected, so a later send fails with
    /// WSAESHUTDOWN, connect with WSAEISCONN, getpeername still answers,
    /// and the peer can still send to it and be read; with an OVERLAPPED
    /// the call is pending (ERROR_IO_PENDING) and completes with 0 bytes
    /// once the FIN is acknowledged; a synchronous call returns TRUE, and
    /// a second one TRUE again (Wine, `dlls/ws2_32/tests/sock.c`,
    /// `test_DisconnectEx`). `WindowsDocumented`: false: the call "closes
    /// a connection on a socket" and only a socket prepared with
    /// TF_REUSE_SOCKET may be used again (the DisconnectEx page,
    /// `dwFlags`; CB-X9): the connection is closed, the socket can only be
    /// closed, and the call completes at once. `Linux`: true, as Windows
    /// (there is no DisconnectEx; shutdown(SHUT_WR), the nearest call,
    /// half-closes too).
    pub disconnect_ex_half_close: bool,
    /// What ConnectEx and AcceptEx answer when lpOverlapped is NULL.
    /// `Windows`: true: ERROR_INVALID_PARAMETER (87) (Wine,
    /// `dlls/ws2_32/tests/sock.c`, `test_connect`: "ConnectEx on a NULL
    /// overlapped"; `test_AcceptEx`: "AcceptEx on a NULL overlapped", both
    /// `ok(... WSAGetLastError() == ERROR_INVALID_PARAMETER)`).
    /// `WindowsDocumented`: false: WSAEFAULT, "The name, lpSendBuffer, or
    /// lpOverlapped parameter is not a valid part of the user address
    /// space" (ConnectEx.txt; CB-X4). `Linux`: false (no ConnectEx; EFAULT).
    pub null_overlapped_invalid_parameter: bool,
    // --- WSAPoll and blocking-call time-outs (issue 14, item 3):
    // `sim/src/winsock/poll.rs`, `sim/src/winsock/timeouts.rs` ---
    /// Whether WSAPoll shows a socket whose connect failed as readable.
    /// `Windows`: false: POLLWRNORM | POLLHUP | POLLERR, and no POLLRDNORM
    /// though `events` asked for it (Wine, `dlls/ws2_32/tests/sock.c`,
    /// `test_WSAPoll`, "Test a failed connection": `fds[0].revents ==
    /// (POLLWRNORM | POLLHUP | POLLERR)` for events POLLRDNORM | POLLRDBAND
    /// | POLLWRNORM, after a blocking failure too). `WindowsDocumented`: the
    /// same (the WSAPoll page names no flag for a failed connect). `Linux`:
    /// true: POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLHUP |
    /// POLLERR: a reset connect ends in `tcp_done`, which sets
    /// `sk_shutdown = SHUTDOWN_MASK`, and `tcp_poll` reports both
    /// directions shut as readable, writable and hung up, with POLLERR
    /// while `sk_err` is set (until SO_ERROR is read, socket(7)).
    pub poll_failed_connect_readable: bool,
    /// Whether the peer's FIN makes WSAPoll report POLLHUP. `Windows`: true:
    /// after the peer's shutdown(SD_SEND) or closesocket, POLLHUP (even
    /// with `events` 0) and POLLWRNORM, and POLLRDNORM only while data is
    /// left to read (Wine `test_WSAPoll`, "Test shutdown" and "Test
    /// shutdown via closesocket()"). `WindowsDocumented`: true ("POLLHUP: A
    /// stream-oriented connection was either disconnected or aborted", the
    /// WSAPoll page). `Linux`: false: the peer's FIN is POLLIN | POLLRDNORM
    /// (the end of the stream is readable); POLLHUP only once both
    /// directions are shut down (`tcp_poll`, net/ipv4/tcp.c; poll(2)).
    pub poll_hup_on_peer_fin: bool,
    /// Whether WSAPoll checks its arguments as Windows does: an empty array,
    /// or an entry of a socket asking for a flag other than POLLRDNORM,
    /// POLLRDBAND, POLLWRNORM (POLLIN and POLLOUT are made of those),
    /// fails with WSAEINVAL. `Windows`: true (Wine `test_WSAPoll`:
    /// `WSAPoll(NULL, 0, 0)` is WSAEINVAL; `invalid_flags`: POLLERR,
    /// POLLHUP, POLLNVAL, POLLWRBAND, POLLPRI each fail with WSAEINVAL; the
    /// WSAPoll page: POLLPRI "is not supported by the Microsoft Winsock
    /// provider"). `WindowsDocumented`: the same. `Linux`: false: an empty
    /// array only waits out the time-out, and POLLERR, POLLHUP and
    /// POLLNVAL are "ignored in events" (poll(2)).
    /// Divergence: Wine tests each flag alone; simsock fails any entry
    /// that holds one.
    pub poll_checks_arguments: bool,
    /// Whether WSAPoll counts the entries that are not sockets (POLLNVAL)
    /// in its return value. `Windows`: false: such an entry gets POLLNVAL
    /// but the call returns 0 while another entry is a socket, and fails
    /// with WSAENOTSOCK when none is (Wine `test_WSAPoll`: `ok(!ret)` with
    /// `fds[0].revents == POLLNVAL`; `WSAENOTSOCK` for two invalid
    /// entries); a socket closed during the wait is counted (Wine, "Test
    /// closing a socket while selecting on it": ret 1, POLLNVAL).
    /// `WindowsDocumented`: true: the return is "the number of elements in
    /// the fdArray structures for which an revents member of the POLLFD
    /// structure is nonzero" (the WSAPoll page). `Linux`: true ("the
    /// number of elements in the pollfds whose revents fields have been
    /// set to a nonzero value", poll(2)).
    pub poll_counts_nval: bool,
    /// Whether a blocking recv or send that outlives SO_RCVTIMEO or
    /// SO_SNDTIMEO fails as a nonblocking call would. `Windows`: false:
    /// WSAETIMEDOUT (Wine `test_timeout`: SO_RCVTIMEO 100 ms, recv fails
    /// with WSAETIMEDOUT; the setsockopt page, SO_RCVTIMEO: "If a blocking
    /// receive call times out, the connection is in an indeterminate state
    /// and should be closed"; observed, the connection stays usable: Wine
    /// receives on it after the time-out, and so does simsock).
    /// `WindowsDocumented`: the same. `Linux`: true: EAGAIN (EWOULDBLOCK),
    /// "just as if the socket was specified to be nonblocking" (socket(7),
    /// SO_RCVTIMEO and SO_SNDTIMEO).
    pub timeo_would_block: bool,
    /// One-way delay of the loopback interface (127.0.0.0/8 and the host's
    /// own addresses), 10 µs. Loopback traffic never leaves the host; Windows
    /// reports `time<1ms` for `ping 127.0.0.1`, so the figure is a modelling
    /// choice that keeps each loopback packet an instant of its own in the
    /// trace, well below the 1 ms links of the bundled scenarios.
    pub loopback_latency: SimDuration,
    /// Maximum segment size, 1460 bytes (Ethernet MTU less IPv4 and TCP headers).
    pub mss: u16,
    /// Receive window advertised and receive buffer size, 64 KiB - 1 (no window
    /// scaling; RFC 7323 is not modelled).
    pub receive_window: u16,
    /// Send buffer: bytes a blocking send may queue before it waits, 64 KiB.
    pub send_buffer: u32,
    /// The Winsock version the host's threads start with (and that a
    /// `Startup` step without `version` asks for): "2.2".
    pub winsock_version: WinsockVersion,
    // --- WSAConnect/WSPConnect (provider, connect data) ---
    /// The transport service provider behind the host's sockets, which
    /// decides connect data and QoS (CB-W1..W5): `Desktop` (the default),
    /// `WindowsCe` or `ConnectData`; see [`crate::provider::Provider`].
    pub provider: crate::provider::Provider,
    /// Largest caller or callee data, in bytes, that a `ConnectData`
    /// provider carries; more is WSAEFAULT (CB-W3). Default 64, at most the
    /// MSS (the data rides on one SYN).
    pub connect_data_max: u16,
}

impl Default for HostProfile {
    /// The `Windows` personality.
    fn default() -> Self {
        HostProfile::of(Personality::Windows)
    }
}

impl HostProfile {
    /// The profile of a personality, every field at its value.
    pub fn of(personality: Personality) -> Self {
        let windows = HostProfile::windows();
        match personality {
            Personality::Windows => windows,
            Personality::Linux => HostProfile::linux(),
            Personality::WindowsDocumented => HostProfile {
                personality,
                tcp_timed_wait_delay: SimDuration::from_secs(240),
                refused_syn_retries: 2,
                so_error_until_connected: false,
                connect_mixing_einval: false,
                broadcast_connect_needs_so_broadcast: true,
                dgram_disconnect_needs_connection: false,
                fd_close_reset_aborted: false,
                event_select_latches_connect: false,
                completion_win32_codes: false,
                bind_rules: BindRules::Documented,
                disconnect_ex_half_close: false,
                null_overlapped_invalid_parameter: false,
                event_select_keeps_reported: false,
                dgram_connect_notifies: false,
                poll_counts_nval: true,
                ..windows
            },
        }
    }

    /// Linux with its default sysctls; each value's source is on its field.
    fn linux() -> Self {
        HostProfile {
            personality: Personality::Linux,
            tcp_timed_wait_delay: SimDuration::from_secs(60),
            initial_rto: SimDuration::from_secs(1),
            max_connect_retransmissions: 6,
            max_data_retransmissions: 15,
            min_rto: SimDuration::from_millis(200),
            max_rto: SimDuration::from_secs(120),
            refused_syn_retries: 0,
            arp_timeout: SimDuration::from_secs(3),
            ephemeral_ports: (32768, 60999),
            backlog_overflow: BacklogOverflow::Drop,
            listen_backlog_max: 1024,
            so_error_until_connected: false,
            so_error_cleared_on_read: true,
            failed_connect_selects_except: false,
            connect_mixing_einval: false,
            broadcast_connect_needs_so_broadcast: true,
            dgram_disconnect_needs_connection: false,
            // Winsock-only notifications and completion ports have no Linux
            // counterpart: a Linux host keeps the plain codes (ECONNRESET,
            // the errno of the connect) and no latched FD_CONNECT.
            fd_close_reset_aborted: false,
            event_select_latches_connect: false,
            completion_win32_codes: false,
            bind_rules: BindRules::Linux,
            ipv6_v6only_default: false,
            null_overlapped_invalid_parameter: false,
            event_select_keeps_reported: false,
            dgram_connect_notifies: false,
            poll_failed_connect_readable: true,
            poll_hup_on_peer_fin: false,
            poll_checks_arguments: false,
            poll_counts_nval: true,
            timeo_would_block: true,
            ..HostProfile::windows()
        }
    }

    /// Windows 10/11 as observed.
    fn windows() -> Self {
        HostProfile {
            personality: Personality::Windows,
            tcp_timed_wait_delay: SimDuration::from_secs(120),
            msl: SimDuration::from_secs(120),
            initial_rto: SimDuration::from_secs(3),
            max_connect_retransmissions: 2,
            max_data_retransmissions: 5,
            min_rto: SimDuration::from_millis(300),
            max_rto: SimDuration::from_secs(60),
            refused_syn_retries: 4,
            refused_retry_interval: SimDuration::from_millis(500),
            tcp_ack_frequency: 2,
            tcp_del_ack_ticks: 2,
            arp_timeout: SimDuration::from_secs(2),
            ephemeral_ports: (49152, 65535),
            backlog_overflow: BacklogOverflow::Reset,
            listen_backlog_max: 200,
            so_error_until_connected: true,
            so_error_cleared_on_read: false,
            failed_connect_selects_except: true,
            connect_mixing_einval: true,
            broadcast_connect_needs_so_broadcast: false,
            dgram_disconnect_needs_connection: true,
            fd_close_reset_aborted: true,
            event_select_latches_connect: true,
            completion_win32_codes: true,
            bind_rules: BindRules::Windows,
            ipv6_v6only_default: true,
            disconnect_ex_half_close: true,
            null_overlapped_invalid_parameter: true,
            event_select_keeps_reported: true,
            dgram_connect_notifies: true,
            poll_failed_connect_readable: false,
            poll_hup_on_peer_fin: true,
            poll_checks_arguments: true,
            poll_counts_nval: false,
            timeo_would_block: false,
            loopback_latency: SimDuration::from_micros(10),
            mss: 1460,
            receive_window: u16::MAX,
            send_buffer: 64 * 1024,
            winsock_version: WinsockVersion::V2_2,
            provider: crate::provider::Provider::Desktop,
            connect_data_max: crate::provider::DEFAULT_CONNECT_DATA_MAX,
        }
    }
}

/// A profile field outside its allowed range, from
/// [`HostProfile::validate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileError {
    /// The field's name as a scenario writes it.
    pub field: &'static str,
    /// What is wrong and the allowed range, e.g. "TcpTimedWaitDelay is
    /// 301s, allowed 0s..=300s (CB-T2)"; the scenario checker shows it at
    /// the field.
    pub message: String,
}

/// CB-T2: TcpTimedWaitDelay may be set from 0 to 300 s.
pub const MAX_TCP_TIMED_WAIT_DELAY: SimDuration = SimDuration::from_secs(300);

impl HostProfile {
    /// How long an ACK may wait for more data or a reply to ride on;
    /// zero when delayed acknowledgment is off (`tcp_del_ack_ticks`).
    pub fn delayed_ack(&self) -> SimDuration {
        SimDuration::from_millis(100 * u64::from(self.tcp_del_ack_ticks))
    }

    /// Checks every field against its allowed range.
    pub fn validate(&self) -> Result<(), ProfileError> {
        let err = |field, message: String| Err(ProfileError { field, message });
        if self.tcp_timed_wait_delay > MAX_TCP_TIMED_WAIT_DELAY {
            return err(
                "tcp_timed_wait_delay",
                format!(
                    "TcpTimedWaitDelay is {}, allowed 0s..=300s (CB-T2)",
                    self.tcp_timed_wait_delay
                ),
            );
        }
        if self.initial_rto < SimDuration::from_millis(1)
            || self.initial_rto > SimDuration::from_secs(60)
        {
            return err(
                "initial_rto",
                format!("{} is outside 1ms..=60s", self.initial_rto),
            );
        }
        if self.min_rto > self.max_rto || self.max_rto > SimDuration::from_secs(600) {
            return err(
                "min_rto",
                "min_rto must not exceed max_rto, and max_rto is at most 600s".into(),
            );
        }
        if self.max_connect_retransmissions > 32 || self.max_data_retransmissions > 32 {
            return err(
                "max_connect_retransmissions",
                "retransmission counts are at most 32".into(),
            );
        }
        if self.refused_syn_retries > 16 {
            return err("refused_syn_retries", "at most 16".into());
        }
        if self.tcp_ack_frequency == 0 {
            return err("tcp_ack_frequency", "TcpAckFrequency is 1..=255".into());
        }
        if self.tcp_del_ack_ticks > 6 {
            return err(
                "tcp_del_ack_ticks",
                format!(
                    "TcpDelAckTicks is {}, allowed 0..=6 (100 ms each)",
                    self.tcp_del_ack_ticks
                ),
            );
        }
        let max_backlog = crate::limits::scenario::MAX_BACKLOG;
        if self.listen_backlog_max == 0 || u32::from(self.listen_backlog_max) > max_backlog {
            return err(
                "listen_backlog_max",
                format!("{} is outside 1..={max_backlog}", self.listen_backlog_max),
            );
        }
        if self.arp_timeout > SimDuration::from_secs(60) {
            return err("arp_timeout", "at most 60s".into());
        }
        let (lo, hi) = self.ephemeral_ports;
        if lo == 0 || lo > hi {
            return err(
                "ephemeral_ports",
                format!("({lo}, {hi}) is not a range of ports from 1 to 65535"),
            );
        }
        if !(64..=9000).contains(&self.mss) {
            return err("mss", format!("{} is outside 64..=9000", self.mss));
        }
        if self.receive_window < self.mss || !(1024..=16 << 20).contains(&self.send_buffer) {
            return err(
                "receive_window",
                "receive_window must hold one MSS and send_buffer be 1KiB..=16MiB".into(),
            );
        }
        if self.connect_data_max > self.mss {
            return err(
                "connect_data_max",
                format!(
                    "{} bytes of connect data do not fit one SYN of MSS {}",
                    self.connect_data_max, self.mss
                ),
            );
        }
        Ok(())
    }
}

/// Declares `ProfilePatch`: every field of [`HostProfile`] but
/// `personality`, optional, so that a field a scenario leaves out takes its
/// personality's value (serde's `default` would take `Default`'s, the
/// `Windows` one, whatever the personality). A test round-trips a whole
/// profile through it, so a field missing here fails to load.
macro_rules! profile_patch {
    ($($field:ident: $ty:ty,)*) => {
        /// A profile as a scenario writes it: a personality and the fields
        /// that override it.
        // Named as the profile it builds, so that a profile written by
        // serde (`HostProfile(...)`, as a shrunk scenario file has it)
        // loads back.
        #[derive(Clone, Debug, Default, Deserialize)]
        #[serde(default, deny_unknown_fields, rename = "HostProfile")]
        pub(crate) struct ProfilePatch {
            #[serde(deserialize_with = "written")]
            personality: Option<Personality>,
            $(#[serde(deserialize_with = "written")]
            $field: Option<$ty>,)*
        }

        impl From<ProfilePatch> for HostProfile {
            fn from(patch: ProfilePatch) -> Self {
                let mut profile = HostProfile::of(patch.personality.unwrap_or_default());
                $(if let Some(value) = patch.$field {
                    profile.$field = value;
                })*
                profile
            }
        }
    };
}

/// A field the scenario wrote (RON would otherwise want `Some(...)`).
fn written<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

profile_patch! {
    tcp_timed_wait_delay: SimDuration,
    msl: SimDuration,
    initial_rto: SimDuration,
    max_connect_retransmissions: u8,
    max_data_retransmissions: u8,
    min_rto: SimDuration,
    max_rto: SimDuration,
    refused_syn_retries: u8,
    refused_retry_interval: SimDuration,
    tcp_ack_frequency: u8,
    tcp_del_ack_ticks: u8,
    arp_timeout: SimDuration,
    ephemeral_ports: (u16, u16),
    backlog_overflow: BacklogOverflow,
    listen_backlog_max: u16,
    so_error_until_connected: bool,
    so_error_cleared_on_read: bool,
    failed_connect_selects_except: bool,
    connect_mixing_einval: bool,
    broadcast_connect_needs_so_broadcast: bool,
    dgram_disconnect_needs_connection: bool,
    fd_close_reset_aborted: bool,
    event_select_latches_connect: bool,
    completion_win32_codes: bool,
    bind_rules: BindRules,
    ipv6_v6only_default: bool,
    disconnect_ex_half_close: bool,
    null_overlapped_invalid_parameter: bool,
    event_select_keeps_reported: bool,
    dgram_connect_notifies: bool,
    poll_failed_connect_readable: bool,
    poll_hup_on_peer_fin: bool,
    poll_checks_arguments: bool,
    poll_counts_nval: bool,
    timeo_would_block: bool,
    loopback_latency: SimDuration,
    mss: u16,
    receive_window: u16,
    send_buffer: u32,
    winsock_version: WinsockVersion,
    provider: crate::provider::Provider,
    connect_data_max: u16,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_windows_like() {
        let p = HostProfile::default();
        assert_eq!(p.validate(), Ok(()));
        assert_eq!(p.personality, Personality::Windows);
        assert_eq!(p.tcp_timed_wait_delay, SimDuration::from_secs(120));
        assert_eq!(p.refused_syn_retries, 4);
        let doc = HostProfile::of(Personality::WindowsDocumented);
        assert_eq!(doc.validate(), Ok(()));
        assert_eq!(doc.tcp_timed_wait_delay, SimDuration::from_secs(240));
        assert_eq!(doc.refused_syn_retries, 2);
        // Wine `test_close_events`, `test_connect_events` against the
        // WSAAsyncSelect / WSAEventSelect pages.
        assert!(p.fd_close_reset_aborted && p.event_select_latches_connect);
        assert!(!doc.fd_close_reset_aborted && !doc.event_select_latches_connect);
        assert!(p.completion_win32_codes && !doc.completion_win32_codes);
        // curl issue 8112, Wine `test_reuseaddr` against CB-C17; socket(7).
        assert_eq!(p.bind_rules, BindRules::Windows);
        assert_eq!(doc.bind_rules, BindRules::Documented);
        let linux = HostProfile::of(Personality::Linux);
        assert_eq!(linux.bind_rules, BindRules::Linux);
        // Wine `test_ipv6only` against ipv6(7) bindv6only 0.
        assert!(p.ipv6_v6only_default && doc.ipv6_v6only_default);
        assert!(!linux.ipv6_v6only_default);
        // Wine `test_DisconnectEx` against the DisconnectEx page.
        assert!(p.disconnect_ex_half_close && !doc.disconnect_ex_half_close);
        // Wine `test_connect`, `test_AcceptEx` against the ConnectEx page.
        assert!(p.null_overlapped_invalid_parameter && !doc.null_overlapped_invalid_parameter);
    }

    fn load(text: &str) -> HostProfile {
        ron::from_str(text).expect("a valid profile")
    }

    /// A field left out takes the personality's value, not `Default`'s; a
    /// field written overrides it.
    #[test]
    fn written_fields_override_the_personality() {
        assert_eq!(load("()"), HostProfile::default());
        let doc = load("(personality: WindowsDocumented, refused_syn_retries: 0)");
        assert_eq!(doc.personality, Personality::WindowsDocumented);
        assert_eq!(doc.tcp_timed_wait_delay, SimDuration::from_secs(240));
        assert_eq!(doc.refused_syn_retries, 0);
        let windows = load("(tcp_timed_wait_delay: \"30s\")");
        assert_eq!(windows.refused_syn_retries, 4);
        assert!(ron::from_str::<HostProfile>("(no_such_field: 1)").is_err());
    }

    /// The Linux defaults (tcp(7), ip(7), socket(7), `include/net/tcp.h`).
    #[test]
    fn linux_defaults() {
        let p = load("(personality: Linux)");
        assert_eq!(p.validate(), Ok(()));
        assert_eq!(p.personality, Personality::Linux);
        assert_eq!(p.tcp_timed_wait_delay, SimDuration::from_secs(60));
        assert_eq!(p.initial_rto, SimDuration::from_secs(1));
        assert_eq!(p.max_connect_retransmissions, 6);
        assert_eq!(p.refused_syn_retries, 0);
        assert_eq!(p.ephemeral_ports, (32768, 60999));
        assert_eq!(p.backlog_overflow, BacklogOverflow::Drop);
        assert!(p.so_error_cleared_on_read && !p.so_error_until_connected);
        assert!(!HostProfile::default().so_error_cleared_on_read);
        assert_eq!(Personality::lookup("linux"), Some(Personality::Linux));
        assert_eq!(
            Personality::lookup("WindowsDocumented"),
            Some(Personality::WindowsDocumented)
        );
        assert_eq!(Personality::lookup("bsd"), None);
    }

    /// KB113576: the backlog cap is about 200; simsock allows 1..=1024.
    #[test]
    fn listen_backlog_max_bounds() {
        let mut p = HostProfile::default();
        assert_eq!(p.listen_backlog_max, 200);
        p.listen_backlog_max = 1024;
        assert!(p.validate().is_ok());
        p.listen_backlog_max = 1025;
        assert_eq!(p.validate().unwrap_err().field, "listen_backlog_max");
        p.listen_backlog_max = 0;
        assert_eq!(p.validate().unwrap_err().field, "listen_backlog_max");
    }

    /// Every field of the profile is in the patch: a whole profile written
    /// out loads back the same, for each personality.
    #[test]
    fn a_written_profile_loads_back_the_same() {
        for personality in Personality::ALL {
            let mut profile = HostProfile::of(personality);
            profile.mss = 1000;
            let text = ron::to_string(&profile).expect("serializable");
            assert_eq!(load(&text), profile, "{text}");
        }
    }

    /// CB-T2: 300 s is allowed, 301 s is not.
    #[test]
    fn timed_wait_delay_bounds() {
        let mut p = HostProfile {
            tcp_timed_wait_delay: SimDuration::from_secs(300),
            ..Default::default()
        };
        assert!(p.validate().is_ok());
        p.tcp_timed_wait_delay = SimDuration::from_secs(301);
        assert_eq!(p.validate().unwrap_err().field, "tcp_timed_wait_delay");
    }

    /// Windows' delayed-ACK registry ranges: TcpAckFrequency 1..=255,
    /// TcpDelAckTicks 0..=6 with 2 (200 ms) by default.
    #[test]
    fn delayed_ack_bounds() {
        let mut p = HostProfile::default();
        assert_eq!(p.delayed_ack(), SimDuration::from_millis(200));
        p.tcp_del_ack_ticks = 6;
        assert!(p.validate().is_ok());
        p.tcp_del_ack_ticks = 7;
        assert_eq!(p.validate().unwrap_err().field, "tcp_del_ack_ticks");
        p.tcp_del_ack_ticks = 0;
        assert_eq!(p.delayed_ack(), SimDuration::ZERO);
        p.tcp_ack_frequency = 0;
        assert_eq!(p.validate().unwrap_err().field, "tcp_ack_frequency");
    }
}
