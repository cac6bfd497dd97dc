//! legacyint: Python 2's pooled int allocator as a CPython 3 extension.
//!
//! - [`arena`]: the block_list/free_list arena, generic and free of Python.
//! - `int_pool`: the process's pool of LegacyInts and the small-int cache.
//! - `legacy_int`: the `LegacyInt` type and its slots, through `pyo3::ffi`;
//!   `number` its number protocol, `int_methods` the rest of int's interface.
//! - `float_pool`, `legacy_float`: Python 2's float pool and `LegacyFloat`,
//!   a second instance of the same arena.
//! - `xrange`: Python 2's `xrange` and `range`, filled from the pool.
//! - `compact_long`: reading one-digit ints in place, checked at import.
//! - this file: the `legacyint._core` module that registers everything.

pub mod arena;
mod compact_long;
mod dispatch;
mod float_pool;
mod gil_cell;
mod int_methods;
mod int_pool;
mod legacy_float;
mod legacy_int;
mod number;
mod owned;
mod pymem_blocks;
mod type_support;
mod xrange;

use pyo3::exceptions::{PyImportError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

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
}

/// A pool's counters, in the order of `legacyint.PoolStats`' fields.
#[pyfunction]
#[pyo3(signature = (kind = "int"))]
fn _pool_counters<'py>(py: Python<'py>, kind: &str) -> PyResult<Bound<'py, PyTuple>> {
    // SAFETY: the `py` token proves the GIL is held.
    let (s, small_ints) = unsafe {
        match Kind::parse(kind)? {
            Kind::Int => (int_pool::stats(), int_pool::small_ints()),
            Kind::Float => (float_pool::stats(), 0),
        }
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
fn clear_free_list(_py: Python<'_>, kind: &str) -> PyResult<usize> {
    // SAFETY: GIL held (the token); the walk runs no Python code.
    Ok(unsafe {
        match Kind::parse(kind)? {
            Kind::Int => int_pool::pool().clear_free_list(),
            Kind::Float => float_pool::pool().clear_free_list(),
        }
    })
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
fn block_occupancy(_py: Python<'_>, kind: &str) -> PyResult<Vec<usize>> {
    // SAFETY: GIL held (the token); the walk runs no Python code.
    Ok(unsafe {
        match Kind::parse(kind)? {
            Kind::Int => int_pool::pool().occupancy(),
            Kind::Float => float_pool::pool().occupancy(),
        }
    })
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
fn malloc_trim(py: Python<'_>) -> bool {
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
fn _set_block_limit(_py: Python<'_>, limit: Option<usize>, kind: &str) -> PyResult<()> {
    // SAFETY: GIL held (the token).
    unsafe {
        match Kind::parse(kind)? {
            Kind::Int => int_pool::pool().set_block_limit(limit),
            Kind::Float => float_pool::pool().set_block_limit(limit),
        }
    }
    Ok(())
}

/// The pool, the type and the small-int cache are process-wide and guarded by
/// the main interpreter's GIL. A sub-interpreter would share them (and on
/// 3.12+ may run under a GIL of its own), so importing there is refused
/// before anything is touched.
fn refuse_subinterpreters() -> PyResult<()> {
    // SAFETY: called during module exec, with the GIL held; these functions
    // only read interpreter state.
    let is_main =
        unsafe { pyo3::ffi::PyInterpreterState_Get() == pyo3::ffi::PyInterpreterState_Main() };
    if is_main {
        Ok(())
    } else {
        Err(PyImportError::new_err(
            "legacyint cannot be imported in a sub-interpreter: its pool is process-wide \
             and guarded by the main interpreter's GIL",
        ))
    }
}

#[pymodule(gil_used = true)]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    if cfg!(Py_GIL_DISABLED) {
        // The pool is guarded by the GIL and free-threaded CPython requires
        // every object to come from its own allocator: see the README.
        return Err(PyImportError::new_err(
            "legacyint needs a CPython with the GIL: free-threaded builds (3.13t, 3.14t) \
             require objects from the interpreter's own allocator, not a private pool",
        ));
    }
    let py = m.py();
    refuse_subinterpreters()?;
    // SAFETY: GIL held during module init; create_type returns a new
    // reference or null with an exception set, which from_owned_ptr_or_err
    // takes over.
    let tp = unsafe { Bound::from_owned_ptr_or_err(py, legacy_int::create_type())? };
    // SAFETY: GIL held during module init.
    unsafe { compact_long::enable_if_layout_matches() };
    // SAFETY: GIL held and the type now exists.
    if unsafe { int_pool::init_small_ints() }.is_err() {
        return Err(PyErr::fetch(py));
    }
    m.add("LegacyInt", tp)?;
    // SAFETY: GIL held during module init; a new reference or null with an
    // exception set.
    let float_tp = unsafe { Bound::from_owned_ptr_or_err(py, legacy_float::create_type())? };
    m.add("LegacyFloat", float_tp)?;
    m.add("SMALL_INT_MIN", -int_pool::NSMALLNEGINTS)?;
    m.add("SMALL_INT_MAX", int_pool::NSMALLPOSINTS - 1)?;
    m.add("LONG_MIN", std::os::raw::c_long::MIN)?;
    m.add("LONG_MAX", std::os::raw::c_long::MAX)?;
    m.add_function(wrap_pyfunction!(_pool_counters, m)?)?;
    m.add_function(wrap_pyfunction!(clear_free_list, m)?)?;
    m.add_function(wrap_pyfunction!(block_occupancy, m)?)?;
    m.add_function(wrap_pyfunction!(malloc_trim, m)?)?;
    m.add_function(wrap_pyfunction!(_set_block_limit, m)?)?;
    m.add_class::<xrange::XRange>()?;
    m.add_class::<xrange::XRangeIterator>()?;
    m.add_function(wrap_pyfunction!(xrange::legacy_range, m)?)?;
    Ok(())
}
