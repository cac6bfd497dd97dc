//! The process's pool for one pooled type, reached only with the GIL.

use crate::arena::{Arena, PoolSlot};
use crate::capi::pymem_blocks::PyMemBlocks;
use pyo3::Python;
#[cfg(debug_assertions)]
use std::cell::Cell;
use std::cell::UnsafeCell;

/// An arena of `T`s for the whole process, made of `PyMem_Malloc` blocks.
///
/// Lives in a `static` and is never dropped: pooled objects can outlive the
/// module, so their blocks are held until the process ends, as Python 2
/// held them. The arena is only ever lent for the span of a closure, and
/// only to a caller holding the GIL (a [`Python`] token). The closure is
/// given the arena and no token, but it can capture one, so that it could
/// call into CPython, deallocate an object and come back for the pool: not
/// doing so is `with`'s contract, which its callers keep (their closures
/// only pop, push and count) and debug builds check.
pub struct Pool<T> {
    arena: UnsafeCell<Arena<T, PyMemBlocks>>,
    /// Set while the arena is lent, in debug builds: a check of `with`'s
    /// contract that costs the hot paths nothing in release builds.
    #[cfg(debug_assertions)]
    lent: Cell<bool>,
}

// SAFETY: every access goes through `with`, which needs a `Python` token:
// the GIL serialises the threads (the module declares it needs the GIL and
// refuses free-threaded builds), and its contract rules out a nested loan.
unsafe impl<T> Sync for Pool<T> {}

impl<T: PoolSlot> Pool<T> {
    /// An empty pool; no block is allocated until the first object.
    pub const fn new() -> Self {
        Pool {
            arena: UnsafeCell::new(Arena::new(PyMemBlocks)),
            #[cfg(debug_assertions)]
            lent: Cell::new(false),
        }
    }

    /// Runs `f` on the arena. The token proves the GIL is held.
    ///
    /// # Safety
    /// Not called from within another `with` on the same pool: the loan
    /// would alias the arena. `f` gets the arena and no token, and the
    /// arena runs no Python code, so only an `f` that itself reaches for
    /// the pool could nest; debug builds check it (a panic). A runtime
    /// check in release builds cost every allocation and deallocation five
    /// instructions in ~40 (callgrind), so the contract is a caller's.
    #[inline(always)]
    pub unsafe fn with<R>(
        &self,
        _py: Python<'_>,
        f: impl FnOnce(&mut Arena<T, PyMemBlocks>) -> R,
    ) -> R {
        #[cfg(debug_assertions)]
        assert!(!self.lent.replace(true), "a pool was lent twice at once");
        // SAFETY: the GIL is held (the token) and no other loan is live (the
        // caller's contract), so this is the only reference to the arena.
        let result = f(unsafe { &mut *self.arena.get() });
        #[cfg(debug_assertions)]
        self.lent.set(false);
        result
    }
}

#[cfg(all(test, debug_assertions))]
mod tests {
    use super::*;

    /// Shaped like a Python object: a refcount and a type pointer.
    #[repr(C)]
    struct Obj {
        refcnt: usize,
        kind: usize,
    }

    // SAFETY: the test writes no object at all.
    unsafe impl PoolSlot for Obj {}

    #[test]
    #[should_panic(expected = "a pool was lent twice at once")]
    fn a_nested_loan_is_caught_in_debug_builds() {
        static POOL: Pool<Obj> = Pool::new();
        Python::initialize();
        // SAFETY: none; the nested loan breaks `with`'s contract on
        // purpose, and the debug check must stop it before the second
        // reference to the arena exists.
        Python::attach(|py| unsafe { POOL.with(py, |_| POOL.with(py, |_| ())) });
    }
}
