//! A scenario thread's steps, compiled to calls on socket slots, with
//! `Repeat` as a loop (not unrolled: a large count costs no memory).

use std::rc::Rc;

use simsock_model::scenario;

use super::{Completed, Program, Step, StepBudget, StepsSpent};
use crate::winsock::Host;
use crate::winsock::Op;

#[derive(Clone, Debug)]
enum Instr {
    Call(Step),
    Loop { times: u32, end: usize },
    EndLoop { start: usize },
}

/// The compiled steps of one thread; a copy of a fresh script is the
/// script compiled again (a sweep compiles once, `scenario::Prepared`).
#[derive(Clone, Debug)]
pub struct Script {
    /// Never changed after [`Script::compile`]: shared by every copy.
    /// Performance: a sweep copies each thread's script for every seed,
    /// and a copy of the list was an allocation and a copy of every step
    /// (issue 18, item 5; the test `a_copy_runs_as_the_script_compiled_again`).
    instrs: Rc<[Instr]>,
    pc: usize,
    loops: Vec<u32>,
}

impl Script {
    /// Compiles steps; socket names become slots of `host`.
    pub fn compile(steps: &[scenario::Step], host: &mut Host) -> Script {
        let mut instrs = Vec::new();
        compile_into(steps, host, &mut instrs);
        Script {
            instrs: instrs.into(),
            pc: 0,
            loops: Vec::new(),
        }
    }
}

fn compile_into(steps: &[scenario::Step], host: &mut Host, instrs: &mut Vec<Instr>) {
    for step in steps {
        if let scenario::Step::Repeat { times, steps } = step {
            let start = instrs.len();
            instrs.push(Instr::Loop {
                times: *times,
                end: 0,
            });
            compile_into(steps, host, instrs);
            let end = instrs.len();
            instrs.push(Instr::EndLoop { start });
            instrs[start] = Instr::Loop { times: *times, end };
            continue;
        }
        let op = to_op(step, host);
        instrs.push(Instr::Call(Step::new(op, step.expectation())));
    }
}

/// The call a scenario step makes.
pub(super) fn to_op(step: &scenario::Step, host: &mut Host) -> Op {
    use scenario::Step as S;
    if let Some(op) = super::wsa_steps::to_op(step, host) {
        return op; // feature: wsaconnect
    }
    // ConnectEx and overlapped I/O (issue 3, item 4).
    if let Some(op) = crate::winsock::ex_op::compile(step, host) {
        return op;
    }
    // WSAPoll and WSAConnectByName (issue 14, item 3).
    if let Some(op) = crate::winsock::wincalls::compile(step, host) {
        return op;
    }
    let mut slot = |name: &str| host.slot_named(name);
    match step {
        S::Startup { version, .. } => Op::Startup {
            version: version.unwrap_or(host.profile.winsock_version),
        },
        S::Cleanup { .. } => Op::Cleanup,
        S::Socket {
            name, family, kind, ..
        } => Op::Socket {
            slot: slot(name),
            family: *family,
            kind: *kind,
        },
        S::Bind { socket, addr, .. } => Op::Bind {
            slot: slot(socket),
            addr: *addr,
        },
        S::Listen {
            socket, backlog, ..
        } => Op::Listen {
            slot: slot(socket),
            backlog: *backlog,
        },
        S::Accept { socket, name, .. } => Op::Accept {
            slot: slot(socket),
            into: slot(name),
        },
        S::Connect {
            socket,
            to,
            namelen,
            ..
        } => Op::Connect {
            slot: slot(socket),
            to: *to,
            namelen: *namelen,
        },
        S::IoctlSocket {
            socket,
            command,
            value,
            ..
        } => Op::Ioctl {
            slot: slot(socket),
            command: *command,
            value: *value,
        },
        S::Send {
            socket, data, len, ..
        } => Op::Send {
            slot: slot(socket),
            data: payload(data.as_deref(), *len),
        },
        S::Recv { socket, max, .. } => Op::Recv {
            slot: slot(socket),
            max: *max,
        },
        S::Shutdown { socket, how, .. } => Op::Shutdown {
            slot: slot(socket),
            how: *how,
        },
        S::Close { socket, .. } => Op::Close { slot: slot(socket) },
        S::SetOption {
            socket,
            option,
            value,
            ..
        } => Op::SetOpt {
            slot: slot(socket),
            opt: *option,
            value: *value,
        },
        S::GetOption { socket, option, .. } => Op::GetOpt {
            slot: slot(socket),
            opt: *option,
        },
        S::GetSockName { socket, .. } => Op::GetSockName { slot: slot(socket) },
        S::GetPeerName { socket, .. } => Op::GetPeerName { slot: slot(socket) },
        S::LastError { .. } => Op::LastError,
        S::SendTo {
            socket,
            to,
            data,
            len,
            ..
        } => Op::SendTo {
            slot: slot(socket),
            to: *to,
            data: payload(data.as_deref(), *len),
        },
        S::RecvFrom { socket, max, .. } => Op::RecvFrom {
            slot: slot(socket),
            max: *max,
        },
        S::Sleep(d) => Op::Sleep(*d),
        S::SleepUntil(t) => Op::SleepUntil(simsock_model::SimTime(t.as_nanos())),
        S::Repeat { .. } => unreachable!("Repeat is compiled as a loop"),
        step => notify_op(step, host),
    }
}

// --- Nonblocking notifications (CB-N3..N5) ---

