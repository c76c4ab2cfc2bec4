//! A thread's APC queue (CB-A1): the data a thread carries; running the
//! APCs inside an alertable wait is the world's (`world::apc`).

use std::collections::VecDeque;
use std::rc::Rc;

use super::Step;

/// A thread's APCs and the cancellation of its blocking call.
#[derive(Debug, Default)]
pub struct ApcState {
    /// APCs queued to the thread, oldest first.
    pub(crate) queued: VecDeque<Rc<[Step]>>,
    /// A cancel ran inside an APC: the blocking call fails with WSAEINTR
    /// when it is polled next.
    pub cancelled: bool,
}

impl ApcState {
    /// Whether an APC waits to run (an alertable wait runs it, CB-A1).
    pub fn has_queued(&self) -> bool {
        !self.queued.is_empty()
    }
}
