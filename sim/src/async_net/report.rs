//! The message of a failed async run: the seed, what failed, why the last
//! failed call failed (`why:` from the trace), and the trace's last lines.

use std::fmt::Write as _;

use super::outcome::Outcome;

/// Trace lines the message ends with.
const LAST_LINES: usize = 12;

pub(crate) fn failure_text(outcome: &Outcome) -> String {
    let report = &outcome.report;
    let mut text = format!(
        "simsock: async run of `{}` failed with seed {}:\n",
        report.scenario, outcome.seed
    );
    for client in outcome.clients.iter().filter(|c| c.result.is_err()) {
        let error = client.result.as_ref().err().map_or("", String::as_str);
        let host = if client.host.is_empty() {
            "run"
        } else {
            &client.host
        };
        let _ = writeln!(text, "  {host}: {error}");
    }
    for failure in &report.failures {
        let _ = writeln!(text, "  {failure}");
    }
    if let Some(limit) = &report.limit {
        let _ = writeln!(text, "  {limit}");
    }
    // A call with a `why` failed (a connect's refusal may surface as the
    // code a getsockopt(SO_ERROR) reads, as the async connect does).
    let failed = report.calls.iter().rev().find(|c| c.why.is_some());
    if let Some(call) = failed {
        let _ = writeln!(
            text,
            "last failed call: {}/{}: {} -> {}\n  why: {}",
            call.host,
            call.thread,
            call.call,
            call.detail,
            call.why.as_deref().unwrap_or("")
        );
    }
    let _ = writeln!(text, "last trace lines:");
    let start = report.trace.len().saturating_sub(LAST_LINES);
    for event in &report.trace[start..] {
        let mut line = String::new();
        report.names.write_event(&mut line, event);
        let _ = writeln!(text, "  {line}");
    }
    let _ = write!(
        text,
        "replay: run the test again; it used seed {} (async_net::Sim::seed({}))",
        outcome.seed, outcome.seed
    );
    text
}
