//! Helpers shared by the CLI's integration tests: run the freshly built
//! `simsock` binary and find the bundled scenarios.

// Each test binary uses a subset of these helpers.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `simsock` with `args`, with `RUST_LOG` set to `rust_log` (or unset)
/// and no standard input.
pub fn simsock_env(args: &[&str], rust_log: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_simsock"));
    command
        .args(args)
        .env_remove("RUST_LOG")
        // The views are as wide as COLUMNS says; the tests expect the
        // width of a pipe with no COLUMNS (100).
        .env_remove("COLUMNS")
        .stdin(Stdio::null());
    if let Some(filter) = rust_log {
        command.env("RUST_LOG", filter);
    }
    command.output().expect("the simsock binary runs")
}

/// Runs `simsock` with `args`.
pub fn simsock(args: &[&str]) -> Output {
    simsock_env(args, None)
}

/// The path of a bundled scenario, e.g. `bundled("refused.ron")`.
pub fn bundled(name: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tools/ has a parent");
    root.join("scenarios").join(name).display().to_string()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// Whether the external `tool` runs (`tool <version_arg>` succeeds), for a
/// test that reads simsock's output back with it (tshark, Graphviz).
///
/// A missing tool fails the test under CI (`CI` set: `.ci/run` installs
/// every tool) or when `SIMSOCK_REQUIRE_TOOLS` is set. Elsewhere the test is
/// skipped with a notice written straight to the terminal's stderr: the
/// test harness captures `eprintln!`, so a person would never see it.
pub fn have_tool(tool: &str, version_arg: &str, package: &str) -> bool {
    let required =
        std::env::var_os("CI").is_some() || std::env::var_os("SIMSOCK_REQUIRE_TOOLS").is_some();
    have_tool_or(tool, version_arg, package, required)
}

/// [`have_tool`] with the requirement given.
pub fn have_tool_or(tool: &str, version_arg: &str, package: &str, required: bool) -> bool {
    let found = Command::new(tool)
        .arg(version_arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return true;
    }
    assert!(
        !required,
        "{tool} is not installed, and tools are required here (CI or SIMSOCK_REQUIRE_TOOLS): \
         apt-get install {package}"
    );
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: {tool} not found, so a test that reads simsock's output with it did not run \
         (apt-get install {package}; SIMSOCK_REQUIRE_TOOLS=1 makes this a failure)"
    );
    false
}
