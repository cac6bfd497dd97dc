//! The arena's counters.

/// The arena's counters, as [`Arena::stats`](super::Arena::stats) returns them.
///
/// `in_use + free == capacity` and `capacity == blocks * objects_per_block`
/// hold after every operation.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ArenaStats {
    /// Bytes asked of the allocator for each block (992 for 24-byte objects).
    pub block_size: usize,
    /// Slots in one block (41 for 24-byte objects).
    pub objects_per_block: usize,
    /// Blocks held now.
    pub blocks: usize,
    /// Slots in all held blocks.
    pub capacity: usize,
    /// Slots handed out by `pop` and not pushed back.
    pub in_use: usize,
    /// Length of the free list.
    pub free: usize,
    /// `blocks * block_size`.
    pub bytes_reserved: usize,
    /// `pop` calls that returned a slot.
    pub allocations: u64,
    /// `push` calls.
    pub deallocations: u64,
    /// Blocks taken from the allocator since the arena was made.
    pub blocks_allocated: u64,
    /// Blocks given back by `clear_free_list` since the arena was made.
    pub blocks_released: u64,
    /// The most blocks ever held at once.
    pub peak_blocks: usize,
}
