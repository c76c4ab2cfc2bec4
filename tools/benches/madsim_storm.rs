//! The storm on madsim 0.2, run as a subprocess: `tools/madsim-storm`.
//!
//! madsim simulates only when the whole build sees `--cfg madsim` (its own
//! crate and its tokio switch on it), which cannot share a build with the
//! simsock workspace. So the storm bench builds that crate once per
//! invocation, with `RUSTFLAGS="--cfg madsim"` into `target/madsim-storm`
//! (cargo does nothing when it is up to date), and runs it once per size,
//! the size's runs one after another in the child, as simsock's run in
//! this process; the child measures its own CPU time the way this bench
//! does. The build
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

/// Runs `n` clients x `k` cycles over `servers` servers, `runs` times in
/// one child process (as the bench repeats simsock's runs in its own); a
/// line of figures per run, or None on failure, with the reason on stderr.
pub fn run(
    bin: &Path,
    n: usize,
    k: usize,
    servers: usize,
    runs: usize,
) -> Option<Vec<MadsimStats>> {
    let out = Command::new(bin)
        .args([n, k, servers, runs].map(|a| a.to_string()))
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
    let parsed: Option<Vec<MadsimStats>> = text.lines().map(parse_line).collect();
    match parsed {
        Some(stats) if stats.len() == runs => Some(stats),
        _ => {
            eprintln!("madsim storm ({n} x {k}): unreadable output {text:?}");
            None
        }
    }
}

/// One run's line: `connections cpu_seconds wall_seconds peak_rss_kib`.
fn parse_line(line: &str) -> Option<MadsimStats> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let [c, cpu, wall, peak] = fields.as_slice() else {
        return None;
    };
    Some(MadsimStats {
        connections: c.parse().ok()?,
        cpu_seconds: cpu.parse().ok()?,
        wall_seconds: wall.parse().ok()?,
        peak_rss_kib: peak.parse().ok()?,
    })
}
