//! The semantic check of a scenario's faults: a time or a trigger, nodes,
//! hosts and links that exist, probabilities in parts per million, and the
//! limits on times and counts. Errors point into the fault they are about.

use std::collections::BTreeSet;
use std::ops::Range;

use simsock_model::TcpFlags;
use simsock_model::limits::scenario as lim;
use simsock_model::scenario::{FaultAction, FaultSpec, Scenario, Trigger};

use super::super::load::{ScenarioError, find_key, find_quoted_after};

/// One fault being checked, and where it is written.
struct Fault<'a> {
    s: &'a Scenario,
    source: &'a str,
    /// Byte offset of its `Fault(` in the source (0 when not found).
    start: usize,
    found: bool,
}

impl Fault<'_> {
    /// The span of the fault itself.
    fn span(&self) -> Option<Range<usize>> {
        self.found.then(|| self.start..self.start + "Fault".len())
    }

    /// The span of `"name"` in this fault, else of the fault.
    fn name(&self, name: &str) -> Option<Range<usize>> {
        let span = self
            .found
            .then(|| find_quoted_after(self.source, name, self.start));
        span.flatten().or_else(|| self.span())
    }

    /// The span of `key:` in this fault, else of the fault.
    fn key(&self, key: &str) -> Option<Range<usize>> {
        let span = self.found.then(|| find_key(self.source, key, self.start));
        span.flatten().or_else(|| self.span())
    }

    fn is_node(&self, name: &str) -> bool {
        self.is_host(name)
            || self.s.routers.iter().any(|r| r.name == name)
            || self.s.switches.iter().any(|w| w.name == name)
    }

    fn is_host(&self, name: &str) -> bool {
        self.s.hosts.iter().any(|h| h.name == name)
    }

    fn unknown_node(&self, name: &str) -> ScenarioError {
        let nodes = self.s.hosts.iter().map(|h| h.name.as_str());
        let nodes: Vec<&str> = nodes
            .chain(self.s.routers.iter().map(|r| r.name.as_str()))
            .chain(self.s.switches.iter().map(|w| w.name.as_str()))
            .collect();
        ScenarioError::new(format!("fault names unknown node `{name}`"))
            .at(self.name(name))
            .help(format!("nodes are: {}", nodes.join(", ")))
    }

    fn node(&self, name: &str) -> Result<(), ScenarioError> {
        match self.is_node(name) {
            true => Ok(()),
            false => Err(self.unknown_node(name)),
        }
    }
}

/// Checks every fault of the scenario.
pub(in crate::scenario) fn check_faults(s: &Scenario, source: &str) -> Result<(), ScenarioError> {
    let mut from = find_key(source, "faults", 0).map_or(0, |r| r.end);
    for spec in &s.faults {
        let found = source.get(from..).and_then(|rest| rest.find("Fault("));
        let start = found.map_or(from, |i| from + i);
        let fault = Fault {
            s,
            source,
            start,
            found: found.is_some(),
        };
        from = start + 1;
        check_when(spec, &fault)?;
        if let Some(trigger) = &spec.after {
            check_trigger(trigger, &fault)?;
        }
        check_action(&spec.action, &fault)?;
    }
    Ok(())
}

/// Exactly one of `at` and `after`; `delay` only after a trigger; times
/// within [`lim::MAX_FAULT_TIME`].
fn check_when(spec: &FaultSpec, f: &Fault<'_>) -> Result<(), ScenarioError> {
    match (&spec.at, &spec.after) {
        (None, None) => {
            return Err(ScenarioError::new(
                "a fault needs `at` (a time) or `after` (a trigger such as Packet(...))",
            )
            .at(f.span()));
        }
        (Some(_), Some(_)) => {
            return Err(
                ScenarioError::new("a fault has `at` or `after`, not both").at(f.key("after"))
            );
        }
        (Some(_), None) if spec.delay.as_nanos() > 0 => {
            return Err(ScenarioError::new(
                "`delay` applies after a trigger; with `at`, add it to the time",
            )
            .at(f.key("delay")));
        }
        _ => {}
    }
    let late = [("at", spec.at.unwrap_or_default()), ("delay", spec.delay)]
        .into_iter()
        .find(|(_, t)| *t > lim::MAX_FAULT_TIME);
    if let Some((key, t)) = late {
        return Err(ScenarioError::new(format!(
            "fault `{key}` of {t}; at most {}",
            lim::MAX_FAULT_TIME
        ))
        .at(f.key(key)));
    }
    Ok(())
}

