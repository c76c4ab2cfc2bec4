//! Writing a view to `--out` all at once: into a temporary file in the same
//! directory, then renamed over the target (a rename within one file system
//! is atomic on POSIX, `rename(2)`), so a failed write leaves no half file.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use miette::Diagnostic;

/// The output file could not be written.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("cannot write {file}: {error}")]
#[diagnostic(
    code(simsock::unwritable),
    help("check that the directory exists and is writable, and that the path is not a directory")
)]
pub struct Unwritable {
    pub file: String,
    pub error: io::Error,
}

/// Writes `bytes` to `path` atomically.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Unwritable> {
    let temp = temp_path(path);
    let written = write_temp(&temp, bytes).and_then(|()| fs::rename(&temp, path));
    written.map_err(|error| {
        // The temporary file may not exist; nothing else to clean up.
        let _ = fs::remove_file(&temp);
        Unwritable {
            file: path.display().to_string(),
            error,
        }
    })
}

fn write_temp(temp: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = fs::File::create(temp)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// `dir/.name.<pid>.tmp` beside the target.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let temp = format!(".{name}.{}.tmp", std::process::id());
    path.with_file_name(temp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(test: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("simsock-out-{}-{test}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn writes_and_leaves_no_temporary() {
        let dir = dir("ok");
        let path = dir.join("a.txt");
        write_file(&path, b"hello").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"hello");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_directory_target_fails_cleanly() {
        let dir = dir("isdir");
        let target = dir.join("sub");
        fs::create_dir_all(&target).unwrap();
        let error = write_file(&target, b"x").unwrap_err();
        assert!(error.to_string().starts_with("cannot write"));
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_missing_directory_fails() {
        let path = Path::new("/nonexistent-simsock-dir/x.pcapng");
        assert!(write_file(path, b"x").is_err());
    }
}
