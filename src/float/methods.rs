//! LegacyFloat's methods and attributes beyond the slots: the rest of
//! float's interface, asked of float itself so that the two cannot
//! disagree, its float results brought back into the float pool.

use super::value::LegacyFloat;
use crate::capi::owned::Owned;
use crate::capi::type_spec::{getter, method, noargs, varargs, NOARGS, VARARGS};
use crate::pooled::delegated::{self, ask_builtin_type};
use crate::pooled::delegated_method;
use crate::pooled::lifecycle::identity;
#[cfg(Py_3_14)]
use crate::pooled::type_object;
use crate::pooled::PooledType;
use pyo3::ffi;
use std::os::raw::c_void;
use std::ptr;

delegated_method!(LegacyFloat, round, c"__round__");
delegated_method!(LegacyFloat, trunc, c"__trunc__");
delegated_method!(LegacyFloat, floor, c"__floor__");
delegated_method!(LegacyFloat, ceil, c"__ceil__");
unsafe extern "C" fn format(
    obj: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: a METH_VARARGS | METH_KEYWORDS method: a live LegacyFloat, a
    // tuple and a dict or null.
    unsafe { delegated::format::<LegacyFloat>(obj, args, kwargs) }
}
delegated_method!(LegacyFloat, is_integer, c"is_integer");
delegated_method!(LegacyFloat, hex, c"hex");
delegated_method!(LegacyFloat, as_integer_ratio, c"as_integer_ratio");

unsafe extern "C" fn conjugate(
    obj: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyFloat (METH_NOARGS).
    unsafe { identity::<LegacyFloat>(obj) }
}

/// `LegacyFloat.__getformat__(typestr)`: float's answer, the C double's
/// layout (a LegacyFloat holds the same double).
unsafe extern "C" fn getformat(
    _cls: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: a METH_CLASS | METH_VARARGS | METH_KEYWORDS method.
    unsafe {
        ask_builtin_type::<LegacyFloat>(c"__getformat__", args, kwargs)
            .map_or(ptr::null_mut(), Owned::into_ptr)
    }
}

/// float's class method `name` on the arguments, its float made an
/// instance of `cls` (LegacyFloat or a subclass), as float's alternative
/// constructors make an instance of theirs.
///
/// # Safety
/// The GIL is held; `cls` a type, `args` a tuple, `kwargs` a dict or null.
unsafe fn float_class_method_as(
    cls: *mut ffi::PyObject,
    name: &std::ffi::CStr,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held and the arguments as the caller's contract says.
    unsafe {
        let Some(f) = ask_builtin_type::<LegacyFloat>(name, args, kwargs) else {
            return ptr::null_mut();
        };
        ffi::PyObject_CallOneArg(cls, f.as_ptr())
    }
}

/// `LegacyFloat.fromhex(s)`: float's reading, as an instance of the class
/// it was called on.
unsafe extern "C" fn fromhex(
    cls: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: a METH_CLASS | METH_VARARGS | METH_KEYWORDS method.
    unsafe { float_class_method_as(cls, c"fromhex", args, kwargs) }
}

/// `LegacyFloat.from_number(x)` (3.14+): float.from_number's reading of
/// `x` (its `__float__`, else its `__index__`; never a string), as an
/// instance of the class it was called on. An exact LegacyFloat asked of
/// LegacyFloat itself comes back as it is, as a float does from float.
#[cfg(Py_3_14)]
unsafe extern "C" fn from_number(
    cls: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: a METH_CLASS | METH_VARARGS | METH_KEYWORDS method: a type, a
    // tuple and a dict or null; the tuple's item is borrowed from it.
    unsafe {
        if cls == type_object::<LegacyFloat>().cast()
            && kwargs.is_null()
            && ffi::PyTuple_GET_SIZE(args) == 1
        {
            let number = ffi::PyTuple_GET_ITEM(args, 0);
            // Exactly a LegacyFloat (is_exact_pooled also takes a LegacyInt,
            // which stands for an exact builtin in float's arithmetic).
            if ffi::Py_TYPE(number) == type_object::<LegacyFloat>() {
                return ffi::compat::Py_NewRef(number);
            }
        }
        float_class_method_as(cls, c"from_number", args, kwargs)
    }
}

unsafe extern "C" fn get_identity(obj: *mut ffi::PyObject, _: *mut c_void) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live LegacyFloat (a getter).
    unsafe { identity::<LegacyFloat>(obj) }
}

unsafe extern "C" fn get_zero(_: *mut ffi::PyObject, _: *mut c_void) -> *mut ffi::PyObject {
    // SAFETY: GIL held (a getter).
    unsafe { LegacyFloat::from_value(0.0) }
}

/// The methods beyond pickling, which the pooled lifecycle adds.
pub fn methods() -> Vec<ffi::PyMethodDef> {
    #[allow(unused_mut)] // float gained a method in 3.14
    let mut methods = vec![
        method(
            c"conjugate",
            noargs(conjugate),
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
    ];
    #[cfg(Py_3_14)]
    methods.push(method(
        c"from_number",
        varargs(from_number),
        VARARGS | ffi::METH_CLASS,
        c"from_number(number): a LegacyFloat from a number (its __float__ or __index__; \
          not a string), as float.from_number.",
    ));
    methods
}

/// The attributes beyond `__class__`, which the pooled lifecycle adds.
pub fn getset() -> Vec<ffi::PyGetSetDef> {
    vec![
        getter(c"real", get_identity, c"the real part of a complex number"),
        getter(c"imag", get_zero, c"the imaginary part of a complex number"),
    ]
}
