//! `simsock conformance --profile P`: the stories of a personality beside
//! the 74 documented rows. The rows run under `windows-documented` (each
//! row's scenario pins it); `--profile windows` adds `scenarios/windows/`,
//! one story per observed Windows behaviour, each naming its source (a Wine
//! test function, a KB article, a measurement); `--profile linux` adds
//! `scenarios/linux/`, one story per Linux behaviour, each naming its man
//! page or kernel default. A story passes when its run meets every
//! expectation it writes (codes and times).

use std::path::Path;

use clap::ValueEnum;
use serde::Serialize;
use simsock_sim::scenario::{self, RunOptions};

use crate::files;

/// The personality whose stories run beside the rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Profile {
    /// Windows 10/11 as observed: the rows, then `scenarios/windows/`.
    Windows,
    /// The four documents: the 74 rows are its suite.
    WindowsDocumented,
    /// Linux with its default sysctls: the rows, then `scenarios/linux/`.
    Linux,
}

impl Profile {
    /// The folder of its stories under the scenario root, if it has one.
    fn folder(self) -> Option<&'static str> {
        match self {
            Profile::Windows => Some("windows"),
            Profile::WindowsDocumented => None,
            Profile::Linux => Some("linux"),
        }
    }

    /// The profile's name as the command line writes it.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Windows => "windows",
            Profile::WindowsDocumented => "windows-documented",
            Profile::Linux => "linux",
        }
    }
}

/// One story's verdict.
#[derive(Debug, Serialize)]
pub struct Story {
    pub profile: &'static str,
    pub scenario: String,
    pub name: String,
    pub passed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Runs the stories of `profile` under `root`; `None` if a file is invalid
/// (reported on stderr with its file, line and column).
pub fn run(root: &Path, profile: Profile) -> Option<Vec<Story>> {
    let Some(folder) = profile.folder() else {
        return Some(Vec::new());
    };
    let dir = root.join(folder);
    if !dir.is_dir() {
        return Some(Vec::new());
    }
    let paths = files::expand(&[dir])?;
    let loaded = files::load_all(&paths)?;
    let options = RunOptions {
        record_calls: true,
        ..RunOptions::default()
    };
    let stories = loaded
        .iter()
        .map(|file| {
            let report = scenario::run(&file.scenario, &options);
            Story {
                profile: profile.name(),
                scenario: file.file.clone(),
                name: file.scenario.name.clone(),
                passed: report.passed,
                reason: (!report.passed).then(|| {
                    let first = report.failures.first();
                    first.map_or("a run limit".to_string(), Clone::clone)
                }),
            }
        })
        .collect();
    Some(stories)
}
