//! `simsock trace --format pcap` read back by real tshark: the frames parse,
//! every IP and TCP checksum verifies, and the captures tell the refused
//! and TIME_WAIT stories packet by packet. The link layer reads as
//! Wireshark users expect: broadcasts to ff:ff:ff:ff:ff:ff, one MAC per
//! interface, ARP where neighbours resolve (and fail to), MSS on SYNs,
//! drops marked, and `--link NAME` with each packet once.
//!
//! Without tshark on the PATH the tests are skipped with a notice on the
//! terminal, except under CI (the `CI` environment variable set), where
//! `.ci/run` installs it and its absence is a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// One TCP packet as tshark shows it.
#[derive(Debug)]
struct Packet {
    time_ns: u64,
    src_port: u16,
    dst_port: u16,
    /// `SYN,ACK`, in simsock's order (SYN, FIN, RST, PSH, ACK).
    flags: String,
    tcp_checksum: String,
    ip_checksum: String,
    comment: String,
}

/// tshark's fields, in this order; tab-separated output.
const FIELDS: [&str; 7] = [
    "frame.time_epoch",
    "tcp.srcport",
    "tcp.dstport",
    "tcp.flags.str",
    "tcp.checksum.status",
    "ip.checksum.status",
    "frame.comment",
];

/// tshark's value for a checksum that verified (`proto_checksum_vals`).
const GOOD: &str = "1";

fn scenario(name: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    root.join("scenarios")
        .join(format!("{name}.ron"))
        .display()
        .to_string()
}

/// Writes the scenario's pcapng and returns its path.
fn export(name: &str) -> PathBuf {
    export_with(name, &[])
}

/// Writes the scenario's pcapng with extra arguments (`--link NAME`).
fn export_with(name: &str, extra: &[&str]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("trace_pcap");
    std::fs::create_dir_all(&dir).unwrap();
    let file = format!("{}{}.pcapng", name.replace('/', "-"), extra.join("-"));
    let path = dir.join(file);
    let out = simsock(name, extra, &path);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "simsock trace failed: {stderr}");
    path
}

fn simsock(name: &str, extra: &[&str], path: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_simsock"))
        .args(["trace", &scenario(name), "--format", "pcap"])
        .args(extra)
        .arg("--out")
        .arg(path)
        .env_remove("RUST_LOG")
        .output()
        .expect("the simsock binary runs")
}

