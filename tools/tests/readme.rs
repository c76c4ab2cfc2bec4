//! The README cannot drift from the binary: every console example in
//! README.md (a fenced block whose first line is `$ <command>`) is run, and
//! its output must be what the block shows, digests included.
//!
//! In a block, a line `...` stands for any number of lines (zero or more),
//! so an example may show the lines that matter and elide the rest. The
//! command is `simsock ARGS`, `cargo run --release -- ARGS` or
//! `target/release/simsock ARGS`, run from the repository root with no
//! standard input; anything else after `$ ` fails the test, so no example
//! goes unchecked. The command may start with `COLUMNS=N ` to show the
//! output at that width (the binary is run with `COLUMNS` set to N; without
//! it, `COLUMNS` is unset and the width is a pipe's, 100).
//!
//! After a deliberate change of behaviour, `SIMSOCK_BLESS_README=1 cargo
//! test --release -p simsock-tools --test readme` rewrites the examples
//! that have no `...` with the binary's output; an example with `...` that
//! no longer matches is shown with the whole output, to trim by hand.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One console example.
#[derive(Debug)]
struct Example {
    /// Line number of the `$` line in README.md, from 1.
    line: usize,
    command: String,
    /// The lines the block shows after the command.
    expected: Vec<String>,
    /// Index of the first and one past the last expected line in the file.
    span: (usize, usize),
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tools/ has a parent")
        .to_path_buf()
}

/// Every fenced block of `text` that opens with a `$ ` line.
fn examples(text: &str) -> Vec<Example> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].starts_with("```") {
            i += 1;
            continue;
        }
        let close = (i + 1..lines.len())
            .find(|&j| lines[j].starts_with("```"))
            .expect("README.md: every fenced block is closed");
        if let Some(command) = lines.get(i + 1).and_then(|l| l.strip_prefix("$ ")) {
            found.push(Example {
                line: i + 2,
                command: command.to_string(),
                expected: lines[i + 2..close].iter().map(|l| l.to_string()).collect(),
                span: (i + 2, close),
            });
        }
        i = close + 1;
    }
    found
}

/// The simsock arguments of a README command, or why it is not one.
fn simsock_args(command: &str) -> Result<Vec<String>, String> {
    let rest = [
        "cargo run --release -- ",
        "target/release/simsock ",
        "simsock ",
    ]
    .iter()
    .find_map(|prefix| command.strip_prefix(prefix))
    .ok_or_else(|| format!("`{command}` is not a simsock command this test can check"))?;
    if rest.contains(['\'', '"', '|', '>', '<', '&', ';', '$']) {
        return Err(format!(
            "`{command}`: quotes, pipes and redirections are not supported"
        ));
    }
    Ok(rest.split_whitespace().map(str::to_string).collect())
}

/// The width a command asks for with a leading `COLUMNS=N `, and the rest.
fn columns_of(command: &str) -> (Option<&str>, &str) {
    let Some(rest) = command.strip_prefix("COLUMNS=") else {
        return (None, command);
    };
    match rest.split_once(' ') {
        Some((n, rest)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            (Some(n), rest)
        }
        _ => (None, command),
    }
}

/// What the binary prints for `args` (`COLUMNS` set to `columns` or
/// unset), line by line, without trailing blanks.
fn output_of(args: &[String], columns: Option<&str>) -> Vec<String> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_simsock"));
    command
        .args(args)
        .current_dir(repo_root())
        .env_remove("RUST_LOG")
        .env_remove("COLUMNS")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    if let Some(n) = columns {
        command.env("COLUMNS", n);
    }
    let out = command.output().expect("the simsock binary runs");
    let text = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    text.lines().map(|l| l.trim_end().to_string()).collect()
}

/// Whether `actual` is what `expected` shows, `...` matching any lines.
fn matches(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first.trim() == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => actual
            .split_first()
            .is_some_and(|(a, more)| a == first.trim_end() && matches(rest, more)),
    }
}

#[test]
fn every_console_example_in_the_readme_is_what_the_binary_prints() {
    let path = repo_root().join("README.md");
    let text = std::fs::read_to_string(&path).expect("README.md");
    let examples = examples(&text);
    assert!(
        examples.len() >= 5,
        "the README's console examples were not found"
    );
    let bless = std::env::var_os("SIMSOCK_BLESS_README").is_some();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut failures = Vec::new();
    // From the last, so that a rewrite keeps earlier spans valid.
    for ex in examples.iter().rev() {
        let (columns, command) = columns_of(&ex.command);
        let args = match simsock_args(command) {
            Ok(args) => args,
            Err(e) => {
                failures.push(format!("README.md:{}: {e}", ex.line));
                continue;
            }
        };
        let actual = output_of(&args, columns);
        if matches(&ex.expected, &actual) {
            continue;
        }
        let elided = ex.expected.iter().any(|l| l.trim() == "...");
        if bless && !elided {
            lines.splice(ex.span.0..ex.span.1, actual);
            continue;
        }
        failures.push(format!(
            "README.md:{}: `$ {}` shows\n{}\nbut the binary prints\n{}",
            ex.line,
            ex.command,
            ex.expected.join("\n"),
            actual.join("\n")
        ));
    }
    if bless {
        std::fs::write(&path, lines.join("\n") + "\n").expect("README.md is writable");
    }
    assert!(
        failures.is_empty(),
        "{} README example(s) drifted (SIMSOCK_BLESS_README=1 rewrites those without `...`):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn an_elision_matches_any_number_of_lines() {
    let v = |s: &[&str]| s.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    assert!(matches(&v(&["a", "...", "d"]), &v(&["a", "b", "c", "d"])));
    assert!(matches(&v(&["a", "...", "d"]), &v(&["a", "d"])));
    assert!(!matches(&v(&["a", "...", "d"]), &v(&["a", "b"])));
    assert!(!matches(&v(&["a", "b"]), &v(&["a", "b", "c"])));
    assert!(matches(&v(&["...", "c"]), &v(&["a", "b", "c"])));
}

#[test]
fn only_simsock_commands_count_as_examples() {
    assert_eq!(
        simsock_args("cargo run --release -- run scenarios/refused.ron").unwrap(),
        ["run", "scenarios/refused.ron"]
    );
    assert!(simsock_args("cargo bench -p simsock-tools").is_err());
    assert!(simsock_args("simsock topo x.ron --format dot | dot -Tsvg").is_err());
}

#[test]
fn a_command_may_set_the_width() {
    assert_eq!(
        columns_of("COLUMNS=80 simsock run x.ron"),
        (Some("80"), "simsock run x.ron")
    );
    assert_eq!(columns_of("simsock run x.ron"), (None, "simsock run x.ron"));
    assert_eq!(
        columns_of("COLUMNS=wide simsock run x.ron"),
        (None, "COLUMNS=wide simsock run x.ron")
    );
    assert!(simsock_args(columns_of("COLUMNS=wide simsock x").1).is_err());
}
