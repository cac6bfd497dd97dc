//! LegacyInt's number protocol: the `nb_*` slots.
//!
//! The rule is Python 2's: an integer result that fits a C long is a
//! LegacyInt from the pool; one that does not is a plain Python int (Python 2
//! promoted int to long, never wrapping); float and complex results stay what
//! they are. Both operands being C longs is the fast path, computed in Rust
//! with overflow checks. Everything else (a big int, a float, a zero divisor,
//! a negative shift, an overflow) is handed to the same operation on Python
//! ints, so that values and exceptions are int's own, and the result is then
//! brought back into the pool if it fits.

use crate::dispatch::{self, BinarySlot, Pooled};
use crate::legacy_int::{is_legacy_int, legacy_int_type, value_of};
use crate::owned::Owned;
use crate::type_support::map_tuple;
use crate::{compact_long, int_pool};
use pyo3::ffi;
use std::os::raw::{c_int, c_long};

/// The value of an operand that is a LegacyInt (a subclass instance
/// included) or an exact int that fits a C long; None for anything else,
/// int subclasses included: CPython lets those go first against an int, so
/// they take the dispatch. Reads no user code.
///
/// # Safety
/// The GIL is held and `obj` is live.
#[inline(always)]
unsafe fn pooled_or_exact_long(obj: *mut ffi::PyObject) -> Option<c_long> {
    // SAFETY: GIL held, obj live.
    unsafe {
        // The common operands first: the exact type checks are one compare,
        // the subclass check walks the MRO.
        if ffi::Py_TYPE(obj) == legacy_int_type() {
            return Some(value_of(obj));
        }
        if ffi::PyLong_CheckExact(obj) != 0 {
            if let Some(value) = compact_long::read(obj) {
                return Some(value);
            }
            let mut overflow: c_int = 0;
            let value = ffi::PyLong_AsLongAndOverflow(obj, &mut overflow);
            return (overflow == 0).then_some(value);
        }
        if is_legacy_int(obj) {
            return Some(value_of(obj));
        }
        None
    }
}

/// LegacyInt as the dispatch sees it: it stands for int.
pub struct IntKind;

impl Pooled for IntKind {
    unsafe fn plain(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
        // SAFETY: GIL held, obj live (the trait's contract).
        unsafe {
            if is_legacy_int(obj) {
                ffi::PyLong_FromLong(value_of(obj))
            } else {
                ffi::compat::Py_NewRef(obj)
            }
        }
    }

    unsafe fn is_exact_pooled(obj: *mut ffi::PyObject) -> bool {
        // SAFETY: GIL held, obj live (the trait's contract).
        unsafe { ffi::Py_TYPE(obj) == legacy_int_type() }
    }

    unsafe fn bring_back(result: Owned) -> Option<Owned> {
        // SAFETY: GIL held (the trait's contract); ownership passes on.
        unsafe { Owned::new(into_pool_deep(result.into_ptr())) }
    }
}

/// Brings a result of int's own into the pool: an exact int that fits a C
/// long becomes a LegacyInt (Python 2's rule); anything else is returned as
/// it is. Takes ownership of `result`, which may be null (an exception set).
///
/// # Safety
/// The GIL is held.
pub unsafe fn into_pool(result: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held; `result` is owned here and returned or released once.
    unsafe {
        if result.is_null() || ffi::PyLong_CheckExact(result) == 0 {
            return result;
        }
        let mut overflow: c_int = 0;
        let value = ffi::PyLong_AsLongAndOverflow(result, &mut overflow);
        if overflow != 0 {
            return result; // promoted, as Python 2 promoted to long
        }
        ffi::Py_DECREF(result);
        int_pool::from_long(value)
    }
}

/// `into_pool`, and for a tuple (divmod, as_integer_ratio) on each item.
///
/// # Safety
/// The GIL is held.
pub unsafe fn into_pool_deep(result: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held; ownership of `result` passes on.
    unsafe {
        if !result.is_null() && ffi::PyTuple_CheckExact(result) != 0 {
            map_tuple(result, into_pool_deep)
        } else {
            into_pool(result)
        }
    }
}

/// A binary operation: `fast` on two C longs, and whatever int would do
/// (see `dispatch`) when that does not apply or gives up (None).
///
/// # Safety
/// The GIL is held, `a` and `b` are live, one of them a LegacyInt.
#[inline(always)]
unsafe fn binary(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
    fast: fn(c_long, c_long) -> Option<c_long>,
    slot: BinarySlot,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a and b live.
    unsafe {
        if let (Some(x), Some(y)) = (pooled_or_exact_long(a), pooled_or_exact_long(b)) {
            if let Some(r) = fast(x, y) {
                return int_pool::from_long(r);
            }
        }
        dispatch::binary::<IntKind>(a, b, slot)
    }
}

