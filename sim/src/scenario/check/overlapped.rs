//! The semantic check of the ConnectEx family's steps (issue 3, item 4):
//! an extension function is called only after the thread obtained its
//! pointer (CB-X3), OVERLAPPED, event and port names exist and are not
//! socket names, and the limits on data and flags hold. Errors point at the
//! step with file:line:col.

use std::collections::BTreeSet;

use simsock_model::limits::scenario as lim;
use simsock_model::scenario::{ExtensionFunction, Scenario, Step, ThreadSpec};

use super::super::load::{ScenarioError, quote};
use super::StepPath;

/// The names a host's ConnectEx-family steps use.
#[derive(Default)]
struct HostNames {
    sockets: BTreeSet<String>,
    overlapped: BTreeSet<String>,
    events: BTreeSet<String>,
    ports: BTreeSet<String>,
}

/// Checks every thread's ConnectEx-family steps.
pub fn check_overlapped(
    s: &Scenario,
    source: &str,
    hosts: &super::HostThreads<'_>,
) -> Result<(), ScenarioError> {
    let mut by_host = std::collections::BTreeMap::new();
    for (index, thread) in s.threads.iter().enumerate() {
        let names = by_host
            .entry(thread.host.as_str())
            .or_insert_with(|| host_names(hosts.threads(&thread.host)));
        let mut obtained = BTreeSet::new();
        let path = StepPath::new(source, index);
        check_steps(&thread.steps, &path, names, &mut obtained)?;
    }
    Ok(())
}

/// Checks steps in the order they run; an error points at its step's name
/// (found by path, not by searching the text for the next `ConnectEx(`).
fn check_steps(
    steps: &[Step],
    path: &StepPath<'_>,
    names: &HostNames,
    obtained: &mut BTreeSet<ExtensionFunction>,
) -> Result<(), ScenarioError> {
    for (i, step) in steps.iter().enumerate() {
        if let Step::Repeat { steps, .. } = step {
            check_steps(steps, &path.body(i), names, obtained)?;
            continue;
        }
        check_step(step, names, obtained).map_err(|e| e.at(path.child(i).head()))?;
    }
    Ok(())
}

fn flatten<'a>(steps: &'a [Step], into: &mut Vec<&'a Step>) {
    for step in steps {
        match step {
            Step::Repeat { steps, .. } => flatten(steps, into),
            other => into.push(other),
        }
    }
}

fn host_names(threads: &[&ThreadSpec]) -> HostNames {
    let mut names = HostNames::default();
    let mut flat = Vec::new();
    for t in threads {
        flatten(&t.steps, &mut flat);
    }
    for step in flat {
        if let Some(name) = step.creates() {
            names.sockets.insert(name.to_string());
        }
        match step {
            Step::ConnectEx {
                overlapped, event, ..
            } => {
                names.overlapped.extend(overlapped.clone());
                names.events.extend(event.clone());
            }
            Step::DisconnectEx { overlapped, .. } | Step::AcceptEx { overlapped, .. } => {
                names.overlapped.extend(overlapped.clone())
            }
            Step::CreateIoCompletionPort { port, .. } => {
                names.ports.insert(port.clone());
            }
            _ => {}
        }
    }
    names
}

/// The extension function a step calls through, if any.
fn needs(step: &Step) -> Option<ExtensionFunction> {
    match step {
        Step::ConnectEx { .. } => Some(ExtensionFunction::ConnectEx),
        Step::DisconnectEx { .. } => Some(ExtensionFunction::DisconnectEx),
        Step::TransmitFile { .. } => Some(ExtensionFunction::TransmitFile),
        Step::AcceptEx { .. } => Some(ExtensionFunction::AcceptEx),
        _ => None,
    }
}

fn check_step(
    step: &Step,
    names: &HostNames,
    obtained: &mut BTreeSet<ExtensionFunction>,
) -> Result<(), ScenarioError> {
    if let Step::GetExtensionFunction { function, .. } = step {
        obtained.insert(*function);
    }
    if let Some(f) = needs(step).filter(|f| !obtained.contains(f)) {
        return Err(ScenarioError::new(format!(
            "{f:?} is called before this thread obtained its pointer (CB-X3): calling \
             through a null pointer is a crash, not a Winsock error"
        ))
        .help(format!(
            "add GetExtensionFunction(socket: ..., function: {f:?}) earlier in the thread"
        )));
    }
    for (what, name) in referenced(step) {
        let known = match what {
            "OVERLAPPED" => &names.overlapped,
            "event" => &names.events,
            "completion port" => &names.ports,
            _ => &names.sockets,
        };
        if !known.contains(name) {
            return Err(ScenarioError::new(format!(
                "unknown {what} `{}`: no step on this host creates it",
                quote(name)
            )));
        }
        if what != "socket" && names.sockets.contains(name) {
            return Err(ScenarioError::new(format!(
                "`{}` names both a socket and an {what}",
                quote(name)
            )));
        }
    }
    check_limits(step)
}

/// The names a step refers to, with what each must be.
fn referenced(step: &Step) -> Vec<(&'static str, &str)> {
    let mut refs = Vec::new();
    match step {
        Step::ConnectEx {
            overlapped, event, ..
        } => {
            refs.extend(overlapped.as_deref().map(|o| ("OVERLAPPED", o)));
            refs.extend(event.as_deref().map(|e| ("event", e)));
        }
        Step::GetOverlappedResult { overlapped, .. } => refs.push(("OVERLAPPED", overlapped)),
        Step::WaitForSingleObject { object, .. } => refs.push(("event", object)),
        Step::GetQueuedCompletionStatus { port, .. } => refs.push(("completion port", port)),
        Step::CreateIoCompletionPort { port, .. } => refs.push(("completion port", port)),
        Step::AcceptEx { accept, .. } => refs.push(("socket", accept)),
        _ => {}
    }
    refs
}

fn check_limits(step: &Step) -> Result<(), ScenarioError> {
    let (bytes, flags) = match step {
        Step::ConnectEx { data, len, .. } => (
            data.as_ref().map(|d| d.len() as u64).or(len.map(u64::from)),
            0,
        ),
        Step::TransmitFile { len, flags, .. } => (Some(u64::from(*len)), flags.len()),
        Step::DisconnectEx { flags, .. } => (None, flags.len()),
        _ => return Ok(()),
    };
    if bytes.is_some_and(|n| n > u64::from(lim::MAX_SEND_BYTES)) {
        return Err(ScenarioError::new(format!(
            "more than {} bytes in one call",
            lim::MAX_SEND_BYTES
        )));
    }
    if flags > lim::MAX_TF_FLAGS {
        return Err(ScenarioError::new(format!(
            "{flags} flags; at most {} (TF_DISCONNECT, TF_REUSE_SOCKET)",
            lim::MAX_TF_FLAGS
        )));
    }
    Ok(())
}
