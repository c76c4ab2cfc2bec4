//! The views of an async run's outcome from Rust (issue 13, item 5):
//! `simsock_tools::trace::OutcomeViews` gives the ladder, the Mermaid
//! text, the JSON lines and a pcapng file of a `simsock_sim::async_net`
//! run, drawn by the same code as `simsock trace`.

use std::time::Duration;

use simsock_sim::async_net::{Outcome, Sim, TcpStream};
use simsock_tools::trace::OutcomeViews;

/// A connect to a port nobody listens on: refused after Windows' four SYN
/// re-sends, at 2.010 s.
fn refused() -> Outcome {
    let mut sim = Sim::from_ron(
        r#"Scenario(
    name: "refused",
    hosts: [Host(name: "client", addrs: ["10.0.0.1/24"]),
            Host(name: "server", addrs: ["10.0.0.2/24"])],
    links: [Link(between: ("client", "server"), latency: "1ms")],
)"#,
    )
    .unwrap()
    .seed(7);
    sim.client("client", async {
        let start = tokio::time::Instant::now();
        let refused = TcpStream::connect("server:80").await.unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
        assert_eq!(start.elapsed(), Duration::from_millis(2010));
        Ok::<_, std::io::Error>(())
    });
    let outcome = sim.run();
    outcome.assert_passed();
    outcome
}

/// The ladder shows the calls the async connect made, the five SYNs and
/// RSTs with their times, and where the connect learnt the refusal.
#[test]
fn the_ladder_draws_the_refused_connect() {
    let ladder = refused().ladder(100).unwrap();
    let lines: Vec<&str> = ladder.lines().map(str::trim_end).collect();
    assert_eq!(lines[0], "refused  seed 7");
    for expected in [
        "0.000s      │ tokio: WSAStartup(2.2) → OK",
        "            │ tokio: connect(t1, 10.0.0.2:80) …",
        "0.001s      │<────────────── RST,ACK seq=0 ack=1 (reset: no listener) ────────────────┤",
        "2.008s      ├─────────────────── SYN seq=0 (SYN re-sent after RST) ──────────────────>│",
        "2.010s      │ CLOSED",
        "            │ tokio: getsockopt(t1, SO_ERROR) → OK (10061)",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(expected)),
            "no line {expected:?} in\n{ladder}"
        );
    }
    assert_eq!(ladder.matches("SYN seq=0").count(), 5, "{ladder}");
    // Box-drawing characters take one column each.
    assert!(lines.iter().all(|l| l.chars().count() <= 100), "{ladder}");
}

/// The Mermaid text: one participant per host, one message per packet.
#[test]
fn the_mermaid_text_has_each_packet() {
    let mermaid = refused().mermaid();
    assert!(mermaid.starts_with("sequenceDiagram\n"), "{mermaid}");
    assert!(mermaid.contains("    participant n0 as client (10.0.0.1)\n"));
    assert!(mermaid.contains("    participant n1 as server (10.0.0.2)\n"));
    assert_eq!(mermaid.matches("    n0->>n1: ").count(), 5, "{mermaid}");
    assert_eq!(mermaid.matches("    n1->>n0: ").count(), 5, "{mermaid}");
    assert!(mermaid.contains("    n1->>n0: 2.009s RST,ACK seq=0 ack=1 (reset: no listener)\n"));
}

/// The JSON lines: one object per trace event, in the trace's order.
#[test]
fn the_json_lines_are_the_trace_events() {
    let outcome = refused();
    let text = outcome.json_lines();
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect();
    assert_eq!(events.len(), outcome.report.trace.len());
    assert_eq!(events[0]["kind"], "call");
    assert_eq!(events[0]["call"], "WSAStartup(2.2)");
    let so_error = events
        .iter()
        .find(|e| e["kind"] == "return" && e["call"] == "getsockopt(t1, SO_ERROR)")
        .expect("the SO_ERROR read");
    assert_eq!(so_error["result"], "OK (10061)");
    assert_eq!(so_error["time_ns"], 2_010_000_000u64);
}

/// The pcapng: Wireshark's format, read back with pcap-file and
/// etherparse: five SYNs from the client, each answered by an RST.
#[test]
fn the_pcap_file_has_the_syn_rst_exchanges() {
    use etherparse::{SlicedPacket, TransportSlice};
    use pcap_file::pcapng::{Block, PcapNgReader};

    let outcome = refused();
    let path = std::env::temp_dir().join(format!("simsock-outcome-{}.pcapng", std::process::id()));
    outcome.write_pcapng(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(bytes, outcome.pcapng());
    let mut reader = PcapNgReader::new(&bytes[..]).expect("a pcapng section");
    let mut segments = Vec::new();
    while let Some(block) = reader.next_block() {
        let Block::EnhancedPacket(packet) = block.expect("a well-formed block") else {
            continue;
        };
        let frame = SlicedPacket::from_ethernet(&packet.data).expect("an Ethernet frame");
        let Some(TransportSlice::Tcp(tcp)) = frame.transport else {
            continue; // ARP
        };
        let flags = match (tcp.syn(), tcp.rst(), tcp.ack()) {
            (true, false, false) => "SYN",
            (false, true, true) => "RST,ACK",
            other => panic!("unexpected flags {other:?}"),
        };
        segments.push((packet.timestamp.as_millis(), tcp.source_port(), flags));
    }
    let expected: Vec<(u128, u16, &str)> = [0, 502, 1004, 1506, 2008]
        .into_iter()
        .flat_map(|t| [(t, 49152, "SYN"), (t + 1, 80, "RST,ACK")])
        .collect();
    assert_eq!(segments, expected);
}

/// The HTML page is the one `simsock view` writes.
#[test]
fn the_html_page_is_self_contained() {
    let page = refused().html();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains(r#"<script type="application/json" id="trace-data">"#));
}