macro_rules! binary_slot {
    ($name:ident, $fast:expr, $slot:path) => {
        pub unsafe extern "C" fn $name(
            a: *mut ffi::PyObject,
            b: *mut ffi::PyObject,
        ) -> *mut ffi::PyObject {
            // SAFETY: called by the interpreter with the GIL held and two
            // live operands, one of them a LegacyInt.
            unsafe { binary(a, b, $fast, $slot) }
        }
    };
}

/// Floor division as Python defines it. None for a zero divisor and for
/// `LONG_MIN // -1`, the one quotient a C long cannot hold.
fn floor_div(a: c_long, b: c_long) -> Option<c_long> {
    let q = a.checked_div(b)?;
    Some(if a % b != 0 && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    })
}

/// Python's modulo: the sign of the divisor. None for a zero divisor.
fn floor_mod(a: c_long, b: c_long) -> Option<c_long> {
    if b == 0 {
        return None;
    }
    // wrapping_rem: LONG_MIN % -1 is 0, and cannot overflow here.
    let r = a.wrapping_rem(b);
    Some(if r != 0 && ((r < 0) != (b < 0)) {
        r + b
    } else {
        r
    })
}

fn power(a: c_long, b: c_long) -> Option<c_long> {
    // A negative exponent gives a float: int's business.
    let exponent = u32::try_from(b).ok()?;
    a.checked_pow(exponent)
}

fn lshift(a: c_long, b: c_long) -> Option<c_long> {
    if b < 0 {
        return None; // ValueError, raised by int
    }
    if a == 0 {
        return Some(0);
    }
    if b >= c_long::BITS as c_long {
        return None;
    }
    let r = a << b;
    (r >> b == a).then_some(r)
}

fn rshift(a: c_long, b: c_long) -> Option<c_long> {
    if b < 0 {
        return None; // ValueError, raised by int
    }
    // An arithmetic shift is a floor division by 2**b, as int's >> is.
    Some(a >> b.min(c_long::BITS as c_long - 1))
}

binary_slot!(nb_add, c_long::checked_add, dispatch::ADD);
binary_slot!(nb_subtract, c_long::checked_sub, dispatch::SUBTRACT);
binary_slot!(nb_multiply, c_long::checked_mul, dispatch::MULTIPLY);
binary_slot!(nb_floor_divide, floor_div, dispatch::FLOOR_DIVIDE);
binary_slot!(nb_remainder, floor_mod, dispatch::REMAINDER);
binary_slot!(nb_lshift, lshift, dispatch::LSHIFT);
binary_slot!(nb_rshift, rshift, dispatch::RSHIFT);
binary_slot!(nb_and, |a, b| Some(a & b), dispatch::AND);
binary_slot!(nb_or, |a, b| Some(a | b), dispatch::OR);
binary_slot!(nb_xor, |a, b| Some(a ^ b), dispatch::XOR);

/// `a *= b`: see `dispatch::inplace_multiply`.
pub unsafe extern "C" fn nb_inplace_multiply(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a (a LegacyInt) and b live (called by the interpreter).
    unsafe { dispatch::inplace_multiply(a, b, nb_multiply) }
}

/// `a / b`: always a float (or complex), exactly as int gives it.
pub unsafe extern "C" fn nb_true_divide(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // Both exactly representable as doubles: one correctly rounded IEEE
    // division gives int's answer, as CPython's own fast path does.
    const EXACT: u64 = 1 << f64::MANTISSA_DIGITS;
    // SAFETY: GIL held, a and b live (called by the interpreter).
    unsafe {
        if let (Some(x), Some(y)) = (pooled_or_exact_long(a), pooled_or_exact_long(b)) {
            if y != 0 && x.unsigned_abs() <= EXACT && y.unsigned_abs() <= EXACT {
                return ffi::PyFloat_FromDouble(x as f64 / y as f64);
            }
        }
        dispatch::binary::<IntKind>(a, b, dispatch::TRUE_DIVIDE)
    }
}

/// `divmod(a, b)`: a tuple of two LegacyInts (or ints, where they do not fit).
pub unsafe extern "C" fn nb_divmod(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a and b live (called by the interpreter); each
    // result is owned until the tuple takes it.
    unsafe {
        if let (Some(x), Some(y)) = (pooled_or_exact_long(a), pooled_or_exact_long(b)) {
            if let (Some(q), Some(r)) = (floor_div(x, y), floor_mod(x, y)) {
                let Some(q) = Owned::new(int_pool::from_long(q)) else {
                    return std::ptr::null_mut();
                };
                let Some(r) = Owned::new(int_pool::from_long(r)) else {
                    return std::ptr::null_mut();
                };
                return ffi::PyTuple_Pack(2, q.as_ptr(), r.as_ptr());
            }
        }
        dispatch::binary::<IntKind>(a, b, dispatch::DIVMOD)
    }
}

