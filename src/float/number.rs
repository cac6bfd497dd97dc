//! LegacyFloat's number protocol, comparison and hash: the slots.
//!
//! Arithmetic on two doubles (LegacyFloats, floats, LegacyInts, one-digit
//! ints) is IEEE arithmetic, done here; everything else (`//`, `%`, `**`, a
//! zero divisor, a big int, a subclass, a foreign number) goes to the
//! dispatch, which answers as float would (`crate::pooled::dispatch`), and
//! float's results come back from the float pool.

use super::hash::hash_of_double;
use super::value::{is_legacy_float, LegacyFloat};
use crate::capi::int_layout;
use crate::capi::owned::Owned;
use crate::capi::rich_compare;
use crate::capi::type_spec::slot;
use crate::pooled::delegated::map_tuple;
use crate::pooled::dispatch;
use crate::pooled::lifecycle::identity;
use crate::pooled::PooledType;
use crate::pooled::{binary_slot, is_subclass_instance, type_object};
use crate::tower;
use pyo3::ffi;
use std::os::raw::{c_int, c_void};
use std::ptr;

/// The slots of the number protocol, comparison and hash.
pub fn slots() -> Vec<ffi::PyType_Slot> {
    let entries: [(c_int, *mut c_void); 17] = [
        (ffi::Py_tp_hash, tp_hash as *mut c_void),
        (ffi::Py_tp_richcompare, tp_richcompare as *mut c_void),
        (ffi::Py_nb_add, nb_add as *mut c_void),
        (ffi::Py_nb_subtract, nb_subtract as *mut c_void),
        (ffi::Py_nb_multiply, nb_multiply as *mut c_void),
        (
            ffi::Py_nb_inplace_multiply,
            dispatch::nb_inplace_multiply::<LegacyFloat> as *mut c_void,
        ),
        (ffi::Py_nb_true_divide, nb_true_divide as *mut c_void),
        (ffi::Py_nb_floor_divide, nb_floor_divide as *mut c_void),
        (ffi::Py_nb_remainder, nb_remainder as *mut c_void),
        (ffi::Py_nb_divmod, nb_divmod as *mut c_void),
        (ffi::Py_nb_power, nb_power as *mut c_void),
        (ffi::Py_nb_negative, nb_negative as *mut c_void),
        (ffi::Py_nb_positive, nb_positive as *mut c_void),
        (ffi::Py_nb_absolute, nb_absolute as *mut c_void),
        (ffi::Py_nb_bool, nb_bool as *mut c_void),
        (ffi::Py_nb_int, nb_int as *mut c_void),
        (ffi::Py_nb_float, nb_float as *mut c_void),
    ];
    entries.into_iter().map(|(id, f)| slot(id, f)).collect()
}

unsafe extern "C" fn tp_hash(obj: *mut ffi::PyObject) -> ffi::Py_hash_t {
    // SAFETY: GIL held, obj a live LegacyFloat.
    unsafe {
        match hash_of_double(LegacyFloat::read_instance(obj)) {
            Some(h) => h,
            // A nan hashes as float's does: by identity (3.10+).
            None => match (*ptr::addr_of_mut!(ffi::PyBaseObject_Type)).tp_hash {
                Some(by_identity) => by_identity(obj),
                None => 0,
            },
        }
    }
}

/// The value of an operand that float's arithmetic computes with directly
/// and that needs no dispatch: a LegacyFloat or LegacyInt (subclass
/// instances included), an exact float, or an exact one-digit int (exactly
/// representable). None otherwise: float subclasses go first against a
/// float, so they take the dispatch, as does everything else.
///
/// # Safety
/// The GIL is held and `obj` is live.
#[inline]
pub(super) unsafe fn pooled_or_exact_double(obj: *mut ffi::PyObject) -> Option<f64> {
    // SAFETY: GIL held, obj live.
    unsafe {
        if let Some(value) = exact_double(obj) {
            return Some(value);
        }
        // exact_double took one-digit exact ints; a bigger one, told apart
        // by this compare made again before any MRO is walked, is float's
        // own conversion to round.
        if ffi::PyLong_CheckExact(obj) != 0 {
            return None;
        }
        if is_subclass_instance::<LegacyFloat>(obj) {
            return Some(LegacyFloat::read_instance(obj));
        }
        tower::subclass_int_as_double(obj)
    }
}

/// `pooled_or_exact_double` without a call: an exact LegacyFloat, float,
/// LegacyInt, or one-digit int.
///
/// # Safety
/// The GIL is held and `obj` is live.
#[inline(always)]
pub(super) unsafe fn exact_double(obj: *mut ffi::PyObject) -> Option<f64> {
    // SAFETY: GIL held, obj live.
    unsafe {
        let tp = ffi::Py_TYPE(obj);
        if tp == type_object::<LegacyFloat>() {
            return Some(LegacyFloat::read_instance(obj));
        }
        if ffi::PyFloat_CheckExact(obj) != 0 {
            return Some(ffi::PyFloat_AS_DOUBLE(obj));
        }
        if ffi::PyLong_CheckExact(obj) != 0 {
            return int_layout::read(obj).map(|v| v as f64);
        }
        tower::exact_int_as_double(obj)
    }
}

