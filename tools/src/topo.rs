//! `simsock topo FILE [--format text|dot]`: a scenario's network before it
//! runs: the nodes and their addresses, the links and their settings
//! (latency, jitter, loss, up or down), and each node's route toward every
//! subnet of the address plan, as the simulator's own routing answers it.
//!
//! ```text
//! $ simsock topo scenarios/unreachable.ron
//! unreachable  scenarios/unreachable.ron
//! nodes
//!   client  host    10.0.0.1/24
//!   router  router  10.0.0.254/24  10.0.1.254/24
//! links
//!   client-router  client -- router  latency 1ms  jitter 0s  loss 0 ppm  up
//! routes: next hop toward each subnet
//!   client  10.0.0.0/24  attached
//!           10.0.1.0/24  via router 10.0.0.254 (link client-router)
//! ```
//!
//! `--format dot` writes the same as a Graphviz graph (`| dot -Tsvg`):
//! hosts as boxes, routers as ellipses, a link down as a dashed red edge,
//! each host's routes to subnets it is not attached to in its label.

mod marks;

use std::io::{self, Write};
use std::net::Ipv4Addr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use simsock_model::addr::Ipv4Net;
use simsock_sim::World;
use simsock_sim::net::{Hop, NodeId, NodeKind};
use simsock_sim::scenario::{self, RunOptions};
use simsock_sim::trace::TraceMode;

use self::marks::Marks;
use crate::exit::Exit;
use crate::files;
use crate::output::width::{self, display, pad};
use crate::run::finish;

#[derive(Debug, Args)]
pub struct TopoArgs {
    /// The scenario file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// `text` for the terminal, `dot` for Graphviz.
    #[arg(long, value_enum, default_value_t = TopoFormat::Text)]
    pub format: TopoFormat,
}

/// The views of a topology.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TopoFormat {
    /// Aligned columns: nodes, links, routes.
    Text,
    /// A Graphviz `graph`.
    Dot,
}

/// Prints the topology of one scenario file.
pub fn topo(args: &TopoArgs) -> Exit {
    let Some(file) = files::load(&args.file) else {
        return Exit::Invalid;
    };
    let options = RunOptions {
        trace: TraceMode::Off,
        record_calls: false,
        invariants: false,
        ..RunOptions::default()
    };
    let mut world = scenario::build(&file.scenario, &options);
    let mut plan = Plan::read(&file.scenario.name, &mut world);
    plan.marks = Marks::read(&file.scenario.faults);
    let mut out = io::stdout().lock();
    let written = match args.format {
        TopoFormat::Text => plan.text(&mut out, &file.file),
        TopoFormat::Dot => plan.dot(&mut out),
    };
    finish(written, Exit::Ok)
}

/// The network of a built world, in declaration order.
#[derive(Debug)]
pub struct Plan {
    name: String,
    nodes: Vec<NodeView>,
    links: Vec<LinkView>,
    /// The scenario's faults, drawn on what they act on (DOT only).
    marks: Marks,
}

#[derive(Debug)]
struct NodeView {
    name: String,
    router: bool,
    /// A switch (a link segment): drawn as such, no routes of its own.
    switch: bool,
    addrs: Vec<String>,
    /// The next hop toward each subnet, in the plan's order.
    routes: Vec<(Ipv4Net, Route)>,
}

#[derive(Debug)]
struct LinkView {
    name: String,
    ends: [String; 2],
    settings: String,
    /// Loss as a percentage, for the drawing.
    loss: String,
    up: bool,
}

/// Where a node sends packets for a subnet.
#[derive(Debug, PartialEq, Eq)]
enum Route {
    /// One of the node's own interfaces is on it.
    Attached,
    /// To the neighbour `node` (at `addr` on the shared subnet) over `link`.
    Via {
        node: String,
        addr: Option<Ipv4Addr>,
        link: String,
        /// The switch the link leads to, when the next hop is beyond it.
        switch: Option<String>,
    },
    /// No path leads there.
    Missing,
}

