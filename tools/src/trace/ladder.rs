//! The ladder view: a sequence diagram for a terminal, as wide as the
//! width it is given ([`crate::output::width::columns`]: 100 through a pipe).
//!
//! ```text
//!     time    client                                                                  server
//!            10.0.0.1                                                                10.0.0.2
//!   0.000s      │ main: connect(s, 10.0.0.2:80) …                                       │
//!               ├────────────────────────────── SYN seq=0 ─────────────────────────────>│
//!               │ SYN_SENT                                                              │
//!   0.001s      │<───────────── RST,ACK seq=0 ack=1 (reset: no listener) ───────────────┤
//! ```
//!
//! One column per node, ordered so that linked nodes sit side by side (a
//! walk of the topology from the first node, links in declaration order).
//! One arrow per packet, drawn at its send time from the sender to the
//! receiver; a packet the link dropped ends in an `x` half way, one the
//! receiver dropped ends in an `x` at the receiver. Notes beside a column:
//! calls and their results (`thread: call → result`), TCP state changes,
//! drops and faults. Times, on the left, are printed when they change; a
//! dotted line marks a pause of a second or more.

use simsock_model::SimTime;
use simsock_sim::net::NodeId;

use super::canvas::{Row, WIDE_TAIL, clip, columns};
use super::capture::Capture;
use super::label::LEGEND;
use super::story::{Fate, Span, Step, Tone, What};
use textwrap::WordSeparator;
use textwrap::core::Word;
use textwrap::wrap_algorithms::wrap_first_fit;

use crate::output::width::display;

/// Room right of the last column for a short note (`ESTABLISHED`).
const RIGHT_ROOM: usize = 13;
/// The narrowest distance between two columns (seven nodes fit in 80).
const MIN_GAP: usize = 8;
/// The narrowest room a note is wrapped into.
const MIN_WRAP: usize = 20;
/// A pause at least this long gets a dotted line.
const PAUSE_NS: u64 = 1_000_000_000;

/// The topology has more nodes than the width holds.
#[derive(Debug, thiserror::Error)]
#[error("the ladder fits at most {max} nodes in {width} columns; this scenario has {nodes}")]
pub struct TooManyNodes {
    pub nodes: usize,
    pub max: usize,
    pub width: usize,
}

/// The diagram's lines, `width` display columns at most, coloured if
/// `color`.
pub fn render(
    capture: &Capture,
    steps: &[Step],
    color: bool,
    width: usize,
) -> Result<Vec<String>, TooManyNodes> {
    let layout = Layout::new(capture, steps, width)?;
    let mut ladder = Ladder {
        layout,
        rows: Vec::new(),
        last_at: None,
    };
    ladder.header(capture);
    for step in steps {
        ladder.step(step);
    }
    ladder.footer(capture);
    Ok(ladder.rows.iter().map(|r| r.render(color)).collect())
}

/// Where everything goes.
#[derive(Debug)]
struct Layout {
    /// The diagram's width in columns.
    width: usize,
    /// Width of the time column.
    time_w: usize,
    /// Column (lane) of each node, by node index.
    lane_of: Vec<usize>,
    /// The x of each lane's lifeline.
    xs: Vec<usize>,
    /// The nodes, in lane order.
    order: Vec<NodeId>,
    /// Node names, by node index.
    names: Vec<String>,
}

impl Layout {
    fn new(capture: &Capture, steps: &[Step], width: usize) -> Result<Layout, TooManyNodes> {
        let time_w = steps.iter().map(|s| time(s.at).len()).max().unwrap_or(0);
        let time_w = time_w.max("time".len());
        // Room for a centred name of 8 characters left of the first lifeline.
        let first = time_w + 6;
        let last = width.saturating_sub(1 + RIGHT_ROOM).max(first + MIN_GAP);
        let max = (last - first) / MIN_GAP + 1;
        let n = capture.nodes.len();
        if n > max {
            return Err(TooManyNodes {
                nodes: n,
                max,
                width,
            });
        }
        let gap = (last - first) / (n.max(2) - 1);
        let xs = (0..n).map(|i| first + i * gap).collect();
        let order = lane_order(capture);
        let mut lane_of = vec![0; n];
        for (lane, node) in order.iter().enumerate() {
            lane_of[node.0 as usize] = lane;
        }
        let names = capture.nodes.iter().map(|n| n.name.clone()).collect();
        Ok(Layout {
            width,
            time_w,
            lane_of,
            xs,
            order,
            names,
        })
    }

