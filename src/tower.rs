//! The numeric tower as the pooled types meet it: Python's int below
//! float, and LegacyInt below LegacyFloat in the same way. float's
//! operations take an int as one of their own, so LegacyFloat takes a
//! LegacyInt; int's never take a float, so LegacyInt needs nothing from
//! LegacyFloat.
//!
//! Every rule that mixes the two pooled types is here, and only here: `int/`
//! and `float/` never import each other, and a third pooled type is one more
//! folder plus, if it sits above another in the tower, its lines here.

use crate::capi::owned::Owned;
use crate::int::number::into_pool as into_int_pool;
use crate::int::{is_legacy_int, LegacyInt};
use crate::pooled::PooledType;
use crate::pooled::{is_subclass_instance, type_object};
use pyo3::ffi;

/// The value of an instance of a LegacyInt subclass as float's arithmetic
/// takes it; None for anything else. For a reader that has tried
/// `exact_int_as_double` already. i64 to f64 rounds to nearest, ties to
/// even: `PyLong_AsDouble`'s rule for an int.
///
/// # Safety
/// The GIL is held and `obj` is live.
#[inline]
pub unsafe fn subclass_int_as_double(obj: *mut ffi::PyObject) -> Option<f64> {
    // SAFETY: GIL held, obj live (the caller's contract); read_instance
    // reads a LegacyInt subclass instance, which has just been checked.
    unsafe { is_subclass_instance::<LegacyInt>(obj).then(|| LegacyInt::read_instance(obj) as f64) }
}

/// The value of an exact LegacyInt as float's arithmetic takes it: one
/// compare, no call, for the number slots' inline path.
///
/// # Safety
/// The GIL is held and `obj` is live.
#[inline(always)]
pub unsafe fn exact_int_as_double(obj: *mut ffi::PyObject) -> Option<f64> {
    // SAFETY: GIL held, obj live; the type compare makes read_instance's read
    // of a LegacyInt sound.
    unsafe { is_exact_int(obj).then(|| LegacyInt::read_instance(obj) as f64) }
}

/// Whether `obj` is an exact LegacyInt, which stands for an exact int in
/// float's operations.
///
/// # Safety
/// The GIL is held and `obj` is live.
#[inline(always)]
pub unsafe fn is_exact_int(obj: *mut ffi::PyObject) -> bool {
    // SAFETY: GIL held, obj live.
    unsafe { ffi::Py_TYPE(obj) == type_object::<LegacyInt>() }
}

/// A new plain int for a LegacyInt (a subclass instance included), which
/// float's own slots then take as an int; None for anything else.
///
/// # Safety
/// The GIL is held and `obj` is live.
pub unsafe fn plain_int(obj: *mut ffi::PyObject) -> Option<*mut ffi::PyObject> {
    // SAFETY: GIL held, obj live and checked to be a LegacyInt.
    unsafe { is_legacy_int(obj).then(|| ffi::PyLong_FromLong(LegacyInt::read_instance(obj))) }
}

/// Brings an int that float's own code returned (`float.__floor__`,
/// `as_integer_ratio`'s items, `divmod`'s) into the int pool, as Python 2's
/// float gave ints; anything else is returned as it is.
///
/// # Safety
/// The GIL is held.
pub unsafe fn int_into_pool(result: Owned) -> Option<Owned> {
    // SAFETY: GIL held (the caller's contract); ownership passes on.
    unsafe { into_int_pool(result) }
}