impl Plan {
    /// Reads nodes, links and routes; routes come from the world's own
    /// routing (`Routes::next_hop`), asked for each subnet's base address.
    pub fn read(name: &str, world: &mut World) -> Plan {
        let subnets: Vec<Ipv4Net> = world.topology().subnets().map(|(net, _)| net).collect();
        let mut nodes = Vec::with_capacity(world.topology().nodes.len());
        for index in 0..world.topology().nodes.len() {
            let id = NodeId(index as u32);
            let routes = subnets
                .iter()
                .map(|net| (*net, route(world, id, *net)))
                .collect();
            let node = world.topology().node(id);
            nodes.push(NodeView {
                name: node.name.to_string(),
                router: node.kind == NodeKind::Router,
                switch: node.kind == NodeKind::Switch,
                addrs: node.addrs.iter().map(ToString::to_string).collect(),
                routes,
            });
        }
        let topo = world.topology();
        let links = topo
            .links
            .iter()
            .filter(|l| l.ends[0] != l.ends[1]) // a host's loopback `lo`: not a cable
            .map(|l| LinkView {
                name: l.name.to_string(),
                ends: l.ends.map(|n| topo.node(n).name.to_string()),
                settings: format!(
                    "latency {}  jitter {}  loss {} ppm",
                    l.latency, l.jitter, l.loss_ppm
                ),
                loss: marks::percent(l.loss_ppm),
                up: l.up,
            })
            .collect();
        Plan {
            name: name.to_string(),
            nodes,
            links,
            marks: Marks::default(),
        }
    }

    /// The text view: three aligned sections.
    pub fn text(&self, out: &mut dyn Write, file: &str) -> io::Result<()> {
        writeln!(out, "{}  {file}", self.name)?;
        let name_w = self.nodes.iter().map(|n| display(&n.name)).max();
        let name_w = name_w.unwrap_or(0);
        writeln!(out, "nodes")?;
        for n in &self.nodes {
            let kind = match (n.router, n.switch) {
                (true, _) => "router",
                (_, true) => "switch",
                _ => "host",
            };
            let addrs = n.addrs.join("  ");
            writeln!(out, "  {}  {kind:<6}  {addrs}", pad(&n.name, name_w))?;
        }
        writeln!(out, "links")?;
        let link_w = self.links.iter().map(|l| display(&l.name)).max();
        let ends_w = self.links.iter().map(|l| display(&ends(l))).max();
        let (link_w, ends_w) = (link_w.unwrap_or(0), ends_w.unwrap_or(0));
        for l in &self.links {
            let state = if l.up { "up" } else { "down" };
            let (name, ends) = (&l.name, ends(l));
            let head = format!("  {}  {}  ", pad(name, link_w), pad(&ends, ends_w));
            fit(out, &head, &format!("{}  {state}", l.settings))?;
        }
        writeln!(out, "routes: next hop toward each subnet")?;
        for n in &self.nodes {
            for (i, (net, route)) in n.routes.iter().enumerate() {
                let name = if i == 0 { n.name.as_str() } else { "" };
                let net = net.to_string();
                let head = format!("  {}  {net:<18} ", pad(name, name_w));
                fit(out, &head, &describe(route))?;
            }
        }
        Ok(())
    }

    /// The Graphviz view: an undirected graph, one edge per link, faults
    /// drawn in orange on what they act on, and a legend.
    pub fn dot(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "graph {} {{", quote(&self.name))?;
        writeln!(
            out,
            "  graph [rankdir=LR, fontname=\"monospace\", fontsize=10];"
        )?;
        writeln!(out, "  node [fontname=\"monospace\", fontsize=10];")?;
        writeln!(out, "  edge [fontname=\"monospace\", fontsize=9];")?;
        for n in &self.nodes {
            self.dot_node(out, n)?;
        }
        for l in &self.links {
            self.dot_link(out, l)?;
        }
        if !self.marks.network.is_empty() {
            let lines: Vec<String> = self
                .marks
                .network
                .iter()
                .map(|m| format!("fault {m}"))
                .collect();
            writeln!(out, "  label={}; labelloc=b;", label(&lines))?;
        }
        writeln!(out, "{LEGEND}}}")
    }

    fn dot_node(&self, out: &mut dyn Write, n: &NodeView) -> io::Result<()> {
        let mut lines = vec![n.name.clone()];
        lines.extend(n.addrs.iter().cloned());
        if !n.router && !n.switch {
            lines.extend(n.routes.iter().filter_map(|(net, route)| match route {
                Route::Attached => None,
                Route::Via { node, .. } => Some(format!("{net} via {node}")),
                Route::Missing => Some(format!("{net}: no route")),
            }));
        }
        let marks = self.marks.host(&n.name);
        lines.extend(marks.iter().map(|m| format!("fault {m}")));
        let shape = match (n.router, n.switch) {
            (true, _) => "ellipse",
            (_, true) => "diamond",
            _ => "box",
        };
        let colour = if marks.is_empty() { "" } else { FAULT_COLOUR };
        writeln!(
            out,
            "  {} [shape={shape}, label={}{colour}];",
            quote(&n.name),
            label(&lines)
        )
    }

    fn dot_link(&self, out: &mut dyn Write, l: &LinkView) -> io::Result<()> {
        let settings = l.settings.replace("  ", ", ");
        let settings = settings
            .split_once(", loss")
            .map_or(settings.clone(), |(head, _)| {
                format!("{head}, loss {}", l.loss)
            });
        let mut lines = vec![l.name.clone(), settings];
        if !l.up {
            lines.push("down at the start".to_string());
        }
        let marks = self.marks.link(&l.ends[0], &l.ends[1]);
        lines.extend(marks.iter().map(|m| format!("fault {m}")));
        let style = match (l.up, marks.is_empty()) {
            (false, _) => ", style=dashed, color=red",
            (true, false) => FAULT_COLOUR,
            (true, true) => "",
        };
        writeln!(
            out,
            "  {} -- {} [label={}{style}];",
            quote(&l.ends[0]),
            quote(&l.ends[1]),
            label(&lines)
        )
    }
}