/// Brings a result of float's own into the pools: an exact float becomes a
/// LegacyFloat, an exact int that fits a C long a LegacyInt, and a tuple
/// (divmod, as_integer_ratio) has each item brought back.
///
/// # Safety
/// The GIL is held.
pub unsafe fn into_pool(result: Owned) -> Option<Owned> {
    // SAFETY: GIL held; `result` is a live object, owned here.
    unsafe {
        let obj = result.as_ptr();
        if ffi::PyFloat_CheckExact(obj) != 0 {
            return Owned::new(LegacyFloat::from_value(ffi::PyFloat_AS_DOUBLE(obj)));
        }
        if ffi::PyTuple_CheckExact(obj) != 0 {
            return map_tuple(result, into_pool);
        }
        tower::int_into_pool(result)
    }
}

// IEEE arithmetic is float's arithmetic; a zero divisor is float's business
// (ZeroDivisionError), as are //, % and ** with their special cases.
binary_slot!(LegacyFloat, nb_add, |x, y| Some(x + y), dispatch::ADD);
binary_slot!(
    LegacyFloat,
    nb_subtract,
    |x, y| Some(x - y),
    dispatch::SUBTRACT
);
binary_slot!(
    LegacyFloat,
    nb_multiply,
    |x, y| Some(x * y),
    dispatch::MULTIPLY
);
binary_slot!(
    LegacyFloat,
    nb_true_divide,
    |x, y| (y != 0.0).then(|| x / y),
    dispatch::TRUE_DIVIDE
);
binary_slot!(
    LegacyFloat,
    nb_floor_divide,
    |_, _| None,
    dispatch::FLOOR_DIVIDE
);
binary_slot!(LegacyFloat, nb_remainder, |_, _| None, dispatch::REMAINDER);
binary_slot!(LegacyFloat, nb_divmod, |_, _| None, dispatch::DIVMOD);

unsafe extern "C" fn nb_power(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
    m: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, live operands (called by the interpreter). Every
    // pooled operand, the modulus included, is replaced before float's
    // slot (or anyone's) sees it, so none can call this slot again.
    unsafe { dispatch::power::<LegacyFloat>(a, b, m) }
}

unsafe extern "C" fn nb_negative(a: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a a live LegacyFloat.
    unsafe { LegacyFloat::from_value(-LegacyFloat::read_instance(a)) }
}

unsafe extern "C" fn nb_absolute(a: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a a live LegacyFloat.
    unsafe { LegacyFloat::from_value(LegacyFloat::read_instance(a).abs()) }
}

unsafe extern "C" fn nb_positive(a: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a a live LegacyFloat.
    unsafe { identity::<LegacyFloat>(a) }
}

unsafe extern "C" fn nb_bool(a: *mut ffi::PyObject) -> c_int {
    // SAFETY: a is a live LegacyFloat.
    (unsafe { LegacyFloat::read_instance(a) } != 0.0) as c_int
}

unsafe extern "C" fn nb_int(a: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // int() must give an exact int, with float's errors for nan and inf.
    // SAFETY: GIL held, a a live LegacyFloat.
    unsafe {
        let Some(f) = Owned::new(ffi::PyFloat_FromDouble(LegacyFloat::read_instance(a))) else {
            return ptr::null_mut();
        };
        ffi::PyNumber_Long(f.as_ptr())
    }
}

unsafe extern "C" fn nb_float(a: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a a live LegacyFloat.
    unsafe { ffi::PyFloat_FromDouble(LegacyFloat::read_instance(a)) }
}

unsafe extern "C" fn tp_richcompare(
    obj: *mut ffi::PyObject,
    other: *mut ffi::PyObject,
    op: c_int,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held; obj is a LegacyFloat (first argument of its own
    // type's slot).
    unsafe {
        let b = if is_legacy_float(other) {
            LegacyFloat::read_instance(other)
        } else if ffi::PyFloat_CheckExact(other) != 0 {
            ffi::PyFloat_AS_DOUBLE(other)
        } else {
            // Ints and LegacyInts (compared exactly, not through a rounded
            // double), float subclasses (which go first against a float),
            // Fraction, Decimal, anything: as float would be answered.
            return dispatch::richcompare::<LegacyFloat>(obj, other, op);
        };
        rich_compare::answer(LegacyFloat::read_instance(obj).partial_cmp(&b), op)
    }
}
