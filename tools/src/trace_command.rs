//! `simsock trace FILE [--seed N] [--format F] [--out PATH]`: run one
//! scenario with the full trace kept and write one view of it; `simsock
//! view FILE`: the HTML page, written and named. The views themselves are
//! the library's ([`simsock_tools::trace`]), which a Rust test reaches from
//! its run's outcome too.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use simsock_tools::trace::{self as views, Capture, Only, TooManyNodes, capture, out};

use crate::cli::{TraceArgs, TraceFormat, ViewArgs};
use crate::diagnostics;
use crate::exit::Exit;
use crate::files::{self, ScenarioFile};
use crate::output::style::Style;
use crate::output::width;
use crate::run::finish;

/// pcapng is binary: it goes to a file or a pipe, not to a terminal.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("pcapng is binary and stdout is a terminal")]
#[diagnostic(
    code(simsock::binary_to_terminal),
    help("write it to a file with --out trace.pcapng, or pipe it: `| wireshark -k -i -`")
)]
struct BinaryToTerminal;

/// `--link NAME` names no link of the scenario.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("no link named \"{name}\" in this scenario")]
#[diagnostic(code(simsock::unknown_link), help("the links: {known}"))]
struct UnknownLink {
    name: String,
    known: String,
}

/// `--link` chooses the frames of a capture; the other views draw nodes.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("--link applies to --format pcap only")]
#[diagnostic(
    code(simsock::link_without_pcap),
    help("add --format pcap, or drop --link")
)]
struct LinkWithoutPcap;

/// The ladder cannot draw this many nodes.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error(transparent)]
#[diagnostic(
    code(simsock::too_many_nodes),
    help(
        "give the ladder more columns (a wider terminal, or COLUMNS=N through a pipe), or use \
         --format mermaid, json, pcap or html, which have no width limit"
    )
)]
struct TooWide(#[from] TooManyNodes);

/// Runs the command; exit 2 for a bad file or an unwritable output, 1 when
/// the scenario's expectations failed (the view is written all the same).
pub fn trace(args: &TraceArgs) -> Exit {
    let Some(file) = files::load(&args.file) else {
        return Exit::Invalid;
    };
    let to_terminal = args.out.is_none() && io::stdout().is_terminal();
    if args.format == TraceFormat::Pcap && to_terminal {
        diagnostics::emit(BinaryToTerminal);
        return Exit::Invalid;
    }
    if args.link.is_some() && args.format != TraceFormat::Pcap {
        diagnostics::emit(LinkWithoutPcap);
        return Exit::Invalid;
    }
    let capture = capture(&file.scenario, args.seed);
    let Some(only) = only_link(&capture, args.link.as_deref()) else {
        return Exit::Invalid;
    };
    let color = args.out.is_none() && Style::stdout().color;
    let bytes = match view(&capture, args.format, color, only) {
        Ok(bytes) => bytes,
        Err(too_wide) => {
            diagnostics::emit(too_wide);
            return Exit::Invalid;
        }
    };
    let verdict = verdict(&capture);
    match &args.out {
        Some(path) => match out::write_file(path, &bytes) {
            Ok(()) => verdict,
            Err(unwritable) => {
                diagnostics::emit(unwritable);
                Exit::Invalid
            }
        },
        None => finish(io::stdout().lock().write_all(&bytes), verdict),
    }
}

/// The links `--link` lets through; `None` (reported) for an unknown name.
fn only_link(capture: &Capture, name: Option<&str>) -> Option<Only> {
    let Some(name) = name else {
        return Some(Only::All);
    };
    match capture.links.iter().position(|l| l.name == name) {
        Some(i) => Some(Only::Link(simsock_sim::net::LinkId(i as u32))),
        None => {
            let names: Vec<&str> = capture.links.iter().map(|l| l.name.as_str()).collect();
            diagnostics::emit(UnknownLink {
                name: name.to_string(),
                known: names.join(", "),
            });
            None
        }
    }
}

/// The chosen view's bytes.
fn view(
    capture: &Capture,
    format: TraceFormat,
    color: bool,
    only: Only,
) -> Result<Vec<u8>, TooWide> {
    Ok(match format {
        TraceFormat::Ladder => views::ladder(capture, color, width::columns())?.into_bytes(),
        TraceFormat::Mermaid => views::mermaid(capture).into_bytes(),
        TraceFormat::Json => views::json_lines(capture).into_bytes(),
        TraceFormat::Pcap => views::pcapng(capture, only),
        TraceFormat::Html => views::html(capture).into_bytes(),
    })
}

/// `simsock view FILE`: writes the scenario's page and prints its path.
pub fn view_page(args: &ViewArgs) -> Exit {
    let Some(file) = files::load(&args.file) else {
        return Exit::Invalid;
    };
    let stem = args
        .file
        .file_stem()
        .map_or_else(|| "trace".into(), |s| s.to_string_lossy().into_owned());
    let path = args.out.clone().unwrap_or_else(|| default_page_path(&stem));
    write_page(&file, args.seed, &path)
}

/// Where a page goes without `--out`: `simsock/<stem>.html` in the
/// temporary directory (`TMPDIR`, else `/tmp`), which this creates.
pub fn default_page_path(stem: &str) -> PathBuf {
    let dir = std::env::temp_dir().join("simsock");
    // A directory that cannot be made is reported by the write that follows.
    let _ = std::fs::create_dir_all(&dir);
    dir.join(format!("{stem}.html"))
}

/// Runs `file`, writes its page to `path` and prints the path on stdout;
/// exit 1 when the scenario's expectations failed (the page is written all
/// the same), 2 when the page cannot be written.
pub fn write_page(file: &ScenarioFile, seed: Option<u64>, path: &Path) -> Exit {
    let capture = capture(&file.scenario, seed);
    let page = views::html(&capture);
    if let Err(unwritable) = out::write_file(path, page.as_bytes()) {
        diagnostics::emit(unwritable);
        return Exit::Invalid;
    }
    let shown = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let printed = writeln!(io::stdout().lock(), "{}", shown.display());
    finish(printed, verdict(&capture))
}

fn verdict(capture: &Capture) -> Exit {
    if capture.passed {
        return Exit::Ok;
    }
    for failure in &capture.failures {
        tracing::warn!(scenario = %capture.scenario, "expectation failed: {failure}");
    }
    Exit::Failed
}
