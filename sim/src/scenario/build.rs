//! Building a [`World`] from a checked scenario.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

use simsock_model::scenario::{LinkSpec, Scenario};
use simsock_model::{HostProfile, SimTime};

use crate::engine::{Core, Event};
use crate::net::{NodeId, Topology};
use crate::rng::{Stream, stream_id_after, stream_prefix};
use crate::thread::{Script, Thread};
use crate::trace::{Name, Trace, TraceMode};
use crate::winsock::Host;

mod network;
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
    /// Record each call as a [`crate::world::ResultRecord`] only, its
    /// thread, text and result name ([`World::results_only`]; sweeps); off
    /// by default.
    pub results_only: bool,
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
            results_only: false,
            invariants: true,
            max_kept_events: crate::trace::DEFAULT_KEPT_EVENTS,
            max_recorded_calls: crate::world::DEFAULT_RECORDED_CALLS,
        }
    }
}

/// Builds a ready-to-run world; the scenario must have passed
/// [`check`](super::check).
pub fn build(s: &Scenario, opts: &RunOptions) -> World {
    let mut p = Prepared::new(s);
    // One world from this `Prepared`: its links take the link names
    // rather than copies of them (at 100,000 hosts, 100,000 strings
    // allocated and freed for nothing; issue 18, flat cost with size).
    let link_names = std::mem::take(&mut p.link_names);
    build_with(s, &p, opts, link_names.into_iter())
}

/// What the worlds of one scenario share whatever their seed, made once:
/// the threads' compiled scripts, the socket-variable names they gave each
/// host, and the names of links and their random streams. A sweep makes
/// one and gets every seed's world from it ([`Prepared::world`]: the
/// first built by [`build_prepared`], each next one the last made anew in
/// place); the seed's random streams are made afresh for each world, as
/// in [`build`], which prepares and builds in one go.
///
/// Architecture invariant: a world built from a `Prepared` is the world
/// [`build`] makes (sweeps' digests are the runs' alone; the test
/// `each_seed_of_a_sweep_is_the_seed_run_alone` in tools/tests/sweep.rs).
/// Not `Send`: a script shares its instructions and expectations (`Rc`);
/// each worker thread prepares its own.
pub struct Prepared {
    /// Each thread's script, compiled once, by thread index; a world
    /// runs a copy.
    scripts: Vec<Script>,
    /// Each thread's host, by thread index.
    thread_hosts: Vec<u32>,
    /// The socket-variable names of each host that runs a thread, by
    /// host index, in the order compiling the scripts named them (the
    /// slots the scripts' calls use); a host without threads has none
    /// and no entry (at 100,000 hosts, 2.4 MB of empty lists before).
    slot_names: Vec<(u32, Vec<String>)>,
    /// `a-b` of each declared link, by link index.
    link_names: Vec<String>,
    /// The stream number of `link/a-b`, each declared link's stream
    /// ([`crate::rng::stream_id`]).
    link_streams: Vec<u64>,
    /// The stream number of `link/<host>/lo`, each host's loopback's.
    loopback_streams: Vec<u64>,
    /// The trace's names of nodes (hosts, routers, switches) and links
    /// (declared, then each host's `lo`), in the topology's order
    /// (`network::topology`): each world's trace shares them.
    trace_nodes: Arc<[Name]>,
    trace_links: Arc<[Name]>,
    /// The last world built from this, once it has run ([`Prepared::keep`]):
    /// the next seed's world is made from it in place ([`Prepared::world`]).
    kept: Cell<Option<Box<World>>>,
}

