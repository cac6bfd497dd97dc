//! Where the arena's blocks come from: the trait an allocator implements,
//! and Rust's global allocator as one.

use std::alloc::Layout;
use std::ptr;

/// Where blocks come from and where they go back to.
///
/// # Safety
/// `allocate` must return either null or a pointer to at least `size`
/// writable bytes aligned to 8, that stays valid until passed to `release`.
pub unsafe trait BlockAllocator {
    /// Returns `size` bytes aligned to 8, or null when there is no memory.
    fn allocate(&self, size: usize) -> *mut u8;

    /// Gives a block back.
    ///
    /// # Safety
    /// `block` came from `allocate(size)` on this allocator, with this `size`,
    /// and has not been released since.
    unsafe fn release(&self, block: *mut u8, size: usize);
}

/// Blocks from Rust's global allocator: for tests and for Rust users.
///
/// ```
/// use legacyint::arena::{BlockAllocator, SystemBlocks};
/// let p = SystemBlocks.allocate(992);
/// assert!(!p.is_null());
/// unsafe { SystemBlocks.release(p, 992) };
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemBlocks;

// SAFETY: std::alloc returns null or `size` bytes with the requested
// alignment, valid until dealloc with the same layout.
unsafe impl BlockAllocator for SystemBlocks {
    fn allocate(&self, size: usize) -> *mut u8 {
        match Layout::from_size_align(size, 8) {
            // SAFETY: the arena never asks for a zero-sized block (a block
            // holds at least its head).
            Ok(layout) if size > 0 => unsafe { std::alloc::alloc(layout) },
            _ => ptr::null_mut(),
        }
    }

    unsafe fn release(&self, block: *mut u8, size: usize) {
        // SAFETY: the caller passes back a block from `allocate(size)`, whose
        // layout was valid then and is the same now.
        unsafe { std::alloc::dealloc(block, Layout::from_size_align_unchecked(size, 8)) }
    }
}
