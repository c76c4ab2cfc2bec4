//! From the scenario's faults to the engine's: names resolved to ids, timed
//! faults scheduled, triggers armed.

use simsock_model::SimTime;
use simsock_model::scenario::{
    Direction, FaultAction as Spec, FaultSpec, HostSpec, Scenario, Trigger,
};

use super::FaultAction;
use crate::engine::Core;
use crate::engine::faults::{Armed, schedule};
use crate::net::{NodeId, ShapeChange, Topology};

/// Resolves and schedules every fault of a checked scenario; returns the
/// actions by fault index (the order of `faults`).
pub fn plan(s: &Scenario, core: &mut Core) -> Vec<FaultAction> {
    let mut actions = Vec::with_capacity(s.faults.len());
    for (index, spec) in s.faults.iter().enumerate() {
        let index = index as u32;
        actions.push(resolve(&spec.action, &s.hosts, &core.topo));
        match (&spec.at, &spec.after) {
            (Some(at), _) => schedule(core, SimTime(at.as_nanos()), index),
            (None, Some(trigger)) => {
                let armed = arm(trigger, spec, index, &core.topo);
                core.faults.triggers.push(armed);
            }
            (None, None) => {} // the checker rejects a fault with no time
        }
    }
    core.faults.refresh();
    actions
}

fn node(topo: &Topology, name: &str) -> NodeId {
    // Invariant: the checker rejected faults that name unknown nodes.
    let index = topo
        .nodes
        .iter()
        .position(|n| *n.name == *name)
        .expect("checked node name");
    NodeId(index as u32)
}

fn host(hosts: &[HostSpec], name: &str) -> u32 {
    // Invariant: the checker rejected host faults on unknown hosts.
    hosts
        .iter()
        .position(|h| h.name == name)
        .expect("checked host name") as u32
}

/// One fault's names resolved to ids (also for `async_net::fault`, at run time).
pub(crate) fn resolve(action: &Spec, hosts: &[HostSpec], topo: &Topology) -> FaultAction {
    let link = |a: &str, b: &str| {
        // Invariant: the checker rejected faults on undeclared links.
        let (a, b) = (node(topo, a), node(topo, b));
        (topo.link_between(a, b).expect("checked link"), a)
    };
    match action {
        Spec::LinkDown(a, b) => FaultAction::LinkDown(link(a, b).0),
        Spec::LinkUp(a, b) => FaultAction::LinkUp(link(a, b).0),
        Spec::Partition(groups) => FaultAction::Partition(
            groups
                .iter()
                .map(|g| g.iter().map(|n| node(topo, n)).collect())
                .collect(),
        ),
        Spec::Heal => FaultAction::Heal,
        Spec::LinkSet {
            between,
            direction,
            latency,
            jitter,
            loss_ppm,
            duplicate_ppm,
            duplicate_delay,
            reorder_ppm,
        } => {
            let (id, a) = link(&between.0, &between.1);
            // Forward is from the first node named; the link's ends[0] may
            // be either.
            let forward = usize::from(topo.links[id.0 as usize].ends[0] != a);
            let mut dirs = [false; 2];
            match direction {
                Direction::Both => dirs = [true, true],
                Direction::Forward => dirs[forward] = true,
                Direction::Backward => dirs[1 - forward] = true,
            }
            let change = ShapeChange {
                latency: *latency,
                jitter: *jitter,
                loss_ppm: *loss_ppm,
                duplicate_ppm: *duplicate_ppm,
                duplicate_delay: *duplicate_delay,
                reorder_ppm: *reorder_ppm,
            };
            FaultAction::LinkSet {
                link: id,
                dirs,
                change,
            }
        }
        Spec::HostCrash(h) => FaultAction::HostCrash(host(hosts, h)),
        Spec::HostRestart(h) => {
            let index = host(hosts, h);
            FaultAction::HostRestart {
                host: index,
                started: hosts[index as usize].started,
            }
        }
        Spec::InterfaceDown(h) => FaultAction::InterfaceDown(host(hosts, h)),
        Spec::InterfaceUp(h) => FaultAction::InterfaceUp(host(hosts, h)),
        Spec::Firewall { host: h, rule } => FaultAction::Firewall(host(hosts, h), *rule),
        Spec::FirewallClear(h) => FaultAction::FirewallClear(host(hosts, h)),
    }
}

fn arm(trigger: &Trigger, spec: &FaultSpec, fault: u32, topo: &Topology) -> Armed {
    let Trigger::Packet {
        from,
        to,
        flags,
        count,
    } = trigger;
    // Invariant: the checker rejected malformed flags.
    let flag_set = flags
        .as_deref()
        .map(|f| f.parse().expect("checked TCP flags"));
    let mut label = String::from("packet");
    if let Some(f) = flag_set {
        label.push_str(&format!(" [{f}]"));
    }
    if let Some(n) = from {
        label.push_str(&format!(" from {n}"));
    }
    if let Some(n) = to {
        label.push_str(&format!(" to {n}"));
    }
    Armed {
        fault,
        from: from.as_deref().map(|n| node(topo, n)),
        to: to.as_deref().map(|n| node(topo, n)),
        flags: flag_set,
        count: *count,
        seen: 0,
        delay: spec.delay,
        label,
    }
}
