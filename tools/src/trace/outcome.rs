//! The views of an async run's outcome (`simsock_sim::async_net::Outcome`),
//! the same that `simsock trace` writes for a scenario file (issue 13,
//! item 5): a failing test can print its ladder or save its capture.

use std::path::Path;

use simsock_sim::async_net::Outcome;

use super::capture::{Capture, from_report};
use super::out::{Unwritable, write_file};
use super::{Only, TooManyNodes};

/// The trace views of a run, for a test: `use
/// simsock_tools::trace::OutcomeViews;` then `outcome.ladder(100)`.
pub trait OutcomeViews {
    /// The run as the views' input (its trace and topology, copied).
    fn capture(&self) -> Capture;

    /// The ladder diagram, `columns` wide, without colour.
    fn ladder(&self, columns: usize) -> Result<String, TooManyNodes> {
        super::ladder(&self.capture(), false, columns)
    }

    /// The Mermaid `sequenceDiagram`.
    fn mermaid(&self) -> String {
        super::mermaid(&self.capture())
    }

    /// One JSON object per trace event, one per line.
    fn json_lines(&self) -> String {
        super::json_lines(&self.capture())
    }

    /// Every link's frames as pcapng (Wireshark reads it).
    fn pcapng(&self) -> Vec<u8> {
        super::pcapng(&self.capture(), Only::All)
    }

    /// [`OutcomeViews::pcapng`], written to `path` whole (or not at all).
    fn write_pcapng(&self, path: &Path) -> Result<(), Unwritable> {
        write_file(path, &self.pcapng())
    }

    /// The self-contained HTML page (`simsock view`'s).
    fn html(&self) -> String {
        super::html(&self.capture())
    }
}

impl OutcomeViews for Outcome {
    fn capture(&self) -> Capture {
        from_report(self.report.clone(), &self.nodes, &self.links)
    }
}
