//! `simsock explain CB-N3`: one behaviour of the catalogue
//! (`simsock_model::catalogue`): what the documents promise, and the bundled
//! scenarios that name it.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use simsock_model::catalogue::{Behaviour, names};

use super::{paragraph, paths_and_commands};
use crate::files;
use crate::output::width::{self, hanging};

/// The whole explanation of `behaviour`.
pub fn write(out: &mut dyn Write, behaviour: &Behaviour) -> io::Result<()> {
    let title = format!("({})", behaviour.section);
    for line in hanging(&format!("{} ", behaviour.id), &title, width::columns()) {
        writeln!(out, "{line}")?;
    }
    paragraph(out, "  ", behaviour.text)?;
    writeln!(out)?;
    let root = files::default_dir();
    let named = scenarios_naming(&root, behaviour.id);
    if named.is_empty() {
        writeln!(out, "No bundled scenario names it; the tests do.")?;
        return Ok(());
    }
    writeln!(out, "Bundled scenarios that name it")?;
    let lines = named.into_iter().map(|path| {
        let command = format!("simsock run {path}");
        (path, command)
    });
    paths_and_commands(out, lines.collect())
}

/// Scenario files under `root` whose text names `id` as a whole ID
/// (`CB-C1` is not named by `CB-C14`), as `scenarios/...` paths, sorted.
fn scenarios_naming(root: &Path, id: &str) -> Vec<String> {
    let Some(paths) = files::expand(&[root.to_path_buf()]) else {
        return Vec::new();
    };
    paths
        .iter()
        .filter(|p| fs::read_to_string(p).is_ok_and(|text| names(&text, id)))
        .filter_map(|p| p.strip_prefix(root).ok())
        .map(|p| format!("scenarios/{}", p.display()))
        .collect()
}

#[cfg(test)]
mod tests {
    use simsock_model::catalogue;

    use super::*;

    #[test]
    fn a_behaviour_lists_the_scenarios_that_name_it() {
        let b = catalogue::find("CB-T4").expect("in the catalogue");
        let mut out = Vec::new();
        write(&mut out, b).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("CB-T4 (TIME_WAIT and reuse)\n"), "{text}");
        assert!(
            text.contains("scenarios/faults/old-duplicate.ron"),
            "{text}"
        );
        assert!(!names("CB-C14", "CB-C1"));
        assert!(names("(CB-C1)", "CB-C1"));
    }
}
