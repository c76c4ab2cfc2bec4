//! Asynchronous procedure calls and cancelling blocking calls (CB-A1,
//! CB-C18, CB-C19; feature: wsaconnect).
//!
//! A blocking Winsock call waits alertably: an APC queued to the thread
//! (QueueUserAPC, the `QueueApc` step) runs inside that wait, on that
//! thread, and its steps are checked like any other. From there:
//! - WSACancelBlockingCall (Winsock 1.1 only; Winsock 2.2 removed it and
//!   answers WSAEOPNOTSUPP) or WSPCancelBlockingCall (SPI, for a blocking
//!   WSPConnect) cancels the blocking call, which then fails with WSAEINTR
//!   (CB-C18) and whose connection attempt is torn down
//!   ([`crate::winsock::cancel`]);
//! - another Winsock call fails with WSAEINPROGRESS under Winsock 1.1
//!   (one blocking call per thread, CB-C19), and on the Windows CE provider,
//!   whose document lists that code for it;
//! - under Winsock 2.2 another *blocking* call is undefined behaviour
//!   (CB-A1): the run stops with a scenario error naming CB-A1 instead of
//!   guessing. Calls that cannot block run normally.
//!
//! APC steps never wait: the checker rejects Sleep, SleepUntil, Repeat and
//! QueueApc inside one.

use std::rc::Rc;

use simsock_model::WsaError;
use simsock_model::provider::Provider;
use simsock_model::scenario::{ExtensionFunction, WinsockVersion};

use crate::engine::Event;
use crate::thread::{Pending, Step};
use crate::winsock::{CallCx, CallResult, Op, Poll, Value, poll};
use crate::world::World;

impl World {
    /// QueueUserAPC from thread `from` to the thread named `target` on the
    /// same host. A target waiting alertably now is woken to run it; one
    /// not waiting runs it in its next alertable wait (see `park`).
    pub(crate) fn queue_apc(&mut self, from: u32, target: &str, steps: &Rc<[Step]>) -> CallResult {
        let host = self.threads[from as usize].host;
        let Some(to) = self
            .threads
            .iter()
            .position(|t| t.host == host && t.name == target)
        else {
            self.fail_run(format!("QueueApc to unknown thread `{target}` (CB-A1)"));
            return Ok(Value::None);
        };
        let thread = &mut self.threads[to];
        thread.apc.queued.push(steps.clone());
        // The caller's own pending call is this QueueApc: not a wait.
        let waiting = to as u32 != from
            && thread
                .pending
                .as_ref()
                .is_some_and(|p| p.step.op.is_alertable());
        if waiting && self.unpark(to as u32) {
            let now = self.core.now();
            self.core.schedule(now, Event::Resume { thread: to as u32 });
        }
        Ok(Value::None)
    }

    /// Takes a parked thread off its socket's waiters; false if it was not
    /// there (it is already due to resume, and will run its APCs then).
    fn unpark(&mut self, index: u32) -> bool {
        let thread = &self.threads[index as usize];
        let host = &mut self.hosts[thread.host as usize];
        let slot = thread.pending.as_ref().and_then(|p| p.step.op.slot());
        let Some(socket) = slot.and_then(|s| host.slot_socket(s).ok()) else {
            return false;
        };
        let waiters = &mut host.socket_mut(socket).waiters;
        let before = waiters.len();
        waiters.retain(|t| *t != index);
        waiters.len() != before
    }

    /// Runs the thread's queued APCs inside its blocking call `outer`.
    pub(crate) fn run_apcs(&mut self, index: u32, outer: &Pending) {
        while let Some(steps) = self.threads[index as usize].apc.take_oldest() {
            for step in steps.iter() {
                let start = self.core.now();
                let mut pending = Pending {
                    step: step.clone(),
                    start,
                    call: None,
                };
                self.start_call(index, Some(&mut pending));
                match self.apc_call(index, &pending.step.op, outer) {
                    Some(result) => self.record_call(index, Some(&mut pending), result),
                    None => return, // a run error: the run stops
                }
            }
        }
    }

