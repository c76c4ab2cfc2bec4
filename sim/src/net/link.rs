//! Point-to-point links: latency, optional jitter and loss, up or down.
//!
//! A link is FIFO in each direction: jitter delays a packet but never lets it
//! overtake the one sent before it on the same direction (a real wire does not
//! reorder). Loss is an integer probability in parts per million drawn from
//! the link's own named stream.

use simsock_model::{SimDuration, SimTime};

use super::topology::NodeId;
use crate::engine::rng::Stream;

/// Index of a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LinkId(pub u32);

/// Why a link did not carry a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkDrop {
    Down,
    Lost,
}

impl LinkDrop {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkDrop::Down => "link down",
            LinkDrop::Lost => "lost",
        }
    }
}

/// One link and its state.
#[derive(Clone, Debug)]
pub struct Link {
    pub name: String,
    pub ends: [NodeId; 2],
    pub latency: SimDuration,
    pub jitter: SimDuration,
    pub loss_ppm: u32,
    pub up: bool,
    rng: Stream,
    /// Arrival time of the last packet sent from `ends[i]`.
    last_arrival: [SimTime; 2],
}

impl Link {
    pub fn new(name: String, ends: [NodeId; 2], latency: SimDuration, rng: Stream) -> Self {
        Link {
            name,
            ends,
            latency,
            jitter: SimDuration::ZERO,
            loss_ppm: 0,
            up: true,
            rng,
            last_arrival: [SimTime::ZERO; 2],
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
    pub fn transmit(&mut self, now: SimTime, from: NodeId) -> Result<SimTime, LinkDrop> {
        if !self.up {
            return Err(LinkDrop::Down);
        }
        if self.rng.chance_ppm(self.loss_ppm) {
            return Err(LinkDrop::Lost);
        }
        let jitter = match self.jitter.as_nanos() {
            0 => 0,
            max => self.rng.up_to(max),
        };
        let dir = usize::from(self.ends[0] != from);
        let arrival = (now + self.latency + SimDuration(jitter)).max(self.last_arrival[dir]);
        self.last_arrival[dir] = arrival;
        Ok(arrival)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link() -> Link {
        Link::new(
            "a-b".into(),
            [NodeId(0), NodeId(1)],
            SimDuration::from_millis(1),
            Stream::new(1, "l"),
        )
    }

    #[test]
    fn delivers_after_latency_and_drops_when_down() {
        let mut l = link();
        assert_eq!(l.transmit(SimTime(0), NodeId(0)), Ok(SimTime(1_000_000)));
        l.up = false;
        assert_eq!(l.transmit(SimTime(0), NodeId(0)), Err(LinkDrop::Down));
    }

    #[test]
    fn jitter_never_reorders_a_direction() {
        let mut l = link();
        l.jitter = SimDuration::from_millis(5);
        let mut last = SimTime::ZERO;
        for t in 0..200 {
            let at = l.transmit(SimTime(t * 10_000), NodeId(0)).unwrap();
            assert!(at >= last);
            last = at;
        }
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
