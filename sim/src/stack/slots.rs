//! The socket variables of a host's threads: each slot's handle and hint,
//! the first inline.
//!
//! Memory and performance (issue 18, x1 sizes): a client's thread names
//! one socket variable; as a list of its own the entry was an allocation
//! per scripted host, made when the slot was named and freed with the
//! world (`ThinVec::reallocate` and its free, about 150 instructions per
//! connection at 100 x 1 in callgrind). Inline it takes 8 bytes of the
//! host record and no allocation; a host with more slots keeps the others
//! in a [`ThinVec`].

use thin_vec::ThinVec;

/// A socket variable of a host's threads.
///
/// Memory: the handle and its hint side by side in one list, where two
/// lists were two allocations and two pointers in every host with a
/// socket variable (issue 18, small sizes: each client's first call).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct SlotEntry {
    /// The socket handle the variable holds, 0 for none. A closed
    /// socket's handle stays, so using it gives WSAENOTSOCK.
    pub handle: u32,
    /// The socket index `handle` had when it was set: a hint that spares
    /// the handle lookup, checked before use (see `Host::slot_socket`).
    pub hint: u32,
}

impl SlotEntry {
    /// A variable that names no socket.
    pub const EMPTY: SlotEntry = SlotEntry {
        handle: 0,
        hint: u32::MAX,
    };
}

/// The entries of a host's slots, by slot: slot 0 inline, the others in
/// `rest`. The table does not count its slots (the host's list of slot
/// names does); slot 0 reads as [`SlotEntry::EMPTY`] until it is set,
/// which is what an unnamed slot answers too (no socket).
#[derive(Debug)]
pub(super) struct SlotTable {
    first: SlotEntry,
    rest: ThinVec<SlotEntry>,
}

impl Default for SlotTable {
    fn default() -> Self {
        SlotTable {
            first: SlotEntry::EMPTY,
            rest: ThinVec::new(),
        }
    }
}

impl SlotTable {
    /// A table of `len` slots that name no socket.
    pub fn empty(len: usize) -> SlotTable {
        SlotTable {
            first: SlotEntry::EMPTY,
            rest: std::iter::repeat_n(SlotEntry::EMPTY, len.saturating_sub(1)).collect(),
        }
    }

    /// Adds a slot naming no socket after the `len` there are.
    pub fn push(&mut self, len: usize) {
        if len > 0 {
            super::host::push_thin(&mut self.rest, SlotEntry::EMPTY);
        }
    }

    /// Makes room for `more` slots after the `len` there are.
    pub fn reserve(&mut self, len: usize, more: usize) {
        let inline = usize::from(len == 0 && more > 0);
        self.rest.reserve_exact(more - inline);
    }

    /// The entry of `slot`, `None` past the slots there can be.
    #[inline]
    pub fn get(&self, slot: u32) -> Option<&SlotEntry> {
        match slot.checked_sub(1) {
            None => Some(&self.first),
            Some(i) => self.rest.get(i as usize),
        }
    }

    /// Sets the entry of `slot`, which must have been named.
    ///
    /// # Panics
    ///
    /// If `slot` is past the slots named.
    #[inline]
    pub fn set(&mut self, slot: u32, entry: SlotEntry) {
        match slot.checked_sub(1) {
            None => self.first = entry,
            Some(i) => self.rest[i as usize] = entry,
        }
    }

    /// The last of the first `len` slots whose entry `holds`.
    pub fn rposition(&self, len: usize, holds: impl Fn(&SlotEntry) -> bool) -> Option<u32> {
        if let Some(i) = self.rest.iter().rposition(&holds) {
            return Some(i as u32 + 1);
        }
        (len > 0 && holds(&self.first)).then_some(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(handle: u32) -> SlotEntry {
        SlotEntry { handle, hint: 0 }
    }

    /// The table answers as the plain list it replaced: the same entries
    /// by slot, the same last slot holding a handle, and no slot 0 before
    /// it is named.
    #[test]
    fn reads_as_a_plain_list_of_entries() {
        let mut table = SlotTable::default();
        let mut model: Vec<SlotEntry> = Vec::new();
        assert_eq!(table.rposition(0, |e| e.handle == 0), None);
        for (slot, handle) in [0x100, 0x104, 0x100, 0x108].into_iter().enumerate() {
            table.push(model.len());
            model.push(SlotEntry::EMPTY);
            assert_eq!(table.get(slot as u32), Some(&SlotEntry::EMPTY));
            table.set(slot as u32, entry(handle));
            model[slot] = entry(handle);
        }
        for slot in 0..5u32 {
            assert_eq!(table.get(slot), model.get(slot as usize), "slot {slot}");
        }
        for handle in [0, 0x100, 0x104, 0x108, 0x10c] {
            let expected = model.iter().rposition(|e| e.handle == handle);
            let got = table.rposition(model.len(), |e| e.handle == handle);
            assert_eq!(got, expected.map(|i| i as u32), "handle {handle:#x}");
        }
    }

    /// A host with one slot allocates nothing for it; a second slot
    /// allocates the list, sized by `reserve` for every slot past the
    /// first.
    #[test]
    fn the_first_slot_is_inline() {
        let mut one = SlotTable::default();
        one.reserve(0, 1);
        one.push(0);
        assert_eq!(one.rest.capacity(), 0, "one slot allocates nothing");
        let mut three = SlotTable::default();
        three.reserve(0, 3);
        assert_eq!(three.rest.capacity(), 2);
        let empty = SlotTable::empty(3);
        assert_eq!(empty.rest.len(), 2);
        assert_eq!(empty.get(2), Some(&SlotEntry::EMPTY));
        assert_eq!(empty.get(3), None);
    }
}