impl Prepared {
    /// Compiles `s`'s scripts against hosts made for the purpose (their
    /// slots are all the scripts leave behind) and names its links.
    ///
    /// Performance (issue 18, small sizes): only the hosts that run a
    /// thread get such a host (the others' slots are none), the link names
    /// are joined without `format!`, and the stream names are hashed from
    /// their parts; at 10 hosts this was a third of the world build.
    pub fn new(s: &Scenario) -> Prepared {
        let thread_hosts: Vec<u32> = s
            .threads
            .iter()
            .map(|spec| {
                // Invariant: the checker rejected threads on unknown hosts.
                let host = s.hosts.iter().position(|h| h.name == spec.host);
                host.expect("checked host name") as u32
            })
            .collect();
        let (scripts, slot_names) = compile_scripts(s, &thread_hosts);
        let link_names: Vec<String> = s.links.iter().map(link_name).collect();
        let trace_links = trace_link_names(s, &link_names);
        Prepared {
            scripts,
            thread_hosts,
            slot_names,
            link_streams: link_names
                .iter()
                .map(|n| stream_id_after(LINK, &[n]))
                .collect(),
            link_names,
            loopback_streams: s
                .hosts
                .iter()
                .map(|h| stream_id_after(LINK, &[&h.name, "/lo"]))
                .collect(),
            trace_nodes: trace_node_names(s),
            trace_links,
            kept: Cell::new(None),
        }
    }

    /// Keeps `world`, a world built from this ([`Prepared::world`]) that
    /// has run, for the next seed's.
    pub fn keep(&self, world: Box<World>) {
        self.kept.set(Some(world));
    }

    /// The world of `s` (from which this was prepared) for `opts`: the
    /// last world kept ([`Prepared::keep`]) made anew in place, or a new
    /// one ([`build_prepared`]).
    ///
    /// Architecture invariant: a world made anew is the world
    /// [`build_prepared`] makes but for the capacity of its containers,
    /// which no behaviour reads (`renew` here; the test
    /// `a_sweeps_worlds_reuse_storage_and_run_as_new_ones` in
    /// tests/tests/sweep_reuse.rs compares the reports byte for byte).
    /// Performance: the world stays where it is, in its box, from seed to
    /// seed; built and moved by value, a 2.7 KB world was copied about
    /// six times a seed (issue 18, item 5).
    pub fn world(&self, s: &Scenario, opts: &RunOptions) -> Box<World> {
        match self.kept.take() {
            Some(mut world) => {
                renew(&mut world, s, self, opts);
                world
            }
            None => Box::new(build_prepared(s, self, opts)),
        }
    }
}

/// The FNV-1a state after `link/`, the prefix of every link's stream name
/// (`link/a-b`, `link/<host>/lo`), hashed once at compile time.
const LINK: u64 = stream_prefix("link/");

/// The name of declared link `l`: its ends joined by `-` (`a-b`).
///
/// Performance (issue 18, x1 sizes): three pushes into a string made
/// with its length, where `concat` cost about 210 instructions a link
/// (callgrind, 10 hosts x 1).
fn link_name(l: &LinkSpec) -> String {
    let (a, b) = (&l.between.0, &l.between.1);
    let mut name = String::with_capacity(a.len() + 1 + b.len());
    name.push_str(a);
    name.push('-');
    name.push_str(b);
    name
}

/// The names of `s`'s nodes in the order its topology numbers them.
///
/// Performance (issue 18, per-world cost): names of up to 24 bytes are
/// copied inline ([`Name`]); the storm's `build` at 10 hosts x 1 allocated
/// and freed a string per node and per link for each world.
fn trace_node_names(s: &Scenario) -> Arc<[Name]> {
    let hosts = s.hosts.iter().map(|h| &h.name);
    let routers = s.routers.iter().map(|r| &r.name);
    let switches = s.switches.iter().map(|w| &w.name);
    let names = hosts.chain(routers).chain(switches);
    names.map(|n| Name::from(n.as_str())).collect()
}

/// The names of `s`'s links in the order its topology numbers them: the
/// declared links (`declared`, their names), then each host's loopback.
fn trace_link_names(s: &Scenario, declared: &[String]) -> Arc<[Name]> {
    let declared = declared.iter().map(|n| Name::from(n.as_str()));
    let loopbacks = s.hosts.iter().map(|_| Name::const_new("lo"));
    declared.chain(loopbacks).collect()
}

