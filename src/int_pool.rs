//! The int pool: one arena of LegacyInt objects for the whole process, and
//! Python 2's small-int cache carved from it.
//!
//! `PyInt_FromLong` and `int_dealloc` of CPython 2.7, on the generic arena.
//! Values in `-NSMALLNEGINTS <= v < NSMALLPOSINTS` are served by one shared
//! object each, made at import and held for the life of the process; every
//! other value pops a slot. Exact LegacyInts go back to the free list when
//! they die; nothing goes back to the allocator until `clear_free_list`.

use crate::arena::{Arena, ArenaStats};
use crate::gil_cell::GilCell;
use crate::legacy_int::{legacy_int_type, LegacyIntObject};
use crate::pymem_blocks::PyMemBlocks;
use crate::type_support::new_pooled_object;
use pyo3::ffi;
use std::os::raw::c_long;
use std::ptr::{self, NonNull};

/// Python 2's bounds: the cache holds -5 ..= 256.
pub const NSMALLNEGINTS: c_long = 5;
pub const NSMALLPOSINTS: c_long = 257;
const NSMALL: usize = (NSMALLNEGINTS + NSMALLPOSINTS) as usize;

type IntArena = Arena<LegacyIntObject, PyMemBlocks>;

/// The pool. A static, never dropped: LegacyInts can outlive the module, so
/// the blocks are held until the process ends, as Python 2 held them.
static INT_POOL: GilCell<IntArena> = GilCell::new(Arena::new(PyMemBlocks));

/// The cache, filled once by `init_small_ints`; each entry holds one
/// reference that is never released.
static SMALL_INTS: GilCell<[*mut LegacyIntObject; NSMALL]> =
    GilCell::new([ptr::null_mut(); NSMALL]);

/// How many cache entries exist, so that `pool_stats()` need not count them.
static SMALL_INTS_CREATED: GilCell<usize> = GilCell::new(0);

/// The pool itself.
///
/// # Safety
/// The GIL is held and the returned reference is dropped before anything
/// that can run Python code (a dealloc can re-enter the pool).
#[inline]
pub unsafe fn pool() -> &'static mut IntArena {
    // SAFETY: the caller holds the GIL and keeps the borrow short (above), so
    // no two references to the arena are ever live at once.
    unsafe { &mut *INT_POOL.get() }
}

/// A new reference to a LegacyInt holding `value`, or null with MemoryError
/// set. Python 2's `PyInt_FromLong`.
///
/// # Safety
/// The GIL is held and the LegacyInt type has been created.
#[inline]
pub unsafe fn from_long(value: c_long) -> *mut ffi::PyObject {
    if (-NSMALLNEGINTS..NSMALLPOSINTS).contains(&value) {
        // SAFETY: GIL held; the cache is filled before the type is exposed.
        let cached = unsafe { (*SMALL_INTS.get())[(value + NSMALLNEGINTS) as usize] };
        if !cached.is_null() {
            // SAFETY: cached objects are live for the life of the process.
            return unsafe { ffi::compat::Py_NewRef(cached.cast()) };
        }
    }
    // SAFETY: GIL held, as the caller promises.
    unsafe { new_pooled(value) }
}

/// Pops a slot and makes it a LegacyInt, bypassing the cache.
///
/// # Safety
/// As `from_long`.
#[inline]
unsafe fn new_pooled(value: c_long) -> *mut ffi::PyObject {
    // SAFETY: GIL held and the type exists (caller's contract); the closure
    // writes the one field past the header.
    unsafe {
        new_pooled_object(pool(), legacy_int_type(), |obj: *mut LegacyIntObject| {
            ptr::addr_of_mut!((*obj).ob_ival).write(value)
        })
    }
}

/// Puts a dead exact LegacyInt back on the free list. Python 2's
/// `int_dealloc` for an exact int.
///
/// # Safety
/// The GIL is held; `obj` is an exact LegacyInt (so it came from the pool)
/// whose refcount reached zero, and nothing will use it again.
#[inline]
pub unsafe fn release(obj: *mut LegacyIntObject) {
    // SAFETY: exact LegacyInts are only ever made by new_pooled, so `obj` was
    // popped from this pool, and it is dead (caller's contract).
    unsafe { pool().push(NonNull::new_unchecked(obj)) }
}

/// Makes the 262 cached objects from the pool, -5 first, as Python 2's
/// `_PyInt_Init` did at start-up: they fill the first 7 blocks.
/// Does nothing if the cache is already filled.
///
/// # Safety
/// The GIL is held and the LegacyInt type has been created.
pub unsafe fn init_small_ints() -> Result<(), ()> {
    for (i, value) in (-NSMALLNEGINTS..NSMALLPOSINTS).enumerate() {
        // SAFETY: GIL held; a short-lived read of the cache.
        if unsafe { !(*SMALL_INTS.get())[i].is_null() } {
            continue;
        }
        // SAFETY: GIL held and the type exists (caller's contract).
        let obj = unsafe { new_pooled(value) };
        if obj.is_null() {
            return Err(());
        }
        // SAFETY: GIL held; the new reference is moved into the cache and
        // never released.
        unsafe {
            (*SMALL_INTS.get())[i] = obj.cast();
            *SMALL_INTS_CREATED.get() += 1;
        }
    }
    Ok(())
}

/// Cache entries created so far (262 once the module is imported).
///
/// # Safety
/// The GIL is held.
pub unsafe fn small_ints() -> usize {
    // SAFETY: GIL held; a short-lived read.
    unsafe { *SMALL_INTS_CREATED.get() }
}

/// The pool's counters.
///
/// # Safety
/// The GIL is held.
pub unsafe fn stats() -> ArenaStats {
    // SAFETY: GIL held; the borrow ends here.
    unsafe { pool().stats() }
}
