//! Building a scenario in Rust rather than RON: the same data, checked the
//! same way by `simsock_sim` before it runs.
//!
//! ```
//! use simsock_model::builder::ScenarioBuilder;
//! use simsock_model::scenario::{Outcome, Step};
//! use simsock_model::WsaError::WSAECONNREFUSED;
//!
//! let scenario = ScenarioBuilder::new("refused")
//!     .seed(7)
//!     .host("client", &["10.0.0.1/24"])
//!     .host("server", &["10.0.0.2/24"])
//!     .link("client", "server", "1ms")
//!     .thread("client", "main", [
//!         Step::new_socket("s"),
//!         Step::connect("s", "10.0.0.2:80").expect(Outcome::Err(WSAECONNREFUSED)),
//!     ])
//!     .build();
//! assert_eq!(scenario.hosts.len(), 2);
//! assert_eq!(scenario.threads[0].steps.len(), 2);
//! ```
//!
//! Addresses and durations are written as in RON and parsed here; a
//! malformed literal is a programming error and panics with a message
//! naming it (scenario *files* never panic: they get located errors).

use std::net::SocketAddr;

use crate::addr::Ipv4Cidr;
use crate::limits::RunLimits;
use crate::notify::FdEvent;
use crate::profile::HostProfile;
use crate::scenario::{
    FaultSpec, HostSpec, LinkSpec, Outcome, RouterSpec, Scenario, Step, SwitchSpec, ThreadSpec,
    TimeSpec,
};
use crate::time::SimDuration;

/// A scenario under construction: each method adds to it or sets one of
/// its fields and returns the builder; [`ScenarioBuilder::build`] hands the
/// [`Scenario`] over.
#[derive(Clone, Debug)]
pub struct ScenarioBuilder {
    scenario: Scenario,
}

fn cidrs(addrs: &[&str]) -> Vec<Ipv4Cidr> {
    addrs
        .iter()
        .map(|a| a.parse().unwrap_or_else(|e| panic!("`{a}`: {e}")))
        .collect()
}

/// Parses a duration literal such as `"1ms"`; panics on a malformed one.
fn duration(text: &str) -> SimDuration {
    text.parse().unwrap_or_else(|e| panic!("`{text}`: {e}"))
}

fn socket_addr(text: &str) -> SocketAddr {
    text.parse()
        .unwrap_or_else(|_| panic!("`{text}` is not a socket address like 10.0.0.2:80"))
}

impl ScenarioBuilder {
    /// An empty scenario named `name`: no hosts, seed 0, FIFO ties,
    /// default [`RunLimits`].
    pub fn new(name: &str) -> Self {
        let scenario = Scenario {
            name: name.to_string(),
            ..Scenario::default()
        };
        ScenarioBuilder { scenario }
    }

    /// The scenario's `about` text: what happens and what to look at.
    pub fn about(mut self, text: &str) -> Self {
        self.scenario.about = text.to_string();
        self
    }

    /// The seed of every random stream (loss, jitter, initial sequence
    /// numbers, tie order); default 0.
    pub fn seed(mut self, seed: u64) -> Self {
        self.scenario.seed = seed;
        self
    }

    /// Same-time events in a seeded order rather than FIFO
    /// ([`Scenario::shuffle_ties`]).
    pub fn shuffle_ties(mut self, on: bool) -> Self {
        self.scenario.shuffle_ties = on;
        self
    }

    /// A host with the default (Windows) profile.
    pub fn host(self, name: &str, addrs: &[&str]) -> Self {
        self.host_with(name, addrs, HostProfile::default())
    }

    /// A host with its own profile, e.g. a short TcpTimedWaitDelay.
    pub fn host_with(mut self, name: &str, addrs: &[&str], profile: HostProfile) -> Self {
        let host = HostSpec {
            name: name.to_string(),
            addrs: cidrs(addrs),
            profile,
            started: true,
        };
        self.scenario.hosts.push(host);
        self
    }

    /// A router with one address per subnet it joins (`"10.0.1.1/24"`);
    /// panics on a malformed address.
    pub fn router(mut self, name: &str, addrs: &[&str]) -> Self {
        self.scenario.routers.push(RouterSpec {
            name: name.to_string(),
            addrs: cidrs(addrs),
        });
        self
    }

    /// A switch: one broadcast domain for the nodes linked to it (CB-B3).
    pub fn switch(mut self, name: &str) -> Self {
        self.scenario.switches.push(SwitchSpec {
            name: name.to_string(),
        });
        self
    }

    /// A link with a latency, no jitter and no loss.
    pub fn link(self, a: &str, b: &str, latency: &str) -> Self {
        self.link_with(LinkSpec {
            between: (a.to_string(), b.to_string()),
            latency: duration(latency),
            jitter: SimDuration::ZERO,
            loss_ppm: 0,
            up: true,
        })
    }