    fn x(&self, node: NodeId) -> usize {
        self.xs[self.lane_of[node.0 as usize]]
    }

    fn row(&self, bar: char) -> Row {
        Row::new(self.width, &self.xs, bar)
    }

    /// A line with no lifelines.
    fn blank(&self) -> Row {
        Row::new(self.width, &[], ' ')
    }
}

/// Nodes in a breadth-first walk of each connected part, from the first
/// node in declaration order and along links in declaration order.
pub(super) fn lane_order(capture: &Capture) -> Vec<NodeId> {
    let n = capture.nodes.len();
    let mut seen = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for start in 0..n {
        if seen[start] {
            continue;
        }
        seen[start] = true;
        let mut next = order.len();
        order.push(NodeId(start as u32));
        while next < order.len() {
            let node = order[next];
            next += 1;
            for &link in &capture.node(node).links {
                let other = capture.link(link).other(node);
                if !seen[other.0 as usize] {
                    seen[other.0 as usize] = true;
                    order.push(other);
                }
            }
        }
    }
    order
}

struct Ladder {
    layout: Layout,
    rows: Vec<Row>,
    last_at: Option<SimTime>,
}

impl Ladder {
    fn header(&mut self, capture: &Capture) {
        let mut title = self.layout.blank();
        let text = format!("{}  seed {}", capture.scenario, capture.seed);
        title.put(0, &text, Tone::Plain);
        self.rows.push(title);
        let mut legend = self.layout.blank();
        let text = format!("{LEGEND}; x: dropped");
        legend.put(0, &text, Tone::Dim);
        self.rows.push(legend);
        self.rows.push(self.layout.blank());
        let (names, addrs) = self.lane_heads(capture);
        self.rows.push(names);
        self.rows.push(addrs);
    }

    /// The row of node names (with `time` over the time column) and the row
    /// of their first addresses, each centred on its lifeline.
    fn lane_heads(&self, capture: &Capture) -> (Row, Row) {
        let layout = &self.layout;
        let mut names = layout.blank();
        let mut addrs = layout.blank();
        names.put_before(layout.time_w, "time", Tone::Dim);
        let room = layout
            .xs
            .get(1)
            .map_or(layout.width, |x| x - layout.xs[0] - 1);
        for (lane, node) in layout.order.iter().enumerate() {
            let info = capture.node(*node);
            let x = layout.xs[lane];
            let name = clip(&info.name, room);
            names.put(centred(x, &name), &name, Tone::Plain);
            let addr = match info.addrs.as_slice() {
                [] => String::new(),
                [one] => one.to_string(),
                [first, rest @ ..] => format!("{first} +{}", rest.len()),
            };
            let addr = clip(&addr, room);
            addrs.put(centred(x, &addr), &addr, Tone::Dim);
        }
        (names, addrs)
    }

    fn step(&mut self, step: &Step) {
        let pause = self
            .last_at
            .is_some_and(|last| step.at.as_nanos() - last.as_nanos() >= PAUSE_NS);
        if pause {
            self.rows.push(self.layout.row('┊'));
        }
        let first = self.rows.len();
        match &step.what {
            What::Note { node, spans } => {
                let rows = self.note(*node, spans);
                self.rows.extend(rows);
            }
            What::Packet {
                from,
                to,
                label,
                cause,
                fate,
            } => self.packet(*from, *to, label, cause, *fate),
        }
        if self.last_at != Some(step.at) {
            let at = time(step.at);
            self.rows[first].put_before(self.layout.time_w, &at, Tone::Dim);
            self.last_at = Some(step.at);
        }
    }

