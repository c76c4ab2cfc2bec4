//! The semantic check of the WSAConnect/WSPConnect, SO_CONNDATA, APC and
//! cancel steps (feature: wsaconnect): APC targets that exist on the same
//! host, APC steps that never wait, and the limits on connect data and
//! buffer sizes. Errors point at the key or value they are about.

use std::collections::BTreeSet;

use simsock_model::limits::scenario as lim;
use simsock_model::scenario::{Scenario, Step};

use super::super::load::{ScenarioError, find_key, find_value};

/// Checks every thread's steps, those inside `Repeat` and `QueueApc` too.
pub(super) fn check_wsa(
    s: &Scenario,
    source: &str,
    hosts: &super::HostThreads<'_>,
) -> Result<(), ScenarioError> {
    let mut names_by_host = std::collections::BTreeMap::new();
    for thread in &s.threads {
        let names = names_by_host
            .entry(thread.host.as_str())
            .or_insert_with(|| {
                let threads = hosts.threads(&thread.host);
                threads.iter().map(|t| t.name.as_str()).collect()
            });
        let cx = Cx {
            names,
            sockets: hosts.sockets(&thread.host),
            source,
        };
        cx.steps(&thread.steps, false)?;
    }
    Ok(())
}

struct Cx<'a> {
    /// The thread names of the host.
    names: &'a BTreeSet<&'a str>,
    sockets: &'a BTreeSet<String>,
    source: &'a str,
}

impl Cx<'_> {
    fn steps(&self, steps: &[Step], in_apc: bool) -> Result<(), ScenarioError> {
        for step in steps {
            if in_apc {
                self.apc_step(step)?;
            }
            self.step(step)?;
        }
        Ok(())
    }

    fn error(&self, message: String, key: &str) -> ScenarioError {
        ScenarioError::new(message).at(find_key(self.source, key, 0))
    }

    fn step(&self, step: &Step) -> Result<(), ScenarioError> {
        match step {
            Step::WsaConnect {
                caller_data,
                callee_buffer,
                ..
            } => self.data(caller_data.as_deref(), &[("callee_buffer", *callee_buffer)]),
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
                        return Err(self.error(message, key));
                    }
                }
                let sizes = [
                    ("callee_buffer", *callee_buffer),
                    ("sqos_len", *sqos_len),
                    ("gqos_len", *gqos_len),
                ];
                self.data(caller_data.as_deref(), &sizes)
            }
            Step::SetConnectData { data, .. } => self.data(Some(data), &[]),
            Step::QueueApc { thread, steps, .. } => self.apc(thread, steps),
            Step::Repeat { steps, .. } => self.steps(steps, false),
            _ => Ok(()),
        }
    }

    fn data(&self, data: Option<&str>, sizes: &[(&str, Option<u32>)]) -> Result<(), ScenarioError> {
        if let Some(d) = data.filter(|d| d.len() > lim::MAX_CONNECT_DATA_BYTES) {
            let message = format!(
                "{} bytes of connect data; at most {}",
                d.len(),
                lim::MAX_CONNECT_DATA_BYTES
            );
            return Err(self.error(message, "data"));
        }
        for (key, size) in sizes {
            if let Some(n) = size.filter(|n| *n > lim::MAX_CONNECT_BUFFER) {
                let message = format!("`{key}` of {n} bytes; at most {}", lim::MAX_CONNECT_BUFFER);
                return Err(self.error(message, key));
            }
        }
        Ok(())
    }

    fn apc(&self, thread: &str, steps: &[Step]) -> Result<(), ScenarioError> {
        if !self.names.contains(thread) {
            return Err(ScenarioError::new(format!(
                "QueueApc to unknown thread `{thread}`: an APC goes to a thread of the same host"
            ))
            .at(find_value(self.source, "thread", thread, 0)));
        }
        if steps.len() > lim::MAX_APC_STEPS {
            let message = format!(
                "{} steps in one APC; at most {}",
                steps.len(),
                lim::MAX_APC_STEPS
            );
            return Err(self.error(message, "QueueApc"));
        }
        super::check_steps(steps, self.sockets, self.source)?;
        self.steps(steps, true)
    }

    /// CB-A1: APC steps run inside another call's wait and never wait.
    fn apc_step(&self, step: &Step) -> Result<(), ScenarioError> {
        let name = match step {
            Step::Sleep(_) => "Sleep",
            Step::SleepUntil(_) => "SleepUntil",
            Step::Repeat { .. } => "Repeat",
            Step::QueueApc { .. } => "QueueApc",
            _ => return Ok(()),
        };
        let at = self.source.find("QueueApc(").and_then(|from| {
            self.source[from..]
                .find(name)
                .map(|i| from + i..from + i + name.len())
        });
        Err(ScenarioError::new(format!(
            "{name} inside an APC: APC steps run inside another call's wait and may not wait (CB-A1)"
        ))
        .at(at))
    }
}
