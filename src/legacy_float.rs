//! The `LegacyFloat` type: Python 2's pooled float, on the float pool.
//!
//! Built as LegacyInt is (a heap type from `PyType_FromSpec`, the pool behind
//! `tp_new` and `tp_dealloc` with an exact-type check, subclass instances on
//! the generic allocator). Its values are float's own: arithmetic on two
//! doubles is done here, everything else is asked of float, and a float
//! result comes back from the float pool.

use crate::dispatch::{self, BinarySlot, Pooled};
use crate::gil_cell::GilCell;
use crate::legacy_int::{is_legacy_int, legacy_int_type, value_of as int_value_of};
use crate::number::into_pool as into_int_pool;
use crate::owned::{not_implemented, Owned};
use crate::type_support::{
    call_method_of, class_guard, format_with, getset_end, getter, map_tuple, method, new_str,
    new_subclass_instance, newargs, noargs, pickling_methods, slot, varargs, vectorcall_general,
    NOARGS, TYPE_FLAGS, VARARGS,
};
use crate::{compact_long, float_pool};
use crate::arena::PoolSlot;
use pyo3::ffi;
use std::ffi::CStr;
use std::os::raw::{c_int, c_long, c_void};
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
// refuse to), which PyObject_Init writes before anyone sees the object and
// which points at a type object, never at the arena's FREE_MARK.
unsafe impl PoolSlot for LegacyFloatObject {}
#[cfg(not(Py_GIL_DISABLED))]
const _: () = assert!(std::mem::offset_of!(ffi::PyObject, ob_type) == std::mem::size_of::<usize>());

/// The type object, made once per process and never freed.
static LEGACY_FLOAT_TYPE: GilCell<*mut ffi::PyTypeObject> = GilCell::new(ptr::null_mut());

/// The LegacyFloat type (a borrowed pointer), or null before `create_type`.
///
/// # Safety
/// The GIL is held.
#[inline]
pub unsafe fn legacy_float_type() -> *mut ffi::PyTypeObject {
    // SAFETY: GIL held; a plain read.
    unsafe { *LEGACY_FLOAT_TYPE.get() }
}

/// Whether `obj` is a LegacyFloat or an instance of a subclass.
///
/// # Safety
/// The GIL is held and `obj` is live.
#[inline]
pub unsafe fn is_legacy_float(obj: *mut ffi::PyObject) -> bool {
    // SAFETY: GIL held, obj live.
    unsafe {
        let tp = ffi::Py_TYPE(obj);
        let ours = legacy_float_type();
        !ours.is_null() && (tp == ours || ffi::PyType_IsSubtype(tp, ours) != 0)
    }
}

/// # Safety
/// `obj` is a live LegacyFloat or subclass instance.
#[inline]
unsafe fn value_of(obj: *mut ffi::PyObject) -> f64 {
    // SAFETY: every LegacyFloat starts with the LegacyFloatObject layout.
    unsafe { (*obj.cast::<LegacyFloatObject>()).ob_fval }
}

const TYPE_DOC: &CStr = c"LegacyFloat(x=0.0, /)\n\
\n\
A float allocated from Python 2's float pool: 992-byte blocks of 41\n\
24-byte objects and a free list, returned to malloc only when the free\n\
list is cleared. Takes what float() takes and behaves as float does.\n\
\n\
>>> from legacyint import LegacyFloat\n\
>>> LegacyFloat('2.5') * 2\n\
LegacyFloat(5.0)";

