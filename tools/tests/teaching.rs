//! The teaching commands end to end: `topo`, `explain`, `tour`, the causal
//! chain (`why`) in `run`'s human and JSON output, and a clean stdout when
//! logs are turned up.

mod common;
use common::*;

use std::process::{Command, Stdio};

/// The line after the first line containing `needle`.
fn line_after<'a>(text: &'a str, needle: &str) -> &'a str {
    let mut lines = text.lines();
    lines.find(|l| l.contains(needle)).expect("needle in text");
    lines.next().expect("a line after it")
}

#[test]
fn explain_by_name_and_by_number_agree() {
    let by_name = simsock(&["explain", "WSAECONNREFUSED"]);
    let by_number = simsock(&["explain", "10061"]);
    assert_eq!(by_name.status.code(), Some(0));
    assert_eq!(stdout(&by_name), stdout(&by_number));
    let text = stdout(&by_name);
    assert!(text.starts_with("WSAECONNREFUSED (10061)\n"), "{text}");
    assert!(text.contains("\"The attempt to connect was forcefully rejected.\""));
    assert!(text.contains("RST"), "{text}");
    assert!(text.contains("scenarios/tour/02-refused.ron"), "{text}");
}

#[test]
fn explain_an_unknown_code_exits_2() {
    for code in ["WSAEBOGUS", "12345"] {
        let out = simsock(&["explain", code]);
        assert_eq!(out.status.code(), Some(2), "{code}");
        assert!(stdout(&out).is_empty());
        assert!(stderr(&out).contains(&format!("`{code}` is not a Winsock error code")));
    }
}

#[test]
fn topo_text_lists_links_and_routes() {
    let out = simsock(&["topo", &bundled("unreachable.ron")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("client-router  client -- router  latency 1ms"),
        "{text}"
    );
    assert!(
        text.contains("via router 10.0.0.254 (link client-router)"),
        "{text}"
    );
}

/// DOT that Graphviz reads (CI installs Graphviz; elsewhere, without it,
/// the Graphviz half is skipped with a notice).
#[test]
fn topo_dot_is_a_graph_graphviz_reads() {
    let out = simsock(&["topo", "--format", "dot", &bundled("timeout.ron")]);
    assert_eq!(out.status.code(), Some(0));
    let dot = stdout(&out);
    assert!(dot.starts_with("graph \"timeout\" {"), "{dot}");
    assert!(dot.contains("style=dashed, color=red"), "{dot}");
    if !have_tool("dot", "-V", "graphviz") {
        return;
    }
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dot runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot.as_bytes())
        .unwrap();
    let rendered = child.wait_with_output().unwrap();
    assert!(rendered.status.success(), "{}", stderr(&rendered));
    assert!(stdout(&rendered).contains("<svg"));
}

#[test]
fn topo_of_a_missing_file_exits_2() {
    assert_eq!(simsock(&["topo", "no/such.ron"]).status.code(), Some(2));
}

/// The causal chain sits on the line under each failed call.
#[test]
fn run_prints_why_under_each_failed_call() {
    let out = simsock(&["run", &bundled("timeout.ron"), &bundled("unreachable.ron")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(
        line_after(&text, "client main  connect(s, 10.0.0.2:80)   WSAETIMEDOUT").trim(),
        "why: WSAETIMEDOUT at 21.000 s: SYN sent at 0, 3 and 9 s; all dropped on link"
    );
    assert_eq!(
        line_after(&text, "connect(a, 192.168.9.9:80)  WSAENETUNREACH").trim(),
        "why: WSAENETUNREACH at 0.000 s: no route from client to 192.168.9.9; no packet"
    );
    // A call that did not fail has none.
    assert!(!line_after(&text, "connect(s, 10.0.0.2:80)   OK").contains("why:"));
}

#[test]
fn json_calls_carry_why() {
    let out = simsock(&["run", "--json", &bundled("refused.ron")]);
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim_end()).unwrap();
    let calls = v["calls"].as_array().unwrap();
    let refused = &calls[1];
    assert_eq!(refused["result"], "WSAECONNREFUSED");
    assert_eq!(
        refused["why"],
        "WSAECONNREFUSED at 2.010 s: SYN answered with RST by server (reset: no listener) \
         at 0.001, 0.503, 1.005, 1.507 and 2.009 s"
    );
    assert!(calls[0]["why"].is_null());
}

/// Logs go to stderr, whatever RUST_LOG asks: stdout stays one JSON object
/// per line.
#[test]
fn json_stdout_stays_clean_with_debug_logs() {
    let out = simsock_env(
        &[
            "run",
            "--json",
            &bundled("refused.ron"),
            &bundled("reuse.ron"),
        ],
        Some("debug"),
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("scenario finished"),
        "{}",
        stderr(&out)
    );
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 2, "{text}");
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["digest"].is_string());
    }
}

