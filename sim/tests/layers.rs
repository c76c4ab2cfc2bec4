//! The layer order of `simsock-sim`, enforced on its source.
//!
//! Dependencies inside the crate point one way, down:
//!
//! ```text
//! harness, conformance, async_net  ->  scenario  ->  why, invariants  ->  world
//!   ->  thread  ->  winsock  ->  stack  ->  engine  ->  trace  ->  net  ->  rng  ->  (simsock-model)
//! ```
//!
//! A module may use its own layer and every layer below it, never one above:
//! a lower layer reports what changed (as the TCB reports segments and
//! deadlines, and the stack reports socket changes, `stack::Report`) and
//! the layer above reacts. This test reads every `crate::` path in the code
//! of `sim/src` (comments and `#[cfg(test)]` code excepted: a unit test may
//! build a whole world) and fails on one that points up, naming the rule.

mod common;
use common::rust_files;

use std::path::Path;

/// The layers from the bottom up; modules on one line share a layer.
const LAYERS: &[&[&str]] = &[
    &["rng"],
    &["net"],
    &["trace"],
    &["engine"],
    &["stack"],
    &["winsock"],
    &["thread"],
    &["world"],
    &["why", "invariants"],
    &["scenario"],
    &["harness", "conformance", "async_net"],
];

/// The layer of a top-level module, from 0 at the bottom.
fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// One upward import: where it is and what it names.
#[derive(Debug)]
struct Violation {
    file: String,
    line: usize,
    from: String,
    to: String,
}

#[test]
fn no_module_imports_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    let mut unknown = Vec::new();
    for file in rust_files(&src, |p| p.file_name().is_some_and(|n| n != "tests.rs")) {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Some(from) = top_module(&rel) else {
            continue;
        };
        let Some(own) = layer(&from) else {
            unknown.push(rel);
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for (line, to) in crate_paths(&text) {
            match layer(&to) {
                Some(theirs) if theirs > own => violations.push(Violation {
                    file: rel.clone(),
                    line,
                    from: from.clone(),
                    to,
                }),
                Some(_) => {}
                None => unknown.push(format!("{rel}:{line}: crate::{to}")),
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "modules missing from the layer table in sim/tests/layers.rs \
         (place each where its callers make it belong): {unknown:#?}"
    );
    let report: Vec<String> = violations
        .iter()
        .map(|v| {
            format!(
                "{}:{}: `{}` uses `crate::{}`, a layer above it",
                v.file, v.line, v.from, v.to
            )
        })
        .collect();
    assert!(
        report.is_empty(),
        "imports against the layer order (harness, conformance, async_net -> scenario -> why, \
         invariants -> world -> thread -> winsock -> stack -> engine -> trace -> net -> rng): \
         a lower layer reports what changed and the layer above reacts; it never calls \
         up.\n{}",
        report.join("\n")
    );
}

/// The rule itself: a path that points up is found, one that points down
/// or sideways is not, and comments and test code are skipped.
#[test]
fn the_scan_finds_an_upward_path_and_nothing_else() {
    let text = "use crate::net::NodeId;\n\
                use crate::{engine::Core, winsock::Op};\n\
                // crate::world in a comment\n\
                fn f() { crate::world::World::run(); }\n\
                #[cfg(test)]\n\
                mod tests { use crate::harness::Sim; }\n";
    let paths: Vec<(usize, String)> = crate_paths(text);
    assert_eq!(
        paths,
        [
            (1, "net".to_string()),
            (2, "engine".to_string()),
            (2, "winsock".to_string()),
            (4, "world".to_string())
        ]
    );
    assert!(layer("world") > layer("winsock"));
    assert!(layer("winsock") > layer("stack"));
    assert!(layer("stack") > layer("engine"));
    assert!(layer("engine") > layer("net"));
}

/// The top-level module a file belongs to: `stack/tcp/tcb.rs` is `stack`,
/// `world.rs` is `world`; `lib.rs` belongs to none (it only declares them).
fn top_module(rel: &str) -> Option<String> {
    if rel == "lib.rs" {
        return None;
    }
    let first = rel.split('/').next()?;
    Some(first.trim_end_matches(".rs").to_string())
}

/// The top-level module of every `crate::` path in `text`, with its line
/// number, in order; `crate::{a::X, b::Y}` gives `a` and `b`. Comments are
/// skipped, and so is everything from the first `#[cfg(test)]` on.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        if code.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or("");
                for part in inner.split(',') {
                    push_name(&mut found, index + 1, part.trim());
                }
            } else {
                push_name(&mut found, index + 1, rest);
            }
        }
    }
    found
}

/// Pushes the first path segment of `path`, if it names a module.
fn push_name(found: &mut Vec<(usize, String)>, line: usize, path: &str) {
    let name: String = path
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if !name.is_empty() && name.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
        found.push((line, name));
    }
}
