//! `simsock compare` end to end, and `explain` with errno names.

mod common;
use common::*;

/// Windows against Linux on a refused connect: the connect and
/// WSAGetLastError differ, each side with its own code, time and `why:`.
#[test]
fn compare_profiles_shows_each_sides_result_time_and_why() {
    let out = simsock(&["compare", &bundled("refused.ron")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("every host windows | linux"), "{text}");
    assert!(
        text.contains("windows     2.010s  WSAECONNREFUSED"),
        "{text}"
    );
    assert!(text.contains("linux       0.002s  ECONNREFUSED"), "{text}");
    assert!(text.contains("why: ECONNREFUSED at 0.002 s"), "{text}");
    assert!(
        text.contains("2 of 15 calls differ in result or time"),
        "{text}"
    );
}

/// `--profiles` picks the two personalities; an unknown one is a usage
/// error (exit 2).
#[test]
fn compare_takes_two_known_profiles() {
    let file = bundled("windows/refused-2s.ron");
    let out = simsock(&["compare", &file, "--profiles", "windows,windows-documented"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("1.006s  WSAECONNREFUSED"), "{text}");
    assert!(text.contains("windows-documented  FAIL"), "{text}");
    let bad = simsock(&["compare", &file, "--profiles", "windows,bsd"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("unknown profile `bsd`"),
        "{}",
        stderr(&bad)
    );
}

/// Two seeds of the lossy link: the traces part where one seed loses the
/// phone's SYN at 3 s and the other does not; the connect ends at 3.040 s
/// under seed 1 and 12.040 s under seed 2.
#[test]
fn compare_seeds_shows_where_the_traces_part() {
    let out = simsock(&["compare", &bundled("timeout.ron"), "--seeds", "1,2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("the traces part at event 29"), "{text}");
    assert!(
        text.contains("seed 2  3.000s phone drop phone-cloud"),
        "{text}"
    );
    assert!(text.contains("seed 1     3.040s  OK"), "{text}");
    assert!(text.contains("seed 2    12.040s  OK"), "{text}");
    // No loss, no jitter: only the sequence numbers depend on the seed.
    let same = stdout(&simsock(&[
        "compare",
        &bundled("refused.ron"),
        "--seeds",
        "1,2",
    ]));
    assert!(
        same.contains("the traces are the same, event for event, but for sequence numbers"),
        "{same}"
    );
}

/// `explain` takes an errno by name or number and follows it with its
/// Winsock counterpart; a WSA code names its errno.
#[test]
fn explain_knows_errno_names() {
    let by_name = simsock(&["explain", "ECONNREFUSED"]);
    let by_number = simsock(&["explain", "111"]);
    assert_eq!(by_name.status.code(), Some(0));
    assert_eq!(stdout(&by_name), stdout(&by_number));
    let text = stdout(&by_name);
    assert!(
        text.starts_with("ECONNREFUSED (Linux errno 111)\n"),
        "{text}"
    );
    assert!(text.contains("WSAECONNREFUSED (10061)"), "{text}");
    assert!(
        text.contains("scenarios/linux/refused-at-once.ron"),
        "{text}"
    );
    let wsa = stdout(&simsock(&["explain", "WSAETIMEDOUT"]));
    assert!(
        wsa.contains("On Linux (the linux personality): ETIMEDOUT (110)."),
        "{wsa}"
    );
    let inprogress = stdout(&simsock(&["explain", "EINPROGRESS"]));
    assert!(inprogress.contains("WSAEWOULDBLOCK"), "{inprogress}");
}

/// Each Linux scenario that `explain` lists for an errno has a call that
/// returns it, under that name.
#[test]
fn explain_errno_scenarios_show_the_errno() {
    for errno in [
        "ECONNREFUSED",
        "ETIMEDOUT",
        "EINPROGRESS",
        "EALREADY",
        "EISCONN",
        "EADDRINUSE",
        "EADDRNOTAVAIL",
        "ENETUNREACH",
        "EHOSTUNREACH",
        "EACCES",
    ] {
        let text = stdout(&simsock(&["explain", errno]));
        let files: Vec<&str> = text
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|w| w.starts_with("scenarios/linux/"))
            .collect();
        assert!(!files.is_empty(), "{errno}: {text}");
        for file in files {
            let path = bundled(file.trim_start_matches("scenarios/"));
            let run = stdout(&simsock(&["run", &path]));
            assert!(
                run.contains(&format!("  {errno}\n")),
                "{errno} in {file}: {run}"
            );
        }
    }
}
