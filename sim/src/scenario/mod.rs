//! Scenarios: read a RON file, check it, build a [`World`](crate::World) and
//! run it to a [`Report`].

mod build;
mod check;
mod load;
mod report;

pub use build::{RunOptions, build};
pub use check::check;
pub use load::{ScenarioError, parse};
pub use report::{Report, finish, run};

/// Parses and checks a scenario file's text.
pub fn load(source: &str) -> Result<simsock_model::scenario::Scenario, ScenarioError> {
    let scenario = parse(source)?;
    check(&scenario, source)?;
    Ok(scenario)
}
