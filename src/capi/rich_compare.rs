//! What `tp_richcompare` returns for two values whose order is known: the
//! truth table of CPython's six comparison operators, written once for
//! every pooled type.

use super::owned::not_implemented;
use pyo3::ffi;
use std::cmp::Ordering;
use std::os::raw::{c_int, c_long};

/// `True` or `False` (a new reference) for comparison `op` of two values
/// ordered as `ordering`, where None means unordered (a NaN), which only
/// `!=` holds for, as IEEE and float say. NotImplemented for an `op` that
/// is none of the six.
///
/// # Safety
/// The GIL is held.
#[inline]
pub unsafe fn answer(ordering: Option<Ordering>, op: c_int) -> *mut ffi::PyObject {
    let holds = |wanted: fn(Ordering) -> bool| ordering.is_some_and(wanted);
    let truth = match op {
        ffi::Py_LT => holds(Ordering::is_lt),
        ffi::Py_LE => holds(Ordering::is_le),
        ffi::Py_EQ => holds(Ordering::is_eq),
        ffi::Py_NE => !holds(Ordering::is_eq),
        ffi::Py_GT => holds(Ordering::is_gt),
        ffi::Py_GE => holds(Ordering::is_ge),
        // SAFETY: GIL held (the caller's contract).
        _ => return unsafe { not_implemented() },
    };
    // SAFETY: GIL held.
    unsafe { ffi::PyBool_FromLong(truth as c_long) }
}
