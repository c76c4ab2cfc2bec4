//! Windows' bind matrix, cell by cell, through real bind calls: a first
//! socket binds with no option, SO_REUSEADDR or SO_EXCLUSIVEADDRUSE to the
//! wildcard 0.0.0.0:7000 or the specific 127.0.0.1:7000, then a second
//! socket does the same (Microsoft, "Using SO_REUSEADDR and
//! SO_EXCLUSIVEADDRUSE"; the table as "Sharing Transport Addresses" gives
//! it, CHECK granted on a one-user host; Wine `test_reuseaddr` checks the
//! cells marked so in `sim/src/winsock/bind_rules.rs`). Then the same
//! pairs under `linux` (socket(7), `inet_bind_conflict`) and
//! `windows-documented` (CB-C17).

use simsock_sim::scenario::{RunOptions, load, run};
use simsock_tests::calls_named;

/// A socket's option before bind.
#[derive(Clone, Copy, Debug)]
enum Opt {
    None,
    Reuse,
    Exclusive,
}

const WILD: &str = "0.0.0.0:7000";
const SPEC: &str = "127.0.0.1:7000";

fn set(socket: &str, opt: Opt) -> String {
    match opt {
        Opt::None => String::new(),
        Opt::Reuse => format!("SetOption(socket: \"{socket}\", option: SO_REUSEADDR, value: 1),"),
        Opt::Exclusive => {
            format!("SetOption(socket: \"{socket}\", option: SO_EXCLUSIVEADDRUSE, value: 1),")
        }
    }
}

/// The second bind's result when the first is bound (and listens, if
/// `listening`), on a host of `personality`.
fn second_bind(
    personality: &str,
    first: (Opt, &str),
    second: (Opt, &str),
    listening: bool,
) -> String {
    let listen = if listening {
        "Listen(socket: \"a\"),"
    } else {
        ""
    };
    let text = format!(
        r#"Scenario(
    name: "matrix",
    hosts: [Host(name: "box", addrs: ["10.0.0.1/24"], profile: (personality: {personality}))],
    threads: [
        Thread(host: "box", name: "main", steps: [
            Socket(name: "a"), {} Bind(socket: "a", addr: "{}", expect: Ok), {listen}
            Socket(name: "b"), {} Bind(socket: "b", addr: "{}"),
        ]),
    ],
)"#,
        set("a", first.0),
        first.1,
        set("b", second.0),
        second.1,
    );
    let scenario = load(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let report = run(&scenario, &RunOptions::default());
    assert!(report.passed, "the first bind failed: {text}");
    calls_named(&report, "box", "main", "bind(b,")[0]
        .result
        .clone()
}

/// The 36 cells: rows the second bind, columns the first, each in the
/// order no option wildcard, no option specific, SO_REUSEADDR wildcard,
/// specific, SO_EXCLUSIVEADDRUSE wildcard, specific. S: success, U:
/// WSAEADDRINUSE, D: WSAEACCES.
const WINDOWS: [&str; 6] = [
    "USUSUS", // no option, wildcard
    "SUSDDU", // no option, specific
    "DSSSDS", // SO_REUSEADDR, wildcard
    "SDSSDD", // SO_REUSEADDR, specific
    "UUUUUU", // SO_EXCLUSIVEADDRUSE, wildcard
    "SUSUDU", // SO_EXCLUSIVEADDRUSE, specific
];

const SIDES: [(Opt, &str); 6] = [
    (Opt::None, WILD),
    (Opt::None, SPEC),
    (Opt::Reuse, WILD),
    (Opt::Reuse, SPEC),
    (Opt::Exclusive, WILD),
    (Opt::Exclusive, SPEC),
];

fn code(cell: char) -> &'static str {
    match cell {
        'S' => "OK",
        'U' => "WSAEADDRINUSE",
        'D' => "WSAEACCES",
        other => panic!("no cell {other}"),
    }
}

