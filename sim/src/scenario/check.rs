//! The semantic check of a scenario, before anything runs: names that must
//! exist, addresses that must be unique, settings within their ranges, and
//! the limits on everything a scenario can ask for.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::ops::Range;

use simsock_model::limits::{RUN_LIMIT_CEILING, scenario as lim};
use simsock_model::scenario::{Scenario, Step, ThreadSpec};

use super::load::{ScenarioError, find_key, find_quoted_after, find_value, quote};
use super::locate::{self, Seg};

mod faults;
mod notify;
mod overlapped;
mod switches;
mod wsa;

/// Checks a parsed scenario; `source` is its text, to point at mistakes.
pub fn check(s: &Scenario, source: &str) -> Result<(), ScenarioError> {
    check_sizes(s, source)?;
    let mut nodes = check_nodes(s, source)?;
    switches::check_switches(s, source, &mut nodes)?;
    check_links(s, source, &nodes)?;
    switches::check_switch_links(s, source)?;
    let hosts = HostThreads::new(s);
    check_threads(s, source, &hosts)?;
    faults::check_faults(s, source)?;
    wsa::check_wsa(s, source, &hosts)?;
    overlapped::check_overlapped(s, source, &hosts)?; // ConnectEx family (issue 3, item 4)
    check_limits(s, source)
}

fn too_many(
    what: &str,
    count: usize,
    max: usize,
    source: &str,
    key: &str,
) -> Result<(), ScenarioError> {
    if count <= max {
        return Ok(());
    }
    Err(
        ScenarioError::new(format!("{count} {what}; a scenario may have at most {max}"))
            .at(find_key(source, key, 0)),
    )
}

fn check_sizes(s: &Scenario, source: &str) -> Result<(), ScenarioError> {
    too_many("hosts", s.hosts.len(), lim::MAX_HOSTS, source, "hosts")?;
    too_many(
        "routers",
        s.routers.len(),
        lim::MAX_ROUTERS,
        source,
        "routers",
    )?;
    too_many(
        "switches",
        s.switches.len(),
        lim::MAX_SWITCHES,
        source,
        "switches",
    )?;
    too_many("links", s.links.len(), lim::MAX_LINKS, source, "links")?;
    too_many(
        "threads",
        s.threads.len(),
        lim::MAX_THREADS,
        source,
        "threads",
    )?;
    too_many("faults", s.faults.len(), lim::MAX_FAULTS, source, "faults")?;
    if s.name.trim().is_empty() {
        // The name heads every report and names the golden trace.
        return Err(ScenarioError::new("the scenario's name is empty")
            .at(locate::span_of(source, &[Seg::Key("name")]).or(Some(0..0)))
            .help("name the scenario: `name: \"refused\"`"));
    }
    if s.hosts.is_empty() {
        return Err(ScenarioError::new("a scenario needs at least one host")
            .at(find_key(source, "hosts", 0)));
    }
    Ok(())
}

/// Node names must be unique, addresses unique across the topology, and
/// host profiles within their ranges (CB-T2). Returns the node names.
fn check_nodes(s: &Scenario, source: &str) -> Result<BTreeSet<String>, ScenarioError> {
    let mut names = BTreeSet::new();
    let mut addrs: BTreeSet<Ipv4Addr> = BTreeSet::new();
    let all = s
        .hosts
        .iter()
        .map(|h| (&h.name, &h.addrs))
        .chain(s.routers.iter().map(|r| (&r.name, &r.addrs)));
    for (name, node_addrs) in all {
        let here = || find_value(source, "name", name, 0);
        if name.is_empty() || name.len() > lim::MAX_NAME_LEN {
            return Err(ScenarioError::new(format!(
                "node name `{}` must have 1 to {} characters",
                quote(name),
                lim::MAX_NAME_LEN
            ))
            .at(here()));
        }
        if !names.insert(name.clone()) {
            return Err(ScenarioError::new(format!("duplicate node name `{name}`"))
                .at(find_value(source, "name", name, 1)));
        }
        if node_addrs.is_empty() || node_addrs.len() > lim::MAX_ADDRS_PER_NODE {
            return Err(ScenarioError::new(format!(
                "node `{name}` needs 1 to {} addresses",
                lim::MAX_ADDRS_PER_NODE
            ))
            .at(here()));
        }
        for cidr in node_addrs {
            if !addrs.insert(cidr.addr) {
                let text = cidr.to_string();
                return Err(
                    ScenarioError::new(format!("duplicate address {} (on `{name}`)", cidr.addr))
                        .at(find_value(source, "", &text, 1)
                            .or_else(|| find_value(source, "", &text, 0))),
                );
            }
        }
    }
    for host in &s.hosts {
        if let Err(e) = host.profile.validate() {
            let from = find_value(source, "name", &host.name, 0).map_or(0, |r| r.start);
            return Err(
                ScenarioError::new(format!("host `{}`: {}", host.name, e.message))
                    .at(find_key(source, e.field, from)),
            );
        }
    }
    Ok(names)
}

