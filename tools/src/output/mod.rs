//! Views of a run report on stdout: [`human`] text for a reader and [`json`]
//! lines for a program. Both are projections of the same
//! [`Report`](simsock_sim::scenario::Report); neither adds facts of its own.
//! [`width`] says how wide every view is.

pub mod human;
pub mod json;
pub mod style;
/// The library's (`simsock_tools::output::width`): the views use it too.
pub use simsock_tools::output::width;
