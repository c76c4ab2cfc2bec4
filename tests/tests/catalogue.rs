//! Every behaviour of the catalogue (`simsock_model::catalogue`, the
//! project's list of CB-IDs) is named by at least one test or scenario:
//! a bundled scenario file, an integration test, or a source file with unit
//! tests.

use std::fs;
use std::path::{Path, PathBuf};

use simsock_model::catalogue::{BEHAVIOURS, names};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf()
}

/// Files under `dir` with one of the extensions, recursively.
fn files(dir: &Path, ext: &str, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && !path.ends_with("target") {
            files(&path, ext, found);
        } else if path.extension().is_some_and(|e| e == ext) {
            found.push(path);
        }
    }
}

/// The text of every test and scenario: scenario files, integration test
/// files, and source files that hold `#[test]` functions.
fn tests_and_scenarios() -> Vec<(PathBuf, String)> {
    let root = workspace();
    let mut paths = Vec::new();
    files(&root.join("scenarios"), "ron", &mut paths);
    for dir in ["tests", "tools", "sim", "model"] {
        files(&root.join(dir), "rs", &mut paths);
    }
    paths
        .into_iter()
        .filter_map(|p| fs::read_to_string(&p).ok().map(|text| (p, text)))
        .filter(|(p, text)| p.extension().is_some_and(|e| e == "ron") || text.contains("#[test]"))
        .collect()
}

#[test]
fn every_behaviour_is_named_by_a_test_or_a_scenario() {
    let corpus = tests_and_scenarios();
    assert!(corpus.len() > 50, "found only {} files", corpus.len());
    let catalogue = corpus
        .iter()
        .find(|(p, _)| p.ends_with("model/src/catalogue.rs"));
    let unnamed: Vec<&str> = BEHAVIOURS
        .iter()
        .map(|b| b.id)
        .filter(|id| {
            !corpus
                .iter()
                .filter(|entry| Some(*entry) != catalogue)
                .any(|(_, text)| names(text, id))
        })
        .collect();
    assert!(unnamed.is_empty(), "no test or scenario names {unnamed:?}");
}

#[test]
fn whole_ids_only() {
    assert!(names("see CB-C1.", "CB-C1"));
    assert!(!names("see CB-C14", "CB-C1"));
}