/// `head` then `tail` on one line when it fits the width; else `tail` on
/// the lines under it, wrapped and indented four columns.
fn fit(out: &mut dyn Write, head: &str, tail: &str) -> io::Result<()> {
    let cols = width::columns();
    if display(head) + display(tail) <= cols {
        return writeln!(out, "{head}{tail}");
    }
    writeln!(out, "{}", head.trim_end())?;
    if 4 + display(tail) <= cols {
        return writeln!(out, "    {tail}");
    }
    for line in width::hanging("    ", tail, cols) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// How a node or link that a fault acts on is drawn.
const FAULT_COLOUR: &str = ", color=orange, fontcolor=darkorange3";

/// What the shapes, lines and colours mean; node names in parentheses, so
/// that no scenario name (letters, digits, `-`, `_`, `.`) can clash.
const LEGEND: &str = r#"  subgraph "cluster_(legend)" {
    label="legend"; style=dashed; fontsize=9;
    "(host)" [shape=box, label="host"];
    "(router)" [shape=ellipse, label="router"];
    "(switch)" [shape=diamond, label="switch"];
    "(a)" [shape=point]; "(b)" [shape=point]; "(c)" [shape=point];
    "(d)" [shape=point]; "(e)" [shape=point]; "(f)" [shape=point];
    "(a)" -- "(b)" [label="link"];
    "(c)" -- "(d)" [label="down at the start", style=dashed, color=red];
    "(e)" -- "(f)" [label="a fault acts on it", color=orange, fontcolor=darkorange3];
  }
"#;

fn ends(l: &LinkView) -> String {
    format!("{} -- {}", l.ends[0], l.ends[1])
}

/// The route from `node` toward `net`, by the simulator's routing.
fn route(world: &mut World, node: NodeId, net: Ipv4Net) -> Route {
    let mine = world.topology().node(node).addrs.clone();
    if mine.iter().any(|c| c.network() == net) {
        return Route::Attached;
    }
    match world.next_hop(node, Ipv4Addr::from(net.base)) {
        Hop::Forward {
            link,
            to: neighbour,
        } => {
            let to = beyond_switches(world, neighbour, Ipv4Addr::from(net.base));
            let topo = world.topology();
            let switch = (to != neighbour).then(|| topo.node(neighbour).name.to_string());
            let theirs = &topo.node(to).addrs;
            let addr = theirs
                .iter()
                .find(|t| mine.iter().any(|m| m.contains(t.addr)))
                .map(|t| t.addr);
            Route::Via {
                node: topo.node(to).name.to_string(),
                addr,
                link: topo.links[link.0 as usize].name.to_string(),
                switch,
            }
        }
        Hop::Local | Hop::Unresolved => Route::Attached,
        Hop::NoRoute => Route::Missing,
    }
}

/// The node a packet for `dst` reaches past the switches from `hop` on:
/// the router or host that is the real next hop (a switch relays within
/// its segment and has no address of its own).
fn beyond_switches(world: &mut World, mut hop: NodeId, dst: Ipv4Addr) -> NodeId {
    for _ in 0..world.topology().nodes.len() {
        if world.topology().node(hop).kind != NodeKind::Switch {
            break;
        }
        match world.next_hop(hop, dst) {
            Hop::Forward { to, .. } => hop = to,
            _ => break,
        }
    }
    hop
}

