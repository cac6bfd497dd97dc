//! The two ends of a heap type's life that every type of the crate shares:
//! made once per process from a spec and kept for good, and its instances'
//! memory given back the way `tp_alloc` took it.

use super::gil_cell::GilCell;
use pyo3::ffi;

/// The type kept in `cell`, made by `make` (`PyType_FromSpec` and what
/// follows it) the first time: a new reference either way, or null with an
/// exception set. The cell then keeps a reference of its own for the life
/// of the process: instances can outlive the module, and exact pooled ones
/// hold none.
///
/// # Safety
/// The GIL is held; `make` returns a new reference to a type or null with
/// an exception set.
pub unsafe fn make_once(
    cell: &GilCell<*mut ffi::PyTypeObject>,
    make: impl FnOnce() -> *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held (the caller's contract), so the cell is ours to read
    // and write; a non-null cell holds a live type.
    unsafe {
        let existing = *cell.get();
        if !existing.is_null() {
            return ffi::compat::Py_NewRef(existing.cast());
        }
        let tp = make();
        if !tp.is_null() {
            *cell.get() = tp.cast();
            ffi::compat::Py_NewRef(tp);
        }
        tp
    }
}

/// Gives back the memory of `obj`, an instance of the heap type `tp` that
/// `tp_alloc` made, and the reference to `tp` that `tp_alloc` took for it.
///
/// # Safety
/// The GIL is held, `obj`'s refcount has reached zero and this is its
/// deallocation; `tp` is its type. The type outlives the call because the
/// object's own reference to it is dropped last.
pub unsafe fn free_instance(obj: *mut ffi::PyObject, tp: *mut ffi::PyTypeObject) {
    // SAFETY: the caller's contract.
    unsafe {
        if let Some(free) = (*tp).tp_free {
            free(obj.cast());
        }
        ffi::Py_DECREF(tp.cast());
    }
}
