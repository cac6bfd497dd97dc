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

use crate::legacy_int::{is_legacy_int, legacy_int_type, value_of};
use crate::type_support::{delegate_with, delegation, map_tuple, BinaryFunc};
use crate::{compact_long, int_pool};
use pyo3::ffi;
use std::ffi::CStr;
use std::os::raw::{c_int, c_long};

/// The value of an operand that is a LegacyInt, or an int (bool included)
/// that fits a C long; None for anything else. Reads no user code: an int
/// subclass's value is read as int's own operations read it.
///
/// # Safety
/// The GIL is held and `obj` is live.
#[inline(always)]
unsafe fn long_operand(obj: *mut ffi::PyObject) -> Option<c_long> {
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
        }
        if is_legacy_int(obj) {
            return Some(value_of(obj));
        }
        if ffi::PyLong_Check(obj) != 0 {
            let mut overflow: c_int = 0;
            let value = ffi::PyLong_AsLongAndOverflow(obj, &mut overflow);
            if overflow == 0 {
                return Some(value);
            }
        }
        None
    }
}

/// A new reference to NotImplemented.
///
/// # Safety
/// The GIL is held.
#[inline]
unsafe fn not_implemented() -> *mut ffi::PyObject {
    // SAFETY: GIL held.
    unsafe { ffi::compat::Py_NewRef(ffi::Py_NotImplemented()) }
}

