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
    /// Its name, unique on its host (`ThreadSpec::name`).
    pub name: String,
    /// The host it runs on, by index into the world's hosts.
    pub host: u32,
    /// When it starts (`ThreadSpec::start`; default 0).
    pub start: SimTime,
    /// What it runs: a scenario's [`Script`] or Rust code.
    pub program: Box<dyn Program>,
    /// The call under way, if any; `None` between calls.
    pub pending: Option<Pending>,
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
    pub fn new(name: String, host: u32, start: SimTime, program: Box<dyn Program>) -> Thread {
        Thread {
            name,
            host,
            start,
            program,
            pending: None,
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
