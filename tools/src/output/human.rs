//! The human view of a run: a header with the scenario's story, one line per
//! completed call in the order the calls returned (a failed call followed by
//! its causal chain, `why:`), then the verdict and the digest.
//!
//! ```text
//! refused  seed 7  scenarios/refused.ron
//!   The client connects to port 80 before the server listens: ...
//!     0.000s  client main  s = socket(Inet, Stream)  OK (socket 0x100)
//!     2.010s  client main  connect(s, 10.0.0.2:80)   WSAECONNREFUSED
//!            why: WSAECONNREFUSED at 2.010 s: SYN answered with RST by server ...
//! PASS  refused: 13 calls, 40 events, ended at 246.004s
//! digest: 7786502d...
//! ```

use std::io::{self, Write};

use simsock_model::SimTime;
use simsock_sim::scenario::Report;
use simsock_sim::world::CallRecord;

use super::style::Style;
use super::width::{self, display, pad, pad_left, wrap};
use crate::files::ScenarioFile;

/// Where the story and the `why:` lines wrap, at most (narrower when the
/// width is: [`width::prose`]).
const WRAP_COLS: usize = 90;
/// Longer calls are not padded (they would push every detail far right).
const CALL_COLS_MAX: usize = 44;
/// The room the call column leaves for the result on a narrow terminal
/// (`OK (socket 0x100)`, `WSAECONNREFUSED`); a longer result goes on the
/// next line, under the call.
const DETAIL_COLS_MIN: usize = 20;

/// Writes one scenario's report; its last line is `digest: <hex>`.
pub fn scenario(
    out: &mut dyn Write,
    file: &ScenarioFile,
    report: &Report,
    style: Style,
) -> io::Result<()> {
    header(out, file, report, style)?;
    calls(out, &report.calls, style)?;
    unlisted(out, report, style)?;
    verdict(out, report, style)?;
    writeln!(out, "digest: {}", report.digest)
}

/// The last line after several scenarios.
pub fn summary(out: &mut dyn Write, passed: usize, failed: usize, style: Style) -> io::Result<()> {
    let failed_text = format!("{failed} failed");
    let failed_text = if failed > 0 {
        style.red(failed_text)
    } else {
        failed_text
    };
    let total = passed + failed;
    writeln!(out, "{total} scenarios: {passed} passed, {failed_text}")
}

fn header(
    out: &mut dyn Write,
    file: &ScenarioFile,
    report: &Report,
    style: Style,
) -> io::Result<()> {
    let title = style.bold(&report.scenario);
    let seed = report.seed;
    let plain = format!("{}  seed {seed}  {}", report.scenario, file.file);
    if display(&plain) <= width::columns() {
        writeln!(out, "{title}  seed {seed}  {}", style.dim(&file.file))?;
    } else {
        writeln!(out, "{title}  seed {seed}")?;
        writeln!(out, "  {}", style.dim(&file.file))?;
    }
    for line in wrap(&file.scenario.about, width::prose(WRAP_COLS) - 2) {
        writeln!(out, "  {line}")?;
    }
    Ok(())
}

fn calls(out: &mut dyn Write, calls: &[CallRecord], style: Style) -> io::Result<()> {
    let width = |f: fn(&CallRecord) -> usize| calls.iter().map(f).max().unwrap_or(0);
    let time_w = width(|c| time(c.end_ns).len()).max(9);
    let host_w = width(|c| display(&c.host));
    let thread_w = width(|c| display(&c.thread));
    let cols = width::columns();
    // The call column leaves the result at least DETAIL_COLS_MIN columns.
    let lead_w = time_w + 2 + host_w + 1 + thread_w + 2;
    let room = cols.saturating_sub(lead_w + 2 + DETAIL_COLS_MIN);
    let call_w = width(|c| display(&c.call)).min(CALL_COLS_MAX).min(room);
    for c in calls {
        let lead = format!(
            "{}  {} {}  ",
            pad_left(&time(c.end_ns), time_w),
            pad(&c.host, host_w),
            pad(&c.thread, thread_w)
        );
        let detail = match &c.failure {
            Some(f) => format!("{}  <- {f}", c.detail),
            None => c.detail.clone(),
        };
        let paint = |text: &str| match c.failure {
            Some(_) => style.red(text),
            None => text.to_string(),
        };
        let one_line = format!("{lead}{}  {detail}", pad(&c.call, call_w));
        if display(&one_line) <= cols {
            let call = pad(&c.call, call_w);
            writeln!(out, "{lead}{call}  {}", paint(&detail))?;
        } else {
            call_lines(out, &lead, &c.call, &detail, cols, paint)?;
        }
        if let Some(why) = &c.why {
            why_line(out, why, time_w + 2, style)?;
        }
    }
    Ok(())
}

