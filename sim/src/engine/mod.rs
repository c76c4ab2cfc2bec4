//! The engine: the event queue with its total order, named random streams,
//! and the core that owns time, the network and the trace.

mod broadcast;
pub mod buffers;
pub mod core;
pub mod faults;
pub mod output;
pub mod queue;
pub mod scratch;
pub mod timers;

pub use core::{Core, Event};
