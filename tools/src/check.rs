//! `simsock check`: parse and check files without running them.

use std::io::{self, Write};
use std::path::PathBuf;

use crate::cli::CheckArgs;
use crate::exit::Exit;
use crate::files;
use crate::run::finish;

/// Prints `ok: FILE` for each valid file and a diagnostic on stderr for each
/// bad one.
pub fn check(args: &CheckArgs) -> Exit {
    let Some(paths) = files::expand(&args.paths) else {
        return Exit::Invalid;
    };
    let mut exit = Exit::Ok;
    let written = check_all(&paths, &mut exit, &mut io::stdout().lock());
    finish(written, exit)
}

fn check_all(paths: &[PathBuf], exit: &mut Exit, out: &mut dyn Write) -> io::Result<()> {
    for path in paths {
        match files::load(path) {
            Some(loaded) => writeln!(out, "ok: {}", loaded.file)?,
            None => *exit = Exit::Invalid,
        }
    }
    Ok(())
}
