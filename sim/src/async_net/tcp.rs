//! `TcpStream` and `TcpListener` with the methods of `tokio::net` that
//! programs call, over nonblocking simulated Winsock sockets.

use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use simsock_model::WsaError;
use simsock_model::scenario::{Kind, ShutdownHow, SockOpt};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::context::with;
use super::error::to_io;
use super::resolve::ToSocketAddrs;
use super::sock::{Dir, Sock, this_host};
use crate::stack::socket::SockState;
use crate::winsock::{Op, Value};

/// The most a single read asks recv for.
const MAX_READ_BYTES: usize = 64 * 1024;

/// A connected TCP socket of a simulated host.
#[derive(Debug)]
pub struct TcpStream {
    sock: Arc<Sock>,
    nodelay: Arc<AtomicBool>,
}

fn addr_of(value: Value) -> io::Result<SocketAddr> {
    match value {
        Value::Addr(addr) => Ok(addr),
        other => Err(io::Error::other(format!(
            "simsock: expected an address, got {other:?}"
        ))),
    }
}

impl TcpStream {
    fn from_sock(sock: Sock) -> TcpStream {
        TcpStream {
            sock: Arc::new(sock),
            nodelay: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Connects to `addr` (`"server:80"`, an address, ...), trying each
    /// address in turn as tokio does. As a Windows reactor: a nonblocking
    /// connect (WSAEWOULDBLOCK), a wait until the socket leaves
    /// SYN_SENT, then getsockopt(SO_ERROR).
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        let host = this_host()?;
        let mut last = None;
        for addr in addr.to_addrs()? {
            match connect_one(host, SocketAddr::V4(addr)).await {
                Ok(stream) => return Ok(stream),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "could not resolve to any address",
            )
        }))
    }

    /// The local address (getsockname).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        addr_of(self.sock.now(Op::GetSockName {
            slot: self.sock.slot,
        })?)
    }

    /// The peer's address (getpeername); `NotConnected` (WSAENOTCONN) when not connected.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        addr_of(self.sock.now(Op::GetPeerName {
            slot: self.sock.slot,
        })?)
    }

    /// TCP_NODELAY is kept but changes nothing: the simulated stack sends
    /// each send at once (no Nagle delay is modelled).
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.nodelay.store(nodelay, Ordering::Relaxed);
        Ok(())
    }

    /// The TCP_NODELAY value last set (see [`TcpStream::set_nodelay`]).
    pub fn nodelay(&self) -> io::Result<bool> {
        Ok(self.nodelay.load(Ordering::Relaxed))
    }

    /// Waits until a read may make progress (it may still say WouldBlock).
    pub async fn readable(&self) -> io::Result<()> {
        poll_fn(|cx| self.sock.poll_ready(cx, Dir::Read)).await
    }

    /// Waits until a write may make progress (it may still say WouldBlock).
    pub async fn writable(&self) -> io::Result<()> {
        poll_fn(|cx| self.sock.poll_ready(cx, Dir::Write)).await
    }

    /// One recv, never waiting: `ErrorKind::WouldBlock` when no data is there.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        try_read(&self.sock, buf)
    }

    /// One send, never waiting.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        try_write(&self.sock, buf)
    }

    /// Borrowed halves, for reading and writing from one task.
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        (ReadHalf(self), WriteHalf(self))
    }

    /// Owned halves; dropping the write half shuts the sending side down,
    /// as tokio's does.
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        let read = OwnedReadHalf {
            sock: self.sock.clone(),
        };
        let write = OwnedWriteHalf {
            sock: self.sock,
            shutdown_on_drop: true,
        };
        (read, write)
    }

    fn poll_read_sock(
        sock: &Sock,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let max = buf.remaining().min(MAX_READ_BYTES) as u32;
        let mut received = Vec::new();
        let op = || Op::Recv {
            slot: sock.slot,
            max,
        };
        match sock.poll_call(cx, Dir::Read, op, &mut received) {
            Poll::Ready(Ok(_)) => {
                buf.put_slice(&received);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_write_sock(sock: &Sock, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let op = || Op::Send {
            slot: sock.slot,
            data: Rc::from(buf),
        };
        sock.poll_call(cx, Dir::Write, op, &mut Vec::new())
            .map_ok(|v| match v {
                Value::Bytes(n) => n as usize,
                _ => buf.len(),
            })
    }

    fn shutdown_sock(sock: &Sock) -> io::Result<()> {
        sock.now(Op::Shutdown {
            slot: sock.slot,
            how: ShutdownHow::Send,
        })
        .map(|_| ())
    }
}

fn try_read(sock: &Sock, buf: &mut [u8]) -> io::Result<usize> {
    let max = buf.len().min(MAX_READ_BYTES) as u32;
    let mut received = Vec::new();
    let op = Op::Recv {
        slot: sock.slot,
        max,
    };
    sock.try_call(Dir::Read, op, &mut received)?;
    buf[..received.len()].copy_from_slice(&received);
    Ok(received.len())
}

fn try_write(sock: &Sock, buf: &[u8]) -> io::Result<usize> {
    let op = Op::Send {
        slot: sock.slot,
        data: Rc::from(buf),
    };
    match sock.try_call(Dir::Write, op, &mut Vec::new())? {
        Value::Bytes(n) => Ok(n as usize),
        _ => Ok(buf.len()),
    }
}

async fn connect_one(host: u32, to: SocketAddr) -> io::Result<TcpStream> {
    let sock = Sock::open(host, Kind::Stream)?;
    let op = Op::Connect {
        slot: sock.slot,
        to,
        namelen: None,
    };
    match with(|s| sock.call(s, op))? {
        Ok(_) => return Ok(TcpStream::from_sock(sock)),
        Err(WsaError::WSAEWOULDBLOCK) => {}
        Err(code) => return Err(to_io(code)),
    }
    poll_fn(|cx| poll_connected(&sock, cx)).await?;
    Ok(TcpStream::from_sock(sock))
}

/// Waits for a nonblocking connect to end, then reads its outcome with
/// getsockopt(SO_ERROR), as mio does after the socket's write readiness.
fn poll_connected(sock: &Sock, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
    let result = with(|s| {
        s.sync();
        let host = &s.world.hosts[sock.host as usize];
        let state = host.slot_socket(sock.slot).map(|i| host.socket(i).state);
        if s.limit.is_none() && state == Ok(SockState::Connecting) {
            sock.park(s, cx, Dir::Write);
            return Ok(None);
        }
        let op = Op::GetOpt {
            slot: sock.slot,
            opt: SockOpt::SO_ERROR,
        };
        sock.call(s, op).map(Some)
    });
    match result {
        Ok(None) => Poll::Pending,
        Ok(Some(Ok(Value::Number(0)))) => Poll::Ready(Ok(())),
        Ok(Some(Ok(Value::Number(n)))) => {
            Poll::Ready(Err(match WsaError::lookup(&n.to_string()) {
                Some(code) => to_io(code),
                None => io::Error::other(format!("simsock: SO_ERROR {n}")),
            }))
        }
        Ok(Some(Ok(other))) => Poll::Ready(Err(io::Error::other(format!(
            "simsock: getsockopt(SO_ERROR) gave {other:?}"
        )))),
        Ok(Some(Err(code))) => Poll::Ready(Err(to_io(code))),
        Err(e) => Poll::Ready(Err(e)),
    }
}

impl AsyncRead for TcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        TcpStream::poll_read_sock(&self.sock, cx, buf)
    }
}

