//! The calls of the page: each call of the run report, tied to the trace
//! events that start and return it, so that stepping onto either marks the
//! call in its thread's list.

use std::collections::BTreeMap;

use serde::Serialize;
use simsock_sim::trace::TraceKind;

use crate::trace::capture::Capture;

/// One call as the run report has it.
#[derive(Debug, Serialize)]
pub struct Call {
    pub host: String,
    pub thread: String,
    pub call: String,
    pub result: String,
    pub detail: String,
    pub start_ns: u64,
    pub end_ns: u64,
    pub failed: bool,
    pub why: Option<String>,
    pub failure: Option<String>,
    /// The `return` event, when the trace has it.
    pub ev: Option<usize>,
}

/// Whether event `i` is a call whose return is the next event, at the same
/// instant (story.rs tells the two as one note).
pub fn returns_at_once(capture: &Capture, i: usize) -> bool {
    let (Some(e), Some(next)) = (capture.events.get(i), capture.events.get(i + 1)) else {
        return false;
    };
    match (&e.kind, &next.kind) {
        (
            TraceKind::Call { thread, call },
            TraceKind::Return {
                thread: t, call: c, ..
            },
        ) => thread == t && call == c && e.at == next.at,
        _ => false,
    }
}

/// The `call` event a `return` event ends: the latest one before it on the
/// same thread with the same text.
fn call_event(capture: &Capture, ret: usize) -> Option<usize> {
    let TraceKind::Return { thread, call, .. } = &capture.events[ret].kind else {
        return None;
    };
    (0..ret).rev().find(|&i| {
        matches!(&capture.events[i].kind, TraceKind::Call { thread: t, call: c }
            if t == thread && c == call)
    })
}

/// The calls, and for each `call` and `return` event the call it starts or
/// returns.
pub fn calls(capture: &Capture) -> (Vec<Call>, BTreeMap<usize, usize>) {
    let mut by_time: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (i, e) in capture.events.iter().enumerate() {
        if matches!(e.kind, TraceKind::Return { .. }) {
            by_time.entry(e.at.as_nanos()).or_default().push(i);
        }
    }
    let mut returns = BTreeMap::new();
    let mut calls = Vec::with_capacity(capture.calls.len());
    for (n, c) in capture.calls.iter().enumerate() {
        let candidates = by_time.get(&c.end_ns).map_or(&[][..], Vec::as_slice);
        let ev = candidates.iter().copied().find(|i| {
            !returns.contains_key(i)
                && matches!(&capture.events[*i].kind, TraceKind::Return { call, result, .. }
                    if *call == c.call && (*result == c.detail || *result == c.result))
        });
        if let Some(i) = ev {
            returns.insert(i, n);
            if let Some(start) = call_event(capture, i) {
                returns.insert(start, n);
            }
        }
        calls.push(Call {
            host: c.host.clone(),
            thread: c.thread.clone(),
            call: c.call.clone(),
            result: c.result.clone(),
            detail: c.detail.clone(),
            start_ns: c.start_ns,
            end_ns: c.end_ns,
            failed: c.result != "OK",
            why: c.why.clone(),
            failure: c.failure.clone(),
            ev,
        });
    }
    (calls, returns)
}
