//! Trace text shared between events: a call's text and its result are
//! kept once, however many events say them.
//!
//! A loop that opens and closes a socket a million times says
//! `s = socket(Inet, Stream)` a million times; a kept trace holds that
//! string once and each event a 16-byte pointer to it. This is what keeps a
//! kept event under 100 bytes (README, "Memory").

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use rustc_hash::FxBuildHasher;

/// An immutable piece of trace text: derefs to `str`, compares with `str`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(Arc<str>);

impl Text {
    /// The text as a `str`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Text(Arc::from(text))
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Text(Arc::from(text))
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

/// The distinct texts of one trace. Looked up, never iterated, so its
/// order cannot reach the trace.
#[derive(Debug, Default)]
pub struct Texts {
    set: hashbrown::HashSet<Text, FxBuildHasher>,
}

impl Texts {
    /// The one shared copy of `text`.
    pub fn intern(&mut self, text: &str) -> Text {
        if let Some(known) = self.set.get(text) {
            return known.clone();
        }
        let new = Text::from(text);
        self.set.insert(new.clone());
        new
    }

    /// How many distinct texts are held.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// Whether no text is held.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_is_held_once() {
        let mut texts = Texts::default();
        let a = texts.intern("s = socket(Inet, Stream)");
        let b = texts.intern("s = socket(Inet, Stream)");
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(texts.len(), 1);
        assert_eq!(a, "s = socket(Inet, Stream)");
        assert_eq!(format!("{a}"), "s = socket(Inet, Stream)");
    }
}
