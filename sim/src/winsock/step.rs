//! A call and what the scenario expects of it: the unit a thread runs, and
//! the body of an APC (`Op::QueueApc` carries steps, CB-A1), so it lives
//! beside [`Op`].

use std::rc::Rc;

use simsock_model::scenario::Expect;

use super::Op;

/// A call and what is expected of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The call.
    pub op: Op,
    /// `None` expects nothing ([`Expect::default`]). Shared rather than
    /// inline: a step is moved into `Thread::pending` at every call, so it
    /// stays small (see [`Step::expect`]).
    pub expect: Option<Rc<Expect>>,
}

/// The expectation of a step that expects nothing.
static NO_EXPECT: Expect = Expect {
    result: None,
    at: None,
    took: None,
};

impl Step {
    /// A step expecting `expect`.
    pub fn new(op: Op, expect: Expect) -> Step {
        let expect = (expect != NO_EXPECT).then(|| Rc::new(expect));
        Step { op, expect }
    }

    /// What is expected of the call.
    #[inline]
    pub fn expect(&self) -> &Expect {
        self.expect.as_deref().unwrap_or(&NO_EXPECT)
    }
}

impl From<Op> for Step {
    #[inline]
    fn from(op: Op) -> Self {
        Step { op, expect: None }
    }
}
