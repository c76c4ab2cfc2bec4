//! `simsock explain CODE`: one Winsock error code (`WSAECONNREFUSED` or
//! `10061`): its number and name, what each of the four documents that list
//! it says (quoted from `simsock_model::docs`), how simsock's network
//! produces it, the bundled scenarios that show it, and its rows of the
//! conformance matrix. `simsock explain CB-N3` explains a behaviour of the
//! catalogue instead ([`behaviour`]).
//!
//! An unknown code or ID is a usage error (exit 2).

mod behaviour;
mod errno;

use std::io::{self, Write};

use clap::Args;
use simsock_model::catalogue;
use simsock_model::docs::meaning_in;
use simsock_model::{Api, WsaError};
use simsock_sim::conformance::{self, Row};

use crate::exit::Exit;
use crate::output::width::{self, display, hanging};
use crate::run::finish;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A WSA name (WSAECONNREFUSED), a number (10061) or a behaviour of
    /// the catalogue (CB-N3).
    #[arg(value_name = "CODE")]
    pub code: String,
}

/// Bundled scenarios (paths under `scenarios/`) with a call that returns
/// the code; a test runs each and finds that call.
const SHOWN_BY: &[(WsaError, &[&str])] = &[
    (
        WsaError::WSAECONNREFUSED,
        &[
            "tour/02-refused.ron",
            "tour/08-backlog-full.ron",
            "refused.ron",
            "faults/firewall.ron",
        ],
    ),
    (WsaError::WSAENETDOWN, &["faults/netdown.ron"]),
    (WsaError::WSAEWOULDBLOCK, &["nonblocking/select.ron"]),
    (
        WsaError::WSAETIMEDOUT,
        &[
            "tour/03-timeout.ron",
            "tour/08-backlog-full.ron",
            "timeout.ron",
        ],
    ),
    (
        WsaError::WSAENETUNREACH,
        &["tour/04-unreachable.ron", "unreachable.ron"],
    ),
    (
        WsaError::WSAEHOSTUNREACH,
        &["tour/04-unreachable.ron", "unreachable.ron"],
    ),
    (
        WsaError::WSAEADDRINUSE,
        &["tour/05-time-wait.ron", "reuse.ron"],
    ),
    (
        WsaError::WSAENOBUFS,
        &["tour/06-port-exhaustion.ron", "reuse.ron"],
    ),
    // --- feature: wsaconnect ---
    (
        WsaError::WSAEINTR,
        &[
            "conformance/connect/WSAEINTR.ron",
            "conformance/wsaconnect/WSAEINTR.ron",
            "conformance/wspconnect/WSAEINTR.ron",
        ],
    ),
    (
        WsaError::WSAEINPROGRESS,
        &[
            "conformance/connect/WSAEINPROGRESS.ron",
            "conformance/wsaconnect/WSAEINPROGRESS.ron",
        ],
    ),
    (
        WsaError::WSAEOPNOTSUPP,
        &[
            "conformance/wsaconnect/WSAEOPNOTSUPP.ron",
            "conformance/wspconnect/WSAEOPNOTSUPP.ron",
        ],
    ),
    (
        WsaError::WSAEPROTONOSUPPORT,
        &[
            "conformance/wsaconnect/WSAEPROTONOSUPPORT.ron",
            "conformance/wspconnect/WSAEPROTONOSUPPORT.ron",
        ],
    ),
];

/// Where the text wraps, at most (narrower when the width is:
/// [`width::prose`]).
const WRAP_COLS: usize = 88;

/// Explains one code on stdout; exit 2 for a code the table does not know.
pub fn explain(args: &ExplainArgs) -> Exit {
    if let Some(found) = catalogue::find(args.code.trim()) {
        let mut out = io::stdout().lock();
        return finish(behaviour::write(&mut out, found), Exit::Ok);
    }
    if WsaError::lookup(&args.code).is_none()
        && let Some(errno) = simsock_model::Errno::lookup(&args.code)
    {
        let mut out = io::stdout().lock();
        let written = errno::write(&mut out, errno).and_then(|wsa| match wsa {
            Some(wsa) => write(&mut out, wsa),
            None => Ok(()),
        });
        return finish(written, Exit::Ok);
    }
    let Some(code) = WsaError::lookup(&args.code) else {
        crate::diagnostics::to_stderr(&format!(
            "error: `{}` is not a Winsock error code or a behaviour simsock knows; give a WSA \
             name such as WSAECONNREFUSED, a number such as 10061, an errno such as \
             ECONNREFUSED, or an ID such as CB-N3",
            args.code.trim()
        ));
        return Exit::Invalid;
    };
    let mut out = io::stdout().lock();
    finish(write(&mut out, code), Exit::Ok)
}

