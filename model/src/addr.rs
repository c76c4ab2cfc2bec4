//! IPv4 interface addresses with their prefix (`10.0.0.1/24`).

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An interface address and the length of its network prefix, as a
/// scenario writes it in a host's or router's `addrs` (`"10.0.0.1/24"`).
/// The prefix decides which addresses are on-link (reached without a
/// router) and the subnet's directed broadcast address (CB-B3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ipv4Cidr {
    /// The interface's own address: the source of the packets it sends and
    /// an address its host answers on.
    pub addr: Ipv4Addr,
    /// Leading bits that name the network, 0..=32 (`/24` is 24): the
    /// other bits name a host on it.
    pub prefix_len: u8,
}

impl Ipv4Cidr {
    /// `addr/prefix_len`; `None` when `prefix_len` is above 32.
    pub fn new(addr: Ipv4Addr, prefix_len: u8) -> Option<Self> {
        (prefix_len <= 32).then_some(Ipv4Cidr { addr, prefix_len })
    }

    /// The netmask as a host-order integer.
    pub fn mask(self) -> u32 {
        mask_of(self.prefix_len)
    }

    /// The network: the address with its host bits cleared.
    pub fn network(self) -> Ipv4Net {
        Ipv4Net {
            base: u32::from(self.addr) & self.mask(),
            prefix_len: self.prefix_len,
        }
    }

    /// The directed broadcast address of the subnet (all host bits set).
    pub fn broadcast(self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) | !self.mask())
    }

    /// Whether `other` lies on this interface's subnet (its network bits
    /// equal ours): such a destination is reached directly, not through a
    /// router.
    pub fn contains(self, other: Ipv4Addr) -> bool {
        self.network().contains(other)
    }
}

/// A network: base address and prefix length; the key of routing tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ipv4Net {
    /// The network address as a host-order integer, host bits all zero
    /// (`10.0.1.0` for `10.0.1.7/24`).
    pub base: u32,
    /// Leading bits that name the network, 0..=32.
    pub prefix_len: u8,
}

impl Ipv4Net {
    /// Whether `addr` belongs to this network (a route to it matches).
    pub fn contains(self, addr: Ipv4Addr) -> bool {
        u32::from(addr) & mask_of(self.prefix_len) == self.base
    }
}

impl fmt::Display for Ipv4Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", Ipv4Addr::from(self.base), self.prefix_len)
    }
}

fn mask_of(prefix_len: u8) -> u32 {
    match prefix_len {
        0 => 0,
        n => u32::MAX << (32 - u32::from(n.min(32))),
    }
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix_len)
    }
}

impl FromStr for Ipv4Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (addr, prefix) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` needs a prefix length, as in 10.0.0.1/24"))?;
        let addr: Ipv4Addr = addr
            .parse()
            .map_err(|_| format!("`{addr}` is not an IPv4 address"))?;
        let prefix_len: u8 = prefix
            .parse()
            .ok()
            .filter(|p| *p <= 32)
            .ok_or_else(|| format!("`/{prefix}` is not a prefix length from 0 to 32"))?;
        Ok(Ipv4Cidr { addr, prefix_len })
    }
}

impl Serialize for Ipv4Cidr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Ipv4Cidr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnet_arithmetic() {
        let c: Ipv4Cidr = "10.0.1.7/24".parse().unwrap();
        assert_eq!(c.broadcast(), Ipv4Addr::new(10, 0, 1, 255));
        assert!(c.contains(Ipv4Addr::new(10, 0, 1, 200)));
        assert!(!c.contains(Ipv4Addr::new(10, 0, 2, 1)));
        assert_eq!(c.network().to_string(), "10.0.1.0/24");
        let all: Ipv4Cidr = "1.2.3.4/0".parse().unwrap();
        assert!(all.contains(Ipv4Addr::new(200, 1, 1, 1)));
    }

    #[test]
    fn rejects_malformed() {
        for bad in ["10.0.0.1", "10.0.0.1/33", "10.0.0/8", "x/8"] {
            assert!(bad.parse::<Ipv4Cidr>().is_err(), "{bad}");
        }
    }
}