    /// The rows of a note beside `node`'s lifeline. A note reads as this
    /// node's when it starts right after its lifeline, or ends right before
    /// it without crossing another; so, the first that fits: on the right
    /// in one row; on the left between the two lifelines; wrapped on the
    /// right; on the left across other lifelines, named (`[cloud] ...`);
    /// wrapped on the left; named and cut short.
    fn note(&self, node: NodeId, spans: &[Span]) -> Vec<Row> {
        let layout = &self.layout;
        let lane = layout.lane_of[node.0 as usize];
        let x = layout.xs[lane];
        let cells = cells(spans);
        let left_edge = match lane {
            0 => layout.time_w + 2,
            _ => layout.xs[lane - 1] + 2,
        };
        let right_room = layout.width.saturating_sub(x + 2);
        let left_room = (x - 1).saturating_sub(left_edge);
        let far_room = x - 1 - (layout.time_w + 2);
        let name = format!("[{}] ", layout.names[node.0 as usize]);
        let mut named = cells_of(&name, Tone::Dim);
        named.extend_from_slice(&cells);
        let lines = if cells.len() <= right_room {
            vec![(x + 2, cells)]
        } else if cells.len() <= left_room {
            vec![(x - 1 - cells.len(), cells)]
        } else if right_room >= MIN_WRAP {
            wrap(&cells, right_room)
                .into_iter()
                .map(|l| (x + 2, l))
                .collect()
        } else if named.len() <= far_room {
            vec![(x - 1 - named.len(), named)]
        } else if left_room >= MIN_WRAP {
            let lines = wrap(&cells, left_room);
            let widest = lines.iter().map(Vec::len).max().unwrap_or(0);
            lines.into_iter().map(|l| (x - 1 - widest, l)).collect()
        } else {
            let named = clip_cells(named, far_room);
            vec![(x - 1 - named.len(), named)]
        };
        lines
            .into_iter()
            .map(|(start, line)| {
                let mut row = layout.row('│');
                for (i, (c, tone)) in line.into_iter().enumerate() {
                    row.set(start + i, c, tone);
                }
                row
            })
            .collect()
    }

    fn packet(&mut self, from: NodeId, to: NodeId, label: &str, cause: &str, fate: Fate) {
        let (src, dst) = (self.layout.x(from), self.layout.x(to));
        if from == to {
            return self.looped_back(src, label, cause, fate);
        }
        let mut row = self.layout.row('│');
        let end = arrow(&mut row, src, dst, fate);
        let mut extra: Vec<String> = Vec::new();
        if !cause.is_empty() {
            extra.push(cause.to_string());
        }
        match fate {
            Fate::Lost(reason) => {
                if !beyond_the_x(&mut row, end, dst, reason) {
                    extra.push(format!("dropped: {reason}"));
                }
            }
            Fate::Refused(reason) => extra.push(format!("dropped at arrival: {reason}")),
            Fate::InFlight => extra.push("still in flight at the end".to_string()),
            Fate::Arrived => {}
        }
        let tone = match fate {
            Fate::Lost(_) | Fate::Refused(_) => Tone::Drop,
            _ => Tone::Packet,
        };
        let extra = extra.join("; ");
        let (lo, hi) = (src.min(end), src.max(end));
        let rest = label_inside(&mut row, lo, hi, label, &extra, tone);
        self.rows.push(row);
        if let Some(rest) = rest {
            self.under_the_arrow(src.min(dst), &format!("↳ {rest}"));
        }
    }

    /// A packet over the host's loopback interface `lo`: it never leaves
    /// the lifeline, so a `↺` on it and the packet named below.
    fn looped_back(&mut self, x: usize, label: &str, cause: &str, fate: Fate) {
        let mut row = self.layout.row('│');
        row.set(x, '↺', Tone::Packet);
        self.rows.push(row);
        let mut text = format!("lo: {label}");
        if !cause.is_empty() {
            text.push_str(&format!(" ({cause})"));
        }
        match fate {
            Fate::Lost(reason) | Fate::Refused(reason) => {
                text.push_str(&format!("; dropped: {reason}"));
            }
            Fate::InFlight => text.push_str("; still in flight at the end"),
            Fate::Arrived => {}
        }
        self.under_the_arrow(x, &text);
    }

