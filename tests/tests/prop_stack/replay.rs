//! A failing case as a scenario file: written under the test's target
//! directory, read back and run again before its path is given out, so the
//! path in a failure message always names a file that `simsock run`
//! replays, with the same trace digest.

use std::path::PathBuf;

use simsock_model::scenario::Scenario;
use simsock_sim::scenario::{RunOptions, load, run};

/// Where failing cases are written: `target/tmp/prop_stack/`.
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("prop_stack")
}

/// The scenario as RON text, with the failure and the digest of its run in
/// its `about`, so the file says what to look for.
pub fn to_ron(scenario: &Scenario, why: &str, digest: &str) -> Result<String, ron::Error> {
    let mut written = scenario.clone();
    written.about = format!(
        "A failing case of tests/tests/prop_stack (proptest, shrunk). Its run has digest \
         {digest}. What failed:\n{why}"
    );
    let config = ron::ser::PrettyConfig::default().struct_names(true);
    ron::ser::to_string_pretty(&written, config)
}

/// Writes the failing case to `<dir>/<name>.ron` and checks that the file
/// loads and replays the run (the same digest). Returns its path.
pub fn write(scenario: &Scenario, why: &str, digest: &str, name: &str) -> Result<PathBuf, String> {
    let text = to_ron(scenario, why, digest).map_err(|e| format!("cannot write RON: {e}"))?;
    let path = dir().join(format!("{name}.ron"));
    std::fs::create_dir_all(dir()).map_err(|e| format!("{}: {e}", dir().display()))?;
    std::fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
    let loaded = load(&text).map_err(|e| format!("{} does not load: {e}", path.display()))?;
    let replayed = run(&loaded, &RunOptions::default()).digest;
    if replayed != digest {
        return Err(format!(
            "{} replays with digest {replayed}, not {digest}",
            path.display()
        ));
    }
    Ok(path)
}