    /// One call made inside an APC; `None` after a run error.
    fn apc_call(&mut self, index: u32, op: &Op, outer: &Pending) -> Option<CallResult> {
        let thread = &self.threads[index as usize];
        let host = &self.hosts[thread.host as usize];
        match op {
            Op::LastError => return Some(crate::world::last_error(thread.last_error)),
            Op::CancelBlockingCall { spi } => {
                return Some(self.cancel_blocking_call(index, *spi, Some(outer)));
            }
            Op::Sleep(_) | Op::SleepUntil(_) | Op::QueueApc { .. } => {
                let call = op.display(&host.slot_names).to_string();
                self.fail_run(format!("{call} inside an APC: APC steps may not wait"));
                return None;
            }
            _ => {}
        }
        // CB-C19: one blocking call per thread under Winsock 1.1, and on
        // the CE provider (WSAConnect-CE.txt lists WSAEINPROGRESS).
        if host.version == WinsockVersion::V1_1 || host.profile.provider == Provider::WindowsCe {
            return Some(Err(WsaError::WSAEINPROGRESS));
        }
        if may_block(host, op) {
            self.undefined(index, op, outer);
            return None;
        }
        match self.poll_in_apc(index, op) {
            Poll::Ready(result) => Some(result),
            Poll::Pending => {
                self.undefined(index, op, outer);
                None
            }
        }
    }

    fn poll_in_apc(&mut self, index: u32, op: &Op) -> Poll {
        let start = self.core.now();
        let thread = &mut self.threads[index as usize];
        let mut cx = CallCx {
            core: &mut self.core,
            host: &mut self.hosts[thread.host as usize],
            progress: &mut thread.progress,
            received: &mut thread.received,
            completed: &mut thread.completed,
            first: true,
            start,
            thread: index,
        };
        poll(&mut cx, op)
    }

    /// CB-A1: a blocking call from an APC inside a blocking call, under
    /// Winsock 2: undefined behaviour, reported as a scenario error.
    fn undefined(&mut self, index: u32, op: &Op, outer: &Pending) {
        let thread = &self.threads[index as usize];
        let host = &self.hosts[thread.host as usize];
        let names = &host.slot_names;
        let message = format!(
            "{}/{}: {} from inside an APC while {} blocks: another blocking Winsock call \
             inside an APC is undefined behaviour under Winsock 2 (CB-A1); simsock does not \
             guess what it does",
            host.name,
            thread.name,
            op.display(names),
            outer.step.op.display(names)
        );
        self.fail_run(message);
    }

    /// WSACancelBlockingCall (`spi` false) or WSPCancelBlockingCall (CB-C18)
    /// on the thread whose blocking call, if any, is `outer`.
    pub(crate) fn cancel_blocking_call(
        &mut self,
        index: u32,
        spi: bool,
        outer: Option<&Pending>,
    ) -> CallResult {
        let host = &self.hosts[self.threads[index as usize].host as usize];
        if !spi && host.version == WinsockVersion::V2_2 {
            // Removed from Winsock 2.2: "WSAEOPNOTSUPP" (WSACancelBlockingCall).
            return Err(WsaError::WSAEOPNOTSUPP);
        }
        // No blocking call in progress at that level: WSAEINVAL.
        match outer {
            Some(p) if p.step.op.is_spi() == spi => {
                self.threads[index as usize].apc.cancelled = true;
                Ok(Value::None)
            }
            _ => Err(WsaError::WSAEINVAL),
        }
    }

