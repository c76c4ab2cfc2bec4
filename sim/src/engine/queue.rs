//! The event queue: a total order on `(time, insertion sequence)`.
//!
//! Architecture invariant: nothing is scheduled in the past, and events at the
//! same time run in the order they were scheduled (FIFO), so a run is a pure
//! function of the scenario and the seed. A scenario may ask instead for a
//! seeded shuffle of same-time events ([`EventQueue::shuffle_ties`]), still a
//! pure function of the scenario and the seed.
//!
//! An event may die before it is due (a cancelled TCP timer, see
//! [`crate::engine::timers`]): the caller says which are alive, and a dead
//! event is dropped unseen. It is not counted, the clock never moves to its
//! time, and it takes no part in a tie draw.

use std::collections::VecDeque;

use simsock_model::SimTime;

use crate::rng::Stream;

/// Buckets 1..=64 of the radix heap (bucket 0 is `current`).
const BUCKETS: usize = 65;

/// The fewest events a full bucket holds before
/// [`EventQueue::schedule_live`] looks for dead ones in it (a smaller one
/// just grows).
const MIN_COMPACT: usize = 64;

/// What [`EventQueue::pop_if`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Next<E> {
    /// No live event is left.
    Empty,
    /// The earliest live event is at this time, and stays queued.
    Kept(SimTime),
    /// The earliest live event, removed.
    Popped(SimTime, E),
}

/// A min-queue of events keyed by `(time, sequence)`.
///
/// Performance: a radix heap (Ahuja et al., 1990), which fits because time
/// never goes back. Events at the time of the last pop (`now`) wait in
/// `current`, in insertion order; a later event waits in bucket `i`, where
/// `i - 1` is the highest bit in which its time differs from `now`. Each
/// bucket keeps insertion order, and a bucket is only split (into lower,
/// empty buckets) once every lower bucket is empty, so same-time events
/// still pop in insertion order. Push is O(1), pop amortised O(log time),
/// with no sift through a large heap: the storm benchmark, whose queue holds
/// tens of thousands of pending TCP timers, runs ~1.5x faster than with
/// `BinaryHeap<(time, seq)>`.
#[derive(Debug)]
pub struct EventQueue<E> {
    /// Events at `now`, oldest first.
    current: VecDeque<E>,
    /// Performance: boxed, so that moving the queue (and the world that
    /// holds it) copies a pointer, not 1.5 KB; a sweep moves each seed's
    /// world several times between its build and its end (issue 18, item
    /// 5).
    buckets: Box<[Vec<(SimTime, E)>; BUCKETS]>,
    /// The storage of the largest bucket split since it was last lent,
    /// empty: the next bucket that outgrows its own takes it
    /// ([`EventQueue::grow`]).
    ///
    /// Memory (issue 18, flat cost with size): each wave of a big storm
    /// (100,000 SYNs, then as many SYN-ACKs, ...) passes through buckets
    /// of its own, and a bucket kept the storage of its largest wave, so
    /// the queue held the sum of its buckets' peaks (43 MB at 100,000
    /// hosts x 1, 430 bytes a connection), every byte of it a freshly
    /// zeroed page. A split big bucket now hands its storage on.
    spare: Vec<(SimTime, E)>,
    /// Earliest time in each bucket (`u64::MAX` when empty).
    mins: [u64; BUCKETS],
    /// Bit `i` set when `buckets[i]` is not empty.
    nonempty: u128,
    len: usize,
    now: SimTime,
    /// `Some` when same-time events pop in a seeded random order.
    shuffle: Option<Shuffle<E>>,
    /// Entries a bucket's first allocation holds: [`FIRST_BUCKET`], or
    /// more for a world that said how many events it holds at once
    /// ([`EventQueue::reserve_buckets`]).
    first_bucket: usize,
}

/// A seeded shuffle of the events at `now` (`Scenario::shuffle_ties`).
#[derive(Debug)]
struct Shuffle<E> {
    rng: Stream,
    /// Events of one class (`Some(key)`) keep their order among themselves,
    /// e.g. the packets arriving over one direction of one link, which a
    /// link never reorders; `None` is a class of its own.
    class: fn(&E) -> Option<u64>,
}

