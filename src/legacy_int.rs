//! The `LegacyInt` type: a heap type made with `PyType_FromSpec`, whose exact
//! instances live in the int pool.
//!
//! A `#[pyclass]` cannot be used: its instances come from the type's
//! `tp_alloc` and go to `tp_free`, and subclasses inherit those. The pool sits
//! behind `tp_new` and `tp_dealloc` instead, with an exact-type check on both
//! sides, as Python 2's `int_dealloc` had: subclass instances are allocated by
//! their own type (with a GC header and a `__dict__`) and never enter the pool.

use crate::gil_cell::GilCell;
use crate::number::IntKind;
use crate::owned::not_implemented;
use crate::type_support::{new_str, new_subclass_instance, slot, vectorcall_general, TYPE_FLAGS};
use crate::{compact_long, dispatch, int_methods, int_pool, number};
use crate::arena::PoolSlot;
use pyo3::ffi;
use std::ffi::CStr;
use std::os::raw::{c_int, c_long, c_void};
use std::ptr;

/// A LegacyInt: the object header and one C long, 24 bytes on 64-bit builds,
/// as Python 2's `PyIntObject`.
#[repr(C)]
pub struct LegacyIntObject {
    pub ob_base: ffi::PyObject,
    pub ob_ival: c_long,
}

// SAFETY: the second word of a LegacyInt is its header's `ob_type` (checked
// below on the builds that can import the module: free-threaded builds
// refuse to), which PyObject_Init writes before anyone sees the object and
// which points at a type object, never at the arena's FREE_MARK.
unsafe impl PoolSlot for LegacyIntObject {}
#[cfg(not(Py_GIL_DISABLED))]
const _: () = assert!(std::mem::offset_of!(ffi::PyObject, ob_type) == std::mem::size_of::<usize>());

/// The type object, made once per process by `create_type` and never freed:
/// every LegacyInt holds a reference to it, and they can outlive the module.
static LEGACY_INT_TYPE: GilCell<*mut ffi::PyTypeObject> = GilCell::new(ptr::null_mut());

/// The LegacyInt type (a borrowed pointer), or null before `create_type`.
///
/// # Safety
/// The GIL is held.
#[inline]
pub unsafe fn legacy_int_type() -> *mut ffi::PyTypeObject {
    // SAFETY: GIL held; a plain read.
    unsafe { *LEGACY_INT_TYPE.get() }
}

/// Whether `obj` is a LegacyInt or an instance of a subclass.
///
/// # Safety
/// The GIL is held and `obj` is a live object.
#[inline]
pub unsafe fn is_legacy_int(obj: *mut ffi::PyObject) -> bool {
    // SAFETY: GIL held, obj live; the type is created before any instance.
    unsafe {
        let tp = ffi::Py_TYPE(obj);
        tp == legacy_int_type() || ffi::PyType_IsSubtype(tp, legacy_int_type()) != 0
    }
}

/// The value of a LegacyInt (or subclass instance).
///
/// # Safety
/// `obj` is a live LegacyInt or subclass instance.
#[inline]
pub unsafe fn value_of(obj: *mut ffi::PyObject) -> c_long {
    // SAFETY: every LegacyInt, subclass instances included, starts with the
    // LegacyIntObject layout (basicsize is inherited and only grows).
    unsafe { (*obj.cast::<LegacyIntObject>()).ob_ival }
}

const TYPE_DOC: &CStr = c"LegacyInt(x=0, /)\n\
LegacyInt(x, /, base=10)\n\
\n\
An integer held in a C long and allocated from Python 2's int pool.\n\
\n\
Takes the same arguments as int() and gives the same value; a value outside\n\
the C long range raises OverflowError. Values -5..256 are cached, one object\n\
each, as in Python 2:\n\
\n\
>>> from legacyint import LegacyInt\n\
>>> LegacyInt(7) is LegacyInt(7)\n\
True\n\
>>> LegacyInt('ff', base=16)\n\
LegacyInt(255)";

