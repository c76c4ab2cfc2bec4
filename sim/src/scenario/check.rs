//! The semantic check of a scenario, before anything runs: names that must
//! exist, addresses that must be unique, settings within their ranges, and
//! the limits on everything a scenario can ask for.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use simsock_model::limits::{RUN_LIMIT_CEILING, scenario as lim};
use simsock_model::scenario::{Scenario, Step, ThreadSpec};

use super::load::{ScenarioError, find_key, find_quoted_after, find_value, quote};
use super::locate::{self, Seg};

use hosts::HostThreads;
use path::StepPath;

mod faults;
mod hosts;
mod notify;
mod overlapped;
mod path;
mod switches;
mod wincalls;
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
        let linux = s
            .hosts
            .iter()
            .any(|h| h.name == thread.host && h.profile.personality.errno_names());
        if !linux {
            errno_on_windows(&thread.steps, &thread.host, &path)?;
        }
        notify::check_thread(s, thread, hosts, &path)?; // CB-N3..N5
    }
    Ok(())
}

/// An `Errno(...)` expectation on a host that shows WSA codes could never
/// hold: it is an error at the expectation (`winsock::errno`).
fn errno_on_windows(steps: &[Step], host: &str, path: &StepPath<'_>) -> Result<(), ScenarioError> {
    for (i, step) in steps.iter().enumerate() {
        if let Some(simsock_model::scenario::Outcome::Errno(errno)) = step.expectation().result {
            let wsa = errno
                .to_wsa()
                .map_or(String::new(), |w| format!("write `Err({})` or ", w.name()));
            return Err(ScenarioError::new(format!(
                "`{}` is a Linux errno, but host `{}` shows Winsock codes: {wsa}give the \
                 host `profile: (personality: Linux)`",
                errno.name(),
                quote(host)
            ))
            .at(path.child(i).value("expect")));
        }
        if let Step::Repeat { steps, .. } = step {
            errno_on_windows(steps, host, &path.body(i))?;
        }
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

fn check_steps_at(
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
    if let Step::WsaPoll { .. } = step {
        return wincalls::check(step, sockets, at); // issue 14, item 3
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
