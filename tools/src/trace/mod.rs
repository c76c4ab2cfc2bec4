//! The views of one run's trace, as `simsock trace` writes them and as a
//! Rust test gets them from its run ([`OutcomeViews`]).
//!
//! Every view is a projection of the one trace (README, "One trace, many
//! views"); none adds facts of its own:
//! - [`ladder()`]: a sequence diagram for the terminal;
//! - [`mermaid()`]: the same diagram as a Mermaid `sequenceDiagram`;
//! - [`json_lines()`]: one JSON object per trace event per line;
//! - [`pcapng()`]: pcapng with real frames, for Wireshark;
//! - [`html()`]: one self-contained page to step through in a browser, also
//!   written by `simsock view FILE` and `simsock tour N --html`.
//!
//! Code map: [`capture()`] runs a scenario and keeps its topology (or takes
//! an async run's outcome, [`outcome`]);
//! `flights` pairs each sent packet with its arrival or drop; `label`
//! names packets with relative sequence numbers; `story` turns the trace
//! into the steps both diagrams draw; `canvas` is a line of terminal
//! cells; `frame` builds Ethernet frames; `l2` gives them their MAC
//! addresses and the ARP shown around them; [`out`] writes a file whole.

#[cfg(test)]
mod bundled;
mod canvas;
pub mod capture;
mod flights;
mod frame;
mod html;
mod json;
mod l2;
mod label;
mod ladder;
mod mermaid;
pub mod out;
pub mod outcome;
mod pcap;
mod story;

pub use capture::{Capture, capture};
pub use ladder::TooManyNodes;
pub use outcome::OutcomeViews;
pub use pcap::Only;

/// The ladder diagram's lines, `columns` display columns at most, coloured
/// (ANSI) if `color`; each line ends with a newline.
pub fn ladder(capture: &Capture, color: bool, columns: usize) -> Result<String, TooManyNodes> {
    let steps = story::tell(capture);
    let mut text = String::new();
    for line in ladder::render(capture, &steps, color, columns)? {
        text.push_str(&line);
        text.push('\n');
    }
    Ok(text)
}

/// The Mermaid `sequenceDiagram`.
pub fn mermaid(capture: &Capture) -> String {
    mermaid::render(capture, &story::tell(capture))
}

/// One JSON object per trace event, one per line.
pub fn json_lines(capture: &Capture) -> String {
    let mut bytes = Vec::new();
    // Writing into a Vec cannot fail.
    json::write(&mut bytes, capture).expect("writes to a Vec");
    String::from_utf8(bytes).expect("serde_json writes UTF-8")
}

/// pcapng: every link's frames, or one link's.
pub fn pcapng(capture: &Capture, only: Only) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Frame building fails only on a header etherparse cannot encode, which
    // the simulator never sends.
    pcap::write(&mut bytes, capture, only).expect("frames encode");
    bytes
}

/// The self-contained HTML page.
pub fn html(capture: &Capture) -> String {
    html::render(capture)
}