/// Makes the LegacyInt type, or returns the one already made (a new
/// reference either way).
///
/// # Safety
/// The GIL is held.
pub unsafe fn create_type() -> *mut ffi::PyObject {
    // SAFETY: GIL held throughout. The spec's name is 'static (older
    // CPythons keep pointing at it), and the slots are read during
    // PyType_FromSpec only. The method and attribute tables are leaked
    // because the type's descriptors keep pointers into them; this runs once
    // per process.
    unsafe {
        let existing = legacy_int_type();
        if !existing.is_null() {
            return ffi::compat::Py_NewRef(existing.cast());
        }
        let methods = int_methods::methods().leak().as_mut_ptr();
        let getset = int_methods::getset().leak().as_mut_ptr();
        let mut slots = [
            slot(ffi::Py_tp_doc, TYPE_DOC.as_ptr() as *mut c_void),
            slot(ffi::Py_tp_new, legacy_int_new as *mut c_void),
            slot(ffi::Py_tp_dealloc, legacy_int_dealloc as *mut c_void),
            slot(ffi::Py_tp_repr, legacy_int_repr as *mut c_void),
            slot(ffi::Py_tp_str, legacy_int_str as *mut c_void),
            slot(ffi::Py_tp_hash, legacy_int_hash as *mut c_void),
            slot(
                ffi::Py_tp_richcompare,
                legacy_int_richcompare as *mut c_void,
            ),
            slot(ffi::Py_tp_methods, methods.cast()),
            slot(ffi::Py_tp_getset, getset.cast()),
            slot(ffi::Py_nb_add, number::nb_add as *mut c_void),
            slot(ffi::Py_nb_subtract, number::nb_subtract as *mut c_void),
            slot(ffi::Py_nb_multiply, number::nb_multiply as *mut c_void),
            slot(
                ffi::Py_nb_inplace_multiply,
                number::nb_inplace_multiply as *mut c_void,
            ),
            slot(
                ffi::Py_nb_floor_divide,
                number::nb_floor_divide as *mut c_void,
            ),
            slot(
                ffi::Py_nb_true_divide,
                number::nb_true_divide as *mut c_void,
            ),
            slot(ffi::Py_nb_remainder, number::nb_remainder as *mut c_void),
            slot(ffi::Py_nb_divmod, number::nb_divmod as *mut c_void),
            slot(ffi::Py_nb_power, number::nb_power as *mut c_void),
            slot(ffi::Py_nb_lshift, number::nb_lshift as *mut c_void),
            slot(ffi::Py_nb_rshift, number::nb_rshift as *mut c_void),
            slot(ffi::Py_nb_and, number::nb_and as *mut c_void),
            slot(ffi::Py_nb_or, number::nb_or as *mut c_void),
            slot(ffi::Py_nb_xor, number::nb_xor as *mut c_void),
            slot(ffi::Py_nb_negative, number::nb_negative as *mut c_void),
            slot(ffi::Py_nb_positive, number::nb_positive as *mut c_void),
            slot(ffi::Py_nb_absolute, number::nb_absolute as *mut c_void),
            slot(ffi::Py_nb_invert, number::nb_invert as *mut c_void),
            slot(ffi::Py_nb_bool, legacy_int_bool as *mut c_void),
            slot(ffi::Py_nb_int, legacy_int_int as *mut c_void),
            slot(ffi::Py_nb_index, legacy_int_int as *mut c_void),
            slot(ffi::Py_nb_float, legacy_int_float as *mut c_void),
            slot(0, ptr::null_mut()),
        ];
        let mut spec = ffi::PyType_Spec {
            name: c"legacyint.LegacyInt".as_ptr(),
            basicsize: std::mem::size_of::<LegacyIntObject>() as c_int,
            itemsize: 0,
            flags: TYPE_FLAGS as _,
            slots: slots.as_mut_ptr(),
        };
        let tp = ffi::PyType_FromSpec(&mut spec);
        if tp.is_null() {
            return ptr::null_mut();
        }
        // Calling the type goes through tp_vectorcall when it is set (type
        // objects are vectorcallable through this field), skipping the
        // argument tuple and type_call's generic path. PyType_FromSpec only
        // takes it as a slot from 3.14 on, so set it here. Subclasses do not
        // inherit it: they keep type_call, and with it their __init__.
        (*tp.cast::<ffi::PyTypeObject>()).tp_vectorcall = Some(legacy_int_vectorcall);
        // The static keeps this reference for the life of the process.
        *LEGACY_INT_TYPE.get() = tp.cast();
        ffi::compat::Py_NewRef(tp)
    }
}

