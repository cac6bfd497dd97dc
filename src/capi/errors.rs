//! Raising and rewording Python exceptions from Rust text.

use super::owned::Owned;
use super::type_spec::{new_str, str_text};
use pyo3::ffi;
use std::ptr;

/// Sets an exception of type `kind` (TypeError, OverflowError...) with a
/// Rust-made message.
///
/// # Safety
/// The GIL is held.
pub unsafe fn set_error(kind: *mut ffi::PyObject, message: &str) {
    // SAFETY: GIL held; the message str is made, handed over and released.
    unsafe {
        if let Some(text) = Owned::new(new_str(message)) {
            ffi::PyErr_SetObject(kind, text.as_ptr());
        }
    }
}

/// If the pending exception is of type `kind` and `reword` gives a new
/// message for its text, replaces it by a `kind` with that message;
/// otherwise leaves it as it was. (Through the raw C API: pyo3's
/// `PyErr::fetch`/`restore` pair left a memory block behind on each call
/// under the refleak check.)
///
/// # Safety
/// The GIL is held and an exception is set.
pub unsafe fn reword_pending(
    kind: *mut ffi::PyObject,
    reword: impl FnOnce(&str) -> Option<String>,
) {
    // SAFETY: GIL held and an exception set (caller's contract); the fetched
    // exception is owned here and either restored or released.
    unsafe {
        if ffi::PyErr_ExceptionMatches(kind) == 0 {
            return;
        }
        let (mut kind_held, mut value, mut traceback) =
            (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
        ffi::PyErr_Fetch(&mut kind_held, &mut value, &mut traceback);
        ffi::PyErr_NormalizeException(&mut kind_held, &mut value, &mut traceback);
        let text = Owned::new(ffi::PyObject_Str(value)).and_then(|t| str_text(t.as_ptr()));
        ffi::PyErr_Clear(); // from str() or its text, if they failed
        match text.as_deref().and_then(reword) {
            Some(message) => {
                for held in [kind_held, value, traceback] {
                    drop(Owned::new(held)); // each may be null
                }
                set_error(kind, &message);
            }
            None => ffi::PyErr_Restore(kind_held, value, traceback),
        }
    }
}
