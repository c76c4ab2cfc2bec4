//! Point-to-point links: latency, optional jitter and loss, up or down.
//!
//! A link is FIFO in each direction: jitter delays a packet but never lets it
//! overtake the one sent before it on the same direction (a real wire does not
//! reorder). Loss is an integer probability in parts per million drawn from
//! the link's own named stream.
//!
//! A `LinkSet` fault reshapes a link per direction ([`Shape`]) and may add
//! two faults a plain link never shows, each drawn from its own stream
//! (`link/<name>/dup`, `link/<name>/reorder`) so that they do not disturb the
//! loss and jitter draws:
//! - duplication: a second copy of the packet arrives right after it;
//! - reordering: the packet is held back by an extra delay drawn uniformly
//!   from `0..=2 x latency` and is exempt from the FIFO rule, so packets sent
//!   after it may arrive first.

use std::borrow::Cow;

use simsock_model::{SimDuration, SimTime};

use super::topology::NodeId;
use crate::rng::Stream;

/// Index of a link in [`Topology::links`](super::Topology::links), in
/// declaration order (a host's loopback interface after all declared links).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LinkId(pub u32);

/// Why a link did not carry a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkDrop {
    /// The link is down (declared `up: false`, or a `LinkDown` fault).
    Down,
    /// The link's loss draw took it (`loss_ppm`).
    Lost,
}

impl LinkDrop {
    /// The reason a trace `drop` line gives: "link down" or "lost".
    pub fn as_str(self) -> &'static str {
        match self {
            LinkDrop::Down => "link down",
            LinkDrop::Lost => "lost",
        }
    }
}

/// How one direction of a link carries packets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// One-way delay of every packet.
    pub latency: SimDuration,
    /// Extra delay drawn uniformly from `0..=jitter` per packet (FIFO kept).
    pub jitter: SimDuration,
    /// Probability that a packet is lost, in parts per million.
    pub loss_ppm: u32,
    /// Probability that a packet arrives twice, in parts per million (only
    /// a `LinkSet` fault sets it).
    pub duplicate_ppm: u32,
    /// How long after the packet a duplicate arrives.
    pub duplicate_delay: SimDuration,
    /// Probability that a packet is held back by up to 2 x latency outside
    /// the FIFO order, in parts per million (only a `LinkSet` fault sets
    /// it).
    pub reorder_ppm: u32,
}

/// A change of some of a [`Shape`]'s settings (a `LinkSet` fault).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
/// Each field replaces its [`Shape`] namesake; `None` keeps it.
pub struct ShapeChange {
    /// New [`Shape::latency`].
    pub latency: Option<SimDuration>,
    /// New [`Shape::jitter`].
    pub jitter: Option<SimDuration>,
    /// New [`Shape::loss_ppm`].
    pub loss_ppm: Option<u32>,
    /// New [`Shape::duplicate_ppm`].
    pub duplicate_ppm: Option<u32>,
    /// New [`Shape::duplicate_delay`].
    pub duplicate_delay: Option<SimDuration>,
    /// New [`Shape::reorder_ppm`].
    pub reorder_ppm: Option<u32>,
}

impl ShapeChange {
    fn apply(&self, shape: &mut Shape) {
        shape.latency = self.latency.unwrap_or(shape.latency);
        shape.jitter = self.jitter.unwrap_or(shape.jitter);
        shape.loss_ppm = self.loss_ppm.unwrap_or(shape.loss_ppm);
        shape.duplicate_ppm = self.duplicate_ppm.unwrap_or(shape.duplicate_ppm);
        shape.duplicate_delay = self.duplicate_delay.unwrap_or(shape.duplicate_delay);
        shape.reorder_ppm = self.reorder_ppm.unwrap_or(shape.reorder_ppm);
    }
}

/// The per-direction settings of a reshaped link, which replace its
/// declared ones, and the streams of its extra faults.
#[derive(Clone, Debug)]
struct Reshaped {
    /// `dirs[0]` from `ends[0]` to `ends[1]`.
    dirs: [Shape; 2],
    duplicate: Stream,
    reorder: Stream,
}

