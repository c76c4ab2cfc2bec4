//! A call's trace text written without `core::fmt` for the calls most
//! scenarios make: every traced call's text is written once per call, and
//! in a sweep the formatting machinery was most of that (issue 18, item 5).
//!
//! Architecture invariant: [`write`] appends exactly what [`OpDisplay`]
//! (the `Display` of a call) writes; the tests below compare the two on
//! each call written here, and the bundled scenarios' digests compare them
//! on whole runs. Any other call goes through `Display` itself.

use std::fmt::Write as _;
use std::net::SocketAddr;

use simsock_model::scenario::{Family, Kind};

use super::{Op, OpDisplay, Slot};

impl OpDisplay<'_> {
    /// Appends the call's text to `out`, as its `Display` writes it.
    pub fn write(&self, out: &mut String) {
        let n = |slot: &Slot| self.names.get(*slot as usize).map_or("?", String::as_str);
        match self.op {
            Op::Socket { slot, family, kind } => {
                words(out, &[n(slot), " = socket(", family_name(*family), ", "]);
                words(out, &[kind_name(*kind), ")"]);
            }
            Op::Bind { slot, addr } if addr.is_ipv4() => {
                words(out, &["bind(", n(slot), ", "]);
                socket(out, addr);
                out.push(')');
            }
            Op::Listen { slot, backlog } => {
                words(out, &["listen(", n(slot), ", "]);
                int(out, *backlog);
                out.push(')');
            }
            Op::Accept { slot, into } => words(out, &[n(into), " = accept(", n(slot), ")"]),
            Op::Connect { slot, to, namelen } if to.is_ipv4() => {
                words(out, &["connect(", n(slot), ", "]);
                socket(out, to);
                if let Some(len) = namelen {
                    out.push_str(", ");
                    int(out, *len);
                }
                out.push(')');
            }
            Op::Send { slot, data } => {
                words(out, &["send(", n(slot), ", "]);
                int(out, data.len());
                out.push_str(" bytes)");
            }
            Op::Recv { slot, max } => {
                words(out, &["recv(", n(slot), ", "]);
                int(out, *max);
                out.push(')');
            }
            Op::Close { slot } => words(out, &["closesocket(", n(slot), ")"]),
            Op::LastError => out.push_str("WSAGetLastError()"),
            _ => {
                // Invariant: writing to a String cannot fail.
                let _ = write!(out, "{self}");
            }
        }
    }
}

/// `Family`'s `Debug`, as `{family:?}` writes it.
fn family_name(family: Family) -> &'static str {
    match family {
        Family::Inet => "Inet",
        Family::Inet6 => "Inet6",
        Family::Irda => "Irda",
    }
}

/// `Kind`'s `Debug`, as `{kind:?}` writes it.
fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Stream => "Stream",
        Kind::Dgram => "Dgram",
    }
}

fn words(out: &mut String, words: &[&str]) {
    for w in words {
        out.push_str(w);
    }
}

/// An integer in decimal, as `Display` writes it.
fn int(out: &mut String, n: impl itoa::Integer) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// An IPv4 `a.b.c.d:port`, as `SocketAddr`'s `Display` writes it; the
/// callers write an IPv6 address through `Display`.
fn socket(out: &mut String, addr: &SocketAddr) {
    let SocketAddr::V4(v4) = addr else {
        // Invariant: callers pass IPv4 addresses only.
        let _ = write!(out, "{addr}");
        return;
    };
    let [a, b, c, d] = v4.ip().octets();
    int(out, a);
    for octet in [b, c, d] {
        out.push('.');
        int(out, octet);
    }
    out.push(':');
    int(out, v4.port());
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use simsock_model::SimTime;

    use super::*;

    fn ops() -> Vec<Op> {
        let v4: SocketAddr = "10.0.0.2:80".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:0".parse().unwrap();
        let top: SocketAddr = "255.255.255.255:65535".parse().unwrap();
        let v6: SocketAddr = "[::1]:80".parse().unwrap();
        let mut ops = vec![];
        for slot in [0, 1, 9] {
            for family in [Family::Inet, Family::Inet6, Family::Irda] {
                for kind in [Kind::Stream, Kind::Dgram] {
                    ops.push(Op::Socket { slot, family, kind });
                }
            }
            for addr in [v4, any, top, v6] {
                ops.push(Op::Bind { slot, addr });
                for namelen in [None, Some(0), Some(16), Some(u32::MAX)] {
                    ops.push(Op::Connect {
                        slot,
                        to: addr,
                        namelen,
                    });
                }
            }
            for n in [0, 5, 100, u32::MAX] {
                ops.push(Op::Listen { slot, backlog: n });
                ops.push(Op::Recv { slot, max: n });
            }
            for len in [0, 5, 1000] {
                let data: Rc<[u8]> = vec![b'x'; len].into();
                ops.push(Op::Send { slot, data });
            }
            ops.push(Op::Accept { slot, into: 1 });
            ops.push(Op::Close { slot });
        }
        ops.push(Op::LastError);
        ops.push(Op::SleepUntil(SimTime(6_000_000_000)));
        ops
    }

    /// Slot 9 has no name: `?`, as `Display` writes it.
    #[test]
    fn the_text_is_the_display_text() {
        let names = ["s".to_string(), "c".to_string()];
        for op in ops() {
            let display = op.display(&names);
            let mut text = String::from("kept ");
            display.write(&mut text);
            assert_eq!(text, format!("kept {display}"), "{op:?}");
        }
    }
}
