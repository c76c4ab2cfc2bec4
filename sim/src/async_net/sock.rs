//! One simulated socket as the async types hold it: which host, which
//! socket variable, which proxy thread parks on it, and in which of the
//! host's lives it was made. Every call brings the engine up to tokio's
//! now, makes one Winsock call through the world, and leaves the engine
//! there. Readiness is a reactor's: a call that says WSAEWOULDBLOCK
//! clears it and registers the task's waker; the socket's next change
//! (the proxy thread resumed) sets it again and wakes the task.

use std::io;
use std::task::{Context, Poll};

use simsock_model::WsaError;
use simsock_model::scenario::{Family, IoctlCommand, Kind};

use super::context::{Shared, current_host, with};
use super::error::to_io;
use crate::winsock::{Op, Value};

/// Which way a task waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dir {
    Read,
    Write,
}

/// A socket of a simulated host (plain numbers: `Send` and `Sync`, so
/// that tasks holding one can be given to `tokio::spawn`).
#[derive(Debug)]
pub(crate) struct Sock {
    pub host: u32,
    pub slot: u32,
    pub proxy: u32,
    pub epoch: u32,
}

/// The host of the task being polled, or a clear error.
pub(crate) fn this_host() -> io::Result<u32> {
    current_host().ok_or_else(|| {
        io::Error::other(
            "simsock: a socket was made outside a simulated host's task: make sockets \
             in the host's own futures or in tasks started with tokio::task::spawn_local \
             (a task started with tokio::spawn runs on no host)",
        )
    })
}

impl Sock {
    /// socket() and ioctlsocket(FIONBIO, 1) on `host`, after WSAStartup
    /// once per life of the host.
    pub fn open(host: u32, kind: Kind) -> io::Result<Sock> {
        with(|s| {
            let (slot, proxy) = s.alloc(host);
            let sock = Sock {
                host,
                slot,
                proxy,
                epoch: s.hosts[host as usize].epoch,
            };
            if !s.hosts[host as usize].started {
                let version = s.world.hosts[host as usize].version;
                sock.call(s, Op::Startup { version })
                    .and_then(|r| r.map_err(to_io))?;
                s.hosts[host as usize].started = true;
            }
            let family = Family::Inet;
            sock.call(s, Op::Socket { slot, family, kind })
                .and_then(|r| r.map_err(to_io))?;
            sock.call(s, sock.fionbio())
                .and_then(|r| r.map_err(to_io))?;
            Ok(sock)
        })
    }

    /// The socket accepted into `slot` (with its proxy), made nonblocking.
    pub fn adopt(&self, s: &mut Shared, (slot, proxy): (u32, u32)) -> io::Result<Sock> {
        let sock = Sock {
            host: self.host,
            slot,
            proxy,
            epoch: self.epoch,
        };
        sock.call(s, sock.fionbio())
            .and_then(|r| r.map_err(to_io))?;
        Ok(sock)
    }

    fn fionbio(&self) -> Op {
        Op::Ioctl {
            slot: self.slot,
            command: IoctlCommand::FIONBIO,
            value: 1,
        }
    }

    /// One call now. The outer error: the run stopped or the host crashed
    /// since the socket was made; the inner one: the call's WSA code.
    pub fn call(&self, s: &mut Shared, op: Op) -> io::Result<Result<Value, WsaError>> {
        self.call_recv(s, op, &mut Vec::new())
    }

