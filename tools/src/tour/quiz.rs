//! The multiple-choice question of each tour stop: the choices, the right
//! one, and why. The scenario file keeps the open question (`question:`);
//! the choices live here, by stop name, and a test runs each stop and checks
//! that its run shows what the right choice says.

/// The quiz of one stop.
#[derive(Debug)]
pub struct Quiz {
    /// The scenario's `name:`.
    pub stop: &'static str,
    pub choices: [&'static str; 4],
    /// Index into `choices`.
    pub answer: usize,
    pub why: &'static str,
}

/// The letter of choice `i`: `a`, `b`, ...
pub fn letter(i: usize) -> char {
    char::from(b'a' + i as u8)
}

/// The choice a letter names, if the quiz has it (`B` is `b`).
pub fn choice(text: &str) -> Option<usize> {
    let text = text.trim().to_ascii_lowercase();
    let mut chars = text.chars();
    let (Some(c @ 'a'..='d'), None) = (chars.next(), chars.next()) else {
        return None;
    };
    Some(c as usize - 'a' as usize)
}

/// The quiz of the stop named `name`.
pub fn of(name: &str) -> Option<&'static Quiz> {
    QUIZZES.iter().find(|q| q.stop == name)
}

/// One quiz per stop of `scenarios/tour/`.
pub const QUIZZES: &[Quiz] = &[
    Quiz {
        stop: "handshake",
        choices: [
            "connect at 10 ms, accept at 10 ms",
            "connect at 20 ms, accept at 30 ms",
            "connect at 20 ms, accept at 20 ms",
            "connect at 30 ms, accept at 30 ms",
        ],
        answer: 1,
        why: "connect waits for the SYN-ACK: one round trip, 20 ms; the server's stack answers \
              the SYN on its own, before anyone calls accept. accept returns when the client's \
              ACK arrives, half a round trip later: 30 ms (RFC 9293 §3.5).",
    },
    Quiz {
        stop: "refused",
        choices: [
            "both WSAECONNREFUSED at 2 ms",
            "both WSAETIMEDOUT at 21 s",
            "doc WSAECONNREFUSED at 2 ms, windows WSAECONNREFUSED at 2.010 s",
            "doc WSAECONNREFUSED at 2 ms, windows WSAETIMEDOUT at 21 s",
        ],
        answer: 2,
        why: "The server's stack answers each SYN with RST: refusal, not silence. doc gives up \
              at the first RST, one round trip; windows, as Windows 10/11 do, re-sends the SYN \
              four times, 500 ms apart, and reports the refusal after the fifth RST (CB-C14).",
    },
    Quiz {
        stop: "timeout",
        choices: [
            "WSAETIMEDOUT at 9 s",
            "WSAETIMEDOUT at 21 s",
            "WSAECONNREFUSED at 3 s",
            "WSAENETUNREACH at once",
        ],
        answer: 1,
        why: "SYNs go at 0, 3 and 9 s; after the last one the stack waits a whole doubled \
              interval, 12 s, for an answer that never comes: 21 s (CB-C15, RFC 6298 §5.5). A \
              cut cable sends nothing back, so there is no refusal and no ICMP.",
    },
    Quiz {
        stop: "unreachable",
        choices: [
            "both WSAEHOSTUNREACH at once",
            "192.168.9.9: WSAENETUNREACH at once; 10.0.1.99: WSAEHOSTUNREACH at 2.002 s",
            "192.168.9.9: WSAETIMEDOUT at 21 s; 10.0.1.99: WSAEHOSTUNREACH at once",
            "both WSAENETUNREACH at 2 s",
        ],
        answer: 1,
        why: "With no route the stack fails at once and sends nothing (CB-C12). For 10.0.1.99 \
              the SYN reaches the router, which asks by ARP for 2 s, then answers ICMP host \
              unreachable (RFC 792 code 1), back at 2.002 s (CB-C13).",
    },
    Quiz {
        stop: "time-wait",
        choices: [
            "OK at once: SO_REUSEADDR allows it",
            "WSAEADDRINUSE at bind, and it works after 120 s",
            "WSAEADDRINUSE at connect, and it works once TIME_WAIT ends, at about 10 s",
            "WSAECONNREFUSED, until the server listens again",
        ],
        answer: 2,
        why: "SO_REUSEADDR lets the bind through, but the four-tuple is still held by the \
              TIME_WAIT record, so connect reports the collision: WSAEADDRINUSE, the delayed \
              bind (CB-C17, CB-T3). The record ends at 10.004 s and the same connect works.",
    },
    Quiz {
        stop: "port-exhaustion",
        choices: [
            "OK: closed sockets free their ports",
            "WSAEADDRINUSE, and again at 4 s",
            "WSAENOBUFS at once, and it can connect again when the first TIME_WAIT ends, at \
             about 120 s",
            "WSAETIMEDOUT at 24 s",
        ],
        answer: 2,
        why: "Each closed connection holds its port in TIME_WAIT for 120 s (CB-T1; Windows \
              10/11's TcpTimedWaitDelay), so the fourth implicit bind finds no free ephemeral \
              port: WSAENOBUFS, no packet sent (CB-C16). The first record ends at 120.004 s and \
              port 50000 is free again.",
    },
    Quiz {
        stop: "retransmission",
        choices: [
            "the first at 2.002 s, the second at 2.502 s",
            "the first at 3.002 s, the second at 2.502 s",
            "the first fails with WSAETIMEDOUT, the second at 2.502 s",
            "both at 3.002 s",
        ],
        answer: 1,
        why: "Nothing tells the client that its SYN was lost: it waits for its retransmission \
              timer, 3 s, and only then sends again; one lost packet costs three seconds. The \
              connect started at 2.5 s finds the link up and needs one round trip.",
    },
    Quiz {
        stop: "backlog-full",
        choices: [
            "both wait until someone calls accept",
            "Windows: WSAECONNREFUSED at 3.010 s; POSIX-style: WSAETIMEDOUT at 22 s",
            "Windows: WSAETIMEDOUT at 22 s; POSIX-style: WSAECONNREFUSED at 1.002 s",
            "both WSAECONNREFUSED at 1.002 s",
        ],
        answer: 1,
        why: "A full backlog under backlog_overflow: Reset (the Windows default) answers the \
              SYN with RST, so the client refuses after its four re-sends (CB-C14). Under Drop \
              the SYN vanishes as if lost, and the client times out 21 s after it started \
              (CB-C15).",
    },
    Quiz {
        stop: "delayed-ack",
        choices: [
            "both at 20 ms",
            "both at 40 ms",
            "lazy at 240 ms, eager at 40 ms",
            "lazy at 40 ms, eager at 240 ms",
        ],
        answer: 2,
        why: "send waits for the ACK that frees the buffer. The default profile delays the ACK \
              of a lone segment by 200 ms, hoping a reply can carry it: lazy's send returns at \
              240 ms. With delayed ACK off the ACK leaves at once: one round trip, 40 ms.",
    },
];

