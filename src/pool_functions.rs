//! The module's functions that look inside the pools: counters, clearing,
//! occupancy, `malloc_trim`, the block-limit test hook, and whether the
//! collector clears them.

use crate::arena::{Arena, ArenaStats, BlockAllocator, PoolSlot, Snapshot};
use crate::float::LegacyFloat;
use crate::int::{small_ints, LegacyInt};
use crate::pooled::PooledType;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::sync::atomic::{AtomicBool, Ordering};

/// Which pool a function is asked about.
#[derive(Clone, Copy)]
enum Kind {
    Int,
    Float,
}

impl Kind {
    fn parse(kind: &str) -> PyResult<Self> {
        match kind {
            "int" => Ok(Kind::Int),
            "float" => Ok(Kind::Float),
            other => Err(PyValueError::new_err(format!(
                "kind must be 'int' or 'float', not {other:?}"
            ))),
        }
    }

    /// Runs `f` on this kind's arena: the one place that picks a pool.
    ///
    /// # Safety
    /// As `Pool::with`: `f` does not reach for a pool.
    unsafe fn with<R>(self, py: Python<'_>, f: impl FnOnce(&mut dyn AnyArena) -> R) -> R {
        // SAFETY: the caller's contract is with's.
        unsafe {
            match self {
                Kind::Int => LegacyInt::pool().with(py, |arena| f(arena)),
                Kind::Float => LegacyFloat::pool().with(py, |arena| f(arena)),
            }
        }
    }
}

/// What these functions ask of an arena, whatever its slot type, so that
/// `Kind::with` can lend either pool's arena to one closure.
trait AnyArena {
    fn stats(&self) -> ArenaStats;
    fn clear_free_list(&mut self) -> usize;
    fn occupancy(&self) -> Vec<usize>;
    fn set_block_limit(&mut self, limit: Option<usize>);
    fn snapshot(&self, links: usize) -> Snapshot;
}

impl<T: PoolSlot, A: BlockAllocator> AnyArena for Arena<T, A> {
    fn stats(&self) -> ArenaStats {
        Arena::stats(self)
    }
    fn clear_free_list(&mut self) -> usize {
        Arena::clear_free_list(self)
    }
    fn occupancy(&self) -> Vec<usize> {
        Arena::occupancy(self)
    }
    fn set_block_limit(&mut self, limit: Option<usize>) {
        Arena::set_block_limit(self, limit)
    }
    fn snapshot(&self, links: usize) -> Snapshot {
        Arena::snapshot(self, links)
    }
}

/// A pool's counters, in the order of `legacyint.PoolStats`' fields.
#[pyfunction]
#[pyo3(signature = (kind = "int"))]
pub fn _pool_counters<'py>(py: Python<'py>, kind: &str) -> PyResult<Bound<'py, PyTuple>> {
    let kind = Kind::parse(kind)?;
    // SAFETY: reading the counters runs no Python code: no nested loan.
    let s = unsafe { kind.with(py, |arena| arena.stats()) };
    let small_ints = match kind {
        // SAFETY: the `py` token proves the GIL is held.
        Kind::Int => unsafe { small_ints::count() },
        Kind::Float => 0,
    };
    PyTuple::new(
        py,
        [
            s.block_size as u64,
            s.objects_per_block as u64,
            s.blocks as u64,
            s.capacity as u64,
            s.in_use as u64,
            s.free as u64,
            small_ints as u64,
            s.bytes_reserved as u64,
            s.allocations,
            s.deallocations,
            s.blocks_allocated,
            s.blocks_released,
            s.peak_blocks as u64,
        ],
    )
}

/// clear_free_list(kind='int') -> int
///
/// Give every block with no live object back to the allocator and rebuild
/// the free list from the blocks kept; return the number of live objects
/// (for the int pool, the 262 cached small ints included). Python 2.7's
/// PyInt_ClearFreeList, or PyFloat_ClearFreeList with kind='float'.
///
/// >>> import legacyint
/// >>> x = legacyint.LegacyInt(10**6)
/// >>> legacyint.clear_free_list() >= 263
/// True
/// >>> y = legacyint.LegacyFloat(0.5)
/// >>> legacyint.clear_free_list("float") >= 1
/// True
#[pyfunction]
#[pyo3(signature = (kind = "int"))]
pub fn clear_free_list(py: Python<'_>, kind: &str) -> PyResult<usize> {
    // SAFETY: the walk runs no Python code: no nested loan.
    Ok(unsafe { Kind::parse(kind)?.with(py, |arena| arena.clear_free_list()) })
}