impl<E> Shuffle<E> {
    /// Draws an event uniformly among those at `now`, then pops the oldest
    /// event of its class (itself when it has none). With one event, no
    /// draw, so a run without ties draws nothing. `current` holds live
    /// events only.
    fn pop(&mut self, current: &mut VecDeque<E>) -> Option<E> {
        if current.len() <= 1 {
            return current.pop_front();
        }
        let drawn = self.rng.below(current.len() as u64) as usize;
        let first = match (self.class)(&current[drawn]) {
            None => drawn,
            Some(key) => current
                .iter()
                .position(|e| (self.class)(e) == Some(key))
                .unwrap_or(drawn),
        };
        current.remove(first)
    }
}

/// Entries a bucket's first allocation holds.
const FIRST_BUCKET: usize = 16;

/// The most entries a bucket's first allocation holds when a world sizes
/// it ([`EventQueue::reserve_buckets`]): 24 KB of 24-byte entries.
const MAX_FIRST_BUCKET: usize = 1024;

/// A split bucket of at most this many entries keeps its storage; a
/// bigger one gives it to [`EventQueue::spare`] (a small world's buckets
/// never get there, and keep the allocations they made once).
const KEEP_ON_SPLIT: usize = 4096;

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            current: VecDeque::new(),
            buckets: Box::new(std::array::from_fn(|_| Vec::new())),
            spare: Vec::new(),
            mins: [u64::MAX; BUCKETS],
            nonempty: 0,
            len: 0,
            now: SimTime::ZERO,
            shuffle: None,
            first_bucket: FIRST_BUCKET,
        }
    }
}

impl<E> EventQueue<E> {
    /// The time of the event popped last: the engine's clock.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// From now on, events at the same time pop in an order drawn from `rng`
    /// instead of FIFO, except that events of one `class` keep their order.
    pub fn shuffle_ties(&mut self, rng: Stream, class: fn(&E) -> Option<u64>) {
        self.shuffle = Some(Shuffle { rng, class });
    }

    /// Makes room for `events` more at the present time (the start events
    /// of threads about to be spawned), so that list grows once. Capacity
    /// only: the order of events does not change.
    pub fn reserve_now(&mut self, events: usize) {
        self.current.reserve(events);
    }

    /// Makes each bucket's first allocation room for `events` (at most
    /// [`MAX_FIRST_BUCKET`]; never less than it had): a world that holds
    /// that many events at once fills a bucket without reallocating it.
    /// Capacity only: the order of events does not change.
    ///
    /// Performance (issue 18, per-world cost): the storm at 10 hosts x 1
    /// reallocated its buckets from 16 entries eight times a world, about
    /// 450 instructions each in jemalloc's `realloc` (callgrind); a first
    /// allocation of any small size costs what one of 16 entries does.
    pub fn reserve_buckets(&mut self, events: usize) {
        self.first_bucket = self.first_bucket.max(events.min(MAX_FIRST_BUCKET));
    }

    /// Schedules `event` at `at`; a time in the past is moved to now, which
    /// keeps the order total and never rewinds the clock.
    ///
    /// Performance: inlined, so the caller builds the event in place; an
    /// event passed by pointer was read back while its fields were still in
    /// flight to memory (a store-forwarding stall, ~7% of the storm).
    #[inline]
    pub fn schedule(&mut self, at: SimTime, event: E) {
        debug_assert!(at >= self.now, "event scheduled in the past");
        let at = at.max(self.now);
        self.len += 1;
        self.push(at, event);
    }

