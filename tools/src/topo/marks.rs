//! A scenario's faults as marks on the topology drawing: each link and
//! host a fault acts on gets a line saying when and what (`5s: down`), and
//! faults on the whole network (partitions) a line under the graph.

use std::collections::BTreeMap;

use simsock_model::fault::{FaultAction, FaultSpec, Trigger};

/// The marks of one scenario, keyed by the names the drawing uses.
#[derive(Debug, Default)]
pub struct Marks {
    /// By link ends, the smaller name first.
    pub links: BTreeMap<(String, String), Vec<String>>,
    pub hosts: BTreeMap<String, Vec<String>>,
    pub network: Vec<String>,
}

impl Marks {
    pub fn read(faults: &[FaultSpec]) -> Marks {
        let mut marks = Marks::default();
        for spec in faults {
            let line = format!("{}: {}", when(spec), what(&spec.action));
            if let Some((a, b)) = spec.action.link() {
                marks.links.entry(pair(a, b)).or_default().push(line);
            } else if let Some(host) = spec.action.host() {
                marks.hosts.entry(host.to_string()).or_default().push(line);
            } else {
                marks.network.push(line);
            }
        }
        marks
    }

    /// The marks of the link between `a` and `b`.
    pub fn link(&self, a: &str, b: &str) -> &[String] {
        self.links.get(&pair(a, b)).map_or(&[], Vec::as_slice)
    }

    pub fn host(&self, name: &str) -> &[String] {
        self.hosts.get(name).map_or(&[], Vec::as_slice)
    }
}

fn pair(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

/// `5s`, or `after SYN #2 client->server +10ms`.
fn when(spec: &FaultSpec) -> String {
    let Some(Trigger::Packet {
        from,
        to,
        flags,
        count,
    }) = &spec.after
    else {
        return spec.at.unwrap_or_default().to_string();
    };
    let kind = flags.as_deref().unwrap_or("packet");
    let path = format!(
        "{}->{}",
        from.as_deref().unwrap_or("any"),
        to.as_deref().unwrap_or("any")
    );
    let delay = match spec.delay.as_nanos() {
        0 => String::new(),
        _ => format!(" +{}", spec.delay),
    };
    format!("after {kind} #{count} {path}{delay}")
}

/// What the action does, in a few words.
fn what(action: &FaultAction) -> String {
    match action {
        FaultAction::LinkDown(..) => "down".into(),
        FaultAction::LinkUp(..) => "up".into(),
        FaultAction::LinkSet {
            latency,
            jitter,
            loss_ppm,
            duplicate_ppm,
            reorder_ppm,
            ..
        } => {
            let mut set = Vec::new();
            set.extend(latency.map(|l| format!("latency {l}")));
            set.extend(jitter.map(|j| format!("jitter {j}")));
            set.extend(loss_ppm.map(|p| format!("loss {}", percent(p))));
            set.extend(duplicate_ppm.map(|p| format!("duplicate {}", percent(p))));
            set.extend(reorder_ppm.map(|p| format!("reorder {}", percent(p))));
            format!("set {}", set.join(", "))
        }
        FaultAction::Partition(groups) => {
            let groups: Vec<String> = groups.iter().map(|g| g.join(" ")).collect();
            format!("partition {{{}}}", groups.join("} | {"))
        }
        FaultAction::Heal => "heal".into(),
        FaultAction::HostCrash(_) => "crash".into(),
        FaultAction::HostRestart(_) => "restart".into(),
        FaultAction::InterfaceDown(_) => "interface down".into(),
        FaultAction::InterfaceUp(_) => "interface up".into(),
        FaultAction::Firewall { rule, .. } => format!("firewall {rule}"),
        FaultAction::FirewallClear(_) => "firewall cleared".into(),
    }
}

/// Parts per million as a percentage: `60%`, `0.1%`, `0.0001%`.
pub fn percent(ppm: u32) -> String {
    let whole = ppm / 10_000;
    let rest = ppm % 10_000;
    if rest == 0 {
        return format!("{whole}%");
    }
    let decimals = format!("{rest:04}");
    format!("{whole}.{}%", decimals.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use simsock_model::SimDuration;

    #[test]
    fn parts_per_million_read_as_percent() {
        assert_eq!(percent(600_000), "60%");
        assert_eq!(percent(1_000), "0.1%");
        assert_eq!(percent(1), "0.0001%");
        assert_eq!(percent(0), "0%");
        assert_eq!(percent(1_000_000), "100%");
    }

    #[test]
    fn faults_mark_their_link_host_or_network() {
        let faults = [
            FaultSpec::at(
                SimDuration::from_secs(5),
                FaultAction::LinkDown("server".into(), "client".into()),
            ),
            FaultSpec::at(
                SimDuration::from_secs(2),
                FaultAction::HostCrash("server".into()),
            ),
            FaultSpec::at(
                SimDuration::from_secs(1),
                FaultAction::Partition(vec![vec!["a".into()], vec!["b".into(), "c".into()]]),
            ),
        ];
        let marks = Marks::read(&faults);
        assert_eq!(marks.link("client", "server"), ["5s: down"]);
        assert_eq!(marks.host("server"), ["2s: crash"]);
        assert_eq!(marks.network, ["1s: partition {a} | {b c}"]);
    }
}
