//! Reading a small exact int without a call into the interpreter.
//!
//! `LegacyInt(x)` for an int `x` is the hot path of the constructor, and
//! `PyLong_AsLongAndOverflow` is a general function (any size, `__index__`,
//! error handling) called through the PLT. Most ints are one digit long;
//! their value can be read in place, which is what 3.12's public unstable
//! API `PyUnstable_Long_CompactValue` does inline:
//!
//! - 3.12 and newer: after the header, `lv_tag` holds the digit count
//!   (shifted left by 3) and the sign (0 positive, 1 zero, 2 negative in its
//!   low 2 bits); a compact int has `lv_tag < 16` and its magnitude in the
//!   first digit.
//! - 3.10 and 3.11: a variable-size header whose `ob_size` is the signed digit
//!   count, followed by the digits; `|ob_size| <= 1` is one digit.
//!
//! The reader checks itself at import against `PyLong_AsLong` on values
//! that exercise the sign and the digit width; if the layout is not the one
//! expected (an unusual build with 15-bit digits, say), the fast path stays
//! off and every read goes through the C API. It also stays off on a
//! CPython newer than the newest checked (`checked_cpython`), whose layout
//! could pass the probes by chance and differ elsewhere.

use crate::capi::gil_cell::GilCell;
use crate::capi::owned::Owned;
use pyo3::ffi;
use std::os::raw::c_long;

/// One digit of an int: 30 bits in a u32 on every build this reads (the
/// self-check below refuses any other width).
type Digit = u32;

/// The head of an int object on 3.12 and newer (`_PyLongValue`).
#[cfg(Py_3_12)]
#[repr(C)]
struct LongObject {
    ob_base: ffi::PyObject,
    /// Digit count << 3, then the sign in the low 2 bits: 0 positive,
    /// 1 zero, 2 negative.
    lv_tag: usize,
    ob_digit: [Digit; 1],
}

/// The head of an int object before 3.12: a variable-size object whose
/// `ob_size` is the signed digit count.
#[cfg(not(Py_3_12))]
#[repr(C)]
struct LongObject {
    ob_base: ffi::PyVarObject,
    ob_digit: [Digit; 1],
}

/// Whether the self-check at import passed.
static ENABLED: GilCell<bool> = GilCell::new(false);

/// The value of an exact int if it is one digit long (None: use the C API).
///
/// # Safety
/// The GIL is held and `n` is a live exact int.
#[inline(always)]
pub unsafe fn read(n: *mut ffi::PyObject) -> Option<c_long> {
    // SAFETY: GIL held; ENABLED only becomes true once `read_unchecked`
    // gave the C API's answers on this interpreter.
    unsafe {
        if !*ENABLED.get() {
            return None;
        }
        read_unchecked(n)
    }
}

/// # Safety
/// `n` is a live exact int of an interpreter laid out as `LongObject`.
#[inline(always)]
unsafe fn read_unchecked(n: *mut ffi::PyObject) -> Option<c_long> {
    let n = n.cast::<LongObject>();
    // SAFETY: an int object is at least the head plus one digit, except
    // zero before 3.12, whose digit is never read.
    unsafe {
        #[cfg(Py_3_12)]
        {
            let tag = (*n).lv_tag;
            if tag >= 16 {
                return None;
            }
            if tag & 3 == 1 {
                return Some(0); // zero: no digit to read
            }
            let digit = (*n).ob_digit[0] as c_long;
            Some((1 - (tag & 3) as c_long) * digit)
        }
        #[cfg(not(Py_3_12))]
        {
            let size = (*n).ob_base.ob_size;
            if !(-1..=1).contains(&size) {
                return None;
            }
            if size == 0 {
                return Some(0); // zero may have no digit allocated
            }
            Some(size as c_long * (*n).ob_digit[0] as c_long)
        }
    }
}

/// Turns the fast path on if it reads what the C API reads on a set of
/// probes; leaves it off otherwise. Returns whether it is on.
///
/// # Safety
/// The GIL is held.
pub unsafe fn enable_if_layout_matches() -> bool {
    // A CPython newer than the newest checked (`checked_cpython`) is read
    // through the C API until its layout has been checked.
    if !cfg!(legacyint_checked_layout) {
        return false;
    }
    const DIGIT_MAX: c_long = (1 << 30) - 1;
    let probes: [c_long; 11] = [
        0,
        1,
        -1,
        7,
        -7,
        12345,
        1 << 15,
        -(1 << 16),
        DIGIT_MAX,
        -DIGIT_MAX,
        1 << 30,
    ];
    let mut matches = true;
    for value in probes {
        // SAFETY: GIL held; each probe is a new int released before the next.
        unsafe {
            let Some(n) = Owned::new(ffi::PyLong_FromLong(value)) else {
                ffi::PyErr_Clear();
                return false;
            };
            let read = read_unchecked(n.as_ptr());
            // One-digit values must read exactly; 2**30 is two digits and
            // must be refused (that is what pins the digit width to 30 bits).
            let expected = if value.unsigned_abs() <= DIGIT_MAX as u64 {
                Some(value)
            } else {
                None
            };
            matches &= read == expected;
        }
    }
    // SAFETY: GIL held.
    unsafe { *ENABLED.get() = matches };
    matches
}
