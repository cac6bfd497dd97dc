//! What the pooled types (LegacyInt, LegacyFloat) share at the C-API level:
//! type slots and method tables, the general call path, pickling, and the
//! refusal of `__class__` assignment.

use pyo3::ffi;
use std::ffi::CStr;
use std::os::raw::{c_int, c_void};
use std::ptr;

/// Subclassable, and immutable as int and float are. Immutability also lets
/// the 3.11+ interpreter specialise calls of the type to its vectorcall.
#[cfg(Py_3_10)]
pub const TYPE_FLAGS: std::os::raw::c_ulong =
    ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_BASETYPE | ffi::Py_TPFLAGS_IMMUTABLETYPE;
#[cfg(not(Py_3_10))]
pub const TYPE_FLAGS: std::os::raw::c_ulong = ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_BASETYPE;

pub fn slot(slot: c_int, pfunc: *mut c_void) -> ffi::PyType_Slot {
    ffi::PyType_Slot { slot, pfunc }
}

/// A new str from Rust text, or null with an exception set.
///
/// # Safety
/// The GIL is held.
pub unsafe fn new_str(text: &str) -> *mut ffi::PyObject {
    // SAFETY: GIL held; pointer and length describe valid UTF-8.
    unsafe { ffi::PyUnicode_FromStringAndSize(text.as_ptr().cast(), text.len() as ffi::Py_ssize_t) }
}

/// Every other call: the tuple and dict that type_call expects, then
/// type_call itself (tp_new, and tp_init for a subclass). Kept out of line so
/// that the fast path above saves no registers for it.
///
/// # Safety
/// Called as a type's tp_vectorcall would be, with `nargs` already
/// extracted: the GIL held, `args` holding `nargs` positional arguments
/// followed by one per name in `kwnames`.
#[cold]
#[inline(never)]
pub unsafe fn vectorcall_general(
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held; `args` holds `nargs` positional arguments followed by
    // one per name in `kwnames` (the vectorcall convention).
    unsafe {
        let Some(type_call) = (*ptr::addr_of_mut!(ffi::PyType_Type)).tp_call else {
            ffi::PyErr_SetString(ffi::PyExc_SystemError, c"type has no tp_call".as_ptr());
            return ptr::null_mut();
        };
        let tuple = ffi::PyTuple_New(nargs);
        if tuple.is_null() {
            return tuple;
        }
        for i in 0..nargs {
            // Steals a new reference into a tuple nobody else has seen.
            ffi::PyTuple_SET_ITEM(tuple, i, ffi::compat::Py_NewRef(*args.offset(i)));
        }
        let mut kwargs = ptr::null_mut();
        if !kwnames.is_null() {
            kwargs = ffi::PyDict_New();
            if kwargs.is_null() {
                ffi::Py_DECREF(tuple);
                return kwargs;
            }
            for k in 0..ffi::PyTuple_GET_SIZE(kwnames) {
                let name = ffi::PyTuple_GET_ITEM(kwnames, k);
                if ffi::PyDict_SetItem(kwargs, name, *args.offset(nargs + k)) < 0 {
                    ffi::Py_DECREF(tuple);
                    ffi::Py_DECREF(kwargs);
                    return ptr::null_mut();
                }
            }
        }
        let result = type_call(callable, tuple, kwargs);
        ffi::Py_DECREF(tuple);
        if !kwargs.is_null() {
            ffi::Py_DECREF(kwargs);
        }
        result
    }
}

/// `__reduce__` for a pooled type: `(type(obj), (value,), state)`, where
/// `value` (a new reference, or null with an exception set) is the plain
/// int or float the object holds and `state` is a subclass instance's
/// `__dict__`, which pickle restores.
///
/// # Safety
/// The GIL is held, `obj` is live; `exact` is the pooled type itself.
pub unsafe fn reduce_with(
    obj: *mut ffi::PyObject,
    value: *mut ffi::PyObject,
    exact: *mut ffi::PyTypeObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj live. Every reference made here is moved into
    // the result or released on the error paths.
    unsafe {
        let tp = ffi::Py_TYPE(obj);
        if value.is_null() {
            return ptr::null_mut();
        }
        let args = ffi::PyTuple_Pack(1, value);
        ffi::Py_DECREF(value);
        if args.is_null() {
            return ptr::null_mut();
        }
        let mut state = ptr::null_mut();
        if tp != exact {
            state = ffi::PyObject_GetAttrString(obj, c"__dict__".as_ptr());
            if state.is_null() {
                ffi::PyErr_Clear();
            }
        }
        if state.is_null() {
            state = ffi::compat::Py_NewRef(ffi::Py_None());
        }
        let result = ffi::PyTuple_Pack(3, tp.cast::<ffi::PyObject>(), args, state);
        ffi::Py_DECREF(args);
        ffi::Py_DECREF(state);
        result
    }
}

pub unsafe extern "C" fn get_class(obj: *mut ffi::PyObject, _: *mut c_void) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj live (a getter).
    unsafe { ffi::compat::Py_NewRef(ffi::Py_TYPE(obj).cast()) }
}

