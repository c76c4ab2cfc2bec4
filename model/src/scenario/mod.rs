//! The scenario schema: what a RON file under `scenarios/` holds.
//!
//! A scenario names the topology (hosts, routers, links), per-host settings
//! (profile overrides), the threads and their ordered steps with expected
//! results, faults ([`crate::fault`]), the seed and an `about` text. This
//! module only describes the data; `sim::scenario` checks it and builds a
//! simulation.
//!
//! Code map: this file holds the scenario and its topology; `step.rs` the
//! steps threads run; `outcome.rs` what a step expects of its call.

mod outcome;
mod step;

pub use outcome::{Expect, Outcome, TimeSpec};
pub use step::Step;

use serde::{Deserialize, Serialize};

pub use crate::accept::Condition;
use crate::addr::Ipv4Cidr;
use crate::limits::RunLimits;
pub use crate::overlapped::{ExtensionFunction, TfFlag};
use crate::profile::HostProfile;
pub use crate::provider::{FlowSpec, Qos, ServiceType};
use crate::time::SimDuration;

/// A whole scenario file. `Default` is an empty scenario, for building one
/// in code (see [`crate::builder`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Scenario", deny_unknown_fields)]
pub struct Scenario {
    /// The scenario's name, printed in reports and used for its golden
    /// trace (usually the file's stem).
    pub name: String,
    /// A short story: what happens and what to look at.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub about: String,
    /// A question to answer before running it (the guided tour asks it).
    #[serde(default)]
    pub question: String,
    /// The seed of every random stream; `simsock run --seed` overrides it.
    #[serde(default)]
    pub seed: u64,
    /// The end hosts, each with its addresses, profile and threads' names;
    /// at least one, at most `limits::scenario::MAX_HOSTS`.
    pub hosts: Vec<HostSpec>,
    /// Routers between the hosts' subnets (none by default).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routers: Vec<RouterSpec>,
    /// Ethernet-like segments: each switch is one broadcast domain for the
    /// nodes linked to it (CB-B3). See [`SwitchSpec`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub switches: Vec<SwitchSpec>,
    /// The point-to-point links between nodes (none by default).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<LinkSpec>,
    /// The simulated threads and their steps, all hosts together.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threads: Vec<ThreadSpec>,
    /// What breaks, and when ([`crate::fault`]); none by default.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<FaultSpec>,
    /// Limits on the run (events, simulated time, sockets, steps); the
    /// defaults of [`RunLimits`] when left out.
    #[serde(default, skip_serializing_if = "is_default")]
    pub limits: RunLimits,
    /// Events due at the same simulated time run in the order they were
    /// scheduled (FIFO) unless this is true: then they run in an order drawn
    /// from the seed (the `schedule` stream), so a sweep over seeds explores
    /// their interleavings (which of two SYNs reaches a listener first, a
    /// timer against an arrival). Packets over one direction of one link
    /// still arrive in the order sent.
    #[serde(default, skip_serializing_if = "is_default")]
    pub shuffle_ties: bool,
}

/// An end host: it runs a TCP/UDP stack and threads, and never forwards.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Host", deny_unknown_fields)]
pub struct HostSpec {
    /// The host's name, unique among all nodes, 1 to 64 bytes: threads,
    /// links and faults refer to it, and the trace prints it.
    pub name: String,
    /// The host's interface addresses with their prefixes (1 to 64). A
    /// packet leaves from the address on the destination's subnet, else
    /// from the first.
    pub addrs: Vec<Ipv4Cidr>,
    /// The host's stack constants: the fields written override those of
    /// the profile's personality (default: Windows as observed, see
    /// [`HostProfile`]).
    #[serde(default, skip_serializing_if = "is_default")]
    pub profile: HostProfile,
    /// Whether the host's threads start with WSAStartup already done. Set it
    /// to false to show WSANOTINITIALISED (CB-C10) and call `Startup` yourself.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub started: bool,
}

fn yes() -> bool {
    true
}

// Written scenarios (`simsock shrink`, a failing test's replay advice) leave
// out what the reader would get by leaving it out.
fn is_true(value: &bool) -> bool {
    *value
}

