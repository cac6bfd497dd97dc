//! LegacyInt's number protocol, comparison and hash: the slots.
//!
//! The rule is Python 2's: an integer result that fits a C long is a
//! LegacyInt from the pool; one that does not is a plain Python int (Python 2
//! promoted int to long, never wrapping); float and complex results stay what
//! they are. Both operands being C longs is the fast path, computed in Rust
//! with overflow checks. Everything else (a big int, a float, a zero divisor,
//! a negative shift, an overflow, a subclass, a foreign number) goes to the
//! dispatch, which answers as int would (`crate::pooled::dispatch`), and an
//! int's result comes back into the pool if it fits.

use super::value::{is_legacy_int, LegacyInt};
use crate::capi::int_layout;
use crate::capi::numeric_hash;
use crate::capi::owned::Owned;
use crate::capi::rich_compare;
use crate::capi::type_spec::slot;
use crate::pooled::delegated::map_tuple;
use crate::pooled::dispatch;
use crate::pooled::lifecycle::identity;
use crate::pooled::PooledType;
use crate::pooled::{binary_slot, is_subclass_instance, type_object};
use pyo3::ffi;
use std::os::raw::{c_int, c_long, c_void};

/// The slots of the number protocol, comparison and hash.
pub fn slots() -> Vec<ffi::PyType_Slot> {
    let entries: [(c_int, *mut c_void); 24] = [
        (ffi::Py_tp_hash, tp_hash as *mut c_void),
        (ffi::Py_tp_richcompare, tp_richcompare as *mut c_void),
        (ffi::Py_nb_add, nb_add as *mut c_void),
        (ffi::Py_nb_subtract, nb_subtract as *mut c_void),
        (ffi::Py_nb_multiply, nb_multiply as *mut c_void),
        (
            ffi::Py_nb_inplace_multiply,
            dispatch::nb_inplace_multiply::<LegacyInt> as *mut c_void,
        ),
        (ffi::Py_nb_floor_divide, nb_floor_divide as *mut c_void),
        (ffi::Py_nb_true_divide, nb_true_divide as *mut c_void),
        (ffi::Py_nb_remainder, nb_remainder as *mut c_void),
        (ffi::Py_nb_divmod, nb_divmod as *mut c_void),
        (ffi::Py_nb_power, nb_power as *mut c_void),
        (ffi::Py_nb_lshift, nb_lshift as *mut c_void),
        (ffi::Py_nb_rshift, nb_rshift as *mut c_void),
        (ffi::Py_nb_and, nb_and as *mut c_void),
        (ffi::Py_nb_or, nb_or as *mut c_void),
        (ffi::Py_nb_xor, nb_xor as *mut c_void),
        (ffi::Py_nb_negative, nb_negative as *mut c_void),
        (ffi::Py_nb_positive, nb_positive as *mut c_void),
        (ffi::Py_nb_absolute, nb_absolute as *mut c_void),
        (ffi::Py_nb_invert, nb_invert as *mut c_void),
        (ffi::Py_nb_bool, nb_bool as *mut c_void),
        (ffi::Py_nb_int, nb_int as *mut c_void),
        (ffi::Py_nb_index, nb_int as *mut c_void),
        (ffi::Py_nb_float, nb_float as *mut c_void),
    ];
    entries.into_iter().map(|(id, f)| slot(id, f)).collect()
}

/// The value of an operand that is a LegacyInt (a subclass instance
/// included) or an exact int that fits a C long; None for anything else,
/// int subclasses included: CPython lets those go first against an int, so
/// they take the dispatch. Reads no user code.
///
/// # Safety
/// The GIL is held and `obj` is live.
#[inline(always)]
pub(super) unsafe fn pooled_or_exact_long(obj: *mut ffi::PyObject) -> Option<c_long> {
    // SAFETY: GIL held, obj live.
    unsafe {
        // The common operands first: the exact type checks are one compare,
        // the subclass check walks the MRO.
        if let Some(value) = exact_long(obj) {
            return Some(value);
        }
        // exact_long took one-digit exact ints; this compare, made again,
        // sends the bigger ones to the API instead of walking int's MRO.
        if ffi::PyLong_CheckExact(obj) != 0 {
            let mut overflow: c_int = 0;
            let value = ffi::PyLong_AsLongAndOverflow(obj, &mut overflow);
            return (overflow == 0).then_some(value);
        }
        if is_subclass_instance::<LegacyInt>(obj) {
            return Some(LegacyInt::read_instance(obj));
        }
        None
    }
}

