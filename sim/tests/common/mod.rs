//! What the source checks (`clock.rs`, `layers.rs`) share.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir` that `keep` accepts, sorted, so a check's
/// findings come out in the same order on every machine.
pub fn rust_files(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && keep(&path) {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}