/// The C long in an exact Python int, with OverflowError naming the range
/// when it does not fit. None means an exception is set.
///
/// # Safety
/// The GIL is held and `n` is a live int.
pub unsafe fn long_value(n: *mut ffi::PyObject) -> Option<c_long> {
    let mut overflow: c_int = 0;
    // SAFETY: GIL held, `n` a live int.
    let value = unsafe { ffi::PyLong_AsLongAndOverflow(n, &mut overflow) };
    if overflow != 0 {
        let message = format!(
            "value out of range for LegacyInt, a C long: it holds {} to {}\0",
            c_long::MIN,
            c_long::MAX
        );
        // SAFETY: GIL held; `message` is NUL-terminated and outlives the call.
        unsafe { ffi::PyErr_SetString(ffi::PyExc_OverflowError, message.as_ptr().cast()) };
        return None;
    }
    // SAFETY: GIL held.
    if value == -1 && unsafe { !ffi::PyErr_Occurred().is_null() } {
        return None;
    }
    Some(value)
}

/// The value `LegacyInt(*args, **kwargs)` holds: exactly what `int()` gives
/// for the same arguments, if it fits a C long.
///
/// # Safety
/// The GIL is held; `args` is a tuple and `kwargs` null or a dict.
unsafe fn value_from_args(args: *mut ffi::PyObject, kwargs: *mut ffi::PyObject) -> Option<c_long> {
    // SAFETY: GIL held; args is a tuple (caller's contract), kwargs checked.
    unsafe {
        let no_kwargs = kwargs.is_null() || ffi::PyDict_Size(kwargs) == 0;
        if no_kwargs && ffi::PyTuple_GET_SIZE(args) == 1 {
            let x = ffi::PyTuple_GET_ITEM(args, 0);
            // The common cases, without building an int first.
            if ffi::Py_TYPE(x) == legacy_int_type() {
                return Some(value_of(x));
            }
            if ffi::PyLong_CheckExact(x) != 0 {
                return compact_long::read(x).or_else(|| long_value(x));
            }
        }
        // Everything else is int()'s business: strings with any base, floats,
        // __index__, __int__, __trunc__, and every error message int() gives.
        let n = ffi::PyObject_Call(ptr::addr_of_mut!(ffi::PyLong_Type).cast(), args, kwargs);
        if n.is_null() {
            return None;
        }
        let value = long_value(n);
        ffi::Py_DECREF(n);
        value
    }
}

unsafe extern "C" fn legacy_int_new(
    subtype: *mut ffi::PyTypeObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: called by the interpreter with the GIL held, a tuple and a
    // dict or null.
    unsafe {
        let Some(value) = value_from_args(args, kwargs) else {
            return ptr::null_mut();
        };
        if subtype == legacy_int_type() {
            return int_pool::from_long(value);
        }
        // A subclass instance: its own type allocates it, with whatever GC
        // header and dict the subclass needs, and the pool is not involved.
        new_subclass_instance(subtype, |obj: *mut LegacyIntObject| (*obj).ob_ival = value)
    }
}

/// `LegacyInt(...)` through vectorcall: one argument that is an int or a
/// LegacyInt is read in place; anything else takes the general path.
unsafe extern "C" fn legacy_int_vectorcall(
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: called by the interpreter with the GIL held; `args` holds
    // `nargs` positional arguments followed by one per name in `kwnames`.
    unsafe {
        let nargs = ffi::PyVectorcall_NARGS(nargsf);
        let tp = legacy_int_type();
        if callable == tp.cast() && kwnames.is_null() && nargs == 1 {
            let x = *args;
            if ffi::Py_TYPE(x) == tp {
                return int_pool::from_long(value_of(x));
            }
            if ffi::PyLong_CheckExact(x) != 0 {
                return match compact_long::read(x).or_else(|| long_value(x)) {
                    Some(value) => int_pool::from_long(value),
                    None => ptr::null_mut(),
                };
            }
        }
        vectorcall_general(callable, args, nargs, kwnames)
    }
}