pub(crate) fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// A router: forwards between its subnets and answers ICMP unreachable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Router", deny_unknown_fields)]
pub struct RouterSpec {
    /// The router's name, unique among all nodes, 1 to 64 bytes.
    pub name: String,
    /// One address per subnet it routes for (1 to 64); a packet is
    /// forwarded toward the subnet that contains its destination.
    pub addrs: Vec<Ipv4Cidr>,
}

/// A switch: one link segment (an Ethernet broadcast domain). Hosts and
/// routers link to it; it forwards a unicast packet toward the one node the
/// destination resolves to and floods a broadcast to every other port
/// (CB-B3). It has no address, runs no threads, and never links to another
/// switch (so a segment is one switch and floods cannot loop).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Switch", deny_unknown_fields)]
pub struct SwitchSpec {
    /// The switch's name, unique among all nodes, 1 to 64 bytes.
    pub name: String,
}

/// A point-to-point link between two nodes (hosts, routers or switches).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Link", deny_unknown_fields)]
pub struct LinkSpec {
    /// The two nodes it joins (hosts, routers or switches), by name.
    pub between: (String, String),
    /// One-way delay of every packet, in both directions, at most 60 s
    /// (`"1ms"`).
    pub latency: SimDuration,
    /// Extra delay drawn uniformly from 0..=jitter per packet; a link never
    /// reorders, so a packet never overtakes the one before it (unless a
    /// `LinkSet` fault adds `reorder_ppm`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub jitter: SimDuration,
    /// Probability that a packet is lost, in parts per million.
    #[serde(default, skip_serializing_if = "is_default")]
    pub loss_ppm: u32,
    /// Whether the link carries packets when the run starts (default true);
    /// a `LinkUp` fault brings a down link up.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub up: bool,
}

/// A simulated thread on a host, running its steps in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Thread", deny_unknown_fields)]
pub struct ThreadSpec {
    /// The host it runs on; its sockets, events and windows are that
    /// host's.
    pub host: String,
    /// The thread's name, unique on its host: the trace and `QueueApc`
    /// name it.
    pub name: String,
    /// When the thread starts (default 0 s, the start of the run).
    #[serde(default, skip_serializing_if = "is_default")]
    pub start: SimDuration,
    /// What the thread does, in order; at most
    /// `limits::scenario::MAX_STEPS_PER_THREAD`.
    pub steps: Vec<Step>,
}

pub use crate::fault::{
    Direction, FaultAction, FaultSpec, FirewallRule, RuleAction, RuleDirection, Trigger,
};

/// Address family of a socket (socket()'s `af`; default `Inet`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Family {
    /// AF_INET: IPv4, the family the simulated network carries.
    Inet,
    /// AF_INET6: sockets exist and bind to `[::]:port`, and an IPv4 name is
    /// WSAEAFNOSUPPORT (CB-C9); with IPV6_V6ONLY 0 a socket takes IPv4 as
    /// ::ffff:a.b.c.d. Divergence: the simulated network is IPv4 only, so
    /// another IPv6 destination is WSAENETUNREACH (see `sim`'s
    /// `winsock/family.rs`).
    Inet6,
    /// AF_IRDA. connect.txt describes IrDA sockets (CB-I1, CB-I2), but no
    /// simulated host has an infrared stack: socket() fails with
    /// WSAEAFNOSUPPORT, as Windows does on a machine without IrDA.
    Irda,
}

/// Socket type (socket()'s `type`; default `Stream`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// SOCK_STREAM: a TCP connection (RFC 9293); connect runs the
    /// handshake.
    Stream,
    /// SOCK_DGRAM: UDP datagrams (RFC 768); connect only records a default
    /// destination (CB-D1).
    Dgram,
}

/// The `how` of shutdown: which direction(s) of a connection to end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShutdownHow {
    /// SD_RECEIVE: later recv calls on a stream socket fail with
    /// WSAESHUTDOWN.
    Receive,
    /// SD_SEND: the connection sends FIN after its queued data; later send
    /// calls fail with WSAESHUTDOWN.
    Send,
    /// SD_BOTH: both of the above.
    Both,
}

