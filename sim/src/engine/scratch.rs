//! Scratch space the engine lends to the layer above it, so that a step
//! that needs a buffer (the TCP layer's segments and payload for one TCB
//! step) reuses the last one instead of allocating.
//!
//! The engine keeps the value and never reads it; the stack above fills it
//! (`stack::tcp`) and the engine's send path takes the segments from it.

use super::output::TcpOutput;

/// One spare TCP output, lent out and given back.
#[derive(Debug, Default)]
pub struct Scratch {
    spare: Option<Box<TcpOutput>>,
}

impl Scratch {
    /// Lends the spare output, else a new empty one: a nested borrower (an
    /// abort while the first step's output is out) gets a fresh one.
    ///
    /// Performance: a box, so lending moves a pointer; moving a 56-byte
    /// output back and forth stalled on store forwarding. A typed spare:
    /// a `Box<dyn Any>` spare cost a virtual call and a stall on every
    /// lending.
    #[inline]
    pub fn take(&mut self) -> Box<TcpOutput> {
        self.spare.take().unwrap_or_default()
    }

    /// Takes back an output, emptied by the caller, for the next step.
    #[inline]
    pub fn put(&mut self, value: Box<TcpOutput>) {
        self.spare = Some(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_given_back_is_lent_again_and_a_nested_borrower_gets_a_new_one() {
        let mut scratch = Scratch::default();
        let mut first = scratch.take();
        first.data.reserve(100);
        let nested = scratch.take();
        assert_eq!(nested.data.capacity(), 0, "the first is still out");
        first.clear();
        scratch.put(first);
        assert!(scratch.take().data.capacity() >= 100, "reused");
    }
}
