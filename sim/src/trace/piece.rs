//! The bounded parts of a canonical line (times, addresses, a packet's
//! header) written into a buffer on the stack with copies of fixed size,
//! then appended to the line in one copy.
//!
//! Architecture invariant: a [`Piece`] writes the bytes `Display` writes
//! for the same values (`u64`, `Ipv4Addr`, `SocketAddrV4`, `TcpFlags`);
//! `canonical`'s tests compare them. Per byte, a `Vec::push` pays a
//! capacity check and a length store, and `itoa` one more copy: a sweep's
//! packet line cost about 1,000 instructions that way, a third of them in
//! the four addresses (issue 18, item 5).

use std::net::Ipv4Addr;

use simsock_model::packet::{PacketHeader, TcpFlags, TcpHeader};

/// Bytes a piece holds: a TCP header's text is at most 126 bytes
/// (`TCP 255.255.255.255:65535 > 255.255.255.255:65535
/// [SYN,FIN,RST,PSH,ACK] seq=4294967295 ack=4294967295 win=65535
/// len=4294967295`), copied whole from a memo as [`HEADER_BYTES`] into an
/// empty piece; the other fixed-size copies write up to 24 bytes past
/// what they keep.
const PIECE_BYTES: usize = 160;

/// A bounded run of canonical text, appended to a line by [`Piece::flush`].
/// Every writer below is called with the piece holding at most
/// `PIECE_BYTES - 40` bytes (the callers' texts are bounded as above), so
/// no index is out of bounds.
pub struct Piece {
    bytes: [u8; PIECE_BYTES],
    len: usize,
}

impl Piece {
    pub fn new() -> Piece {
        Piece {
            bytes: [0; PIECE_BYTES],
            len: 0,
        }
    }

    /// Appends the piece to `out` and empties it.
    pub fn flush(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.bytes[..self.len]);
        self.len = 0;
    }

    /// A literal.
    pub fn put<const K: usize>(&mut self, text: &[u8; K]) {
        self.bytes[self.len..self.len + K].copy_from_slice(text);
        self.len += K;
    }

    /// `n` in decimal, as `Display` writes a `u64` (and every narrower
    /// unsigned integer): two digits at a time from the right (four at a
    /// time measured slower).
    pub fn int(&mut self, n: u64) {
        let end = self.len + decimal_digits(n);
        let mut at = end;
        let mut rest = n;
        while rest >= 100 {
            at -= 2;
            let pair = &DIGIT_PAIRS[(rest % 100) as usize];
            self.bytes[at..at + 2].copy_from_slice(pair);
            rest /= 100;
        }
        if rest >= 10 {
            self.bytes[at - 2..at].copy_from_slice(&DIGIT_PAIRS[rest as usize]);
        } else {
            self.bytes[at - 1] = b'0' + rest as u8;
        }
        self.len = end;
    }

    /// `a.b.c.d`, as `Ipv4Addr`'s `Display` writes it.
    pub fn ip(&mut self, addr: Ipv4Addr) {
        let [a, b, c, d] = addr.octets();
        self.octet(a);
        for octet in [b, c, d] {
            self.bytes[self.len] = b'.';
            self.len += 1;
            self.octet(octet);
        }
    }

    /// `a.b.c.d:port`, as `SocketAddrV4`'s `Display` writes it.
    pub fn socket(&mut self, addr: Ipv4Addr, port: u16) {
        self.ip(addr);
        self.put(b":");
        self.int(u64::from(port));
    }

    /// `TcpFlags`' `Display`: the set flags' names joined by commas, `-`
    /// for none (simsock_model::packet).
    pub fn flags(&mut self, flags: TcpFlags) {
        let (text, len) = &FLAG_TEXTS[usize::from(flags.0 & 0x1f)];
        self.bytes[self.len..self.len + FLAG_TEXT_BYTES].copy_from_slice(text);
        self.len += *len as usize;
    }

    /// One octet: its digits from a table, copied as four bytes.
    fn octet(&mut self, octet: u8) {
        let text = &OCTET_TEXTS[usize::from(octet)];
        self.bytes[self.len..self.len + 4].copy_from_slice(text);
        self.len += usize::from(text[3]);
    }
}

/// The text of a bounded value (a time, an address and port, a TCP
/// header) and its length, copied into a piece as a whole array.
#[derive(Clone, Copy, Debug)]
struct Memo<K, const N: usize = MEMO_BYTES> {
    key: K,
    text: [u8; N],
    len: u8,
}

/// The longest memoized time or address: a `u64` time (20 digits) and a
/// space, or `255.255.255.255:65535` (21 bytes).
const MEMO_BYTES: usize = 24;

