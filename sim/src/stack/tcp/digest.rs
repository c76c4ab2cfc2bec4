//! A running digest of a byte stream (count and FNV-1a), so the end-of-run
//! invariant "no byte lost or reordered on a connection that closed
//! gracefully" compares what one side sent with what the other delivered.

/// Length and FNV-1a hash of a stream so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamDigest {
    /// Bytes digested.
    pub bytes: u64,
    /// 64-bit FNV-1a of those bytes, in order.
    pub hash: u64,
}

impl Default for StreamDigest {
    fn default() -> Self {
        StreamDigest {
            bytes: 0,
            hash: 0xcbf2_9ce4_8422_2325,
        }
    }
}

impl StreamDigest {
    /// Adds `data` to the stream.
    pub fn update(&mut self, data: &[u8]) {
        self.bytes += data.len() as u64;
        self.hash = data.iter().fold(self.hash, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_matters() {
        let (mut a, mut b) = (StreamDigest::default(), StreamDigest::default());
        a.update(b"ab");
        b.update(b"ba");
        assert_eq!(a.bytes, b.bytes);
        assert_ne!(a, b);
        let mut c = StreamDigest::default();
        c.update(b"a");
        c.update(b"b");
        assert_eq!(a, c);
    }
}