/// Makes the LegacyFloat type, or returns the one already made (a new
/// reference either way).
///
/// # Safety
/// The GIL is held.
pub unsafe fn create_type() -> *mut ffi::PyObject {
    // SAFETY: GIL held throughout; see legacy_int::create_type for why the
    // name is 'static and the tables are leaked.
    unsafe {
        let existing = legacy_float_type();
        if !existing.is_null() {
            return ffi::compat::Py_NewRef(existing.cast());
        }
        let methods = methods().leak().as_mut_ptr();
        let getset = getset().leak().as_mut_ptr();
        let mut slots = [
            slot(ffi::Py_tp_doc, TYPE_DOC.as_ptr() as *mut c_void),
            slot(ffi::Py_tp_new, float_new as *mut c_void),
            slot(ffi::Py_tp_dealloc, float_dealloc as *mut c_void),
            slot(ffi::Py_tp_repr, float_repr as *mut c_void),
            slot(ffi::Py_tp_str, float_str as *mut c_void),
            slot(ffi::Py_tp_hash, float_hash as *mut c_void),
            slot(ffi::Py_tp_richcompare, float_richcompare as *mut c_void),
            slot(ffi::Py_tp_methods, methods.cast()),
            slot(ffi::Py_tp_getset, getset.cast()),
            slot(ffi::Py_nb_add, nb_add as *mut c_void),
            slot(ffi::Py_nb_subtract, nb_subtract as *mut c_void),
            slot(ffi::Py_nb_multiply, nb_multiply as *mut c_void),
            slot(ffi::Py_nb_inplace_multiply, nb_inplace_multiply as *mut c_void),
            slot(ffi::Py_nb_true_divide, nb_true_divide as *mut c_void),
            slot(ffi::Py_nb_floor_divide, nb_floor_divide as *mut c_void),
            slot(ffi::Py_nb_remainder, nb_remainder as *mut c_void),
            slot(ffi::Py_nb_divmod, nb_divmod as *mut c_void),
            slot(ffi::Py_nb_power, nb_power as *mut c_void),
            slot(ffi::Py_nb_negative, nb_negative as *mut c_void),
            slot(ffi::Py_nb_positive, nb_positive as *mut c_void),
            slot(ffi::Py_nb_absolute, nb_absolute as *mut c_void),
            slot(ffi::Py_nb_bool, nb_bool as *mut c_void),
            slot(ffi::Py_nb_int, nb_int as *mut c_void),
            slot(ffi::Py_nb_float, nb_float as *mut c_void),
            slot(0, ptr::null_mut()),
        ];
        let mut spec = ffi::PyType_Spec {
            name: c"legacyint.LegacyFloat".as_ptr(),
            basicsize: std::mem::size_of::<LegacyFloatObject>() as c_int,
            itemsize: 0,
            flags: TYPE_FLAGS as _,
            slots: slots.as_mut_ptr(),
        };
        let tp = ffi::PyType_FromSpec(&mut spec);
        if tp.is_null() {
            return ptr::null_mut();
        }
        (*tp.cast::<ffi::PyTypeObject>()).tp_vectorcall = Some(float_vectorcall);
        *LEGACY_FLOAT_TYPE.get() = tp.cast();
        ffi::compat::Py_NewRef(tp)
    }
}

/// The double a constructor argument gives without building a float first:
/// a float, a LegacyFloat, a LegacyInt or a one-digit int. None: ask float().
///
/// # Safety
/// The GIL is held and `x` is live.
#[inline]
unsafe fn quick_double(x: *mut ffi::PyObject) -> Option<f64> {
    // SAFETY: GIL held, x live.
    unsafe {
        let tp = ffi::Py_TYPE(x);
        if tp == legacy_float_type() {
            return Some(value_of(x));
        }
        if ffi::PyFloat_CheckExact(x) != 0 {
            return Some(ffi::PyFloat_AS_DOUBLE(x));
        }
        if ffi::PyLong_CheckExact(x) != 0 {
            // One digit (< 2**30): exactly representable.
            return compact_long::read(x).map(|v| v as f64);
        }
        None
    }
}

/// The value `LegacyFloat(*args, **kwargs)` holds: what float() gives.
///
/// # Safety
/// The GIL is held; `args` is a tuple and `kwargs` null or a dict.
unsafe fn value_from_args(args: *mut ffi::PyObject, kwargs: *mut ffi::PyObject) -> Option<f64> {
    // SAFETY: GIL held; args a tuple (caller's contract), kwargs checked.
    unsafe {
        let no_kwargs = kwargs.is_null() || ffi::PyDict_Size(kwargs) == 0;
        if no_kwargs && ffi::PyTuple_GET_SIZE(args) == 1 {
            if let Some(v) = quick_double(ffi::PyTuple_GET_ITEM(args, 0)) {
                return Some(v);
            }
        }
        // Strings ('nan', '1_000.5'), big ints, __float__, __index__, and
        // every error float() raises.
        let f = ffi::PyObject_Call(ptr::addr_of_mut!(ffi::PyFloat_Type).cast(), args, kwargs);
        if f.is_null() {
            return None;
        }
        let v = ffi::PyFloat_AS_DOUBLE(f);
        ffi::Py_DECREF(f);
        Some(v)
    }
}

