//! `simsock trace --format pcap` read back by real tshark: the frames parse,
//! every IP and TCP checksum verifies, and the captures tell the refused
//! and TIME_WAIT stories packet by packet.
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
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("trace_pcap");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.pcapng"));
    let out = Command::new(env!("CARGO_BIN_EXE_simsock"))
        .args(["trace", &scenario(name), "--format", "pcap", "--out"])
        .arg(&path)
        .env_remove("RUST_LOG")
        .output()
        .expect("the simsock binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "simsock trace failed: {stderr}");
    path
}

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