    /// A link with every setting given: jitter, loss, or down at the start.
    pub fn link_with(mut self, link: LinkSpec) -> Self {
        self.scenario.links.push(link);
        self
    }

    /// A thread that starts at time 0.
    pub fn thread(self, host: &str, name: &str, steps: impl IntoIterator<Item = Step>) -> Self {
        self.thread_at(host, name, "0s", steps)
    }

    /// A thread that starts at `start`.
    pub fn thread_at(
        mut self,
        host: &str,
        name: &str,
        start: &str,
        steps: impl IntoIterator<Item = Step>,
    ) -> Self {
        self.scenario.threads.push(ThreadSpec {
            host: host.to_string(),
            name: name.to_string(),
            start: duration(start),
            steps: steps.into_iter().collect(),
        });
        self
    }

    /// A fault, after those added before ([`FaultSpec::at`],
    /// [`FaultSpec::after`]).
    pub fn fault(mut self, fault: FaultSpec) -> Self {
        self.scenario.faults.push(fault);
        self
    }

    /// The run's limits, replacing the defaults.
    pub fn limits(mut self, limits: RunLimits) -> Self {
        self.scenario.limits = limits;
        self
    }

    /// The scenario; `simsock_sim` checks it before it runs.
    pub fn build(self) -> Scenario {
        self.scenario
    }
}

/// Constructors for the common steps, with the defaults RON uses.
impl Step {
    /// `socket(AF_INET, SOCK_STREAM)` known as `name`.
    pub fn new_socket(name: &str) -> Step {
        use crate::scenario::{Family, Kind};
        Step::Socket {
            name: name.into(),
            family: Family::Inet,
            kind: Kind::Stream,
            expect: None,
        }
    }

    /// `bind(socket, addr)`, `addr` as `"10.0.0.1:5000"` or `"0.0.0.0:0"`;
    /// panics on a malformed address.
    pub fn bind(socket: &str, addr: &str) -> Step {
        Step::Bind {
            socket: socket.into(),
            addr: socket_addr(addr),
            expect: None,
        }
    }

    /// `listen(socket, backlog)`.
    pub fn listen(socket: &str, backlog: u32) -> Step {
        Step::Listen {
            socket: socket.into(),
            backlog,
            expect: None,
        }
    }

    /// `accept(socket)`, the accepted socket known as `name`.
    pub fn accept(socket: &str, name: &str) -> Step {
        Step::Accept {
            socket: socket.into(),
            name: name.into(),
            expect: None,
            at: None,
            took: None,
        }
    }

    /// `connect(socket, to)` with the default `namelen`, `to` as
    /// `"10.0.0.2:80"`; panics on a malformed address.
    pub fn connect(socket: &str, to: &str) -> Step {
        Step::Connect {
            socket: socket.into(),
            to: socket_addr(to),
            namelen: None,
            expect: None,
            at: None,
            took: None,
        }
    }

    /// `send(socket, data)`, the text's bytes.
    pub fn send(socket: &str, data: &str) -> Step {
        Step::Send {
            socket: socket.into(),
            data: Some(data.into()),
            len: None,
            expect: None,
            at: None,
            took: None,
        }
    }

    /// `recv(socket)` into a buffer of `max` bytes.
    pub fn recv(socket: &str, max: u32) -> Step {
        Step::Recv {
            socket: socket.into(),
            max,
            expect: None,
            at: None,
            took: None,
        }
    }

    /// `socket(AF_INET, SOCK_DGRAM)` known as `name`.
    pub fn new_dgram_socket(name: &str) -> Step {
        use crate::scenario::{Family, Kind};
        Step::Socket {
            name: name.into(),
            family: Family::Inet,
            kind: Kind::Dgram,
            expect: None,
        }
    }

    /// `sendto(socket, data, to)`: one datagram of the text's bytes.
    pub fn send_to(socket: &str, to: &str, data: &str) -> Step {
        Step::SendTo {
            socket: socket.into(),
            to: socket_addr(to),
            data: Some(data.into()),
            len: None,
            expect: None,
            at: None,
            took: None,
        }
    }

    /// `recvfrom(socket)` into a buffer of `max` bytes.
    pub fn recv_from(socket: &str, max: u32) -> Step {
        Step::RecvFrom {
            socket: socket.into(),
            max,
            expect: None,
            at: None,
            took: None,
        }
    }

    /// `closesocket(socket)`.
    pub fn close(socket: &str) -> Step {
        Step::Close {
            socket: socket.into(),
            expect: None,
        }
    }

    // --- Nonblocking notifications (CB-N3..N5) ---

    /// `select` with no time-out, over the named sockets of each set.
    pub fn select(read: &[&str], write: &[&str], except: &[&str]) -> Step {
        let names = |list: &[&str]| list.iter().map(|n| n.to_string()).collect();
        Step::Select {
            read: names(read),
            write: names(write),
            except: names(except),
            timeout: None,
            spi: false,
            expect: None,
            at: None,
            took: None,
        }
    }

