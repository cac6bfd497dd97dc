//! Building the tables of a `PyType_Spec`: slots, methods, attributes.

use pyo3::ffi;
use std::ffi::CStr;
use std::os::raw::{c_int, c_void};
use std::ptr;

/// Subclassable, and immutable as int and float are. Immutability also lets
/// the 3.11+ interpreter specialise calls of the type to its vectorcall, and
/// keeps Python code from replacing `__new__` (which would put foreign
/// memory on a free list; 3.9 has no immutable heap types, which is why the
/// project needs 3.10).
pub const TYPE_FLAGS: std::os::raw::c_ulong =
    ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_BASETYPE | ffi::Py_TPFLAGS_IMMUTABLETYPE;

/// One entry of a `PyType_Spec`'s slot table.
pub fn slot(slot: c_int, pfunc: *mut c_void) -> ffi::PyType_Slot {
    ffi::PyType_Slot { slot, pfunc }
}

/// The entry that ends a slot table.
pub fn slot_end() -> ffi::PyType_Slot {
    slot(0, ptr::null_mut())
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

/// A new str from Rust text, or null with an exception set.
///
/// # Safety
/// The GIL is held.
pub unsafe fn new_str(text: &str) -> *mut ffi::PyObject {
    // SAFETY: GIL held; pointer and length describe valid UTF-8.
    unsafe { ffi::PyUnicode_FromStringAndSize(text.as_ptr().cast(), text.len() as ffi::Py_ssize_t) }
}

/// The text of a str object; None (an exception set) if it has none.
///
/// # Safety
/// The GIL is held and `text` is a live str.
pub unsafe fn str_text(text: *mut ffi::PyObject) -> Option<String> {
    let mut size: ffi::Py_ssize_t = 0;
    // SAFETY: GIL held, text a live str; the UTF-8 buffer lives as long as it.
    unsafe {
        let utf8 = ffi::PyUnicode_AsUTF8AndSize(text, &mut size);
        if utf8.is_null() {
            return None;
        }
        let bytes = std::slice::from_raw_parts(utf8.cast::<u8>(), size as usize);
        Some(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// `tp_name` of `obj`'s type, as CPython's error messages print it.
///
/// An owned copy: the name's buffer belongs to the type, and a caller that
/// goes on to run Python code (formatting a message, normalising an
/// exception) could outlive a heap type that a `__class__` change or a
/// collection frees meanwhile.
///
/// # Safety
/// `obj` is live.
pub unsafe fn type_name(obj: *mut ffi::PyObject) -> String {
    // SAFETY: a live object's type is live and its tp_name a C string,
    // read once, here, before anything else can run.
    unsafe {
        CStr::from_ptr((*ffi::Py_TYPE(obj)).tp_name)
            .to_string_lossy()
            .into_owned()
    }
}

/// Whether a call's keyword dict is absent or empty.
///
/// # Safety
/// The GIL is held and `kwargs` is null or a dict.
pub unsafe fn no_keywords(kwargs: *mut ffi::PyObject) -> bool {
    // SAFETY: GIL held; kwargs is a dict when not null (caller's contract).
    kwargs.is_null() || unsafe { ffi::PyDict_Size(kwargs) } == 0
}
