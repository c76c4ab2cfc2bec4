//! Two seeds: the first trace event where the runs part, what followed on
//! each side, and the calls that ended differently.

use std::io::{self, Write};

use super::{Side, calls, verdicts, wrapped};
use crate::output::human::time;
use crate::output::style::Style;
use crate::output::width;

/// Events shown before the parting, for context, and after it, per side.
const BEFORE: usize = 2;
const AFTER: usize = 6;

pub fn write(out: &mut dyn Write, file: &str, sides: &[Side; 2], style: Style) -> io::Result<()> {
    let [a, b] = sides;
    let head = format!("{}  {file}: {} | {}", a.report.scenario, a.label, b.label);
    wrapped(out, "", &head, Some(style))?;
    let [la, lb] = sides.each_ref().map(|s| {
        s.report
            .trace_lines()
            .iter()
            .map(|l| shown(l))
            .collect::<Vec<_>>()
    });
    let [ka, kb] = [&la, &lb].map(|lines| lines.iter().map(|l| masked(l)).collect::<Vec<_>>());
    let Some(at) = (0..ka.len().max(kb.len())).find(|&i| ka.get(i) != kb.get(i)) else {
        writeln!(
            out,
            "the traces are the same, event for event, but for sequence numbers ({} events)",
            la.len()
        )?;
        return verdicts(out, sides);
    };
    let parting = format!(
        "the traces part at event {at} of {} | {} (sequence numbers, drawn from the seed, \
         not compared):",
        la.len(),
        lb.len()
    );
    wrapped(out, "", &parting, None)?;
    let width = sides.iter().map(|s| s.label.len()).max().unwrap_or(0);
    for line in &la[at.saturating_sub(BEFORE)..at] {
        event(out, &format!("  {:width$}  ", "both"), line)?;
    }
    for (side, lines) in sides.iter().zip([&la, &lb]) {
        let end = lines.len().min(at + AFTER);
        for (i, line) in lines[at.min(end)..end].iter().enumerate() {
            let label = if i == 0 { side.label.as_str() } else { "" };
            event(out, &format!("  {label:width$}  "), line)?;
        }
    }
    writeln!(out, "calls that ended differently:")?;
    calls::write(out, sides, style)?;
    verdicts(out, sides)
}

/// One trace line after `lead`, wrapped to the width; its continuation
/// lines indented further, so that each event starts where no other does.
fn event(out: &mut dyn Write, lead: &str, line: &str) -> io::Result<()> {
    let indent = width::display(lead) + 4;
    let room = width::columns().saturating_sub(indent).max(20);
    for (i, text) in width::wrap(line, room).iter().enumerate() {
        match i {
            0 => writeln!(out, "{lead}{text}")?,
            _ => writeln!(out, "{:indent$}{text}", "")?,
        }
    }
    Ok(())
}

/// A canonical trace line with its time in seconds: `0.001s client send ...`.
fn shown(line: &str) -> String {
    match line.split_once(' ') {
        Some((ns, rest)) => match ns.parse::<u64>() {
            Ok(ns) => format!("{} {rest}", time(ns)),
            Err(_) => line.to_string(),
        },
        None => line.to_string(),
    }
}

/// The line with the numbers of `seq=` and `ack=` blanked: each run draws
/// its initial sequence numbers from its seed (RFC 9293 §3.4.1), so they
/// differ from the first SYN and say nothing of where the stories part.
fn masked(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = [rest.find("seq="), rest.find("ack=")]
        .into_iter()
        .flatten()
        .min()
    {
        out.push_str(&rest[..i + 4]);
        out.push('*');
        rest = rest[i + 4..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_are_masked_and_times_shown() {
        assert_eq!(
            masked("0 client send l TCP a > b [SYN] seq=15 ack=0 win=1"),
            "0 client send l TCP a > b [SYN] seq=* ack=* win=1"
        );
        assert_eq!(shown("1000000 client call"), "0.001s client call");
    }
}