#[test]
fn every_cell_of_the_windows_bind_matrix() {
    let mut wrong = Vec::new();
    for (row, second) in SIDES.iter().enumerate() {
        for (col, first) in SIDES.iter().enumerate() {
            let want = code(WINDOWS[row].as_bytes()[col] as char);
            let got = second_bind("Windows", *first, *second, false);
            if got != want {
                wrong.push(format!(
                    "first {first:?}, second {second:?}: {got}, want {want}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Linux: overlapping addresses conflict unless both set SO_REUSEADDR and
/// the first does not listen; 0.0.0.0 and 127.0.0.1 overlap.
#[test]
fn linux_shares_an_address_only_between_reuseaddr_sockets_that_do_not_listen() {
    let sides = &SIDES[..4];
    for (i, second) in sides.iter().enumerate() {
        for (j, first) in sides.iter().enumerate() {
            let both_reuse = i >= 2 && j >= 2;
            for listening in [false, true] {
                let want = if both_reuse && !listening {
                    "OK"
                } else {
                    "EADDRINUSE"
                };
                let got = second_bind("Linux", *first, *second, listening);
                assert_eq!(
                    got, want,
                    "first {first:?}, second {second:?}, listening {listening}"
                );
            }
        }
    }
}

/// windows-documented (CB-C17): a held port needs SO_REUSEADDR, whatever
/// the address; an exclusive socket refuses everyone.
#[test]
fn documented_rules_hold_the_port_per_host() {
    for second in &SIDES {
        for first in &SIDES {
            let want = match (first.0, second.0) {
                (Opt::Exclusive, _) => "WSAEADDRINUSE",
                (_, Opt::Reuse) => "OK",
                _ => "WSAEADDRINUSE",
            };
            let got = second_bind("WindowsDocumented", *first, *second, false);
            assert_eq!(got, want, "first {first:?}, second {second:?}");
        }
    }
}

/// Two specific addresses that differ never meet, under any rules.
#[test]
fn different_specific_addresses_do_not_meet() {
    for personality in ["Windows", "Linux"] {
        let got = second_bind(
            personality,
            (Opt::None, "10.0.0.1:7000"),
            (Opt::None, SPEC),
            true,
        );
        assert_eq!(got, "OK", "{personality}");
    }
}

/// A socket of the dual-stack tests: AF_INET6 with IPV6_V6ONLY 0 on [::],
/// or AF_INET on an IPv4 address.
fn socket_steps(name: &str, dual: bool, opt: Opt, addr: &str) -> String {
    let (family, v6only, addr) = match dual {
        true => (
            "family: Inet6",
            format!("SetOption(socket: \"{name}\", option: IPV6_V6ONLY, value: 0),"),
            "[::]:7000",
        ),
        false => ("family: Inet", String::new(), addr),
    };
    format!(
        "Socket(name: \"{name}\", {family}), {v6only} {} Bind(socket: \"{name}\", addr: \"{addr}\"),",
        set(name, opt)
    )
}

/// The second bind's result, each socket dual-stack [::] or AF_INET.
fn dual_pair(personality: &str, first: (bool, Opt, &str), second: (bool, Opt, &str)) -> String {
    let text = format!(
        r#"Scenario(
    name: "dual",
    hosts: [Host(name: "box", addrs: ["10.0.0.1/24"], profile: (personality: {personality}))],
    threads: [Thread(host: "box", name: "main", steps: [ {} {} ])],
)"#,
        socket_steps("a", first.0, first.1, first.2),
        socket_steps("b", second.0, second.1, second.2),
    );
    let scenario = load(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let report = run(&scenario, &RunOptions::default());
    let first_bind = &calls_named(&report, "box", "main", "bind(a,")[0].result;
    assert_eq!(first_bind, "OK", "{text}");
    calls_named(&report, "box", "main", "bind(b,")[0]
        .result
        .clone()
}

/// Wine `test_reuseaddr`'s dual-stack cases (IPV6_V6ONLY 0), on Windows;
/// AF_INET 0.0.0.0 first, then a dual-stack [::]: WSAEADDRINUSE (Wine
/// `test_ipv6only`, "binding IPv4 first").
#[test]
fn dual_stack_and_ipv4_binds_on_windows() {
    let dual = |opt| (true, opt, "");
    let v4 = |opt, addr| (false, opt, addr);
    let cases = [
        (dual(Opt::Exclusive), v4(Opt::None, SPEC), "WSAEACCES"),
        (v4(Opt::None, SPEC), dual(Opt::Exclusive), "WSAEADDRINUSE"),
        (dual(Opt::Exclusive), v4(Opt::None, WILD), "WSAEACCES"),
        (dual(Opt::None), v4(Opt::Exclusive, WILD), "OK"),
        (dual(Opt::None), v4(Opt::None, WILD), "OK"),
        (v4(Opt::None, WILD), dual(Opt::None), "WSAEADDRINUSE"),
    ];
    for (first, second, want) in cases {
        let got = dual_pair("Windows", first, second);
        assert_eq!(got, want, "first {first:?}, second {second:?}");
    }
}

/// Linux: a dual-stack [::]:p holds every IPv4 address of p (ipv6(7)).
#[test]
fn dual_stack_holds_the_ipv4_port_on_linux() {
    for (first, second) in [
        ((true, Opt::None, ""), (false, Opt::None, WILD)),
        ((true, Opt::None, ""), (false, Opt::None, SPEC)),
        ((false, Opt::None, SPEC), (true, Opt::None, "")),
    ] {
        let got = dual_pair("Linux", first, second);
        assert_eq!(got, "EADDRINUSE", "first {first:?}, second {second:?}");
    }
}
