//! What the pooled types (LegacyInt, LegacyFloat) share at the C-API level:
//! type slots and method tables, the general call path, pickling, and the
//! refusal of `__class__` assignment.

use crate::owned::Owned;
use pyo3::ffi;
use std::ffi::CStr;
use std::os::raw::{c_int, c_void};
use std::ptr;

use crate::arena::Arena;
use crate::pymem_blocks::PyMemBlocks;

/// Subclassable, and immutable as int and float are. Immutability also lets
/// the 3.11+ interpreter specialise calls of the type to its vectorcall.
#[cfg(Py_3_10)]
pub const TYPE_FLAGS: std::os::raw::c_ulong =
    ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_BASETYPE | ffi::Py_TPFLAGS_IMMUTABLETYPE;
#[cfg(not(Py_3_10))]
pub const TYPE_FLAGS: std::os::raw::c_ulong = ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_BASETYPE;

/// One entry of a `PyType_Spec`'s slot table.
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

/// A call of a pooled type that its vectorcall fast path does not take: the
/// tuple and dict that type_call expects, then type_call itself (tp_new, and
/// tp_init for a subclass). Kept out of line so that the fast paths save no
/// registers for it.
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

/// `__reduce_ex__` for a pooled type, whatever the protocol: object's own
/// protocol-2 reduction, `copyreg.__newobj__(type(obj), *obj.__getnewargs__())`
/// with the instance's state (a subclass's `__dict__` and `__slots__`). It is
/// plain data under every protocol, where protocols 0 and 1 would otherwise
/// go through `copyreg._reduce_ex`, which cannot rebuild these types.
pub unsafe extern "C" fn reduce_ex(
    obj: *mut ffi::PyObject,
    _protocol: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: a METH_O method: GIL held, obj live; the temporaries are
    // released once.
    unsafe {
        let object_type = ptr::addr_of_mut!(ffi::PyBaseObject_Type).cast::<ffi::PyObject>();
        let method = ffi::PyObject_GetAttrString(object_type, c"__reduce_ex__".as_ptr());
        if method.is_null() {
            return method;
        }
        let two = ffi::PyLong_FromLong(2);
        let result = if two.is_null() {
            ptr::null_mut()
        } else {
            let r = ffi::PyObject_CallFunctionObjArgs(
                method,
                obj,
                two,
                ptr::null_mut::<ffi::PyObject>(),
            );
            ffi::Py_DECREF(two);
            r
        };
        ffi::Py_DECREF(method);
        result
    }
}

/// The two method-table entries that make a pooled type picklable and
/// copyable: `__reduce_ex__` (above) and the type's `__getnewargs__`.
pub fn pickling_methods(getnewargs: ffi::PyCFunction) -> [ffi::PyMethodDef; 2] {
    [
        method(
            c"__reduce_ex__",
            ffi::PyMethodDefPointer {
                PyCFunction: reduce_ex,
            },
            ffi::METH_O,
            c"Helper for pickle: object's protocol-2 reduction, under every protocol.",
        ),
        method(
            c"__getnewargs__",
            noargs(getnewargs),
            NOARGS,
            c"The arguments that rebuild the object: its plain value.",
        ),
    ]
}

/// `(value,)`, the arguments that rebuild a pooled object; `value` is a new
/// reference (or null with an exception set), consumed here.
///
/// # Safety
/// The GIL is held.
pub unsafe fn newargs(value: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held; `value` is released once.
    unsafe {
        if value.is_null() {
            return value;
        }
        let args = ffi::PyTuple_Pack(1, value);
        ffi::Py_DECREF(value);
        args
    }
}

/// `__class__`: the object's type, as object's own getter gives it.
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

/// One entry of a method table.
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

/// `ml_flags` of a method without arguments, and of one with `*args, **kwargs`.
pub const NOARGS: c_int = ffi::METH_NOARGS;
pub const VARARGS: c_int = ffi::METH_VARARGS | ffi::METH_KEYWORDS;

/// A `METH_NOARGS` function as a method-table entry's pointer.
pub fn noargs(f: ffi::PyCFunction) -> ffi::PyMethodDefPointer {
    ffi::PyMethodDefPointer { PyCFunction: f }
}

/// A `METH_VARARGS | METH_KEYWORDS` function as a method-table entry's pointer.
pub fn varargs(f: ffi::PyCFunctionWithKeywords) -> ffi::PyMethodDefPointer {
    ffi::PyMethodDefPointer {
        PyCFunctionWithKeywords: f,
    }
}

/// A read-only attribute of a getset table.
pub fn getter(name: &'static CStr, get: ffi::getter, doc: &'static CStr) -> ffi::PyGetSetDef {
    getset_def(name, get, None, doc)
}

/// An attribute of a getset table, writable if `set` is given.
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

