//! The `simsock` binary end to end: exit codes, the digest line, JSON lines,
//! and diagnostics that point into bad files.
//!
//! These live in the tools package (not in `simsock-tests`) because only a
//! package's own integration tests get `CARGO_BIN_EXE_simsock` and a fresh
//! build of the binary; another package's tests would run a stale one.

mod common;
use common::*;

use std::fs;
use std::path::{Path, PathBuf};

/// A small valid scenario: no listener, so connect is refused.
const TINY: &str = r#"Scenario(
    name: "tiny",
    seed: 1,
    hosts: [
        Host(name: "client", addrs: ["10.0.0.1/24"]),
        Host(name: "server", addrs: ["10.0.0.2/24"]),
    ],
    links: [Link(between: ("client", "server"), latency: "1ms")],
    threads: [
        Thread(host: "client", name: "main", steps: [
            Socket(name: "s"),
            Connect(socket: "s", to: "10.0.0.2:80", expect: Err(WSAECONNREFUSED)),
        ]),
    ],
)
"#;

/// Writes `text` to `name` in a directory of this test's own.
fn write(test: &str, name: &str, text: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(test);
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// `file:line:col` of the first occurrence of `needle` in `text`.
fn location(file: &str, text: &str, needle: &str) -> String {
    let at = text.find(needle).expect("needle in text");
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map_or(0, |n| n + 1) + 1;
    format!(
        "{}:{line}:{col}",
        Path::new(file).file_name().unwrap().to_str().unwrap()
    )
}

#[test]
fn run_refused_passes_and_ends_with_the_digest() {
    let out = simsock(&["run", &bundled("refused.ron")]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let text = stdout(&out);
    let last = text.lines().last().unwrap();
    let hex = last
        .strip_prefix("digest: ")
        .expect("last line is the digest");
    assert_eq!(hex.len(), 64);
    assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(text.contains("PASS"));
    assert!(text.contains("WSAECONNREFUSED"));
    assert!(!text.contains('\x1b'), "no colour when piped");
}

#[test]
fn no_subcommand_means_run() {
    let with = simsock(&["run", &bundled("refused.ron")]);
    let without = simsock(&[&bundled("refused.ron")]);
    assert_eq!(without.status.code(), Some(0));
    assert_eq!(stdout(&with), stdout(&without));
}

#[test]
fn json_is_one_object_per_line_with_the_fields() {
    let out = simsock(&["run", "--json", "--seed", "9", &bundled("refused.ron")]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
    assert_eq!(v["scenario"], "refused");
    assert_eq!(v["seed"], 9);
    assert_eq!(v["passed"], true);
    assert!(v["file"].as_str().unwrap().ends_with("refused.ron"));
    assert_eq!(v["digest"].as_str().unwrap().len(), 64);
    assert!(v["events"].as_u64().unwrap() > 0);
    assert!(v["end_ns"].as_u64().unwrap() > 0);
    assert_eq!(v["failures"], serde_json::json!([]));
    assert!(v["limit"].is_null());
    let call = &v["calls"][1];
    for key in ["host", "thread", "call", "detail"] {
        assert!(call[key].is_string(), "{key}");
    }
    assert_eq!(call["result"], "WSAECONNREFUSED");
    assert!(call["start_ns"].as_u64().unwrap() < call["end_ns"].as_u64().unwrap());
    assert!(call["failure"].is_null());
}

#[test]
fn json_lines_for_several_files() {
    let tiny = write("json_lines", "tiny.ron", TINY);
    let out = simsock(&["run", "--json", &bundled("refused.ron"), &tiny]);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 2);
    for line in text.lines() {
        let _: serde_json::Value = serde_json::from_str(line).unwrap();
    }
}

#[test]
fn failing_expectation_exits_1_and_is_marked() {
    let text = TINY.replace("Err(WSAECONNREFUSED)", "Ok");
    let file = write("failing", "failing.ron", &text);
    let out = simsock(&["run", &file]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("<- expected OK, got WSAECONNREFUSED"),
        "{text}"
    );
    assert!(text.contains("FAIL"));
    assert!(text.lines().last().unwrap().starts_with("digest: "));
    let json = simsock(&["run", "--json", &file]);
    assert_eq!(json.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(stdout(&json).trim_end()).unwrap();
    assert_eq!(v["passed"], false);
    assert!(v["calls"][1]["failure"].is_string());
}

#[test]
fn unknown_host_exits_2_with_file_line_and_column() {
    let text = TINY.replace(r#"Thread(host: "client""#, r#"Thread(host: "nohost""#);
    let file = write("unknown_host", "unknown.ron", &text);
    let out = simsock(&["run", &file]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(&location(&file, &text, "\"nohost\"")), "{err}");
    assert!(err.contains("nohost"));
    assert!(stdout(&out).is_empty());
}

#[test]
fn syntax_error_exits_2_with_file_line_and_column() {
    let text = TINY.replace("seed: 1,", "seed: 1");
    let file = write("syntax", "syntax.ron", &text);
    let out = simsock(&["check", &file]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(&location(&file, &text, "hosts:")), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn one_bad_file_means_nothing_runs() {
    let good = write("nothing_runs", "good.ron", TINY);
    let bad = write("nothing_runs", "bad.ron", "Scenario(");
    let out = simsock(&["run", &good, &bad]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty(), "no scenario output");
    assert!(stderr(&out).contains("bad.ron"));
}

#[test]
fn missing_file_exits_2() {
    let out = simsock(&["run", "no/such/scenario.ron"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no/such/scenario.ron"));
}

#[test]
fn usage_error_exits_2() {
    assert_eq!(simsock(&["run", "--seed", "x"]).status.code(), Some(2));
}

#[test]
fn check_prints_ok_per_valid_file() {
    let out = simsock(&["check", &bundled("refused.ron")]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), format!("ok: {}\n", bundled("refused.ron")));
}

#[test]
fn a_directory_means_its_ron_files_sorted() {
    let b = write("directory/sub", "b.ron", &TINY.replace("\"tiny\"", "\"b\""));
    let a = write("directory", "a.ron", &TINY.replace("\"tiny\"", "\"a\""));
    write("directory", "notes.txt", "not a scenario");
    let dir = Path::new(&a).parent().unwrap().display().to_string();
    let out = simsock(&["check", &dir]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), format!("ok: {a}\nok: {b}\n"));
}

#[test]
fn logs_go_to_stderr_only() {
    let quiet = simsock(&["run", &bundled("refused.ron")]);
    let loud = simsock(&["-v", "run", &bundled("refused.ron")]);
    assert_eq!(loud.status.code(), Some(0));
    assert_eq!(stdout(&quiet), stdout(&loud));
    assert!(stderr(&loud).contains("running scenario"));
    assert!(stderr(&quiet).is_empty());
}

/// Colour follows `--color`, `CLICOLOR_FORCE` and `NO_COLOR` (no-color.org),
/// not only whether stdout is a terminal.
#[test]
fn colour_follows_the_flag_and_the_environment() {
    let coloured = |args: &[&str], env: &[(&str, &str)]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_simsock"));
        command
            .args(args)
            .arg(bundled("refused.ron"))
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("CLICOLOR");
        for (key, value) in env {
            command.env(key, value);
        }
        let out = command.output().expect("simsock runs");
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap().contains("\x1b[")
    };
    assert!(!coloured(&["run"], &[]), "a pipe gets no colour");
    assert!(coloured(&["run"], &[("CLICOLOR_FORCE", "1")]));
    assert!(!coloured(
        &["run"],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]
    ));
    assert!(coloured(&["--color", "always", "run"], &[]));
    assert!(coloured(
        &["run", "--color", "always"],
        &[("NO_COLOR", "1")]
    ));
    assert!(!coloured(
        &["--color", "never", "run"],
        &[("CLICOLOR_FORCE", "1")]
    ));
    assert!(
        coloured(&["--color", "always", "trace"], &[]),
        "the ladder too"
    );
}

// --- Errors that help and runs that stop (issue 15, items 1 and 4) ---

/// A 10 MB host name printed 56 MB of stderr: the snippet and the quoted
/// value are cut, the location is still exact.
#[test]
fn a_huge_host_name_prints_a_small_error() {
    let name = "x".repeat(10_000_000);
    let text = TINY.replace(r#"Host(name: "server""#, &format!(r#"Host(name: "{name}""#));
    let file = write("huge_name", "huge.ron", &text);
    let out = simsock(&["check", &file]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.len() < 4000, "{} bytes of stderr", err.len());
    assert!(err.contains(&location(&file, &text, "\"xxx")), "{err}");
}

/// A closed stderr is no reason to panic (exit 101): the exit code still
/// says what happened.
#[test]
fn a_closed_stderr_does_not_panic() {
    use std::process::{Command, Stdio};
    let file = write("closed_stderr", "bad.ron", "Scenario(");
    let mut child = Command::new(env!("CARGO_BIN_EXE_simsock"))
        .args(["check", &file])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stderr.take()); // the reading end closes: writes get EPIPE
    let status = child.wait().expect("exits");
    assert_eq!(status.code(), Some(2));
    // Logs too (tracing reported its failed write with `eprintln!`).
    let mut child = Command::new(env!("CARGO_BIN_EXE_simsock"))
        .args(["run", &bundled("refused.ron"), "-vv"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stderr.take());
    assert_eq!(child.wait().expect("exits").code(), Some(0));
}

/// An endless input (`/dev/zero`) is cut at the size cap, not read to an
/// out-of-memory.
#[test]
fn an_endless_file_is_an_error_naming_the_cap() {
    if !Path::new("/dev/zero").exists() {
        return;
    }
    let out = simsock(&["check", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("larger than 64 MiB"), "{err}");
}

/// A run of Repeats that never call or wait stops at `limits.max_steps`:
/// exit 1, a message that names the limit.
#[test]
fn a_run_that_spins_without_events_stops_at_the_step_limit() {
    let text = TINY.replace(
        r#"Socket(name: "s"),"#,
        r#"Repeat(times: 100000, steps: [Repeat(times: 10000, steps: [])]), Socket(name: "s"),"#,
    )
    .replace("seed: 1,", "seed: 1, limits: (max_steps: 1000000),");
    let file = write("step_limit", "spin.ron", &text);
    let out = simsock(&["run", &file]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(
        report.contains("limit: the run's threads executed 1000000 steps"),
        "{report}"
    );
    assert!(
        report.contains("client/main stopped at the step limit"),
        "{report}"
    );
}