    /// `WSAAsyncSelect(socket, window, events)`.
    pub fn async_select(socket: &str, window: &str, events: &[FdEvent]) -> Step {
        Step::AsyncSelect {
            socket: socket.into(),
            window: window.into(),
            events: events.to_vec(),
            spi: false,
            expect: None,
        }
    }

    /// `GetMessage(window)`.
    pub fn get_message(window: &str) -> Step {
        Step::GetMessage {
            window: window.into(),
            expect: None,
            at: None,
            took: None,
        }
    }

    /// `WSAEventSelect(socket, event, events)`.
    pub fn event_select(socket: &str, event: &str, events: &[FdEvent]) -> Step {
        Step::EventSelect {
            socket: socket.into(),
            event: event.into(),
            events: events.to_vec(),
            spi: false,
            expect: None,
        }
    }

    // --- WSAConnect/WSPConnect, APCs (feature: wsaconnect) ---

    /// WSAConnect with null connect data and QoS; add them with
    /// [`Step::with_connect_data`].
    pub fn wsa_connect(socket: &str, to: &str) -> Step {
        Step::WsaConnect {
            socket: socket.into(),
            to: socket_addr(to),
            namelen: None,
            caller_data: None,
            callee_buffer: None,
            sqos: None,
            gqos: None,
            expect: None,
            at: None,
            took: None,
        }
    }

    /// WSPConnect with null connect data and QoS.
    pub fn wsp_connect(socket: &str, to: &str) -> Step {
        Step::WspConnect {
            socket: socket.into(),
            to: socket_addr(to),
            namelen: None,
            caller_data: None,
            callee_buffer: None,
            sqos: None,
            gqos: None,
            sqos_len: None,
            gqos_len: None,
            expect: None,
            at: None,
            took: None,
        }
    }

    /// Sets the caller data and the callee buffer's size of a WSAConnect or
    /// WSPConnect (a no-op on other steps).
    pub fn with_connect_data(mut self, caller: Option<&str>, callee_buffer: Option<u32>) -> Step {
        if let Step::WsaConnect {
            caller_data,
            callee_buffer: buffer,
            ..
        }
        | Step::WspConnect {
            caller_data,
            callee_buffer: buffer,
            ..
        } = &mut self
        {
            *caller_data = caller.map(str::to_string);
            *buffer = callee_buffer;
        }
        self
    }

    /// QueueUserAPC to `thread` of the same host (CB-A1).
    pub fn queue_apc(thread: &str, steps: impl IntoIterator<Item = Step>) -> Step {
        Step::QueueApc {
            thread: thread.into(),
            steps: steps.into_iter().collect(),
            expect: None,
        }
    }

    /// The thread sleeps for `duration_text` (`"2s"`); panics on a
    /// malformed duration.
    pub fn sleep(duration_text: &str) -> Step {
        Step::Sleep(duration(duration_text))
    }

    // ConnectEx and overlapped I/O (issue 3, item 4).

    /// WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_CONNECTEX) (CB-X3).
    pub fn get_connect_ex(socket: &str) -> Step {
        Step::GetExtensionFunction {
            socket: socket.into(),
            function: crate::scenario::ExtensionFunction::ConnectEx,
            expect: None,
        }
    }

    /// ConnectEx with the OVERLAPPED `overlapped` and no send buffer (CB-X4).
    pub fn connect_ex(socket: &str, to: &str, overlapped: &str) -> Step {
        Step::ConnectEx {
            socket: socket.into(),
            to: socket_addr(to),
            namelen: None,
            data: None,
            len: None,
            overlapped: Some(overlapped.into()),
            event: None,
            expect: None,
            at: None,
            took: None,
        }
    }

    /// CreateIoCompletionPort(port, socket, key).
    pub fn completion_port(port: &str, socket: &str, key: u32) -> Step {
        Step::CreateIoCompletionPort {
            port: port.into(),
            socket: Some(socket.into()),
            key,
            expect: None,
        }
    }

    /// GetQueuedCompletionStatus(port, INFINITE).
    pub fn dequeue(port: &str) -> Step {
        Step::GetQueuedCompletionStatus {
            port: port.into(),
            timeout: None,
            expect: None,
            at: None,
            took: None,
        }
    }

    /// Sets the expected outcome (a no-op on Sleep and Repeat, which have none).
    pub fn expect(mut self, outcome: Outcome) -> Step {
        if let (Some(slot), _, _) = self.expectation_mut() {
            *slot = Some(outcome);
        }
        self
    }

    /// Sets how long the call must take (accept, connect, send, recv,
    /// sendto, recvfrom).
    pub fn took(mut self, time: &str) -> Step {
        if let (_, _, Some(slot)) = self.expectation_mut() {
            *slot = Some(TimeSpec::Exactly(duration(time)));
        }
        self
    }
}
