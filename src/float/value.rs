//! The LegacyFloat object: its layout, its type and pool, reading its value
//! and making one. What every other part of `float` builds on.

use crate::arena::PoolSlot;
use crate::capi::gil_cell::GilCell;
use crate::pooled::is_instance;
use crate::pooled::pool::Pool;
use pyo3::ffi;
use std::ptr;

/// A LegacyFloat: the object header and one C double, 24 bytes on 64-bit
/// builds, as Python 2's `PyFloatObject`.
#[repr(C)]
pub struct LegacyFloatObject {
    pub ob_base: ffi::PyObject,
    pub ob_fval: f64,
}

// SAFETY: the second word of a LegacyFloat is its header's `ob_type` (checked
// below on the builds that can import the module: free-threaded builds
// refuse to), which `try_init_inline` writes before anyone sees
// the object and which points at a type object, never at the arena's
// FREE_MARK.
unsafe impl PoolSlot for LegacyFloatObject {}
#[cfg(not(Py_GIL_DISABLED))]
const _: () = assert!(std::mem::offset_of!(ffi::PyObject, ob_type) == std::mem::size_of::<usize>());

/// The type object, made once per process and never freed: exact
/// LegacyFloats hold no reference to it.
pub(super) static TYPE: GilCell<*mut ffi::PyTypeObject> = GilCell::new(ptr::null_mut());

/// The float pool.
pub(super) static POOL: Pool<LegacyFloatObject> = Pool::new();

/// The pooled float type.
pub struct LegacyFloat;

/// Whether `obj` is a LegacyFloat or an instance of a subclass.
///
/// # Safety
/// The GIL is held and `obj` is live.
#[inline(always)]
pub unsafe fn is_legacy_float(obj: *mut ffi::PyObject) -> bool {
    // SAFETY: GIL held, obj live.
    unsafe { is_instance::<LegacyFloat>(obj) }
}
