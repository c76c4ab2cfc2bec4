//! State that most hosts never use, kept out of line until first written.
//!
//! Performance: overlapped I/O (`winsock::HostEx`, 176 bytes), window and
//! event notifications (`winsock::HostNotify`, 104 bytes) and the tables of
//! listeners and datagram sockets (56 bytes each) were inline in every
//! host. A storm of a million hosts uses none of them on its clients, and
//! the 392 bytes were a quarter of what a host cost before it connected. [`Cold`] holds a pointer, null
//! until the state is first changed; reads of an untouched one see a
//! shared empty value, so code reads and writes the fields as before
//! (`host.ex.pointers`, `host.notify.window_named(..)`,
//! `host.listeners.get(&port)`).

use std::fmt;
use std::ops::{Deref, DerefMut};

use indexmap::IndexMap;
use rustc_hash::FxBuildHasher;

/// A state with a shared empty value that reads of an untouched [`Cold`]
/// return; it must equal `Default::default()`.
pub trait Empty: Default + 'static {
    /// The empty value.
    fn empty() -> &'static Self;
}

/// `T`, allocated on its first mutable use (a `&mut` borrow through
/// [`DerefMut`]); until then it reads as [`Empty::empty`].
pub struct Cold<T: Empty>(Option<Box<T>>);

impl<T: Empty> Default for Cold<T> {
    fn default() -> Self {
        Cold(None)
    }
}

impl<T: Empty> Deref for Cold<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        match &self.0 {
            Some(state) => state,
            None => T::empty(),
        }
    }
}

impl<T: Empty> DerefMut for Cold<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        self.0.get_or_insert_with(Box::default)
    }
}

impl<T: Empty + fmt::Debug> fmt::Debug for Cold<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

/// A host's ports table (listeners, datagram sockets) before its first
/// entry.
static EMPTY_PORT_MAP: IndexMap<u16, u32, FxBuildHasher> = IndexMap::with_hasher(FxBuildHasher);

impl Empty for IndexMap<u16, u32, FxBuildHasher> {
    fn empty() -> &'static Self {
        &EMPTY_PORT_MAP
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq)]
    struct State {
        names: Vec<String>,
    }

    static EMPTY: State = State { names: Vec::new() };

    impl Empty for State {
        fn empty() -> &'static Self {
            &EMPTY
        }
    }

    #[test]
    fn reads_see_the_empty_value_until_a_write() {
        let mut cold: Cold<State> = Cold::default();
        assert!(cold.names.is_empty());
        assert!(cold.0.is_none(), "a read allocates nothing");
        cold.names.push("w".into());
        assert_eq!(cold.names, ["w"]);
        assert!(cold.0.is_some());
        assert_eq!(format!("{cold:?}"), r#"State { names: ["w"] }"#);
    }
}
