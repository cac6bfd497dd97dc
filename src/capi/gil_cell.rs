//! A cell for process-wide state that only the thread holding the GIL touches.

use std::cell::UnsafeCell;

/// Interior mutability guarded by the GIL instead of a lock.
///
/// For the process-wide state that the hot paths read on every allocation
/// (each pooled type's type object, the small-int table, the xrange
/// iterator's type), which must cost no atomic operation and no lock. (The
/// pools themselves are `pooled::pool::Pool`s, with a cell and a loan of
/// their own.) Every access happens in a slot or function called by the
/// interpreter with the GIL held, and the module declares that it needs the
/// GIL (`gil_used = true`, and it refuses to import on free-threaded builds),
/// so at most one thread is ever inside. That is the whole of the safety
/// argument for the `Sync` impl below.
pub struct GilCell<T>(UnsafeCell<T>);

// SAFETY: see the type's documentation: all access is serialised by the GIL.
unsafe impl<T> Sync for GilCell<T> {}

impl<T> GilCell<T> {
    pub const fn new(value: T) -> Self {
        GilCell(UnsafeCell::new(value))
    }

    /// A raw pointer to the value.
    ///
    /// # Safety
    /// The caller holds the GIL, and no other pointer obtained from this cell
    /// is in use (no re-entrance into Python while a `&mut` from it is live).
    #[inline]
    pub unsafe fn get(&self) -> *mut T {
        self.0.get()
    }
}
