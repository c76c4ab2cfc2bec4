//! `simsock trace` end to end: JSON lines, `--out`, and the errors (a bad
//! file, an unwritable output) with exit code 2.

mod common;
use common::*;

use std::fs;
use std::path::PathBuf;

use serde_json::Value;

/// A directory of this test's own, emptied.
fn dir(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("trace_cli")
        .join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn json_is_one_event_per_line_with_packet_fields() {
    let out = simsock(&["trace", &bundled("refused.ron"), "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // The golden trace of refused.ron has 79 events.
    assert_eq!(lines.len(), 79);
    let first = &lines[0];
    assert_eq!(first["time_ns"], 0);
    assert_eq!(first["node"], "client");
    assert_eq!(first["kind"], "call");
    let rst = lines
        .iter()
        .find(|l| l["kind"] == "send" && l["packet"]["flags"] == "RST,ACK")
        .expect("a reset is sent");
    assert_eq!(rst["cause"], "reset: no listener");
    assert_eq!(rst["link"], "client-server");
    assert_eq!(rst["packet"]["proto"], "tcp");
    assert_eq!(rst["packet"]["src"], "10.0.0.2");
    assert_eq!(rst["packet"]["src_port"], 80);
    assert_eq!(rst["packet"]["ack"], 726_731_832u64);
}

#[test]
fn out_writes_the_same_bytes_as_stdout() {
    let dir = dir("out");
    let path = dir.join("refused.mmd");
    let path_text = path.display().to_string();
    let out = simsock(&[
        "trace",
        &bundled("refused.ron"),
        "--format",
        "mermaid",
        "--out",
        &path_text,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let piped = simsock(&["trace", &bundled("refused.ron"), "--format", "mermaid"]);
    assert_eq!(fs::read(&path).unwrap(), piped.stdout);
    assert_eq!(
        fs::read_dir(&dir).unwrap().count(),
        1,
        "a temporary file was left"
    );
}

#[test]
fn an_unwritable_out_exits_2_and_leaves_nothing() {
    let dir = dir("unwritable");
    // A directory where the file should go: the rename cannot replace it.
    let target = dir.join("taken");
    fs::create_dir(&target).unwrap();
    let target_text = target.display().to_string();
    let out = simsock(&[
        "trace",
        &bundled("refused.ron"),
        "--format",
        "pcap",
        "--out",
        &target_text,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot write"), "{}", stderr(&out));
    assert_eq!(
        fs::read_dir(&dir).unwrap().count(),
        1,
        "a temporary file was left"
    );
    let missing = dir.join("no/such/dir/x.pcapng").display().to_string();
    let out = simsock(&["trace", &bundled("refused.ron"), "--out", &missing]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot write"));
}

#[test]
fn a_bad_file_exits_2_with_its_location() {
    let dir = dir("bad");
    let path = dir.join("bad.ron");
    fs::write(&path, "Scenario(\n  name: 1,\n)\n").unwrap();
    let out = simsock(&["trace", &path.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad.ron:2:"), "{}", stderr(&out));
    let out = simsock(&["trace", "no/such/file.ron"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read no/such/file.ron"));
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    let out = simsock(&["trace", &bundled("refused.ron"), "--format", "svg"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Loopback: packets over a host's `lo` stay on its lifeline in the ladder
/// and are named `lo` in the JSON trace.
#[test]
fn loopback_packets_are_shown_on_lo() {
    let file = bundled("windows/loopback-connect.ron");
    let out = simsock(&["trace", &file, "--format", "ladder"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ladder = String::from_utf8(out.stdout).unwrap();
    assert!(ladder.contains('↺'), "{ladder}");
    assert!(ladder.contains("lo: SYN seq=0"), "{ladder}");
    let out = simsock(&["trace", &file, "--format", "json"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let syn = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|l| l["kind"] == "send" && l["packet"]["flags"] == "SYN")
        .expect("a SYN is sent");
    assert_eq!(syn["link"], "lo");
    assert_eq!(syn["packet"]["src"], "127.0.0.1");
}
