//! Named random streams: every random choice comes from a `rand_chacha`
//! stream derived from the scenario seed and a stable name (`link/client-r1`,
//! `isn/server`), so adding a host does not perturb the others' randomness.
//!
//! Architecture invariant: nothing in `sim/` draws randomness from anywhere
//! else; probabilities are integers in parts per million and ranges are
//! sampled here, not by a library whose algorithm may change.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// One deterministic random stream.
///
/// Performance: the generator (304 bytes with its block buffer) is kept
/// only by a stream that draws often. Every host has an ISN stream and
/// every link a loss and jitter stream, most of which never draw (a link
/// without loss or jitter, a host that never connects) or draw once or
/// twice (a client that connects once). At a million hosts the eager
/// generators were 840 of the 3,800 bytes a host cost before it connected,
/// and 304 more bytes for a host's first connection. Until
/// [`LAZY_WORDS`] words are drawn, each draw makes a generator on the stack
/// at the stream's word position (about 0.1 µs); past it the generator is
/// kept. Either way the words are those of the one ChaCha8 stream, so the
/// values drawn are the same as an eager generator's.
#[derive(Clone, Debug)]
pub struct Stream {
    seed: u64,
    /// The stream number: [`fnv1a`] of the name.
    id: u64,
    /// Words drawn so far while there is no kept generator.
    words: u32,
    rng: Option<Box<ChaCha8Rng>>,
}

/// Words a stream draws before it keeps its generator.
const LAZY_WORDS: u32 = 8;

/// FNV-1a, 64 bit: a stable hash of the stream name (std's `Hasher` is not
/// stable across Rust versions).
fn fnv1a(name: &str) -> u64 {
    fnv1a_from(FNV_OFFSET, name)
}

/// FNV-1a's starting value (its "offset basis").
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a of `h`'s input followed by `more`: the hash runs byte by byte,
/// so hashing the parts of a name one after another is hashing the name.
/// A `const fn`, so that a constant prefix is hashed at compile time
/// ([`stream_prefix`]).
const fn fnv1a_from(mut h: u64, more: &str) -> u64 {
    let bytes = more.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        h = (h ^ bytes[i] as u64).wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    h
}

/// The stream number of the name that is `parts` joined (`["isn/", host]`
/// for `isn/<host>`), without building that name.
///
/// Performance: building every host's and link's stream name with
/// `format!` was about 700 instructions a name, a tenth of the world
/// build in the storm at 10 hosts (issue 18, small sizes).
pub fn stream_id(parts: &[&str]) -> u64 {
    stream_id_after(FNV_OFFSET, parts)
}

/// FNV-1a of `prefix` from the start, computed at compile time for a
/// constant: the state [`stream_id_after`] continues from.
pub const fn stream_prefix(prefix: &str) -> u64 {
    fnv1a_from(FNV_OFFSET, prefix)
}

/// The stream number of the name that is a prefix hashed into `prefix`
/// ([`stream_prefix`]) followed by `parts`: `stream_id_after(
/// stream_prefix("link/"), &[n])` is `stream_id(&["link/", n])`.
///
/// Performance (issue 18, x1 sizes): a constant prefix hashed once at
/// compile time rather than byte by byte for every host and link of
/// every world.
pub fn stream_id_after(prefix: u64, parts: &[&str]) -> u64 {
    parts.iter().fold(prefix, |h, part| fnv1a_from(h, part))
}

impl Stream {
    /// The stream `name` of the run seeded with `seed`.
    pub fn new(seed: u64, name: &str) -> Self {
        Stream {
            seed,
            id: fnv1a(name),
            words: 0,
            rng: None,
        }
    }

    /// The stream whose name is `parts` joined ([`stream_id`]): the same
    /// stream as `Stream::new(seed, &parts.concat())`.
    pub fn named(seed: u64, parts: &[&str]) -> Self {
        Stream::with_id(seed, stream_id(parts))
    }

    /// The stream numbered `id` ([`stream_id`] of its name).
    pub fn with_id(seed: u64, id: u64) -> Self {
        Stream {
            seed,
            id,
            words: 0,
            rng: None,
        }
    }

    /// Runs `draw` on the stream's generator: the kept one, or one made at
    /// the stream's word position (kept once [`LAZY_WORDS`] are drawn).
    #[inline]
    fn draw<R>(&mut self, draw: impl FnOnce(&mut ChaCha8Rng) -> R) -> R {
        if let Some(rng) = self.rng.as_deref_mut() {
            return draw(rng);
        }
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(self.id);
        if self.words > 0 {
            rng.set_word_pos(u128::from(self.words));
        }
        let out = draw(&mut rng);
        // The position fits: it is below LAZY_WORDS plus one draw's words.
        self.words = rng.get_word_pos() as u32;
        if self.words >= LAZY_WORDS {
            self.rng = Some(Box::new(rng));
        }
        out
    }

