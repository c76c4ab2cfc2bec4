//! The diagram's time axis: where each event sits, top to bottom.
//!
//! Every event gets a row of its own, so events at the same instant stay
//! apart, except a call that returns at once, which shares its return's row
//! (as the ladder tells a call and its return as one note). Between two instants the axis grows in proportion to the time that
//! passed, scaled so that the median gap of the run is [`MEDIAN_GAP_PX`]
//! high; a gap that would be taller than [`MAX_SPAN_PX`] is an idle stretch
//! and is drawn as a marked break of fixed height with its length written
//! on it (a retransmission timeout, a TIME_WAIT that runs for 240 s).

use serde::Serialize;

/// Height of one event's row.
pub const ROW_PX: u32 = 26;
/// Height given to the median gap between two instants.
pub const MEDIAN_GAP_PX: u32 = 30;
/// A gap taller than this in proportion becomes a break.
pub const MAX_SPAN_PX: u32 = 150;
/// Height of a break.
pub const BREAK_PX: u32 = 46;
/// Space above the first event (for the node names).
pub const TOP_PX: u32 = 64;

/// The vertical layout of a run's events.
#[derive(Debug, Serialize)]
pub struct Layout {
    /// The y of each event, in trace order.
    pub y: Vec<u32>,
    pub breaks: Vec<Break>,
    /// One tick per distinct instant, at its first event.
    pub ticks: Vec<Tick>,
    pub height: u32,
}

/// An idle stretch drawn compressed.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Break {
    /// Top of the break.
    pub y: u32,
    pub height: u32,
    pub from_ns: u64,
    pub to_ns: u64,
}

/// A labelled instant on the axis.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Tick {
    pub y: u32,
    pub at_ns: u64,
}

/// Lays out events at `times_ns` (non-decreasing, the trace's order);
/// `joined[i]` puts event `i` on the row of event `i + 1`.
pub fn layout(times_ns: &[u64], joined: &[bool]) -> Layout {
    let px_per_ns = f64::from(MEDIAN_GAP_PX) / median_gap_ns(times_ns) as f64;
    let mut layout = Layout {
        y: Vec::with_capacity(times_ns.len()),
        breaks: Vec::new(),
        ticks: Vec::new(),
        height: 0,
    };
    let mut y = TOP_PX;
    for (i, &at_ns) in times_ns.iter().enumerate() {
        let shares_row = i > 0 && joined.get(i - 1) == Some(&true) && times_ns[i - 1] == at_ns;
        if i > 0 && !shares_row {
            let before_ns = times_ns[i - 1];
            let gap_ns = at_ns.saturating_sub(before_ns);
            let span_px = (gap_ns as f64 * px_per_ns).round();
            y += ROW_PX;
            if span_px > f64::from(MAX_SPAN_PX) {
                layout.breaks.push(Break {
                    y,
                    height: BREAK_PX,
                    from_ns: before_ns,
                    to_ns: at_ns,
                });
                y += BREAK_PX;
            } else {
                // At most MAX_SPAN_PX, so the cast cannot truncate.
                y += span_px as u32;
            }
        }
        if i == 0 || times_ns[i - 1] != at_ns {
            layout.ticks.push(Tick { y, at_ns });
        }
        layout.y.push(y);
    }
    layout.height = y + 2 * ROW_PX;
    layout
}

/// The median of the non-zero gaps between consecutive instants; 1 ns when
/// everything happens at once.
fn median_gap_ns(times_ns: &[u64]) -> u64 {
    let mut gaps: Vec<u64> = times_ns
        .windows(2)
        .map(|w| w[1].saturating_sub(w[0]))
        .filter(|&gap| gap > 0)
        .collect();
    gaps.sort_unstable();
    gaps.get(gaps.len() / 2).copied().unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn events_at_one_instant_get_rows_of_their_own() {
        let layout = layout(&[0, 0, 0], &[]);
        assert_eq!(layout.y, [TOP_PX, TOP_PX + ROW_PX, TOP_PX + 2 * ROW_PX]);
        assert_eq!(
            layout.ticks,
            [Tick {
                y: TOP_PX,
                at_ns: 0
            }]
        );
        assert!(layout.breaks.is_empty());
    }

    /// The handshake's 10 ms hops are the median gap; the 240 s TIME_WAIT
    /// after them is a break that says how long it was.
    #[test]
    fn a_long_idle_gap_is_a_marked_break() {
        let times = [0, 10 * MS, 20 * MS, 30 * MS, 240_030 * MS];
        let layout = layout(&times, &[]);
        let step = ROW_PX + MEDIAN_GAP_PX;
        assert_eq!(
            layout.y[..4],
            [TOP_PX, TOP_PX + step, TOP_PX + 2 * step, TOP_PX + 3 * step]
        );
        assert_eq!(
            layout.breaks,
            [Break {
                y: TOP_PX + 3 * step + ROW_PX,
                height: BREAK_PX,
                from_ns: 30 * MS,
                to_ns: 240_030 * MS,
            }]
        );
        assert_eq!(layout.y[4], TOP_PX + 3 * step + ROW_PX + BREAK_PX);
        assert_eq!(layout.ticks.len(), 5);
    }

    #[test]
    fn a_call_that_returns_at_once_shares_the_row_of_its_return() {
        let layout = layout(&[0, 0, 0, 5 * MS], &[true, false, false, false]);
        assert_eq!(layout.y[..3], [TOP_PX, TOP_PX, TOP_PX + ROW_PX]);
    }

    #[test]
    fn a_short_gap_is_drawn_in_proportion() {
        let layout = layout(&[0, 10 * MS, 20 * MS, 25 * MS], &[]);
        assert_eq!(layout.y[3] - layout.y[2], ROW_PX + MEDIAN_GAP_PX / 2);
    }
}
