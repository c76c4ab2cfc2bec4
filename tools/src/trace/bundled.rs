//! The bundled scenarios, for the views' tests (the library has no file
//! commands; the binary's `files` reports problems as diagnostics).

use std::path::{Path, PathBuf};

use simsock_model::scenario::Scenario;

/// `scenarios/` of the repository.
pub fn default_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).join("scenarios")
}

/// The `*.ron` files under each directory (recursively, sorted by path).
pub fn expand(dirs: &[PathBuf]) -> Option<Vec<PathBuf>> {
    let mut found = Vec::new();
    for dir in dirs {
        find_ron(dir, &mut found).ok()?;
    }
    found.sort();
    Some(found)
}

fn find_ron(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            find_ron(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "ron") {
            found.push(path);
        }
    }
    Ok(())
}

/// The scenario in `path`.
pub fn load(path: &Path) -> Option<Scenario> {
    let text = std::fs::read_to_string(path).ok()?;
    simsock_sim::scenario::load(&text).ok()
}