    /// What did not fit on an arrow, on the rows below it, from its left
    /// lifeline on, wrapped at the right edge.
    fn under_the_arrow(&mut self, left: usize, text: &str) {
        let start = left + 2;
        let room = self.layout.width.saturating_sub(start);
        for line in wrap(&cells_of(text, Tone::Dim), room) {
            let mut row = self.layout.row('│');
            for (i, (c, tone)) in line.into_iter().enumerate() {
                row.set(start + i, c, tone);
            }
            self.rows.push(row);
        }
    }

    fn footer(&mut self, capture: &Capture) {
        self.rows.push(self.layout.row('│'));
        let mut end = self.layout.blank();
        let text = format!("end {}  digest {}", time(capture.end), capture.digest);
        end.put(0, &text, Tone::Dim);
        self.rows.push(end);
        for failure in &capture.failures {
            let mut row = self.layout.blank();
            row.put(0, &format!("FAIL {failure}"), Tone::Error);
            self.rows.push(row);
        }
    }
}

/// Draws the arrow from lifeline `src` toward `dst` and returns the x where
/// it ends: the far lifeline, or half way when the link dropped the packet.
fn arrow(row: &mut Row, src: usize, dst: usize, fate: Fate) -> usize {
    let right = dst > src;
    let end = match fate {
        // Two thirds of the way: room for the label before the `x`.
        Fate::Lost(_) if right => src + (dst - src) * 2 / 3,
        Fate::Lost(_) => src - (src - dst) * 2 / 3,
        _ => dst,
    };
    let (lo, hi) = (src.min(end), src.max(end));
    let tone = match fate {
        Fate::Lost(_) | Fate::Refused(_) => Tone::Drop,
        _ => Tone::Packet,
    };
    row.fill(lo + 1, hi, '─', tone);
    row.set(src, if right { '├' } else { '┤' }, tone);
    let head = match fate {
        Fate::Arrived if right => '>',
        Fate::Arrived => '<',
        Fate::Lost(_) | Fate::Refused(_) => 'x',
        Fate::InFlight => '…',
    };
    let head_x = match fate {
        Fate::Lost(_) => end,
        _ if right => end - 1,
        _ => end + 1,
    };
    row.set(head_x, head, tone);
    end
}

/// Writes the drop reason past the `x` of a packet the link dropped, if it
/// fits before the far lifeline.
fn beyond_the_x(row: &mut Row, x: usize, dst: usize, reason: &str) -> bool {
    let len = display(reason);
    if dst > x && x + 2 + len < dst {
        row.put(x + 2, reason, Tone::Drop);
        true
    } else if dst < x && dst + 2 + len < x {
        row.put_before(x - 1, reason, Tone::Drop);
        true
    } else {
        false
    }
}

/// Centres ` label (extra) ` on the arrow between `lo` and `hi`, or only
/// the label; returns what did not fit.
fn label_inside(
    row: &mut Row,
    lo: usize,
    hi: usize,
    label: &str,
    extra: &str,
    tone: Tone,
) -> Option<String> {
    let room = hi.saturating_sub(lo + 3);
    let full = if extra.is_empty() {
        label.to_string()
    } else {
        format!("{label} ({extra})")
    };
    let (inside, rest) = if display(&full) + 2 <= room {
        (full, None)
    } else if display(label) + 2 <= room {
        (
            label.to_string(),
            (!extra.is_empty()).then(|| extra.to_string()),
        )
    } else {
        return Some(full);
    };
    let text = format!(" {inside} ");
    let len = display(&text);
    let start = lo + 1 + (hi - lo - 1 - len) / 2;
    row.put(start, &text, tone);
    rest
}

/// One display column: a character and its tone (a wide character takes
/// two, the second [`WIDE_TAIL`]), so a line's length is its width.
type Cell = (char, Tone);

fn cells(spans: &[Span]) -> Vec<Cell> {
    spans
        .iter()
        .flat_map(|s| cells_of(&s.text, s.tone))
        .collect()
}

