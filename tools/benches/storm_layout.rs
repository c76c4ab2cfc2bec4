//! Where the storm's hosts sit: how many servers, which addresses, which
//! links. Up to 1,024 clients (one listen backlog) there is one server, the
//! layout of the README's quoted rows; past that the clients spread over
//! `ceil(n / 1024)` servers, client `i` to server `i % servers`, each server
//! with its own workers, so no listener holds more than its backlog. Up to
//! 62,500 clients share 10.0.0.0/16 (250 per /24, as before); past that they
//! fill 10.0.0.0 to 10.15.255.255, 62,500 per /16, up to 1,000,000 clients:
//! over direct links every host is on 10.0.0.0/8, through the router each
//! client /16 is one subnet of the router (a router holds up to 64).

use std::net::Ipv4Addr;

use simsock_model::limits::RunLimits;
use simsock_model::scenario::{HostSpec, LinkSpec, RouterSpec, Scenario};
use simsock_model::{HostProfile, Ipv4Cidr, SimDuration};

/// The most clients one server takes: its listen backlog (every client
/// connects at once, so the backlog must hold them all).
pub const BACKLOG: usize = 1024;
/// Clients per /16: 250 per /24, 250 /24s.
const PER_SLASH16: usize = 250 * 250;
/// The most clients: 16 /16s, 10.0.0.0 to 10.15.255.255.
pub const MAX_CLIENTS: usize = 16 * PER_SLASH16;
/// Stop before the first TIME_WAIT record (240 s) expires.
pub const MAX_SIM_TIME: SimDuration = SimDuration::from_secs(200);

/// How the clients reach the servers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topology {
    /// Every client has its own 1 ms link to its server, all on one subnet
    /// (10.0.0.0/16, or /8 past 62,500 clients): one hop each way, like
    /// turmoil's 1 ms per message.
    Direct,
    /// Clients on 10.k.0.0/16, servers on 10.255.0.0/16, one router between
    /// them: two 1 ms hops each way.
    Router,
}

impl Topology {
    pub fn name(self) -> &'static str {
        match self {
            Topology::Direct => "direct",
            Topology::Router => "router",
        }
    }
}

/// One storm's hosts: `clients` clients spread over `servers` servers.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    pub clients: usize,
    pub servers: usize,
    pub topology: Topology,
}

impl Layout {
    /// The layout of `clients` clients, or why there is none.
    pub fn new(clients: usize, topology: Topology) -> Result<Layout, String> {
        if clients == 0 || clients > MAX_CLIENTS {
            return Err(format!(
                "{clients} clients: 1 to {MAX_CLIENTS} fit in 10.0.0.0-10.15.255.255"
            ));
        }
        Ok(Layout {
            clients,
            servers: servers_for(clients),
            topology,
        })
    }

    /// The server client `c` connects to.
    pub fn server_of(&self, c: usize) -> usize {
        c % self.servers
    }

    /// Index of client `c` in `World::hosts` (the servers come first).
    pub fn client_host(&self, c: usize) -> usize {
        self.servers + c
    }

    pub fn server_name(s: usize) -> String {
        if s == 0 {
            "server".into()
        } else {
            format!("server{s}")
        }
    }

    /// Server `s`'s address: 10.0.255.1 and up over direct links (on the
    /// clients' subnet), 10.255.0.1 and up behind the router.
    pub fn server_ip(&self, s: usize) -> Ipv4Addr {
        let (hi, lo) = ((s / 250) as u8, (s % 250 + 1) as u8);
        match self.topology {
            Topology::Direct => Ipv4Addr::new(10, hi, 255, lo),
            Topology::Router => Ipv4Addr::new(10, 255, hi, lo),
        }
    }

    /// Every host's prefix length: /16, or /8 over direct links past one /16.
    fn prefix_len(&self) -> u8 {
        match self.topology {
            Topology::Direct if self.clients > PER_SLASH16 => 8,
            _ => 16,
        }
    }

    /// The storm's scenario; `profile` is every host's.
    pub fn scenario(&self, profile: &HostProfile) -> Scenario {
        let prefix_len = self.prefix_len();
        let host = |name: String, addr| HostSpec {
            name,
            addrs: vec![cidr(addr, prefix_len)],
            profile: profile.clone(),
            started: true,
        };
        let mut hosts = Vec::with_capacity(self.servers + self.clients);
        let mut links = Vec::with_capacity(self.servers + self.clients);
        let mut routers = Vec::new();
        for s in 0..self.servers {
            hosts.push(host(Self::server_name(s), self.server_ip(s)));
        }
        if self.topology == Topology::Router {
            routers.push(self.router());
            for s in 0..self.servers {
                links.push(link("router", &Self::server_name(s)));
            }
        }
        for c in 0..self.clients {
            let name = format!("client{c}");
            let hub = match self.topology {
                Topology::Direct => Self::server_name(self.server_of(c)),
                Topology::Router => "router".into(),
            };
            links.push(link(&hub, &name));
            hosts.push(host(name, client_ip(c)));
        }
        Scenario {
            name: "storm".into(),
            about: String::new(),
            question: String::new(),
            seed: 1,
            hosts,
            routers,
            switches: Vec::new(),
            links,
            threads: Vec::new(),
            faults: Vec::new(),
            limits: RunLimits {
                max_events: u64::MAX,
                max_time: MAX_SIM_TIME,
                max_sockets_per_host: 1 << 20,
                max_steps: u64::MAX,
            },
            shuffle_ties: false,
        }
    }

    /// The router: one address on each client /16, then one on the
    /// servers' 10.255.0.0/16.
    fn router(&self) -> RouterSpec {
        let client_nets = self.clients.div_ceil(PER_SLASH16);
        let mut addrs: Vec<Ipv4Cidr> = (0..client_nets)
            .map(|k| cidr(Ipv4Addr::new(10, k as u8, 255, 254), 16))
            .collect();
        addrs.push(cidr(Ipv4Addr::new(10, 255, 255, 254), 16));
        RouterSpec {
            name: "router".into(),
            addrs,
        }
    }
}

/// Servers for `clients` clients: one per listen backlog.
pub fn servers_for(clients: usize) -> usize {
    clients.div_ceil(BACKLOG).max(1)
}

/// Client `i`'s address: 10.k.b.c, 62,500 per /16 and 250 per /24
/// (10.0.0.1 to 10.0.0.250, then 10.0.1.1, ...).
pub fn client_ip(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(
        10,
        (i / PER_SLASH16) as u8,
        (i / 250 % 250) as u8,
        (i % 250 + 1) as u8,
    )
}

fn cidr(addr: Ipv4Addr, prefix_len: u8) -> Ipv4Cidr {
    Ipv4Cidr::new(addr, prefix_len).expect("valid prefix")
}

fn link(a: &str, b: &str) -> LinkSpec {
    LinkSpec {
        between: (a.to_string(), b.to_string()),
        latency: SimDuration::from_millis(1),
        jitter: SimDuration::ZERO,
        loss_ppm: 0,
        up: true,
    }
}
