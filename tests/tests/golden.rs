//! Golden traces: the canonical trace of every bundled scenario at its own
//! seed, as an insta snapshot. A change in what the simulator does shows up
//! here as a diff to review on purpose (`cargo insta review`), never silently.

use simsock_tests::{run_file, scenario_files};

#[test]
fn bundled_scenario_traces_are_unchanged() {
    for path in scenario_files() {
        let report = run_file(&path, None);
        let name = snapshot_name(&path);
        let text = format!(
            "digest: {}\n{}\n",
            report.digest,
            report.trace_lines().join("\n")
        );
        insta::assert_snapshot!(name, text);
    }
}

/// The file's stem, or for a conformance row its API and code
/// (`conformance__wsaconnect__WSAEFAULT`): the four APIs share code names.
fn snapshot_name(path: &std::path::Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let api = path.parent().and_then(|p| p.file_name());
    let grand = path
        .parent()
        .and_then(|p| p.parent())
        .and_then(|p| p.file_name());
    match (grand, api) {
        (Some(g), Some(api)) if g == "conformance" => {
            format!("conformance__{}__{stem}", api.to_string_lossy())
        }
        _ => stem,
    }
}
