//! The semantic check of the WSAConnect/WSPConnect, SO_CONNDATA, APC and
//! cancel steps (feature: wsaconnect): APC targets that exist on the same
//! host, APC steps that never wait, and the limits on connect data and
//! buffer sizes. Errors point at the key or value they are about.

use std::collections::BTreeSet;

use simsock_model::limits::scenario as lim;
use simsock_model::scenario::{Scenario, Step};

use super::super::load::{ScenarioError, quote};
use super::StepPath;

/// Checks every thread's steps, those inside `Repeat` and `QueueApc` too.
pub(super) fn check_wsa(
    s: &Scenario,
    source: &str,
    hosts: &super::HostThreads<'_>,
) -> Result<(), ScenarioError> {
    let mut names_by_host = std::collections::BTreeMap::new();
    for (index, thread) in s.threads.iter().enumerate() {
        let names = names_by_host
            .entry(thread.host.as_str())
            .or_insert_with(|| {
                let threads = hosts.threads(&thread.host);
                threads.iter().map(|t| t.name.as_str()).collect()
            });
        let cx = Cx {
            names,
            sockets: hosts.sockets(&thread.host),
        };
        cx.steps(&thread.steps, &StepPath::new(source, index), false)?;
    }
    Ok(())
}

struct Cx<'a> {
    /// The thread names of the host.
    names: &'a BTreeSet<&'a str>,
    sockets: &'a BTreeSet<String>,
}

impl Cx<'_> {
    fn steps(
        &self,
        steps: &[Step],
        path: &StepPath<'_>,
        in_apc: bool,
    ) -> Result<(), ScenarioError> {
        for (i, step) in steps.iter().enumerate() {
            let at = path.child(i);
            if in_apc {
                self.apc_step(step, &at)?;
            }
            self.step(step, path, i)?;
        }
        Ok(())
    }

    /// Step `i` of the steps at `path`.
    fn step(&self, step: &Step, path: &StepPath<'_>, i: usize) -> Result<(), ScenarioError> {
        let at = &path.child(i);
        match step {
            Step::WsaConnect {
                caller_data,
                callee_buffer,
                ..
            } => self.data(
                caller_data.as_deref(),
                &[("callee_buffer", *callee_buffer)],
                at,
            ),
            Step::WspConnect {
                caller_data,
                callee_buffer,
                sqos,
                gqos,
                sqos_len,
                gqos_len,
                ..
            } => {
                for (key, qos, len) in [("sqos_len", sqos, sqos_len), ("gqos_len", gqos, gqos_len)]
                {
                    if qos.is_none() && len.is_some() {
                        let qos_key = &key[..4];
                        let message = format!("`{key}` without `{qos_key}`: there is no buffer");
                        return Err(ScenarioError::new(message).at(at.value(key)));
                    }
                }
                let sizes = [
                    ("callee_buffer", *callee_buffer),
                    ("sqos_len", *sqos_len),
                    ("gqos_len", *gqos_len),
                ];
                self.data(caller_data.as_deref(), &sizes, at)
            }
            Step::SetConnectData { data, .. } => self.data(Some(data), &[], at),
            Step::QueueApc { thread, steps, .. } => self.apc(thread, steps, path, i),
            Step::Repeat { steps, .. } => self.steps(steps, &path.body(i), false),
            _ => Ok(()),
        }
    }

    fn data(
        &self,
        data: Option<&str>,
        sizes: &[(&'static str, Option<u32>)],
        at: &StepPath<'_>,
    ) -> Result<(), ScenarioError> {
        if let Some(d) = data.filter(|d| d.len() > lim::MAX_CONNECT_DATA_BYTES) {
            let message = format!(
                "{} bytes of connect data; at most {}",
                d.len(),
                lim::MAX_CONNECT_DATA_BYTES
            );
            let key = if at.has("caller_data") {
                "caller_data"
            } else {
                "data"
            };
            return Err(ScenarioError::new(message).at(at.value(key)));
        }
        for (key, size) in sizes {
            if let Some(n) = size.filter(|n| *n > lim::MAX_CONNECT_BUFFER) {
                let message = format!("`{key}` of {n} bytes; at most {}", lim::MAX_CONNECT_BUFFER);
                return Err(ScenarioError::new(message).at(at.value(key)));
            }
        }
        Ok(())
    }

    /// The `QueueApc` at step `i` of `path`.
    fn apc(
        &self,
        thread: &str,
        steps: &[Step],
        path: &StepPath<'_>,
        i: usize,
    ) -> Result<(), ScenarioError> {
        let at = path.child(i);
        if !self.names.contains(thread) {
            return Err(ScenarioError::new(format!(
                "QueueApc to unknown thread `{}`: an APC goes to a thread of the same host",
                quote(thread)
            ))
            .at(at.value("thread")));
        }
        if steps.len() > lim::MAX_APC_STEPS {
            let message = format!(
                "{} steps in one APC; at most {}",
                steps.len(),
                lim::MAX_APC_STEPS
            );
            return Err(ScenarioError::new(message).at(at.value("steps")));
        }
        let body = path.body(i);
        super::check_steps_at(steps, self.sockets, &body)?;
        self.steps(steps, &body, true)
    }

    /// CB-A1: APC steps run inside another call's wait and never wait.
    fn apc_step(&self, step: &Step, at: &StepPath<'_>) -> Result<(), ScenarioError> {
        let name = match step {
            Step::Sleep(_) => "Sleep",
            Step::SleepUntil(_) => "SleepUntil",
            Step::Repeat { .. } => "Repeat",
            Step::QueueApc { .. } => "QueueApc",
            _ => return Ok(()),
        };
        Err(ScenarioError::new(format!(
            "{name} inside an APC: APC steps run inside another call's wait and may not wait (CB-A1)"
        ))
        .at(at.head()))
    }
}
