//! What a TCB asks of the world after an input: segments to send and whether
//! its socket should be told ([`TcpOutput`], defined below the stack in
//! `engine::output` so the engine can keep the spare one).

pub use crate::engine::output::{OutSegment, TcpOutput};

/// Gives a TCB step's output back to the engine's scratch space, emptied,
/// for the next step (lent by `core.scratch.take()`).
#[inline]
pub fn put_output(core: &mut crate::engine::Core, mut out: Box<TcpOutput>) {
    out.clear();
    core.scratch.put(out);
}
