//! `simsock sweep FILE --seeds A..B [-j N] [--shard I/N] [--json]`: one
//! scenario over a range of seeds, on a pool of worker threads.
//!
//! Seeds run in chunks; each chunk runs in parallel and its outcomes come
//! back in seed order, so the summary and the JSON lines are the same
//! whatever `-j` is, and memory stays bounded however many seeds run.
//! `--json` writes one line per seed and nothing else on stdout; shards'
//! lines merge by concatenation (`sort -n` on the seed, if order matters).

mod outcome;
mod seeds;
mod summary;

use std::io::{self, BufWriter, IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

pub use self::outcome::panic_text;
use self::outcome::{SeedOutcome, Seeds, write_json};
use self::seeds::{EmptyShard, MAX_SWEEP_SEEDS, TooManySeeds};
pub use self::seeds::{SeedRange, Shard};
use self::summary::{Header, Summary};
use crate::cli::SweepArgs;
use crate::diagnostics;
use crate::exit::Exit;
use crate::files::{self, ScenarioFile};
use crate::output::style::Style;
use crate::run::finish;

/// Seeds handed to the pool at a time: enough to keep every worker busy,
/// few enough that a chunk's outcomes are small.
const CHUNK_SEEDS: usize = 4096;

/// Runs the sweep the arguments describe.
pub fn sweep(args: &SweepArgs) -> Exit {
    let total = args.seeds.len(args.shard);
    if total > MAX_SWEEP_SEEDS {
        diagnostics::emit(TooManySeeds { seeds: total });
        return Exit::Invalid;
    }
    if let (0, Some(shard)) = (total, args.shard) {
        let (seeds, count) = (args.seeds, args.seeds.count);
        diagnostics::emit(EmptyShard {
            shard,
            seeds,
            count,
        });
        return Exit::Invalid;
    }
    let Some(file) = files::load(&args.file) else {
        return Exit::Invalid;
    };
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.map_or(0, usize::from))
        .build()
    {
        Ok(pool) => pool,
        Err(e) => {
            tracing::error!("cannot start the worker threads: {e}");
            return Exit::Invalid;
        }
    };
    let bar = progress_bar(total);
    let mut summary = Summary::default();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = run_all(&file, args, &pool, &bar, &mut summary, &mut out);
    bar.finish_and_clear();
    let written = written.and_then(|()| {
        if !args.json {
            let style = Style::stdout();
            summary::write(&mut out, &header(&file, args), &summary, style)?;
        }
        out.flush()
    });
    let exit = if summary.failed() > 0 {
        Exit::Failed
    } else {
        Exit::Ok
    };
    finish(written, exit)
}

/// Runs every seed, chunk by chunk, feeding the summary (and stdout, with
/// `--json`) in seed order.
fn run_all(
    file: &ScenarioFile,
    args: &SweepArgs,
    pool: &rayon::ThreadPool,
    bar: &ProgressBar,
    summary: &mut Summary,
    out: &mut dyn Write,
) -> io::Result<()> {
    let runner = Seeds::new(&file.scenario);
    let mut seeds = args.seeds.seeds(args.shard);
    loop {
        let chunk: Vec<u64> = seeds.by_ref().take(CHUNK_SEEDS).collect();
        if chunk.is_empty() {
            return Ok(());
        }
        let outcomes: Vec<SeedOutcome> = pool.install(|| {
            chunk
                .par_iter()
                .map_init(
                    || runner.prepare(),
                    |prepared, &seed| {
                        let outcome = runner.run(prepared, seed);
                        bar.inc(1);
                        outcome
                    },
                )
                .collect()
        });
        for outcome in &outcomes {
            summary.add(outcome);
            if args.json {
                write_json(out, &file.scenario.name, &file.file, outcome)?;
            }
        }
        out.flush()?;
    }
}

/// A bar on stderr when it is a terminal; nothing otherwise.
fn progress_bar(total: u64) -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let template = "{bar:40} {pos}/{len} seeds  {per_sec}  eta {eta}";
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

fn header<'a>(file: &'a ScenarioFile, args: &SweepArgs) -> Header<'a> {
    let seeds = match args.shard {
        Some(shard) => format!("seeds {} shard {shard}", args.seeds),
        None => format!("seeds {}", args.seeds),
    };
    Header {
        scenario: &file.scenario.name,
        file: &file.file,
        seeds,
    }
}