    /// The calls the world answers itself rather than the Winsock layer:
    /// QueueApc, a cancel outside an APC (no blocking call: WSAEINVAL), a
    /// cancelled blocking call (WSAEINTR), WSPConnect before WSAStartup, and
    /// an extension function called through a null pointer.
    pub(crate) fn wsaconnect_poll(&mut self, index: u32, first: bool) -> Option<Poll> {
        let thread = &mut self.threads[index as usize];
        if !first && std::mem::take(&mut thread.apc.cancelled) {
            let host = &mut self.hosts[thread.host as usize];
            let (mut cx, op) = super::call_cx(&mut self.core, host, thread, index, first);
            let result = crate::winsock::cancel(&mut cx, op);
            return Some(Poll::Ready(result));
        }
        let thread = &self.threads[index as usize];
        let op = &thread.pending.as_ref().expect("a pending call").step.op;
        match op {
            Op::QueueApc { thread, steps } => {
                let (target, steps) = (thread.clone(), steps.clone());
                Some(Poll::Ready(self.queue_apc(index, &target, &steps)))
            }
            &Op::CancelBlockingCall { spi } => {
                Some(Poll::Ready(self.cancel_blocking_call(index, spi, None)))
            }
            Op::WsaConnect { spi: true, .. } if self.startups_of(index) == 0 => {
                // CB-C10: the provider is reached only after WSAStartup
                // loaded it, so WSPConnect has no WSANOTINITIALISED; a
                // WSPConnect before WSAStartup cannot happen.
                let message = format!(
                    "{} before WSAStartup: a service provider is reached only after \
                     WSAStartup loads it, so WSPConnect cannot be called yet (CB-C10)",
                    op.display(&self.hosts[thread.host as usize].slot_names)
                );
                self.fail_run(message);
                Some(Poll::Pending)
            }
            Op::Ex(ex) if first && ex.through().is_some_and(|f| !self.has_pointer(index, f)) => {
                let function = ex.through()?;
                self.null_pointer(index, function);
                Some(Poll::Pending)
            }
            _ => None,
        }
    }

    fn has_pointer(&self, index: u32, function: ExtensionFunction) -> bool {
        let host = &self.hosts[self.threads[index as usize].host as usize];
        host.ex.has_pointer(function)
    }

    /// A ConnectEx (or DisconnectEx, TransmitFile, AcceptEx) whose pointer
    /// the host never obtained: its `GetExtensionFunction` failed, so the
    /// variable still holds NULL. On Windows the call is an access
    /// violation that ends the process; there is no Winsock result to
    /// simulate, so the run stops with a scenario error naming the step,
    /// as for the other calls the documents leave without an outcome
    /// (CB-A1, CB-C10). (The check rejects a thread that never asks for the
    /// pointer; this is the run-time case, CB-X3.) It once stopped the run
    /// on an internal invariant instead (issue 15, item 4).
    fn null_pointer(&mut self, index: u32, function: ExtensionFunction) {
        let thread = &self.threads[index as usize];
        let host = &self.hosts[thread.host as usize];
        let pending = thread.pending.as_ref().expect("a pending call"); // invariant: polled
        let message = format!(
            "{}/{}: {} calls {function:?} through a null pointer: no \
             GetExtensionFunction({function:?}) on this host succeeded (CB-X3); on Windows \
             the call crashes the process",
            host.name,
            thread.name,
            pending.step.op.display(&host.slot_names),
        );
        self.fail_run(message);
    }

    fn startups_of(&self, index: u32) -> u32 {
        self.hosts[self.threads[index as usize].host as usize].startups
    }

    /// APCs still queued when the run ended: their thread never waited
    /// alertably again, so their steps never ran (and nothing was checked).
    pub fn unrun_apcs(&self) -> Vec<String> {
        self.threads
            .iter()
            .filter(|t| t.apc.has_queued())
            .map(|t| {
                let host = &self.hosts[t.host as usize].name;
                let count = t.apc.queued.len();
                format!(
                    "{host}/{}: {count} APC(s) queued and never run: the thread made no \
                     blocking Winsock call after they were queued (CB-A1)",
                    t.name
                )
            })
            .collect()
    }

    /// Stops the run with a scenario error (see [`crate::world::LimitError`]).
    pub(crate) fn fail_run(&mut self, message: String) {
        if self.run_error.is_none() {
            self.run_error = Some(message);
        }
    }
}

/// Whether a call would wait on a blocking socket (connect, accept, send,
/// recv), the calls CB-A1 is about.
fn may_block(host: &crate::winsock::Host, op: &Op) -> bool {
    let waits = matches!(
        op,
        Op::Connect { .. }
            | Op::WsaConnect { .. }
            | Op::Accept { .. }
            | Op::WsaAccept { .. }
            | Op::Send { .. }
            | Op::Recv { .. }
    );
    let blocking = op
        .slot()
        .and_then(|s| host.slot_socket(s).ok())
        .is_some_and(|i| !host.socket(i).nonblocking);
    waits && blocking
}