/// `pooled_or_exact_long` without a call: an exact LegacyInt, or an exact
/// int read in place (one digit).
///
/// # Safety
/// The GIL is held and `obj` is live.
#[inline(always)]
pub(super) unsafe fn exact_long(obj: *mut ffi::PyObject) -> Option<c_long> {
    // SAFETY: GIL held, obj live.
    unsafe {
        if ffi::Py_TYPE(obj) == type_object::<LegacyInt>() {
            return Some(LegacyInt::read_instance(obj));
        }
        if ffi::PyLong_CheckExact(obj) != 0 {
            return int_layout::read(obj);
        }
        None
    }
}

/// Brings a result of int's own into the pool: an exact int that fits a C
/// long becomes a LegacyInt (Python 2's rule; a bigger one stays an int, as
/// Python 2 promoted int to long); anything else is returned as it is.
///
/// # Safety
/// The GIL is held.
pub unsafe fn into_pool(result: Owned) -> Option<Owned> {
    // SAFETY: GIL held; `result` is a live object.
    unsafe {
        if ffi::PyLong_CheckExact(result.as_ptr()) == 0 {
            return Some(result);
        }
        let mut overflow: c_int = 0;
        let value = ffi::PyLong_AsLongAndOverflow(result.as_ptr(), &mut overflow);
        if overflow != 0 {
            return Some(result);
        }
        Owned::new(LegacyInt::from_value(value))
    }
}

/// `into_pool`, and for a tuple (divmod, as_integer_ratio) on each item.
///
/// # Safety
/// The GIL is held.
pub unsafe fn into_pool_deep(result: Owned) -> Option<Owned> {
    // SAFETY: GIL held; ownership of `result` passes on.
    unsafe {
        if ffi::PyTuple_CheckExact(result.as_ptr()) != 0 {
            map_tuple(result, into_pool_deep)
        } else {
            into_pool(result)
        }
    }
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

binary_slot!(LegacyInt, nb_add, c_long::checked_add, dispatch::ADD);
binary_slot!(
    LegacyInt,
    nb_subtract,
    c_long::checked_sub,
    dispatch::SUBTRACT
);
binary_slot!(
    LegacyInt,
    nb_multiply,
    c_long::checked_mul,
    dispatch::MULTIPLY
);
binary_slot!(
    LegacyInt,
    nb_floor_divide,
    floor_div,
    dispatch::FLOOR_DIVIDE
);
binary_slot!(LegacyInt, nb_remainder, floor_mod, dispatch::REMAINDER);
binary_slot!(LegacyInt, nb_lshift, lshift, dispatch::LSHIFT);
binary_slot!(LegacyInt, nb_rshift, rshift, dispatch::RSHIFT);
binary_slot!(LegacyInt, nb_and, |a, b| Some(a & b), dispatch::AND);
binary_slot!(LegacyInt, nb_or, |a, b| Some(a | b), dispatch::OR);
binary_slot!(LegacyInt, nb_xor, |a, b| Some(a ^ b), dispatch::XOR);

/// `a / b`: always a float (or complex), exactly as int gives it.
unsafe extern "C" fn nb_true_divide(
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
        dispatch::binary::<LegacyInt>(a, b, dispatch::TRUE_DIVIDE)
    }
}

/// `divmod(a, b)`: a tuple of two LegacyInts (or ints, where they do not fit).
unsafe extern "C" fn nb_divmod(a: *mut ffi::PyObject, b: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a and b live (called by the interpreter); each
    // result is owned until the tuple takes it.
    unsafe {
        if let (Some(x), Some(y)) = (pooled_or_exact_long(a), pooled_or_exact_long(b)) {
            if let (Some(q), Some(r)) = (floor_div(x, y), floor_mod(x, y)) {
                let Some(q) = Owned::new(LegacyInt::from_value(q)) else {
                    return std::ptr::null_mut();
                };
                let Some(r) = Owned::new(LegacyInt::from_value(r)) else {
                    return std::ptr::null_mut();
                };
                return ffi::PyTuple_Pack(2, q.as_ptr(), r.as_ptr());
            }
        }
        dispatch::binary::<LegacyInt>(a, b, dispatch::DIVMOD)
    }
}

/// `a ** b` and `pow(a, b, m)`.
unsafe extern "C" fn nb_power(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
    m: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a, b and m live (called by the interpreter).
    unsafe {
        if m == ffi::Py_None() {
            if let (Some(x), Some(y)) = (pooled_or_exact_long(a), pooled_or_exact_long(b)) {
                if let Some(r) = power(x, y) {
                    return LegacyInt::from_value(r);
                }
            }
        }
        // Three-argument pow, a negative exponent, an overflow, a float
        // anywhere: int's business, with every pooled operand (the modulus
        // too) replaced, so that no slot can send it back here.
        dispatch::power::<LegacyInt>(a, b, m)
    }
}