    /// [`EventQueue::schedule`] that drops the dead events of the event's
    /// bucket, rather than grow it, when the bucket is full.
    ///
    /// Performance (issue 18): most TCP timers are cancelled a few
    /// milliseconds after they are armed, and those due far ahead (a SYN's
    /// 3 s, a 300 ms RTO) wait in high buckets that no pop splits before
    /// the storm ends: at 100,000 hosts their growth was the largest share
    /// of the queue's memory and 8.6% of the storm's simulated last-level
    /// write misses (reallocations copying dead events into fresh pages).
    /// Dropping them is unseen, as in [`EventQueue::settle`]: the live
    /// events keep their order, and `mins` and the bucket's bit stay, so
    /// [`EventQueue::next_time_bound`] gives what it gave before (a bound
    /// that dead events may make early) and an emptied bucket is passed
    /// over as one whose events all died.
    ///
    /// A bucket found full is compacted only in the cold path that would
    /// grow it, so scheduling costs what [`EventQueue::schedule`] does; a
    /// compaction that frees less than a quarter of the bucket grows it as
    /// well, so the next one comes only after it has doubled (amortized
    /// O(1) per event; before, a bucket whose events died about as fast as
    /// new ones came was scanned again every few pushes, and the check sat
    /// on every push: the storm at 100 x 200 took 26,735 instructions per
    /// connection, 25,979 now).
    #[inline]
    pub fn schedule_live(&mut self, at: SimTime, event: E, live: impl Fn(&E) -> bool) {
        debug_assert!(at >= self.now, "event scheduled in the past");
        let at = at.max(self.now);
        self.len += 1;
        let Some(i) = self.bucket_of(at) else {
            self.current.push_back(event);
            return;
        };
        if self.buckets[i].len() == self.buckets[i].capacity() {
            self.make_room(i, &live);
        }
        self.file(i, at, event);
    }

    /// The bucket an event at `at` (at or after `now`) goes in: the place
    /// of the highest bit in which `at` differs from `now`; `None` for
    /// `now` itself, whose events go in `current`.
    #[inline]
    fn bucket_of(&self, at: SimTime) -> Option<usize> {
        let diff = at.as_nanos() ^ self.now.as_nanos();
        (diff != 0).then(|| (u64::BITS - diff.leading_zeros()) as usize)
    }

    /// Drops the dead events of the full bucket `i` (keeping the order of
    /// the rest) if it is big enough to be worth a scan, and grows it
    /// unless that freed a quarter of it; a bucket with no storage yet gets
    /// its first allocation.
    ///
    /// Performance (issue 18, per-world cost): a bucket with no storage
    /// (0 of 0 entries: not "three quarters full") was left to `Vec::push`,
    /// which allocated 4 entries, so [`EventQueue::grow`]'s first
    /// allocation was always a `realloc` (eight a world in the storm at 10
    /// hosts x 1, about 450 instructions each in jemalloc, callgrind).
    #[cold]
    #[inline(never)]
    fn make_room(&mut self, i: usize, live: &impl Fn(&E) -> bool) {
        let bucket = &mut self.buckets[i];
        if bucket.len() >= MIN_COMPACT {
            let before = bucket.len();
            bucket.retain(|(_, event)| live(event));
            self.len -= before - bucket.len();
        }
        if bucket.capacity() == 0 || bucket.len() * 4 > bucket.capacity() * 3 {
            self.grow(i);
        }
    }

    /// Makes room in bucket `i`: [`FIRST_BUCKET`] entries at first, then
    /// twice as many, in the spare storage of a split bucket when that is
    /// big enough (its entries moved there, in order), else in a new
    /// allocation.
    ///
    /// Performance (issue 18, small sizes): std's growth from 4 reallocated
    /// each bucket two more times while a small world's first connections
    /// filled it (0.7k instructions per connection of the storm at 10 hosts
    /// x 1). A small bucket keeps its allocation when it is split, so this
    /// is a one-time cost per world either way; the 65 buckets of an empty
    /// queue still allocate nothing (their array is one box).
    #[cold]
    #[inline(never)]
    fn grow(&mut self, i: usize) {
        let bucket = &mut self.buckets[i];
        let wanted = bucket.len() + bucket.len().max(self.first_bucket);
        if self.spare.capacity() >= wanted {
            let mut storage = std::mem::take(&mut self.spare);
            storage.append(bucket);
            *bucket = storage;
        } else {
            bucket.reserve(wanted - bucket.len());
        }
    }