/// Whether a `__format__` call was given exactly one argument, an empty str.
///
/// # Safety
/// The GIL is held; `args` is a tuple, `kwargs` a dict or null.
pub unsafe fn empty_format_spec(args: *mut ffi::PyObject, kwargs: *mut ffi::PyObject) -> bool {
    // SAFETY: GIL held; args is a tuple (caller's contract).
    unsafe {
        (kwargs.is_null() || ffi::PyDict_Size(kwargs) == 0)
            && ffi::PyTuple_GET_SIZE(args) == 1
            && ffi::PyUnicode_Check(ffi::PyTuple_GET_ITEM(args, 0)) != 0
            && ffi::PyUnicode_GetLength(ffi::PyTuple_GET_ITEM(args, 0)) == 0
    }
}

/// A new object of the pooled type `tp` in a slot popped from `pool`: the
/// header written by `PyObject_Init` (type, a reference to the heap type,
/// refcount, and whatever else this build's header holds, so no header field
/// is ever written by hand), the body by `init`. Null with MemoryError set
/// when no block can be had. Python 2's `PyInt_FromLong` minus the cache.
///
/// # Safety
/// The GIL is held; `tp` is the pooled type whose exact instances `pool`
/// serves, and `init` writes every field of `T` past the header.
#[inline(always)]
pub unsafe fn new_pooled_object<T>(
    pool: &mut Arena<T, PyMemBlocks>,
    tp: *mut ffi::PyTypeObject,
    init: impl FnOnce(*mut T),
) -> *mut ffi::PyObject {
    let Some(slot) = pool.pop() else {
        // SAFETY: GIL held.
        return unsafe { ffi::PyErr_NoMemory() };
    };
    let obj = slot.as_ptr();
    // SAFETY: `slot` is uninitialised memory of T's size and alignment, T
    // starts with a PyObject header, and PyObject_Init runs no Python code.
    unsafe {
        ffi::PyObject_Init(obj.cast(), tp);
        init(obj);
    }
    obj.cast()
}

/// A pooled type's `__format__`: an empty spec gives `str(obj)`, as int's
/// and float's `__format__` do (so a subclass's `__str__` is honoured);
/// any other spec is `ask`ed of the plain value's `__format__`, and a
/// ValueError that names the plain value's type ("Unknown format code 's'
/// for object of type 'int'") names `obj`'s instead, as int's and float's
/// messages name their subclasses.
///
/// # Safety
/// The GIL is held; `obj` is live, `args` a tuple, `kwargs` a dict or null,
/// and `ask` has the contract of the type's delegated-method helper.
pub unsafe fn format_with(
    obj: *mut ffi::PyObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
    ask: unsafe fn(
        *mut ffi::PyObject,
        &CStr,
        *mut ffi::PyObject,
        *mut ffi::PyObject,
    ) -> *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held (caller's contract).
    unsafe {
        if empty_format_spec(args, kwargs) {
            return ffi::PyObject_Str(obj);
        }
        let formatted = ask(obj, c"__format__", args, kwargs);
        if formatted.is_null() {
            name_in_format_error(obj);
        }
        formatted
    }
}

/// Rewrites the pending exception if it is a ValueError whose message names
/// int or float as the formatted object's type, to name `obj`'s type.
///
/// # Safety
/// The GIL is held, `obj` is live and an exception is set.
unsafe fn name_in_format_error(obj: *mut ffi::PyObject) {
    // SAFETY: GIL held and an exception set (caller's contract); the fetched
    // exception is owned here and either restored or replaced; obj's type
    // name is a C string that lives as long as obj.
    unsafe {
        if ffi::PyErr_ExceptionMatches(ffi::PyExc_ValueError) == 0 {
            return;
        }
        let (mut kind, mut value, mut traceback) =
            (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
        ffi::PyErr_Fetch(&mut kind, &mut value, &mut traceback);
        ffi::PyErr_NormalizeException(&mut kind, &mut value, &mut traceback);
        let text = Owned::new(ffi::PyObject_Str(value));
        let mut rewritten = None;
        if let Some(text) = &text {
            let mut size: ffi::Py_ssize_t = 0;
            let utf8 = ffi::PyUnicode_AsUTF8AndSize(text.as_ptr(), &mut size);
            if !utf8.is_null() {
                let text = String::from_utf8_lossy(std::slice::from_raw_parts(
                    utf8.cast::<u8>(),
                    size as usize,
                ));
                let name = CStr::from_ptr((*ffi::Py_TYPE(obj)).tp_name).to_string_lossy();
                rewritten = ["'int'", "'float'"].into_iter().find_map(|plain| {
                    let said = format!("of type {plain}");
                    text.contains(&said)
                        .then(|| text.replace(&said, &format!("of type '{name}'")))
                });
            }
        }
        ffi::PyErr_Clear(); // from str() or UTF-8, if they failed
        match rewritten.and_then(|message| Owned::new(new_str(&message))) {
            Some(message) => {
                ffi::PyErr_SetObject(ffi::PyExc_ValueError, message.as_ptr());
                for held in [kind, value, traceback] {
                    ffi::Py_XDECREF(held);
                }
            }
            None => ffi::PyErr_Restore(kind, value, traceback),
        }
    }
}
