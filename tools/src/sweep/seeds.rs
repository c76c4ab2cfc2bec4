//! Which seeds a sweep runs: a range `A..B` or `A..=B`, optionally one shard
//! of it (`--shard I/N` takes the seeds with `(seed - A) % N == I`), so N
//! machines that run shards 0/N .. N-1/N together run every seed once.

use std::fmt;

use miette::Diagnostic;

/// At most this many seeds per `simsock sweep` process (after sharding): a
/// typo such as `1..1000000000000` is an error, not a run of days.
pub const MAX_SWEEP_SEEDS: u64 = 10_000_000;

/// A non-empty range of seeds: `start`, `start + 1`, ... (`count` of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedRange {
    pub start: u64,
    pub count: u64,
}

impl SeedRange {
    /// Parses `A..B` (A up to B - 1, as in Rust) or `A..=B` (A up to B).
    pub fn parse(text: &str) -> Result<SeedRange, String> {
        let bad = || format!("`{text}` is not a seed range; write A..B (B excluded) or A..=B");
        let (start, end, inclusive) = match text.split_once("..=") {
            Some((a, b)) => (a, b, true),
            None => {
                let (a, b) = text.split_once("..").ok_or_else(bad)?;
                (a, b, false)
            }
        };
        let number = |n: &str| -> Result<u64, String> {
            n.trim()
                .parse()
                .map_err(|e: std::num::ParseIntError| match e.kind() {
                    std::num::IntErrorKind::PosOverflow => format!(
                        "`{}` is too large: a seed is at most {} (2^64 - 1)",
                        n.trim(),
                        u64::MAX
                    ),
                    _ => bad(),
                })
        };
        let (start, end) = (number(start)?, number(end)?);
        let count = match inclusive {
            true if end >= start => (end - start).checked_add(1),
            false if end > start => Some(end - start),
            _ => return Err(format!("`{text}` holds no seed")),
        };
        // Only 0..=u64::MAX overflows; it is far beyond the limit anyway.
        let count = count.unwrap_or(u64::MAX);
        Ok(SeedRange { start, count })
    }

    /// The seeds of `shard` (all of them when `None`), in increasing order.
    pub fn seeds(self, shard: Option<Shard>) -> impl Iterator<Item = u64> {
        let shard = shard.unwrap_or(Shard { index: 0, count: 1 });
        // `k < count`, so `start + k` never overflows.
        (shard.index..self.count)
            .step_by(shard.count as usize)
            .map(move |k| self.start + k)
    }

    /// How many seeds `seeds(shard)` yields.
    pub fn len(self, shard: Option<Shard>) -> u64 {
        let shard = shard.unwrap_or(Shard { index: 0, count: 1 });
        if shard.index >= self.count {
            return 0;
        }
        (self.count - shard.index).div_ceil(shard.count)
    }
}

impl fmt::Display for SeedRange {
    /// `A..B`, or `A..=B` when `B` would not fit in a u64.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.start.checked_add(self.count) {
            Some(end) => write!(f, "{}..{end}", self.start),
            None => write!(f, "{}..={}", self.start, self.start + (self.count - 1)),
        }
    }
}

/// Shard `index` of `count` (`index < count`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Parses `I/N` with `0 <= I < N`.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("`{text}` is not a shard; write I/N with 0 <= I < N, e.g. 0/4");
        let (index, count) = text.split_once('/').ok_or_else(bad)?;
        let index: u64 = index.trim().parse().map_err(|_| bad())?;
        let count: u64 = count.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count || usize::try_from(count).is_err() {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A sweep that would run more than [`MAX_SWEEP_SEEDS`] seeds.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("the sweep would run {seeds} seeds; one sweep runs at most {MAX_SWEEP_SEEDS}")]
#[diagnostic(
    code(simsock::too_many_seeds),
    help("split the range: several smaller ranges, or --shard I/N on N machines")
)]
pub struct TooManySeeds {
    pub seeds: u64,
}

/// A shard that holds no seed: the range has fewer seeds than the shard's
/// index. An error, not a pass of 0 runs: the machine given it would report
/// success without testing anything (issue 15, item 4).
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error(
    "shard {shard} of seeds {seeds} holds no seed: the range has {count} seed(s), \
     and shard I/N runs the range's seeds I, I + N, I + 2N, ..."
)]
#[diagnostic(
    code(simsock::empty_shard),
    help("use at most {count} shard(s) for this range, or a longer range")
)]
pub struct EmptyShard {
    pub shard: Shard,
    pub seeds: SeedRange,
    pub count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_exclude_or_include_their_end() {
        let r = SeedRange::parse("1..8").unwrap();
        assert_eq!(r.seeds(None).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6, 7]);
        let r = SeedRange::parse("1..=8").unwrap();
        assert_eq!((r.start, r.count), (1, 8));
        assert_eq!(r.to_string(), "1..9");
        let top = SeedRange::parse("18446744073709551614..=18446744073709551615").unwrap();
        assert_eq!(top.seeds(None).count(), 2);
        assert_eq!(
            top.to_string(),
            "18446744073709551614..=18446744073709551615"
        );
    }

    #[test]
    fn bad_ranges_are_errors() {
        for text in ["", "5", "8..1", "3..3", "a..b", "1...2", "-1..4", "2..=1"] {
            assert!(SeedRange::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn shards_partition_the_range() {
        let r = SeedRange::parse("10..21").unwrap();
        let mut all: Vec<u64> = (0..3)
            .flat_map(|index| {
                let shard = Some(Shard { index, count: 3 });
                let seeds: Vec<u64> = r.seeds(shard).collect();
                assert_eq!(seeds.len() as u64, r.len(shard));
                assert!(seeds.iter().all(|s| (s - 10) % 3 == index));
                seeds
            })
            .collect();
        all.sort();
        assert_eq!(all, r.seeds(None).collect::<Vec<_>>());
        let far = Some(Shard { index: 5, count: 8 });
        assert_eq!(SeedRange::parse("0..3").unwrap().len(far), 0);
    }

    #[test]
    fn shard_syntax() {
        assert_eq!(Shard::parse("1/2"), Ok(Shard { index: 1, count: 2 }));
        for text in ["2/2", "0/0", "1", "a/b", "-1/2"] {
            assert!(Shard::parse(text).is_err(), "{text}");
        }
    }
}
