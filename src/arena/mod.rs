//! A block arena with Python 2's geometry, generic over the object it serves.
//!
//! This is `Objects/intobject.c` of CPython 2.7 without the Python. Memory
//! comes in blocks of at most [`BLOCK_SIZE`] bytes: an 8-byte head that links
//! the block into `block_list` (every block held, newest first), followed by as
//! many objects as fit in the rest. For a 24-byte object that is
//! `(1000 - 8) / 24 = 41` slots in a 992-byte block.
//!
//! Free slots are threaded into `free_list` through their own memory, so the
//! free list costs nothing beyond the slots themselves: a free slot's first
//! word holds the next free slot and its second word holds [`FREE_MARK`]'s
//! address. The mark is how the arena tells free slots from live objects when
//! it walks a block, as Python 2 told them apart by their type pointer.
//!
//! [`Arena::pop`] takes the head of the free list, filling a new block first
//! when the list is empty; [`Arena::push`] puts a slot back. Neither ever
//! returns memory to the allocator: only [`Arena::clear_free_list`] does, for
//! the blocks in which no object is live, exactly as `PyInt_ClearFreeList`.
//! That is the behaviour this crate exists to show.
//!
//! Every counter in [`ArenaStats`] is kept up to date on each operation, so
//! reading them is O(1) whatever the size of the pool.
//!
//! ```
//! use legacyint::arena::{Arena, PoolSlot, SystemBlocks};
//!
//! #[repr(C)]
//! struct Obj { refcnt: usize, kind: usize, value: i64 }
//! // SAFETY: `kind`, the second word, is a plain field that this program
//! // never sets to FREE_MARK's address.
//! unsafe impl PoolSlot for Obj {}
//!
//! let mut arena: Arena<Obj, SystemBlocks> = Arena::new(SystemBlocks);
//! assert_eq!(Arena::<Obj, SystemBlocks>::SLOTS_PER_BLOCK, 41);
//! let p = arena.pop().unwrap();
//! unsafe { p.as_ptr().write(Obj { refcnt: 1, kind: 7, value: 1000 }) };
//! assert_eq!(arena.stats().in_use, 1);
//! unsafe { arena.push(p) };
//! assert_eq!((arena.stats().blocks, arena.stats().free), (1, 41));
//! assert_eq!(arena.clear_free_list(), 0);
//! assert_eq!(arena.stats().blocks, 0);
//! ```

mod blocks;
mod snapshot;
mod stats;

pub use blocks::{BlockAllocator, SystemBlocks};
pub use snapshot::Snapshot;
pub use stats::ArenaStats;

use std::marker::PhantomData;
use std::mem::{align_of, size_of};
use std::ptr::{self, NonNull};

/// Python 2's budget for one block, head included.
pub const BLOCK_SIZE: usize = 1000;

/// Bytes reserved at the start of a block for the `next` link. Python 2 used 8
/// whatever the pointer size ("enough for a 64-bit pointer"); so do we.
pub const BHEAD_SIZE: usize = 8;

/// The address that marks a slot as free (see the module documentation).
/// A `static` has an address no Python object or Rust value can share, which
/// is what makes the mark unambiguous.
pub static FREE_MARK: u8 = 0xF5;

/// A type whose live values the arena can tell from free slots by their
/// second word: what [`Arena::clear_free_list`] and [`Arena::occupancy`]
/// need.
///
/// # Safety
/// In every value of the type that a program writes into a slot, the
/// pointer-sized word at offset `size_of::<usize>()` is initialised (a
/// field, not padding) and never holds the address of [`FREE_MARK`]. A
/// Python object qualifies: that word is its type pointer.
pub unsafe trait PoolSlot {}

fn free_mark() -> *const u8 {
    &FREE_MARK
}

/// The head of every block: the link of `block_list`.
#[repr(C)]
struct BlockHead {
    next: *mut BlockHead,
}

/// What a free slot holds. Overlays the first two words of a `T`.
#[repr(C)]
struct FreeSlot {
    next: *mut FreeSlot,
    mark: *const u8,
}

