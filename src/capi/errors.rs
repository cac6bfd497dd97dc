//! Raising and rewording Python exceptions from Rust text.

use super::owned::Owned;
use super::type_spec::{new_str, str_text};
use pyo3::ffi;

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
    // SAFETY: GIL held and an exception set (caller's contract).
    unsafe {
        if ffi::PyErr_ExceptionMatches(kind) == 0 {
            return;
        }
        let Some(pending) = take_pending() else {
            return;
        };
        let text =
            Owned::new(ffi::PyObject_Str(pending.value())).and_then(|t| str_text(t.as_ptr()));
        ffi::PyErr_Clear(); // from str() or its text, if they failed
        match text.as_deref().and_then(reword) {
            Some(message) => {
                drop(pending);
                set_error(kind, &message);
            }
            None => pending.restore(),
        }
    }
}

/// The pending exception, taken out of the thread state: released when
/// dropped, or set again by `restore`.
///
/// 3.12 keeps one normalised exception object where earlier versions kept a
/// (type, value, traceback) triple; each takes its own API, and 3.12 deprecates
/// the triple's.
struct Pending {
    #[cfg(Py_3_12)]
    exception: Owned,
    #[cfg(not(Py_3_12))]
    triple: [*mut ffi::PyObject; 3],
}

/// # Safety
/// The GIL is held.
unsafe fn take_pending() -> Option<Pending> {
    #[cfg(Py_3_12)]
    // SAFETY: GIL held (caller's contract): a new reference to the pending
    // exception, or null if there is none; Owned holds it.
    unsafe {
        Owned::new(ffi::PyErr_GetRaisedException()).map(|exception| Pending { exception })
    }
    #[cfg(not(Py_3_12))]
    // SAFETY: GIL held (caller's contract); the triple is owned by the
    // Pending and normalised so that its value is an exception instance.
    unsafe {
        let mut triple = [std::ptr::null_mut(); 3];
        let [kind, value, traceback] = &mut triple;
        ffi::PyErr_Fetch(kind, value, traceback);
        if kind.is_null() {
            return None;
        }
        ffi::PyErr_NormalizeException(kind, value, traceback);
        Some(Pending { triple })
    }
}

impl Pending {
    /// The exception instance (borrowed).
    fn value(&self) -> *mut ffi::PyObject {
        #[cfg(Py_3_12)]
        return self.exception.as_ptr();
        #[cfg(not(Py_3_12))]
        return self.triple[1];
    }

    /// Sets it again as the pending exception.
    ///
    /// # Safety
    /// The GIL is held.
    unsafe fn restore(self) {
        #[cfg(Py_3_12)]
        // SAFETY: GIL held; the thread state steals the reference.
        unsafe {
            ffi::PyErr_SetRaisedException(self.exception.into_ptr())
        }
        #[cfg(not(Py_3_12))]
        // SAFETY: GIL held; PyErr_Restore steals the three references, so
        // the Pending is forgotten, not dropped.
        unsafe {
            let [kind, value, traceback] = self.triple;
            std::mem::forget(self);
            ffi::PyErr_Restore(kind, value, traceback)
        }
    }
}

#[cfg(not(Py_3_12))]
impl Drop for Pending {
    fn drop(&mut self) {
        for held in self.triple {
            // SAFETY: the references are owned here (each may be null); a
            // Pending exists only while the GIL is held.
            drop(unsafe { Owned::new(held) });
        }
    }
}
