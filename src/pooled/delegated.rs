//! What a pooled type asks of the builtin it stands for: its methods
//! (formatting, rounding, bytes), with the answer brought back into the
//! pools.

use super::PooledType;
use crate::capi::errors::reword_pending;
use crate::capi::owned::Owned;
use crate::capi::type_spec::{no_keywords, type_name};
use pyo3::ffi;
use std::ffi::CStr;
use std::ptr;

/// `getattr(plain, name)(*args, **kwargs)` on the builtin value of `obj`,
/// the result brought back into the pools as `P` brings back its own.
///
/// # Safety
/// The GIL is held; `obj` is a live instance of P, `args` a tuple, `kwargs`
/// a dict or null.
pub unsafe fn ask_builtin<P: PooledType>(
    obj: *mut ffi::PyObject,
    name: &CStr,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, live arguments (caller's contract).
    unsafe {
        let Some(plain) = Owned::new(P::to_builtin(P::read_instance(obj))) else {
            return ptr::null_mut();
        };
        let Some(method) = Owned::new(ffi::PyObject_GetAttrString(plain.as_ptr(), name.as_ptr()))
        else {
            return ptr::null_mut();
        };
        let Some(result) = Owned::new(ffi::PyObject_Call(method.as_ptr(), args, kwargs)) else {
            return ptr::null_mut();
        };
        P::bring_back(result).map_or(ptr::null_mut(), Owned::into_ptr)
    }
}

/// `builtin.name(*args, **kwargs)`: a class method of the builtin itself
/// (`float.fromhex`, `int.from_bytes`), its result as it is.
///
/// # Safety
/// The GIL is held; `args` a tuple, `kwargs` a dict or null.
pub unsafe fn ask_builtin_type<P: PooledType>(
    name: &CStr,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> Option<Owned> {
    // SAFETY: GIL held; the builtin type is static.
    unsafe {
        let method = Owned::new(ffi::PyObject_GetAttrString(
            P::builtin().cast(),
            name.as_ptr(),
        ))?;
        Owned::new(ffi::PyObject_Call(method.as_ptr(), args, kwargs))
    }
}

/// A new tuple with `f` applied to each item of `tuple`, which it takes
/// over; `f` takes over a new reference to each item and returns a new
/// reference or null with an exception set.
///
/// # Safety
/// The GIL is held and `tuple` is an exact tuple.
pub unsafe fn map_tuple(tuple: Owned, f: unsafe fn(Owned) -> Option<Owned>) -> Option<Owned> {
    // SAFETY: GIL held; the new tuple is seen by nobody until returned, and
    // each of its slots is filled once (SET_ITEM steals).
    unsafe {
        let n = ffi::PyTuple_GET_SIZE(tuple.as_ptr());
        let mapped = Owned::new(ffi::PyTuple_New(n))?;
        for i in 0..n {
            let item = ffi::compat::Py_NewRef(ffi::PyTuple_GET_ITEM(tuple.as_ptr(), i));
            let item = f(Owned::new(item)?)?;
            ffi::PyTuple_SET_ITEM(mapped.as_ptr(), i, item.into_ptr());
        }
        Some(mapped)
    }
}

/// `__format__` of a pooled type: an empty spec gives `str(obj)`, as int's
/// and float's `__format__` do (so a subclass's `__str__` is honoured); any
/// other spec is the builtin's `__format__` of the value, and a ValueError
/// that names the builtin as the object's type ("Unknown format code 's'
/// for object of type 'int'") names `obj`'s type instead, as int's and
/// float's messages name their subclasses.
///
/// # Safety
/// The GIL is held; `obj` is a live instance of P, `args` a tuple, `kwargs`
/// a dict or null.
pub unsafe fn format<P: PooledType>(
    obj: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, live arguments (caller's contract).
    unsafe {
        if no_keywords(kwargs) && ffi::PyTuple_GET_SIZE(args) == 1 {
            let spec = ffi::PyTuple_GET_ITEM(args, 0);
            if ffi::PyUnicode_Check(spec) != 0 && ffi::PyUnicode_GetLength(spec) == 0 {
                return ffi::PyObject_Str(obj);
            }
        }
        let formatted = ask_builtin::<P>(obj, c"__format__", args, kwargs);
        if formatted.is_null() {
            let name = type_name(obj);
            reword_pending(ffi::PyExc_ValueError, |text| {
                ["'int'", "'float'"].into_iter().find_map(|plain| {
                    let said = format!("of type {plain}");
                    text.contains(&said)
                        .then(|| text.replace(&said, &format!("of type '{name}'")))
                })
            });
        }
        formatted
    }
}