/// Socket options, named as Winsock names them.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SockOpt {
    /// Nonzero: the socket may bind a local address that is already in use
    /// (CB-C17 names the code without it: WSAEADDRINUSE). Set before bind;
    /// getsockopt reads 0 or 1.
    SO_REUSEADDR,
    /// Nonzero: a datagram socket may send to (and connect to) a broadcast
    /// address; without it that is WSAEACCES (CB-B2). Stream sockets: the
    /// setsockopt fails with WSAENOPROTOOPT.
    SO_BROADCAST,
    /// getsockopt only: the socket's pending error number, such as 10061
    /// after a refused nonblocking connect (0 when none). How long it lasts
    /// is the profile's `so_error_until_connected`.
    SO_ERROR,
    /// getsockopt only: 1 (SOCK_STREAM) or 2 (SOCK_DGRAM).
    SO_TYPE,
    /// getsockopt only: 1 while the socket listens, else 0.
    SO_ACCEPTCONN,
    /// getsockopt: the host profile's `send_buffer` in bytes (64 KiB by
    /// default). Divergence: setsockopt succeeds and changes nothing.
    SO_SNDBUF,
    /// getsockopt: the host profile's `receive_window` in bytes (65,535 by
    /// default). Divergence: setsockopt succeeds and changes nothing.
    SO_RCVBUF,
    /// Stream sockets: `value` is l_linger in seconds with l_onoff = 1; 0
    /// makes closesocket abortive: it sends RST and keeps no TIME_WAIT
    /// (closesocket's page, "SO_LINGER ... timeout value of zero"; Wine,
    /// `test_linger`).
    SO_LINGER,
    // ConnectEx (issue 3, item 4): CB-X6, CB-X7, CB-X5.
    /// setsockopt after ConnectEx: the socket takes the default state of a
    /// connected socket (CB-X6).
    SO_UPDATE_CONNECT_CONTEXT,
    /// getsockopt: seconds connected, 0xFFFFFFFF when not connected (CB-X7).
    SO_CONNECT_TIME,
    /// IPPROTO_TCP option: data of a later ConnectEx may ride on the SYN (CB-X5).
    TCP_FASTOPEN,
    /// Set before bind: a bind to port 0 defers the port's allocation to
    /// connect time, where running out is WSAENOBUFS (CB-C16).
    SO_REUSE_UNICASTPORT,
    /// Nonzero: no other socket may bind an address that overlaps this
    /// socket's (Microsoft, "Using SO_REUSEADDR and SO_EXCLUSIVEADDRUSE").
    /// Set before bind; setting it while SO_REUSEADDR is on, or
    /// SO_REUSEADDR while it is on, fails with WSAEINVAL (Wine
    /// `test_reuseaddr`). Windows only: WSAENOPROTOOPT on a Linux host.
    SO_EXCLUSIVEADDRUSE,
    /// IPPROTO_IPV6 option of an AF_INET6 socket, set before bind: 1, the
    /// socket carries IPv6 only; 0, a dual-stack socket that also takes
    /// IPv4 as ::ffff:a.b.c.d (the profile's `ipv6_v6only_default` is its
    /// value on a new socket). After bind: WSAEINVAL; on an AF_INET socket:
    /// WSAENOPROTOOPT.
    IPV6_V6ONLY,
    /// Stream sockets, set on a listener (before or after listen): nonzero
    /// makes the stack hold each SYN unanswered until WSAAccept's
    /// condition function (or accept) accepts it, answering SYN,ACK, or
    /// rejects it, answering RST (the SOL_SOCKET socket options page;
    /// `sim/src/stack/held.rs`). Default 0: the stack accepts first.
    SO_CONDITIONAL_ACCEPT,
    // Time-outs of blocking calls (issue 14, item 3): winsock/timeouts.rs.
    /// The time-out of a blocking recv, in milliseconds (a DWORD on
    /// Windows; a timeval on Linux); 0, the default, waits forever. Past it
    /// the recv fails with the profile's `recv_timeout_error`.
    SO_RCVTIMEO,
    /// The time-out of a blocking send, in milliseconds; 0 waits forever.
    SO_SNDTIMEO,
}

/// The commands of ioctlsocket (`IoctlSocket` step).
#[allow(clippy::upper_case_acronyms)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IoctlCommand {
    /// Nonzero `value`: nonblocking mode (CB-N1); zero: blocking.
    FIONBIO,
    /// The number of bytes that recv would return now.
    FIONREAD,
}

pub use crate::profile::WinsockVersion;