    /// Puts back bucket `i`'s storage after a split emptied it: a small
    /// bucket keeps it, a big one's goes to [`EventQueue::spare`] unless
    /// the spare is bigger (the smaller of the two is freed).
    fn put_back(&mut self, i: usize, bucket: Vec<(SimTime, E)>) {
        debug_assert!(bucket.is_empty());
        if bucket.capacity() <= KEEP_ON_SPLIT {
            self.buckets[i] = bucket;
        } else if bucket.capacity() > self.spare.capacity() {
            self.spare = bucket;
        }
    }

    /// Files an event (at or after `now`) in its bucket.
    #[inline]
    fn push(&mut self, at: SimTime, event: E) {
        let Some(i) = self.bucket_of(at) else {
            self.current.push_back(event);
            return;
        };
        if self.buckets[i].len() == self.buckets[i].capacity() {
            self.grow(i);
        }
        self.file(i, at, event);
    }

    /// Appends an event to bucket `i`, which has room for it.
    #[inline]
    fn file(&mut self, i: usize, at: SimTime, event: E) {
        self.buckets[i].push((at, event));
        self.mins[i] = self.mins[i].min(at.as_nanos());
        self.nonempty |= 1 << i;
    }

    /// Removes the earliest live event and advances the clock to its time.
    pub fn pop(&mut self, live: impl Fn(&E) -> bool) -> Option<(SimTime, E)> {
        if !self.settle(&live) {
            return None;
        }
        self.take_first(&live)
    }

    /// Advances the clock to the earliest live event, then removes it if
    /// `take` accepts its time; else leaves it first in line. What
    /// [`EventQueue::peek_time`] then [`EventQueue::pop`] do, with one
    /// settling of the queue instead of two (the run loop's limits).
    #[inline]
    pub fn pop_if(
        &mut self,
        live: impl Fn(&E) -> bool,
        take: impl FnOnce(SimTime) -> bool,
    ) -> Next<E> {
        if !self.settle(&live) {
            return Next::Empty;
        }
        if !take(self.now) {
            return Next::Kept(self.now);
        }
        match self.take_first(&live) {
            Some((at, event)) => Next::Popped(at, event),
            None => Next::Empty,
        }
    }

    /// Removes the first event at `now` (settled: a live one is first), or
    /// one drawn among them when ties are shuffled.
    #[inline]
    fn take_first(&mut self, live: &impl Fn(&E) -> bool) -> Option<(SimTime, E)> {
        let event = match &mut self.shuffle {
            None => self.current.pop_front()?,
            Some(shuffle) => {
                let before = self.current.len();
                self.current.retain(live);
                self.len -= before - self.current.len();
                shuffle.pop(&mut self.current)?
            }
        };
        self.len -= 1;
        Some((self.now, event))
    }

    /// The time of the earliest live event, if any (dead ones before it
    /// are dropped).
    pub fn peek_time(&mut self, live: impl Fn(&E) -> bool) -> Option<SimTime> {
        self.settle(&live).then_some(self.now)
    }

    /// Drops dead events until a live one is first in `current`, splitting
    /// buckets as needed; false when no live event is left.
    ///
    /// A bucket is split at the earliest time among its live events, into
    /// the (empty) lower buckets, in order; its dead events go. Performance:
    /// most TCP timers are cancelled, and dropping them at the first split
    /// keeps them from being moved from bucket to bucket (about a quarter
    /// of the storm's queue traffic, and its largest cache footprint).
    /// `#[inline]`: inlined into the run loop's pop, where it was before
    /// unrelated code elsewhere in the crate moved it out of line (the
    /// storm at 100 x 200: +1.3% instructions, callgrind).
    #[inline]
    fn settle(&mut self, live: &impl Fn(&E) -> bool) -> bool {
        loop {
            while let Some(front) = self.current.front() {
                if live(front) {
                    return true;
                }
                self.current.pop_front();
                self.len -= 1;
            }
            if self.nonempty == 0 {
                return false;
            }
            let i = self.nonempty.trailing_zeros() as usize;
            self.mins[i] = u64::MAX;
            self.nonempty &= !(1 << i);
            let mut bucket = std::mem::take(&mut self.buckets[i]);
            let before = bucket.len();
            let mut min = u64::MAX;
            bucket.retain(|(at, event)| {
                let keep = live(event);
                if keep {
                    min = min.min(at.as_nanos());
                }
                keep
            });
            self.len -= before - bucket.len();
            if min != u64::MAX {
                self.now = SimTime(min);
            }
            for (at, event) in bucket.drain(..) {
                self.push(at, event);
            }
            self.put_back(i, bucket);
        }
    }

