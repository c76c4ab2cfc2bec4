//! The Mermaid view: a `sequenceDiagram` that renders where Markdown does
//! (GitHub, GitLab), the same steps as the ladder.
//!
//! Participants are the nodes in the ladder's column order (ids `n0`, `n1`
//! ..., so any node name is safe); a packet is a message (`->>`), one that
//! was dropped ends in a cross (`-x`); calls are notes over the node, state
//! changes notes right of it. Mermaid has no time axis: a message or note
//! starts with the simulated time when it differs from the one before.
//! Syntax: <https://mermaid.js.org/syntax/sequenceDiagram.html>.

use std::fmt::Write as _;

use simsock_model::SimTime;
use simsock_sim::net::NodeId;

use super::capture::Capture;
use super::label::LEGEND;
use super::ladder::lane_order;
use super::story::{Fate, Step, Tone, What};

/// The diagram's text, ending with a newline.
pub fn render(capture: &Capture, steps: &[Step]) -> String {
    let mut out = String::from("sequenceDiagram\n");
    let _ = writeln!(
        out,
        "    %% {}, seed {}: {LEGEND}",
        capture.scenario, capture.seed
    );
    for node in lane_order(capture) {
        let info = capture.node(node);
        let alias = match info.addrs.first() {
            Some(addr) => format!("{} ({addr})", info.name),
            None => info.name.clone(),
        };
        let _ = writeln!(out, "    participant n{} as {}", node.0, escape(&alias));
    }
    let mut last: Option<SimTime> = None;
    for step in steps {
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
                format!(
                    "Note {place} {}: {}",
                    id(*node),
                    escape(&format!("{at}{text}"))
                )
            }
        };
        let _ = writeln!(out, "    {line}");
    }
    out
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
