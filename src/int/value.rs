//! The LegacyInt object: its layout, its type and pool, and reading its
//! value. What every other part of `int` builds on.

use crate::arena::PoolSlot;
use crate::capi::gil_cell::GilCell;
use crate::pooled::pool::Pool;
use crate::pooled::{is_instance, PooledType};
use pyo3::ffi;
use std::os::raw::{c_int, c_long};
use std::ptr;

/// A LegacyInt: the object header and one C long, 24 bytes on 64-bit
/// builds, as Python 2's `PyIntObject`.
#[repr(C)]
pub struct LegacyIntObject {
    pub ob_base: ffi::PyObject,
    pub ob_ival: c_long,
}

// SAFETY: the second word of a LegacyInt is its header's `ob_type` (checked
// below on the builds that can import the module: free-threaded builds
// refuse to), which `try_init_inline` writes before anyone sees
// the object and which points at a type object, never at the arena's
// FREE_MARK.
unsafe impl PoolSlot for LegacyIntObject {}
#[cfg(not(Py_GIL_DISABLED))]
const _: () = assert!(std::mem::offset_of!(ffi::PyObject, ob_type) == std::mem::size_of::<usize>());

/// The type object, made once per process and never freed: LegacyInts can
/// outlive the module, and exact ones hold no reference to it.
pub(super) static TYPE: GilCell<*mut ffi::PyTypeObject> = GilCell::new(ptr::null_mut());

/// The int pool.
pub(super) static POOL: Pool<LegacyIntObject> = Pool::new();

/// The pooled int type.
pub struct LegacyInt;

/// The C long in an exact int, without setting an error: None if it does
/// not fit.
///
/// # Safety
/// The GIL is held and `n` is a live exact int.
#[inline]
pub(super) unsafe fn exact_int_as_long(n: *mut ffi::PyObject) -> Option<c_long> {
    let mut overflow: c_int = 0;
    // SAFETY: GIL held, n a live exact int: no __index__ runs, no error is
    // set for a value out of range.
    let value = unsafe { ffi::PyLong_AsLongAndOverflow(n, &mut overflow) };
    (overflow == 0).then_some(value)
}

/// Whether `obj` is a LegacyInt or an instance of a subclass.
///
/// # Safety
/// The GIL is held and `obj` is live.
#[inline(always)]
pub unsafe fn is_legacy_int(obj: *mut ffi::PyObject) -> bool {
    // SAFETY: GIL held, obj live.
    unsafe { is_instance::<LegacyInt>(obj) }
}

/// The value of a LegacyInt (a subclass instance included).
///
/// # Safety
/// `obj` is a live LegacyInt or subclass instance.
#[inline(always)]
pub unsafe fn value_of(obj: *mut ffi::PyObject) -> c_long {
    // SAFETY: as LegacyInt::read.
    unsafe { LegacyInt::read(obj) }
}