fn check_links(s: &Scenario, source: &str, nodes: &BTreeSet<String>) -> Result<(), ScenarioError> {
    let mut pairs = BTreeSet::new();
    for (i, link) in s.links.iter().enumerate() {
        let at = |key| locate::span_of(source, &[Seg::Key("links"), Seg::Index(i), Seg::Key(key)]);
        let (a, b) = &link.between;
        for end in [a, b] {
            if !nodes.contains(end) {
                let links_at = find_key(source, "links", 0).map_or(0, |r| r.start);
                return Err(
                    ScenarioError::new(format!("link to unknown node `{}`", quote(end)))
                        .at(find_quoted_after(source, end, links_at))
                        .help(format!(
                            "nodes are: {}",
                            nodes.iter().cloned().collect::<Vec<_>>().join(", ")
                        )),
                );
            }
        }
        if a == b {
            return Err(ScenarioError::new(format!("link from `{a}` to itself")).at(at("between")));
        }
        // One link per pair: a second would make two interfaces on one
        // subnet and leave the route between them to declaration order.
        if !pairs.insert((a.min(b), a.max(b))) {
            return Err(
                ScenarioError::new(format!("a second link between `{a}` and `{b}`"))
                    .at(at("between"))
                    .help("one link joins a pair of nodes; set its latency, jitter and loss there"),
            );
        }
        if link.latency > lim::MAX_LATENCY || link.jitter > lim::MAX_LATENCY {
            let key = if link.latency > lim::MAX_LATENCY {
                "latency"
            } else {
                "jitter"
            };
            return Err(ScenarioError::new(format!(
                "link {a}-{b}: latency and jitter are at most {}",
                lim::MAX_LATENCY
            ))
            .at(at(key)));
        }
        if link.loss_ppm > lim::PPM {
            return Err(ScenarioError::new(format!(
                "link {a}-{b}: loss_ppm {} is over 1000000",
                link.loss_ppm
            ))
            .at(at("loss_ppm")));
        }
    }
    Ok(())
}

static NO_NAMES: BTreeSet<String> = BTreeSet::new();

/// The threads of each host, by host name, and what they name: built once,
/// so the checks of a thread look names up rather than walk every thread of
/// its host again (1,000 threads of 1,000 steps took 45 s; issue 15, item 3).
pub(super) struct HostThreads<'a> {
    threads: std::collections::BTreeMap<&'a str, Vec<&'a ThreadSpec>>,
    /// Every socket name any thread of the host creates (Socket, Accept).
    sockets: std::collections::BTreeMap<&'a str, BTreeSet<String>>,
    /// Every event name a CreateEvent step of the host makes.
    events: std::collections::BTreeMap<&'a str, BTreeSet<String>>,
}

