//! Where a step of a thread is written, by path (`threads[2].steps[0]
//! .steps[1]`), for errors that point at the step's own value.

use std::ops::Range;

use super::super::locate::{self, Seg};

/// Where one step of one thread is written: the thread's index and the
/// step's index in each enclosing `Repeat`.
pub(super) struct StepPath<'a> {
    source: &'a str,
    segs: Vec<Seg<'static>>,
}

impl<'a> StepPath<'a> {
    /// The steps of thread `thread` (its index in `threads`).
    pub(super) fn new(source: &'a str, thread: usize) -> Self {
        let segs = vec![Seg::Key("threads"), Seg::Index(thread), Seg::Key("steps")];
        StepPath { source, segs }
    }

    /// Step `i` of these steps.
    pub(super) fn child(&self, i: usize) -> Self {
        let mut segs = self.segs.clone();
        segs.push(Seg::Index(i));
        StepPath {
            source: self.source,
            segs,
        }
    }

    /// The steps of the `Repeat` (or APC) at step `i`.
    pub(super) fn body(&self, i: usize) -> Self {
        let mut inner = self.child(i);
        inner.segs.push(Seg::Key("steps"));
        inner
    }

    /// The step's name (`Recv`), to point at the step as a whole.
    pub(super) fn head(&self) -> Option<Range<usize>> {
        locate::span_of(self.source, &self.segs)
    }

    /// The value of the step's field `key`; the step's name when the field
    /// is not written (a default).
    pub(super) fn value(&self, key: &'static str) -> Option<Range<usize>> {
        let mut segs = self.segs.clone();
        segs.push(Seg::Key(key));
        locate::span_of(self.source, &segs).or_else(|| self.head())
    }

    /// The step's key `key` (for a list too long as a whole); the step's
    /// name when the field is not written.
    pub(super) fn key(&self, key: &'static str) -> Option<Range<usize>> {
        let value = self.value(key)?;
        let before = self.source[..value.start].trim_end();
        match before.strip_suffix(':') {
            Some(rest) if rest.trim_end().ends_with(key) => {
                let end = rest.trim_end().len();
                Some(end - key.len()..end)
            }
            _ => Some(value),
        }
    }

    /// Whether the step writes its field `key`.
    pub(super) fn has(&self, key: &'static str) -> bool {
        let mut segs = self.segs.clone();
        segs.push(Seg::Key(key));
        locate::span_of(self.source, &segs).is_some()
    }

    /// Element `i` of the step's list field `key` (a name in select's
    /// `read` set); the field when the element is not found.
    pub(super) fn item(&self, key: &'static str, i: usize) -> Option<Range<usize>> {
        let mut segs = self.segs.clone();
        segs.extend([Seg::Key(key), Seg::Index(i)]);
        locate::span_of(self.source, &segs).or_else(|| self.value(key))
    }
}
