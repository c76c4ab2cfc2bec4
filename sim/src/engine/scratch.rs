//! Scratch space the engine lends to the layer above it, so that a step
//! that needs a buffer (the TCP layer's segments and payload for one TCB
//! step) reuses the last one instead of allocating.
//!
//! The engine keeps the value without naming its type: the stack above
//! decides what it is (`stack::tcp::TcpOutput`), and the engine never
//! reads it (the layers point down only: `sim/tests/layers.rs`).

use std::any::Any;

/// One spare value of any type, lent out and given back.
#[derive(Debug, Default)]
pub struct Scratch {
    spare: Option<Box<dyn Any>>,
}

impl Scratch {
    /// Lends the spare value if it is a `T`, else a new default `T`: a
    /// nested borrower (an abort while the first step's output is out)
    /// gets a fresh one.
    ///
    /// Performance: a box, so lending moves a pointer; moving a 56-byte
    /// output back and forth stalled on store forwarding.
    #[inline]
    pub fn take<T: Default + 'static>(&mut self) -> Box<T> {
        match self.spare.take().map(|spare| spare.downcast::<T>()) {
            Some(Ok(value)) => value,
            Some(Err(other)) => {
                self.spare = Some(other);
                Box::default()
            }
            None => Box::default(),
        }
    }

    /// Takes back a value, emptied by the caller, for the next step.
    #[inline]
    pub fn put<T: 'static>(&mut self, value: Box<T>) {
        self.spare = Some(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_given_back_is_lent_again_and_a_nested_borrower_gets_a_new_one() {
        let mut scratch = Scratch::default();
        let mut first = scratch.take::<Vec<u8>>();
        first.reserve(100);
        let nested = scratch.take::<Vec<u8>>();
        assert_eq!(nested.capacity(), 0, "the first is still out");
        first.clear();
        scratch.put(first);
        assert!(scratch.take::<Vec<u8>>().capacity() >= 100, "reused");
    }
}
