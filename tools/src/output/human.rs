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
use crate::files::ScenarioFile;

/// Where the story under the header wraps.
const WRAP_COLS: usize = 90;
/// Longer calls are not padded (they would push every detail far right).
const CALL_COLS_MAX: usize = 44;

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
    writeln!(out, "{title}  seed {seed}  {}", style.dim(&file.file))?;
    for line in wrap(&file.scenario.about, WRAP_COLS - 2) {
        writeln!(out, "  {line}")?;
    }
    Ok(())
}

fn calls(out: &mut dyn Write, calls: &[CallRecord], style: Style) -> io::Result<()> {
    let width = |f: fn(&CallRecord) -> usize| calls.iter().map(f).max().unwrap_or(0);
    let time_w = width(|c| time(c.end_ns).len()).max(9);
    let host_w = width(|c| c.host.chars().count());
    let thread_w = width(|c| c.thread.chars().count());
    let call_w = width(|c| c.call.chars().count()).min(CALL_COLS_MAX);
    for c in calls {
        let at = time(c.end_ns);
        let (host, thread, call) = (&c.host, &c.thread, &c.call);
        let detail = match &c.failure {
            Some(f) => format!("{}  {}", style.red(&c.detail), style.red(format!("<- {f}"))),
            None => c.detail.clone(),
        };
        writeln!(
            out,
            "{at:>time_w$}  {host:<host_w$} {thread:<thread_w$}  {call:<call_w$}  {detail}"
        )?;
        if let Some(why) = &c.why {
            why_line(out, why, time_w + 2, style)?;
        }
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
    for line in wrap(&text, WRAP_COLS) {
        writeln!(out, "{}", style.dim(line))?;
    }
    Ok(())
}

/// The causal chain under a failed call: `why: <sentence>`, indented to
/// the host column and wrapped.
fn why_line(out: &mut dyn Write, why: &str, indent: usize, style: Style) -> io::Result<()> {
    let lead = format!("{:indent$}why: ", "");
    let cols = WRAP_COLS.saturating_sub(lead.len()).max(40);
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

/// Stands for a space that [`wrap`] must not break at.
const GLUE: char = '\u{1}';

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
            writeln!(out, "  - {failure}")?;
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

fn time(ns: u64) -> String {
    SimTime::from_nanos(ns).to_string()
}

/// Greedy word wrap to `cols` characters; a word longer than that gets a
/// line of its own.
pub(crate) fn wrap(text: &str, cols: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let needed = line.chars().count() + 1 + word.chars().count();
        if !line.is_empty() && needed > cols {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_lines_short_and_words_whole() {
        let text = "aaa bbb ccc ddd eee";
        assert_eq!(wrap(text, 7), ["aaa bbb", "ccc ddd", "eee"]);
        assert_eq!(
            wrap("averyveryverylongword x", 5),
            ["averyveryverylongword", "x"]
        );
        assert!(wrap("  ", 10).is_empty());
    }

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
            "1\u{1}s, 3\u{1}s and 5 sec"
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
