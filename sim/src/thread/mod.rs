//! Simulated threads. A thread runs a [`Program`]: a script of steps from a
//! scenario, or Rust code that chooses each call from the last result. One
//! call at a time; a pending call parks the thread on its socket until the
//! socket changes, then the call is polled again.

pub mod apc;
mod expect;
mod script;
mod wsa_steps;

use simsock_model::SimTime;

use crate::winsock::{CallResult, Op};

pub use crate::winsock::step::Step;
pub use expect::{check, describe, expected_error, result_text};
pub use script::Script;

/// A call that completed, as a program sees it.
#[derive(Debug)]
pub struct Completed<'a> {
    /// The call that completed, with its arguments.
    pub op: &'a Op,
    /// What it returned: a value, or the WSA error WSAGetLastError would
    /// give.
    pub result: CallResult,
    /// The errno a Linux host shows for a failed call
    /// (`winsock::errno`); `None` on a Windows host or for success.
    pub errno: Option<simsock_model::Errno>,
    /// The bytes a recv returned.
    pub received: &'a [u8],
    /// When the call was made.
    pub start: SimTime,
    /// When it returned (equal to `start` for a call that did not block).
    pub end: SimTime,
    /// The host's socket variable names, by slot (select's sets and the
    /// socket of a message are checked and shown by name).
    pub names: &'a [String],
}

