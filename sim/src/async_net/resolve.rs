//! Names to addresses: `"server:80"` is the host named `server` in the
//! scenario, at its first address, as a resolver would answer for it;
//! an IPv4 literal is itself; `localhost` is 127.0.0.1. An unknown name
//! fails as getaddrinfo does on Windows (WSAHOST_NOT_FOUND, 11001).

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};

use super::context::with;

/// What `connect`, `bind` and `send_to` take, as tokio's
/// `ToSocketAddrs` (sealed there; its own here).
pub trait ToSocketAddrs {
    /// The addresses to try, in order.
    fn to_addrs(&self) -> io::Result<Vec<SocketAddrV4>>;
}

fn v4(addr: SocketAddr) -> io::Result<SocketAddrV4> {
    match addr {
        SocketAddr::V4(a) => Ok(a),
        SocketAddr::V6(_) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "simsock: the simulated hosts speak IPv4 only",
        )),
    }
}

/// Looks `name` up among the scenario's hosts.
pub fn lookup(name: &str, port: u16) -> io::Result<Vec<SocketAddrV4>> {
    if let Ok(ip) = name.parse::<Ipv4Addr>() {
        return Ok(vec![SocketAddrV4::new(ip, port)]);
    }
    if name.eq_ignore_ascii_case("localhost") {
        return Ok(vec![SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)]);
    }
    let addrs = with(|s| {
        let topo = &s.world.core.topo;
        let node = topo.node_named(name)?;
        let addrs: Vec<SocketAddrV4> = topo
            .node(node)
            .addrs
            .iter()
            .map(|c| SocketAddrV4::new(c.addr, port))
            .collect();
        Some(addrs)
    });
    match addrs {
        Some(addrs) if !addrs.is_empty() => Ok(addrs),
        _ => Err(io::Error::other(format!(
            "failed to lookup address information: No such host is known. \
             (os error 11001, simulated: the scenario has no host named `{name}`)"
        ))),
    }
}

impl ToSocketAddrs for SocketAddr {
    fn to_addrs(&self) -> io::Result<Vec<SocketAddrV4>> {
        Ok(vec![v4(*self)?])
    }
}

impl ToSocketAddrs for SocketAddrV4 {
    fn to_addrs(&self) -> io::Result<Vec<SocketAddrV4>> {
        Ok(vec![*self])
    }
}

impl ToSocketAddrs for (IpAddr, u16) {
    fn to_addrs(&self) -> io::Result<Vec<SocketAddrV4>> {
        Ok(vec![v4(SocketAddr::from(*self))?])
    }
}

impl ToSocketAddrs for (Ipv4Addr, u16) {
    fn to_addrs(&self) -> io::Result<Vec<SocketAddrV4>> {
        Ok(vec![SocketAddrV4::new(self.0, self.1)])
    }
}

impl ToSocketAddrs for (&str, u16) {
    fn to_addrs(&self) -> io::Result<Vec<SocketAddrV4>> {
        lookup(self.0, self.1)
    }
}

impl ToSocketAddrs for str {
    fn to_addrs(&self) -> io::Result<Vec<SocketAddrV4>> {
        if let Ok(addr) = self.parse::<SocketAddr>() {
            return addr.to_addrs();
        }
        let Some((name, port)) = self.rsplit_once(':') else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid socket address `{self}`: expected `host:port`"),
            ));
        };
        let port = port.parse::<u16>().map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid port in `{self}`"),
            )
        })?;
        lookup(name, port)
    }
}

impl ToSocketAddrs for String {
    fn to_addrs(&self) -> io::Result<Vec<SocketAddrV4>> {
        self.as_str().to_addrs()
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {
    fn to_addrs(&self) -> io::Result<Vec<SocketAddrV4>> {
        (**self).to_addrs()
    }
}
