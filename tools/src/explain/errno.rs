//! `simsock explain ECONNREFUSED` (or `111`): a Linux errno, what it means,
//! where Linux gives it where Winsock gives another code, the Linux
//! scenarios that show it, then its Winsock counterpart explained.

use std::io::{self, Write};

use simsock_model::{Errno, WsaError};

use super::{WRAP_COLS, paragraph, paths_and_commands};
use crate::output::width::{self, hanging};

/// Where a Linux host gives this errno for a call that Winsock answers
/// with another code (`sim/src/winsock/errno.rs`, `model/src/errno.rs`).
const OTHER_CODES: &[(Errno, &str)] = &[
    (
        Errno::EINPROGRESS,
        "A nonblocking connect that cannot complete at once (connect(2)); Winsock gives \
         WSAEWOULDBLOCK.",
    ),
    (
        Errno::EADDRNOTAVAIL,
        "A connect whose four-tuple is in use, by a connection or TIME_WAIT \
         (__inet_check_established), and a connect that finds no free ephemeral port \
         (connect(2)); Winsock gives WSAEADDRINUSE and WSAENOBUFS.",
    ),
    (
        Errno::EADDRINUSE,
        "A bind to port 0 that finds no free ephemeral port (bind(2)); Winsock gives \
         WSAENOBUFS.",
    ),
    (
        Errno::EISCONN,
        "A connect on a listening socket (__inet_stream_connect in net/ipv4/af_inet.c); \
         Winsock gives WSAEINVAL (CB-C6).",
    ),
    (
        Errno::EPIPE,
        "A send after shutdown(SHUT_WR) (send(2)); Winsock gives WSAESHUTDOWN.",
    ),
];

/// The Linux scenarios (under `scenarios/`) with a call that returns it.
const SHOWN_BY: &[(Errno, &[&str])] = &[
    (Errno::ECONNREFUSED, &["linux/refused-at-once.ron"]),
    (Errno::ETIMEDOUT, &["linux/syn-retries-127s.ron"]),
    (Errno::EINPROGRESS, &["linux/so-error-cleared.ron"]),
    (Errno::EALREADY, &["linux/so-error-cleared.ron"]),
    (
        Errno::EISCONN,
        &[
            "linux/so-error-cleared.ron",
            "linux/connect-listening-eisconn.ron",
        ],
    ),
    (Errno::EADDRINUSE, &["linux/time-wait-60s.ron"]),
    (Errno::EADDRNOTAVAIL, &["linux/time-wait-60s.ron"]),
    (Errno::ENETUNREACH, &["linux/no-route-no-arp.ron"]),
    (Errno::EHOSTUNREACH, &["linux/no-route-no-arp.ron"]),
    (Errno::EACCES, &["linux/udp-broadcast-eacces.ron"]),
];

/// The errno part; the caller follows it with the counterpart's
/// explanation, if there is one.
pub fn write(out: &mut dyn Write, code: Errno) -> io::Result<Option<WsaError>> {
    writeln!(out, "{} (Linux errno {})", code.name(), code.number())?;
    paragraph(out, "  ", code.meaning())?;
    let counterpart = code.to_wsa();
    writeln!(out)?;
    writeln!(out, "On a host with the linux personality")?;
    let mut said = Vec::new();
    if let Some(wsa) = counterpart {
        said.push(format!(
            "Where Windows gives {} ({}), the same failure.",
            wsa.name(),
            wsa.number()
        ));
    }
    said.extend(
        OTHER_CODES
            .iter()
            .filter(|(e, _)| *e == code)
            .map(|(_, text)| text.to_string()),
    );
    if said.is_empty() {
        said.push("simsock gives it only where a per-call rule names it.".to_string());
    }
    for text in said {
        for line in hanging("  - ", &text, width::prose(WRAP_COLS)) {
            writeln!(out, "{line}")?;
        }
    }
    let files: Vec<(String, String)> = SHOWN_BY
        .iter()
        .filter(|(e, _)| *e == code)
        .flat_map(|(_, files)| files.iter())
        .map(|f| {
            let path = format!("scenarios/{f}");
            (path.clone(), format!("simsock run {path}"))
        })
        .collect();
    if !files.is_empty() {
        writeln!(out)?;
        writeln!(out, "Linux scenarios that show it")?;
        paths_and_commands(out, files)?;
    }
    if counterpart.is_some() {
        writeln!(out)?;
        writeln!(out, "Its Winsock counterpart")?;
        writeln!(out)?;
    }
    Ok(counterpart)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file named exists, and the errno each lists is one a Linux
    /// host can give.
    #[test]
    fn listed_scenarios_exist() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
        for (_, files) in SHOWN_BY {
            for f in *files {
                assert!(root.join(f).is_file(), "{f}");
            }
        }
    }
}