/// The call of a select, WSAAsyncSelect or WSAEventSelect family step;
/// window and event names become the host's indices.
fn notify_op(step: &scenario::Step, host: &mut Host) -> Op {
    use crate::winsock::notify::{Named, SelectSets};
    use scenario::Step as S;
    use simsock_model::notify::FdEvent;
    let mut slots =
        |names: &[String]| -> Rc<[u32]> { names.iter().map(|n| host.slot_named(n)).collect() };
    let named = |index: u32, name: &str| Named {
        index,
        name: Rc::from(name),
    };
    match step {
        S::Select {
            read,
            write,
            except,
            timeout,
            spi,
            ..
        } => Op::Select {
            sets: Box::new(SelectSets {
                read: slots(read),
                write: slots(write),
                except: slots(except),
            }),
            timeout: *timeout,
            spi: *spi,
        },
        S::AsyncSelect {
            socket,
            window,
            events,
            spi,
            ..
        } => Op::AsyncSelect {
            slot: host.slot_named(socket),
            window: named(host.notify.window_named(window), window),
            mask: FdEvent::mask(events),
            spi: *spi,
        },
        S::GetMessage { window, .. } => Op::GetMessage {
            window: named(host.notify.window_named(window), window),
        },
        S::CreateEvent { name, .. } => Op::CreateEvent {
            event: named(host.notify.event_named(name), name),
        },
        S::EventSelect {
            socket,
            event,
            events,
            spi,
            ..
        } => Op::EventSelect {
            slot: host.slot_named(socket),
            event: named(host.notify.event_named(event), event),
            mask: FdEvent::mask(events),
            spi: *spi,
        },
        S::WaitForEvents {
            events,
            wait_all,
            timeout,
            ..
        } => Op::WaitForEvents {
            events: events
                .iter()
                .map(|e| named(host.notify.event_named(e), e))
                .collect(),
            wait_all: *wait_all,
            timeout: *timeout,
        },
        S::EnumNetworkEvents {
            socket, event, spi, ..
        } => Op::EnumNetworkEvents {
            slot: host.slot_named(socket),
            event: event
                .as_deref()
                .map(|e| named(host.notify.event_named(e), e)),
            spi: *spi,
        },
        _ => unreachable!("every other step is compiled by to_op"),
    }
}

/// The bytes of a Send step: its text, or `len` bytes of `a..z` repeated.
fn payload(text: Option<&str>, len: Option<u32>) -> Rc<[u8]> {
    match (text, len) {
        (Some(text), _) => Rc::from(text.as_bytes()),
        (None, Some(len)) => (0..len).map(|i| b'a' + (i % 26) as u8).collect(),
        (None, None) => Rc::from(&b""[..]),
    }
}

impl Program for Script {
    /// Without a limit: [`Program::next_within`] is what the world calls.
    fn next(&mut self, last: Option<&Completed<'_>>) -> Option<Step> {
        let mut unlimited = StepBudget::new(u64::MAX);
        self.next_within(last, &mut unlimited).ok().flatten()
    }

    /// Each instruction executed takes a step: a call, the start of a
    /// `Repeat` and each pass through one, so nested `Repeat`s of steps that
    /// neither call nor wait stop at `limits.max_steps` (issue 15, item 1).
    fn next_within(
        &mut self,
        _last: Option<&Completed<'_>>,
        steps: &mut StepBudget,
    ) -> Result<Option<Step>, StepsSpent> {
        loop {
            let Some(instr) = self.instrs.get(self.pc) else {
                return Ok(None);
            };
            steps.take()?;
            match instr {
                Instr::Call(step) => {
                    self.pc += 1;
                    return Ok(Some(step.clone()));
                }
                Instr::Loop { times: 0, end } => self.pc = end + 1,
                Instr::Loop { times, .. } => {
                    self.loops.push(*times);
                    self.pc += 1;
                }
                Instr::EndLoop { start } => {
                    // Invariant: an EndLoop follows its Loop, which pushed.
                    let left = self.loops.last_mut().expect("a loop under way");
                    *left -= 1;
                    if *left == 0 {
                        self.loops.pop();
                        self.pc += 1;
                    } else {
                        self.pc = start + 1;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::NodeId;

    fn host() -> Host {
        let profile = Rc::new(simsock_model::HostProfile::default());
        Host::new(crate::stack::Host::new(
            "client".into(),
            NodeId(0),
            profile,
            0,
            64,
        ))
    }

    /// Every step the script gives, to its end, as text.
    fn run(mut script: Script) -> Vec<String> {
        let mut steps = StepBudget::new(1_000);
        std::iter::from_fn(|| script.next_within(None, &mut steps).unwrap())
            .map(|step| format!("{step:?}"))
            .collect()
    }

    /// A copy of a script (which shares its instructions) gives the steps
    /// of the script compiled again, before and after another copy ran,
    /// loops included.
    #[test]
    fn a_copy_runs_as_the_script_compiled_again() {
        let text = r#"Scenario(name: "s", hosts: [Host(name: "a", addrs: ["10.0.0.1/24"])],
            threads: [Thread(host: "a", name: "t", steps: [
                Socket(name: "s"),
                Repeat(times: 3, steps: [Sleep("1ms"), Repeat(times: 2, steps: [Sleep("2ms")])]),
                Close(socket: "s"),
            ])])"#;
        let scenario = crate::scenario::load(text).unwrap();
        let steps = &scenario.threads[0].steps;
        let script = Script::compile(steps, &mut host());
        let again = run(Script::compile(steps, &mut host()));
        assert_eq!(again.len(), 1 + 3 * (1 + 2) + 1);
        assert_eq!(run(script.clone()), again);
        assert_eq!(run(script.clone()), again);
        assert_eq!(run(script), again);
    }
}
