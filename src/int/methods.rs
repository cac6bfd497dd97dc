//! LegacyInt's methods and attributes beyond the slots: the rest of int's
//! interface (`bit_length`, `to_bytes`, `__format__`, `real`, ...).
//!
//! Where int's answer is not trivial to restate (formatting, byte order,
//! rounding to tens), the method asks int itself and brings an integer result
//! back into the pool, so that the two can never disagree.

use super::value::LegacyInt;
use crate::capi::owned::Owned;
use crate::capi::type_spec::{getter, method, no_keywords, noargs, varargs, NOARGS, VARARGS};
use crate::pooled::delegated::{ask_builtin, ask_builtin_type};
use crate::pooled::delegated_method;
use crate::pooled::lifecycle::identity;
use crate::pooled::type_object;
use crate::pooled::PooledType;
use pyo3::ffi;
use std::os::raw::{c_int, c_long, c_void};
use std::ptr;

delegated_method!(LegacyInt, to_bytes, c"to_bytes");
unsafe extern "C" fn format(
    obj: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: a METH_VARARGS | METH_KEYWORDS method: a live LegacyInt, a
    // tuple and a dict or null.
    unsafe { crate::pooled::delegated::format::<LegacyInt>(obj, args, kwargs) }
}
delegated_method!(LegacyInt, as_integer_ratio, c"as_integer_ratio");

unsafe extern "C" fn round(
    obj: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: a METH_VARARGS | METH_KEYWORDS method (a live LegacyInt, a
    // tuple, a dict or null); round(x) and round(x, None) are the
    // identity on an int, round(x, n) is int's business.
    unsafe {
        let nargs = ffi::PyTuple_GET_SIZE(args);
        if no_keywords(kwargs)
            && (nargs == 0 || (nargs == 1 && ffi::PyTuple_GET_ITEM(args, 0) == ffi::Py_None()))
        {
            return identity::<LegacyInt>(obj);
        }
        ask_builtin::<LegacyInt>(obj, c"__round__", args, kwargs)
    }
}

/// `__trunc__`, `__floor__`, `__ceil__`, `conjugate`: the identity on an int.
unsafe extern "C" fn same(obj: *mut ffi::PyObject, _: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyInt (METH_NOARGS).
    unsafe { identity::<LegacyInt>(obj) }
}

unsafe extern "C" fn bit_length(
    obj: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyInt (METH_NOARGS).
    unsafe {
        let magnitude = LegacyInt::read_instance(obj).unsigned_abs();
        LegacyInt::from_value((c_long::BITS - magnitude.leading_zeros()) as c_long)
    }
}

unsafe extern "C" fn bit_count(
    obj: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyInt (METH_NOARGS).
    unsafe {
        LegacyInt::from_value(LegacyInt::read_instance(obj).unsigned_abs().count_ones() as c_long)
    }
}

unsafe extern "C" fn is_integer(
    _: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held (METH_NOARGS).
    unsafe { ffi::PyBool_FromLong(1) }
}

/// `LegacyInt.from_bytes(bytes, byteorder='big', *, signed=False)`: int's
/// reading of the bytes, as an instance of the class it was called on when
/// the value fits a C long, as a plain int when it does not.
unsafe extern "C" fn from_bytes(
    cls: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: a METH_CLASS | METH_VARARGS | METH_KEYWORDS method: `cls` is
    // LegacyInt or a subclass.
    unsafe {
        let Some(n) = ask_builtin_type::<LegacyInt>(c"from_bytes", args, kwargs) else {
            return ptr::null_mut();
        };
        if cls.cast() == type_object::<LegacyInt>() {
            return super::number::into_pool(n).map_or(ptr::null_mut(), Owned::into_ptr);
        }
        let mut overflow: c_int = 0;
        ffi::PyLong_AsLongAndOverflow(n.as_ptr(), &mut overflow);
        if overflow != 0 {
            return n.into_ptr();
        }
        ffi::PyObject_CallOneArg(cls, n.as_ptr())
    }
}

unsafe extern "C" fn get_identity(obj: *mut ffi::PyObject, _: *mut c_void) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyInt (a getter).
    unsafe { identity::<LegacyInt>(obj) }
}

unsafe extern "C" fn get_int(obj: *mut ffi::PyObject, _: *mut c_void) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyInt (a getter).
    unsafe { ffi::PyLong_FromLong(LegacyInt::read_instance(obj)) }
}

unsafe extern "C" fn get_int_one(_: *mut ffi::PyObject, _: *mut c_void) -> *mut ffi::PyObject {
    // SAFETY: GIL held (a getter).
    unsafe { ffi::PyLong_FromLong(1) }
}

unsafe extern "C" fn get_zero(_: *mut ffi::PyObject, _: *mut c_void) -> *mut ffi::PyObject {
    // SAFETY: GIL held (a getter); 0 is in the small-int cache.
    unsafe { LegacyInt::from_value(0) }
}

/// The methods beyond pickling, which the pooled lifecycle adds.
pub fn methods() -> Vec<ffi::PyMethodDef> {
    vec![
        method(
            c"__trunc__",
            noargs(same),
            NOARGS,
            c"Truncating an integer returns itself.",
        ),
        method(
            c"__floor__",
            noargs(same),
            NOARGS,
            c"Flooring an integer returns itself.",
        ),
        method(
            c"__ceil__",
            noargs(same),
            NOARGS,
            c"Ceiling of an integer returns itself.",
        ),
        method(
            c"conjugate",
            noargs(same),
            NOARGS,
            c"Returns self, the complex conjugate of any int.",
        ),
        method(
            c"__round__",
            varargs(round),
            VARARGS,
            c"round(x[, ndigits]) as int rounds.",
        ),
        method(
            c"__format__",
            varargs(format),
            VARARGS,
            c"Formats as int formats, for every format spec.",
        ),
        method(
            c"bit_length",
            noargs(bit_length),
            NOARGS,
            c"Number of bits needed to represent abs(self).",
        ),
        method(
            c"bit_count",
            noargs(bit_count),
            NOARGS,
            c"Number of ones in the binary representation of abs(self).",
        ),
        method(
            c"to_bytes",
            varargs(to_bytes),
            VARARGS,
            c"to_bytes(length=1, byteorder='big', *, signed=False), as int.",
        ),
        method(
            c"as_integer_ratio",
            varargs(as_integer_ratio),
            VARARGS,
            c"Returns (self, 1).",
        ),
        method(
            c"is_integer",
            noargs(is_integer),
            NOARGS,
            c"Returns True: an integer is an integer.",
        ),
        method(
            c"from_bytes",
            varargs(from_bytes),
            VARARGS | ffi::METH_CLASS,
            c"from_bytes(bytes, byteorder='big', *, signed=False), as int.from_bytes.",
        ),
    ]
}

/// The attributes beyond `__class__`, which the pooled lifecycle adds.
pub fn getset() -> Vec<ffi::PyGetSetDef> {
    vec![
        getter(c"real", get_identity, c"the real part of a complex number"),
        getter(c"imag", get_zero, c"the imaginary part of a complex number"),
        // Plain ints: decimal's C code reads the numbers.Rational protocol
        // and accepts nothing but an exact int there.
        getter(
            c"numerator",
            get_int,
            c"the numerator in lowest terms (an int)",
        ),
        getter(
            c"denominator",
            get_int_one,
            c"the denominator in lowest terms: 1 (an int)",
        ),
    ]
}