unsafe extern "C" fn float_new(
    subtype: *mut ffi::PyTypeObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: called by the interpreter with the GIL held, a tuple and a
    // dict or null; both type objects are live.
    unsafe {
        let exact = subtype == legacy_float_type();
        // float() takes no keywords, but a subclass with an __init__ of its
        // own gets them there: float_new ignores them then, and so do we.
        let init = |tp: *mut ffi::PyTypeObject| (*tp).tp_init.map(|f| f as usize);
        let kwargs = if !exact && init(subtype) != init(legacy_float_type()) {
            ptr::null_mut()
        } else {
            kwargs
        };
        let Some(value) = value_from_args(args, kwargs) else {
            return ptr::null_mut();
        };
        if exact {
            return float_pool::from_double(value);
        }
        new_subclass_instance(subtype, |obj: *mut LegacyFloatObject| {
            (*obj).ob_fval = value
        })
    }
}

unsafe extern "C" fn float_vectorcall(
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: called by the interpreter with the GIL held, under the
    // vectorcall convention.
    unsafe {
        let nargs = ffi::PyVectorcall_NARGS(nargsf);
        if callable == legacy_float_type().cast() && kwnames.is_null() && nargs == 1 {
            if let Some(v) = quick_double(*args) {
                return float_pool::from_double(v);
            }
        }
        vectorcall_general(callable, args, nargs, kwnames)
    }
}

unsafe extern "C" fn float_dealloc(obj: *mut ffi::PyObject) {
    // SAFETY: called once, with the GIL held, when obj's refcount reached
    // zero; the type is read before the memory is given up, and the
    // instance's reference to its heap type is dropped last.
    unsafe {
        let tp = ffi::Py_TYPE(obj);
        if tp == legacy_float_type() {
            float_pool::release(obj.cast());
        } else if let Some(free) = (*tp).tp_free {
            free(obj.cast());
        }
        ffi::Py_DECREF(tp.cast());
    }
}

/// A new plain float with `obj`'s value.
///
/// # Safety
/// The GIL is held, `obj` a live LegacyFloat.
unsafe fn to_pyfloat(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyFloat.
    unsafe { ffi::PyFloat_FromDouble(value_of(obj)) }
}

unsafe extern "C" fn float_str(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyFloat; the temporary is released.
    unsafe {
        let f = to_pyfloat(obj);
        if f.is_null() {
            return f;
        }
        let text = ffi::PyObject_Repr(f);
        ffi::Py_DECREF(f);
        text
    }
}

unsafe extern "C" fn float_repr(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyFloat; tp_name is owned by the type,
    // which obj keeps alive; the temporary str is released.
    unsafe {
        let text = float_str(obj);
        if text.is_null() {
            return text;
        }
        let mut size: ffi::Py_ssize_t = 0;
        let utf8 = ffi::PyUnicode_AsUTF8AndSize(text, &mut size);
        let value = if utf8.is_null() {
            None
        } else {
            Some(
                String::from_utf8_lossy(std::slice::from_raw_parts(
                    utf8.cast::<u8>(),
                    size as usize,
                ))
                .into_owned(),
            )
        };
        ffi::Py_DECREF(text);
        let Some(value) = value else {
            return ptr::null_mut();
        };
        let full = CStr::from_ptr((*ffi::Py_TYPE(obj)).tp_name).to_string_lossy();
        let name = full.rsplit('.').next().unwrap_or(&full);
        new_str(&format!("{name}({value})"))
    }
}

/// The fraction and exponent of a finite, non-zero double: `v = m * 2**e`
/// with `0.5 <= |m| < 1`, as C's `frexp`.
fn frexp(v: f64) -> (f64, i32) {
    let bits = v.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    if exponent == 0 {
        // Subnormal: scale into the normal range first.
        let (m, e) = frexp(v * f64::from_bits(0x4350_0000_0000_0000)); // 2**54
        return (m, e - 54);
    }
    (
        f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52)),
        exponent - 1022,
    )
}