/// block_occupancy(kind='int') -> list[int]
///
/// Live objects in each block the pool holds, oldest block first. The int
/// pool's first 7 blocks hold the small-int cache. Costs one look at every
/// slot.
///
/// >>> import legacyint
/// >>> legacyint.block_occupancy()[:6]
/// [41, 41, 41, 41, 41, 41]
#[pyfunction]
#[pyo3(signature = (kind = "int"))]
pub fn block_occupancy(py: Python<'_>, kind: &str) -> PyResult<Vec<usize>> {
    // SAFETY: the walk runs no Python code: no nested loan.
    Ok(unsafe { Kind::parse(kind)?.with(py, |arena| arena.occupancy()) })
}

/// malloc_trim() -> bool
///
/// Ask the C library to hand free heap memory back to the operating system
/// (glibc's malloc_trim(0)). Returns True if memory was released. Blocks
/// freed by clear_free_list() go back to malloc, not to the OS: resident
/// memory falls only after this. A no-op returning False where the C
/// library has no malloc_trim.
///
/// >>> import legacyint
/// >>> legacyint.malloc_trim() in (True, False)
/// True
#[pyfunction]
pub fn malloc_trim(py: Python<'_>) -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // malloc_trim touches only the C heap; other threads may run meanwhile.
        // SAFETY: malloc_trim(0) is always safe to call.
        py.detach(|| unsafe { libc::malloc_trim(0) } != 0)
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        let _ = py;
        false
    }
}

/// Test hook: refuse to grow the int pool beyond `limit` blocks (None: no
/// limit), so that out-of-memory handling can be tested for real without
/// exhausting the machine. Not part of the public API.
#[pyfunction]
#[pyo3(signature = (limit, kind = "int"))]
pub fn _set_block_limit(py: Python<'_>, limit: Option<usize>, kind: &str) -> PyResult<()> {
    // SAFETY: setting the cap runs no Python code: no nested loan.
    unsafe { Kind::parse(kind)?.with(py, |arena| arena.set_block_limit(limit)) }
    Ok(())
}

/// Whether a full collection clears the pools' free lists (legacyint's
/// `set_gc_clears_pool`). Kept here, in the extension, because it belongs
/// to the process, as the pools do: the Python modules that read it can be
/// imported again (removed from `sys.modules`), the extension cannot.
static GC_CLEARS_POOL: AtomicBool = AtomicBool::new(true);

/// _gc_clears_pool() -> bool: the setting `legacyint.gc_clears_pool` reports.
#[pyfunction]
pub fn _gc_clears_pool() -> bool {
    GC_CLEARS_POOL.load(Ordering::Relaxed)
}

/// _set_gc_clears_pool(enabled) -> bool: sets it, returning the previous one.
#[pyfunction]
pub fn _set_gc_clears_pool(enabled: bool) -> bool {
    GC_CLEARS_POOL.swap(enabled, Ordering::Relaxed)
}

/// _pool_snapshot(kind='int', links=64) -> (live, free_list, addresses)
///
/// The pool's layout, for `legacyint.pool_snapshot`: one int per block,
/// oldest first, whose bit `i` is set when slot `i` is live, the first
/// `links` entries of the free list as (block, slot), and each block's
/// address. Costs one look at every slot.
#[pyfunction]
#[pyo3(signature = (kind = "int", links = 64))]
pub fn _pool_snapshot(
    py: Python<'_>,
    kind: &str,
    links: usize,
) -> PyResult<(Vec<u64>, Vec<(usize, usize)>, Vec<usize>)> {
    // SAFETY: the walk runs no Python code: no nested loan.
    let snapshot = unsafe { Kind::parse(kind)?.with(py, |arena| arena.snapshot(links)) };
    Ok((snapshot.live, snapshot.free_list, snapshot.addresses))
}
