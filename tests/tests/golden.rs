//! Golden traces: the canonical trace of every bundled scenario at its own
//! seed, as an insta snapshot. A change in what the simulator does shows up
//! here as a diff to review on purpose (`cargo insta review`), never silently.

use simsock_tests::{run_file, scenario_files};

#[test]
fn bundled_scenario_traces_are_unchanged() {
    for path in scenario_files() {
        let report = run_file(&path, None);
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = format!(
            "digest: {}\n{}\n",
            report.digest,
            report.trace_lines.join("\n")
        );
        insta::assert_snapshot!(name, text);
    }
}