impl<'a> HostThreads<'a> {
    pub(super) fn new(s: &'a Scenario) -> Self {
        let mut threads = std::collections::BTreeMap::<&str, Vec<&ThreadSpec>>::new();
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

fn check_threads(s: &Scenario, source: &str, hosts: &HostThreads<'_>) -> Result<(), ScenarioError> {
    let host_names: BTreeSet<&str> = s.hosts.iter().map(|h| h.name.as_str()).collect();
    let mut seen = BTreeSet::new();
    let mut unrolled_total = 0u64;
    for (index, thread) in s.threads.iter().enumerate() {
        let at = |key| {
            locate::span_of(
                source,
                &[Seg::Key("threads"), Seg::Index(index), Seg::Key(key)],
            )
        };
        if !host_names.contains(thread.host.as_str()) {
            return Err(ScenarioError::new(unknown_host(s, thread)).at(at("host")));
        }
        if !seen.insert((thread.host.as_str(), thread.name.as_str())) {
            return Err(ScenarioError::new(format!(
                "two threads named `{}` on host `{}`",
                quote(&thread.name),
                quote(&thread.host)
            ))
            .at(at("name")));
        }
        let count = count_steps(&thread.steps);
        if count > lim::MAX_STEPS_PER_THREAD {
            return Err(ScenarioError::new(format!(
                "thread `{}` has {count} steps; at most {}",
                quote(&thread.name),
                lim::MAX_STEPS_PER_THREAD
            ))
            .at(at("name")));
        }
        let path = StepPath::new(source, index);
        unrolled_total = unrolled_total.saturating_add(unrolled(&thread.steps, &path)?);
        if unrolled_total > lim::MAX_UNROLLED_STEPS {
            return Err(too_long(unrolled_total).at(at("steps")));
        }
        let sockets = hosts.sockets(&thread.host);
        check_steps_at(&thread.steps, sockets, &path)?;
        notify::check_thread(s, thread, hosts, &path)?; // CB-N3..N5
    }
    Ok(())
}

fn unknown_host(s: &Scenario, thread: &ThreadSpec) -> String {
    let is_router = s.routers.iter().any(|r| r.name == thread.host);
    let is_switch = s.switches.iter().any(|w| w.name == thread.host);
    let (name, host) = (quote(&thread.name), quote(&thread.host));
    match is_router || is_switch {
        true => format!(
            "thread `{name}` runs on {} `{host}`; threads run on hosts",
            if is_router { "router" } else { "switch" },
        ),
        false => format!("thread `{name}` runs on unknown host `{host}`"),
    }
}

fn count_steps(steps: &[Step]) -> usize {
    steps
        .iter()
        .map(|s| {
            1 + if let Step::Repeat { steps, .. } = s {
                count_steps(steps)
            } else {
                0
            }
        })
        .sum()
}

fn too_long(steps: u64) -> ScenarioError {
    ScenarioError::new(format!(
        "{steps} steps with every Repeat unrolled; a scenario may run at most {} \
         (a call, the start of a Repeat and each pass through one count a step)",
        lim::MAX_UNROLLED_STEPS
    ))
}

/// The steps `steps` execute with every `Repeat` unrolled, counted as
/// `limits.max_steps` counts them at run time ([`crate::thread::Script`]):
/// a call is one, a `Repeat` one plus one per pass plus its body's per
/// pass. An error at the innermost `Repeat` past
/// [`lim::MAX_UNROLLED_STEPS`] (issue 15, item 1).
fn unrolled(steps: &[Step], path: &StepPath<'_>) -> Result<u64, ScenarioError> {
    let mut total = 0u64;
    for (i, step) in steps.iter().enumerate() {
        let cost = match step {
            Step::Repeat { times, steps } => {
                let body = unrolled(steps, &path.body(i))?;
                let passes = u64::from(*times).saturating_mul(body.saturating_add(1));
                let cost = passes.saturating_add(1);
                if cost > lim::MAX_UNROLLED_STEPS {
                    return Err(too_long(cost).at(path.child(i).head()));
                }
                cost
            }
            _ => 1,
        };
        total = total.saturating_add(cost);
    }
    Ok(total)
}

/// Where one step of one thread is written: the thread's index and the
/// step's index in each enclosing `Repeat`.
pub(super) struct StepPath<'a> {
    source: &'a str,
    segs: Vec<Seg<'static>>,
}

impl<'a> StepPath<'a> {
    /// The steps of thread `thread` (its index in `threads`).
    pub(super) fn new(source: &'a str, thread: usize) -> Self {
        let segs = vec![Seg::Key("threads"), Seg::Index(thread), Seg::Key("steps")];
        StepPath { source, segs }
    }

    /// Step `i` of these steps.
    pub(super) fn child(&self, i: usize) -> Self {
        let mut segs = self.segs.clone();
        segs.push(Seg::Index(i));
        StepPath {
            source: self.source,
            segs,
        }
    }

    /// The steps of the `Repeat` (or APC) at step `i`.
    pub(super) fn body(&self, i: usize) -> Self {
        let mut inner = self.child(i);
        inner.segs.push(Seg::Key("steps"));
        inner
    }

    /// The step's name (`Recv`), to point at the step as a whole.
    pub(super) fn head(&self) -> Option<Range<usize>> {
        locate::span_of(self.source, &self.segs)
    }

    /// The value of the step's field `key`; the step's name when the field
    /// is not written (a default).
    pub(super) fn value(&self, key: &'static str) -> Option<Range<usize>> {
        let mut segs = self.segs.clone();
        segs.push(Seg::Key(key));
        locate::span_of(self.source, &segs).or_else(|| self.head())
    }