#[cfg(test)]
mod tests {
    use simsock_sim::scenario::{self, RunOptions};

    use super::*;
    use crate::files;
    use crate::tour::stops;

    /// A call the right answer describes: it returns `result` at `end_ms`.
    #[derive(Debug, Clone, Copy)]
    struct Fact {
        host: &'static str,
        /// The start of the call's text, e.g. `connect(s, 10.0.0.2:80)`.
        call: &'static str,
        result: &'static str,
        end_ms: u64,
    }

    const fn fact(
        host: &'static str,
        call: &'static str,
        result: &'static str,
        end_ms: u64,
    ) -> Fact {
        Fact {
            host,
            call,
            result,
            end_ms,
        }
    }

    /// What each right choice says, as calls of the stop's run.
    const FACTS: &[(&str, &[Fact])] = &[
        (
            "handshake",
            &[
                fact("client", "connect(s, 10.0.0.2:80)", "OK", 20),
                fact("server", "c = accept(l)", "OK", 30),
            ],
        ),
        (
            "refused",
            &[
                fact("doc", "connect(s, 10.0.0.2:80)", "WSAECONNREFUSED", 2),
                fact(
                    "windows",
                    "connect(s, 10.0.0.2:80)",
                    "WSAECONNREFUSED",
                    2010,
                ),
            ],
        ),
        (
            "timeout",
            &[fact(
                "client",
                "connect(s, 10.0.0.2:80)",
                "WSAETIMEDOUT",
                21_000,
            )],
        ),
        (
            "unreachable",
            &[
                fact("client", "connect(a, 192.168.9.9:80)", "WSAENETUNREACH", 0),
                fact(
                    "client",
                    "connect(b, 10.0.1.99:80)",
                    "WSAEHOSTUNREACH",
                    2_002,
                ),
            ],
        ),
        (
            "time-wait",
            &[
                fact("client", "connect(b, 10.0.0.2:80)", "WSAEADDRINUSE", 1_000),
                fact("client", "connect(c, 10.0.0.2:80)", "OK", 10_006),
            ],
        ),
        (
            "port-exhaustion",
            &[
                fact("client", "connect(s, 10.0.0.2:80)", "WSAENOBUFS", 3_006),
                fact("client", "connect(s, 10.0.0.2:80)", "OK", 120_006),
            ],
        ),
        (
            "retransmission",
            &[
                fact("client", "connect(s, 10.0.0.2:80)", "OK", 3_002),
                fact("client", "connect(t, 10.0.0.2:80)", "OK", 2_502),
            ],
        ),
        (
            "backlog-full",
            &[
                fact(
                    "second",
                    "connect(w, 10.0.0.10:80)",
                    "WSAECONNREFUSED",
                    3_010,
                ),
                fact("second", "connect(p, 10.0.0.20:80)", "WSAETIMEDOUT", 22_000),
            ],
        ),
        (
            "delayed-ack",
            &[
                fact("a", "send(s, 1500 bytes)", "OK", 240),
                fact("b", "send(s, 1500 bytes)", "OK", 40),
            ],
        ),
    ];

