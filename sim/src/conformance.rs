//! The conformance matrix: one row per mark of the per-API error tables of
//! `connect-behaviours.md` (19 for connect, 20 for WSAConnect (CE), 19 for
//! WSPConnect, 16 for ConnectEx: 74 rows), and the rule that decides whether
//! a run proves a row.
//!
//! A row is proven by a scenario that passes and in which a call of that
//! API returned that code where its step expected exactly that code. For
//! ConnectEx a completion step (GetQueuedCompletionStatus,
//! GetOverlappedResult) that read the outcome of a ConnectEx operation
//! counts too: the outcome of an overlapped call arrives there (CB-X4).
//! Finding the files and running them is the CLI's business (`simsock
//! conformance`).
//!
//! [`causes`] is the one list of how the simulator produces a code:
//! `simsock explain` prints it, and a test runs every row's scenario and
//! fails if a code a row proves is explained as never produced.

use simsock_model::docs;
use simsock_model::scenario::ExtensionFunction;
use simsock_model::wsa::{Api, WsaError};

use crate::scenario::Report;
use crate::world::CallRecord;

/// One row of the matrix: an error code listed by one API's document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    /// The API whose document lists the code (connect, WSAConnect,
    /// WSPConnect, ConnectEx).
    pub api: Api,
    /// The error code, as the API's table in `connect-behaviours.md`
    /// lists it.
    pub code: WsaError,
}

impl Row {
    /// The scenario that proves the row, relative to `scenarios/`.
    pub fn path(self) -> String {
        format!("conformance/{}/{}.ron", self.api.folder(), self.code.name())
    }

    /// Why the row cannot be produced, if it is declared impossible.
    pub fn impossible(self) -> Option<&'static str> {
        IMPOSSIBLE
            .iter()
            .find(|(api, code, _)| *api == self.api && *code == self.code)
            .map(|(_, _, why)| *why)
    }
}

/// Rows that no scenario can produce, each with its written reason (shown
/// by `simsock conformance` and the README). Empty: every row has a cause
/// that the simulator models.
pub const IMPOSSIBLE: &[(Api, WsaError, &str)] = &[];

/// Causes the rows' scenarios show beyond those of
/// [`simsock_model::docs::causes`], one sentence each with its CB-ID.
const ROW_CAUSES: &[(WsaError, &str)] = &[
    (
        WsaError::WSAECONNREFUSED,
        "A host firewall rule with action RejectRst (a Firewall fault) answers the SYN with \
         RST, as a closed port would, though a listener waits behind the port (RFC 9293 \
         §3.10.7.1; CB-C14); a rule on the client's own host, for outgoing packets, \
         refuses at once, from its own stack.",
    ),
    (
        WsaError::WSAENETDOWN,
        "The host's network interface is down (an InterfaceDown fault): the network \
         subsystem has failed, and connect, WSAConnect, WSPConnect and ConnectEx fail at \
         once with no packet sent (CB-C11). When the interface is back the same socket \
         connects (CB-C5).",
    ),
    (
        WsaError::WSAEFAULT,
        "A namelen smaller than sizeof(sockaddr_in), 16 bytes (CB-C8); ConnectEx without an \
         OVERLAPPED (CB-X4); connect data too large for the provider, a callee buffer too \
         small for the peer's callee data, or an lpSQOS buffer smaller than a QOS structure \
         at the SPI level (CB-W3).",
    ),
    (
        WsaError::WSAEWOULDBLOCK,
        "connect, WSAConnect or WSPConnect on a nonblocking socket (FIONBIO, or \
         WSAAsyncSelect and WSAEventSelect, which make it nonblocking): the handshake needs \
         a round trip, so the call fails at once while the attempt goes on (CB-N1); select, \
         FD_CONNECT or the event report its outcome (CB-N3).",
    ),
];

/// How simsock produces `code`: the documents' table of causes, then the
/// causes the conformance rows' scenarios show. Empty only for a code no
/// simulated call returns.
pub fn causes(code: WsaError) -> Vec<&'static str> {
    let extra = ROW_CAUSES.iter().filter(|(c, _)| *c == code);
    docs::causes(code)
        .iter()
        .copied()
        .chain(extra.map(|(_, text)| *text))
        .collect()
}