    /// The step's key `key` (for a list too long as a whole); the step's
    /// name when the field is not written.
    pub(super) fn key(&self, key: &'static str) -> Option<Range<usize>> {
        let value = self.value(key)?;
        let before = self.source[..value.start].trim_end();
        match before.strip_suffix(':') {
            Some(rest) if rest.trim_end().ends_with(key) => {
                let end = rest.trim_end().len();
                Some(end - key.len()..end)
            }
            _ => Some(value),
        }
    }

    /// Whether the step writes its field `key`.
    pub(super) fn has(&self, key: &'static str) -> bool {
        let mut segs = self.segs.clone();
        segs.push(Seg::Key(key));
        locate::span_of(self.source, &segs).is_some()
    }

    /// Element `i` of the step's list field `key` (a name in select's
    /// `read` set); the field when the element is not found.
    pub(super) fn item(&self, key: &'static str, i: usize) -> Option<Range<usize>> {
        let mut segs = self.segs.clone();
        segs.extend([Seg::Key(key), Seg::Index(i)]);
        locate::span_of(self.source, &segs).or_else(|| self.value(key))
    }
}

pub(super) fn check_steps_at(
    steps: &[Step],
    sockets: &BTreeSet<String>,
    path: &StepPath<'_>,
) -> Result<(), ScenarioError> {
    for (i, step) in steps.iter().enumerate() {
        let at = path.child(i);
        check_step(step, sockets, &at)?;
        if let Step::Repeat { steps, .. } = step {
            check_steps_at(steps, sockets, &path.body(i))?;
        }
    }
    Ok(())
}

fn check_step(
    step: &Step,
    sockets: &BTreeSet<String>,
    at: &StepPath<'_>,
) -> Result<(), ScenarioError> {
    if let Some(name) = step.socket().filter(|n| !sockets.contains(*n)) {
        return Err(ScenarioError::new(format!(
            "unknown socket name `{}`: no Socket or Accept step on this host creates it",
            quote(name)
        ))
        .at(at.value("socket")));
    }
    match step {
        Step::Send {
            data: None,
            len: None,
            ..
        } => Err(ScenarioError::new("Send needs `data` or `len`").at(at.head())),
        Step::SendTo {
            data: None,
            len: None,
            ..
        } => Err(ScenarioError::new("SendTo needs `data` or `len`").at(at.head())),
        Step::Send { len: Some(n), .. } | Step::SendTo { len: Some(n), .. }
            if *n > lim::MAX_SEND_BYTES =>
        {
            Err(too_many_bytes(*n).at(at.value("len")))
        }
        Step::Recv { max: n, .. } | Step::RecvFrom { max: n, .. } if *n > lim::MAX_SEND_BYTES => {
            Err(too_many_bytes(*n).at(at.value("max")))
        }
        Step::Send { data: Some(d), .. } | Step::SendTo { data: Some(d), .. }
            if d.len() > lim::MAX_SEND_BYTES as usize =>
        {
            Err(ScenarioError::new(format!(
                "{} bytes of send data; at most {}",
                d.len(),
                lim::MAX_SEND_BYTES
            ))
            .at(at.value("data")))
        }
        Step::Listen { backlog, .. } if *backlog > lim::MAX_BACKLOG => Err(ScenarioError::new(
            format!("backlog {backlog}; at most {}", lim::MAX_BACKLOG),
        )
        .at(at.value("backlog"))),
        Step::Repeat { times, .. } if *times > lim::MAX_REPEAT => Err(ScenarioError::new(format!(
            "Repeat of {times}; at most {}",
            lim::MAX_REPEAT
        ))
        .at(at.value("times"))),
        _ => Ok(()),
    }
}

fn too_many_bytes(n: u32) -> ScenarioError {
    ScenarioError::new(format!(
        "{n} bytes in one call; at most {}",
        lim::MAX_SEND_BYTES
    ))
}

fn check_limits(s: &Scenario, source: &str) -> Result<(), ScenarioError> {
    let l = &s.limits;
    let c = &RUN_LIMIT_CEILING;
    if l.max_events > c.max_events
        || l.max_time > c.max_time
        || l.max_sockets_per_host > c.max_sockets_per_host
        || l.max_steps > c.max_steps
    {
        return Err(ScenarioError::new(format!(
            "limits above the ceiling: max_events {}, max_time {}, max_sockets_per_host {}, \
             max_steps {}",
            c.max_events, c.max_time, c.max_sockets_per_host, c.max_steps
        ))
        .at(find_key(source, "limits", 0)));
    }
    Ok(())
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