impl AsyncWrite for TcpStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        TcpStream::poll_write_sock(&self.sock, cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(TcpStream::shutdown_sock(&self.sock))
    }
}

/// The read half of [`TcpStream::split`].
#[derive(Debug)]
pub struct ReadHalf<'a>(&'a TcpStream);

/// The write half of [`TcpStream::split`].
#[derive(Debug)]
pub struct WriteHalf<'a>(&'a TcpStream);

impl AsyncRead for ReadHalf<'_> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        TcpStream::poll_read_sock(&self.0.sock, cx, buf)
    }
}

impl AsyncWrite for WriteHalf<'_> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        TcpStream::poll_write_sock(&self.0.sock, cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(TcpStream::shutdown_sock(&self.0.sock))
    }
}

/// The read half of [`TcpStream::into_split`].
#[derive(Debug)]
pub struct OwnedReadHalf {
    sock: Arc<Sock>,
}

/// The write half of [`TcpStream::into_split`].
#[derive(Debug)]
pub struct OwnedWriteHalf {
    sock: Arc<Sock>,
    shutdown_on_drop: bool,
}

impl OwnedReadHalf {
    /// Reads what has arrived without waiting; `WouldBlock` (WSAEWOULDBLOCK) when nothing has.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        try_read(&self.sock, buf)
    }

    /// Waits until a read may make progress (it may still say WouldBlock).
    pub async fn readable(&self) -> io::Result<()> {
        poll_fn(|cx| self.sock.poll_ready(cx, Dir::Read)).await
    }
}

