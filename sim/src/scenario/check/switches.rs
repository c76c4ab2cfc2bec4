//! The check of switches (link segments, CB-B3): names like any node's, and
//! no link between two switches, so that a segment is one switch and a
//! flooded broadcast cannot loop (`engine/broadcast.rs`).

use std::collections::BTreeSet;

use simsock_model::limits::scenario as lim;
use simsock_model::scenario::Scenario;

use super::super::load::{ScenarioError, find_key, find_value};

/// Switch names: 1 to `MAX_NAME_LEN` characters, unique among all nodes;
/// adds them to `nodes`.
pub(super) fn check_switches(
    s: &Scenario,
    source: &str,
    nodes: &mut BTreeSet<String>,
) -> Result<(), ScenarioError> {
    let from = find_key(source, "switches", 0).map_or(0, |r| r.start);
    for switch in &s.switches {
        let name = &switch.name;
        let here = || after(source, "name", name, from);
        if name.is_empty() || name.len() > lim::MAX_NAME_LEN {
            return Err(ScenarioError::new(format!(
                "switch name `{name}` must have 1 to {} characters",
                lim::MAX_NAME_LEN
            ))
            .at(here()));
        }
        if !nodes.insert(name.clone()) {
            return Err(ScenarioError::new(format!("duplicate node name `{name}`")).at(here()));
        }
    }
    Ok(())
}

/// No link joins two switches.
pub(super) fn check_switch_links(s: &Scenario, source: &str) -> Result<(), ScenarioError> {
    let is_switch = |name: &str| s.switches.iter().any(|w| w.name == name);
    for (nth, link) in s.links.iter().enumerate() {
        let (a, b) = &link.between;
        if is_switch(a) && is_switch(b) {
            return Err(ScenarioError::new(format!(
                "link between two switches `{a}` and `{b}`: a switch links to hosts and routers only"
            ))
            .at(nth_between(source, nth))
            .help("one switch is one segment; link every node of the segment to the same switch"));
        }
    }
    Ok(())
}

/// The span of `key: "value"` at or after byte `from`, else anywhere.
fn after(source: &str, key: &str, value: &str, from: usize) -> Option<std::ops::Range<usize>> {
    let tail = &source[from.min(source.len())..];
    find_value(tail, key, value, 0)
        .map(|r| r.start + from..r.end + from)
        .or_else(|| find_value(source, key, value, 0))
}

/// The span of the `nth` `between:` key after `links:` (links are written
/// in order).
fn nth_between(source: &str, nth: usize) -> Option<std::ops::Range<usize>> {
    let mut at = find_key(source, "links", 0)?.start;
    let mut span = None;
    for _ in 0..=nth {
        let found = find_key(source, "between", at)?;
        at = found.end;
        span = Some(found);
    }
    span
}
