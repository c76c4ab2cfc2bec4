//! The hash state after the bytes that a sweep's traces begin with: the
//! seeds of one scenario make the same first calls at the same times, so
//! their canonical texts share their first lines (up to the first random
//! value, such as an initial sequence number), and hashing them again for
//! every seed is wasted (issue 18, item 5: SHA-256 is a quarter of a
//! one-connect sweep, whose first three blocks are the same on every seed).
//!
//! Architecture invariant: the digest is the same with or without the
//! memo. SHA-256 over a text does not depend on how the text is split
//! into updates, and the memo's state is that after exactly the bytes it
//! compares with the start of the run's text (the tests below compare the
//! memo's hasher with a new one's on texts that share more, less or none).

use sha2::{Digest, Sha256};

/// Bytes of a run's first batch kept to compare with the next run's.
const SEEN_BYTES: usize = 512;

/// SHA-256 works on blocks of this many bytes: a state after a whole
/// number of them holds no buffered bytes.
const BLOCK_BYTES: usize = 64;

/// The first bytes of the last run whose text did not begin with the
/// memoized prefix, and the hash state after the longest whole-block
/// prefix it shared with the run before it.
#[derive(Clone, Debug, Default)]
pub struct PrefixMemo {
    /// Up to [`SEEN_BYTES`] first bytes of that run.
    seen: Vec<u8>,
    /// How many of `seen`'s first bytes `state` hashed: whole blocks.
    prefix_len: usize,
    /// The hash state after `seen[..prefix_len]`.
    state: Sha256,
}

impl PrefixMemo {
    /// A hasher that has hashed `first`, a run's first batch of canonical
    /// text: from the memo's state when `first` begins with its prefix;
    /// else from a new hasher, and the memo learns the whole blocks that
    /// `first` shares with the run before.
    pub fn hash_first(&mut self, first: &[u8]) -> Sha256 {
        let n = self.prefix_len;
        if n > 0 && first.get(..n) == Some(&self.seen[..n]) {
            let mut hasher = self.state.clone();
            hasher.update(&first[n..]);
            return hasher;
        }
        let shared = self.seen.iter().zip(first).take_while(|(a, b)| a == b);
        let common = shared.count() / BLOCK_BYTES * BLOCK_BYTES;
        let mut hasher = Sha256::new();
        hasher.update(&first[..common]);
        self.state = hasher.clone();
        self.prefix_len = common;
        self.seen.clear();
        self.seen
            .extend_from_slice(&first[..first.len().min(SEEN_BYTES)]);
        hasher.update(&first[common..]);
        hasher
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(hasher: Sha256) -> Vec<u8> {
        hasher.finalize().to_vec()
    }

    /// Texts sharing 0 to 600 first bytes, run after run in every order
    /// that learns, hits and misses: each memo hasher is a new one's.
    #[test]
    fn a_memo_hasher_is_a_new_hasher() {
        let base: Vec<u8> = (0..700u32).map(|i| (i * 7 % 251) as u8).collect();
        let texts: Vec<Vec<u8>> = [0, 1, 63, 64, 65, 128, 200, 511, 512, 600, 700]
            .iter()
            .map(|&shared| {
                let mut t = base.clone();
                if let Some(b) = t.get_mut(shared) {
                    *b ^= 0xff;
                }
                t.truncate(shared + 40); // some shorter than the prefix
                t
            })
            .collect();
        let mut memo = PrefixMemo::default();
        for round in 0..3 {
            for i in 0..texts.len() {
                // 11 texts: each round is a different order of them all.
                let text = &texts[(i * (2 * round + 1) + round) % texts.len()];
                let mut new = Sha256::new();
                new.update(text);
                assert_eq!(
                    hex(memo.hash_first(text)),
                    hex(new),
                    "round {round} text {i}"
                );
            }
        }
    }

    /// The memo learns the shared whole blocks and uses them: the second
    /// and later texts start from a state after 192 bytes.
    #[test]
    fn the_memo_keeps_the_shared_whole_blocks() {
        let mut memo = PrefixMemo::default();
        for seed in 0..4u8 {
            let mut text = vec![b'a'; 250];
            text.push(seed);
            memo.hash_first(&text);
            let expected = if seed == 0 { 0 } else { 192 };
            assert_eq!(memo.prefix_len, expected, "seed {seed}");
        }
    }
}
