//! Python 2's small-int cache, carved from the int pool.
//!
//! Values in `-NSMALLNEGINTS <= v < NSMALLPOSINTS` are served by one shared
//! object each, made at import (as Python 2's `_PyInt_Init` made them at
//! start-up, filling the pool's first 7 blocks) and held for the life of the
//! process; every other value pops a slot.

use super::value::{LegacyInt, LegacyIntObject};
use crate::capi::gil_cell::GilCell;
use crate::pooled::lifecycle::new_pooled;
use pyo3::ffi;
use std::os::raw::c_long;
use std::ptr;

/// Python 2's bounds: the cache holds -5 ..= 256.
pub const NSMALLNEGINTS: c_long = 5;
pub const NSMALLPOSINTS: c_long = 257;
const NSMALL: usize = (NSMALLNEGINTS + NSMALLPOSINTS) as usize;

/// The cache, filled once by `init`; each entry holds one reference that is
/// never released.
static SMALL_INTS: GilCell<[*mut LegacyIntObject; NSMALL]> =
    GilCell::new([ptr::null_mut(); NSMALL]);

/// How many cache entries exist, so that `pool_stats()` need not count them.
static CREATED: GilCell<usize> = GilCell::new(0);

/// A new reference to a LegacyInt holding `value`, or null with MemoryError
/// set. Python 2's `PyInt_FromLong`.
///
/// # Safety
/// The GIL is held and the LegacyInt type has been created.
#[inline(always)]
pub unsafe fn from_long(value: c_long) -> *mut ffi::PyObject {
    if (-NSMALLNEGINTS..NSMALLPOSINTS).contains(&value) {
        // SAFETY: GIL held; a plain read of the cache.
        let cached = unsafe { (*SMALL_INTS.get())[(value + NSMALLNEGINTS) as usize] };
        if !cached.is_null() {
            // SAFETY: cached objects are live for the life of the process.
            return unsafe { ffi::compat::Py_NewRef(cached.cast()) };
        }
    }
    // SAFETY: GIL held and the type exists (caller's contract).
    unsafe { new_pooled::<LegacyInt>(value) }
}

/// Makes the 262 cached objects from the pool, -5 first. Does nothing for
/// entries already made. Err: an exception is set.
///
/// # Safety
/// The GIL is held and the LegacyInt type has been created.
pub unsafe fn init() -> Result<(), ()> {
    for (i, value) in (-NSMALLNEGINTS..NSMALLPOSINTS).enumerate() {
        // SAFETY: GIL held; a plain read of the cache.
        if unsafe { !(*SMALL_INTS.get())[i].is_null() } {
            continue;
        }
        // SAFETY: GIL held and the type exists (caller's contract).
        let obj = unsafe { new_pooled::<LegacyInt>(value) };
        if obj.is_null() {
            return Err(());
        }
        // SAFETY: GIL held; the new reference is moved into the cache and
        // never released.
        unsafe {
            (*SMALL_INTS.get())[i] = obj.cast();
            *CREATED.get() += 1;
        }
    }
    Ok(())
}

/// Cache entries made so far (262 once the module is imported).
///
/// # Safety
/// The GIL is held.
pub unsafe fn count() -> usize {
    // SAFETY: GIL held; a plain read.
    unsafe { *CREATED.get() }
}