/// `a ** b` and `pow(a, b, m)`.
pub unsafe extern "C" fn nb_power(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
    m: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a, b and m live (called by the interpreter).
    unsafe {
        if m == ffi::Py_None() {
            if let (Some(x), Some(y)) = (pooled_or_exact_long(a), pooled_or_exact_long(b)) {
                if let Some(r) = power(x, y) {
                    return int_pool::from_long(r);
                }
            }
        }
        // Three-argument pow, a negative exponent, an overflow, a float
        // anywhere: int's business, with every pooled operand (the modulus
        // too) replaced, so that no slot can send it back here.
        dispatch::power::<IntKind>(a, b, m)
    }
}

/// A unary operation: `fast` on the C long, else `slow` on an int.
///
/// # Safety
/// The GIL is held and `a` is a live LegacyInt.
unsafe fn unary(
    a: *mut ffi::PyObject,
    fast: fn(c_long) -> Option<c_long>,
    slow: unsafe extern "C" fn(*mut ffi::PyObject) -> *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a a live LegacyInt.
    unsafe {
        if let Some(r) = fast(value_of(a)) {
            return int_pool::from_long(r);
        }
        let x = ffi::PyLong_FromLong(value_of(a));
        if x.is_null() {
            return x;
        }
        let result = slow(x);
        ffi::Py_DECREF(x);
        into_pool(result)
    }
}

pub unsafe extern "C" fn nb_negative(a: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a live LegacyInt (called by the interpreter).
    unsafe { unary(a, c_long::checked_neg, ffi::PyNumber_Negative) }
}

pub unsafe extern "C" fn nb_absolute(a: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a live LegacyInt (called by the interpreter).
    unsafe { unary(a, c_long::checked_abs, ffi::PyNumber_Absolute) }
}

pub unsafe extern "C" fn nb_invert(a: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a live LegacyInt (called by the interpreter).
    unsafe { unary(a, |v| Some(!v), ffi::PyNumber_Invert) }
}

/// `+a`, and every operation that is the identity on an int (`__trunc__`,
/// `__floor__`, `__ceil__`, `conjugate`, `real`, `numerator`, `round()`):
/// the object itself for an exact LegacyInt, as int returns itself, and a
/// LegacyInt of the same value for a subclass instance.
pub unsafe extern "C" fn nb_positive(a: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a a live LegacyInt.
    unsafe {
        if ffi::Py_TYPE(a) == legacy_int_type() {
            ffi::compat::Py_NewRef(a)
        } else {
            int_pool::from_long(value_of(a))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn python_floor_div(a: i128, b: i128) -> i128 {
        let q = a / b;
        if a % b != 0 && ((a < 0) != (b < 0)) {
            q - 1
        } else {
            q
        }
    }

    #[test]
    fn floor_division_and_modulo_follow_python() {
        let values = [
            c_long::MIN,
            c_long::MIN + 1,
            -7,
            -1,
            0,
            1,
            3,
            7,
            c_long::MAX,
        ];
        for &a in &values {
            for &b in &values {
                if b == 0 {
                    assert_eq!((floor_div(a, b), floor_mod(a, b)), (None, None));
                    continue;
                }
                let q = python_floor_div(a as i128, b as i128);
                let r = a as i128 - q * b as i128;
                assert_eq!(
                    floor_div(a, b).map(i128::from),
                    c_long::try_from(q).ok().map(i128::from)
                );
                assert_eq!(floor_mod(a, b).map(i128::from), Some(r));
            }
        }
    }

    #[test]
    fn shifts_refuse_what_does_not_fit() {
        assert_eq!(lshift(1, 62), Some(1 << 62));
        assert_eq!(lshift(1, 63), None);
        assert_eq!(lshift(-1, 63), Some(c_long::MIN));
        assert_eq!(lshift(0, 1000), Some(0));
        assert_eq!(lshift(5, -1), None);
        assert_eq!(rshift(-5, 1), Some(-3));
        assert_eq!(rshift(-5, 1000), Some(-1));
        assert_eq!(rshift(5, 1000), Some(0));
        assert_eq!(rshift(5, -1), None);
    }

    #[test]
    fn power_overflows_to_none() {
        assert_eq!(power(2, 62), Some(1 << 62));
        assert_eq!(power(2, 63), None);
        assert_eq!(power(-2, 63), Some(c_long::MIN));
        assert_eq!(power(2, -1), None);
        assert_eq!(power(1, c_long::MAX), None);
    }
}