fn describe(route: &Route) -> String {
    match route {
        Route::Attached => "attached".to_string(),
        Route::Via {
            node,
            addr,
            link,
            switch,
        } => {
            let addr = addr.map(|a| format!(" {a}")).unwrap_or_default();
            let through = switch
                .as_ref()
                .map(|s| format!(", switch {s}"))
                .unwrap_or_default();
            format!("via {node}{addr} (link {link}{through})")
        }
        Route::Missing => "no route".to_string(),
    }
}

/// A DOT quoted string: backslashes and quotes escaped.
fn quote(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

/// A DOT label of several centred lines.
fn label(lines: &[String]) -> String {
    let escaped: Vec<String> = lines
        .iter()
        .map(|l| l.replace('\\', "\\\\").replace('"', "\\\""))
        .collect();
    format!("\"{}\"", escaped.join("\\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(name: &str) -> Plan {
        let path = files::default_dir().join(name);
        let file = files::load(&path).expect("a bundled scenario");
        let mut world = scenario::build(&file.scenario, &RunOptions::default());
        let mut plan = Plan::read(&file.scenario.name, &mut world);
        plan.marks = Marks::read(&file.scenario.faults);
        plan
    }

    fn text(plan: &Plan) -> String {
        let mut out = Vec::new();
        plan.text(&mut out, "f.ron").unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Routes come from the simulator's routing: through the router to
    /// the far subnet, attached on the near one.
    #[test]
    fn routes_go_through_the_router() {
        let text = text(&plan("unreachable.ron"));
        assert!(
            text.contains("  client  10.0.0.0/24        attached\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "          10.0.1.0/24        via router 10.0.0.254 (link client-router)\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "  server  10.0.0.0/24        via router 10.0.1.254 (link router-server)\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("  router  router  10.0.0.254/24  10.0.1.254/24\n"),
            "{text}"
        );
    }

    #[test]
    fn link_settings_show_loss_and_state() {
        let text = text(&plan("timeout.ron"));
        assert!(
            text.contains(
                "client-server  client -- server  latency 1ms  jitter 0s  loss 0 ppm  down"
            ),
            "{text}"
        );
        assert!(text.contains("loss 600000 ppm  up"), "{text}");
    }

    #[test]
    fn dot_is_one_graph_with_a_dashed_down_link() {
        let mut out = Vec::new();
        plan("timeout.ron").dot(&mut out).unwrap();
        let dot = String::from_utf8(out).unwrap();
        assert!(dot.starts_with("graph \"timeout\" {\n"), "{dot}");
        assert!(dot.ends_with("}\n"));
        assert!(
            dot.contains("\"client\" -- \"server\" [label=\"client-server\\nlatency 1ms, jitter 0s, loss 0%\\ndown at the start\\nfault 25s: up\", style=dashed, color=red];"),
            "{dot}"
        );
        assert!(dot.contains(
            "\"client\" [shape=box, label=\"client\\n10.0.0.1/24\\n10.0.2.0/24: no route\"];"
        ));
        assert!(dot.contains("loss 60%"), "{dot}");
        // The scenario's two links and the legend's three.
        assert_eq!(dot.matches(" -- ").count(), 5);
        assert!(dot.contains("subgraph \"cluster_(legend)\""), "{dot}");
    }

    /// A host's route through a switch names the router beyond it.
    #[test]
    fn a_route_through_a_switch_names_the_router() {
        let text = text(&plan("broadcast/who-receives.ron"));
        assert!(
            text.contains("via router 10.0.0.254 (link alice-lan, switch lan)"),
            "{text}"
        );
        assert!(!text.contains("via lan"), "{text}");
    }

    /// Faults are drawn on what they act on, in orange.
    #[test]
    fn dot_draws_faults_on_their_host_and_link() {
        let plan = plan("faults/server-crash.ron");
        let mut out = Vec::new();
        plan.dot(&mut out).unwrap();
        let dot = String::from_utf8(out).unwrap();
        assert!(
            dot.contains("fault 1s: crash\\nfault 30s: restart\", color=orange"),
            "{dot}"
        );
    }

    #[test]
    fn dot_strings_are_escaped() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(label(&["x".into(), "y\"".into()]), r#""x\ny\"""#);
    }
}