/// Each thread's script, compiled against a host made for the purpose for
/// each host that runs a thread, and each host's slot names (none for a
/// host without threads: nothing names a slot on it).
fn compile_scripts(s: &Scenario, thread_hosts: &[u32]) -> (Vec<Script>, Vec<(u32, Vec<String>)>) {
    // Scratch host of host `i`, if it runs a thread: `scratch[at[i]]`.
    let mut at = vec![u32::MAX; s.hosts.len()];
    let mut scratch: Vec<Host> = Vec::new();
    let mut profile = None;
    for &host in thread_hosts {
        if at[host as usize] == u32::MAX {
            at[host as usize] = scratch.len() as u32;
            let name = s.hosts[host as usize].name.as_str();
            let node = NodeId(host);
            scratch.push(new_host(
                s,
                host as usize,
                (node, name.into()),
                &mut profile,
                0,
            ));
        }
    }
    crate::winsock::overlapped::prepare(s, &mut scratch); // ConnectEx: completion labels
    let scripts = s
        .threads
        .iter()
        .zip(thread_hosts)
        .map(|(spec, &host)| Script::compile(&spec.steps, &mut scratch[at[host as usize] as usize]))
        .collect();
    let slot_names = at
        .iter()
        .enumerate()
        .filter_map(|(host, &i)| {
            let h = scratch.get(i as usize)?;
            Some((host as u32, h.slot_names.to_vec()))
        })
        .collect();
    (scripts, slot_names)
}

/// Builds the world of `s` with `p`, prepared from `s`: [`build`]'s world
/// without compiling the scripts again.
pub fn build_prepared(s: &Scenario, p: &Prepared, opts: &RunOptions) -> World {
    build_with(s, p, opts, p.link_names.iter().cloned())
}

/// [`build_prepared`], the declared links of a new topology named from
/// `link_names` (`p`'s, in order; unread when the topology is renewed).
fn build_with(
    s: &Scenario,
    p: &Prepared,
    opts: &RunOptions,
    link_names: impl Iterator<Item = String>,
) -> World {
    let seed = opts.seed.unwrap_or(s.seed);
    let topo = network::topology(s, p, seed, None, link_names);
    let mut hosts = Vec::with_capacity(s.hosts.len());
    push_hosts(s, opts, seed, &topo, &mut hosts);
    let mut threads = Vec::with_capacity(s.threads.len());
    build_threads(s, p, &mut hosts, &mut threads);
    let mut trace = Trace::new(opts.trace);
    name_trace(&mut trace, p, &threads, opts);
    // The engine is made in place in the world (4 KB: each move is a copy).
    let mut world = World {
        run_error: None,
        core: Core::new(topo, trace),
        hosts,
        threads,
        faults: Vec::new(),
        limits: s.limits,
        seed,
        record_calls: opts.record_calls,
        max_recorded_calls: opts.max_recorded_calls,
        results_only: opts.results_only,
        calls: Vec::with_capacity(expected_records(s, opts, false)),
        results: Vec::with_capacity(expected_records(s, opts, true)),
        call_count: Default::default(),
        steps: crate::thread::StepBudget::new(s.limits.max_steps),
        poll_every_wake: false,
        rewaits: 0,
    };
    start(&mut world, s);
    world
}

/// Makes `world`, built from `p` (prepared from `s`) and run, the world
/// [`build_prepared`] makes for `opts`, in place: the same steps on the
/// containers the last run left, emptied ([`Core::renew`]), and the
/// network it ran on renewed (`network::topology`). Every field is
/// named, so that a new one cannot be forgotten here.
fn renew(world: &mut World, s: &Scenario, p: &Prepared, opts: &RunOptions) {
    let seed = opts.seed.unwrap_or(s.seed);
    let World {
        run_error,
        core,
        hosts,
        threads,
        faults,
        limits,
        seed: world_seed,
        record_calls,
        max_recorded_calls,
        results_only,
        calls,
        results,
        call_count,
        steps,
        poll_every_wake,
        rewaits,
    } = world;
    let kept = Some(std::mem::take(&mut core.topo));
    let topo = network::topology(s, p, seed, kept, std::iter::empty());
    hosts.clear();
    push_hosts(s, opts, seed, &topo, hosts);
    threads.clear();
    build_threads(s, p, hosts, threads);
    core.renew(topo, opts.trace);
    name_trace(&mut core.trace, p, threads, opts);
    *run_error = None;
    *faults = Vec::new();
    *limits = s.limits;
    *world_seed = seed;
    *record_calls = opts.record_calls;
    *max_recorded_calls = opts.max_recorded_calls;
    *results_only = opts.results_only;
    *calls = Vec::with_capacity(expected_records(s, opts, false));
    *results = Vec::with_capacity(expected_records(s, opts, true));
    *call_count = Default::default();
    *steps = crate::thread::StepBudget::new(s.limits.max_steps);
    *poll_every_wake = false;
    *rewaits = 0;
    start(world, s);
}