/// `__class__` assignment would move an object between the pool and the
/// generic allocator without moving its memory: tp_dealloc would then give
/// pool memory to tp_free, or generic memory to the free list. CPython
/// refuses it for immutable types (3.10+); this setter refuses it everywhere,
/// for subclass instances too.
pub unsafe extern "C" fn set_class(
    _: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
    _: *mut c_void,
) -> c_int {
    // SAFETY: GIL held (a setter).
    unsafe {
        ffi::PyErr_SetString(
            ffi::PyExc_TypeError,
            c"__class__ assignment is not supported for pooled types: an object's memory belongs to its allocator"
                .as_ptr(),
        );
    }
    -1
}

pub const fn method(
    name: &'static CStr,
    meth: ffi::PyMethodDefPointer,
    flags: c_int,
    doc: &'static CStr,
) -> ffi::PyMethodDef {
    ffi::PyMethodDef {
        ml_name: name.as_ptr(),
        ml_meth: meth,
        ml_flags: flags,
        ml_doc: doc.as_ptr(),
    }
}

pub const NOARGS: c_int = ffi::METH_NOARGS;
pub const VARARGS: c_int = ffi::METH_VARARGS | ffi::METH_KEYWORDS;

pub fn noargs(f: ffi::PyCFunction) -> ffi::PyMethodDefPointer {
    ffi::PyMethodDefPointer { PyCFunction: f }
}

pub fn varargs(f: ffi::PyCFunctionWithKeywords) -> ffi::PyMethodDefPointer {
    ffi::PyMethodDefPointer {
        PyCFunctionWithKeywords: f,
    }
}

pub fn getter(name: &'static CStr, get: ffi::getter, doc: &'static CStr) -> ffi::PyGetSetDef {
    getset_def(name, get, None, doc)
}

pub fn getset_def(
    name: &'static CStr,
    get: ffi::getter,
    set: Option<ffi::setter>,
    doc: &'static CStr,
) -> ffi::PyGetSetDef {
    ffi::PyGetSetDef {
        name: name.as_ptr(),
        get: Some(get),
        set,
        doc: doc.as_ptr(),
        closure: ptr::null_mut(),
    }
}

/// The entry that ends a getset table.
pub fn getset_end() -> ffi::PyGetSetDef {
    ffi::PyGetSetDef {
        name: ptr::null(),
        get: None,
        set: None,
        doc: ptr::null(),
        closure: ptr::null_mut(),
    }
}

/// The `__class__` entry of a pooled type's getset table.
pub fn class_guard() -> ffi::PyGetSetDef {
    getset_def(
        c"__class__",
        get_class,
        Some(set_class),
        c"the object's type (not assignable)",
    )
}

/// A subclass instance: allocated by the subclass's own `tp_alloc` (with
/// whatever GC header and dict it needs; the pool is not involved), then
/// given its value by `init`. Null with an exception set if allocation fails.
///
/// # Safety
/// The GIL is held; `subtype` is a subclass of a pooled type whose instances
/// start with a `T`.
pub unsafe fn new_subclass_instance<T>(
    subtype: *mut ffi::PyTypeObject,
    init: impl FnOnce(*mut T),
) -> *mut ffi::PyObject {
    // SAFETY: GIL held; tp_alloc returns zeroed memory of the subtype's
    // basicsize (at least size_of::<T>()) with the header initialised, or null.
    unsafe {
        let alloc = (*subtype).tp_alloc.unwrap_or(ffi::PyType_GenericAlloc);
        let obj = alloc(subtype, 0);
        if !obj.is_null() {
            init(obj.cast());
        }
        obj
    }
}

/// A new tuple with `f` applied to each item of `tuple`. Takes ownership of
/// `tuple`; `f` takes ownership of a new reference to each item and returns
/// a new reference or null with an exception set.
///
/// # Safety
/// The GIL is held and `tuple` is an exact tuple.
pub unsafe fn map_tuple(
    tuple: *mut ffi::PyObject,
    f: unsafe fn(*mut ffi::PyObject) -> *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held; the new tuple is seen by nobody until returned, each
    // of its slots is filled once (SET_ITEM steals), and `tuple` is released
    // on every path.
    unsafe {
        let n = ffi::PyTuple_GET_SIZE(tuple);
        let mapped = ffi::PyTuple_New(n);
        if !mapped.is_null() {
            for i in 0..n {
                let item = f(ffi::compat::Py_NewRef(ffi::PyTuple_GET_ITEM(tuple, i)));
                if item.is_null() {
                    ffi::Py_DECREF(mapped);
                    ffi::Py_DECREF(tuple);
                    return item;
                }
                ffi::PyTuple_SET_ITEM(mapped, i, item);
            }
        }
        ffi::Py_DECREF(tuple);
        mapped
    }
}

/// `getattr(target, name)(*args, **kwargs)`, releasing `target`, which is
/// owned here (a temporary int or float holding a pooled object's value).
///
/// # Safety
/// The GIL is held; `target` is null (an exception set) or a new reference;
/// `args` is a tuple and `kwargs` a dict or null.
pub unsafe fn call_method_of(
    target: *mut ffi::PyObject,
    name: &CStr,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held; each temporary is released once.
    unsafe {
        if target.is_null() {
            return target;
        }
        let method = ffi::PyObject_GetAttrString(target, name.as_ptr());
        ffi::Py_DECREF(target);
        if method.is_null() {
            return method;
        }
        let result = ffi::PyObject_Call(method, args, kwargs);
        ffi::Py_DECREF(method);
        result
    }
}
