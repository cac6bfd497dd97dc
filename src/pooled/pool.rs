//! The process's pool for one pooled type, reached only with the GIL.

use crate::arena::{Arena, ArenaStats, PoolSlot};
use crate::capi::pymem_blocks::PyMemBlocks;
use pyo3::Python;
use std::cell::{Cell, UnsafeCell};

/// An arena of `T`s for the whole process, made of `PyMem_Malloc` blocks.
///
/// Lives in a `static` and is never dropped: pooled objects can outlive the
/// module, so their blocks are held until the process ends, as Python 2
/// held them. The arena is only ever lent for the span of a closure, and
/// only to a caller holding the GIL (a [`Python`] token); the closure is
/// given the arena and nothing else, so the loan cannot outlast a call into
/// CPython that could deallocate an object and come back for the pool.
pub struct Pool<T> {
    arena: UnsafeCell<Arena<T, PyMemBlocks>>,
    /// Set while the arena is lent: a second loan would alias it.
    lent: Cell<bool>,
}

// SAFETY: every access goes through `with`, which needs a `Python` token:
// the GIL serialises the threads (the module declares it needs the GIL and
// refuses free-threaded builds), and `lent` refuses a nested loan.
unsafe impl<T> Sync for Pool<T> {}

impl<T: PoolSlot> Pool<T> {
    /// An empty pool; no block is allocated until the first object.
    pub const fn new() -> Self {
        Pool {
            arena: UnsafeCell::new(Arena::new(PyMemBlocks)),
            lent: Cell::new(false),
        }
    }

    /// Runs `f` on the arena. The token proves the GIL is held.
    ///
    /// Never nested: `f` gets the arena, not a token, and the arena runs no
    /// Python code. A nested loan would alias the arena, so it is refused
    /// outright (a panic, which aborts the interpreter), not risked.
    #[inline(always)]
    pub fn with<R>(&self, _py: Python<'_>, f: impl FnOnce(&mut Arena<T, PyMemBlocks>) -> R) -> R {
        if self.lent.replace(true) {
            nested_loan();
        }
        // SAFETY: the GIL is held (the token) and no other loan is live
        // (`lent`), so this is the only reference to the arena.
        let result = f(unsafe { &mut *self.arena.get() });
        self.lent.set(false);
        result
    }

    /// The pool's counters, in O(1).
    pub fn stats(&self, py: Python<'_>) -> ArenaStats {
        self.with(py, |arena| arena.stats())
    }
}

#[cold]
#[inline(never)]
fn nested_loan() -> ! {
    panic!("legacyint: a pool was lent twice at once; its arena would be aliased")
}