/// Host `i` of `s` for each `i`, in order, pushed onto `hosts` (host `i`
/// is node `i` of `topo`: `network::topology`), each sharing its node's
/// name.
fn push_hosts(s: &Scenario, opts: &RunOptions, seed: u64, topo: &Topology, hosts: &mut Vec<Host>) {
    // Hosts with the same profile as the host before share it.
    let mut profile: Option<Rc<HostProfile>> = None;
    for i in 0..s.hosts.len() {
        let node = NodeId(i as u32);
        let name = Rc::clone(&topo.node(node).name);
        let mut host = new_host(s, i, (node, name), &mut profile, seed);
        host.tcp.audit = opts.invariants;
        hosts.push(host);
    }
}

/// Gives a new trace the names of `p`'s nodes and links and of `threads`,
/// and its bound on kept events.
fn name_trace(trace: &mut Trace, p: &Prepared, threads: &[Thread], opts: &RunOptions) {
    trace.keep_at_most(opts.max_kept_events);
    trace.set_names(
        Arc::clone(&p.trace_nodes),
        Arc::clone(&p.trace_links),
        threads.iter().map(|t| t.name.clone()).collect(),
    );
}

/// The last steps of a world's build: the shuffle of ties, the faults'
/// plan, the threads' first events.
fn start(world: &mut World, s: &Scenario) {
    if s.shuffle_ties {
        let schedule = Stream::new(world.seed, "schedule");
        world.core.queue.shuffle_ties(schedule, fifo_class);
    }
    world.faults = crate::world::faults::plan(s, &mut world.core);
    world.start();
}

/// Host `i` of `s` on `node`, named `name` (its name in `s`), with its
/// random streams drawn from `seed`; `profile` is the previous host's,
/// shared when it is the same.
fn new_host(
    s: &Scenario,
    i: usize,
    (node, name): (NodeId, Rc<str>),
    profile: &mut Option<Rc<HostProfile>>,
    seed: u64,
) -> Host {
    let spec = &s.hosts[i];
    let shared = match profile.take() {
        Some(p) if *p == spec.profile => p,
        _ => Rc::new(spec.profile.clone()),
    };
    *profile = Some(Rc::clone(&shared));
    let mut host = Host::new(crate::stack::Host::new(
        name,
        node,
        shared,
        seed,
        s.limits.max_sockets_per_host,
    ));
    host.startups = u32::from(spec.started);
    host
}

/// Call records a run of `s` is likely to keep: a record per step (a loop
/// or a blocked thread makes it more or fewer), so that the list does not
/// grow, copying every record, as the first calls complete.
/// `results` asks for the [`World::results`] list's, the other for
/// [`World::calls`]'s (one of them is empty).
fn expected_records(s: &Scenario, opts: &RunOptions, results: bool) -> usize {
    if !opts.record_calls || opts.results_only != results {
        return 0;
    }
    let steps: usize = s.threads.iter().map(|t| t.steps.len()).sum();
    steps.min(opts.max_recorded_calls).min(1024)
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

/// The scenario's threads, each running a copy of its prepared script,
/// pushed onto `threads`; each host first gets the slots the scripts name,
/// in the order compiling them made them.
fn build_threads(s: &Scenario, p: &Prepared, hosts: &mut [Host], threads: &mut Vec<Thread>) {
    crate::winsock::overlapped::prepare(s, hosts); // ConnectEx: completion labels
    for (host, names) in &p.slot_names {
        hosts[*host as usize].reserve_slots(names.len());
        for name in names {
            hosts[*host as usize].slot_named(name);
        }
    }
    let new =
        s.threads
            .iter()
            .zip(&p.scripts)
            .zip(&p.thread_hosts)
            .map(|((spec, script), &host)| {
                let start = SimTime(spec.start.as_nanos());
                let name = spec.name.as_str().into();
                Thread::new(name, host, start, Box::new(script.clone()))
            });
    threads.extend(new);
}
