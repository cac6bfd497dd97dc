//! legacyint: Python 2's pooled int allocator as a CPython 3 extension.
//!
//! - [`arena`]: the block_list/free_list arena, generic and free of Python.
//! - `capi`: what the crate knows of CPython's C API (owned references,
//!   type-spec tables, the int layout, PyMem blocks, the GIL cell).
//! - `pooled`: the lifecycle every pooled type shares, written once (type
//!   creation, allocation from its pool, dealloc, pickling, the dispatch of
//!   operations to what the builtin would do).
//! - `int`, `float`: what is particular to LegacyInt and LegacyFloat.
//! - `tower`: the rules that mix the two (float's operations take a
//!   LegacyInt as an int), so that neither imports the other.
//! - `xrange`: Python 2's `xrange` and `range`, filled from the pool.
//! - `pool_functions`: `pool_stats()` and the other looks inside the pools.
//! - this file: the `legacyint._core` module that registers everything.

pub mod arena;
mod capi;
mod float;
mod int;
mod pool_functions;
mod pooled;
mod tower;
mod xrange;

use float::LegacyFloat;
use int::{small_ints, LegacyInt};
use pooled::lifecycle::create_type;
use pyo3::exceptions::PyImportError;
use pyo3::prelude::*;

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
        // every object to come from its own allocator: see docs/internals.md.
        return Err(PyImportError::new_err(
            "legacyint needs a CPython with the GIL: free-threaded builds (3.14t, 3.15t) \
             require objects from the interpreter's own allocator, not a private pool",
        ));
    }
    let py = m.py();
    refuse_subinterpreters()?;
    // Before any object is made: a debug interpreter (sys.gettotalrefcount)
    // loads this build too, and counts every reference.
    let debug_interpreter = py.import("sys")?.hasattr("gettotalrefcount")?;
    // SAFETY: GIL held during module init, before any object is made.
    let header_writer = unsafe { capi::object_header::choose_at_import(debug_interpreter) };
    m.add("_HEADER_WRITER", header_writer.name())?;
    // Whether this build checks its debug assertions (the pool's nested-loan
    // check among them): scripts/test makes sure its debug-build run has them.
    m.add("_DEBUG_ASSERTIONS", cfg!(debug_assertions))?;
    // SAFETY: GIL held during module init; create_type returns a new
    // reference or null with an exception set, which from_owned_ptr_or_err
    // takes over.
    let tp = unsafe { Bound::from_owned_ptr_or_err(py, create_type::<LegacyInt>())? };
    // SAFETY: GIL held during module init.
    unsafe { capi::int_layout::enable_if_layout_matches() };
    // SAFETY: GIL held and the type now exists.
    if unsafe { small_ints::init() }.is_err() {
        return Err(PyErr::fetch(py));
    }
    m.add("LegacyInt", tp)?;
    // SAFETY: as for LegacyInt.
    let float_tp = unsafe { Bound::from_owned_ptr_or_err(py, create_type::<LegacyFloat>())? };
    m.add("LegacyFloat", float_tp)?;
    m.add("SMALL_INT_MIN", -small_ints::NSMALLNEGINTS)?;
    m.add("SMALL_INT_MAX", small_ints::NSMALLPOSINTS - 1)?;
    m.add("LONG_MIN", std::os::raw::c_long::MIN)?;
    m.add("LONG_MAX", std::os::raw::c_long::MAX)?;
    m.add_function(wrap_pyfunction!(pool_functions::_pool_counters, m)?)?;
    m.add_function(wrap_pyfunction!(pool_functions::clear_free_list, m)?)?;
    m.add_function(wrap_pyfunction!(pool_functions::block_occupancy, m)?)?;
    m.add_function(wrap_pyfunction!(pool_functions::malloc_trim, m)?)?;
    m.add_function(wrap_pyfunction!(pool_functions::_set_block_limit, m)?)?;
    m.add_function(wrap_pyfunction!(pool_functions::_pool_snapshot, m)?)?;
    m.add_function(wrap_pyfunction!(pool_functions::_gc_clears_pool, m)?)?;
    m.add_function(wrap_pyfunction!(pool_functions::_set_gc_clears_pool, m)?)?;
    m.add_class::<xrange::XRange>()?;
    // SAFETY: GIL held during module init; a new reference or null with an
    // exception set.
    let iterator_tp = unsafe { Bound::from_owned_ptr_or_err(py, xrange::create_iterator_type())? };
    m.add("XRangeIterator", iterator_tp)?;
    m.add_function(wrap_pyfunction!(xrange::legacy_range, m)?)?;
    m.add_function(wrap_pyfunction!(xrange::_xrange_iterator, m)?)?;
    Ok(())
}
