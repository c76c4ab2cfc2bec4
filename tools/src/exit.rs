//! Exit codes: the one place that says what each number means.

/// How a command ended. Ordered by severity, so the worst of several
/// outcomes is their maximum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Every expectation held (run), every file is valid (check).
    Ok,
    /// An expectation failed, a thread never finished, or a run limit was hit.
    Failed,
    /// A usage error, an unreadable file or an invalid scenario; nothing ran.
    Invalid,
}

impl Exit {
    /// The process exit code (clap's own usage errors also exit with 2).
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Failed => 1,
            Exit::Invalid => 2,
        }
    }
}
