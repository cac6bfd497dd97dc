//! CPython's own numeric types: the tower bool < int < float < complex
//! (Lib/numbers.py's, less Fraction and Decimal, which are Python code).
//! Their slots are builtin code: a result one of them gave came from no
//! user's method, which is what the pooled types' dispatch needs to know
//! before it brings a result into a pool.

use pyo3::ffi;
use std::ptr;

/// The builtin numeric types' objects.
pub fn builtin_numbers() -> [*mut ffi::PyTypeObject; 4] {
    // Only the addresses of CPython's static type objects: nothing is read.
    [
        ptr::addr_of_mut!(ffi::PyBool_Type),
        ptr::addr_of_mut!(ffi::PyLong_Type),
        ptr::addr_of_mut!(ffi::PyFloat_Type),
        ptr::addr_of_mut!(ffi::PyComplex_Type),
    ]
}
