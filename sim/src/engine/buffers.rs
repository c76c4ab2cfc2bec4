//! Storage for byte buffers (the send and receive buffers of TCBs on any
//! host): no allocation per connection in the steady state. The engine
//! keeps the pool because it is one for the whole network; what the
//! buffers hold is the stack's.
//!
//! Performance: storage follows the data. A buffer gives its storage back
//! the moment it is empty (its data read by the application, or
//! acknowledged by the peer) and takes some only when bytes are about to
//! be written into it. The pool is one for the whole network, last given
//! first out, so a write lands in lines that some host read a moment ago:
//! still in cache. Buffers kept with their TCB until it was freed were
//! cold by then in the 1000-host storm (written, then read ~120 ms later,
//! then freed), and every write into them missed.

use std::collections::VecDeque;

/// Most spare buffers kept, and the largest capacity kept: enough for the
/// steady state of many short connections, bounded so that a burst of
/// large transfers does not pin memory.
const MAX_SPARES: usize = 2048;
const MAX_SPARE_CAPACITY: usize = 16 * 1024;

/// Spare buffer storage, emptied.
#[derive(Debug, Default)]
pub struct BufferPool {
    spare: Vec<VecDeque<u8>>,
}

impl BufferPool {
    /// Gives `buf` the storage given back last, unless it has storage.
    #[inline]
    pub fn provide(&mut self, buf: &mut VecDeque<u8>) {
        if buf.capacity() == 0
            && let Some(spare) = self.spare.pop()
        {
            *buf = spare;
        }
    }

    /// [`BufferPool::reclaim`] for a TCB's two buffers, after each of its
    /// steps.
    ///
    /// Performance (issue 18): most steps find both buffers without
    /// storage (it is given back the moment a buffer empties), and one
    /// test of both capacities tells; the two full checks took ~17
    /// instructions a step, 16 steps a connection of the storm.
    #[inline]
    pub fn reclaim_pair(&mut self, (a, b): (&mut VecDeque<u8>, &mut VecDeque<u8>)) {
        if a.capacity() | b.capacity() != 0 {
            self.reclaim(a);
            self.reclaim(b);
        }
    }

    /// Takes an empty buffer's storage for reuse, unless the pool is full
    /// or it grew large; a buffer that holds data keeps it.
    #[inline]
    pub fn reclaim(&mut self, buf: &mut VecDeque<u8>) {
        let capacity = buf.capacity();
        if buf.is_empty()
            && capacity != 0
            && capacity <= MAX_SPARE_CAPACITY
            && self.spare.len() < MAX_SPARES
        {
            // Writing starts again at the front: the lines just read.
            // Performance: taken first, then cleared; cleared in place, the
            // buffer was read back whole right after its head was written,
            // which stalled on store forwarding (~2% of the storm's cycles).
            let mut storage = std::mem::take(buf);
            storage.clear();
            self.spare.push(storage);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_given_back_empty_is_reused() {
        let mut pool = BufferPool::default();
        let mut a = VecDeque::from(vec![1u8; 100]);
        a.clear();
        pool.reclaim(&mut a);
        assert_eq!(a.capacity(), 0, "taken out of the TCB");
        let mut b = VecDeque::new();
        pool.provide(&mut b);
        assert!(
            b.is_empty() && b.capacity() >= 100,
            "the allocation is reused"
        );
        let mut c = VecDeque::new();
        pool.provide(&mut c);
        assert_eq!(c.capacity(), 0, "the pool is empty");
    }

    #[test]
    fn a_buffer_with_data_keeps_it() {
        let mut pool = BufferPool::default();
        let mut a = VecDeque::from(vec![7u8; 10]);
        pool.reclaim(&mut a);
        assert_eq!(a.len(), 10);
        let mut b = VecDeque::new();
        pool.provide(&mut b);
        assert_eq!(b.capacity(), 0, "nothing was given back");
    }

    #[test]
    fn large_buffers_are_not_kept() {
        let mut pool = BufferPool::default();
        let mut big = VecDeque::with_capacity(MAX_SPARE_CAPACITY + 1);
        pool.reclaim(&mut big);
        let mut b = VecDeque::new();
        pool.provide(&mut b);
        assert_eq!(b.capacity(), 0);
    }

    /// A buffer in each of the states `reclaim` tells apart: no storage,
    /// empty storage, data, storage too large to keep.
    fn buffer(kind: usize) -> VecDeque<u8> {
        match kind {
            0 => VecDeque::new(),
            1 => VecDeque::with_capacity(64),
            2 => VecDeque::from(vec![3u8; 5]),
            _ => VecDeque::with_capacity(MAX_SPARE_CAPACITY + 1),
        }
    }

    /// The shape of a buffer: its length, and whether it has storage.
    fn shape(buf: &VecDeque<u8>) -> (usize, bool) {
        (buf.len(), buf.capacity() != 0)
    }

    /// `reclaim_pair`'s one test of both capacities skips only what
    /// `reclaim` would leave: the same buffers and the same pool, for every
    /// pair of buffer states and a full pool or not.
    #[test]
    fn reclaim_pair_is_reclaim_of_each() {
        for (a, b, full) in
            (0..4).flat_map(|a| (0..4).flat_map(move |b| [(a, b, false), (a, b, true)]))
        {
            let mut pools = [BufferPool::default(), BufferPool::default()];
            if full {
                for pool in &mut pools {
                    pool.spare = (0..MAX_SPARES)
                        .map(|_| VecDeque::with_capacity(8))
                        .collect();
                }
            }
            let (mut a1, mut b1, mut a2, mut b2) = (buffer(a), buffer(b), buffer(a), buffer(b));
            pools[0].reclaim_pair((&mut a1, &mut b1));
            pools[1].reclaim(&mut a2);
            pools[1].reclaim(&mut b2);
            let case = (a, b, full);
            assert_eq!(
                (shape(&a1), shape(&b1)),
                (shape(&a2), shape(&b2)),
                "{case:?}"
            );
            assert_eq!(pools[0].spare.len(), pools[1].spare.len(), "{case:?}");
            let caps = |p: &BufferPool| p.spare.iter().map(VecDeque::capacity).collect::<Vec<_>>();
            assert_eq!(caps(&pools[0]), caps(&pools[1]), "{case:?}");
        }
    }
}
