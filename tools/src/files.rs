//! Finding, reading and loading scenario files.

use std::fs;
use std::path::{Path, PathBuf};

use simsock_model::scenario::Scenario;

use crate::diagnostics::{self, InvalidScenario, NoScenarios, Unreadable};

/// A scenario file that parsed and passed the semantic check.
#[derive(Debug)]
pub struct ScenarioFile {
    /// The path as the user gave it (or as found under a directory).
    pub file: String,
    pub scenario: Scenario,
}

/// The bundled suite: `scenarios/` under the current directory, or else the
/// workspace's own, so `cargo run` works from anywhere in the repository.
pub fn default_dir() -> PathBuf {
    let here = PathBuf::from("scenarios");
    if here.is_dir() {
        return here;
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).join("scenarios")
}

/// Every scenario file the paths name, in order: a file as given, a
/// directory as its `*.ron` files (recursively, sorted by path). Reports each
/// problem on stderr; `None` if there was any.
pub fn expand(paths: &[PathBuf]) -> Option<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut ok = true;
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let mut found = Vec::new();
        if let Err(error) = find_ron(path, &mut found) {
            let file = path.display().to_string();
            diagnostics::emit(Unreadable { file, error });
            ok = false;
        } else if found.is_empty() {
            let dir = path.display().to_string();
            diagnostics::emit(NoScenarios { dir });
            ok = false;
        }
        found.sort();
        files.append(&mut found);
    }
    ok.then_some(files)
}

/// Appends every `*.ron` file below `dir` (symbolic links not followed).
fn find_ron(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            find_ron(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "ron") {
            found.push(path);
        }
    }
    Ok(())
}

/// The largest scenario file read, in bytes: a scenario at every limit
/// (10,000 threads of 10,000 steps would be larger, but no limit lets a run
/// execute them all) fits many times over. A larger file, or an endless one
/// such as `/dev/zero`, is an error, not an out-of-memory (issue 15, item 4).
pub const MAX_SCENARIO_BYTES: u64 = 64 << 20;

/// The text of `path`, at most [`MAX_SCENARIO_BYTES`] of it.
pub fn read_capped(path: &Path) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind, Read};
    let mut bytes = Vec::new();
    fs::File::open(path)?
        .take(MAX_SCENARIO_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(Error::new(
            ErrorKind::FileTooLarge,
            format!(
                "larger than {} MiB, the most a scenario file may hold",
                MAX_SCENARIO_BYTES >> 20
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|_| Error::new(ErrorKind::InvalidData, "not UTF-8 text"))
}

/// Reads and loads one file; `None` when it cannot, the reason reported on
/// stderr.
pub fn load(path: &Path) -> Option<ScenarioFile> {
    let file = path.display().to_string();
    let source = match read_capped(path) {
        Ok(source) => source,
        Err(error) => {
            diagnostics::emit(Unreadable { file, error });
            return None;
        }
    };
    match simsock_sim::scenario::load(&source) {
        Ok(scenario) => Some(ScenarioFile { file, scenario }),
        Err(error) => {
            diagnostics::emit(InvalidScenario::new(&file, &source, error));
            None
        }
    }
}

/// Loads every file, reporting every problem (not only the first); `None`
/// if any file failed, so nothing runs.
pub fn load_all(paths: &[PathBuf]) -> Option<Vec<ScenarioFile>> {
    let loaded: Vec<Option<ScenarioFile>> = paths.iter().map(|p| load(p)).collect();
    loaded.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_suite_is_found() {
        let dir = default_dir();
        let files = expand(&[dir]).expect("scenarios/ holds *.ron files");
        assert!(files.iter().any(|f| f.ends_with("refused.ron")));
        let mut sorted = files.clone();
        sorted.sort();
        assert_eq!(files, sorted);
    }

    #[test]
    fn a_file_is_kept_as_given() {
        let files = expand(&[PathBuf::from("no/such.ron")]).unwrap();
        assert_eq!(files, [PathBuf::from("no/such.ron")]);
    }

    #[test]
    fn a_missing_file_does_not_load() {
        assert!(load(Path::new("no/such/file.ron")).is_none());
    }
}
