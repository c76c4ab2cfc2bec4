//! No clock, ambient randomness or OS thread in `sim/` and `model/`
//! (design.md, "Principles"). clippy.toml bans the standard library's
//! clocks, `thread::spawn` and rand's ambient generators by path; this
//! test also catches what a path ban cannot: tokio's clock, which is
//! simulated time only on `async_net`'s own paused runtime and is read in
//! exactly one function, `async_net::context::paused_now`.

mod common;
use common::rust_files;

use std::path::Path;

/// Texts that read a clock, draw ambient randomness or start a thread.
const BANNED: &[&str] = &[
    "Instant::now(",
    "SystemTime::now(",
    "thread::spawn(",
    "thread_rng(",
    "rand::rng(",
];

/// The one read allowed, by file and the function that holds it.
const ALLOWED: (&str, &str) = ("async_net/context.rs", "pub(crate) fn paused_now()");

#[test]
fn sim_and_model_read_no_clock_but_the_paused_runtimes() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for root in [manifest.join("src"), manifest.join("../model/src")] {
        for file in rust_files(&root, |_| true) {
            let rel = file
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&file).unwrap();
            found.extend(reads(&rel, &text));
        }
    }
    assert!(
        found.is_empty(),
        "a clock, ambient randomness or a thread in sim/ or model/ (simulated time \
         and named rand_chacha streams only; tokio's clock through \
         async_net::context::paused_now):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_finds_a_read_and_skips_comments_and_the_allowed_one() {
    let text = "// Instant::now() in a comment\nfn f() { let t = Instant::now(); }\n";
    assert_eq!(reads("x.rs", text), ["x.rs:2: Instant::now("]);
    let allowed = "pub(crate) fn paused_now() -> Instant {\n    Instant::now()\n}\n";
    assert!(reads(ALLOWED.0, allowed).is_empty());
}

/// Every banned text in the code of `text` (comments skipped), but the
/// allowed read.
fn reads(rel: &str, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_allowed = false;
    for (index, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        if rel == ALLOWED.0 && code.contains(ALLOWED.1) {
            in_allowed = true;
        }
        for banned in BANNED.iter().filter(|b| code.contains(*b)) {
            if !in_allowed {
                found.push(format!("{rel}:{}: {banned}", index + 1));
            }
        }
        if in_allowed && code.starts_with('}') {
            in_allowed = false;
        }
    }
    found
}