/// What a thread runs: the next call, given how the last one ended.
pub trait Program {
    /// The next call, given how the last one ended (`None` before the
    /// first call); `None` ends the thread.
    fn next(&mut self, last: Option<&Completed<'_>>) -> Option<Step>;

    /// [`Program::next`], taking each step it executes from `steps`
    /// (`limits.max_steps`). `Err` when they ran out: the run stops with
    /// [`LimitError::Steps`](crate::world::LimitError::Steps). A program
    /// that loops without calling (a [`Script`]'s `Repeat`) takes a step per
    /// pass, so even a loop that never calls ends; any other program takes
    /// one per call it returns.
    fn next_within(
        &mut self,
        last: Option<&Completed<'_>>,
        steps: &mut StepBudget,
    ) -> Result<Option<Step>, StepsSpent> {
        let step = self.next(last);
        if step.is_some() {
            steps.take()?;
        }
        Ok(step)
    }

    /// [`Program::next_within`], the step written into `into` (what it
    /// held is dropped); `Ok(false)` when the program is done, `into`
    /// unchanged. The world calls this one, with its pending call's step.
    ///
    /// Performance: a closure's call is copied once, from where the
    /// closure wrote it to where the world polls it; returned by value
    /// through `next_within` it was copied three times, the first two
    /// store-forwarding stalls (a value read whole just after being
    /// written field by field).
    fn next_into(
        &mut self,
        last: Option<&Completed<'_>>,
        steps: &mut StepBudget,
        into: &mut Step,
    ) -> Result<bool, StepsSpent> {
        match self.next_within(last, steps)? {
            Some(step) => {
                *into = step;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// The steps a run's threads may still execute (`limits.max_steps`),
/// shared by all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepBudget {
    /// Steps executed so far.
    pub taken: u64,
    /// Steps allowed in the whole run (`limits.max_steps`).
    pub max: u64,
    /// A step was asked for past `max`.
    pub spent: bool,
    /// The thread that asked for it (set by the world).
    pub stopped: Option<u32>,
}

/// The run's threads executed `limits.max_steps` steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepsSpent;

impl StepBudget {
    /// A budget of `max` steps, none taken.
    pub fn new(max: u64) -> Self {
        StepBudget {
            taken: 0,
            max,
            spent: false,
            stopped: None,
        }
    }

    /// Takes one step; `Err` when none is left.
    #[inline]
    pub fn take(&mut self) -> Result<(), StepsSpent> {
        if self.taken >= self.max {
            self.spent = true;
            return Err(StepsSpent);
        }
        self.taken += 1;
        Ok(())
    }
}

/// Any closure `FnMut(Option<&Completed>) -> Option<Op>` is a program.
impl<F> Program for F
where
    F: FnMut(Option<&Completed<'_>>) -> Option<Op>,
{
    fn next(&mut self, last: Option<&Completed<'_>>) -> Option<Step> {
        self(last).map(Step::from)
    }

    /// Performance: the closure's call goes straight into the result,
    /// rather than through [`Program::next`]'s `Option<Step>` first: each
    /// move of a step just written is a store-forwarding stall.
    #[inline]
    fn next_within(
        &mut self,
        last: Option<&Completed<'_>>,
        steps: &mut StepBudget,
    ) -> Result<Option<Step>, StepsSpent> {
        match self(last) {
            Some(op) => {
                steps.take()?;
                Ok(Some(Step { op, expect: None }))
            }
            None => Ok(None),
        }
    }

    /// [`Program::next_into`] without the detour through `next_within`.
    #[inline]
    fn next_into(
        &mut self,
        last: Option<&Completed<'_>>,
        steps: &mut StepBudget,
        into: &mut Step,
    ) -> Result<bool, StepsSpent> {
        let Some(op) = self(last) else {
            return Ok(false);
        };
        steps.take()?;
        into.op.overwrite(op);
        into.expect = None;
        Ok(true)
    }
}

/// A call under way.
#[derive(Debug)]
pub struct Pending {
    /// The step being executed: its call and its expectation.
    pub step: Step,
    /// When the call was made (the trace's `called at`).
    pub start: SimTime,
    /// The call's text as its trace `Call` event wrote it, for its
    /// `Return`: a call's text is formatted once (`None` untraced).
    pub call: Option<crate::trace::Text>,
}

/// One simulated thread.
pub struct Thread {
    /// Its name, unique on its host (`ThreadSpec::name`); held inline up
    /// to 24 bytes ([`crate::trace::Name`]).
    pub name: crate::trace::Name,
    /// The host it runs on, by index into the world's hosts.
    pub host: u32,
    /// When it starts (`ThreadSpec::start`; default 0).
    pub start: SimTime,
    /// What it runs: a scenario's [`Script`] or Rust code.
    pub program: Box<dyn Program>,
    /// The call under way, if any; `None` between calls.
    pub pending: Option<Pending>,
    /// The step the program wrote last before the pending one: the
    /// program's next step is written here ([`Program::next_into`]), then
    /// trades places with the pending call's. The step a call completed
    /// is thus dropped one call later (its data, say a send's `Rc`, is
    /// held that long).
    ///
    /// Performance: written in place, a closure's step is copied once;
    /// returned by value it was copied three times (two stores forwarded
    /// to no load), and writing it over the pending step in place needs
    /// the completed call moved out of the way first, with a second drop.
    pub next: Step,
    /// WSAGetLastError: the code of the thread's last failed call (CB-C1).
    pub last_error: u32,
    /// The bytes the last recv returned, read by the program through
    /// [`Completed::received`].
    pub received: Vec<u8>,
    /// Bytes of the pending send queued so far: a blocking send returns
    /// when all are queued; a nonblocking one that would wait returns this
    /// count, or fails with WSAEWOULDBLOCK while it is 0 (Winsock `send`:
    /// on a nonblocking stream socket "the number of bytes written can be
    /// between 1 and the requested length").
    pub progress: u32,
    /// The function of the overlapped operation whose outcome the last
    /// call read, if it read one (see `CallCx::completed`).
    pub completed: Option<simsock_model::scenario::ExtensionFunction>,
    /// The program returned `None`, or its host crashed (before or while
    /// it ran).
    pub finished: bool,
    /// Queued APCs and the cancellation of the blocking call (CB-A1, CB-C18).
    pub apc: apc::ApcState,
}

impl Thread {
    /// A thread named `name` on host `host` that starts at `start` and
    /// runs `program`, with no call made yet.
    pub fn new(
        name: crate::trace::Name,
        host: u32,
        start: SimTime,
        program: Box<dyn Program>,
    ) -> Thread {
        Thread {
            name,
            host,
            start,
            program,
            pending: None,
            next: Step::from(Op::Cleanup),
            last_error: 0,
            received: Vec::new(),
            completed: None,
            progress: 0,
            finished: false,
            apc: Default::default(),
        }
    }
}

impl std::fmt::Debug for Thread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Thread")
            .field("name", &self.name)
            .field("host", &self.host)
            .field("pending", &self.pending)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops() -> Vec<Op> {
        vec![
            Op::Startup {
                version: simsock_model::scenario::WinsockVersion::V2_2,
            },
            Op::Close { slot: 1 },
            Op::LastError,
        ]
    }

    /// A program that asks `next` each time (the trait's own
    /// `next_within` and `next_into`).
    struct Plain(std::vec::IntoIter<Op>);

    impl Program for Plain {
        fn next(&mut self, _: Option<&Completed<'_>>) -> Option<Step> {
            self.0.next().map(Step::from)
        }
    }

    /// Runs `program` through `next_into` until it ends or the budget of
    /// `max` steps does: the steps written, and how it ended.
    fn written(program: &mut dyn Program, max: u64) -> (Vec<Op>, Result<bool, StepsSpent>) {
        let mut steps = StepBudget::new(max);
        let mut into = Step::from(Op::Cleanup);
        let mut seen = Vec::new();
        loop {
            match program.next_into(None, &mut steps, &mut into) {
                Ok(true) => seen.push(into.op.clone()),
                end => {
                    assert_eq!(into.op, seen.last().cloned().unwrap_or(Op::Cleanup));
                    return (seen, end);
                }
            }
        }
    }

    /// A closure's `next_into`, which writes its op in place, gives the
    /// steps and takes the budget as the trait's default (through
    /// `next_within`) does; the end leaves the last step unchanged.
    #[test]
    fn next_into_of_a_closure_matches_the_default() {
        for max in [0, 2, 10] {
            let mut left = ops().into_iter();
            let mut closure = move |_: Option<&Completed<'_>>| left.next();
            let mut plain = Plain(ops().into_iter());
            let (fast, slow) = (written(&mut closure, max), written(&mut plain, max));
            assert_eq!(fast.0, slow.0, "max {max}");
            assert_eq!(fast.1, slow.1, "max {max}");
        }
    }
}