/// A pool of `T`-sized slots carved from blocks of [`BLOCK_SIZE`] bytes.
///
/// `T` must be at least two words long and need no more than 8-byte
/// alignment: a free slot stores the free-list link and [`FREE_MARK`] in its
/// first two words. Walking the blocks to tell live slots from free ones
/// ([`clear_free_list`](Self::clear_free_list),
/// [`occupancy`](Self::occupancy)) needs `T:` [`PoolSlot`].
///
/// The arena hands out uninitialised memory and never drops a live `T`:
/// what lives in a slot is the caller's business. A slot counts as live
/// from the moment [`pop`](Self::pop) hands it out, written or not, so a
/// block is never released under a slot its caller has yet to fill.
pub struct Arena<T, A: BlockAllocator> {
    /// Every block held, newest first.
    block_list: *mut BlockHead,
    /// Free slots, most recently freed first.
    free_list: *mut FreeSlot,
    allocator: A,
    /// Refuse to hold more blocks than this (a test hook for out-of-memory).
    block_limit: Option<usize>,
    blocks: usize,
    // No `free` counter: the free list holds exactly
    // `blocks * SLOTS_PER_BLOCK - (allocations - deallocations)` slots, since
    // only pop and push move a slot between the two sides, and fill and
    // clear only add or remove free slots together with their blocks. One
    // counter fewer on each of the two hottest paths.
    allocations: u64,
    deallocations: u64,
    blocks_allocated: u64,
    blocks_released: u64,
    peak_blocks: usize,
    _slots: PhantomData<*mut T>,
}

impl<T, A: BlockAllocator> Arena<T, A> {
    const FITS: () = {
        assert!(
            size_of::<T>() >= size_of::<FreeSlot>(),
            "a slot must hold a free-list link and mark"
        );
        assert!(
            align_of::<T>() <= 8,
            "slots sit at 8-byte offsets in a block"
        );
        assert!(
            size_of::<T>() <= BLOCK_SIZE - BHEAD_SIZE,
            "at least one slot per block"
        );
    };

    /// Slots in one block: `(BLOCK_SIZE - BHEAD_SIZE) / size_of::<T>()`.
    pub const SLOTS_PER_BLOCK: usize = (BLOCK_SIZE - BHEAD_SIZE) / size_of::<T>();

    /// Bytes asked of the allocator for one block: the head plus the slots.
    /// 992 for a 24-byte `T`.
    pub const BLOCK_BYTES: usize = BHEAD_SIZE + Self::SLOTS_PER_BLOCK * size_of::<T>();

    /// An empty arena that takes its blocks from `allocator`. Allocates
    /// nothing until the first [`pop`](Self::pop).
    ///
    /// ```
    /// use legacyint::arena::{Arena, SystemBlocks};
    /// let arena: Arena<[u64; 3], SystemBlocks> = Arena::new(SystemBlocks);
    /// assert_eq!(arena.stats().blocks, 0);
    /// ```
    pub const fn new(allocator: A) -> Self {
        #[allow(clippy::let_unit_value)]
        let () = Self::FITS;
        Arena {
            block_list: ptr::null_mut(),
            free_list: ptr::null_mut(),
            allocator,
            block_limit: None,
            blocks: 0,
            allocations: 0,
            deallocations: 0,
            blocks_allocated: 0,
            blocks_released: 0,
            peak_blocks: 0,
            _slots: PhantomData,
        }
    }

    /// Takes a free slot, filling a new block first when none is free.
    ///
    /// The slot is uninitialised memory for one `T`. Returns `None` when the
    /// allocator has no block to give (or the block limit is reached); the
    /// arena is unchanged then.
    ///
    /// ```
    /// use legacyint::arena::{Arena, SystemBlocks};
    /// let mut arena: Arena<[u64; 3], SystemBlocks> = Arena::new(SystemBlocks);
    /// let a = arena.pop().unwrap();
    /// let b = arena.pop().unwrap();
    /// assert_ne!(a, b);
    /// assert_eq!((arena.stats().in_use, arena.stats().free), (2, 39));
    /// ```
    #[inline]
    pub fn pop(&mut self) -> Option<NonNull<T>> {
        if self.free_list.is_null() && !self.fill_free_list() {
            return None;
        }
        self.pop_free()
    }

    /// Takes the head of the free list, or returns `None` when the list is
    /// empty, without filling a block: [`pop`](Self::pop) without its one
    /// call. A hot path can pop inline and leave the filling to a colder
    /// path that calls `pop`.
    ///
    /// ```
    /// use legacyint::arena::{Arena, SystemBlocks};
    /// let mut arena: Arena<[u64; 3], SystemBlocks> = Arena::new(SystemBlocks);
    /// assert!(arena.pop_free().is_none());
    /// let a = arena.pop().unwrap();
    /// unsafe { arena.push(a) };
    /// assert_eq!(arena.pop_free(), Some(a));
    /// ```
    #[inline]
    pub fn pop_free(&mut self) -> Option<NonNull<T>> {
        let slot = NonNull::new(self.free_list)?;
        // SAFETY: a non-null free_list points at a free slot inside a held
        // block, whose first word is the link written by fill or push.
        // Clearing its mark makes it live until pushed back, whatever the
        // caller writes, or fails to write, into it.
        unsafe {
            self.free_list = (*slot.as_ptr()).next;
            ptr::addr_of_mut!((*slot.as_ptr()).mark).write(ptr::null());
        }
        self.allocations += 1;
        Some(slot.cast::<T>())
    }

