//! The semantic check of the select, WSAAsyncSelect and WSAEventSelect
//! steps (CB-N3..N5): socket names in select's sets, event names made by a
//! CreateEvent step on the host, and the limits on the lists (FD_SETSIZE,
//! WSA_MAXIMUM_WAIT_EVENTS, the events of one registration).

use std::collections::BTreeSet;

use simsock_model::SimDuration;
use simsock_model::limits::scenario as lim;
use simsock_model::scenario::{Scenario, Step, ThreadSpec};

use super::super::load::{ScenarioError, quote};
use super::StepPath;

/// Checks the notification steps of one thread, against the socket and
/// event names its host's threads make.
pub(super) fn check_thread(
    s: &Scenario,
    thread: &ThreadSpec,
    hosts: &super::HostThreads<'_>,
    path: &StepPath<'_>,
) -> Result<(), ScenarioError> {
    let cx = Cx {
        sockets: hosts.sockets(&thread.host),
        events: hosts.events(&thread.host),
        max_time: s.limits.max_time,
    };
    check_steps(&thread.steps, &cx, path)
}

/// What the checks of one thread's steps look names and limits up in.
struct Cx<'a> {
    sockets: &'a BTreeSet<String>,
    events: &'a BTreeSet<String>,
    /// `limits.max_time`: the longest time-out a wait may ask for.
    max_time: SimDuration,
}

/// Every event name a CreateEvent step of the threads makes.
pub(super) fn events_of(threads: &[&ThreadSpec]) -> BTreeSet<String> {
    fn collect(steps: &[Step], into: &mut BTreeSet<String>) {
        for step in steps {
            match step {
                Step::CreateEvent { name, .. } => {
                    into.insert(name.clone());
                }
                Step::Repeat { steps, .. } => collect(steps, into),
                _ => {}
            }
        }
    }
    let mut names = BTreeSet::new();
    for t in threads {
        collect(&t.steps, &mut names);
    }
    names
}

fn check_steps(steps: &[Step], cx: &Cx<'_>, path: &StepPath<'_>) -> Result<(), ScenarioError> {
    for (i, step) in steps.iter().enumerate() {
        let at = &path.child(i);
        match step {
            Step::Select { timeout, .. } | Step::WaitForEvents { timeout, .. }
                if timeout.is_some_and(|t| t > cx.max_time) =>
            {
                // Such a time-out can never be observed: the run's time
                // limit comes first. Like every limit, it is checked before
                // the run (a wait that returns first cancels its time-out,
                // `engine::timers`, so only a wait that runs out meets it).
                return Err(ScenarioError::new(format!(
                    "time-out {} is longer than the run may last ({}, limits.max_time)",
                    timeout.unwrap_or_default(),
                    cx.max_time
                ))
                .at(at.value("timeout")));
            }
            Step::Select {
                read,
                write,
                except,
                ..
            } => check_select([read, write, except], cx.sockets, at)?,
            Step::AsyncSelect { events: list, .. } | Step::EventSelect { events: list, .. }
                if list.len() > lim::MAX_FD_EVENTS =>
            {
                return Err(ScenarioError::new(format!(
                    "{} network events in one registration; at most {}",
                    list.len(),
                    lim::MAX_FD_EVENTS
                ))
                .at(at.key("events")));
            }
            Step::WaitForEvents { events: list, .. } => check_wait(list, cx.events, at)?,
            Step::EventSelect { event, .. }
            | Step::EnumNetworkEvents {
                event: Some(event), ..
            } => known_event(event, cx.events, at.value("event"))?,
            Step::Repeat { steps, .. } => check_steps(steps, cx, &path.body(i))?,
            _ => {}
        }
    }
    Ok(())
}

fn check_select(
    sets: [&Vec<String>; 3],
    sockets: &BTreeSet<String>,
    at: &StepPath<'_>,
) -> Result<(), ScenarioError> {
    for (set, key) in sets.into_iter().zip(["read", "write", "except"]) {
        if set.len() > lim::FD_SETSIZE {
            return Err(ScenarioError::new(format!(
                "{} sockets in the {key} set; FD_SETSIZE is {}",
                set.len(),
                lim::FD_SETSIZE
            ))
            .at(at.key(key)));
        }
        if let Some(second) = (0..set.len()).find(|&i| set[..i].contains(&set[i])) {
            // FD_SET adds a socket once: a set holds each socket at most once.
            return Err(ScenarioError::new(format!(
                "socket `{}` is twice in select's {key} set",
                quote(&set[second])
            ))
            .at(at.item(key, second)));
        }
        if let Some(i) = set.iter().position(|n| !sockets.contains(n)) {
            return Err(ScenarioError::new(format!(
                "unknown socket name `{}` in select's {key} set: no Socket or Accept step on this host creates it",
                quote(&set[i])
            ))
            .at(at.item(key, i)));
        }
    }
    Ok(())
}

fn check_wait(
    list: &[String],
    events: &BTreeSet<String>,
    at: &StepPath<'_>,
) -> Result<(), ScenarioError> {
    if list.is_empty() || list.len() > lim::WSA_MAXIMUM_WAIT_EVENTS {
        return Err(ScenarioError::new(format!(
            "WaitForEvents waits on {} events; it needs 1 to {} (WSA_MAXIMUM_WAIT_EVENTS)",
            list.len(),
            lim::WSA_MAXIMUM_WAIT_EVENTS
        ))
        .at(at.key("events")));
    }
    list.iter()
        .enumerate()
        .try_for_each(|(i, e)| known_event(e, events, at.item("events", i)))
}

fn known_event(
    name: &str,
    events: &BTreeSet<String>,
    at: Option<std::ops::Range<usize>>,
) -> Result<(), ScenarioError> {
    if events.contains(name) {
        return Ok(());
    }
    Err(ScenarioError::new(format!(
        "unknown event name `{}`: no CreateEvent step on this host creates it",
        quote(name)
    ))
    .at(at))
}
