//! Blocks from the interpreter's `PyMem_Malloc`, as Python 2's `PyMem_MALLOC`.

use crate::arena::BlockAllocator;
use pyo3::ffi;

/// Takes blocks from `PyMem_Malloc` and gives them back with `PyMem_Free`,
/// so that `tracemalloc` sees the pool's memory and `python -X dev`'s debug
/// allocator checks each block's family.
///
/// A 992-byte request is above pymalloc's 512-byte limit, so the blocks come
/// from the C library's malloc underneath, as Python 2's did.
#[derive(Debug, Clone, Copy)]
pub struct PyMemBlocks;

// SAFETY: PyMem_Malloc returns null or memory aligned for any C type (at least
// 8 bytes), valid until PyMem_Free. It is called only with the GIL held (the
// arena lives in a Pool, reached only with a GIL token), which the PyMem domain requires.
unsafe impl BlockAllocator for PyMemBlocks {
    #[inline]
    fn allocate(&self, size: usize) -> *mut u8 {
        // SAFETY: the GIL is held (see above); any size is a valid request.
        unsafe { ffi::PyMem_Malloc(size).cast() }
    }

    #[inline]
    unsafe fn release(&self, block: *mut u8, _size: usize) {
        // SAFETY: the caller passes a block from PyMem_Malloc, not yet freed.
        unsafe { ffi::PyMem_Free(block.cast()) }
    }
}