    /// A time no pending event comes before: the earliest pending event's
    /// time, dead ones included (so the earliest live event may be later);
    /// `None` when nothing is pending. Unlike [`EventQueue::peek_time`] it
    /// moves nothing: the clock stays where it is. In a radix heap the
    /// lowest non-empty bucket holds the earliest times, and its minimum is
    /// kept (`mins`).
    pub fn next_time_bound(&self) -> Option<SimTime> {
        if !self.current.is_empty() {
            return Some(self.now);
        }
        if self.nonempty == 0 {
            return None;
        }
        Some(SimTime(self.mins[self.nonempty.trailing_zeros() as usize]))
    }

    /// Events pending, dead ones not yet dropped included.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Empties the queue for another run, keeping its storage: afterwards
    /// it is [`EventQueue::default`] in everything but the capacity of its
    /// buckets, which no behaviour reads (a full bucket grows, an empty
    /// one is empty). A sweep's next seed starts from the previous seed's
    /// queue instead of allocating each bucket again (issue 18, item 5).
    pub fn reset(&mut self) {
        // Every field, so that a new one cannot be forgotten here.
        let EventQueue {
            current,
            buckets,
            spare,
            mins,
            nonempty,
            len,
            now,
            shuffle,
            first_bucket: _, // a capacity hint, kept with the capacity
        } = self;
        current.clear();
        buckets.iter_mut().for_each(Vec::clear);
        debug_assert!(spare.is_empty());
        *mins = [u64::MAX; BUCKETS];
        *nonempty = 0;
        *len = 0;
        *now = SimTime::ZERO;
        *shuffle = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reset queue is a new one: the same state, and the same order of
    /// events afterwards (ties shuffled before the reset included).
    #[test]
    fn a_reset_queue_is_a_new_queue() {
        let mut used = EventQueue::default();
        used.shuffle_ties(Stream::new(1, "schedule"), |_: &u32| None);
        for (i, at) in [5_u64, 5, 90, 1 << 40, 3].into_iter().enumerate() {
            used.schedule(SimTime(at), i as u32);
        }
        used.pop(|_| true);
        used.reset();
        assert_eq!(
            format!("{used:?}"),
            format!("{:?}", EventQueue::<u32>::default())
        );
        let mut new = EventQueue::default();
        for q in [&mut used, &mut new] {
            for (i, at) in [7_u64, 7, 1 << 20, 2].into_iter().enumerate() {
                q.schedule(SimTime(at), i as u32);
            }
        }
        let drain =
            |q: &mut EventQueue<u32>| std::iter::from_fn(|| q.pop(|_| true)).collect::<Vec<_>>();
        assert_eq!(drain(&mut used), drain(&mut new));
    }

    /// The bound never moves the clock, and it is the earliest pending time,
    /// dead events included.
    #[test]
    fn the_next_time_bound_reads_without_moving_the_clock() {
        let mut q = EventQueue::default();
        assert_eq!(q.next_time_bound(), None);
        q.schedule(SimTime(9_000), "late");
        q.schedule(SimTime(40), "dead");
        q.schedule(SimTime(700), "live");
        assert_eq!(q.next_time_bound(), Some(SimTime(40)));
        assert_eq!(q.now(), SimTime::ZERO);
        let live = |e: &&str| *e != "dead";
        assert_eq!(q.pop(live), Some((SimTime(700), "live")));
        assert_eq!(q.next_time_bound(), Some(SimTime(9_000)));
        q.schedule(SimTime(700), "now");
        assert_eq!(q.next_time_bound(), Some(SimTime(700)));
    }

    /// `pop_if` pops what `pop` would, or leaves it when refused.
    #[test]
    fn pop_if_pops_or_keeps_the_earliest_live_event() {
        let mut q = EventQueue::default();
        let live = |e: &&str| !e.starts_with("dead");
        q.schedule(SimTime(3), "dead");
        q.schedule(SimTime(5), "a");
        q.schedule(SimTime(5), "b");
        assert_eq!(q.pop_if(live, |at| at < SimTime(5)), Next::Kept(SimTime(5)));
        assert_eq!(q.len(), 2, "the dead event went, the live ones stay");
        assert_eq!(q.pop_if(live, |_| true), Next::Popped(SimTime(5), "a"));
        assert_eq!(q.pop(live), Some((SimTime(5), "b")));
        assert_eq!(q.pop_if(live, |_| true), Next::Empty);
    }

    #[test]
    fn pops_by_time_then_insertion_order() {
        let mut q = EventQueue::default();
        q.schedule(SimTime(5), "late");
        q.schedule(SimTime(1), "first");
        q.schedule(SimTime(1), "second");
        q.schedule(SimTime(1), "third");
        let order: Vec<_> = std::iter::from_fn(|| q.pop(|_| true))
            .map(|(_, e)| e)
            .collect();
        assert_eq!(order, ["first", "second", "third", "late"]);
        assert_eq!(q.now(), SimTime(5));
    }

    /// A dead event is dropped unseen: the clock never moves to its time,
    /// it is not popped or counted, and live events keep their order.
    #[test]
    fn dead_events_are_dropped_unseen() {
        let mut q = EventQueue::default();
        let live = |e: &&str| !e.starts_with("dead");
        q.schedule(SimTime(5), "dead at 5");
        q.schedule(SimTime(7), "a");
        q.schedule(SimTime(7), "dead at 7");
        q.schedule(SimTime(7), "b");
        q.schedule(SimTime(9_000_000_000), "dead far");
        assert_eq!(q.len(), 5);
        assert_eq!(q.peek_time(live), Some(SimTime(7)));
        assert_eq!(q.pop(live), Some((SimTime(7), "a")));
        assert_eq!(q.pop(live), Some((SimTime(7), "b")));
        assert_eq!(q.pop(live), None);
        assert_eq!(
            q.now(),
            SimTime(7),
            "the clock stays at the last live event"
        );
        assert!(q.is_empty());
    }

    fn shuffled(seed: u64) -> EventQueue<u32> {
        let mut q = EventQueue::default();
        // Even events form one class (kept in order), odd events are free.
        q.shuffle_ties(Stream::new(seed, "schedule"), |e: &u32| {
            (e & 1 == 0).then_some(0)
        });
        q
    }

    fn drain(q: &mut EventQueue<u32>) -> Vec<u32> {
        std::iter::from_fn(|| q.pop(|_| true))
            .map(|(_, e)| e)
            .collect()
    }

    #[test]
    fn shuffled_ties_vary_with_the_seed_and_keep_classes_in_order() {
        let mut orders = std::collections::BTreeSet::new();
        for seed in 0..20 {
            let mut q = shuffled(seed);
            q.schedule(SimTime(9), 100);
            for e in 0..8 {
                q.schedule(SimTime(1), e);
            }
            let order = drain(&mut q);
            assert_eq!(order.last(), Some(&100), "time still comes first");
            let evens: Vec<u32> = order.iter().copied().filter(|e| e & 1 == 0).collect();
            assert_eq!(evens, [0, 2, 4, 6, 100]);
            orders.insert(order);
        }
        assert!(orders.len() > 5, "only {} orders in 20 seeds", orders.len());
    }

    #[test]
    fn shuffled_ties_replay_from_the_seed() {
        let run = || {
            let mut q = shuffled(7);
            for e in 0..16 {
                q.schedule(SimTime(3), e);
            }
            drain(&mut q)
        };
        assert_eq!(run(), run());
    }

    /// The radix heap pops exactly as a binary heap on (time, sequence)
    /// would, with events scheduled while popping, many at the same time.
    #[test]
    fn matches_a_binary_heap_on_time_then_sequence() {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;

        let mut q = EventQueue::default();
        let mut reference = BinaryHeap::new();
        let mut seq = 0u64;
        let mut x = 0x2545_f491_4f6c_dd1du64; // xorshift, fixed seed
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..20_000 {
            let pushes = next() % 3;
            for _ in 0..pushes {
                let delay = match next() % 4 {
                    0 => 0,
                    1 => 1_000_000,
                    2 => next() % 5_000_000_000,
                    _ => 300_000_000,
                };
                let at = SimTime(q.now().as_nanos() + delay);
                q.schedule(at, seq);
                reference.push(Reverse((at, seq)));
                seq += 1;
            }
            if round % 3 != 0 {
                assert_eq!(q.peek_time(|_| true), reference.peek().map(|r| r.0.0));
                let got = q.pop(|_| true);
                let want = reference.pop().map(|r| r.0);
                assert_eq!(got, want);
                assert_eq!(q.len(), reference.len());
            }
        }
        while let Some(Reverse(want)) = reference.pop() {
            assert_eq!(q.pop(|_| true), Some(want));
        }
        assert!(q.pop(|_| true).is_none() && q.is_empty());
    }

    /// A bucket's first allocation is [`FIRST_BUCKET`] entries, or the
    /// room a world asked for ([`EventQueue::reserve_buckets`]), whichever
    /// way the event is scheduled; a bucket sized for its events never
    /// grows, and the events pop as from a queue never sized.
    #[test]
    fn a_buckets_first_allocation_is_the_room_asked_for() {
        let live = |_: &u32| true;
        let far = |e: u32| SimTime(1_000_000 + u64::from(e % 5));
        let capacity = |q: &EventQueue<u32>| q.buckets.iter().map(Vec::capacity).max();
        let (mut plain, mut sized) = (EventQueue::default(), EventQueue::default());
        sized.reserve_buckets(100);
        sized.reserve_buckets(50); // never less
        plain.schedule_live(far(0), 0, live);
        sized.schedule_live(far(0), 0, live);
        assert_eq!(capacity(&plain), Some(FIRST_BUCKET));
        assert_eq!(capacity(&sized), Some(100));
        for e in 1..100 {
            plain.schedule_live(far(e), e, live);
            match e % 2 {
                0 => sized.schedule_live(far(e), e, live),
                _ => sized.schedule(far(e), e),
            }
        }
        assert_eq!(capacity(&sized), Some(100), "a sized bucket grew");
        loop {
            let (a, b) = (plain.pop(live), sized.pop(live));
            assert_eq!(a, b);
            if a.is_none() {
                break;
            }
        }
        let mut huge = EventQueue::<u32>::default();
        huge.reserve_buckets(usize::MAX);
        huge.schedule(far(0), 0);
        assert_eq!(capacity(&huge), Some(MAX_FIRST_BUCKET));
    }

    /// Dropping the dead events of a full bucket changes nothing anyone
    /// sees: the same live events pop at the same times in the same order,
    /// and the time bound reads the same, as from a queue that kept them;
    /// the bucket stops growing.
    #[test]
    fn a_full_bucket_drops_its_dead_events_unseen() {
        let dead = |e: &u32| !e.is_multiple_of(3); // two of three die, as timers do
        let live = |e: &u32| !dead(e);
        let (mut kept, mut dropped) = (EventQueue::default(), EventQueue::default());
        for round in 0..4u64 {
            for e in 0..1_000u32 {
                // Far-off times (one bucket) and ties among them.
                let at = SimTime(round * 10 + 3_000_000_000 + u64::from(e % 7));
                kept.schedule(at, e);
                dropped.schedule_live(at, e, live);
            }
            assert_eq!(kept.next_time_bound(), dropped.next_time_bound());
            assert!(dropped.len() < kept.len(), "dead events were dropped");
            let (a, b) = (kept.pop(live), dropped.pop(live));
            assert_eq!(a, b);
            assert_eq!(kept.next_time_bound(), dropped.next_time_bound());
        }
        let bucket_capacity =
            |q: &EventQueue<u32>| -> usize { q.buckets.iter().map(Vec::capacity).sum::<usize>() };
        // 3,008 of 5,568 entries: both grow 16, 32, 64 ... from their
        // first allocation (before the first one went through
        // `make_room`, `dropped` grew 4, 20, 40 ... and held 2,688); one
        // that kept its dead events would hold as many as `kept`.
        assert!(bucket_capacity(&dropped) * 5 <= bucket_capacity(&kept) * 3);
        loop {
            let (a, b) = (kept.pop(live), dropped.pop(live));
            assert_eq!(a, b);
            if a.is_none() {
                break;
            }
        }
        assert!(kept.is_empty() && dropped.is_empty());
    }

    /// Waves of events that pass through buckets of their own (a storm's
    /// SYNs, then its SYN-ACKs, ...) hand the storage of a split bucket on:
    /// the queue holds about its largest wave, not the sum of them, and
    /// pops every event in order all the same.
    #[test]
    fn waves_through_their_own_buckets_share_one_storage() {
        const WAVE: u32 = 10_000;
        const WAVES: u32 = 6;
        let mut q = EventQueue::default();
        // Wave w is due at 2^(20 + w) ns: scheduled while wave w - 1 pops
        // (the first from time 0), it differs from the clock in bit 20 + w.
        let due = |wave: u32| SimTime(1 << (20 + wave));
        for i in 0..WAVE {
            q.schedule(due(0), (0, i));
        }
        let mut popped = Vec::new();
        while let Some((at, (wave, i))) = q.pop(|_| true) {
            assert_eq!(at, due(wave));
            popped.push((wave, i));
            if wave + 1 < WAVES {
                q.schedule(due(wave + 1), (wave + 1, i));
            }
        }
        let expected: Vec<(u32, u32)> = (0..WAVES)
            .flat_map(|w| (0..WAVE).map(move |i| (w, i)))
            .collect();
        assert_eq!(popped, expected);
        let storage: usize =
            q.buckets.iter().map(Vec::capacity).sum::<usize>() + q.spare.capacity();
        let one_wave = (WAVE as usize).next_power_of_two();
        assert!(
            storage <= 2 * one_wave,
            "{storage} entries of bucket storage for waves of {WAVE}"
        );
    }

    #[test]
    fn a_bucket_whose_events_die_one_per_push_is_not_rescanned_at_each_push() {
        // As a storm's timers: each new event kills one older one, and 1,000
        // stay live. Had a full bucket only been compacted, each scan would
        // free the few events killed since the last one, and the bucket,
        // never growing, would be scanned again a few pushes later (about
        // 400,000 events read here). A scan that frees under a quarter
        // grows the bucket too, so the events read stay a few per push.
        const WINDOW: u32 = 1_000;
        let pushed = std::cell::Cell::new(0u32);
        let live = |e: &u32| *e + WINDOW >= pushed.get();
        let reads = std::cell::Cell::new(0u32);
        let counting = |e: &u32| {
            reads.set(reads.get() + 1);
            live(e)
        };
        let mut q = EventQueue::default();
        for e in 0..10_000u32 {
            pushed.set(e + 1);
            q.schedule_live(SimTime(3_000_000_000 + u64::from(e)), e, counting);
        }
        assert!(
            reads.get() < 60_000,
            "{} events read in compactions",
            reads.get()
        );
        let mut popped = 0;
        while let Some((_, e)) = q.pop(live) {
            assert!(live(&e));
            popped += 1;
        }
        assert_eq!(popped, WINDOW);
    }
}
