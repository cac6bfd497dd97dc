//! The LegacyInt object: its layout, its type and pool, and reading its
//! value. What every other part of `int` builds on.

use crate::arena::PoolSlot;
use crate::capi::gil_cell::GilCell;
use crate::pooled::is_instance;
use crate::pooled::pool::Pool;
use pyo3::ffi;
use std::os::raw::c_long;
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

/// Whether `obj` is a LegacyInt or an instance of a subclass.
///
/// # Safety
/// The GIL is held and `obj` is live.
#[inline(always)]
pub unsafe fn is_legacy_int(obj: *mut ffi::PyObject) -> bool {
    // SAFETY: GIL held, obj live.
    unsafe { is_instance::<LegacyInt>(obj) }
}
