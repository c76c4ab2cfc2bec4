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
            report.trace_lines.join("\n")
        );
        insta::assert_snapshot!(name, text);
    }
}

/// The snapshot's name: the file stem, except under `conformance/`, whose
/// files share their stems (`connect/WSAEINTR.ron`, `wsaconnect/WSAEINTR.ron`):
/// there the path, e.g. `conformance-wsaconnect-WSAEINTR`.
fn snapshot_name(path: &std::path::Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let relative = path
        .strip_prefix(simsock_tests::scenarios_dir())
        .unwrap_or(path);
    match relative.components().next() {
        Some(first) if first.as_os_str() == "conformance" => relative
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("-"),
        _ => stem,
    }
}
