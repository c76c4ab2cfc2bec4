//! # simsock (the command line)
//!
//! `simsock run [FILE|DIR ...] [--seed N] [--json]` runs scenarios and checks
//! their expectations; `simsock check FILE...` only validates them. With no
//! subcommand, `simsock` behaves as `simsock run`, so `cargo run --release`
//! runs the bundled suite in `scenarios/`.
//!
//! Code map:
//! - [`cli`]: the clap definitions of the commands and flags.
//! - [`files`]: finding scenario files (a file, a directory, the bundled
//!   suite), reading and loading them.
//! - [`diagnostics`]: miette reports for bad files: name, line, column, a
//!   labelled snippet and the help text.
//! - [`run`] and [`check`]: the two commands.
//! - [`output`]: the views of a run report: human text and JSON lines.
//! - [`trace_command`]: `simsock trace`: the trace as a ladder, Mermaid,
//!   JSON lines, pcapng or an HTML page; `simsock view`: the page, written
//!   and named. The views themselves are in the library
//!   (`simsock_tools::trace`, `src/lib.rs`), as is [`output::width`].
//! - [`sweep`]: `simsock sweep`: one scenario over a range of seeds on a
//!   pool of threads, shardable across machines; [`shrink`]: `simsock
//!   shrink`: a failing scenario cut down to what its failure needs.
//! - [`topo`], [`explain`] and [`tour`]: the teaching commands: a
//!   scenario's network, an error code explained, the guided tour.
//! - [`compare`]: `simsock compare`: one scenario under two profiles (or
//!   two seeds), and the calls (or the first event) where the runs part.
//! - [`conformance`]: `simsock conformance`: the 74-row matrix of the
//!   four documents' error tables, each row run from its scenario.
//! - [`exit`]: the exit codes (0 all expectations hold, 1 one failed or a
//!   run limit was hit, 2 usage error or bad file).
//!
//! Architecture invariant: this binary is the only crate that touches files,
//! the terminal, the environment or the process exit code; `simsock-sim` and
//! `simsock-model` stay pure. Logs go to stderr only (tracing, `-v` or
//! `RUST_LOG`); stdout carries nothing but the report (in `--json` mode,
//! exactly one JSON object per scenario per line).

mod check;
mod cli;
mod compare;
mod conformance;
mod diagnostics;
mod excerpt;
mod exit;
mod explain;
mod files;
mod output;
mod run;
mod shrink;
mod sweep;
mod topo;
mod tour;
mod trace_command;

use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command};
use crate::exit::Exit;

/// jemalloc, with transparent huge pages (`thp:always`, set at build time
/// in `.cargo/config.toml`). A run's state is spread over every host's
/// connections, sockets and TIME_WAIT records; with 4 KiB pages, a big
/// network misses the TLB on most packets. README "Performance" has the
/// figures. The library crates take no side: a program that embeds
/// `simsock-sim` chooses its own allocator.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = Cli::parse_args();
    output::style::Style::set_choice(cli.color.choice());
    init_logging(cli.verbose);
    let exit = match cli.command {
        Some(Command::Run(args)) => run::run(&args),
        Some(Command::Check(args)) => check::check(&args),
        Some(Command::Topo(args)) => topo::topo(&args),
        Some(Command::Explain(args)) => explain::explain(&args),
        Some(Command::Tour(args)) => tour::tour(&args),
        Some(Command::Trace(args)) => trace_command::trace(&args),
        Some(Command::View(args)) => trace_command::view_page(&args),
        Some(Command::Sweep(args)) => sweep::sweep(&args),
        Some(Command::Shrink(args)) => shrink::shrink(&args),
        Some(Command::Conformance(args)) => conformance::conformance(&args),
        Some(Command::Compare(args)) => compare::compare(&args),
        None => run::run(&cli.run),
    };
    exit.into()
}

/// Logs to stderr: warnings by default, more with each `-v`; `RUST_LOG`,
/// when set, wins.
fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never)
        // A log line that cannot be written (stderr closed) is dropped; the
        // report of the failure would go to stderr by `eprintln!`, which
        // panics there (exit 101, issue 15, item 4).
        .log_internal_errors(false)
        .without_time()
        .with_target(false)
        .init();
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

#[cfg(test)]
mod tests {
    /// The allocator has the options README "Performance" measures with:
    /// huge pages for the heap and for jemalloc's metadata, compiled in
    /// from `.cargo/config.toml`. Without them the 1000-client storm loses
    /// about 7%.
    #[test]
    fn jemalloc_is_built_with_transparent_huge_pages() {
        let conf =
            tikv_jemalloc_ctl::config::malloc_conf::read().expect("jemalloc's build options");
        // The string comes back with its C terminator.
        let options: Vec<&str> = conf.trim_end_matches('\0').split(',').collect();
        assert!(options.contains(&"thp:always"), "{conf}");
        assert!(options.contains(&"metadata_thp:always"), "{conf}");
    }
}