/// Room for the longest TCP header text (126 bytes, see [`PIECE_BYTES`]).
const HEADER_BYTES: usize = 128;

/// Texts a trace wrote recently: the last event's time (consecutive
/// events often share it: a call and its return, a send), the last
/// addresses (a run's packets name the same few endpoints again and
/// again) and the last TCP headers (a packet's `recv` line repeats its
/// `send` line's header, and a retransmission its original's). A hit
/// copies the text instead of writing it again.
#[derive(Clone, Debug)]
pub struct Recent {
    time: Memo<u64>,
    /// Direct-mapped by [`Recent::socket_slot`]: the address and port.
    sockets: [Memo<(Ipv4Addr, u16)>; 4],
    /// Direct-mapped by [`Recent::header_slot`]: the whole header.
    headers: [Option<Memo<PacketHeader, HEADER_BYTES>>; 4],
}

impl Default for Recent {
    fn default() -> Self {
        // Time 0 and 0.0.0.0:0, as written: an entry is always right.
        let mut time = Memo {
            key: 0,
            text: [0; MEMO_BYTES],
            len: 2,
        };
        time.text[..2].copy_from_slice(b"0 ");
        let mut socket = Memo {
            key: (Ipv4Addr::UNSPECIFIED, 0),
            text: [0; MEMO_BYTES],
            len: 9,
        };
        socket.text[..9].copy_from_slice(b"0.0.0.0:0");
        Recent {
            time,
            sockets: [socket; 4],
            headers: [None; 4],
        }
    }
}

impl Recent {
    /// Which memo an address and port use.
    fn socket_slot(addr: Ipv4Addr, port: u16) -> usize {
        usize::from((addr.octets()[3] ^ port as u8) & 3)
    }

    /// Which memo a TCP header uses (the same for equal headers).
    fn header_slot(t: &TcpHeader) -> usize {
        ((t.seq ^ t.ack ^ u32::from(t.src_port)) & 3) as usize
    }
}

impl Piece {
    /// `<time ns> ` (with the space), from `recent` when the last event had
    /// the same time.
    pub fn time(&mut self, recent: &mut Recent, ns: u64) {
        if recent.time.key != ns {
            recent.time = memo(ns, |p| {
                p.int(ns);
                p.put(b" ");
            });
        }
        self.recall(&recent.time);
    }

    /// `a.b.c.d:port`, from `recent` when it wrote the same lately.
    pub fn socket_recent(&mut self, recent: &mut Recent, addr: Ipv4Addr, port: u16) {
        let memo_ = &mut recent.sockets[Recent::socket_slot(addr, port)];
        if memo_.key != (addr, port) {
            *memo_ = memo((addr, port), |p| p.socket(addr, port));
        }
        self.recall(memo_);
    }

    /// `PacketHeader`'s `Display` for a TCP packet (`t` is `h`'s TCP
    /// part), from `recent` when it wrote the same header lately.
    pub fn tcp_recent(&mut self, recent: &mut Recent, h: &PacketHeader, t: &TcpHeader) {
        let slot = Recent::header_slot(t);
        let known = recent.headers[slot].as_ref().map(|m| &m.key) == Some(h);
        if !known {
            let fresh = memo(*h, |p| p.tcp(recent, h, t));
            recent.headers[slot] = Some(fresh);
        }
        if let Some(known) = &recent.headers[slot] {
            self.recall(known);
        }
    }

    /// `TCP <src> > <dst> [<flags>] seq=<n> ack=<n> win=<n> len=<n>`
    /// (simsock_model::packet).
    fn tcp(&mut self, recent: &mut Recent, h: &PacketHeader, t: &TcpHeader) {
        self.put(b"TCP ");
        self.socket_recent(recent, h.src, t.src_port);
        self.put(b" > ");
        self.socket_recent(recent, h.dst, t.dst_port);
        self.put(b" [");
        self.flags(t.flags);
        self.put(b"] seq=");
        self.int(u64::from(t.seq));
        self.put(b" ack=");
        self.int(u64::from(t.ack));
        self.put(b" win=");
        self.int(u64::from(t.window));
        self.put(b" len=");
        self.int(u64::from(t.len));
    }

    /// Appends a memo's text.
    fn recall<K, const N: usize>(&mut self, memo: &Memo<K, N>) {
        self.bytes[self.len..self.len + N].copy_from_slice(&memo.text);
        self.len += usize::from(memo.len);
    }
}

/// What `write` writes into an empty piece, as a memo for `key`.
fn memo<K, const N: usize>(key: K, write: impl FnOnce(&mut Piece)) -> Memo<K, N> {
    let mut piece = Piece::new();
    write(&mut piece);
    let mut text = [0; N];
    text.copy_from_slice(&piece.bytes[..N]);
    Memo {
        key,
        text,
        len: piece.len as u8,
    }
}

