//! The arena's layout at one moment: live objects per block, and slot by
//! slot what a picture of the pool draws (which slots of each block are
//! live, and where the free list runs).

use super::{free_mark, Arena, BlockAllocator, BlockHead, FreeSlot, PoolSlot};
use std::mem::size_of;

/// Which slots are live, block by block, and where the free list runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// One word per held block, oldest block first: bit `i` is set when
    /// slot `i` is live (handed out by `pop` and not pushed back).
    pub live: Vec<u64>,
    /// The free list from its head, as `(block, slot)` positions in the
    /// numbering of `live`, as many as were asked for (or all of it).
    pub free_list: Vec<(usize, usize)>,
    /// Each block's address, in the order of `live`: what tells one
    /// snapshot's blocks in another, after some were given back.
    pub addresses: Vec<usize>,
}

impl<T: PoolSlot, A: BlockAllocator> Arena<T, A> {
    /// Live objects in each held block, oldest block first.
    ///
    /// O(blocks * slots): it looks at every slot, as `clear_free_list` does.
    ///
    /// ```
    /// use legacyint::arena::{Arena, PoolSlot, SystemBlocks};
    /// #[repr(C)]
    /// struct Obj { refcnt: usize, kind: usize, value: i64 }
    /// // SAFETY: `kind` is never set to FREE_MARK's address here.
    /// unsafe impl PoolSlot for Obj {}
    ///
    /// let mut arena: Arena<Obj, SystemBlocks> = Arena::new(SystemBlocks);
    /// let slots: Vec<_> = (0..42).map(|_| arena.pop().unwrap()).collect();
    /// for s in &slots { unsafe { s.as_ptr().write(Obj { refcnt: 1, kind: 7, value: 0 }) } }
    /// unsafe { arena.push(slots[0]) };
    /// assert_eq!(arena.occupancy(), vec![40, 1]);
    /// ```
    pub fn occupancy(&self) -> Vec<usize> {
        let mark = free_mark();
        let mut counts = Vec::with_capacity(self.blocks);
        let mut block = self.block_list;
        // SAFETY: as in clear_free_list; nothing is written here.
        unsafe {
            while !block.is_null() {
                let first = Self::first_slot(block);
                counts.push(
                    (0..Self::SLOTS_PER_BLOCK)
                        .filter(|&i| !Self::is_free(first.add(i), mark))
                        .count(),
                );
                block = (*block).next;
            }
        }
        counts.reverse();
        counts
    }

    /// The layout now, with the first `links` entries of the free list.
    ///
    /// O(blocks * slots + links * log blocks): it looks at every slot, as
    /// [`occupancy`](Self::occupancy) does, and places each link followed
    /// by the block that holds it.
    ///
    /// ```
    /// use legacyint::arena::{Arena, PoolSlot, Snapshot, SystemBlocks};
    /// #[repr(C)]
    /// struct Obj { refcnt: usize, kind: usize, value: i64 }
    /// // SAFETY: `kind` is never set to FREE_MARK's address here.
    /// unsafe impl PoolSlot for Obj {}
    ///
    /// let mut arena: Arena<Obj, SystemBlocks> = Arena::new(SystemBlocks);
    /// let slots: Vec<_> = (0..3).map(|_| arena.pop().unwrap()).collect();
    /// for s in &slots { unsafe { s.as_ptr().write(Obj { refcnt: 1, kind: 7, value: 0 }) } }
    /// unsafe { arena.push(slots[1]) };
    /// let Snapshot { live, free_list, .. } = arena.snapshot(2);
    /// assert_eq!(live, vec![0b101]);
    /// assert_eq!(free_list, vec![(0, 1), (0, 3)]); // the freed slot, then the fill's order
    /// ```
    pub fn snapshot(&self, links: usize) -> Snapshot {
        // A slot is at least two words (FITS), so a block has at most 62
        // slots: one u64 holds a block's live bits whatever `T` is.
        const { assert!(size_of::<u64>() * 8 >= (super::BLOCK_SIZE - super::BHEAD_SIZE) / 16) };
        let mark = free_mark();
        let slot_bytes = size_of::<T>();
        // (first slot's address, block number oldest first), by address.
        let mut blocks: Vec<(usize, usize)> = Vec::with_capacity(self.blocks);
        let mut live = Vec::with_capacity(self.blocks);
        let mut block: *mut BlockHead = self.block_list;
        // SAFETY: as in `occupancy`: every block on block_list is held and
        // each of its slots' second word is readable; nothing is written.
        unsafe {
            while !block.is_null() {
                let first = Self::first_slot(block);
                let word = (0..Self::SLOTS_PER_BLOCK)
                    .filter(|&i| !Self::is_free(first.add(i), mark))
                    .fold(0u64, |word, i| word | 1 << i);
                live.push(word);
                blocks.push((first as usize, 0));
                block = (*block).next;
            }
        }
        live.reverse();
        let mut addresses: Vec<usize> = blocks
            .iter()
            .map(|&(first, _)| first - super::BHEAD_SIZE)
            .collect();
        addresses.reverse();
        let held = blocks.len();
        for (newest_first, entry) in blocks.iter_mut().enumerate() {
            entry.1 = held - 1 - newest_first;
        }
        blocks.sort_unstable();
        let span = Self::SLOTS_PER_BLOCK * slot_bytes;
        let mut free_list = Vec::new();
        let mut slot: *mut FreeSlot = self.free_list;
        // SAFETY: every free slot is in a held block and its first word is
        // the next link (written by fill, push or clear_free_list).
        unsafe {
            while !slot.is_null() && free_list.len() < links {
                let address = slot as usize;
                let at = blocks.partition_point(|&(first, _)| first <= address);
                let (first, number) = blocks[at - 1];
                debug_assert!(address < first + span);
                free_list.push((number, (address - first) / slot_bytes));
                slot = (*slot).next;
            }
        }
        Snapshot {
            live,
            free_list,
            addresses,
        }
    }
}
