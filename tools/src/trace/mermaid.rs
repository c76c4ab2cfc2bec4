//! The Mermaid view: a `sequenceDiagram` that renders where Markdown does
//! (GitHub, GitLab), the same steps as the ladder.
//!
//! Participants are the nodes in the ladder's column order (ids `n0`, `n1`
//! ..., so any node name is safe); a packet is a message (`->>`), one that
//! was dropped ends in a cross (`-x`); calls are notes over the node, state
//! changes notes right of it. Mermaid has no time axis: a message or note
//! starts with the simulated time when it differs from the one before, and
//! a gap of [`LONG_GAP`] or more between two steps is a note across the
//! whole diagram (`··· 4.000s later ···`). Notes are coloured by what they
//! say (a `rect` behind them): a failed call red, a fault orange, a TCP
//! state blue, with a legend note at the top when any is.
//! Syntax: <https://mermaid.js.org/syntax/sequenceDiagram.html>.

use std::fmt::Write as _;

use simsock_model::{SimDuration, SimTime};
use simsock_sim::net::NodeId;

use super::capture::Capture;
use super::label::LEGEND;
use super::ladder::lane_order;
use super::story::{Fate, Span, Step, Tone, What};

/// A pause between two steps that gets a note of its own.
const LONG_GAP: SimDuration = SimDuration::from_secs(1);

/// Background colours of notes, and what each means (the legend).
const SHADES: [(Tone, &str, &str); 3] = [
    (Tone::Error, "rgb(255, 215, 215)", "red: a failed call"),
    (Tone::Fault, "rgb(255, 230, 190)", "orange: a fault"),
    (Tone::State, "rgb(215, 230, 255)", "blue: a TCP state"),
];

/// The diagram's text, ending with a newline.
pub fn render(capture: &Capture, steps: &[Step]) -> String {
    let mut out = String::from("sequenceDiagram\n");
    let _ = writeln!(
        out,
        "    %% {}, seed {}: {LEGEND}",
        capture.scenario, capture.seed
    );
    let lanes = lane_order(capture);
    for &node in &lanes {
        let info = capture.node(node);
        let alias = match info.addrs.first() {
            Some(addr) => format!("{} ({addr})", info.name),
            None => info.name.clone(),
        };
        let _ = writeln!(out, "    participant n{} as {}", node.0, escape(&alias));
    }
    let across = match (lanes.first(), lanes.last()) {
        (Some(&a), Some(&b)) if a != b => format!("{},{}", id(a), id(b)),
        (Some(&a), _) => id(a),
        _ => String::new(),
    };
    legend(&mut out, steps, &across);
    let mut last: Option<SimTime> = None;
    for step in steps {
        if let Some(before) = last
            && step.at.as_nanos() - before.as_nanos() >= LONG_GAP.as_nanos()
        {
            let gap = SimTime(step.at.as_nanos() - before.as_nanos());
            let _ = writeln!(out, "    Note over {across}: ··· {gap} later ···");
        }
        let at = if last == Some(step.at) {
            String::new()
        } else {
            format!("{} ", step.at)
        };
        last = Some(step.at);
        let line = match &step.what {
            What::Packet {
                from,
                to,
                label,
                cause,
                fate,
            } => message(*from, *to, &format!("{at}{label}"), cause, *fate),
            What::Note { node, spans } => {
                let text: String = spans.iter().map(|s| s.text.as_str()).collect();
                let place = match spans.first().map(|s| s.tone) {
                    Some(Tone::State) => "right of",
                    _ => "over",
                };
                let note = format!(
                    "Note {place} {}: {}",
                    id(*node),
                    escape(&format!("{at}{text}"))
                );
                match shade(spans) {
                    Some(colour) => format!("rect {colour}\n        {note}\n    end"),
                    None => note,
                }
            }
        };
        let _ = writeln!(out, "    {line}");
    }
    out
}

/// The background of a note, by the strongest thing it says.
fn shade(spans: &[Span]) -> Option<&'static str> {
    SHADES
        .iter()
        .find(|(tone, ..)| spans.iter().any(|s| s.tone == *tone))
        .map(|(_, colour, _)| *colour)
}

/// A note at the top naming the colours the diagram uses, if any.
fn legend(out: &mut String, steps: &[Step], across: &str) {
    let shaded: Vec<&str> = steps
        .iter()
        .filter_map(|s| match &s.what {
            What::Note { spans, .. } => shade(spans),
            What::Packet { .. } => None,
        })
        .collect();
    let used: Vec<&str> = SHADES
        .iter()
        .filter(|(_, colour, _)| shaded.contains(colour))
        .map(|(.., meaning)| *meaning)
        .collect();
    if !used.is_empty() && !across.is_empty() {
        let _ = writeln!(out, "    Note over {across}: {}", used.join(" · "));
    }
}

/// `n0->>n1: SYN seq=0 (retransmission)`, with `-x` for a drop.
fn message(from: NodeId, to: NodeId, label: &str, cause: &str, fate: Fate) -> String {
    let mut extra: Vec<String> = Vec::new();
    if !cause.is_empty() {
        extra.push(cause.to_string());
    }
    let arrow = match fate {
        Fate::Arrived => "->>",
        Fate::Lost(reason) => {
            extra.push(format!("dropped: {reason}"));
            "-x"
        }
        Fate::Refused(reason) => {
            extra.push(format!("dropped at arrival: {reason}"));
            "-x"
        }
        Fate::InFlight => {
            extra.push("still in flight at the end".to_string());
            "-)"
        }
    };
    let text = if extra.is_empty() {
        label.to_string()
    } else {
        format!("{label} ({})", extra.join(", "))
    };
    format!("{}{arrow}{}: {}", id(from), id(to), escape(&text))
}

fn id(node: NodeId) -> String {
    format!("n{}", node.0)
}

/// Mermaid's entity codes for the characters its parser would take as
/// syntax (`;` ends a statement, `#` starts an entity, `<`/`>` are HTML).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_characters_become_entities() {
        assert_eq!(escape("a;b #1 <x>"), "a#59;b #35;1 #lt;x#gt;");
    }

    #[test]
    fn a_note_is_shaded_by_the_strongest_thing_it_says() {
        let span = |tone| Span {
            text: "x".into(),
            tone,
        };
        assert_eq!(shade(&[span(Tone::Plain)]), None);
        assert_eq!(shade(&[span(Tone::State)]), Some(SHADES[2].1));
        assert_eq!(
            shade(&[span(Tone::State), span(Tone::Error)]),
            Some(SHADES[0].1)
        );
    }

    #[test]
    fn a_lost_packet_ends_in_a_cross() {
        let line = message(
            NodeId(0),
            NodeId(1),
            "SYN seq=0",
            "",
            Fate::Lost("link down"),
        );
        assert_eq!(line, "n0-xn1: SYN seq=0 (dropped: link down)");
    }
}
