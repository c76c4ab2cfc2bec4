//! What the stack tells the layer above after it ran: the stack reports
//! what changed, as the TCB reports segments and deadlines, and the
//! Winsock layer reacts (network-event notifications, overlapped
//! completions, ConnectEx and AcceptEx);
//! the stack never calls up (`sim/tests/layers.rs`).
//!
//! A report is queued on the host ([`Host::report`]) at the end of the
//! stack's work on a connection and taken by the layer above as soon as
//! the stack call that made it returns ([`Host::take_report`]), so its
//! reaction comes at the same point of the run as a direct call would.
//! A TCB step is reported only on a host whose steps the layer above
//! watches ([`Host::steps_watched`]).
//! The end of a TIME_WAIT record is returned instead
//! (`sync::end_next_time_wait`), one record at a time.

use simsock_model::TcpState;

use super::Host;

/// A change in a host's stack that the layer above may act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Report {
    /// A TCB step ran (`sync::after_tcb`): its connection is now in
    /// `state`; `socket` is the index of the socket that owns it, and
    /// `listener` the handle of the listener it came from, while it is
    /// queued there for accept.
    Stepped {
        /// The index of the socket that owns the connection; `None` before
        /// accept or after close.
        socket: Option<u32>,
        /// The handle of the listener it waits on for accept, if it does.
        listener: Option<u32>,
        /// The connection's state after the step (RFC 9293 §3.3.2).
        state: TcpState,
    },
    /// A datagram was queued on the socket at index `socket`.
    Datagram {
        /// The receiving socket, by index.
        socket: u32,
    },
}

impl Host {
    /// Queues `report` for the layer above.
    #[inline]
    pub fn report(&mut self, report: Report) {
        // Performance: grows 1, 2, 4 ... where std's starts at 4 entries
        // (80 bytes): a host rarely has more than one report waiting.
        if self.reports.len() == self.reports.capacity() {
            self.reports.reserve_exact(self.reports.len().max(1));
        }
        self.reports.push_back(report);
    }

    /// Whether a report waits to be acted on.
    #[inline]
    pub fn has_reports(&self) -> bool {
        !self.reports.is_empty()
    }

    /// The oldest report not yet acted on.
    #[inline]
    pub fn take_report(&mut self) -> Option<Report> {
        self.reports.pop_front()
    }
}
