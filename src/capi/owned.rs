//! An owned reference to a Python object, released when it goes out of scope.

use pyo3::ffi;
use std::ptr::NonNull;

/// A strong reference that `Drop` releases, so that no error path counts
/// references by hand.
///
/// Made only by the `unsafe` constructors, whose callers promise that the
/// GIL is held for the life of the value. The `NonNull` inside makes it
/// neither `Send` nor `Sync`, so it cannot reach a thread without the GIL.
pub struct Owned(NonNull<ffi::PyObject>);

impl Owned {
    /// Takes over a new reference; `None` for null (an exception is set),
    /// the way every C-API function that returns a new reference reports
    /// failure.
    ///
    /// # Safety
    /// The GIL is held until the value is dropped or handed on, and `obj`
    /// is null or a new reference that the caller gives up.
    #[inline]
    pub unsafe fn new(obj: *mut ffi::PyObject) -> Option<Owned> {
        NonNull::new(obj).map(Owned)
    }

    /// The object, still owned here.
    #[inline]
    pub fn as_ptr(&self) -> *mut ffi::PyObject {
        self.0.as_ptr()
    }

    /// Hands the reference to the caller: what a slot returns.
    #[inline]
    pub fn into_ptr(self) -> *mut ffi::PyObject {
        let obj = self.0.as_ptr();
        std::mem::forget(self);
        obj
    }

    /// Whether this is the NotImplemented singleton.
    #[inline]
    pub fn is_not_implemented(&self) -> bool {
        // SAFETY: Py_NotImplemented only takes the singleton's address.
        self.as_ptr() == unsafe { ffi::Py_NotImplemented() }
    }
}

impl Drop for Owned {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the value holds one reference, and the GIL is held for its
        // whole life (the constructors' contract).
        unsafe { ffi::Py_DECREF(self.0.as_ptr()) }
    }
}

/// A new reference to NotImplemented, the answer of a slot that declines.
///
/// # Safety
/// The GIL is held.
#[inline]
pub unsafe fn not_implemented() -> *mut ffi::PyObject {
    // SAFETY: GIL held; the singleton is immortal or at least alive.
    unsafe { ffi::compat::Py_NewRef(ffi::Py_NotImplemented()) }
}
