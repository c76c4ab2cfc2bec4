//! Scenarios: read a RON file, check it, build a [`World`](crate::World) and
//! run it to a [`Report`].

mod build;
mod check;
mod load;
mod locate;
mod report;

pub use build::{Prepared, RunOptions, build, build_prepared};
pub use load::{
    MAX_MESSAGE_CHARS, MAX_NESTING, MAX_QUOTED_CHARS, ScenarioError, on_char_boundaries, parse,
    quote,
};
pub use report::{Report, finish, run, run_prepared};

/// Parses and checks a scenario file's text.
pub fn load(source: &str) -> Result<simsock_model::scenario::Scenario, ScenarioError> {
    let scenario = parse(source)?;
    check(&scenario, source)?;
    Ok(scenario)
}

/// Checks a parsed scenario; `source` is its text, to point at mistakes.
/// An error's span lies on char boundaries of `source`.
pub fn check(
    scenario: &simsock_model::scenario::Scenario,
    source: &str,
) -> Result<(), ScenarioError> {
    check::check(scenario, source).map_err(|mut e| {
        e.span = e.span.map(|span| on_char_boundaries(span, source));
        e
    })
}