    /// Every stop has a quiz, and its run shows what the right choice says:
    /// each fact's call returns that result at that time.
    #[test]
    fn every_stop_has_a_quiz_its_run_proves() {
        let stops = stops(&files::default_dir().join("tour"));
        assert_eq!(stops.len(), QUIZZES.len());
        for stop in &stops {
            let file = files::load(&stop.path).expect("a tour stop loads");
            let name = &file.scenario.name;
            let quiz = of(name).unwrap_or_else(|| panic!("no quiz for {name}"));
            assert!(quiz.answer < quiz.choices.len(), "{name}");
            let facts = FACTS.iter().find(|(stop, _)| stop == name).map(|(_, f)| *f);
            let facts = facts.unwrap_or_else(|| panic!("no facts for {name}"));
            let report = scenario::run(&file.scenario, &RunOptions::default());
            for f in facts {
                let shown = report.calls.iter().any(|c| {
                    c.host == f.host
                        && c.call.starts_with(f.call)
                        && c.result == f.result
                        && c.end_ns == f.end_ms * 1_000_000
                });
                assert!(shown, "{name}: {f:?} is not in the run");
            }
        }
    }

    #[test]
    fn letters_name_choices() {
        assert_eq!(choice("b"), Some(1));
        assert_eq!(choice(" D\n"), Some(3));
        assert_eq!(choice("e"), None);
        assert_eq!(choice("ab"), None);
        assert_eq!(choice(""), None);
        assert_eq!(letter(2), 'c');
    }
}
