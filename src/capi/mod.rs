//! What the crate knows of CPython's C API beyond `pyo3::ffi`, in one
//! place: owned references, the tables of a type spec, the layout of an int,
//! a new object's header, blocks from `PyMem_Malloc`, the cell that the
//! GIL guards, and CPython's own numeric types. Nothing here knows about pooled types.

pub mod builtin_numbers;
// Compiled by build.rs, which turns it into cfgs; here for its unit tests.
#[cfg(test)]
mod checked_cpython;
pub mod errors;
pub mod gil_cell;
pub mod heap_type;
pub mod int_layout;
pub mod numeric_hash;
pub mod object_header;
pub mod owned;
pub mod pymem_blocks;
#[cfg(all(Py_3_13, legacyint_inline_header))]
pub mod ref_tracer;
pub mod rich_compare;
pub mod type_spec;
