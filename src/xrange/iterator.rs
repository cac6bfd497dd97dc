//! The iterator of an xrange, as a type of its own with a raw
//! `tp_iternext`: each `next()` pops one LegacyInt from the pool, as Python
//! 2's `rangeiter_next` took one from the int free list.
//!
//! Not a `#[pyclass]`: a loop over an xrange spends most of its time in
//! `next()`, and a pyclass method goes through PyO3's trampoline (a GIL
//! pool, a panic guard, a `PyResult` turned back into a pointer) on every
//! call. Here `next()` is the slot itself.

use crate::capi::gil_cell::GilCell;
use crate::capi::heap_type;
use crate::capi::owned::Owned;
use crate::capi::type_spec::{method, noargs, slot, slot_end, NOARGS};
use crate::int::LegacyInt;
use crate::pooled::PooledType;
use pyo3::ffi;
use std::os::raw::{c_int, c_long, c_void};
use std::ptr;

/// An iterator over `remaining` more values, `next`, `next + step`, ...
/// Every value it will yield lies within its xrange's bounds, so it fits a
/// C long; only the step past the last one may not, and it is never used.
#[repr(C)]
struct XRangeIteratorObject {
    ob_base: ffi::PyObject,
    next: c_long,
    step: c_long,
    remaining: u64,
}

/// The type object, made once per process and never freed.
static TYPE: GilCell<*mut ffi::PyTypeObject> = GilCell::new(ptr::null_mut());

/// Makes the iterator type (a new reference), or null with an exception
/// set.
///
/// # Safety
/// The GIL is held.
pub unsafe fn create_type() -> *mut ffi::PyObject {
    // SAFETY: GIL held; the spec's name and the leaked method table are
    // 'static, as the type keeps pointing at them.
    unsafe {
        heap_type::make_once(&TYPE, || {
            let methods = vec![
                method(
                    c"__length_hint__",
                    noargs(length_hint),
                    NOARGS,
                    c"The number of values still to come.",
                ),
                method(
                    c"__reduce__",
                    noargs(reduce),
                    NOARGS,
                    c"Pickles (and copies) the iterator where it stands.",
                ),
                ffi::PyMethodDef::zeroed(),
            ];
            let mut slots = [
                slot(ffi::Py_tp_iter, ffi::PyObject_SelfIter as *mut c_void),
                slot(ffi::Py_tp_iternext, iternext as *mut c_void),
                slot(ffi::Py_tp_dealloc, dealloc as *mut c_void),
                slot(ffi::Py_tp_methods, methods.leak().as_mut_ptr().cast()),
                slot(
                    ffi::Py_tp_doc,
                    c"The iterator of a legacyint.xrange.".as_ptr() as *mut c_void,
                ),
                slot_end(),
            ];
            let mut spec = ffi::PyType_Spec {
                name: c"legacyint.XRangeIterator".as_ptr(),
                basicsize: std::mem::size_of::<XRangeIteratorObject>() as c_int,
                itemsize: 0,
                // Made only by xrange, as range_iterator is only made by range.
                flags: (ffi::Py_TPFLAGS_DEFAULT
                    | ffi::Py_TPFLAGS_IMMUTABLETYPE
                    | ffi::Py_TPFLAGS_DISALLOW_INSTANTIATION) as _,
                slots: slots.as_mut_ptr(),
            };
            ffi::PyType_FromSpec(&mut spec)
        })
    }
}

/// A new iterator over `len` values from `first` by `step` (a new
/// reference, or null with an exception set).
///
/// # Safety
/// The GIL is held, the type exists, and every value `first + i * step`
/// for `i < len` fits a C long.
pub unsafe fn new(first: c_long, step: c_long, len: u64) -> *mut ffi::PyObject {
    // SAFETY: GIL held and the type exists (caller's contract); tp_alloc
    // gives zeroed memory of the type's size with the header initialised.
    unsafe {
        let tp = *TYPE.get();
        let alloc = (*tp).tp_alloc.unwrap_or(ffi::PyType_GenericAlloc);
        let obj = alloc(tp, 0).cast::<XRangeIteratorObject>();
        if !obj.is_null() {
            (*obj).next = first;
            (*obj).step = step;
            (*obj).remaining = len;
        }
        obj.cast()
    }
}

/// `next(it)`: the next LegacyInt, or null with no exception set at the
/// end (which the interpreter takes as StopIteration, without making one).
unsafe extern "C" fn iternext(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: called by the interpreter with the GIL held on a live iterator
    // of this type.
    unsafe {
        let it = obj.cast::<XRangeIteratorObject>();
        if (*it).remaining == 0 {
            return ptr::null_mut();
        }
        let value = (*it).next;
        (*it).remaining -= 1;
        // Past the last value the sum may overflow; it is never read then.
        (*it).next = value.wrapping_add((*it).step);
        LegacyInt::from_value(value)
    }
}

unsafe extern "C" fn length_hint(
    obj: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: a METH_NOARGS method on a live iterator of this type.
    unsafe {
        let remaining = (*obj.cast::<XRangeIteratorObject>()).remaining;
        ffi::PyLong_FromUnsignedLongLong(remaining)
    }
}

/// `it.__reduce__()`: `(legacyint._core._xrange_iterator, (next, step,
/// remaining))`, so that pickle and copy take the iterator where it
/// stands, as they take range's.
unsafe extern "C" fn reduce(obj: *mut ffi::PyObject, _: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: a METH_NOARGS method on a live iterator of this type, with the
    // GIL held; the names are NUL-terminated; every new reference is owned
    // until Py_BuildValue's "N" takes the function's.
    unsafe {
        let it = obj.cast::<XRangeIteratorObject>();
        let Some(module) = Owned::new(ffi::PyImport_ImportModule(c"legacyint._core".as_ptr()))
        else {
            return ptr::null_mut();
        };
        let function = ffi::PyObject_GetAttrString(module.as_ptr(), c"_xrange_iterator".as_ptr());
        if function.is_null() {
            return ptr::null_mut();
        }
        ffi::Py_BuildValue(
            c"(N(llK))".as_ptr(),
            function,
            (*it).next,
            (*it).step,
            (*it).remaining as std::os::raw::c_ulonglong,
        )
    }
}

unsafe extern "C" fn dealloc(obj: *mut ffi::PyObject) {
    // SAFETY: called once, with the GIL held, when the refcount reached
    // zero; the object came from its type's tp_alloc.
    unsafe { heap_type::free_instance(obj, ffi::Py_TYPE(obj)) }
}
