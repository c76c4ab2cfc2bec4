//! Limits on everything a scenario can ask for (TigerBeetle style: put a limit
//! on everything). Exceeding one is a clear error, never a hang or an
//! out-of-memory.

use serde::{Deserialize, Serialize};

use crate::time::SimDuration;

/// Static limits on the size of a scenario, checked by `sim::scenario`'s
/// checker before it runs; a scenario past one gets a located error.
pub mod scenario {
    /// Hosts (`hosts: [...]`) in one scenario.
    pub const MAX_HOSTS: usize = 10_000;
    /// Routers (`routers: [...]`) in one scenario.
    pub const MAX_ROUTERS: usize = 1_000;
    /// Switches (link segments, CB-B3).
    pub const MAX_SWITCHES: usize = 1_000;
    /// Links (`links: [...]`) in one scenario.
    pub const MAX_LINKS: usize = 20_000;
    /// Addresses (`addrs`) of one host or router; each needs at least one.
    pub const MAX_ADDRS_PER_NODE: usize = 64;
    /// Threads (`threads: [...]`) in one scenario, all hosts together.
    pub const MAX_THREADS: usize = 10_000;
    /// Steps written in one thread, counting those inside `Repeat`.
    pub const MAX_STEPS_PER_THREAD: usize = 10_000;
    /// Largest `times` of one `Repeat` step.
    pub const MAX_REPEAT: u32 = 100_000;
    /// Steps of the whole scenario with every `Repeat` unrolled (counted as
    /// `limits.max_steps` counts them: a call, a `Repeat`'s start and each
    /// pass through it), all threads together: the ceiling of
    /// `limits.max_steps`, so the check rejects what no run could finish.
    pub const MAX_UNROLLED_STEPS: u64 = super::RUN_LIMIT_CEILING.max_steps;
    /// Faults (`faults: [...]`) in one scenario.
    pub const MAX_FAULTS: usize = 10_000;
    /// Longest name of a host, router or switch, in bytes (at least 1).
    pub const MAX_NAME_LEN: usize = 64;
    /// Bytes one send, sendto, recv `max`, TransmitFile or ConnectEx send
    /// buffer may ask for (1 MiB).
    pub const MAX_SEND_BYTES: u32 = 1 << 20;
    /// Largest listen backlog (Winsock's SOMAXCONN is larger; 1024 is plenty here).
    pub const MAX_BACKLOG: u32 = 1024;
    /// Largest link latency or jitter (60 s), also for `LinkSet`'s
    /// `latency`, `jitter` and `duplicate_delay`.
    pub const MAX_LATENCY: crate::time::SimDuration = crate::time::SimDuration::from_secs(60);
    /// Parts per million: 1_000_000 is certainty, the largest `loss_ppm`,
    /// `duplicate_ppm` or `reorder_ppm` a link or `LinkSet` may have.
    pub const PPM: u32 = 1_000_000;
    /// Largest `count` of a fault trigger.
    pub const MAX_TRIGGER_COUNT: u32 = 1_000_000;
    // --- Nonblocking notifications (CB-N3..N5) ---
    /// Sockets in one select set: winsock2.h's default FD_SETSIZE.
    pub const FD_SETSIZE: usize = 64;
    /// Events one WSAWaitForMultipleEvents waits on: WSA_MAXIMUM_WAIT_EVENTS
    /// (MAXIMUM_WAIT_OBJECTS).
    pub const WSA_MAXIMUM_WAIT_EVENTS: usize = 64;
    /// Entries in the `events` list of WSAAsyncSelect / WSAEventSelect.
    pub const MAX_FD_EVENTS: usize = 8;
    /// Messages a window's queue holds; a post beyond it is lost, as
    /// PostMessage fails past Windows' default USERPostMessageLimit (10000).
    pub const MAX_WINDOW_MESSAGES: usize = 10_000;
    // --- WSAConnect/WSPConnect (feature: wsaconnect) ---
    /// Bytes of `caller_data` a scenario may write (a provider carries at
    /// most `connect_data_max`; more is WSAEFAULT, CB-W3).
    pub const MAX_CONNECT_DATA_BYTES: usize = 4096;
    /// Largest `callee_buffer`, `sqos_len` or `gqos_len`.
    pub const MAX_CONNECT_BUFFER: u32 = 1 << 20;
    /// Steps of one `QueueApc`.
    pub const MAX_APC_STEPS: usize = 64;
    /// Latest `at` and longest `delay` of a fault: the ceiling of
    /// `limits.max_time` (30 days).
    pub const MAX_FAULT_TIME: crate::time::SimDuration = super::RUN_LIMIT_CEILING.max_time;
    /// Flags of one DisconnectEx or TransmitFile (there are two kinds).
    pub const MAX_TF_FLAGS: usize = 2;
}

/// Limits on one run, checked while it runs: a run that reaches
/// `max_events`, `max_time` or `max_steps` stops and its report says which.
/// A scenario may lower or raise them up to [`RUN_LIMIT_CEILING`]
/// (`limits: (max_time: "10m")`); the library may set any value. Defaults:
/// 10,000,000 events, 1 h of simulated time, 65,536 sockets per host,
/// 100,000,000 steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunLimits {
    /// Events the engine may process before it stops the run (default
    /// 10,000,000). Calls count against it too: a call is no event of the
    /// engine (it runs inside the event that resumed its thread), but it
    /// is work, and a thread that loops on calls that never wait stops here.
    pub max_events: u64,
    /// Simulated time after which the run stops (default 1 h).
    pub max_time: SimDuration,
    /// Sockets open at once on one host; socket() or accept() past it
    /// fails with WSAEMFILE (default 65,536).
    pub max_sockets_per_host: u32,
    /// Steps the run's threads may execute in all: each call, each start of
    /// a `Repeat` and each pass through one. Calls already count against
    /// `max_events`; this bounds a `Repeat` of steps that never call or take
    /// simulated time, which neither `max_events` nor `max_time` would stop
    /// (default 100,000,000).
    pub max_steps: u64,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits {
            max_events: 10_000_000,
            max_time: SimDuration::from_secs(3_600),
            max_sockets_per_host: 65_536,
            max_steps: 100_000_000,
        }
    }
}

/// The largest values a scenario file may write in `limits: (...)`:
/// 1,000,000,000 events, 30 days, 2^20 sockets per host, 10^10 steps.
pub const RUN_LIMIT_CEILING: RunLimits = RunLimits {
    max_events: 1_000_000_000,
    max_time: SimDuration::from_secs(30 * 24 * 3_600),
    max_sockets_per_host: 1 << 20,
    max_steps: 10_000_000_000,
};
