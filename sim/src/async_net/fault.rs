//! Faults called from the user's code while the simulation runs, by name,
//! taking effect at the current simulated time (issue 13, item 3). They go
//! through the same machinery as a scenario's faults (`faults::apply`) and
//! appear as `fault` lines in the trace; a crash ends the host's tasks and
//! a restart runs its code again, as for a scheduled fault.

use std::io;

use simsock_model::SimDuration;
use simsock_model::scenario::{FaultAction, FaultSpec};

use super::context::with;
use super::drive::Seen;

/// Applies `action` now (`FaultAction::HostCrash("server".into())`, a
/// `Partition`, a `LinkSet`, ...). Names are checked as a scenario's are:
/// an unknown host or link is an `InvalidInput` error naming it.
///
/// # Panics
///
/// Outside a running [`super::Sim`].
pub fn fault(action: FaultAction) -> io::Result<()> {
    with(|s| {
        s.sync();
        let mut probe = s.scenario.clone();
        probe.faults = vec![FaultSpec::at(SimDuration::ZERO, action.clone())];
        if let Err(e) = crate::scenario::check(&probe, "") {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("simsock: fault {action:?}: {e}"),
            ));
        }
        let resolved =
            crate::world::faults::resolve(&action, &s.scenario.hosts, &s.world.core.topo);
        let index = s.world.faults.len() as u32;
        s.world.faults.push(resolved.clone());
        crate::world::faults::apply(&mut s.world, index);
        match resolved {
            crate::world::faults::FaultAction::HostCrash(host) => s.seen_push(Seen::Crash(host)),
            crate::world::faults::FaultAction::HostRestart { host, .. } => {
                s.seen_push(Seen::Restart(host))
            }
            _ => {}
        }
        s.synced = None;
        s.sync(); // runs what the fault woke at this time
        s.check_deadline();
        Ok(())
    })
}