/// A unary operation: `fast` on the C long, else `slow` (int's own) on an
/// int, its result brought back.
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
        if let Some(r) = fast(LegacyInt::read_instance(a)) {
            return LegacyInt::from_value(r);
        }
        let Some(x) = Owned::new(ffi::PyLong_FromLong(LegacyInt::read_instance(a))) else {
            return std::ptr::null_mut();
        };
        Owned::new(slow(x.as_ptr()))
            .and_then(|r| into_pool(r))
            .map_or(std::ptr::null_mut(), Owned::into_ptr)
    }
}

unsafe extern "C" fn nb_negative(a: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a live LegacyInt (called by the interpreter).
    unsafe { unary(a, c_long::checked_neg, ffi::PyNumber_Negative) }
}

unsafe extern "C" fn nb_absolute(a: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a live LegacyInt (called by the interpreter).
    unsafe { unary(a, c_long::checked_abs, ffi::PyNumber_Absolute) }
}

unsafe extern "C" fn nb_invert(a: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a live LegacyInt (called by the interpreter).
    unsafe { unary(a, |v| Some(!v), ffi::PyNumber_Invert) }
}

unsafe extern "C" fn nb_positive(a: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a a live LegacyInt.
    unsafe { identity::<LegacyInt>(a) }
}

unsafe extern "C" fn nb_bool(obj: *mut ffi::PyObject) -> c_int {
    // SAFETY: obj is a live LegacyInt.
    (unsafe { LegacyInt::read_instance(obj) } != 0) as c_int
}

/// `int(x)` and `operator.index(x)`: an exact int, as both must give.
unsafe extern "C" fn nb_int(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyInt.
    unsafe { ffi::PyLong_FromLong(LegacyInt::read_instance(obj)) }
}

unsafe extern "C" fn nb_float(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // `as` rounds to nearest, ties to even: what float(int) does.
    // SAFETY: GIL held, obj a live LegacyInt.
    unsafe { ffi::PyFloat_FromDouble(LegacyInt::read_instance(obj) as f64) }
}

/// `hash(v)` of the Python int `v`: `v` modulo the Mersenne prime
/// 2**61 - 1 (2**31 - 1 with a 32-bit hash), with the sign of `v`, and -1
/// turned into -2, as CPython's numeric hash defines it.
pub fn hash_of_long(value: c_long) -> ffi::Py_hash_t {
    // c_ulong is 32 bits where long is (Windows): widen before the modulo.
    #[allow(clippy::unnecessary_cast)]
    let magnitude = (value.unsigned_abs() as u64 % numeric_hash::MODULUS) as ffi::Py_hash_t;
    let hash = if value < 0 { -magnitude } else { magnitude };
    if hash == -1 {
        -2
    } else {
        hash
    }
}

unsafe extern "C" fn tp_hash(obj: *mut ffi::PyObject) -> ffi::Py_hash_t {
    // SAFETY: obj is a live LegacyInt.
    hash_of_long(unsafe { LegacyInt::read_instance(obj) })
}

unsafe extern "C" fn tp_richcompare(
    obj: *mut ffi::PyObject,
    other: *mut ffi::PyObject,
    op: c_int,
) -> *mut ffi::PyObject {
    // SAFETY: called with the GIL held; `obj` is a LegacyInt (the interpreter
    // calls a type's tp_richcompare with an instance of it first).
    unsafe {
        let a = LegacyInt::read_instance(obj);
        let ordering = if is_legacy_int(other) {
            a.cmp(&LegacyInt::read_instance(other))
        } else if ffi::PyLong_CheckExact(other) != 0 {
            let mut overflow: c_int = 0;
            let b = ffi::PyLong_AsLongAndOverflow(other, &mut overflow);
            if overflow != 0 {
                0.cmp(&overflow) // beyond either end of a C long
            } else {
                a.cmp(&b)
            }
        } else {
            // Int subclasses (which go first against an int), floats,
            // Fraction, Decimal, anything: as int would be answered.
            return dispatch::richcompare::<LegacyInt>(obj, other, op);
        };
        rich_compare::answer(Some(ordering), op)
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
    fn hash_matches_cpythons_numeric_hash() {
        let m = crate::capi::numeric_hash::MODULUS as i64;
        assert_eq!(hash_of_long(0), 0);
        assert_eq!(hash_of_long(5), 5);
        assert_eq!(hash_of_long(-1), -2);
        assert_eq!(hash_of_long(-2), -2);
        assert_eq!(hash_of_long(m), 0);
        assert_eq!(hash_of_long(m + 1), 1);
        assert_eq!(hash_of_long(i64::MAX) as i64, i64::MAX % m);
        assert_eq!(
            hash_of_long(i64::MIN) as i64,
            -(((1i128 << 63) % m as i128) as i64)
        );
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