/// When a packet put on a link arrives, and when its copy does, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arrival {
    /// When the packet reaches the other end.
    pub at: SimTime,
    /// When its duplicate does, if the duplication draw made one.
    pub duplicate: Option<SimTime>,
}

/// One link and its state.
#[derive(Clone, Debug)]
pub struct Link {
    /// `a-b` for a link declared `between: ("a", "b")`, `lo` for a host's
    /// loopback interface: the trace's name for it, and its stream's
    /// (`link/<name>`; `link/<host>/lo`).
    ///
    /// Memory (issue 18, small sizes): borrowed for a loopback's `lo`,
    /// where a string of its own was an allocation per host.
    pub name: Cow<'static, str>,
    /// The nodes it joins, in declaration order; direction `i` is from
    /// `ends[i]`. Both ends are the host for a loopback interface.
    pub ends: [NodeId; 2],
    /// The settings the scenario declared, for both directions (and the
    /// routing metric); a `LinkSet` fault overrides them per direction.
    pub latency: SimDuration,
    /// Declared jitter (`LinkSpec::jitter`; default 0).
    pub jitter: SimDuration,
    /// Declared loss in parts per million (`LinkSpec::loss_ppm`; default 0).
    pub loss_ppm: u32,
    /// Whether it carries packets; `LinkUp`/`LinkDown` faults set it.
    pub up: bool,
    rng: Stream,
    /// Arrival time of the last packet sent from `ends[i]`.
    last_arrival: [SimTime; 2],
    /// Set by the first `LinkSet` fault; `None` on most links, which keeps
    /// the common path to one check.
    reshaped: Option<Box<Reshaped>>,
}

impl Link {
    /// An up link with `latency`, no jitter and no loss, drawing its loss
    /// and jitter from `rng` (the stream `link/<name>`).
    pub fn new(
        name: impl Into<Cow<'static, str>>,
        ends: [NodeId; 2],
        latency: SimDuration,
        rng: Stream,
    ) -> Self {
        Link {
            name: name.into(),
            ends,
            latency,
            jitter: SimDuration::ZERO,
            loss_ppm: 0,
            up: true,
            rng,
            last_arrival: [SimTime::ZERO; 2],
            reshaped: None,
        }
    }

    /// The settings of the direction from `ends[dir]`.
    pub fn shape(&self, dir: usize) -> Shape {
        match &self.reshaped {
            Some(r) => r.dirs[dir],
            None => Shape {
                latency: self.latency,
                jitter: self.jitter,
                loss_ppm: self.loss_ppm,
                duplicate_ppm: 0,
                duplicate_delay: SimDuration::ZERO,
                reorder_ppm: 0,
            },
        }
    }

    /// Applies `change` to the directions from `ends[i]` where `dirs[i]`;
    /// `seed` names the streams of duplication and reordering.
    pub fn reshape(&mut self, seed: u64, dirs: [bool; 2], change: &ShapeChange) {
        if self.reshaped.is_none() {
            let stream = |what: &str| Stream::new(seed, &format!("link/{}/{what}", self.name));
            self.reshaped = Some(Box::new(Reshaped {
                dirs: [self.shape(0), self.shape(1)],
                duplicate: stream("dup"),
                reorder: stream("reorder"),
            }));
        }
        if let Some(r) = self.reshaped.as_deref_mut() {
            for (shape, _) in r.dirs.iter_mut().zip(dirs).filter(|(_, on)| *on) {
                change.apply(shape);
            }
        }
    }

    /// The node at the other end from `from`.
    pub fn peer(&self, from: NodeId) -> NodeId {
        if self.ends[0] == from {
            self.ends[1]
        } else {
            self.ends[0]
        }
    }

