//! `UdpSocket` with the methods of `tokio::net` that programs call.

use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;

use simsock_model::scenario::Kind;

use super::resolve::ToSocketAddrs;
use super::sock::{Dir, Sock, this_host};
use crate::winsock::{Op, Value};

/// The largest datagram a recv asks for.
const MAX_DATAGRAM_BYTES: usize = 65_507;

/// A UDP socket of a simulated host.
#[derive(Debug)]
pub struct UdpSocket {
    sock: Sock,
}

fn one_addr<A: ToSocketAddrs>(addr: A) -> io::Result<SocketAddr> {
    let addr = *addr.to_addrs()?.first().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any address",
        )
    })?;
    Ok(SocketAddr::V4(addr))
}

impl UdpSocket {
    /// socket(Dgram), bind, nonblocking.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        let host = this_host()?;
        let addr = one_addr(addr)?;
        let sock = Sock::open(host, Kind::Dgram)?;
        sock.now(Op::Bind {
            slot: sock.slot,
            addr,
        })?;
        Ok(UdpSocket { sock })
    }

    /// Sets the default destination (connect on a datagram socket).
    pub async fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        let to = one_addr(addr)?;
        self.sock
            .now(Op::Connect {
                slot: self.sock.slot,
                to,
                namelen: None,
            })
            .map(|_| ())
    }

    /// Sends one datagram to `target` (sendto); the bytes sent.
    pub async fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], target: A) -> io::Result<usize> {
        let to = one_addr(target)?;
        let slot = self.sock.slot;
        let op = || Op::SendTo {
            slot,
            to,
            data: Rc::from(buf),
        };
        let value = poll_fn(|cx| self.sock.poll_call(cx, Dir::Write, op, &mut Vec::new())).await?;
        Ok(bytes(value, buf.len()))
    }

    /// Sends one datagram to the connected peer (send); the bytes sent.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        let slot = self.sock.slot;
        let op = || Op::Send {
            slot,
            data: Rc::from(buf),
        };
        let value = poll_fn(|cx| self.sock.poll_call(cx, Dir::Write, op, &mut Vec::new())).await?;
        Ok(bytes(value, buf.len()))
    }

    /// Receives one datagram and its sender (recvfrom); a datagram longer than `buf` is cut to it.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let slot = self.sock.slot;
        let max = buf.len().min(MAX_DATAGRAM_BYTES) as u32;
        let mut received = Vec::new();
        let op = || Op::RecvFrom { slot, max };
        let value = poll_fn(|cx| self.sock.poll_call(cx, Dir::Read, op, &mut received)).await?;
        let n = received.len().min(buf.len());
        buf[..n].copy_from_slice(&received[..n]);
        match value {
            Value::Datagram { from, .. } => Ok((n, from)),
            other => Err(io::Error::other(format!(
                "simsock: recvfrom gave {other:?}"
            ))),
        }
    }

    /// Receives one datagram from the connected peer (recv); cut to `buf`.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        let slot = self.sock.slot;
        let max = buf.len().min(MAX_DATAGRAM_BYTES) as u32;
        let mut received = Vec::new();
        let op = || Op::Recv { slot, max };
        poll_fn(|cx| self.sock.poll_call(cx, Dir::Read, op, &mut received)).await?;
        let n = received.len().min(buf.len());
        buf[..n].copy_from_slice(&received[..n]);
        Ok(n)
    }

    /// The local address (getsockname).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        match self.sock.now(Op::GetSockName {
            slot: self.sock.slot,
        })? {
            Value::Addr(addr) => Ok(addr),
            other => Err(io::Error::other(format!(
                "simsock: getsockname gave {other:?}"
            ))),
        }
    }

    /// Waits until a datagram may be read (it may still say WouldBlock).
    pub async fn readable(&self) -> io::Result<()> {
        poll_fn(|cx| self.sock.poll_ready(cx, Dir::Read)).await
    }

    /// Waits until a datagram may be sent (a UDP socket always may).
    pub async fn writable(&self) -> io::Result<()> {
        poll_fn(|cx| self.sock.poll_ready(cx, Dir::Write)).await
    }
}

fn bytes(value: Value, asked: usize) -> usize {
    match value {
        Value::Bytes(n) => n as usize,
        _ => asked,
    }
}