fn check_trigger(trigger: &Trigger, f: &Fault<'_>) -> Result<(), ScenarioError> {
    let Trigger::Packet {
        from,
        to,
        flags,
        count,
    } = trigger;
    for name in [from, to].into_iter().flatten() {
        f.node(name)?;
    }
    if let Some(text) = flags
        && let Err(e) = text.parse::<TcpFlags>()
    {
        return Err(ScenarioError::new(e).at(f.name(text)));
    }
    if *count == 0 || *count > lim::MAX_TRIGGER_COUNT {
        return Err(ScenarioError::new(format!(
            "trigger count {count}; counts run from 1 to {}",
            lim::MAX_TRIGGER_COUNT
        ))
        .at(f.key("count")));
    }
    Ok(())
}

fn check_action(action: &FaultAction, f: &Fault<'_>) -> Result<(), ScenarioError> {
    if let Some((a, b)) = action.link() {
        check_link(a, b, f)?;
    }
    if let Some(host) = action.host() {
        check_host(host, f)?;
    }
    match action {
        FaultAction::Partition(groups) => check_partition(groups, f),
        FaultAction::LinkSet {
            latency,
            jitter,
            loss_ppm,
            duplicate_ppm,
            duplicate_delay,
            reorder_ppm,
            ..
        } => {
            let ppms = [
                ("loss_ppm", loss_ppm),
                ("duplicate_ppm", duplicate_ppm),
                ("reorder_ppm", reorder_ppm),
            ];
            for (key, ppm) in ppms {
                if let Some(p) = ppm.filter(|p| *p > lim::PPM) {
                    return Err(ScenarioError::new(format!(
                        "{key} {p} is over {} (certainty)",
                        lim::PPM
                    ))
                    .at(f.key(key)));
                }
            }
            let delays = [
                ("latency", latency),
                ("jitter", jitter),
                ("duplicate_delay", duplicate_delay),
            ];
            for (key, d) in delays {
                if let Some(d) = d.filter(|d| *d > lim::MAX_LATENCY) {
                    return Err(ScenarioError::new(format!(
                        "{key} {d}; latency and jitter are at most {}",
                        lim::MAX_LATENCY
                    ))
                    .at(f.key(key)));
                }
            }
            Ok(())
        }
        FaultAction::Firewall { rule, .. } if rule.port == Some(0) => Err(ScenarioError::new(
            "firewall rule on port 0; ports run from 1 to 65535 (leave `port` out for every port)",
        )
        .at(f.key("port"))),
        _ => Ok(()),
    }
}

/// Both ends exist and the scenario declares a link between them.
fn check_link(a: &str, b: &str, f: &Fault<'_>) -> Result<(), ScenarioError> {
    f.node(a)?;
    f.node(b)?;
    let declared = f.s.links.iter().any(|l| {
        let (x, y) = (l.between.0.as_str(), l.between.1.as_str());
        (x, y) == (a, b) || (y, x) == (a, b)
    });
    if declared {
        return Ok(());
    }
    Err(ScenarioError::new(format!(
        "fault on a link `{a}`-`{b}` that the scenario does not declare"
    ))
    .at(f.key("action")))
}

/// Crashes, interfaces and firewalls are a host's; a router has none.
fn check_host(name: &str, f: &Fault<'_>) -> Result<(), ScenarioError> {
    if f.is_host(name) {
        return Ok(());
    }
    if f.is_node(name) {
        return Err(ScenarioError::new(format!(
            "fault on router or switch `{name}`: only hosts crash, lose their interface or have a firewall"
        ))
        .at(f.name(name)));
    }
    Err(f.unknown_node(name))
}

/// At least two groups, none empty, every node known and in one group only.
fn check_partition(groups: &[Vec<String>], f: &Fault<'_>) -> Result<(), ScenarioError> {
    if groups.len() < 2 || groups.iter().any(Vec::is_empty) {
        return Err(ScenarioError::new(
            "a partition needs at least two groups of nodes, none empty",
        )
        .at(f.key("action")));
    }
    let mut seen = BTreeSet::new();
    for name in groups.iter().flatten() {
        f.node(name)?;
        if !seen.insert(name.as_str()) {
            let first = f.name(name).map_or(f.start, |r| r.end);
            let second = find_quoted_after(f.source, name, first).or_else(|| f.name(name));
            return Err(
                ScenarioError::new(format!("node `{name}` is in two partition groups")).at(second),
            );
        }
    }
    Ok(())
}
