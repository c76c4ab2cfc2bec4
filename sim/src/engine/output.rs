//! What a TCB asks of the world after an input: segments to send and whether
//! its socket should be told. The TCP layer (`stack::tcp`) fills it; the
//! engine keeps the one spare ([`super::scratch::Scratch`]) and never reads
//! it. It lives here, below the stack, so that the engine can name it: a
//! spare of a type the engine could not name was a `Box<dyn Any>`, and its
//! downcast on every TCB step stalled on store forwarding (the type id
//! came back through memory).

use simsock_model::TcpHeader;

/// A segment to send; its payload is `data[start..start + hdr.len]` of the
/// [`TcpOutput`] it belongs to.
#[derive(Clone, Copy, Debug)]
pub struct OutSegment {
    /// Its header; `hdr.len` is the payload's length in bytes.
    pub hdr: TcpHeader,
    /// Where its payload starts in [`TcpOutput::data`].
    pub start: usize,
    /// Why it is sent, for the trace ("retransmission"), or "".
    pub cause: &'static str,
}

/// Reusable output buffer of the TCP layer; cleared by the stack after use
/// (`stack::tcp::put_output`).
#[derive(Debug, Default)]
pub struct TcpOutput {
    /// The segments to send, in order.
    pub segments: Vec<OutSegment>,
    /// Their payloads, one after another.
    pub data: Vec<u8>,
    /// Something the socket's threads may wait for changed: connected,
    /// failed, data or FIN arrived, send space freed.
    pub notify: bool,
}

impl TcpOutput {
    /// Empties it for the next input, keeping its capacity.
    pub fn clear(&mut self) {
        self.segments.clear();
        self.data.clear();
        self.notify = false;
    }

    /// Queues a segment whose payload is copied from `parts`.
    ///
    /// Performance: inlined, so the header is built where it is stored
    /// (passed by pointer, it was read back before its fields had reached
    /// memory: a store-forwarding stall).
    #[inline]
    pub fn push(&mut self, hdr: TcpHeader, parts: [&[u8]; 2], cause: &'static str) {
        let start = self.data.len();
        self.data.extend_from_slice(parts[0]);
        self.data.extend_from_slice(parts[1]);
        self.segments.push(OutSegment { hdr, start, cause });
    }

    /// The payload of a queued segment.
    pub fn payload(&self, seg: &OutSegment) -> &[u8] {
        &self.data[seg.start..seg.start + seg.hdr.len as usize]
    }
}
