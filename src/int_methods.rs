//! LegacyInt's methods and attributes beyond the slots: the rest of int's
//! interface (`bit_length`, `to_bytes`, `__format__`, `real`, ...) and pickling.
//!
//! Where int's answer is not trivial to restate (formatting, byte order,
//! rounding to tens), the method asks int itself and brings an integer result
//! back into the pool, so that the two can never disagree.

use crate::int_pool;
use crate::legacy_int::{legacy_int_type, value_of};
use crate::number::{into_pool, into_pool_deep, nb_positive};
use crate::type_support::{
    call_method_of, class_guard, format_with, getset_end, getter, method, newargs, noargs,
    pickling_methods, varargs, NOARGS, VARARGS,
};
use pyo3::ffi;
use std::ffi::CStr;
use std::os::raw::{c_int, c_long, c_void};
use std::ptr;

/// Calls int's method `name` on the value of `obj`, with the same arguments,
/// and brings an integer result back into the pool.
///
/// # Safety
/// The GIL is held; `obj` is a live LegacyInt, `args` a tuple, `kwargs` a
/// dict or null.
unsafe fn ask_int(
    obj: *mut ffi::PyObject,
    name: &CStr,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held; the temporary int is owned by call_method_of.
    unsafe {
        into_pool_deep(call_method_of(
            ffi::PyLong_FromLong(value_of(obj)),
            name,
            args,
            kwargs,
        ))
    }
}

macro_rules! int_method {
    ($fn_name:ident, $py_name:literal) => {
        unsafe extern "C" fn $fn_name(
            obj: *mut ffi::PyObject,
            args: *mut ffi::PyObject,
            kwargs: *mut ffi::PyObject,
        ) -> *mut ffi::PyObject {
            // SAFETY: a METH_VARARGS | METH_KEYWORDS method: the interpreter
            // passes a live LegacyInt, a tuple and a dict or null.
            unsafe { ask_int(obj, $py_name, args, kwargs) }
        }
    };
}

int_method!(to_bytes, c"to_bytes");
unsafe extern "C" fn format(
    obj: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: a METH_VARARGS | METH_KEYWORDS method (see format_with).
    unsafe { format_with(obj, args, kwargs, ask_int) }
}
int_method!(as_integer_ratio, c"as_integer_ratio");

unsafe extern "C" fn round(
    obj: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: as for int_method!; round(x) and round(x, None) are the
    // identity on an int, round(x, n) is int's business.
    unsafe {
        let no_kwargs = kwargs.is_null() || ffi::PyDict_Size(kwargs) == 0;
        let nargs = ffi::PyTuple_GET_SIZE(args);
        if no_kwargs
            && (nargs == 0 || (nargs == 1 && ffi::PyTuple_GET_ITEM(args, 0) == ffi::Py_None()))
        {
            return nb_positive(obj);
        }
        ask_int(obj, c"__round__", args, kwargs)
    }
}

unsafe extern "C" fn identity(
    obj: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyInt (METH_NOARGS).
    unsafe { nb_positive(obj) }
}

unsafe extern "C" fn bit_length(
    obj: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyInt (METH_NOARGS).
    unsafe {
        let magnitude = value_of(obj).unsigned_abs();
        int_pool::from_long((c_long::BITS - magnitude.leading_zeros()) as c_long)
    }
}

unsafe extern "C" fn bit_count(
    obj: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyInt (METH_NOARGS).
    unsafe { int_pool::from_long(value_of(obj).unsigned_abs().count_ones() as c_long) }
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
    // LegacyInt or a subclass; temporaries are released once.
    unsafe {
        let int_type = ptr::addr_of_mut!(ffi::PyLong_Type).cast::<ffi::PyObject>();
        let method = ffi::PyObject_GetAttrString(int_type, c"from_bytes".as_ptr());
        if method.is_null() {
            return method;
        }
        let n = ffi::PyObject_Call(method, args, kwargs);
        ffi::Py_DECREF(method);
        if n.is_null() || cls.cast() == legacy_int_type() {
            return into_pool(n);
        }
        let mut overflow: c_int = 0;
        ffi::PyLong_AsLongAndOverflow(n, &mut overflow);
        if overflow != 0 {
            return n;
        }
        let instance = ffi::PyObject_CallOneArg(cls, n);
        ffi::Py_DECREF(n);
        instance
    }
}

unsafe extern "C" fn getnewargs(
    obj: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live pooled object (METH_NOARGS).
    unsafe { newargs(ffi::PyLong_FromLong(value_of(obj))) }
}

unsafe extern "C" fn get_identity(obj: *mut ffi::PyObject, _: *mut c_void) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyInt (a getter).
    unsafe { nb_positive(obj) }
}

unsafe extern "C" fn get_int(obj: *mut ffi::PyObject, _: *mut c_void) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyInt (a getter).
    unsafe { ffi::PyLong_FromLong(value_of(obj)) }
}

unsafe extern "C" fn get_int_one(_: *mut ffi::PyObject, _: *mut c_void) -> *mut ffi::PyObject {
    // SAFETY: GIL held (a getter).
    unsafe { ffi::PyLong_FromLong(1) }
}

unsafe extern "C" fn get_zero(_: *mut ffi::PyObject, _: *mut c_void) -> *mut ffi::PyObject {
    // SAFETY: GIL held (a getter); 0 is in the small-int cache.
    unsafe { int_pool::from_long(0) }
}

/// The method table. Built once, at type creation, and leaked there:
/// the type's method descriptors point into it for the life of the process.
pub fn methods() -> Vec<ffi::PyMethodDef> {
    let mut table = pickling_methods(getnewargs).to_vec();
    table.extend([
        method(
            c"__trunc__",
            noargs(identity),
            NOARGS,
            c"Truncating an integer returns itself.",
        ),
        method(
            c"__floor__",
            noargs(identity),
            NOARGS,
            c"Flooring an integer returns itself.",
        ),
        method(
            c"__ceil__",
            noargs(identity),
            NOARGS,
            c"Ceiling of an integer returns itself.",
        ),
        method(
            c"conjugate",
            noargs(identity),
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
        ffi::PyMethodDef::zeroed(),
    ]);
    table
}

/// The attribute table, built and leaked as the method table is.
pub fn getset() -> Vec<ffi::PyGetSetDef> {
    vec![
        class_guard(),
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
        getset_end(),
    ]
}
