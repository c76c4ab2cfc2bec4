//! TCP: the TCB state machine (sans-IO), its output buffer, sequence
//! arithmetic and the TIME_WAIT records.

pub mod digest;
pub mod output;
pub mod seq;
pub mod tcb;
pub mod time_wait;

pub use output::{TcpOutput, put_output};
pub use tcb::{Tcb, TcpConfig, TcpError};
pub use time_wait::{FourTuple, TimeWaitRecord, TimeWaitTable};
