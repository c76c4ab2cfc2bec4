//! The storm on madsim 0.2, run as a subprocess: `tools/madsim-storm`.
//!
//! madsim simulates only when the whole build sees `--cfg madsim` (its own
//! crate and its tokio switch on it), which cannot share a build with the
//! simsock workspace. So the storm bench builds that crate once per
//! invocation, with `RUSTFLAGS="--cfg madsim"` into `target/madsim-storm`
//! (cargo does nothing when it is up to date), and runs it once per size;
//! the child measures its own CPU time the way this bench does. The build
//! runs from the workspace root, so `.cargo/config.toml` gives its jemalloc
//! the same huge-page options as the bench's.
//!
//! `STORM_MADSIM_BIN` names a binary built beforehand instead.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Outcome of one madsim storm run.
pub struct MadsimStats {
    pub connections: u64,
    pub cpu_seconds: f64,
    pub wall_seconds: f64,
    /// The child's peak resident set (`VmHWM`), KiB; 0 where unknown.
    pub peak_rss_kib: u64,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tools/ has a parent")
        .to_path_buf()
}

/// Builds the madsim storm (or takes `STORM_MADSIM_BIN`); its path.
pub fn build() -> Result<PathBuf, String> {
    if let Some(bin) = std::env::var_os("STORM_MADSIM_BIN") {
        return Ok(bin.into());
    }
    let root = workspace_root();
    let target = root.join("target").join("madsim-storm");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("building the madsim storm (tools/madsim-storm, --cfg madsim) ...");
    let status = Command::new(cargo)
        .current_dir(&root)
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(root.join("tools/madsim-storm/Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .env("RUSTFLAGS", "--cfg madsim")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build of tools/madsim-storm: {status}"));
    }
    Ok(target.join("release").join("simsock-madsim-storm"))
}

/// Runs `n` clients x `k` cycles over `servers` servers; None on failure,
/// with the reason on stderr.
pub fn run(bin: &Path, n: usize, k: usize, servers: usize) -> Option<MadsimStats> {
    let out = Command::new(bin)
        .args([n.to_string(), k.to_string(), servers.to_string()])
        .output()
        .map_err(|e| eprintln!("madsim storm: cannot run {}: {e}", bin.display()))
        .ok()?;
    if !out.status.success() {
        eprintln!(
            "madsim storm ({n} x {k}) failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<&str> = text.split_whitespace().collect();
    let parsed = match fields.as_slice() {
        [c, cpu, wall, peak] => (|| {
            Some(MadsimStats {
                connections: c.parse().ok()?,
                cpu_seconds: cpu.parse().ok()?,
                wall_seconds: wall.parse().ok()?,
                peak_rss_kib: peak.parse().ok()?,
            })
        })(),
        _ => None,
    };
    if parsed.is_none() {
        eprintln!("madsim storm ({n} x {k}): unreadable output {text:?}");
    }
    parsed
}