/// The object int's operations should see for `obj`: a new int for a
/// LegacyInt, `obj` itself (a new reference) for anything else.
///
/// # Safety
/// The GIL is held and `obj` is live.
unsafe fn as_python_number(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj live.
    unsafe {
        if is_legacy_int(obj) {
            ffi::PyLong_FromLong(value_of(obj))
        } else {
            ffi::compat::Py_NewRef(obj)
        }
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

/// `slow` with the pooled operand replaced by its plain value (see
/// `type_support::delegate_with`).
///
/// # Safety
/// The GIL is held, `a` and `b` are live.
#[inline]
unsafe fn delegate(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
    slow: BinaryFunc,
    trusted: bool,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a and b live (caller's contract).
    unsafe { delegate_with(a, b, slow, as_python_number, into_pool_deep, trusted) }
}

/// Whether the operand that is not ours may be handed to int's operation
/// (see `type_support::delegation`); None: NotImplemented.
///
/// # Safety
/// The GIL is held, `a` and `b` are live, and one of them is a LegacyInt.
#[inline]
unsafe fn delegation_for(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
    names: (&CStr, &CStr),
) -> Option<bool> {
    // SAFETY: GIL held, a and b live.
    unsafe {
        if is_legacy_int(a) {
            delegation(b, names.0, names.1, false)
        } else {
            delegation(a, names.0, names.1, true)
        }
    }
}

/// A binary operation: `fast` on two C longs (None: leave it to int), int's
/// own operation for the other builtin numbers, NotImplemented for the rest.
///
/// # Safety
/// The GIL is held, `a` and `b` are live, one of them a LegacyInt.
#[inline(always)]
unsafe fn binary(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
    fast: fn(c_long, c_long) -> Option<c_long>,
    slow: BinaryFunc,
    names: (&CStr, &CStr),
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a and b live.
    unsafe {
        if let (Some(x), Some(y)) = (long_operand(a), long_operand(b)) {
            return match fast(x, y) {
                Some(r) => int_pool::from_long(r),
                None => delegate(a, b, slow, true),
            };
        }
        match delegation_for(a, b, names) {
            Some(trusted) => delegate(a, b, slow, trusted),
            None => not_implemented(),
        }
    }
}

macro_rules! binary_slot {
    ($name:ident, $fast:expr, $slow:path, $forward:literal, $reflected:literal) => {
        pub unsafe extern "C" fn $name(
            a: *mut ffi::PyObject,
            b: *mut ffi::PyObject,
        ) -> *mut ffi::PyObject {
            // SAFETY: called by the interpreter with the GIL held and two
            // live operands, one of them a LegacyInt.
            unsafe { binary(a, b, $fast, $slow, ($forward, $reflected)) }
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

binary_slot!(
    nb_add,
    c_long::checked_add,
    ffi::PyNumber_Add,
    c"__add__",
    c"__radd__"
);
binary_slot!(
    nb_subtract,
    c_long::checked_sub,
    ffi::PyNumber_Subtract,
    c"__sub__",
    c"__rsub__"
);
binary_slot!(
    nb_multiply,
    c_long::checked_mul,
    ffi::PyNumber_Multiply,
    c"__mul__",
    c"__rmul__"
);
binary_slot!(
    nb_floor_divide,
    floor_div,
    ffi::PyNumber_FloorDivide,
    c"__floordiv__",
    c"__rfloordiv__"
);
binary_slot!(
    nb_remainder,
    floor_mod,
    ffi::PyNumber_Remainder,
    c"__mod__",
    c"__rmod__"
);
binary_slot!(
    nb_lshift,
    lshift,
    ffi::PyNumber_Lshift,
    c"__lshift__",
    c"__rlshift__"
);
binary_slot!(
    nb_rshift,
    rshift,
    ffi::PyNumber_Rshift,
    c"__rshift__",
    c"__rrshift__"
);
binary_slot!(
    nb_and,
    |a, b| Some(a & b),
    ffi::PyNumber_And,
    c"__and__",
    c"__rand__"
);
binary_slot!(
    nb_or,
    |a, b| Some(a | b),
    ffi::PyNumber_Or,
    c"__or__",
    c"__ror__"
);
binary_slot!(
    nb_xor,
    |a, b| Some(a ^ b),
    ffi::PyNumber_Xor,
    c"__xor__",
    c"__rxor__"
);

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
        if let (Some(x), Some(y)) = (long_operand(a), long_operand(b)) {
            if y != 0 && x.unsigned_abs() <= EXACT && y.unsigned_abs() <= EXACT {
                return ffi::PyFloat_FromDouble(x as f64 / y as f64);
            }
            return delegate(a, b, ffi::PyNumber_TrueDivide, true);
        }
        match delegation_for(a, b, (c"__truediv__", c"__rtruediv__")) {
            Some(trusted) => delegate(a, b, ffi::PyNumber_TrueDivide, trusted),
            None => not_implemented(),
        }
    }
}

/// `divmod(a, b)`: a tuple of two LegacyInts (or ints, where they do not fit).
pub unsafe extern "C" fn nb_divmod(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a and b live (called by the interpreter). The two
    // results are moved into the tuple or released.
    unsafe {
        if let (Some(x), Some(y)) = (long_operand(a), long_operand(b)) {
            let (Some(q), Some(r)) = (floor_div(x, y), floor_mod(x, y)) else {
                return delegate(a, b, ffi::PyNumber_Divmod, true);
            };
            let q = int_pool::from_long(q);
            if q.is_null() {
                return q;
            }
            let r = int_pool::from_long(r);
            if r.is_null() {
                ffi::Py_DECREF(q);
                return r;
            }
            let pair = ffi::PyTuple_Pack(2, q, r);
            ffi::Py_DECREF(q);
            ffi::Py_DECREF(r);
            return pair;
        }
        match delegation_for(a, b, (c"__divmod__", c"__rdivmod__")) {
            Some(trusted) => delegate(a, b, ffi::PyNumber_Divmod, trusted),
            None => not_implemented(),
        }
    }
}

/// `a ** b` and `pow(a, b, m)`.
pub unsafe extern "C" fn nb_power(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
    m: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a, b and m live (called by the interpreter). The
    // temporaries are released on every path.
    unsafe {
        if m == ffi::Py_None() {
            unsafe extern "C" fn pow2(
                x: *mut ffi::PyObject,
                y: *mut ffi::PyObject,
            ) -> *mut ffi::PyObject {
                // SAFETY: GIL held, live operands (delegate's contract).
                unsafe { ffi::PyNumber_Power(x, y, ffi::Py_None()) }
            }
            return binary(a, b, power, pow2, (c"__pow__", c"__rpow__"));
        }
        // Three-argument pow is int's, with int's errors (a float anywhere, a
        // zero modulus, a non-invertible base), for ints and LegacyInts;
        // anything else answers through NotImplemented.
        for obj in [a, b, m] {
            if long_operand(obj).is_none()
                && !(ffi::PyLong_CheckExact(obj) != 0 || ffi::PyFloat_CheckExact(obj) != 0)
            {
                return not_implemented();
            }
        }
        let x = as_python_number(a);
        if x.is_null() {
            return x;
        }
        let y = as_python_number(b);
        if y.is_null() {
            ffi::Py_DECREF(x);
            return y;
        }
        let z = as_python_number(m);
        if z.is_null() {
            ffi::Py_DECREF(x);
            ffi::Py_DECREF(y);
            return z;
        }
        let result = ffi::PyNumber_Power(x, y, z);
        ffi::Py_DECREF(x);
        ffi::Py_DECREF(y);
        ffi::Py_DECREF(z);
        into_pool(result)
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
