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