/// `hash(v)` of the float `v`, as CPython's numeric hash defines it: the
/// value of the fraction `v` modulo 2**61 - 1, so that `hash(2.0) == hash(2)`.
/// None for a nan, whose hash depends on the object.
pub fn hash_of_double(v: f64) -> Option<ffi::Py_hash_t> {
    const BITS: u32 = if std::mem::size_of::<ffi::Py_hash_t>() >= 8 {
        61
    } else {
        31
    };
    const MODULUS: u64 = (1 << BITS) - 1;
    const INF: ffi::Py_hash_t = 314_159;
    if v.is_nan() {
        return None;
    }
    if v.is_infinite() {
        return Some(if v > 0.0 { INF } else { -INF });
    }
    if v == 0.0 {
        return Some(0);
    }
    let (mut m, mut e) = frexp(v);
    let sign: i64 = if m < 0.0 { -1 } else { 1 };
    m = m.abs();
    let mut x: u64 = 0;
    // 28 bits of the fraction at a time, as CPython does.
    while m != 0.0 {
        x = ((x << 28) & MODULUS) | (x >> (BITS - 28));
        m *= 268_435_456.0; // 2**28
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= MODULUS {
            x -= MODULUS;
        }
    }
    let bits = BITS as i32;
    let e = if e >= 0 {
        e % bits
    } else {
        bits - 1 - ((-1 - e) % bits)
    } as u32;
    x = ((x << e) & MODULUS) | (x >> (BITS - e));
    let h = (x as i64).wrapping_mul(sign) as ffi::Py_hash_t;
    Some(if h == -1 { -2 } else { h })
}