/// The whole explanation of `code`.
pub fn write(out: &mut dyn Write, code: WsaError) -> io::Result<()> {
    writeln!(out, "{} ({})", code.name(), code.number())?;
    paragraph(out, "  ", code.meaning())?;
    if let Some(errno) = simsock_model::Errno::from_wsa(code) {
        let text = format!(
            "On Linux (the linux personality): {} ({}).",
            errno.name(),
            errno.number()
        );
        paragraph(out, "  ", &text)?;
    }
    documents(out, code)?;
    how(out, code)?;
    scenarios(out, code)?;
    conformance(out, code)
}

/// The conformance rows of `code`: one per document that lists it, each
/// with its scenario.
fn conformance(out: &mut dyn Write, code: WsaError) -> io::Result<()> {
    let rows: Vec<Row> = conformance::rows()
        .into_iter()
        .filter(|r| r.code == code)
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "Conformance rows (simsock conformance)")?;
    for row in rows {
        let path = format!("scenarios/{}", row.path());
        let text = match row.impossible() {
            Some(why) => format!("impossible: {why}"),
            None => format!("simsock run {path}"),
        };
        let lead = format!("  {:<12}", row.api.name());
        for line in hanging(&lead, &text, width::prose(WRAP_COLS)) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

fn documents(out: &mut dyn Write, code: WsaError) -> io::Result<()> {
    writeln!(out)?;
    let listed: Vec<Api> = code.listed_in().collect();
    if listed.is_empty() {
        writeln!(out, "In the documents")?;
        return paragraph(
            out,
            "  ",
            "None of the four connect documents lists it; it comes from other calls.",
        );
    }
    writeln!(out, "In the documents (their error tables)")?;
    for api in Api::ALL {
        let text = match meaning_in(code, api) {
            Some(quote) => format!("\"{quote}\""),
            None => "not listed".to_string(),
        };
        let lead = format!("  {:<12}", api.name());
        for line in hanging(&lead, &text, width::prose(WRAP_COLS)) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

fn how(out: &mut dyn Write, code: WsaError) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "How simsock produces it")?;
    let causes = conformance::causes(code);
    if causes.is_empty() {
        return paragraph(
            out,
            "  ",
            "It does not: no simulated call returns this code.",
        );
    }
    for cause in causes {
        for line in hanging("  - ", cause, width::prose(WRAP_COLS)) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

fn scenarios(out: &mut dyn Write, code: WsaError) -> io::Result<()> {
    let files = shown_by(code);
    if files.is_empty() {
        let rows = conformance::rows().into_iter().any(|r| r.code == code);
        if !rows {
            writeln!(out, "\nNo bundled scenario shows it yet.")?;
        }
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "Bundled scenarios that show it")?;
    let listed = files.iter().map(|file| {
        let path = format!("scenarios/{file}");
        let command = match tour_stop(file) {
            Some(n) => format!("simsock tour {n}"),
            None => format!("simsock run {path}"),
        };
        (path, command)
    });
    paths_and_commands(out, listed.collect())
}

/// `  path  command` lines, the commands aligned; when the widest does not
/// fit the width, each command goes on the line under its path.
fn paths_and_commands(out: &mut dyn Write, lines: Vec<(String, String)>) -> io::Result<()> {
    let path_w = lines.iter().map(|(p, _)| display(p)).max().unwrap_or(0);
    let command_w = lines.iter().map(|(_, c)| display(c)).max().unwrap_or(0);
    let fits = 2 + path_w + 2 + command_w <= width::columns();
    for (path, command) in lines {
        if fits {
            writeln!(out, "  {}  {command}", width::pad(&path, path_w))?;
        } else {
            writeln!(out, "  {path}\n      {command}")?;
        }
    }
    Ok(())
}

/// The bundled scenarios that show `code` (paths under `scenarios/`).
pub fn shown_by(code: WsaError) -> &'static [&'static str] {
    SHOWN_BY
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(&[], |(_, files)| *files)
}

/// `tour/02-refused.ron` is stop 2 of the tour.
fn tour_stop(file: &str) -> Option<u32> {
    let name = file.strip_prefix("tour/")?;
    name.split_once('-')?.0.parse().ok()
}

fn paragraph(out: &mut dyn Write, lead: &str, text: &str) -> io::Result<()> {
    for line in width::wrap(text, width::prose(WRAP_COLS) - display(lead)) {
        writeln!(out, "{lead}{line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use simsock_sim::scenario::{self, RunOptions};

    use super::*;
    use crate::files;

    fn text(code: WsaError) -> String {
        let mut out = Vec::new();
        write(&mut out, code).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Every mapping holds: the named scenario, run, has a call (not
    /// WSAGetLastError) that returns the code.
    #[test]
    fn each_named_scenario_shows_its_code() {
        for (code, names) in SHOWN_BY {
            for name in *names {
                let path = files::default_dir().join(name);
                let file = files::load(&path).unwrap_or_else(|| panic!("{name} loads"));
                let report = scenario::run(&file.scenario, &RunOptions::default());
                assert!(report.passed, "{name}: {:?}", report.failures);
                let shown = report
                    .calls
                    .iter()
                    .any(|c| c.result == code.name() && !c.call.starts_with("WSAGetLastError"));
                assert!(shown, "{name} shows no call returning {code}");
            }
        }
    }

    #[test]
    fn refused_quotes_each_document_and_names_its_scenarios() {
        let text = text(WsaError::WSAECONNREFUSED);
        assert!(text.starts_with("WSAECONNREFUSED (10061)\n"), "{text}");
        assert!(
            text.contains("  connect     \"The attempt to connect was forcefully rejected.\"\n"),
            "{text}"
        );
        assert!(text.contains("  WSPConnect  \"An attempt to connect was rejected.\"\n"));
        assert!(text.contains("no listener on the port"), "{text}");
        assert!(text.contains("backlog_overflow: Reset"), "{text}");
        assert!(
            text.contains("  scenarios/tour/02-refused.ron       simsock tour 2\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "  scenarios/refused.ron               simsock run scenarios/refused.ron\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_code_some_documents_omit_says_so() {
        let text = text(WsaError::WSAEHOSTUNREACH);
        assert!(text.contains("  WSAConnect  not listed\n"), "{text}");
        assert!(
            text.contains("  ConnectEx   \"A socket operation was attempted"),
            "{text}"
        );
        let text = text_of("10054");
        assert!(
            text.contains("None of the four connect documents lists it"),
            "{text}"
        );
        assert!(text.contains("No bundled scenario shows it yet."), "{text}");
    }

    /// `explain` and the matrix agree: every code a row's scenario proves
    /// is explained with causes, never as a code no call returns; the
    /// firewall's RejectRst is a cause of refusal.
    #[test]
    fn every_proven_row_is_explained_as_produced() {
        let mut proven = 0;
        for row in conformance::rows() {
            let path = files::default_dir().join(row.path());
            let file = files::load(&path).unwrap_or_else(|| panic!("{} loads", row.path()));
            let report = scenario::run(&file.scenario, &RunOptions::default());
            if !conformance::proves(&report, row) {
                continue;
            }
            proven += 1;
            let text = text(row.code);
            assert!(!text.contains("It does not"), "{}:\n{text}", row.path());
            assert!(
                text.contains("How simsock produces it\n  - "),
                "{}:\n{text}",
                row.path()
            );
        }
        assert_eq!(proven, conformance::rows().len());
        let refused = text(WsaError::WSAECONNREFUSED);
        assert!(refused.contains("action RejectRst"), "{refused}");
        assert!(
            refused.contains("scenarios/faults/firewall.ron"),
            "{refused}"
        );
        for code in ["WSAENETDOWN", "WSAEFAULT", "WSAEWOULDBLOCK"] {
            let text = text_of(code);
            assert!(text.contains("(CB-"), "{text}");
        }
    }

    fn text_of(code: &str) -> String {
        text(WsaError::lookup(code).unwrap())
    }

    #[test]
    fn tour_stops_are_read_from_the_file_name() {
        assert_eq!(tour_stop("tour/02-refused.ron"), Some(2));
        assert_eq!(tour_stop("refused.ron"), None);
    }
}
