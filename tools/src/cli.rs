//! The command line, as clap derive definitions.

use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{ArgAction, Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::sweep::{SeedRange, Shard};

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

    /// Colour: auto (a terminal, unless NO_COLOR is set or CLICOLOR_FORCE
    /// forces it), always or never.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true)]
    pub color: ColorWhen,
}

/// When to colour the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    pub fn choice(self) -> anstream::ColorChoice {
        match self {
            ColorWhen::Auto => anstream::ColorChoice::Auto,
            ColorWhen::Always => anstream::ColorChoice::Always,
            ColorWhen::Never => anstream::ColorChoice::Never,
        }
    }
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
    /// Show a scenario's network: nodes, links and routes (text or DOT).
    Topo(crate::topo::TopoArgs),
    /// Explain a Winsock error code: the documents, the causes, the
    /// scenarios that show it.
    Explain(crate::explain::ExplainArgs),
    /// The guided tour: list the stops, or run stop N after its question.
    Tour(crate::tour::TourArgs),
    /// Run one scenario and write its trace as a ladder diagram, Mermaid,
    /// JSON lines, pcapng or an HTML page.
    Trace(TraceArgs),
    /// Run one scenario, write its trace as an HTML page to step through in
    /// a browser, and print the page's path.
    View(ViewArgs),
    /// Run one scenario over a range of seeds in parallel and summarise the
    /// outcomes.
    Sweep(SweepArgs),
    /// Cut a failing scenario down to the parts its failure needs.
    Shrink(ShrinkArgs),
    /// The conformance matrix: each (API, error code) row of the four
    /// documents' tables, the scenario that produces it, and whether it
    /// passed.
    Conformance(crate::conformance::ConformanceArgs),
    /// Run one scenario under two profiles (windows and linux by default)
    /// and show the calls whose results or times differ, with each side's
    /// why; or under two seeds, and show where the traces part.
    Compare(crate::compare::CompareArgs),
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

#[derive(Debug, Args)]
pub struct TraceArgs {
    /// The scenario file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Run with this seed instead of the scenario's own.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// The view to write.
    #[arg(long, value_enum, default_value_t = TraceFormat::Ladder)]
    pub format: TraceFormat,

    /// Write to this file (whole or not at all) instead of stdout.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,

    /// With --format pcap: only this link's frames (each packet once, so
    /// Wireshark flags no copy of a routed packet as a retransmission).
    #[arg(long, value_name = "NAME")]
    pub link: Option<String>,
}

/// The views of a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TraceFormat {
    /// A sequence diagram for the terminal, 100 columns wide.
    Ladder,
    /// A Mermaid sequenceDiagram, for Markdown.
    Mermaid,
    /// One JSON object per trace event per line.
    Json,
    /// pcapng for Wireshark: one interface per link.
    Pcap,
    /// One self-contained HTML page to step through in a browser.
    Html,
}

#[derive(Debug, Args)]
pub struct ViewArgs {
    /// The scenario file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Run with this seed instead of the scenario's own.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Write the page here (default: `simsock/<name>.html` in the
    /// temporary directory).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The scenario file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The seeds: A..B (B excluded) or A..=B (B included); at most
    /// 10,000,000 per sweep.
    #[arg(long, value_name = "A..B", value_parser = SeedRange::parse)]
    pub seeds: SeedRange,

    /// Worker threads (default: one per core).
    #[arg(short = 'j', long = "jobs", value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,

    /// Run only shard I of N: the seeds with (seed - A) % N == I.
    #[arg(long, value_name = "I/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,

    /// One JSON object per seed per line on stdout, and nothing else.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShrinkArgs {
    /// The scenario file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// A seed with which the scenario fails.
    #[arg(long, value_name = "N")]
    pub seed: u64,

    /// Where to write the smallest failing scenario (default: FILE with
    /// `.shrunk.ron` for `.ron`).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
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