    /// [`Sock::call`], leaving a recv's bytes in `received`.
    pub fn call_recv(
        &self,
        s: &mut Shared,
        op: Op,
        received: &mut Vec<u8>,
    ) -> io::Result<Result<Value, WsaError>> {
        let now = s.now();
        s.sync_at(now);
        if let Some(limit) = &s.limit {
            return Err(io::Error::other(format!(
                "simsock: the run stopped: {limit}"
            )));
        }
        if s.hosts[self.host as usize].epoch != self.epoch {
            let name = &s.world.hosts[self.host as usize].name;
            return Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                format!("simsock: host `{name}` crashed; this socket died with it"),
            ));
        }
        let result = s.world.call_as(self.proxy, op, received);
        s.synced = None; // the call may have made events at `now`
        s.sync_at(now);
        s.check_deadline();
        Ok(result)
    }

    /// A call that may say WSAEWOULDBLOCK: then the task waits for the
    /// socket to change (`dir`).
    pub fn poll_call(
        &self,
        cx: &mut Context<'_>,
        dir: Dir,
        op: impl FnOnce() -> Op,
        received: &mut Vec<u8>,
    ) -> Poll<io::Result<Value>> {
        with(|s| match self.call_recv(s, op(), received) {
            Err(e) => Poll::Ready(Err(e)),
            Ok(Ok(value)) => Poll::Ready(Ok(value)),
            Ok(Err(WsaError::WSAEWOULDBLOCK)) => {
                self.park(s, cx, dir);
                Poll::Pending
            }
            Ok(Err(code)) => Poll::Ready(Err(to_io(code))),
        })
    }

    /// Waits for readiness `dir` (ready at once if no call has said
    /// WSAEWOULDBLOCK since the socket last changed).
    pub fn poll_ready(&self, cx: &mut Context<'_>, dir: Dir) -> Poll<io::Result<()>> {
        with(|s| {
            s.sync();
            let Some(Some(r)) = s.proxies.get(self.proxy as usize) else {
                return Poll::Ready(Ok(()));
            };
            let ready = match dir {
                Dir::Read => r.read_ready,
                Dir::Write => r.write_ready,
            };
            if ready || s.hosts[self.host as usize].epoch != self.epoch {
                return Poll::Ready(Ok(()));
            }
            self.park(s, cx, dir);
            Poll::Pending
        })
    }

    /// Registers the task's waker and the proxy as a waiter of the socket.
    pub fn park(&self, s: &mut Shared, cx: &mut Context<'_>, dir: Dir) {
        if let Some(Some(r)) = s.proxies.get_mut(self.proxy as usize) {
            match dir {
                Dir::Read => {
                    r.read_ready = false;
                    r.read = Some(cx.waker().clone());
                }
                Dir::Write => {
                    r.write_ready = false;
                    r.write = Some(cx.waker().clone());
                }
            }
        }
        let host = &mut s.world.hosts[self.host as usize];
        match host.slot_socket(self.slot) {
            Ok(index) => {
                let waiters = &mut host.socket_mut(index).waiters;
                if !waiters.contains(&self.proxy) {
                    waiters.push(self.proxy);
                }
            }
            Err(_) => cx.waker().wake_by_ref(), // gone: the next call says so
        }
    }

    /// Marks `dir` not ready (a try_ call said WSAEWOULDBLOCK).
    pub fn clear_ready(&self, s: &mut Shared, dir: Dir) {
        if let Some(Some(r)) = s.proxies.get_mut(self.proxy as usize) {
            match dir {
                Dir::Read => r.read_ready = false,
                Dir::Write => r.write_ready = false,
            }
        }
    }

    /// A call without waiting: WSAEWOULDBLOCK is `ErrorKind::WouldBlock`.
    pub fn try_call(&self, dir: Dir, op: Op, received: &mut Vec<u8>) -> io::Result<Value> {
        with(|s| match self.call_recv(s, op, received)? {
            Ok(value) => Ok(value),
            Err(code) => {
                if code == WsaError::WSAEWOULDBLOCK {
                    self.clear_ready(s, dir);
                }
                Err(to_io(code))
            }
        })
    }

    /// A call that never waits.
    pub fn now(&self, op: Op) -> io::Result<Value> {
        with(|s| self.call(s, op)?.map_err(to_io))
    }
}

impl Drop for Sock {
    /// closesocket, and the variable and proxy go back to the host's pool
    /// (see [`close`]).
    fn drop(&mut self) {
        super::context::close_later([self.host, self.epoch, self.slot, self.proxy]);
    }
}

/// Closes a dropped socket; nothing if the host crashed since it was made
/// (its sockets are gone) or the run stopped.
pub(crate) fn close(s: &mut Shared, host: u32, epoch: u32, slot: u32, proxy: u32) {
    if s.hosts[host as usize].epoch != epoch || s.limit.is_some() {
        return;
    }
    let sock = std::mem::ManuallyDrop::new(Sock {
        host,
        slot,
        proxy,
        epoch,
    });
    let _ = sock.call(s, Op::Close { slot });
    if let Some(r) = s.proxies.get_mut(proxy as usize) {
        *r = None;
    }
    s.hosts[host as usize].free.push((slot, proxy));
}
