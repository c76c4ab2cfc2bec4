//! The text of the notification calls, as traces and reports show them.

use std::fmt;

use simsock_model::notify::FdEvent;

use super::super::{Op, Slot};

/// The text of a notification call: `select(read [s], write [], except [s], 1s)`,
/// `WSAAsyncSelect(s, w, FD_CONNECT)`; the SPI forms with their WSP names.
pub(in crate::winsock) fn display(
    f: &mut fmt::Formatter<'_>,
    op: &Op,
    names: &[String],
) -> fmt::Result {
    let n = |slot: &Slot| names.get(*slot as usize).map_or("?", String::as_str);
    let api = |spi: &bool, wsa: &'static str, wsp: &'static str| if *spi { wsp } else { wsa };
    let mask = |m: &u32| FdEvent::mask_text(*m);
    match op {
        Op::Select { sets, timeout, spi } => {
            let set = |s: &[Slot]| names_text(s, names);
            write!(
                f,
                "{}(read {}, write {}, except {}, {})",
                api(spi, "select", "WSPSelect"),
                set(&sets.read),
                set(&sets.write),
                set(&sets.except),
                timeout.map_or("INFINITE".to_string(), |t| t.to_string())
            )
        }
        Op::AsyncSelect {
            slot,
            window,
            mask: m,
            spi,
        } => write!(
            f,
            "{}({}, {}, {})",
            api(spi, "WSAAsyncSelect", "WSPAsyncSelect"),
            n(slot),
            window.name,
            mask(m)
        ),
        Op::GetMessage { window } => write!(f, "GetMessage({})", window.name),
        Op::CreateEvent { event } => write!(f, "{} = WSACreateEvent()", event.name),
        Op::EventSelect {
            slot,
            event,
            mask: m,
            spi,
        } => write!(
            f,
            "{}({}, {}, {})",
            api(spi, "WSAEventSelect", "WSPEventSelect"),
            n(slot),
            event.name,
            mask(m)
        ),
        Op::WaitForEvents {
            events,
            wait_all,
            timeout,
        } => {
            let list: Vec<&str> = events.iter().map(|e| &*e.name).collect();
            write!(
                f,
                "WSAWaitForMultipleEvents([{}], wait_all: {wait_all}, {})",
                list.join(", "),
                timeout.map_or("WSA_INFINITE".to_string(), |t| t.to_string())
            )
        }
        Op::EnumNetworkEvents { slot, event, spi } => write!(
            f,
            "{}({}, {})",
            api(spi, "WSAEnumNetworkEvents", "WSPEnumNetworkEvents"),
            n(slot),
            event.as_ref().map_or("NULL", |e| &*e.name)
        ),
        _ => Ok(()),
    }
}

/// `[s, t]` with the socket names of a set.
pub(super) fn names_text(slots: &[Slot], names: &[String]) -> String {
    let list: Vec<&str> = slots
        .iter()
        .map(|s| names.get(*s as usize).map_or("?", String::as_str))
        .collect();
    format!("[{}]", list.join(", "))
}