/// Every row, API by API in document order, codes in table order.
pub fn rows() -> Vec<Row> {
    Api::ALL
        .iter()
        .flat_map(|&api| {
            WsaError::ALL
                .iter()
                .filter(move |code| code.listed_by(api))
                .map(move |&code| Row { api, code })
        })
        .collect()
}

/// Whether a run proves the row (see the module comment).
pub fn proves(report: &Report, row: Row) -> bool {
    report.passed && report.calls.iter().any(|call| shows(call, row))
}

/// A call of the row's API that returned the row's code, as expected.
fn shows(call: &CallRecord, row: Row) -> bool {
    let completes_connect_ex = call.completes == Some(ExtensionFunction::ConnectEx);
    call.result == row.code.name()
        && call.expected_code == Some(row.code)
        && (of_api(&call.call, row.api) || (row.api == Api::ConnectEx && completes_connect_ex))
}

/// Whether a call's text is a call of `api`: it begins with the
/// function's name.
fn of_api(call: &str, api: Api) -> bool {
    let function = call.split_once(" = ").map_or(call, |(_, f)| f);
    function
        .strip_prefix(api.name())
        .is_some_and(|rest| rest.starts_with('('))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_has_74_rows_19_20_19_16() {
        let rows = rows();
        assert_eq!(rows.len(), 74);
        let count = |api| rows.iter().filter(|r| r.api == api).count();
        let counts: Vec<usize> = Api::ALL.iter().map(|&a| count(a)).collect();
        assert_eq!(counts, [19, 20, 19, 16]);
        assert_eq!(rows[0].path(), "conformance/connect/WSANOTINITIALISED.ron");
    }

    /// Every code of the matrix is one simsock produces, with a cited cause.
    #[test]
    fn every_row_code_has_a_cause() {
        for row in rows() {
            let causes = causes(row.code);
            assert!(!causes.is_empty(), "{} has no cause", row.code);
            assert!(causes.iter().any(|c| c.contains("CB-")), "{}", row.code);
        }
        let refused = causes(WsaError::WSAECONNREFUSED);
        assert!(
            refused.iter().any(|c| c.contains("RejectRst")),
            "{refused:?}"
        );
    }

    #[test]
    fn calls_are_attributed_by_their_function_name() {
        assert!(of_api("connect(s, 10.0.0.2:80)", Api::Connect));
        assert!(!of_api("connect(s, 10.0.0.2:80)", Api::WsaConnect));
        assert!(of_api("WSAConnect(s, 10.0.0.2:80)", Api::WsaConnect));
        assert!(!of_api("WSAConnect(s, 10.0.0.2:80)", Api::Connect));
        assert!(!of_api("connectx(s)", Api::Connect));
        assert!(of_api("ConnectEx(s, 10.0.0.2:80)", Api::ConnectEx));
    }

    fn completion(completes: Option<ExtensionFunction>) -> CallRecord {
        CallRecord {
            host: "client".into(),
            thread: "main".into(),
            call: "GetQueuedCompletionStatus(p, INFINITE) [AcceptEx on a, ConnectEx on s]".into(),
            result: "WSAECONNREFUSED".into(),
            detail: "WSAECONNREFUSED (key 7, 0 bytes)".into(),
            start_ns: 0,
            end_ns: 0,
            expected: None,
            expected_code: Some(WsaError::WSAECONNREFUSED),
            completes,
            failure: None,
            why: None,
            seq: 0,
        }
    }

    /// CB-X4: a completion counts for ConnectEx when the operation it read
    /// was a ConnectEx, whatever else could complete on that port.
    #[test]
    fn a_completion_counts_for_the_operation_it_read() {
        let row = Row {
            api: Api::ConnectEx,
            code: WsaError::WSAECONNREFUSED,
        };
        assert!(shows(&completion(Some(ExtensionFunction::ConnectEx)), row));
        assert!(!shows(&completion(Some(ExtensionFunction::AcceptEx)), row));
        assert!(!shows(&completion(None), row));
    }
}