    /// Puts a packet on the link at `now`; returns when it arrives at the
    /// other end, or why it never will.
    ///
    /// Performance: always inlined into the engine's transmit (issue 18:
    /// with `#[inline]` alone it became a call of its own once that was
    /// inlined into `Core::send_segment_via`).
    #[inline(always)]
    pub fn transmit(&mut self, now: SimTime, from: NodeId) -> Result<Arrival, LinkDrop> {
        if !self.up {
            return Err(LinkDrop::Down);
        }
        let dir = usize::from(self.ends[0] != from);
        let shape = self.shape(dir);
        if self.rng.chance_ppm(shape.loss_ppm) {
            return Err(LinkDrop::Lost);
        }
        let jitter = match shape.jitter.as_nanos() {
            0 => 0,
            max => self.rng.up_to(max),
        };
        let at = now + shape.latency + SimDuration(jitter);
        let mut duplicate = false;
        if let Some(r) = self.reshaped.as_deref_mut() {
            duplicate = r.duplicate.chance_ppm(shape.duplicate_ppm);
            if r.reorder.chance_ppm(shape.reorder_ppm) {
                let held = r.reorder.up_to(shape.latency.as_nanos().saturating_mul(2));
                let at = at + SimDuration(held);
                let duplicate = duplicate.then_some(at + shape.duplicate_delay);
                return Ok(Arrival { at, duplicate }); // exempt from FIFO
            }
        }
        let at = at.max(self.last_arrival[dir]);
        self.last_arrival[dir] = at;
        let duplicate = duplicate.then_some(at + shape.duplicate_delay);
        Ok(Arrival { at, duplicate })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link() -> Link {
        Link::new(
            "a-b",
            [NodeId(0), NodeId(1)],
            SimDuration::from_millis(1),
            Stream::new(1, "l"),
        )
    }

    #[test]
    fn delivers_after_latency_and_drops_when_down() {
        let mut l = link();
        let at = l.transmit(SimTime(0), NodeId(0)).map(|a| a.at);
        assert_eq!(at, Ok(SimTime(1_000_000)));
        l.up = false;
        assert_eq!(l.transmit(SimTime(0), NodeId(0)), Err(LinkDrop::Down));
    }

    #[test]
    fn jitter_never_reorders_a_direction() {
        let mut l = link();
        l.jitter = SimDuration::from_millis(5);
        let mut last = SimTime::ZERO;
        for t in 0..200 {
            let at = l.transmit(SimTime(t * 10_000), NodeId(0)).unwrap().at;
            assert!(at >= last);
            last = at;
        }
    }

    #[test]
    fn reshaping_one_direction_leaves_the_other() {
        let mut l = link();
        let slower = ShapeChange {
            latency: Some(SimDuration::from_millis(7)),
            ..Default::default()
        };
        l.reshape(1, [true, false], &slower);
        let forward = l.transmit(SimTime(0), NodeId(0)).unwrap().at;
        let backward = l.transmit(SimTime(0), NodeId(1)).unwrap().at;
        assert_eq!(
            (forward, backward),
            (SimTime(7_000_000), SimTime(1_000_000))
        );
        assert_eq!(
            l.latency,
            SimDuration::from_millis(1),
            "declared value kept"
        );
    }

    /// Reordering holds packets back by up to 2 x latency outside the FIFO
    /// order, so some packets arrive before one sent earlier; duplication
    /// follows its ppm.
    #[test]
    fn reordering_lets_later_packets_overtake_and_copies_follow_ppm() {
        let mut l = link();
        let change = ShapeChange {
            reorder_ppm: Some(200_000),
            duplicate_ppm: Some(100_000),
            ..Default::default()
        };
        l.reshape(3, [true, true], &change);
        let arrivals: Vec<Arrival> = (0..1_000)
            .map(|t| l.transmit(SimTime(t * 100_000), NodeId(0)).unwrap())
            .collect();
        let overtaken = arrivals.windows(2).filter(|w| w[1].at < w[0].at).count();
        let copies = arrivals.iter().filter(|a| a.duplicate.is_some()).count();
        assert!(overtaken > 50, "{overtaken}");
        assert!((70..130).contains(&copies), "{copies}");
        let latest = arrivals
            .iter()
            .enumerate()
            .map(|(t, a)| a.at.as_nanos() - t as u64 * 100_000);
        assert!(latest.max() <= Some(3_000_000), "held at most 2 x latency");
    }

    #[test]
    fn loss_follows_ppm() {
        let mut l = link();
        l.loss_ppm = 250_000;
        let lost = (0..10_000)
            .filter(|_| l.transmit(SimTime(0), NodeId(1)).is_err())
            .count();
        assert!((2_200..2_800).contains(&lost), "{lost}");
    }
}