fn cells_of(text: &str, tone: Tone) -> Vec<Cell> {
    columns(text).into_iter().map(|c| (c, tone)).collect()
}

/// At most `max` cells, the last one `…` if any were cut (never half a
/// wide character).
fn clip_cells(mut cells: Vec<Cell>, max: usize) -> Vec<Cell> {
    if cells.len() > max {
        cells.truncate(max.saturating_sub(1));
        if cells.last().is_some_and(|c| char_is_wide_head(c.0)) {
            cells.pop();
        }
        let tone = cells.last().map_or(Tone::Plain, |c| c.1);
        cells.push(('…', tone));
    }
    cells
}

/// Whether `c` is the first half of a wide character.
fn char_is_wide_head(c: char) -> bool {
    c != WIDE_TAIL && crate::output::width::char_width(c) > 1
}

/// Greedy word wrap of cells to lines of at most `width` display columns;
/// a word longer than a line is cut. The words and the breaks are
/// `textwrap`'s (first fit, as [`crate::output::width::wrap`]), found on
/// the cells' text; each line then takes its words' cells, colours kept.
fn wrap(cells: &[Cell], width: usize) -> Vec<Vec<Cell>> {
    // The cells of each character: one, or two for a wide one.
    let mut chars: Vec<&[Cell]> = Vec::with_capacity(cells.len());
    let mut i = 0;
    while i < cells.len() {
        let n = if cells.get(i + 1).is_some_and(|c| c.0 == WIDE_TAIL) {
            2
        } else {
            1
        };
        chars.push(&cells[i..i + n]);
        i += n;
    }
    let text: String = chars.iter().map(|c| c[0].0).collect();
    let words: Vec<Word> = WordSeparator::AsciiSpace.find_words(&text).collect();
    let mut at = 0;
    let mut lines: Vec<Vec<Cell>> = Vec::new();
    for line in wrap_first_fit(&words, &[width as f64]) {
        let mut out: Vec<Cell> = Vec::new();
        for (k, word) in line.iter().enumerate() {
            let (n, space) = (word.word.chars().count(), word.whitespace.chars().count());
            let last = k + 1 == line.len();
            let end = at + n + if last { 0 } else { space };
            out.extend(chars[at..end].iter().flat_map(|c| c.iter().copied()));
            at += n + space;
        }
        lines.push(clip_cells(out, width));
    }
    if lines.is_empty() {
        lines.push(Vec::new());
    }
    lines
}

/// The x where `text` starts when centred on `x`.
fn centred(x: usize, text: &str) -> usize {
    x.saturating_sub(display(text).saturating_sub(1) / 2)
}

fn time(at: SimTime) -> String {
    at.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &[Cell]) -> String {
        line.iter()
            .map(|c| c.0)
            .filter(|&c| c != WIDE_TAIL)
            .collect()
    }

    #[test]
    fn wrap_breaks_between_words_and_keeps_tones() {
        let mut cells = cells_of("main: connect ", Tone::Plain);
        cells.extend(cells_of("WSAECONNREFUSED", Tone::Error));
        let lines = wrap(&cells, 16);
        let texts: Vec<String> = lines.iter().map(|l| text(l)).collect();
        assert_eq!(texts, ["main: connect", "WSAECONNREFUSED"]);
        assert!(lines[1].iter().all(|c| c.1 == Tone::Error));
    }

    #[test]
    fn wrap_counts_a_wide_character_as_two_columns() {
        let cells = cells_of("サーバ サーバ ab", Tone::Plain);
        let lines = wrap(&cells, 9);
        let texts: Vec<String> = lines.iter().map(|l| text(l)).collect();
        assert_eq!(texts, ["サーバ", "サーバ ab"]);
        assert!(lines.iter().all(|l| l.len() <= 9));
        // A word longer than the line is cut, never half a wide character.
        let cut = wrap(&cells_of("サーバサーバ", Tone::Plain), 6);
        assert_eq!(text(&cut[0]), "サー…");
    }
}
