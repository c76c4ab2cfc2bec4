//! What the threads of each host name (sockets, events), collected once
//! per host so the check stays linear in the scenario's size.

use std::collections::{BTreeMap, BTreeSet};

use simsock_model::scenario::{Scenario, Step, ThreadSpec};

use super::notify;

static NO_NAMES: BTreeSet<String> = BTreeSet::new();

/// The threads of each host, by host name, and what they name: built once,
/// so the checks of a thread look names up rather than walk every thread of
/// its host again (1,000 threads of 1,000 steps took 45 s; issue 15, item 3).
pub(super) struct HostThreads<'a> {
    threads: BTreeMap<&'a str, Vec<&'a ThreadSpec>>,
    /// Every socket name any thread of the host creates (Socket, Accept).
    sockets: BTreeMap<&'a str, BTreeSet<String>>,
    /// Every event name a CreateEvent step of the host makes.
    events: BTreeMap<&'a str, BTreeSet<String>>,
}

impl<'a> HostThreads<'a> {
    pub(super) fn new(s: &'a Scenario) -> Self {
        let mut threads = BTreeMap::<&str, Vec<&ThreadSpec>>::new();
        for t in &s.threads {
            threads.entry(t.host.as_str()).or_default().push(t);
        }
        let sockets = threads
            .iter()
            .map(|(host, ts)| (*host, sockets_of(ts)))
            .collect();
        let events = threads
            .iter()
            .map(|(host, ts)| (*host, notify::events_of(ts)))
            .collect();
        HostThreads {
            threads,
            sockets,
            events,
        }
    }

    /// The threads of `host`, in the order the scenario lists them.
    pub(super) fn threads(&self, host: &str) -> &[&'a ThreadSpec] {
        self.threads.get(host).map_or(&[], Vec::as_slice)
    }

    pub(super) fn sockets(&self, host: &str) -> &BTreeSet<String> {
        self.sockets.get(host).unwrap_or(&NO_NAMES)
    }

    pub(super) fn events(&self, host: &str) -> &BTreeSet<String> {
        self.events.get(host).unwrap_or(&NO_NAMES)
    }
}

/// Every socket name the threads create (Socket, Accept), in `Repeat`s too.
fn sockets_of(threads: &[&ThreadSpec]) -> BTreeSet<String> {
    fn collect(steps: &[Step], into: &mut BTreeSet<String>) {
        for step in steps {
            if let Some(name) = step.creates() {
                into.insert(name.to_string());
            }
            if let Step::Repeat { steps, .. } = step {
                collect(steps, into);
            }
        }
    }
    let mut names = BTreeSet::new();
    for t in threads {
        collect(&t.steps, &mut names);
    }
    names
}