    /// The next 32 uniform random bits: a host's initial sequence numbers
    /// (stream `isn/<host>`, RFC 9293 §3.4.1).
    pub fn next_u32(&mut self) -> u32 {
        self.draw(|rng| rng.next_u32())
    }

    /// A uniform integer in `0..n` (`n > 0`), by rejection, without bias.
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.draw(|rng| rng.next_u64());
            if x < zone {
                return x % n;
            }
        }
    }

    /// A uniform integer in `0..=max`.
    pub fn up_to(&mut self, max: u64) -> u64 {
        match max.checked_add(1) {
            Some(n) => self.below(n),
            None => self.draw(|rng| rng.next_u64()),
        }
    }

    /// True with probability `ppm` parts per million.
    pub fn chance_ppm(&mut self, ppm: u32) -> bool {
        match ppm {
            0 => false,
            p if p >= 1_000_000 => true,
            p => self.below(1_000_000) < u64::from(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream number continued from a constant prefix is the number of
    /// the whole name, and of the name's parts hashed one after another.
    #[test]
    fn a_prefix_hashed_at_compile_time_gives_the_names_stream() {
        const LINK: u64 = stream_prefix("link/");
        for name in ["a-b", "server-client0", ""] {
            let whole = fnv1a(&format!("link/{name}/lo"));
            assert_eq!(stream_id_after(LINK, &[name, "/lo"]), whole);
            assert_eq!(stream_id(&["link/", name, "/lo"]), whole);
        }
        assert_eq!(stream_prefix(""), fnv1a(""));
        // FNV-1a's published 64-bit test vector for "a".
        assert_eq!(stream_prefix("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn same_seed_and_name_give_the_same_stream() {
        let mut a = Stream::new(7, "link/a-b");
        let mut b = Stream::new(7, "link/a-b");
        let xs: Vec<u32> = (0..8).map(|_| a.next_u32()).collect();
        let ys: Vec<u32> = (0..8).map(|_| b.next_u32()).collect();
        assert_eq!(xs, ys);
    }

    #[test]
    fn names_and_seeds_separate_streams() {
        let first = |seed, name| Stream::new(seed, name).next_u32();
        assert_ne!(first(7, "link/a-b"), first(7, "link/b-c"));
        assert_ne!(first(7, "link/a-b"), first(8, "link/a-b"));
    }

    /// Draws made before and after the stream keeps its generator, of
    /// 32 and 64 bits, are the words of one ChaCha8 stream, in order.
    #[test]
    fn lazy_draws_follow_one_generator() {
        let mut eager = ChaCha8Rng::seed_from_u64(7);
        eager.set_stream(fnv1a("isn/client"));
        let mut lazy = Stream::new(7, "isn/client");
        for i in 0..40 {
            if i % 3 == 0 {
                let x = lazy.draw(|rng| rng.next_u64());
                assert_eq!(x, eager.next_u64(), "draw {i}");
            } else {
                assert_eq!(lazy.next_u32(), eager.next_u32(), "draw {i}");
            }
            assert_eq!(lazy.rng.is_some(), lazy.words >= LAZY_WORDS);
        }
        assert!(lazy.rng.is_some());
    }

    /// A stream named by its parts is the stream of the joined name (the
    /// fast path of the world build against the name it stands for).
    #[test]
    fn a_name_in_parts_is_the_joined_name() {
        for parts in [
            &["isn/", "client7"][..],
            &["link/", "a", "-", "b"],
            &[],
            &["x"],
        ] {
            let joined = parts.concat();
            assert_eq!(stream_id(parts), fnv1a(&joined), "{joined:?}");
            let mut by_parts = Stream::named(7, parts);
            let mut whole = Stream::new(7, &joined);
            for _ in 0..12 {
                assert_eq!(by_parts.next_u32(), whole.next_u32(), "{joined:?}");
            }
        }
        assert_ne!(stream_id(&["ab", "c"]), stream_id(&["ab", "d"]));
    }

    const PINNED_FIRST_U32: u32 = 720_019_092;

    /// Pins the algorithm: if this value changes, every recorded digest changes.
    #[test]
    fn stream_values_are_pinned() {
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
        let mut s = Stream::new(1, "x");
        assert_eq!(s.next_u32(), PINNED_FIRST_U32);
        assert!(!s.chance_ppm(0) && s.chance_ppm(1_000_000));
    }
}