unsafe extern "C" fn float_hash(obj: *mut ffi::PyObject) -> ffi::Py_hash_t {
    // SAFETY: GIL held, obj a live LegacyFloat.
    unsafe {
        match hash_of_double(value_of(obj)) {
            Some(h) => h,
            // A nan hashes as float's does: by identity from 3.10 on, 0 before.
            #[cfg(Py_3_10)]
            None => match (*ptr::addr_of_mut!(ffi::PyBaseObject_Type)).tp_hash {
                Some(identity) => identity(obj),
                None => 0,
            },
            #[cfg(not(Py_3_10))]
            None => 0,
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
unsafe fn pooled_or_exact_double(obj: *mut ffi::PyObject) -> Option<f64> {
    // SAFETY: GIL held, obj live.
    unsafe {
        if ffi::PyFloat_CheckExact(obj) != 0 {
            return Some(ffi::PyFloat_AS_DOUBLE(obj));
        }
        if ffi::PyLong_CheckExact(obj) != 0 {
            return compact_long::read(obj).map(|v| v as f64);
        }
        if is_legacy_float(obj) {
            return Some(value_of(obj));
        }
        if is_legacy_int(obj) {
            // i64 to f64 rounds to nearest, ties to even: PyLong_AsDouble's rule.
            return Some(int_value_of(obj) as f64);
        }
        None
    }
}

/// LegacyFloat as the dispatch sees it: it stands for float, and float's
/// operations take ints as their own, so a LegacyInt becomes an int too.
pub struct FloatKind;

impl Pooled for FloatKind {
    unsafe fn plain(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
        // SAFETY: GIL held, obj live (the trait's contract).
        unsafe {
            if is_legacy_float(obj) {
                to_pyfloat(obj)
            } else if is_legacy_int(obj) {
                ffi::PyLong_FromLong(int_value_of(obj))
            } else {
                ffi::compat::Py_NewRef(obj)
            }
        }
    }

    unsafe fn is_exact_pooled(obj: *mut ffi::PyObject) -> bool {
        // SAFETY: GIL held, obj live (the trait's contract).
        unsafe {
            let tp = ffi::Py_TYPE(obj);
            tp == legacy_float_type() || tp == legacy_int_type()
        }
    }

    unsafe fn bring_back(result: Owned) -> Option<Owned> {
        // SAFETY: GIL held (the trait's contract); ownership passes on.
        unsafe { Owned::new(into_pool(result.into_ptr())) }
    }
}

/// Brings a result of float's own into the pools: an exact float becomes a
/// LegacyFloat, an exact int that fits a C long a LegacyInt, and a tuple
/// (divmod, as_integer_ratio) has each item brought back. Takes ownership of
/// `result` (null passes through).
///
/// # Safety
/// The GIL is held.
pub unsafe fn into_pool(result: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held; `result` is owned here and returned or released once.
    unsafe {
        if result.is_null() {
            return result;
        }
        if ffi::PyFloat_CheckExact(result) != 0 {
            let v = ffi::PyFloat_AS_DOUBLE(result);
            ffi::Py_DECREF(result);
            return float_pool::from_double(v);
        }
        if ffi::PyTuple_CheckExact(result) != 0 {
            return map_tuple(result, into_pool);
        }
        into_int_pool(result)
    }
}

/// A binary operation: `fast` on two doubles, and whatever float would do
/// (see `dispatch`) when that does not apply or gives up (None).
///
/// # Safety
/// The GIL is held, `a` and `b` are live, one of them a LegacyFloat.
#[inline]
unsafe fn binary(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
    fast: fn(f64, f64) -> Option<f64>,
    slot: BinarySlot,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a and b live.
    unsafe {
        if let (Some(x), Some(y)) = (pooled_or_exact_double(a), pooled_or_exact_double(b)) {
            if let Some(r) = fast(x, y) {
                return float_pool::from_double(r);
            }
        }
        dispatch::binary::<FloatKind>(a, b, slot)
    }
}

macro_rules! binary_slot {
    ($name:ident, $fast:expr, $slot:path) => {
        unsafe extern "C" fn $name(
            a: *mut ffi::PyObject,
            b: *mut ffi::PyObject,
        ) -> *mut ffi::PyObject {
            // SAFETY: called by the interpreter with the GIL held and two
            // live operands, one of them a LegacyFloat.
            unsafe { binary(a, b, $fast, $slot) }
        }
    };
}

// IEEE arithmetic is float's arithmetic; a zero divisor is float's business
// (ZeroDivisionError), as are //, % and ** with their special cases.
binary_slot!(nb_add, |x, y| Some(x + y), dispatch::ADD);
binary_slot!(nb_subtract, |x, y| Some(x - y), dispatch::SUBTRACT);
binary_slot!(nb_multiply, |x, y| Some(x * y), dispatch::MULTIPLY);
binary_slot!(nb_true_divide, |x, y| (y != 0.0).then(|| x / y), dispatch::TRUE_DIVIDE);
binary_slot!(nb_floor_divide, |_, _| None, dispatch::FLOOR_DIVIDE);
binary_slot!(nb_remainder, |_, _| None, dispatch::REMAINDER);
binary_slot!(nb_divmod, |_, _| None, dispatch::DIVMOD);

/// `a *= b`: see `dispatch::inplace_multiply`.
unsafe extern "C" fn nb_inplace_multiply(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a (a LegacyFloat) and b live (called by the interpreter).
    unsafe { dispatch::inplace_multiply(a, b, nb_multiply) }
}

unsafe extern "C" fn nb_power(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
    m: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, live operands (called by the interpreter). Every
    // pooled operand, the modulus included, is replaced before float's
    // slot (or anyone's) sees it, so none can call this slot again.
    unsafe { dispatch::power::<FloatKind>(a, b, m) }
}

unsafe extern "C" fn nb_negative(a: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a a live LegacyFloat.
    unsafe { float_pool::from_double(-value_of(a)) }
}

unsafe extern "C" fn nb_absolute(a: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a a live LegacyFloat.
    unsafe { float_pool::from_double(value_of(a).abs()) }
}

/// `+a`, `conjugate()`, `real`: the object itself if exact, as float
/// returns itself, else a LegacyFloat of the same value.
unsafe extern "C" fn nb_positive(a: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a a live LegacyFloat.
    unsafe {
        if ffi::Py_TYPE(a) == legacy_float_type() {
            ffi::compat::Py_NewRef(a)
        } else {
            float_pool::from_double(value_of(a))
        }
    }
}

unsafe extern "C" fn nb_bool(a: *mut ffi::PyObject) -> c_int {
    // SAFETY: a is a live LegacyFloat.
    (unsafe { value_of(a) } != 0.0) as c_int
}

unsafe extern "C" fn nb_int(a: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // int() must give an exact int, with float's errors for nan and inf.
    // SAFETY: GIL held, a a live LegacyFloat; the temporary is released.
    unsafe {
        let f = to_pyfloat(a);
        if f.is_null() {
            return f;
        }
        let n = ffi::PyNumber_Long(f);
        ffi::Py_DECREF(f);
        n
    }
}

unsafe extern "C" fn nb_float(a: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, a a live LegacyFloat.
    unsafe { to_pyfloat(a) }
}

unsafe extern "C" fn float_richcompare(
    obj: *mut ffi::PyObject,
    other: *mut ffi::PyObject,
    op: c_int,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held; obj is a LegacyFloat (first argument of its own
    // type's slot).
    unsafe {
        let b = if is_legacy_float(other) {
            value_of(other)
        } else if ffi::PyFloat_CheckExact(other) != 0 {
            ffi::PyFloat_AS_DOUBLE(other)
        } else {
            // Ints and LegacyInts (compared exactly, not through a rounded
            // double), float subclasses (which go first against a float),
            // Fraction, Decimal, anything: as float would be answered.
            return dispatch::richcompare::<FloatKind>(obj, other, op);
        };
        let a = value_of(obj);
        let truth = match op {
            ffi::Py_LT => a < b,
            ffi::Py_LE => a <= b,
            ffi::Py_EQ => a == b,
            ffi::Py_NE => a != b,
            ffi::Py_GT => a > b,
            ffi::Py_GE => a >= b,
            _ => return not_implemented(),
        };
        ffi::PyBool_FromLong(truth as c_long)
    }
}

/// Calls float's method `name` on the value of `obj` with the same arguments
/// and brings the result back into the pools.
///
/// # Safety
/// The GIL is held; `obj` is a live LegacyFloat, `args` a tuple, `kwargs` a
/// dict or null.
unsafe fn ask_float(
    obj: *mut ffi::PyObject,
    name: &CStr,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held; the temporary float is owned by call_method_of.
    unsafe { into_pool(call_method_of(to_pyfloat(obj), name, args, kwargs)) }
}

macro_rules! float_method {
    ($fn_name:ident, $py_name:literal) => {
        unsafe extern "C" fn $fn_name(
            obj: *mut ffi::PyObject,
            args: *mut ffi::PyObject,
            kwargs: *mut ffi::PyObject,
        ) -> *mut ffi::PyObject {
            // SAFETY: a METH_VARARGS | METH_KEYWORDS method: the interpreter
            // passes a live LegacyFloat, a tuple and a dict or null.
            unsafe { ask_float(obj, $py_name, args, kwargs) }
        }
    };
}

float_method!(round, c"__round__");
float_method!(trunc, c"__trunc__");
float_method!(floor, c"__floor__");
float_method!(ceil, c"__ceil__");
unsafe extern "C" fn format(
    obj: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: a METH_VARARGS | METH_KEYWORDS method (see format_with).
    unsafe { format_with(obj, args, kwargs, ask_float) }
}
float_method!(is_integer, c"is_integer");
float_method!(hex, c"hex");
float_method!(as_integer_ratio, c"as_integer_ratio");

unsafe extern "C" fn identity(
    obj: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyFloat (METH_NOARGS).
    unsafe { nb_positive(obj) }
}

unsafe extern "C" fn getnewargs(
    obj: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live pooled object (METH_NOARGS).
    unsafe { newargs(to_pyfloat(obj)) }
}

/// `LegacyFloat.__getformat__(typestr)`: float's answer, the C double's
/// layout (a LegacyFloat holds the same double).
unsafe extern "C" fn getformat(
    _cls: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: a METH_CLASS | METH_VARARGS | METH_KEYWORDS method; the new
    // reference to float is released by call_method_of.
    unsafe {
        let float_type = ptr::addr_of_mut!(ffi::PyFloat_Type).cast::<ffi::PyObject>();
        call_method_of(ffi::compat::Py_NewRef(float_type), c"__getformat__", args, kwargs)
    }
}

/// `LegacyFloat.fromhex(s)`: float's reading, as an instance of the class
/// it was called on.
unsafe extern "C" fn fromhex(
    cls: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: a METH_CLASS | METH_VARARGS | METH_KEYWORDS method; the
    // temporaries are released once.
    unsafe {
        let float_type = ptr::addr_of_mut!(ffi::PyFloat_Type).cast::<ffi::PyObject>();
        let method = ffi::PyObject_GetAttrString(float_type, c"fromhex".as_ptr());
        if method.is_null() {
            return method;
        }
        let f = ffi::PyObject_Call(method, args, kwargs);
        ffi::Py_DECREF(method);
        if f.is_null() {
            return f;
        }
        let instance = ffi::PyObject_CallOneArg(cls, f);
        ffi::Py_DECREF(f);
        instance
    }
}

unsafe extern "C" fn get_identity(obj: *mut ffi::PyObject, _: *mut c_void) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyFloat (a getter).
    unsafe { nb_positive(obj) }
}

unsafe extern "C" fn get_zero(_: *mut ffi::PyObject, _: *mut c_void) -> *mut ffi::PyObject {
    // SAFETY: GIL held (a getter).
    unsafe { float_pool::from_double(0.0) }
}

fn methods() -> Vec<ffi::PyMethodDef> {
    let mut table = pickling_methods(getnewargs).to_vec();
    table.extend([
        method(
            c"conjugate",
            noargs(identity),
            NOARGS,
            c"Returns self, the complex conjugate of any float.",
        ),
        method(
            c"__round__",
            varargs(round),
            VARARGS,
            c"round(x[, ndigits]) as float rounds.",
        ),
        method(
            c"__trunc__",
            varargs(trunc),
            VARARGS,
            c"Truncates to an integer, as float does.",
        ),
        method(
            c"__floor__",
            varargs(floor),
            VARARGS,
            c"Floors to an integer, as float does.",
        ),
        method(
            c"__ceil__",
            varargs(ceil),
            VARARGS,
            c"Ceiling as an integer, as float gives it.",
        ),
        method(
            c"__format__",
            varargs(format),
            VARARGS,
            c"Formats as float formats.",
        ),
        method(
            c"is_integer",
            varargs(is_integer),
            VARARGS,
            c"True if the value is finite and integral.",
        ),
        method(
            c"hex",
            varargs(hex),
            VARARGS,
            c"A hexadecimal representation, as float.hex.",
        ),
        method(
            c"as_integer_ratio",
            varargs(as_integer_ratio),
            VARARGS,
            c"An exact (numerator, denominator) pair.",
        ),
        method(
            c"fromhex",
            varargs(fromhex),
            VARARGS | ffi::METH_CLASS,
            c"fromhex(string): a LegacyFloat from a hexadecimal string, as float.fromhex.",
        ),
        method(
            c"__getformat__",
            varargs(getformat),
            VARARGS | ffi::METH_CLASS,
            c"__getformat__(typestr): the C double's layout, as float.__getformat__.",
        ),
        ffi::PyMethodDef::zeroed(),
    ]);
    table
}

fn getset() -> Vec<ffi::PyGetSetDef> {
    vec![
        class_guard(),
        getter(c"real", get_identity, c"the real part of a complex number"),
        getter(c"imag", get_zero, c"the imaginary part of a complex number"),
        getset_end(),
    ]
}

#[cfg(test)]
mod tests {
    use super::{frexp, hash_of_double};

    #[test]
    fn frexp_matches_its_definition() {
        for v in [
            1.0,
            0.5,
            3.0,
            -7.25,
            1e300,
            5e-324,
            -2.2250738585072014e-308,
            123456.789,
        ] {
            let (m, e) = frexp(v);
            assert!((0.5..1.0).contains(&m.abs()), "{v}: {m}");
            // Two steps, so that 2**e itself does not underflow for subnormals.
            assert_eq!(m * 2f64.powi(e / 2) * 2f64.powi(e - e / 2), v);
        }
    }

    #[test]
    fn hash_agrees_with_integers_and_specials() {
        // hash(2.0) == hash(2), hash(0.5) == 2**60 (the inverse of 2 mod 2**61 - 1).
        assert_eq!(hash_of_double(2.0), Some(2));
        assert_eq!(hash_of_double(-1.0), Some(-2));
        assert_eq!(hash_of_double(0.5), Some(1 << 60));
        assert_eq!(hash_of_double(f64::INFINITY), Some(314_159));
        assert_eq!(hash_of_double(-0.0), Some(0));
        assert_eq!(hash_of_double(f64::NAN), None);
    }
}
