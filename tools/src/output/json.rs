//! The JSON-lines view: exactly one object per scenario per line, so runs
//! (and seed-sweep shards) merge by concatenation.

use std::io::{self, Write};

use serde::Serialize;
use simsock_sim::scenario::Report;
use simsock_sim::world::CallRecord;

use crate::files::ScenarioFile;

/// One scenario's line.
#[derive(Debug, Serialize)]
struct ScenarioLine<'a> {
    scenario: &'a str,
    file: &'a str,
    seed: u64,
    passed: bool,
    digest: &'a str,
    events: u64,
    end_ns: u64,
    failures: &'a [String],
    limit: Option<String>,
    calls: Vec<CallLine<'a>>,
}

/// One completed call.
#[derive(Debug, Serialize)]
struct CallLine<'a> {
    host: &'a str,
    thread: &'a str,
    call: &'a str,
    /// "OK" or the WSA name.
    result: &'a str,
    detail: &'a str,
    start_ns: u64,
    end_ns: u64,
    failure: Option<&'a str>,
    /// Why the call failed, read off the trace; null if it did not.
    why: Option<&'a str>,
}

/// Writes one scenario's report as one line of JSON.
pub fn scenario(out: &mut dyn Write, file: &ScenarioFile, report: &Report) -> io::Result<()> {
    let line = ScenarioLine {
        scenario: &report.scenario,
        file: &file.file,
        seed: report.seed,
        passed: report.passed,
        digest: &report.digest,
        events: report.events,
        end_ns: report.end.as_nanos(),
        failures: &report.failures,
        limit: report.limit.as_ref().map(ToString::to_string),
        calls: report.calls.iter().map(call).collect(),
    };
    serde_json::to_writer(&mut *out, &line)?;
    writeln!(out)
}

fn call(c: &CallRecord) -> CallLine<'_> {
    CallLine {
        host: &c.host,
        thread: &c.thread,
        call: &c.call,
        result: &c.result,
        detail: &c.detail,
        start_ns: c.start_ns,
        end_ns: c.end_ns,
        failure: c.failure.as_deref(),
        why: c.why.as_deref(),
    }
}
