//! The semantic check of the select, WSAAsyncSelect and WSAEventSelect
//! steps (CB-N3..N5): socket names in select's sets, event names made by a
//! CreateEvent step on the host, and the limits on the lists (FD_SETSIZE,
//! WSA_MAXIMUM_WAIT_EVENTS, the events of one registration).

use std::collections::BTreeSet;

use simsock_model::SimDuration;
use simsock_model::limits::scenario as lim;
use simsock_model::scenario::{Scenario, Step, ThreadSpec};

use super::super::load::{ScenarioError, find_key, find_quoted_after, find_value};

/// Checks the notification steps of one thread, against the socket and
/// event names its host's threads make.
pub(super) fn check_thread(
    s: &Scenario,
    thread: &ThreadSpec,
    hosts: &super::HostThreads<'_>,
    source: &str,
) -> Result<(), ScenarioError> {
    let cx = Cx {
        sockets: hosts.sockets(&thread.host),
        events: hosts.events(&thread.host),
        max_time: s.limits.max_time,
        source,
    };
    check_steps(&thread.steps, &cx)
}

/// What the checks of one thread's steps look names and limits up in.
struct Cx<'a> {
    sockets: &'a BTreeSet<String>,
    events: &'a BTreeSet<String>,
    /// `limits.max_time`: the longest time-out a wait may ask for.
    max_time: SimDuration,
    source: &'a str,
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

fn check_steps(steps: &[Step], cx: &Cx<'_>) -> Result<(), ScenarioError> {
    let (sockets, events, source) = (cx.sockets, cx.events, cx.source);
    for step in steps {
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
                .at(find_key(source, "timeout", 0)));
            }
            Step::Select {
                read,
                write,
                except,
                ..
            } => check_select([read, write, except], sockets, source)?,
            Step::AsyncSelect { events: list, .. } | Step::EventSelect { events: list, .. }
                if list.len() > lim::MAX_FD_EVENTS =>
            {
                return Err(ScenarioError::new(format!(
                    "{} network events in one registration; at most {}",
                    list.len(),
                    lim::MAX_FD_EVENTS
                ))
                .at(find_key(source, "events", 0)));
            }
            Step::WaitForEvents { events: list, .. } => check_wait(list, events, source)?,
            Step::EventSelect { event, .. }
            | Step::EnumNetworkEvents {
                event: Some(event), ..
            } => known_event(event, events, source)?,
            Step::Repeat { steps, .. } => check_steps(steps, cx)?,
            _ => {}
        }
    }
    Ok(())
}

fn check_select(
    sets: [&Vec<String>; 3],
    sockets: &BTreeSet<String>,
    source: &str,
) -> Result<(), ScenarioError> {
    // The first `Select(` step (not `AsyncSelect(` or `EventSelect(`).
    let select_at = source
        .match_indices("Select(")
        .map(|(i, _)| i)
        .find(|&i| !source[..i].ends_with(|c: char| c.is_ascii_alphabetic()))
        .unwrap_or(0);
    for (set, key) in sets.into_iter().zip(["read", "write", "except"]) {
        if set.len() > lim::FD_SETSIZE {
            return Err(ScenarioError::new(format!(
                "{} sockets in the {key} set; FD_SETSIZE is {}",
                set.len(),
                lim::FD_SETSIZE
            ))
            .at(find_key(source, key, select_at)));
        }
        if let Some(name) = set
            .iter()
            .enumerate()
            .find_map(|(i, n)| set[..i].contains(n).then_some(n))
        {
            // FD_SET adds a socket once: a set holds each socket at most once.
            let set_at = find_key(source, key, select_at).map_or(select_at, |r| r.end);
            let first = find_quoted_after(source, name, set_at);
            let second = first
                .clone()
                .and_then(|r| find_quoted_after(source, name, r.end));
            return Err(ScenarioError::new(format!(
                "socket `{name}` is twice in select's {key} set"
            ))
            .at(second.or(first)));
        }
        if let Some(name) = set.iter().find(|n| !sockets.contains(*n)) {
            return Err(ScenarioError::new(format!(
                "unknown socket name `{name}` in select's {key} set: no Socket or Accept step on this host creates it"
            ))
            .at(find_quoted_after(source, name, select_at)));
        }
    }
    Ok(())
}

fn check_wait(
    list: &[String],
    events: &BTreeSet<String>,
    source: &str,
) -> Result<(), ScenarioError> {
    if list.is_empty() || list.len() > lim::WSA_MAXIMUM_WAIT_EVENTS {
        return Err(ScenarioError::new(format!(
            "WaitForEvents waits on {} events; it needs 1 to {} (WSA_MAXIMUM_WAIT_EVENTS)",
            list.len(),
            lim::WSA_MAXIMUM_WAIT_EVENTS
        ))
        .at(find_key(source, "WaitForEvents(events", 0)
            .or_else(|| source.find("WaitForEvents(").map(|i| i..i + 13))));
    }
    list.iter().try_for_each(|e| known_event(e, events, source))
}

fn known_event(name: &str, events: &BTreeSet<String>, source: &str) -> Result<(), ScenarioError> {
    if events.contains(name) {
        return Ok(());
    }
    Err(ScenarioError::new(format!(
        "unknown event name `{name}`: no CreateEvent step on this host creates it"
    ))
    .at(find_value(source, "event", name, 0).or_else(|| find_value(source, "", name, 0))))
}
