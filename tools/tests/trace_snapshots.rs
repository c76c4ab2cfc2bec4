//! Golden views of the bundled scenarios: the ladder (as piped, so without
//! colour) and the Mermaid diagram of each top-level `scenarios/*.ron`.
//! They are reviewed on purpose: after a change, `cargo insta review`.

use std::path::Path;
use std::process::Command;

/// The bundled stories (the tour under `scenarios/tour/` has its own tests).
const SCENARIOS: [&str; 4] = ["refused", "reuse", "timeout", "unreachable"];

fn trace(name: &str, format: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let file = root.join("scenarios").join(format!("{name}.ron"));
    let out = Command::new(env!("CARGO_BIN_EXE_simsock"))
        .arg("trace")
        .arg(&file)
        .args(["--format", format])
        .env_remove("RUST_LOG")
        .env_remove("COLUMNS")
        .output()
        .expect("the simsock binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "simsock trace {name} failed: {stderr}"
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn ladders() {
    for name in SCENARIOS {
        let ladder = trace(name, "ladder");
        assert!(!ladder.contains('\x1b'), "{name}: colour in a pipe");
        for line in ladder.lines() {
            let width = line.chars().count();
            assert!(width <= 100, "{name}: {width} columns: {line}");
        }
        insta::assert_snapshot!(format!("ladder_{name}"), ladder);
    }
}

#[test]
fn mermaid_diagrams() {
    for name in SCENARIOS {
        let diagram = trace(name, "mermaid");
        assert!(diagram.starts_with("sequenceDiagram\n"), "{name}");
        insta::assert_snapshot!(format!("mermaid_{name}"), diagram);
    }
}
