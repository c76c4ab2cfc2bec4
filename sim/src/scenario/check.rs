//! The semantic check of a scenario, before anything runs: names that must
//! exist, addresses that must be unique, settings within their ranges, and
//! the limits on everything a scenario can ask for.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use simsock_model::limits::{RUN_LIMIT_CEILING, scenario as lim};
use simsock_model::scenario::{Scenario, Step};

use super::load::{ScenarioError, find_key, find_quoted_after, find_value};

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
    check_threads(s, source)?;
    faults::check_faults(s, source)?;
    wsa::check_wsa(s, source)?;
    overlapped::check_overlapped(s, source)?; // ConnectEx family (issue 3, item 4)
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
                "node name `{name}` must have 1 to {} characters",
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
    for link in &s.links {
        let (a, b) = &link.between;
        for end in [a, b] {
            if !nodes.contains(end) {
                let links_at = find_key(source, "links", 0).map_or(0, |r| r.start);
                return Err(ScenarioError::new(format!("link to unknown node `{end}`"))
                    .at(find_quoted_after(source, end, links_at))
                    .help(format!(
                        "nodes are: {}",
                        nodes.iter().cloned().collect::<Vec<_>>().join(", ")
                    )));
            }
        }
        if a == b {
            return Err(ScenarioError::new(format!("link from `{a}` to itself"))
                .at(find_key(source, "between", 0)));
        }
        if link.latency > lim::MAX_LATENCY || link.jitter > lim::MAX_LATENCY {
            return Err(ScenarioError::new(format!(
                "link {a}-{b}: latency and jitter are at most {}",
                lim::MAX_LATENCY
            ))
            .at(find_key(source, "latency", 0)));
        }
        if link.loss_ppm > lim::PPM {
            return Err(ScenarioError::new(format!(
                "link {a}-{b}: loss_ppm {} is over 1000000",
                link.loss_ppm
            ))
            .at(find_key(source, "loss_ppm", 0)));
        }
    }
    Ok(())
}

fn check_threads(s: &Scenario, source: &str) -> Result<(), ScenarioError> {
    let mut seen = BTreeSet::new();
    for thread in &s.threads {
        if !s.hosts.iter().any(|h| h.name == thread.host) {
            let is_router = s.routers.iter().any(|r| r.name == thread.host);
            let is_switch = s.switches.iter().any(|w| w.name == thread.host);
            let message = match is_router || is_switch {
                true => format!(
                    "thread `{}` runs on {} `{}`; threads run on hosts",
                    thread.name,
                    if is_router { "router" } else { "switch" },
                    thread.host
                ),
                false => format!(
                    "thread `{}` runs on unknown host `{}`",
                    thread.name, thread.host
                ),
            };
            return Err(ScenarioError::new(message).at(find_value(
                source,
                "host",
                &thread.host,
                0,
            )));
        }
        if !seen.insert((thread.host.clone(), thread.name.clone())) {
            return Err(ScenarioError::new(format!(
                "two threads named `{}` on host `{}`",
                thread.name, thread.host
            ))
            .at(find_value(source, "name", &thread.name, 1)));
        }
        let count = count_steps(&thread.steps);
        if count > lim::MAX_STEPS_PER_THREAD {
            return Err(ScenarioError::new(format!(
                "thread `{}` has {count} steps; at most {}",
                thread.name,
                lim::MAX_STEPS_PER_THREAD
            ))
            .at(find_value(source, "name", &thread.name, 0)));
        }
        let sockets = sockets_on_host(s, &thread.host);
        check_steps(&thread.steps, &sockets, source)?;
        notify::check_thread(s, thread, &sockets, source)?; // CB-N3..N5
    }
    Ok(())
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

/// Every socket name any thread of the host creates (Socket, Accept).
fn sockets_on_host(s: &Scenario, host: &str) -> BTreeSet<String> {
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
    for t in s.threads.iter().filter(|t| t.host == host) {
        collect(&t.steps, &mut names);
    }
    names
}

fn check_steps(
    steps: &[Step],
    sockets: &BTreeSet<String>,
    source: &str,
) -> Result<(), ScenarioError> {
    for step in steps {
        if let Some(name) = step.socket().filter(|n| !sockets.contains(*n)) {
            return Err(ScenarioError::new(format!(
                "unknown socket name `{name}`: no Socket or Accept step on this host creates it"
            ))
            .at(find_value(source, "socket", name, 0)));
        }
        match step {
            Step::Send {
                data: None,
                len: None,
                ..
            } => {
                return Err(ScenarioError::new("Send needs `data` or `len`")
                    .at(find_key(source, "Send", 0)
                        .or_else(|| source.find("Send(").map(|i| i..i + 4))));
            }
            Step::SendTo {
                data: None,
                len: None,
                ..
            } => {
                return Err(ScenarioError::new("SendTo needs `data` or `len`")
                    .at(source.find("SendTo(").map(|i| i..i + 6)));
            }
            Step::Send { len: Some(n), .. }
            | Step::Recv { max: n, .. }
            | Step::SendTo { len: Some(n), .. }
            | Step::RecvFrom { max: n, .. }
                if *n > lim::MAX_SEND_BYTES =>
            {
                return Err(ScenarioError::new(format!(
                    "{n} bytes in one call; at most {}",
                    lim::MAX_SEND_BYTES
                ))
                .at(find_key(source, "len", 0).or_else(|| find_key(source, "max", 0))));
            }
            Step::Send { data: Some(d), .. } | Step::SendTo { data: Some(d), .. }
                if d.len() > lim::MAX_SEND_BYTES as usize =>
            {
                return Err(
                    ScenarioError::new("send data over the limit").at(find_key(source, "data", 0))
                );
            }
            Step::Listen { backlog, .. } if *backlog > lim::MAX_BACKLOG => {
                return Err(ScenarioError::new(format!(
                    "backlog {backlog}; at most {}",
                    lim::MAX_BACKLOG
                ))
                .at(find_key(source, "backlog", 0)));
            }
            Step::Repeat { times, steps } => {
                if *times > lim::MAX_REPEAT {
                    return Err(ScenarioError::new(format!(
                        "Repeat of {times}; at most {}",
                        lim::MAX_REPEAT
                    ))
                    .at(find_key(source, "times", 0)));
                }
                check_steps(steps, sockets, source)?;
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_limits(s: &Scenario, source: &str) -> Result<(), ScenarioError> {
    let l = &s.limits;
    let c = &RUN_LIMIT_CEILING;
    if l.max_events > c.max_events
        || l.max_time > c.max_time
        || l.max_sockets_per_host > c.max_sockets_per_host
    {
        return Err(ScenarioError::new(format!(
            "limits above the ceiling: max_events {}, max_time {}, max_sockets_per_host {}",
            c.max_events, c.max_time, c.max_sockets_per_host
        ))
        .at(find_key(source, "limits", 0)));
    }
    Ok(())
}
