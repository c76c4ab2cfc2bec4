//! A thread's APC queue (CB-A1): the data a thread carries; running the
//! APCs inside an alertable wait is the world's (`world::apc`).

use std::rc::Rc;

use thin_vec::ThinVec;

use super::Step;

/// A thread's APCs and the cancellation of its blocking call.
#[derive(Debug, Default)]
pub struct ApcState {
    /// APCs queued to the thread, oldest first.
    ///
    /// Memory (issue 18, flat cost with size): one pointer until an APC is
    /// queued, where a `VecDeque` took 32 bytes of every thread (a
    /// storm's client threads never queue one; a queue holds a few APCs,
    /// so taking the oldest shifts a few pointers).
    pub(crate) queued: ThinVec<Rc<[Step]>>,
    /// A cancel ran inside an APC: the blocking call fails with WSAEINTR
    /// when it is polled next.
    pub cancelled: bool,
}

impl ApcState {
    /// Whether an APC waits to run (an alertable wait runs it, CB-A1).
    pub fn has_queued(&self) -> bool {
        !self.queued.is_empty()
    }

    /// Takes the oldest queued APC.
    pub(crate) fn take_oldest(&mut self) -> Option<Rc<[Step]>> {
        (!self.queued.is_empty()).then(|| self.queued.remove(0))
    }
}
