//! The link a server's SYN,ACK takes is the one the routing rules pick
//! (`Routes::next_hop`), whichever link the SYN came over. A host answers
//! a SYN from a direct neighbour on its subnet over the link it came on
//! without asking the routing tables (`net::routing::hop_back`, issue 18);
//! these multi-link topologies are where that could pick another way.

use simsock_sim::scenario::{Report, RunOptions, load, run};
use simsock_tests::assert_passed;

fn run_story(text: &str) -> Report {
    let scenario = load(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let report = run(&scenario, &RunOptions::default());
    assert_passed(&report);
    report
}

/// The links the SYN,ACKs of node `node` were sent over, in order.
fn syn_ack_links(report: &Report, node: &str) -> Vec<String> {
    let sent = format!(" {node} send ");
    report
        .trace_lines()
        .into_iter()
        .filter(|l| l.contains(&sent) && l.contains("SYN,ACK"))
        .map(|l| {
            l.split(&sent)
                .nth(1)
                .unwrap_or("")
                .split(' ')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

/// A server thread on `host` that accepts `n` connections on port 80.
fn server(host: &str, n: usize) -> String {
    let accepts: String = (0..n)
        .map(|i| format!(r#"Accept(socket: "l", name: "a{i}"),"#))
        .collect();
    format!(
        r#"Thread(host: "{host}", name: "server", steps: [
            Socket(name: "l"),
            Bind(socket: "l", addr: "0.0.0.0:80"),
            Listen(socket: "l"),
            {accepts}
        ]),"#
    )
}

/// `c` binds its address off `s`'s subnet and reaches `s` over their direct
/// link (its route to 10.0.2.1 is on-link through its second address),
/// but `s` routes `c`'s subnet through `r`: the SYN,ACK leaves over `s-r`,
/// not back over `c-s`, and the handshake takes 2 + 1 + 5 ms.
#[test]
fn a_syn_ack_follows_the_route_not_the_link_the_syn_came_over() {
    let text = format!(
        r#"Scenario(
    name: "asymmetric",
    hosts: [
        Host(name: "c", addrs: ["10.0.1.1/24", "10.0.2.5/24"]),
        Host(name: "s", addrs: ["10.0.2.1/24"]),
    ],
    routers: [Router(name: "r", addrs: ["10.0.1.254/24", "10.0.2.254/24"])],
    links: [
        Link(between: ("c", "s"), latency: "2ms"),
        Link(between: ("s", "r"), latency: "1ms"),
        Link(between: ("c", "r"), latency: "5ms"),
    ],
    threads: [
        {server}
        Thread(host: "c", name: "client", start: "1s", steps: [
            Socket(name: "k"),
            Bind(socket: "k", addr: "10.0.1.1:5000"),
            Connect(socket: "k", to: "10.0.2.1:80", expect: Ok, took: "8ms"),
        ]),
    ],
)"#,
        server = server("s", 1)
    );
    let report = run_story(&text);
    let syn = " c send c-s TCP 10.0.1.1:5000 > 10.0.2.1:80 [SYN] ";
    assert!(report.trace_contains(syn), "{:#?}", report.trace_lines());
    assert_eq!(syn_ack_links(&report, "s"), ["s-r"]);
}

/// A server with five direct clients (more links than the neighbour scan
/// reads) answers each over the link its SYN came on. (The checker refuses
/// a second link between two nodes, so a scenario has no parallel links;
/// `hop_back` steps aside for a topology that has them.)
#[test]
fn a_server_with_many_links_answers_each_client_on_its_link() {
    let mut hosts = String::from(r#"Host(name: "s", addrs: ["10.0.0.1/24"]),"#);
    let mut links = String::new();
    let mut clients = String::new();
    for i in 0..5 {
        hosts += &format!(r#"Host(name: "c{i}", addrs: ["10.0.0.{}/24"]),"#, 10 + i);
        links += &format!(r#"Link(between: ("s", "c{i}"), latency: "1ms"),"#);
        clients += &format!(
            r#"Thread(host: "c{i}", name: "client", start: "{i}s", steps: [
                Socket(name: "k"),
                Connect(socket: "k", to: "10.0.0.1:80", expect: Ok, took: "2ms"),
            ]),"#
        );
    }
    let text = format!(
        r#"Scenario(name: "star", hosts: [{hosts}], links: [{links}],
            threads: [{server} {clients}])"#,
        server = server("s", 5)
    );
    let report = run_story(&text);
    let want: Vec<String> = (0..5).map(|i| format!("s-c{i}")).collect();
    assert_eq!(syn_ack_links(&report, "s"), want);
}