unsafe extern "C" fn legacy_int_dealloc(obj: *mut ffi::PyObject) {
    // SAFETY: called once, with the GIL held, when obj's refcount reached
    // zero. The type is read before the object's memory is given up.
    unsafe {
        let tp = ffi::Py_TYPE(obj);
        if tp == legacy_int_type() {
            int_pool::release(obj.cast());
        } else if let Some(free) = (*tp).tp_free {
            // Allocated by the subclass's tp_alloc; freed by its partner.
            free(obj.cast());
        }
        // Every instance of a heap type holds a reference to its type
        // (PyObject_Init or tp_alloc took it); subtype_dealloc leaves
        // dropping it to us because our base type is a heap type too.
        ffi::Py_DECREF(tp.cast());
    }
}

unsafe extern "C" fn legacy_int_repr(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyInt; tp_name is a NUL-terminated
    // string owned by the type, which obj keeps alive.
    unsafe {
        let full = CStr::from_ptr((*ffi::Py_TYPE(obj)).tp_name).to_string_lossy();
        let name = full.rsplit('.').next().unwrap_or(&full);
        new_str(&format!("{name}({})", value_of(obj)))
    }
}

unsafe extern "C" fn legacy_int_str(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyInt.
    unsafe { new_str(&value_of(obj).to_string()) }
}

/// `hash(v)` of the Python int `v`: `v` modulo the Mersenne prime
/// 2**61 - 1 (2**31 - 1 with a 32-bit hash), with the sign of `v`, and -1
/// turned into -2, as CPython's numeric hash defines it.
pub fn hash_of_long(value: c_long) -> ffi::Py_hash_t {
    const BITS: u32 = if std::mem::size_of::<ffi::Py_hash_t>() >= 8 {
        61
    } else {
        31
    };
    const MODULUS: u64 = (1 << BITS) - 1;
    // c_ulong is 32 bits where long is (Windows): widen before the modulo.
    #[allow(clippy::unnecessary_cast)]
    let magnitude = (value.unsigned_abs() as u64 % MODULUS) as ffi::Py_hash_t;
    let hash = if value < 0 { -magnitude } else { magnitude };
    if hash == -1 {
        -2
    } else {
        hash
    }
}

unsafe extern "C" fn legacy_int_hash(obj: *mut ffi::PyObject) -> ffi::Py_hash_t {
    // SAFETY: obj is a live LegacyInt.
    hash_of_long(unsafe { value_of(obj) })
}

/// A new int holding a LegacyInt's value (None: an exception is set).
///
/// # Safety
/// The GIL is held, `obj` a live LegacyInt.
pub unsafe fn to_pylong(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyInt.
    unsafe { ffi::PyLong_FromLong(value_of(obj)) }
}

unsafe extern "C" fn legacy_int_richcompare(
    obj: *mut ffi::PyObject,
    other: *mut ffi::PyObject,
    op: c_int,
) -> *mut ffi::PyObject {
    use std::cmp::Ordering;
    // SAFETY: called with the GIL held; `obj` is a LegacyInt (the interpreter
    // calls a type's tp_richcompare with an instance of it first).
    unsafe {
        let a = value_of(obj);
        let ordering = if is_legacy_int(other) {
            a.cmp(&value_of(other))
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
            return dispatch::richcompare::<IntKind>(obj, other, op);
        };
        let truth = match op {
            ffi::Py_LT => ordering == Ordering::Less,
            ffi::Py_LE => ordering != Ordering::Greater,
            ffi::Py_EQ => ordering == Ordering::Equal,
            ffi::Py_NE => ordering != Ordering::Equal,
            ffi::Py_GT => ordering == Ordering::Greater,
            ffi::Py_GE => ordering != Ordering::Less,
            _ => return not_implemented(),
        };
        ffi::PyBool_FromLong(truth as c_long)
    }
}

unsafe extern "C" fn legacy_int_bool(obj: *mut ffi::PyObject) -> c_int {
    // SAFETY: obj is a live LegacyInt.
    (unsafe { value_of(obj) } != 0) as c_int
}

unsafe extern "C" fn legacy_int_int(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyInt.
    unsafe { to_pylong(obj) }
}

unsafe extern "C" fn legacy_int_float(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // `as` rounds to nearest, ties to even: what float(int) does.
    // SAFETY: GIL held, obj a live LegacyInt.
    unsafe { ffi::PyFloat_FromDouble(value_of(obj) as f64) }
}

#[cfg(test)]
mod tests {
    use super::hash_of_long;

    #[test]
    fn hash_matches_cpythons_numeric_hash() {
        let m: i64 = (1 << 61) - 1;
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
}
