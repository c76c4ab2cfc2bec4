//! Building a [`World`] from a checked scenario.

use std::rc::Rc;

use simsock_model::scenario::Scenario;
use simsock_model::{HostProfile, SimTime};

use crate::engine::{Core, Event};
use crate::net::{Link, NodeId, NodeKind, Topology};
use crate::rng::Stream;
use crate::thread::{Script, Thread};
use crate::trace::{Trace, TraceMode};
use crate::winsock::Host;
use crate::world::World;

/// How to run a scenario.
#[derive(Clone, Copy, Debug)]
pub struct RunOptions {
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// How much of the trace to keep (default [`TraceMode::Full`]).
    pub trace: TraceMode,
    /// Keep a call record per call ([`World::record_calls`]; default on);
    /// a call whose expectation failed is recorded regardless.
    pub record_calls: bool,
    /// Keep the stream digests that the end-of-run byte invariant compares
    /// (`crate::invariants`); they cost a hash of every byte, so
    /// benchmarks turn them off.
    pub invariants: bool,
    /// Trace events a `Full` trace keeps ([`Trace::keep_at_most`]).
    pub max_kept_events: usize,
    /// Call records the report keeps ([`World::max_recorded_calls`]).
    pub max_recorded_calls: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            seed: None,
            trace: TraceMode::Full,
            record_calls: true,
            invariants: true,
            max_kept_events: crate::trace::DEFAULT_KEPT_EVENTS,
            max_recorded_calls: crate::world::DEFAULT_RECORDED_CALLS,
        }
    }
}

/// Builds a ready-to-run world; the scenario must have passed
/// [`check`](super::check).
pub fn build(s: &Scenario, opts: &RunOptions) -> World {
    let seed = opts.seed.unwrap_or(s.seed);
    let mut topo = Topology::default();
    let nodes = s.hosts.len() + s.routers.len() + s.switches.len();
    topo.reserve(nodes, s.links.len(), s.hosts.len());
    let mut hosts = Vec::with_capacity(s.hosts.len());
    // Hosts with the same profile as the host before share it.
    let mut profile: Option<Rc<HostProfile>> = None;
    for (i, spec) in s.hosts.iter().enumerate() {
        let shared = match profile.take() {
            Some(p) if *p == spec.profile => p,
            _ => Rc::new(spec.profile.clone()),
        };
        profile = Some(Rc::clone(&shared));
        let node = topo.add_node(
            spec.name.clone(),
            spec.addrs.clone(),
            NodeKind::Host(i as u32),
        );
        let mut host = Host::new(crate::stack::Host::new(
            spec.name.clone(),
            node,
            shared,
            seed,
            s.limits.max_sockets_per_host,
        ));
        host.startups = u32::from(spec.started);
        host.tcp.audit = opts.invariants;
        hosts.push(host);
    }
    for spec in &s.routers {
        topo.add_node(spec.name.clone(), spec.addrs.clone(), NodeKind::Router);
    }
    for spec in &s.switches {
        topo.add_node(spec.name.clone(), Vec::new(), NodeKind::Switch);
    }
    for spec in &s.links {
        let (a, b) = (
            node_named(&topo, &spec.between.0),
            node_named(&topo, &spec.between.1),
        );
        let name = format!("{}-{}", spec.between.0, spec.between.1);
        let mut link = Link::new(
            name.clone(),
            [a, b],
            spec.latency,
            Stream::new(seed, &format!("link/{name}")),
        );
        link.jitter = spec.jitter;
        link.loss_ppm = spec.loss_ppm;
        link.up = spec.up;
        topo.add_link(link);
    }
    add_loopbacks(&mut topo, &hosts, seed);
    let threads = build_threads(s, &mut hosts);
    let mut trace = Trace::new(opts.trace);
    trace.keep_at_most(opts.max_kept_events);
    let node_names = topo.nodes.iter().map(|n| n.name.clone()).collect();
    let link_names = topo.links.iter().map(|l| l.name.clone()).collect();
    trace.set_names(
        node_names,
        link_names,
        threads.iter().map(|t| t.name.clone()).collect(),
    );
    let mut core = Core::new(topo, trace);
    if s.shuffle_ties {
        core.queue
            .shuffle_ties(Stream::new(seed, "schedule"), fifo_class);
    }
    let faults = crate::world::faults::plan(s, &mut core);
    let mut world = World {
        run_error: None,
        core,
        hosts,
        threads,
        faults,
        limits: s.limits,
        seed,
        record_calls: opts.record_calls,
        max_recorded_calls: opts.max_recorded_calls,
        calls: Vec::with_capacity(expected_records(s, opts)),
        call_count: Default::default(),
        steps: crate::thread::StepBudget::new(s.limits.max_steps),
    };
    world.start();
    world
}

/// Call records a run of `s` is likely to keep: a record per step (a loop
/// or a blocked thread makes it more or fewer), so that the list does not
/// grow, copying every record, as the first calls complete.
fn expected_records(s: &Scenario, opts: &RunOptions) -> usize {
    if !opts.record_calls {
        return 0;
    }
    let steps: usize = s.threads.iter().map(|t| t.steps.len()).sum();
    steps.min(opts.max_recorded_calls).min(1024)
}

/// Gives every host its loopback interface, a link named `lo` from the host
/// to itself with the profile's `loopback_latency`, after the declared
/// links (so their ids, and the capture's interface numbers, stay).
fn add_loopbacks(topo: &mut Topology, hosts: &[Host], seed: u64) {
    for host in hosts {
        let stream = Stream::new(seed, &format!("link/{}/lo", host.name));
        let link = Link::new(
            "lo".to_string(),
            [host.node, host.node],
            host.profile.loopback_latency,
            stream,
        );
        topo.add_loopback(host.node, link);
    }
}

/// The events that keep their order under `shuffle_ties`: packets arriving
/// over one direction of one link (a link never reorders), and a node's
/// looped-back packets. Everything else may run in any order.
fn fifo_class(event: &Event) -> Option<u64> {
    match *event {
        Event::Arrive { node, link, .. } => {
            let via = link.map_or(u32::MAX, |l| l.0);
            Some(u64::from(via) << 32 | u64::from(node.0))
        }
        _ => None,
    }
}

fn node_named(topo: &Topology, name: &str) -> NodeId {
    // Invariant: the checker rejected links to unknown nodes.
    topo.node_named(name).expect("checked node name")
}

fn build_threads(s: &Scenario, hosts: &mut [Host]) -> Vec<Thread> {
    crate::winsock::overlapped::prepare(s, hosts); // ConnectEx: completion labels
    s.threads
        .iter()
        .map(|spec| {
            // Invariant: the checker rejected threads on unknown hosts.
            let host = hosts
                .iter()
                .position(|h| h.name == spec.host)
                .expect("checked host name");
            let script = Script::compile(&spec.steps, &mut hosts[host]);
            Thread {
                name: spec.name.clone(),
                host: host as u32,
                start: SimTime(spec.start.as_nanos()),
                program: Box::new(script),
                pending: None,
                last_error: 0,
                received: Vec::new(),
                completed: None,
                progress: 0,
                finished: false,
                apc: Default::default(),
            }
        })
        .collect()
}
