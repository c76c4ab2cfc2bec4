//! Simulated time: integer nanoseconds, never the wall clock.
//!
//! [`SimTime`] is an instant since the start of a run and [`SimDuration`] a span.
//! Both are `u64` nanoseconds, so every run measures time identically on every
//! machine. In scenario files a duration is written with a unit: `"21s"`,
//! `"1.5ms"`, `"500us"`, `"10ns"`, `"2m"`, `"1h"`.

use std::fmt;
use std::ops::{Add, Sub};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Nanoseconds in one microsecond: the scale of the `us` (or `µs`) unit.
pub const NS_PER_US: u64 = 1_000;
/// Nanoseconds in one millisecond: the scale of the `ms` unit.
pub const NS_PER_MS: u64 = 1_000_000;
/// Nanoseconds in one second: the scale of the `s` unit, and of the
/// `21.000s` form in which a trace prints a [`SimTime`].
pub const NS_PER_S: u64 = 1_000_000_000;
/// Nanoseconds in one minute: the scale of the `m` (or `min`) unit.
pub const NS_PER_MIN: u64 = 60 * NS_PER_S;
/// Nanoseconds in one hour: the scale of the `h` unit.
pub const NS_PER_HOUR: u64 = 60 * NS_PER_MIN;

/// A span of simulated time in nanoseconds: a latency, a timeout, a delay.
/// Arithmetic saturates at `u64::MAX` ns (about 584 years) rather than
/// wrapping.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub u64);

/// An instant of simulated time: nanoseconds since the run began. The
/// engine alone advances it; nothing in model/ or sim/ reads a wall clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

impl SimDuration {
    /// No time at all: "at once" (a fault's default `delay`, a thread's
    /// default `start`).
    pub const ZERO: SimDuration = SimDuration(0);

    /// A span of `ns` nanoseconds.
    pub const fn from_nanos(ns: u64) -> Self {
        SimDuration(ns)
    }
    /// A span of `us` microseconds; the product must fit in `u64`
    /// nanoseconds (about 584 years), as for the other `from_*`.
    pub const fn from_micros(us: u64) -> Self {
        SimDuration(us * NS_PER_US)
    }
    /// A span of `ms` milliseconds (the unit of most profile constants,
    /// such as `min_rto`, 300 ms).
    pub const fn from_millis(ms: u64) -> Self {
        SimDuration(ms * NS_PER_MS)
    }
    /// A span of `s` seconds (the unit of TIME_WAIT and the SYN timeouts,
    /// such as `initial_rto`, 3 s).
    pub const fn from_secs(s: u64) -> Self {
        SimDuration(s * NS_PER_S)
    }
    /// The span in nanoseconds, the unit the engine computes in.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }
    /// Whole seconds, rounded down.
    pub const fn as_secs(self) -> u64 {
        self.0 / NS_PER_S
    }
    /// `k` times the span, `u64::MAX` ns on overflow: the retransmission
    /// timeout's doubling (RFC 6298 §5.5) uses it.
    pub const fn saturating_mul(self, k: u64) -> Self {
        SimDuration(self.0.saturating_mul(k))
    }
}

impl SimTime {
    /// The instant the run begins.
    pub const ZERO: SimTime = SimTime(0);

    /// The instant `ns` nanoseconds after the run began.
    pub const fn from_nanos(ns: u64) -> Self {
        SimTime(ns)
    }
    /// Nanoseconds since the run began.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }
    /// The span from `earlier` to `self`, zero if `earlier` is later.
    pub const fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, d: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(d.0))
    }
}

impl Sub for SimTime {
    type Output = SimDuration;
    fn sub(self, earlier: SimTime) -> SimDuration {
        self.since(earlier)
    }
}

/// Seconds with millisecond precision, as people read a trace: `21.000s`.
impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_secs(f, self.0)
    }
}

/// The shortest exact form with a unit: `3s`, `1500us`, `1ms`, `0s`.
impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = self.0;
        let (value, unit) = match ns {
            0 => (0, "s"),
            _ if ns.is_multiple_of(NS_PER_S) => (ns / NS_PER_S, "s"),
            _ if ns.is_multiple_of(NS_PER_MS) => (ns / NS_PER_MS, "ms"),
            _ if ns.is_multiple_of(NS_PER_US) => (ns / NS_PER_US, "us"),
            _ => (ns, "ns"),
        };
        write!(f, "{value}{unit}")
    }
}