/// A call too long for one line: the call, then its detail on the lines
/// below, both wrapped and indented under the call column.
fn call_lines(
    out: &mut dyn Write,
    lead: &str,
    call: &str,
    detail: &str,
    cols: usize,
    paint: impl Fn(&str) -> String,
) -> io::Result<()> {
    let indent = display(lead);
    let room = cols.saturating_sub(indent).max(20);
    for (i, line) in wrap(call, room).iter().enumerate() {
        let blank = " ".repeat(indent);
        let lead = if i == 0 { lead } else { &blank };
        writeln!(out, "{lead}{line}")?;
    }
    for line in wrap(detail, room) {
        writeln!(out, "{:indent$}{}", "", paint(&line))?;
    }
    Ok(())
}

/// A line saying how many calls the listing leaves out: a long run keeps
/// the records of its first calls only (`RunOptions::max_recorded_calls`).
fn unlisted(out: &mut dyn Write, report: &Report, style: Style) -> io::Result<()> {
    let count = report.call_count;
    if count.unrecorded == 0 {
        return Ok(());
    }
    let text = format!(
        "... {} more calls not listed: a run lists its first {} calls and any later failed \
         expectations; the digest covers every call",
        count.unrecorded,
        crate::run::LISTED_CALLS,
    );
    for line in wrap(&text, width::prose(WRAP_COLS)) {
        writeln!(out, "{}", style.dim(line))?;
    }
    Ok(())
}

/// The causal chain under a failed call: `why: <sentence>`, indented to
/// the host column and wrapped.
pub(crate) fn why_line(
    out: &mut dyn Write,
    why: &str,
    indent: usize,
    style: Style,
) -> io::Result<()> {
    let lead = format!("{:indent$}why: ", "");
    let cols = width::prose(WRAP_COLS).saturating_sub(lead.len()).max(40);
    for (i, line) in wrap(&glue_units(why), cols).iter().enumerate() {
        let lead = if i == 0 {
            lead.clone()
        } else {
            " ".repeat(lead.len())
        };
        let line = line.replace(GLUE, " ");
        writeln!(out, "{}", style.dim(format!("{lead}{line}")))?;
    }
    Ok(())
}

/// Stands for a space that [`wrap`] must not break at (it breaks at ASCII
/// spaces only), measured one column wide as the space it stands for.
const GLUE: char = '\u{a0}';

/// Keeps a number and its unit on one line: `2.001 s` never wraps between.
fn glue_units(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut glued = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let unit = i > 0
            && c == ' '
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1) == Some(&'s')
            && chars.get(i + 2).is_none_or(|n| !n.is_alphanumeric());
        glued.push(if unit { GLUE } else { c });
    }
    glued
}

fn verdict(out: &mut dyn Write, report: &Report, style: Style) -> io::Result<()> {
    if !report.failures.is_empty() {
        writeln!(out, "{}", style.red("failures:"))?;
        for failure in &report.failures {
            for line in width::hanging("  - ", &failure.to_string(), width::columns()) {
                writeln!(out, "{line}")?;
            }
        }
    }
    if let Some(limit) = &report.limit {
        writeln!(out, "{} {limit}", style.red("limit:"))?;
    }
    let word = if report.passed {
        style.green("PASS")
    } else {
        style.red("FAIL")
    };
    writeln!(
        out,
        "{word}  {}: {} calls, {} events, ended at {}",
        report.scenario, report.call_count.made, report.events, report.end
    )
}

pub(crate) fn time(ns: u64) -> String {
    SimTime::from_nanos(ns).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_keeps_its_unit_when_wrapped() {
        let mut out = Vec::new();
        let why =
            "WSAEHOSTUNREACH at 2.002 s: router answered ICMP host unreachable at 2.001 s (ARP)";
        why_line(&mut out, why, 2, Style { color: false }).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("  why: WSAEHOSTUNREACH at 2.002 s: "),
            "{text}"
        );
        assert!(text.contains("2.001 s"), "{text}");
        assert!(text.lines().all(|l| l.len() <= WRAP_COLS), "{text}");
        assert_eq!(
            glue_units("1 s, 3 s and 5 sec"),
            "1\u{a0}s, 3\u{a0}s and 5 sec"
        );
    }

    #[test]
    fn summary_counts() {
        let mut out = Vec::new();
        summary(&mut out, 2, 1, Style { color: false }).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "3 scenarios: 2 passed, 1 failed\n"
        );
    }
}
