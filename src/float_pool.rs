//! The float pool: a second instance of the same arena, for LegacyFloats.
//!
//! Python 2's `floatobject.c` kept floats exactly as `intobject.c` kept
//! ints (1000-byte blocks of 24-byte objects, a free list, blocks returned
//! only by `PyFloat_ClearFreeList`), with no cache of small values. So this
//! is the int pool without the cache.

use crate::arena::{Arena, ArenaStats};
use crate::gil_cell::GilCell;
use crate::legacy_float::{legacy_float_type, LegacyFloatObject};
use crate::pymem_blocks::PyMemBlocks;
use crate::type_support::new_pooled_object;
use pyo3::ffi;
use std::ptr::{self, NonNull};

type FloatArena = Arena<LegacyFloatObject, PyMemBlocks>;

/// The pool. A static, never dropped, for the reason the int pool is one.
static FLOAT_POOL: GilCell<FloatArena> = GilCell::new(Arena::new(PyMemBlocks));

/// The pool itself.
///
/// # Safety
/// The GIL is held and the returned reference is dropped before anything
/// that can run Python code.
#[inline]
pub unsafe fn pool() -> &'static mut FloatArena {
    // SAFETY: the caller holds the GIL and keeps the borrow short, so no two
    // references to the arena are ever live at once.
    unsafe { &mut *FLOAT_POOL.get() }
}

/// A new reference to a LegacyFloat holding `value`, or null with
/// MemoryError set. Python 2's `PyFloat_FromDouble`.
///
/// # Safety
/// The GIL is held and the LegacyFloat type has been created.
#[inline]
pub unsafe fn from_double(value: f64) -> *mut ffi::PyObject {
    // SAFETY: GIL held and the type exists (caller's contract); the closure
    // writes the one field past the header.
    unsafe {
        new_pooled_object(
            pool(),
            legacy_float_type(),
            |obj: *mut LegacyFloatObject| ptr::addr_of_mut!((*obj).ob_fval).write(value),
        )
    }
}

/// Puts a dead exact LegacyFloat back on the free list.
///
/// # Safety
/// The GIL is held; `obj` is an exact LegacyFloat whose refcount reached
/// zero, and nothing will use it again.
#[inline]
pub unsafe fn release(obj: *mut LegacyFloatObject) {
    // SAFETY: exact LegacyFloats are only made by from_double, so `obj` was
    // popped from this pool, and it is dead (caller's contract).
    unsafe { pool().push(NonNull::new_unchecked(obj)) }
}

/// The pool's counters.
///
/// # Safety
/// The GIL is held.
pub unsafe fn stats() -> ArenaStats {
    // SAFETY: GIL held; the borrow ends here.
    unsafe { pool().stats() }
}