/// How many digits `n` has in decimal (1 for 0).
fn decimal_digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |log| log as usize + 1)
}

/// `"00"` to `"99"`.
const DIGIT_PAIRS: [[u8; 2]; 100] = {
    let mut pairs = [[0; 2]; 100];
    let mut i = 0;
    while i < 100 {
        pairs[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    pairs
};

/// Each octet's decimal digits, left-aligned, and in the last byte how
/// many there are (`255` is `[b'2', b'5', b'5', 3]`).
const OCTET_TEXTS: [[u8; 4]; 256] = {
    let mut texts = [[0; 4]; 256];
    let mut i = 0;
    while i < 256 {
        let n = i as u8;
        texts[i] = match n {
            0..=9 => [b'0' + n, 0, 0, 1],
            10..=99 => [b'0' + n / 10, b'0' + n % 10, 0, 2],
            _ => [b'0' + n / 100, b'0' + n / 10 % 10, b'0' + n % 10, 3],
        };
        i += 1;
    }
    texts
};

/// The longest flags text: `SYN,FIN,RST,PSH,ACK`.
const FLAG_TEXT_BYTES: usize = 19;

/// The text of each combination of the five flags `TcpFlags`' `Display`
/// names, in its order (SYN, FIN, RST, PSH, ACK), and its length.
const FLAG_TEXTS: [([u8; FLAG_TEXT_BYTES], u8); 32] = {
    let names: [(u8, &[u8; 3]); 5] = [
        (TcpFlags::SYN.0, b"SYN"),
        (TcpFlags::FIN.0, b"FIN"),
        (TcpFlags::RST.0, b"RST"),
        (TcpFlags::PSH.0, b"PSH"),
        (TcpFlags::ACK.0, b"ACK"),
    ];
    let mut texts = [([0; FLAG_TEXT_BYTES], 0); 32];
    let mut bits = 0;
    while bits < 32 {
        let (text, len) = &mut texts[bits];
        let mut n = 0;
        while n < names.len() {
            let (flag, name) = names[n];
            if bits as u8 & flag != 0 {
                if *len > 0 {
                    text[*len as usize] = b',';
                    *len += 1;
                }
                let mut k = 0;
                while k < 3 {
                    text[*len as usize + k] = name[k];
                    k += 1;
                }
                *len += 3;
            }
            n += 1;
        }
        if *len == 0 {
            text[0] = b'-';
            *len = 1;
        }
        bits += 1;
    }
    texts
};

#[cfg(test)]
mod tests {
    use super::*;

    fn text(write: impl FnOnce(&mut Piece)) -> String {
        let mut piece = Piece::new();
        write(&mut piece);
        let mut out = Vec::new();
        piece.flush(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn integers_are_their_display() {
        let mut samples = vec![0, 1, 9, 10, 99, 100, 101, 999, 1000, u64::MAX];
        for k in 1..20 {
            samples.extend([10u64.pow(k) - 1, 10u64.pow(k), 10u64.pow(k) + 7]);
        }
        for n in samples {
            assert_eq!(text(|p| p.int(n)), n.to_string());
        }
    }

    #[test]
    fn recent_texts_are_the_texts_written_afresh() {
        let mut recent = Recent::default();
        let addrs = [
            (Ipv4Addr::new(0, 0, 0, 0), 0),
            (Ipv4Addr::new(10, 0, 0, 1), 49152),
            (Ipv4Addr::new(10, 0, 0, 2), 80),
            (Ipv4Addr::new(10, 0, 0, 5), 49152),
            (Ipv4Addr::new(255, 255, 255, 255), 65535),
        ];
        for round in 0..3 {
            for (i, &(addr, port)) in addrs.iter().enumerate() {
                let ns = [0, 0, 7, u64::MAX, 2_010_000_000][(i + round) % 5];
                let recalled = text(|p| {
                    p.time(&mut recent, ns);
                    p.socket_recent(&mut recent, addr, port);
                });
                assert_eq!(recalled, format!("{ns} {addr}:{port}"));
            }
        }
    }

    #[test]
    fn every_octet_and_flag_set_is_its_display() {
        for octet in 0..=255u8 {
            let addr = Ipv4Addr::new(octet, 0, 255, octet);
            assert_eq!(text(|p| p.ip(addr)), addr.to_string());
        }
        for bits in 0..=255u8 {
            let flags = TcpFlags(bits);
            assert_eq!(text(|p| p.flags(flags)), flags.to_string());
        }
    }
}
