//! Writing the header of a new object in memory that CPython's allocators
//! did not give: what `PyObject_Init` does, inline where that is the same,
//! less the reference to the type, for types that live as long as the
//! process (as static types do).
//!
//! `PyObject_Init(op, tp)` sets the type, takes a reference to a heap type,
//! and calls `_Py_NewReference`, which on a release build with the GIL sets
//! the refcount to 1 and then:
//! - 3.10 to 3.12: tells tracemalloc, if it is tracing, that the memory
//!   block at `op` now holds a new object. tracemalloc only knows blocks by
//!   their start, and a pool slot is never the start of a block (each block
//!   begins with its 8-byte head), so for a slot this finds nothing and does
//!   nothing.
//! - 3.13 on: calls the reference tracer installed by
//!   `PyRefTracer_SetTracer`, if there is one. Profilers pair that CREATE
//!   with the DESTROY that `_Py_Dealloc` reports, so when a tracer is set
//!   the header goes through `PyObject_Init` to report it.
//! - Debug builds (`Py_REF_DEBUG`, `Py_TRACE_REFS`) also count the object or
//!   link it into the list of all objects: they always take `PyObject_Init`.
//!
//! The call itself (with `_Py_NewReference` behind it) was about 23 of the
//! instructions of every pooled allocation under callgrind, more than the
//! pool's own pop; written here it is 4.
//!
//! An instance of a heap type normally holds a reference to its type, so
//! that the type outlives it. A type that is never freed needs no such
//! reference, as `int`'s instances take none to the static `int`: no
//! increment here, and no decrement when the object dies, which saved
//! another 3 instructions of each allocation and deallocation pair.

use pyo3::ffi;

/// Makes `obj` a new object of type `tp` with one reference, as
/// `PyObject_Init(obj, tp)` would (the refcount and the type), but holding
/// no reference to `tp`: its deallocator must not release one.
///
/// # Safety
/// The GIL is held; `obj` points at writable memory of at least `tp`'s
/// basic size that no one else uses and that did not come from
/// `PyObject_Malloc` or `PyMem_Malloc` as a block of its own (a pool slot);
/// `tp` is a live type that is never freed (a reference to it is held for
/// the life of the process).
#[inline(always)]
pub unsafe fn init_object_of_lasting_type(obj: *mut ffi::PyObject, tp: *mut ffi::PyTypeObject) {
    #[cfg(any(py_sys_config = "Py_REF_DEBUG", py_sys_config = "Py_TRACE_REFS"))]
    // SAFETY: as PyObject_Init's own contract, which the caller's implies;
    // the reference it takes to `tp` is dropped at once, and never to zero,
    // since `tp` is held for the life of the process.
    unsafe {
        ffi::PyObject_Init(obj, tp);
        ffi::Py_DECREF(tp.cast());
    }
    #[cfg(not(any(py_sys_config = "Py_REF_DEBUG", py_sys_config = "Py_TRACE_REFS")))]
    // SAFETY: the GIL is held and nothing else sees `obj` yet (caller's
    // contract). On these builds the header is the refcount word then the
    // type pointer (pyo3's `PyObject`, which matches CPython's), and a
    // whole-word refcount of 1 is what `_Py_NewReference` writes, with any
    // immortality or flag bits of 3.12+ clear. The tracer check is the only
    // part of `_Py_NewReference` not repeated here (see the module
    // documentation), and `PyObject_Init` takes care of it when it matters.
    unsafe {
        #[cfg(Py_3_13)]
        if ref_tracer_is_set() {
            // The type reference is dropped as in the debug builds' branch.
            ffi::PyObject_Init(obj, tp);
            ffi::Py_DECREF(tp.cast());
            return;
        }
        // One word, whether the field is a plain count (3.10, 3.11) or a
        // union over it (3.12+): see REFCOUNT_IS_FIRST_WORD.
        std::ptr::addr_of_mut!((*obj).ob_refcnt)
            .cast::<ffi::Py_ssize_t>()
            .write(1);
        std::ptr::addr_of_mut!((*obj).ob_type).write(tp);
    }
}

// REFCOUNT_IS_FIRST_WORD: the refcount is the header's first word and the
// type pointer its second, on the builds that write the header here.
#[cfg(not(any(py_sys_config = "Py_REF_DEBUG", py_sys_config = "Py_TRACE_REFS")))]
const _: () = {
    assert!(std::mem::offset_of!(ffi::PyObject, ob_refcnt) == 0);
    assert!(std::mem::offset_of!(ffi::PyObject, ob_type) == std::mem::size_of::<ffi::Py_ssize_t>());
};

#[cfg(all(
    Py_3_13,
    not(any(py_sys_config = "Py_REF_DEBUG", py_sys_config = "Py_TRACE_REFS"))
))]
extern "C" {
    /// CPython 3.13+: the reference tracer's function, or null; `data`, if
    /// not null, receives its data pointer. Not in pyo3's bindings.
    fn PyRefTracer_GetTracer(data: *mut *mut std::ffi::c_void) -> Option<unsafe extern "C" fn()>;
}

/// Whether a profiler has installed a reference tracer (3.13+).
///
/// # Safety
/// The GIL is held.
#[cfg(all(
    Py_3_13,
    not(any(py_sys_config = "Py_REF_DEBUG", py_sys_config = "Py_TRACE_REFS"))
))]
#[inline(always)]
unsafe fn ref_tracer_is_set() -> bool {
    // SAFETY: GIL held; the function only reads the runtime's tracer field,
    // and a null `data` asks for nothing else.
    unsafe { PyRefTracer_GetTracer(std::ptr::null_mut()).is_some() }
}