/// The given fields of the frames `filter` selects, tab-split per frame.
fn fields(path: &Path, filter: &str, names: &[&str]) -> Vec<Vec<String>> {
    let mut command = Command::new("tshark");
    command
        .arg("-r")
        .arg(path)
        .args(["-Y", filter, "-T", "fields"]);
    for name in names {
        command.args(["-e", name]);
    }
    let out = command.output().expect("tshark runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "tshark failed: {stderr}");
    let text = String::from_utf8(out.stdout).unwrap();
    let row = |l: &str| l.split('\t').map(str::to_string).collect();
    text.lines().map(row).collect()
}

const BROADCAST: &str = "ff:ff:ff:ff:ff:ff";

/// Whether tshark can run; fails the test under CI if it cannot
/// ([`common::have_tool`]).
fn have_tshark() -> bool {
    common::have_tool("tshark", "--version", "tshark")
}

/// The TCP packets of a capture, with checksum verification on.
fn read(path: &Path) -> Vec<Packet> {
    let mut command = Command::new("tshark");
    command
        .arg("-r")
        .arg(path)
        .args(["-Y", "tcp", "-T", "fields"]);
    command.args([
        "-o",
        "tcp.check_checksum:TRUE",
        "-o",
        "ip.check_checksum:TRUE",
    ]);
    for field in FIELDS {
        command.args(["-e", field]);
    }
    let out = command.output().expect("tshark runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "tshark failed: {stderr}");
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines().map(packet).collect()
}

fn packet(line: &str) -> Packet {
    let f: Vec<&str> = line.split('\t').collect();
    assert_eq!(f.len(), FIELDS.len(), "unexpected tshark line: {line}");
    Packet {
        time_ns: epoch_ns(f[0]),
        src_port: f[1].parse().unwrap(),
        dst_port: f[2].parse().unwrap(),
        flags: flags(f[3]),
        tcp_checksum: f[4].to_string(),
        ip_checksum: f[5].to_string(),
        comment: f[6].to_string(),
    }
}

/// `30.004000000` -> 30_004_000_000.
fn epoch_ns(text: &str) -> u64 {
    let (secs, frac) = text.split_once('.').unwrap_or((text, "0"));
    let frac = format!("{frac:0<9}");
    secs.parse::<u64>().unwrap() * 1_000_000_000 + frac[..9].parse::<u64>().unwrap()
}

/// tshark's `tcp.flags.str` (`·······A··S·`: the last five are ACK, PSH,
/// RST, SYN, FIN) as simsock writes flags.
fn flags(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let bit = |from_end: usize| chars[chars.len() - 1 - from_end] != '·';
    let names = [(1, "SYN"), (0, "FIN"), (2, "RST"), (3, "PSH"), (4, "ACK")];
    let set: Vec<&str> = names
        .iter()
        .filter(|(i, _)| bit(*i))
        .map(|(_, n)| *n)
        .collect();
    set.join(",")
}

fn assert_checksums_good(packets: &[Packet]) {
    assert!(!packets.is_empty());
    for p in packets {
        assert_eq!(p.ip_checksum, GOOD, "IP checksum of {p:?}");
        assert_eq!(p.tcp_checksum, GOOD, "TCP checksum of {p:?}");
    }
}

fn flag_list(packets: &[&Packet]) -> Vec<String> {
    packets.iter().map(|p| p.flags.clone()).collect()
}

#[test]
fn refused_then_connected() {
    if !have_tshark() {
        return;
    }
    let packets = read(&export("refused"));
    assert_checksums_good(&packets);
    let all: Vec<&Packet> = packets.iter().collect();
    #[rustfmt::skip]
    let expected = [
        // Five SYNs, each answered with RST: WSAECONNREFUSED at 2.010 s
        // (Windows 10/11 re-sends a refused SYN 4 times).
        "SYN", "RST,ACK", "SYN", "RST,ACK", "SYN", "RST,ACK", "SYN", "RST,ACK", "SYN", "RST,ACK",
        // At 6 s the server listens: handshake, 5 bytes, FIN both ways. The
        // server's ACK of the data waits (delayed ACK); the FIN's covers both.
        "SYN", "SYN,ACK", "ACK", "PSH,ACK", "FIN,ACK", "ACK", "FIN,ACK", "ACK",
    ];
    assert_eq!(flag_list(&all), expected);
    for p in all.iter().filter(|p| p.flags == "RST,ACK") {
        assert_eq!(p.comment, "reset: no listener");
    }
    assert_eq!(all[2].comment, "SYN re-sent after RST");
    assert_eq!(all[2].time_ns, 502_000_000);
    assert_eq!(all[13].comment, "payload: 5 zero bytes (not in the trace)");
    assert_eq!(all[10].time_ns, 6_000_000_000);
}

#[test]
fn time_wait_holds_the_four_tuple() {
    if !have_tshark() {
        return;
    }
    let packets = read(&export("reuse"));
    assert_checksums_good(&packets);
    let port_5000: Vec<&Packet> = packets
        .iter()
        .filter(|p| p.src_port == 5000 || p.dst_port == 5000)
        .collect();
    let connection = ["SYN", "SYN,ACK", "ACK", "FIN,ACK", "ACK", "FIN,ACK", "ACK"];
    // Nothing on the wire for the connects that fail with WSAEADDRINUSE:
    // the second connection starts when TIME_WAIT ends, 30 s after 4 ms.
    assert_eq!(flag_list(&port_5000), [connection, connection].concat());
    assert_eq!(port_5000[6].time_ns, 4_000_000);
    assert_eq!(port_5000[7].time_ns, 30_004_000_000);
    // tiny: three connections use its three ephemeral ports; the fourth
    // connect finds none (WSAENOBUFS) and the next SYN waits for the first
    // TIME_WAIT to end at 120.004 s.
    let syns: Vec<(u16, u64)> = packets
        .iter()
        .filter(|p| p.flags == "SYN" && p.dst_port == 8080)
        .map(|p| (p.src_port, p.time_ns))
        .collect();
    let expected = [
        (65533, 0),
        (65534, 1_002_000_000),
        (65535, 2_004_000_000),
        (65533, 120_004_000_000),
    ];
    assert_eq!(syns, expected);
}

#[test]
fn flags_read_like_simsock() {
    assert_eq!(flags("··········S·"), "SYN");
    assert_eq!(flags("·······A·R··"), "RST,ACK");
    assert_eq!(flags("·······AP···"), "PSH,ACK");
    assert_eq!(flags("·······A···F"), "FIN,ACK");
    assert_eq!(epoch_ns("30.004000000"), 30_004_000_000);
    assert_eq!(epoch_ns("0.5"), 500_000_000);
}

/// CB-B3 as frames: the limited and the directed broadcast of alice's own
/// subnet go to the Ethernet broadcast address on every port of the
/// switch; the directed broadcast of erin's subnet leaves alice as a
/// unicast to the router, and so does the unicast to erin.
#[test]
fn broadcasts_go_to_the_broadcast_mac() {
    if !have_tshark() {
        return;
    }
    let path = export("broadcast/who-receives");
    let udp = fields(&path, "udp", &["ip.dst", "eth.dst", "eth.src"]);
    assert!(!udp.is_empty());
    for f in &udp {
        let broadcast = f[0] == "255.255.255.255" || f[0] == "10.0.0.255";
        assert_eq!(f[1] == BROADCAST, broadcast, "frame {f:?}");
        assert_ne!(f[2], BROADCAST);
    }
    // Three broadcasts reach five ports each (alice's and four others).
    assert_eq!(udp.iter().filter(|f| f[1] == BROADCAST).count(), 15);
    // A switch keeps the sender's MAC: alice's on every port.
    let alice = &udp[0][2];
    assert!(
        udp.iter()
            .filter(|f| f[1] == BROADCAST)
            .all(|f| &f[2] == alice)
    );
}

/// Each interface has one MAC, seen as source and destination by its
/// peer, on one link only; the ARP reply announces the MAC the next frame
/// is sent to.
#[test]
fn one_mac_per_interface() {
    if !have_tshark() {
        return;
    }
    let path = export("unreachable");
    let frames = fields(&path, "ip", &["frame.interface_name", "eth.src", "eth.dst"]);
    let mut per_link: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for f in frames.iter().filter(|f| !f[0].ends_with("(inside)")) {
        per_link
            .entry(f[0].clone())
            .or_default()
            .extend([f[1].clone(), f[2].clone()]);
    }
    assert_eq!(per_link.len(), 2, "{per_link:?}");
    for macs in per_link.values() {
        assert_eq!(macs.len(), 2, "two ends, one MAC each: {macs:?}");
    }
    let [a, b]: [&std::collections::BTreeSet<String>; 2] =
        per_link.values().collect::<Vec<_>>().try_into().unwrap();
    assert!(a.is_disjoint(b), "the router has a MAC per link");
    let replies = fields(
        &path,
        "arp.opcode == 2",
        &["arp.src.hw_mac", "arp.src.proto_ipv4"],
    );
    let router = &replies[0];
    assert_eq!(router[1], "10.0.0.254");
    let syn = fields(
        &path,
        "tcp.flags.syn == 1 && tcp.flags.ack == 0",
        &["eth.dst"],
    );
    assert_eq!(syn[0][0], router[0]);
}

/// The router's ARP for 10.0.1.99 goes unanswered at 0.001, 1.001 and
/// 2.001 s, then its ICMP host unreachable leaves at 2.001 s; the client's
/// own ARP for 10.0.0.99 fails at 0, 1 and 2 s. Neighbours that answer
/// show a request and a reply before their first frame.
#[test]
fn arp_where_neighbours_resolve_and_fail() {
    if !have_tshark() {
        return;
    }
    let path = export("unreachable");
    let names = [
        "frame.time_epoch",
        "arp.opcode",
        "arp.dst.proto_ipv4",
        "eth.dst",
    ];
    let arp = fields(&path, "arp", &names);
    let times_for = |ip: &str| -> Vec<u64> {
        arp.iter()
            .filter(|f| f[1] == "1" && f[2] == ip)
            .map(|f| epoch_ns(&f[0]))
            .collect()
    };
    assert_eq!(
        times_for("10.0.1.99"),
        [1_000_000, 1_001_000_000, 2_001_000_000]
    );
    assert_eq!(times_for("10.0.0.99"), [0, 1_000_000_000, 2_000_000_000]);
    assert!(
        arp.iter()
            .filter(|f| f[1] == "1")
            .all(|f| f[3] == BROADCAST)
    );
    let replies: Vec<&String> = arp.iter().filter(|f| f[1] == "2").map(|f| &f[2]).collect();
    assert_eq!(replies, ["10.0.0.1", "10.0.1.254"], "who learnt each reply");
    assert!(!arp.iter().any(|f| f[1] == "2" && f[3] == BROADCAST));
    let icmp = fields(
        &path,
        "icmp.type == 3 && icmp.code == 1",
        &["frame.time_epoch"],
    );
    let icmp: Vec<u64> = icmp.iter().map(|f| epoch_ns(&f[0])).collect();
    assert_eq!(icmp, [2_000_000_000, 2_001_000_000]);
}

/// Every SYN and SYN-ACK carries MSS 1460; no other segment has options.
#[test]
fn syns_carry_the_mss_option() {
    if !have_tshark() {
        return;
    }
    let path = export("refused");
    let tcp = fields(&path, "tcp", &["tcp.flags.syn", "tcp.options.mss_val"]);
    assert!(tcp.iter().any(|f| f[0] == "1"));
    for f in &tcp {
        let expected = if f[0] == "1" { "1460" } else { "" };
        assert_eq!(f[1], expected, "{f:?}");
    }
}

/// A dropped packet's comment starts with "dropped", whether the link
/// lost it, its receiver refused it on arrival, or a router discarded it.
#[test]
fn drops_are_marked() {
    if !have_tshark() {
        return;
    }
    let cases = [
        ("faults/flapping-link", "dropped on the link: link down", 6),
        (
            "faults/netdown",
            "dropped by client on arrival: interface down",
            3,
        ),
        (
            "unreachable",
            "dropped by router: no neighbour answers ARP",
            1,
        ),
        (
            "unreachable",
            "dropped inside client: no neighbour answers ARP",
            1,
        ),
    ];
    for (name, comment, count) in cases {
        let path = export(name);
        let dropped = fields(
            &path,
            "frame.comment contains \"dropped\"",
            &["frame.comment"],
        );
        let matching = dropped.iter().filter(|f| f[0].starts_with(comment)).count();
        assert_eq!(matching, count, "{name}: {dropped:?}");
        assert!(
            dropped.iter().all(|f| f[0].starts_with("dropped")),
            "{dropped:?}"
        );
    }
}

/// In the whole run, Wireshark's TCP analysis matches the copy of a routed
/// packet on the second link with the first and calls it a
/// retransmission; `--link` writes one link, each packet once, unflagged.
#[test]
fn one_link_has_no_false_retransmission() {
    if !have_tshark() {
        return;
    }
    let flagged = "tcp.analysis.retransmission";
    let whole = export("unreachable");
    assert!(!fields(&whole, flagged, &["frame.number"]).is_empty());
    let one = export_with("unreachable", &["--link", "router-server"]);
    assert!(fields(&one, flagged, &["frame.number"]).is_empty());
    let frames = fields(&one, "frame", &["frame.interface_name", "_ws.col.Protocol"]);
    assert!(frames.iter().all(|f| f[0] == "router-server"), "{frames:?}");
    let tcp = read(&one);
    let expected = ["SYN", "SYN,ACK", "ACK", "FIN,ACK", "ACK", "FIN,ACK", "ACK"];
    assert_eq!(flag_list(&tcp.iter().collect::<Vec<_>>()), expected);
}

/// An unknown link is an error that lists the links, with exit code 2.
#[test]
fn an_unknown_link_lists_the_links() {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("nope.pcapng");
    let out = simsock("unreachable", &["--link", "nope"], &path);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no link named \"nope\""), "{stderr}");
    assert!(stderr.contains("client-router, router-server"), "{stderr}");
    assert!(!path.exists());
}