    /// Puts a slot back on the free list. Nothing goes back to the allocator.
    ///
    /// # Safety
    /// `slot` came from [`pop`](Self::pop) on this arena and has not been
    /// pushed since; the caller is done with the `T` in it (the arena does not
    /// drop it) and will not touch the slot again.
    #[inline]
    pub unsafe fn push(&mut self, slot: NonNull<T>) {
        let slot = slot.as_ptr().cast::<FreeSlot>();
        // SAFETY: the slot is ours again (caller's contract), at least two
        // words long and 8-aligned (FITS), so it can hold a FreeSlot.
        unsafe {
            slot.write(FreeSlot {
                next: self.free_list,
                mark: free_mark(),
            })
        };
        self.free_list = slot;
        self.deallocations += 1;
    }

    /// The counters, in O(1).
    ///
    /// ```
    /// use legacyint::arena::{Arena, SystemBlocks};
    /// let mut arena: Arena<[u64; 3], SystemBlocks> = Arena::new(SystemBlocks);
    /// arena.pop().unwrap();
    /// let s = arena.stats();
    /// assert_eq!((s.block_size, s.objects_per_block, s.capacity), (992, 41, 41));
    /// assert_eq!(s.in_use + s.free, s.capacity);
    /// ```
    pub fn stats(&self) -> ArenaStats {
        let capacity = self.blocks * Self::SLOTS_PER_BLOCK;
        let in_use = (self.allocations - self.deallocations) as usize;
        ArenaStats {
            block_size: Self::BLOCK_BYTES,
            objects_per_block: Self::SLOTS_PER_BLOCK,
            blocks: self.blocks,
            capacity,
            in_use,
            free: capacity - in_use,
            bytes_reserved: self.blocks * Self::BLOCK_BYTES,
            allocations: self.allocations,
            deallocations: self.deallocations,
            blocks_allocated: self.blocks_allocated,
            blocks_released: self.blocks_released,
            peak_blocks: self.peak_blocks,
        }
    }

    /// Caps the number of blocks held; `pop` returns `None` rather than grow
    /// past it. `None` removes the cap. A way to test out-of-memory handling
    /// without exhausting the machine.
    ///
    /// ```
    /// use legacyint::arena::{Arena, SystemBlocks};
    /// let mut arena: Arena<[u64; 3], SystemBlocks> = Arena::new(SystemBlocks);
    /// arena.set_block_limit(Some(0));
    /// assert!(arena.pop().is_none());
    /// arena.set_block_limit(None);
    /// assert!(arena.pop().is_some());
    /// ```
    pub fn set_block_limit(&mut self, limit: Option<usize>) {
        self.block_limit = limit;
    }

    /// The cap set by [`set_block_limit`](Self::set_block_limit).
    pub fn block_limit(&self) -> Option<usize> {
        self.block_limit
    }

    /// Takes a new block and links its slots into the free list, first slot
    /// at the head (Python 2's `fill_free_list` put the last one there).
    /// Returns false, changing nothing, if no block can be had.
    #[cold]
    fn fill_free_list(&mut self) -> bool {
        if self.block_limit.is_some_and(|limit| self.blocks >= limit) {
            return false;
        }
        let block = self
            .allocator
            .allocate(Self::BLOCK_BYTES)
            .cast::<BlockHead>();
        if block.is_null() {
            return false;
        }
        // SAFETY: `block` is BLOCK_BYTES of fresh, 8-aligned memory: room for
        // the head and SLOTS_PER_BLOCK slots, each able to hold a FreeSlot.
        unsafe {
            (*block).next = self.block_list;
            let first = Self::first_slot(block);
            // Each slot links to the one above it, the last to the old head,
            // and the first becomes the head: pops hand the slots out lowest
            // first, so consecutive allocations climb through memory, which
            // the CPU's prefetchers follow; and the links are written in
            // the same climbing order, into a block that is often fresh
            // from the allocator. Python 2 handed them out highest first; a
            // list built, read or freed that way ran at a third to half the
            // speed (see docs/performance.md).
            let slots = Self::SLOTS_PER_BLOCK;
            for i in 0..slots {
                let next = if i + 1 < slots {
                    first.add(i + 1).cast::<FreeSlot>()
                } else {
                    self.free_list
                };
                first.add(i).cast::<FreeSlot>().write(FreeSlot {
                    next,
                    mark: free_mark(),
                });
            }
            self.free_list = first.cast::<FreeSlot>();
        }
        self.block_list = block;
        self.blocks += 1;
        self.blocks_allocated += 1;
        self.peak_blocks = self.peak_blocks.max(self.blocks);
        true
    }

