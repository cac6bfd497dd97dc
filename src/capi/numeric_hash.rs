//! The constants of CPython's numeric hash (Include/cpython/pyhash.h), by
//! which `hash(2) == hash(2.0) == hash(Fraction(2))`: every number hashes
//! to its value modulo a Mersenne prime. int's and float's hashes, restated
//! by the pooled types, share them.

use pyo3::ffi;

/// `_PyHASH_BITS`: 61 where `Py_hash_t` has 64 bits, 31 where it has 32.
pub const BITS: u32 = if std::mem::size_of::<ffi::Py_hash_t>() >= 8 {
    61
} else {
    31
};

/// `_PyHASH_MODULUS`, the prime 2**BITS - 1 (`sys.hash_info.modulus`).
pub const MODULUS: u64 = (1 << BITS) - 1;

/// `_PyHASH_INF`, the hash of `inf` (`sys.hash_info.inf`); `-inf` hashes to
/// its negation.
pub const INF: ffi::Py_hash_t = 314_159;