impl OwnedWriteHalf {
    /// Writes what the send buffer takes without waiting; `WouldBlock` when it is full.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        try_write(&self.sock, buf)
    }

    /// Waits until a write may make progress (it may still say WouldBlock).
    pub async fn writable(&self) -> io::Result<()> {
        poll_fn(|cx| self.sock.poll_ready(cx, Dir::Write)).await
    }
}

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        if self.shutdown_on_drop && super::context::active() {
            let sock = self.sock.clone();
            super::context::try_with(move || {
                let _ = TcpStream::shutdown_sock(&sock);
            });
        }
    }
}

impl AsyncRead for OwnedReadHalf {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        TcpStream::poll_read_sock(&self.sock, cx, buf)
    }
}

impl AsyncWrite for OwnedWriteHalf {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        TcpStream::poll_write_sock(&self.sock, cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.shutdown_on_drop = false;
        Poll::Ready(TcpStream::shutdown_sock(&self.sock))
    }
}

/// A listening TCP socket of a simulated host.
#[derive(Debug)]
pub struct TcpListener {
    sock: Sock,
}

/// The backlog tokio passes to listen.
const BACKLOG: u32 = 1024;

impl TcpListener {
    /// socket, bind, listen(1024), nonblocking. `addr` may name a host
    /// (`"server:80"`) or be `0.0.0.0:80`.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        let host = this_host()?;
        let addr = *addr.to_addrs()?.first().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "could not resolve to any address",
            )
        })?;
        let sock = Sock::open(host, Kind::Stream)?;
        sock.now(Op::Bind {
            slot: sock.slot,
            addr: SocketAddr::V4(addr),
        })?;
        sock.now(Op::Listen {
            slot: sock.slot,
            backlog: BACKLOG,
        })?;
        Ok(TcpListener { sock })
    }

    /// The next connection and its peer's address.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let stream = poll_fn(|cx| self.poll_accept_stream(cx)).await?;
        let peer = stream.peer_addr()?;
        Ok((stream, peer))
    }

    fn poll_accept_stream(&self, cx: &mut Context<'_>) -> Poll<io::Result<TcpStream>> {
        with(|s| {
            let (into, proxy) = s.alloc(self.sock.host);
            let op = Op::Accept {
                slot: self.sock.slot,
                into,
            };
            let result = match self.sock.call(s, op) {
                Ok(Ok(_)) => self.sock.adopt(s, (into, proxy)).map(TcpStream::from_sock),
                Ok(Err(WsaError::WSAEWOULDBLOCK)) => {
                    s.hosts[self.sock.host as usize].free.push((into, proxy));
                    self.sock.park(s, cx, Dir::Read);
                    return Poll::Pending;
                }
                Ok(Err(code)) => Err(to_io(code)),
                Err(e) => Err(e),
            };
            if result.is_err() {
                s.hosts[self.sock.host as usize].free.push((into, proxy));
            }
            Poll::Ready(result)
        })
    }

    /// The local address (getsockname).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        addr_of(self.sock.now(Op::GetSockName {
            slot: self.sock.slot,
        })?)
    }
}
