//! `simsock shrink` end to end: irrelevant hosts, threads, faults and steps
//! go; the written scenario loads and fails the same way with the seed.

mod common;
use common::*;

use std::fs;
use std::path::PathBuf;

/// The client expects to connect, but nothing listens: refused. The printer,
/// its thread, its link, the fault and the client's sleep are irrelevant.
const REFUSED: &str = r#"Scenario(
    name: "wrongly-hopeful",
    about: "The client expects a listener that is not there.",
    seed: 1,
    hosts: [
        Host(name: "client", addrs: ["10.0.0.1/24"]),
        Host(name: "server", addrs: ["10.0.0.2/24"]),
        Host(name: "printer", addrs: ["10.0.0.3/24"]),
    ],
    links: [
        Link(between: ("client", "server"), latency: "1ms"),
        Link(between: ("printer", "server"), latency: "1ms"),
    ],
    faults: [
        Fault(at: "5s", action: LinkDown("printer", "server")),
    ],
    threads: [
        Thread(host: "printer", name: "spool", steps: [
            Socket(name: "p"),
            Sleep("1s"),
            Close(socket: "p"),
        ]),
        Thread(host: "client", name: "main", steps: [
            Socket(name: "s"),
            Sleep("2s"),
            Connect(socket: "s", to: "10.0.0.2:80", expect: Ok),
            Close(socket: "s"),
        ]),
    ],
)
"#;

/// A directory of this test's own.
fn dir(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("shrink")
        .join(test);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn irrelevant_parts_go_and_the_failure_stays() {
    let dir = dir("irrelevant");
    let file = dir.join("refused.ron");
    fs::write(&file, REFUSED).unwrap();
    let file = file.display().to_string();
    let before = simsock(&["run", &file, "--seed", "4"]);
    assert_eq!(before.status.code(), Some(1));

    let out = simsock(&["shrink", &file, "--seed", "4"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shrunk = dir.join("refused.shrunk.ron");
    let written = fs::read_to_string(&shrunk).unwrap();
    for gone in ["printer", "spool", "Fault", "Sleep", "Close"] {
        assert!(!written.contains(gone), "{gone} is still there:\n{written}");
    }
    for kept in ["client", "server", "Connect", "seed: 4"] {
        assert!(written.contains(kept), "{kept} is missing:\n{written}");
    }

    // It replays without --seed, and fails as the original did.
    let after = simsock(&["run", &shrunk.display().to_string()]);
    assert_eq!(after.status.code(), Some(1));
    let failure = "client/main: connect(s, 10.0.0.2:80): expected OK, got WSAECONNREFUSED";
    assert!(text(&before.stdout).contains(failure));
    assert!(
        text(&after.stdout).contains(failure),
        "{}",
        text(&after.stdout)
    );
}

#[test]
fn out_names_the_file() {
    let dir = dir("out");
    let file = dir.join("refused.ron");
    fs::write(&file, REFUSED).unwrap();
    let out_path = dir.join("small.ron").display().to_string();
    let file = file.display().to_string();
    let out = simsock(&["shrink", &file, "--seed", "1", "--out", &out_path]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains(&format!("wrote {out_path}")));
    let check = simsock(&["check", &out_path]);
    assert_eq!(check.status.code(), Some(0));
    assert!(!dir.join("refused.shrunk.ron").exists());
}

#[test]
fn a_passing_seed_or_a_bad_file_is_a_usage_error() {
    let dir = dir("passing");
    let file = dir.join("fine.ron");
    fs::write(
        &file,
        REFUSED.replace("expect: Ok", "expect: Err(WSAECONNREFUSED)"),
    )
    .unwrap();
    let file = file.display().to_string();
    let out = simsock(&["shrink", &file, "--seed", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no failure to shrink"));
    assert!(!dir.join("fine.shrunk.ron").exists());
    let out = simsock(&["shrink", "no/such.ron", "--seed", "1"]);
    assert_eq!(out.status.code(), Some(2));
}

/// A failure that is not a call's (a thread still blocked when the run
/// hit its time limit) is matched with its numbers blanked, but the message
/// and the file's `about` quote it as it was: they said
/// `connect(s, #.#.#.#:#)` (issue 15, item 4).
#[test]
fn the_failure_is_quoted_with_its_numbers() {
    let dir = dir("numbers");
    let file = dir.join("blocked.ron");
    let text = REFUSED
        .replace(
            r#"Link(between: ("client", "server"), latency: "1ms"),"#,
            r#"Link(between: ("client", "server"), latency: "1ms", loss_ppm: 1000000),"#,
        )
        .replace("seed: 1,", "seed: 1, limits: (max_time: \"10s\"),");
    fs::write(&file, text).unwrap();
    let file = file.display().to_string();
    let out = simsock(&["shrink", &file, "--seed", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", text_of(&out.stderr));
    let written = fs::read_to_string(dir.join("blocked.shrunk.ron")).unwrap();
    let about = written
        .lines()
        .find(|l| l.contains("about:"))
        .expect("an about line");
    assert!(about.contains("connect(s, 10.0.0.2:80)"), "{about}");
    assert!(!about.contains('#'), "{about}");
    assert!(
        !text_of(&out.stdout).contains("#.#"),
        "{}",
        text_of(&out.stdout)
    );
}

fn text_of(bytes: &[u8]) -> String {
    text(bytes)
}
