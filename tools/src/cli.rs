//! The command line, as clap derive definitions.

use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{ArgAction, Args, CommandFactory, Parser, Subcommand};

/// Deterministic network simulator: run Winsock scenarios and check their
/// expectations.
#[derive(Debug, Parser)]
#[command(
    name = "simsock",
    version,
    override_usage = "simsock [run] [OPTIONS] [FILE|DIR]...\n       simsock check <FILE|DIR>..."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// With no subcommand: the arguments of `run`.
    #[command(flatten)]
    pub run: RunArgs,

    /// More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG
    /// overrides it.
    #[arg(short, long, action = ArgAction::Count, global = true)]
    pub verbose: u8,
}

impl Cli {
    /// Parses the process arguments; on a usage error clap prints it and
    /// exits with 2.
    pub fn parse_args() -> Cli {
        let cli = Cli::parse();
        if let Err(message) = cli.validate() {
            Cli::command()
                .error(ErrorKind::ArgumentConflict, message)
                .exit();
        }
        cli
    }

    /// `run`'s arguments belong after the subcommand: `simsock --seed 3 run`
    /// would otherwise drop the seed without a word.
    fn validate(&self) -> Result<(), &'static str> {
        let top = &self.run;
        let top_used = !top.paths.is_empty() || top.seed.is_some() || top.json;
        if self.command.is_some() && top_used {
            return Err("put paths, --seed and --json after the subcommand");
        }
        Ok(())
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenarios, check their expectations and print each trace's digest
    /// (the default command).
    Run(RunArgs),
    /// Validate scenario files without running them.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files, or directories to search for `*.ron` files; none
    /// means the bundled suite in `scenarios/`.
    #[arg(value_name = "FILE|DIR")]
    pub paths: Vec<PathBuf>,

    /// Run with this seed instead of each scenario's own.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// One JSON object per scenario per line on stdout, and nothing else.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario files, or directories to search for `*.ron` files.
    #[arg(value_name = "FILE|DIR", required = true)]
    pub paths: Vec<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_subcommand_means_run() {
        let cli = Cli::try_parse_from(["simsock", "--seed", "3", "a.ron"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.run.seed, Some(3));
        assert_eq!(cli.run.paths, [PathBuf::from("a.ron")]);
    }

    #[test]
    fn run_subcommand_takes_flags() {
        let cli = Cli::try_parse_from(["simsock", "run", "--json", "-v", "d"]).unwrap();
        let Some(Command::Run(args)) = cli.command else {
            panic!("expected run");
        };
        assert!(args.json);
        assert_eq!(cli.verbose, 1);
    }

    #[test]
    fn verbose_may_come_before_the_subcommand() {
        let cli = Cli::try_parse_from(["simsock", "-v", "run", "x.ron"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Run(_))));
        assert_eq!(cli.verbose, 1);
        assert!(cli.validate().is_ok());
    }

    #[test]
    fn run_flags_before_the_subcommand_are_an_error() {
        let cli = Cli::try_parse_from(["simsock", "--seed", "3", "run", "x.ron"]).unwrap();
        assert!(cli.validate().is_err());
    }

    #[test]
    fn check_needs_a_file() {
        assert!(Cli::try_parse_from(["simsock", "check"]).is_err());
    }
}