    /// The first slot of `block`, just past its head.
    ///
    /// # Safety
    /// `block` is a block of this arena.
    #[inline]
    unsafe fn first_slot(block: *mut BlockHead) -> *mut T {
        // SAFETY: BHEAD_SIZE < BLOCK_BYTES, so the offset stays in the block.
        unsafe { block.cast::<u8>().add(BHEAD_SIZE).cast::<T>() }
    }
}

impl<T: PoolSlot, A: BlockAllocator> Arena<T, A> {
    /// Gives every block in which no object is live back to the allocator and
    /// rebuilds the free list from the free slots of the blocks kept.
    /// Returns the number of live objects, all of them in kept blocks.
    ///
    /// Python 2.7's `PyInt_ClearFreeList`, run by every full `gc.collect()`.
    /// The free list comes out in the order `fill_free_list` gives a new
    /// block: within each kept block, the lowest free slot first, and the
    /// oldest block first.
    ///
    /// ```
    /// use legacyint::arena::{Arena, PoolSlot, SystemBlocks};
    /// #[repr(C)]
    /// struct Obj { refcnt: usize, kind: usize, value: i64 }
    /// // SAFETY: `kind` is never set to FREE_MARK's address here.
    /// unsafe impl PoolSlot for Obj {}
    ///
    /// let mut arena: Arena<Obj, SystemBlocks> = Arena::new(SystemBlocks);
    /// let slots: Vec<_> = (0..100).map(|_| arena.pop().unwrap()).collect();
    /// for s in &slots { unsafe { s.as_ptr().write(Obj { refcnt: 1, kind: 7, value: 0 }) } }
    /// for s in &slots[1..] { unsafe { arena.push(*s) } }
    /// assert_eq!(arena.stats().blocks, 3);
    /// assert_eq!(arena.clear_free_list(), 1);
    /// assert_eq!(arena.stats().blocks, 1);
    /// ```
    pub fn clear_free_list(&mut self) -> usize {
        let mark = free_mark();
        let mut live_total = 0;
        let mut released = 0;
        let mut free_list: *mut FreeSlot = ptr::null_mut();
        // `link` is the field that points at the block under examination, so
        // a block can be unlinked without a second pass.
        let mut link: *mut *mut BlockHead = &mut self.block_list;
        // SAFETY: every block on block_list is a live allocation of
        // BLOCK_BYTES whose slots each hold, in their second word, `mark`
        // (free: written by push and fill), null (popped and not yet
        // written: pop clears the mark), or the initialised second word of a
        // live T, which is never `mark` (T: PoolSlot). Blocks are only
        // released after their last read.
        unsafe {
            while !(*link).is_null() {
                let block = *link;
                let first = Self::first_slot(block);
                let live = (0..Self::SLOTS_PER_BLOCK)
                    .filter(|&i| !Self::is_free(first.add(i), mark))
                    .count();
                if live == 0 {
                    *link = (*block).next;
                    self.allocator.release(block.cast(), Self::BLOCK_BYTES);
                    released += 1;
                    continue;
                }
                live_total += live;
                // Pushed highest first, so the lowest comes out first.
                for i in (0..Self::SLOTS_PER_BLOCK).rev() {
                    let slot = first.add(i);
                    if Self::is_free(slot, mark) {
                        let slot = slot.cast::<FreeSlot>();
                        (*slot).next = free_list;
                        free_list = slot;
                    }
                }
                link = &mut (*block).next;
            }
        }
        self.free_list = free_list;
        self.blocks -= released;
        self.blocks_released += released as u64;
        live_total
    }

    /// Whether the slot holds the free mark.
    ///
    /// # Safety
    /// `slot` is a slot of a held block.
    #[inline]
    unsafe fn is_free(slot: *mut T, mark: *const u8) -> bool {
        // SAFETY: every slot of a held block is a FreeSlot, a popped slot
        // whose mark pop cleared, or a live T whose second word is an
        // initialised field (T: PoolSlot); reading that word as a
        // pointer-sized value is valid for each.
        unsafe { ptr::addr_of!((*slot.cast::<FreeSlot>()).mark).read() == mark }
    }
}

impl<T, A: BlockAllocator> Drop for Arena<T, A> {
    /// Gives every block back, live objects or not. An arena that serves
    /// Python objects lives in a `static` and is never dropped: its objects can
    /// outlive everything else, so its blocks are held for the life of the
    /// process, as Python 2 held them.
    fn drop(&mut self) {
        let mut block = self.block_list;
        while !block.is_null() {
            // SAFETY: each block on block_list is held, and read before release.
            unsafe {
                let next = (*block).next;
                self.allocator.release(block.cast(), Self::BLOCK_BYTES);
                block = next;
            }
        }
    }
}

#[cfg(test)]
mod tests;