#[test]
fn tour_lists_every_stop_with_its_question() {
    let out = simsock(&["tour"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("\n 1. handshake\n"), "{text}");
    assert!(
        text.contains("\n 2. refused\n    Nobody listens on port 80"),
        "{text}"
    );
    assert!(text.contains("\n 6. port-exhaustion\n"), "{text}");
}

/// Not at a terminal: the question, then the run, without waiting.
#[test]
fn tour_stop_asks_then_runs() {
    let out = simsock(&["tour", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let question = text.find("Question: Nobody listens").expect("the question");
    let run = text.find("refused  seed 2").expect("the run");
    assert!(question < run, "{text}");
    assert!(!text.contains("press Enter"));
    assert_eq!(
        line_after(&text, "doc     main  connect(s, 10.0.0.2:80)").trim(),
        "why: WSAECONNREFUSED at 0.002 s: SYN answered with RST by server (reset: no"
    );
    assert!(text.contains("PASS  refused"), "{text}");
}

#[test]
fn tour_without_such_a_stop_exits_2() {
    let out = simsock(&["tour", "99"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no stop 99"), "{}", stderr(&out));
}

/// A missing tool is a failure where tools are required (CI), not a skip.
#[test]
#[should_panic(expected = "is not installed, and tools are required")]
fn a_missing_tool_fails_where_tools_are_required() {
    have_tool_or("simsock-no-such-tool", "--version", "nothing", true);
}

/// `--answer` for scripts: the verdict and why, then the run, then the
/// pointer to the stop's page.
#[test]
fn tour_judges_an_answer_then_runs() {
    let out = simsock(&["tour", "1", "--answer", "b"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("\n  (b) connect at 20 ms, accept at 30 ms\n"),
        "{text}"
    );
    let verdict = text
        .find("Right: (b) connect at 20 ms, accept at 30 ms.")
        .expect("the verdict");
    let run = text.find("PASS  handshake").expect("the run");
    assert!(verdict < run, "{text}");
    assert!(
        text.contains("Why: connect waits for the SYN-ACK"),
        "{text}"
    );
    assert!(
        text.trim_end()
            .ends_with("Step through this run in a browser: simsock tour 1 --html"),
        "{text}"
    );
    let out = simsock(&["tour", "3", "--answer", "A"]);
    let text = stdout(&out);
    assert!(
        text.contains(
            "Not quite: you chose (a) WSAETIMEDOUT at 9 s; the answer is (b) WSAETIMEDOUT at 21 s."
        ),
        "{text}"
    );
}

#[test]
fn tour_rejects_an_answer_that_is_no_choice() {
    let out = simsock(&["tour", "1", "--answer", "e"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`e` is not a choice: give a, b, c or d"),
        "{}",
        stderr(&out)
    );
}

/// `--html` writes the stop's page and prints its path, and runs nothing
/// else.
#[test]
fn tour_html_writes_the_stops_page() {
    let out = simsock(&["tour", "2", "--html"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let path = text.trim();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(path.ends_with("tour-02-refused.html"), "{path}");
    let page = std::fs::read_to_string(path).expect("the page was written");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(
        page.contains("<title>simsock: refused</title>"),
        "{}",
        &page[..400]
    );
}

/// `simsock view FILE --out PATH` writes the page there and prints the path.
#[test]
fn view_writes_the_page_and_prints_its_path() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("teaching-view");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("timeout.html");
    let out = simsock(&[
        "view",
        &bundled("timeout.ron"),
        "--out",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), path.display().to_string());
    let page = std::fs::read_to_string(&path).unwrap();
    assert!(page.contains(r#"<script type="application/json" id="trace-data">"#));
}

#[test]
fn view_into_a_missing_directory_exits_2() {
    let out = simsock(&[
        "view",
        &bundled("timeout.ron"),
        "--out",
        "/nonexistent-simsock-dir/x.html",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot write /nonexistent-simsock-dir/x.html"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
}