fn write_secs(f: &mut fmt::Formatter<'_>, ns: u64) -> fmt::Result {
    let secs = ns / NS_PER_S;
    let millis = (ns % NS_PER_S) / NS_PER_MS;
    let rest = ns % NS_PER_MS;
    if rest == 0 {
        write!(f, "{secs}.{millis:03}s")
    } else {
        write!(f, "{secs}.{:09}s", ns % NS_PER_S)
    }
}

/// Why a duration string was not understood: the message (e.g. "`5` has no
/// unit (ns, us, ms, s, m, h)") that the scenario loader shows at the
/// value's file, line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DurationParseError(pub String);

impl fmt::Display for DurationParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DurationParseError {}

impl std::str::FromStr for SimDuration {
    type Err = DurationParseError;

    /// Parses `<number><unit>` with unit `ns`, `us`, `ms`, `s`, `m` or `h`; the
    /// number may have a decimal fraction as long as the result is a whole
    /// number of nanoseconds (`1.5ms` yes, `0.5ns` no). `0` needs no unit.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text == "0" {
            return Ok(SimDuration::ZERO);
        }
        if text.starts_with('-') {
            // Simulated time only moves forward (issue 15, item 4: this
            // said "`-1ms` is not a unit").
            return Err(DurationParseError(format!(
                "`{text}` is negative; a duration is 0 or more"
            )));
        }
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| {
                DurationParseError(format!("`{text}` has no unit (ns, us, ms, s, m, h)"))
            })?;
        let (number, unit) = text.split_at(split);
        let scale = match unit {
            "ns" => 1,
            "us" | "µs" => NS_PER_US,
            "ms" => NS_PER_MS,
            "s" => NS_PER_S,
            "m" | "min" => NS_PER_MIN,
            "h" => NS_PER_HOUR,
            _ => {
                return Err(DurationParseError(format!(
                    "`{unit}` is not a unit (ns, us, ms, s, m, h)"
                )));
            }
        };
        parse_scaled(number, scale).map(SimDuration).ok_or_else(|| {
            DurationParseError(format!(
                "`{text}` is not a whole number of nanoseconds below 2^64"
            ))
        })
    }
}

/// `number * scale` computed exactly in integers, `None` on overflow or a
/// fraction finer than a nanosecond.
fn parse_scaled(number: &str, scale: u64) -> Option<u64> {
    let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
    if int_part.is_empty() && frac_part.is_empty() || frac_part.len() > 18 {
        return None;
    }
    let int: u64 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().ok()?
    };
    let whole = int.checked_mul(scale)?;
    if frac_part.is_empty() {
        return Some(whole);
    }
    let numerator: u128 = frac_part.parse().ok()?;
    let denominator = 10u128.pow(frac_part.len() as u32);
    let scaled = numerator * u128::from(scale);
    if !scaled.is_multiple_of(denominator) {
        return None;
    }
    whole.checked_add(u64::try_from(scaled / denominator).ok()?)
}

impl Serialize for SimDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SimDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_fractions() {
        assert_eq!("21s".parse(), Ok(SimDuration::from_secs(21)));
        assert_eq!("1.5ms".parse(), Ok(SimDuration::from_micros(1500)));
        assert_eq!("500us".parse(), Ok(SimDuration::from_micros(500)));
        assert_eq!("2m".parse(), Ok(SimDuration::from_secs(120)));
        assert_eq!("1.5h".parse(), Ok(SimDuration::from_secs(5400)));
        assert_eq!("0".parse(), Ok(SimDuration::ZERO));
        assert_eq!("7ns".parse(), Ok(SimDuration(7)));
    }

    #[test]
    fn rejects_bad_durations() {
        for bad in [
            "",
            "5",
            "5 parsecs",
            "0.5ns",
            "1.2.3s",
            "99999999999999999999s",
            "s",
        ] {
            assert!(
                bad.parse::<SimDuration>().is_err(),
                "{bad} should not parse"
            );
        }
    }

    #[test]
    fn displays_shortest_exact_form() {
        assert_eq!(SimDuration::from_secs(240).to_string(), "240s");
        assert_eq!(SimDuration::from_micros(1500).to_string(), "1500us");
        assert_eq!(SimTime(21 * NS_PER_S).to_string(), "21.000s");
        assert_eq!(SimTime(1_500_000).to_string(), "0.001500000s");
    }
}
