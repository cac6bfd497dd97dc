//! Python 2's `xrange` and `range`, yielding LegacyInts from the pool.
//!
//! Arguments are read as Python 3's `range` reads them (anything with
//! `__index__`, the same errors), but each must fit a C long, as Python 2's
//! did. Elements are made in Rust straight from the pool: no Python int is
//! created for any of them.

mod iterator;

pub use iterator::create_type as create_iterator_type;

use crate::int::LegacyInt;
use crate::pooled::PooledType;
use pyo3::exceptions::{PyIndexError, PyOverflowError, PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple, PyType};
use std::os::raw::c_long;

/// The validated arguments of a range: `step != 0`.
#[derive(Clone, Copy, Debug)]
struct Bounds {
    start: c_long,
    stop: c_long,
    step: c_long,
}

impl Bounds {
    /// Reads `(stop)` or `(start, stop[, step])` as `range()` does.
    fn parse(name: &str, args: &Bound<'_, PyTuple>) -> PyResult<Self> {
        // range()'s order of checks, so that a call with several faults
        // raises what range() raises: the count, then each argument's
        // __index__, then a zero step; the C long bound comes last.
        match args.len() {
            0 => {
                return Err(PyTypeError::new_err(format!(
                    "{name} expected at least 1 argument, got 0"
                )))
            }
            n if n > 3 => {
                return Err(PyTypeError::new_err(format!(
                    "{name} expected at most 3 arguments, got {n}"
                )))
            }
            _ => {}
        }
        let indexes = args
            .iter()
            .map(|a| as_index(&a))
            .collect::<PyResult<Vec<_>>>()?;
        if indexes.len() == 3 && !indexes[2].is_truthy()? {
            return Err(PyValueError::new_err(format!(
                "{name}() arg 3 must not be zero"
            )));
        }
        let values = indexes
            .iter()
            .map(as_c_long)
            .collect::<PyResult<Vec<_>>>()?;
        let (start, stop, step) = match values.as_slice() {
            [stop] => (0, *stop, 1),
            [start, stop] => (*start, *stop, 1),
            [start, stop, step] => (*start, *stop, *step),
            _ => {
                return Err(PyTypeError::new_err(format!(
                    "{name} takes 1 to 3 arguments"
                )))
            }
        };
        Ok(Bounds { start, stop, step })
    }

    /// The number of elements; up to 2**64 - 1, so wider than any length.
    fn len(&self) -> u128 {
        let (start, stop, step) = (self.start as i128, self.stop as i128, self.step as i128);
        let span = if step > 0 { stop - start } else { start - stop };
        if span <= 0 {
            0
        } else {
            ((span - 1) / step.abs() + 1) as u128
        }
    }

    /// The `i`th element; `i < len()`, so it lies between start and stop and
    /// fits a C long.
    fn nth(&self, i: u128) -> c_long {
        (self.start as i128 + i as i128 * self.step as i128) as c_long
    }

    fn checked_len(&self) -> PyResult<usize> {
        usize::try_from(self.len())
            .ok()
            .filter(|&n| n <= isize::MAX as usize)
            .ok_or_else(|| {
                PyOverflowError::new_err("xrange has more elements than a list can hold")
            })
    }
}

/// `operator.index(obj)`: TypeError for what `range()` refuses.
fn as_index<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: GIL held (the token); PyNumber_Index returns a new reference or
    // null with an exception set, which from_owned_ptr_or_err takes over.
    unsafe { Bound::from_owned_ptr_or_err(obj.py(), ffi::PyNumber_Index(obj.as_ptr())) }
}

/// An int as a C long, with OverflowError naming the range if it does not fit.
fn as_c_long(index: &Bound<'_, PyAny>) -> PyResult<c_long> {
    // SAFETY: GIL held (the token); `index` is an int (from as_index).
    unsafe { LegacyInt::read_builtin(index.as_ptr()) }.ok_or_else(|| PyErr::fetch(index.py()))
}

/// A new iterator over `len` values from `first` by `step`.
fn iterator_over(
    py: Python<'_>,
    first: c_long,
    step: c_long,
    len: u128,
) -> PyResult<Bound<'_, PyAny>> {
    // An xrange holds at most 2**64 - 1 values (its bounds are C longs).
    let len = u64::try_from(len).unwrap_or(u64::MAX);
    // SAFETY: GIL held (the token); the type is made at import, before any
    // xrange exists; every value of the xrange fits a C long.
    unsafe { Bound::from_owned_ptr_or_err(py, iterator::new(first, step, len)) }
}

/// A LegacyInt from the pool, as an owned Python object.
fn legacy_int(py: Python<'_>, value: c_long) -> PyResult<Bound<'_, PyAny>> {
    // SAFETY: GIL held (the token); from_value returns a new reference or null
    // with MemoryError set.
    unsafe { Bound::from_owned_ptr_or_err(py, LegacyInt::from_value(value)) }
}

/// xrange(stop) / xrange(start, stop[, step])
///
/// A lazy sequence of LegacyInts, made from the pool as they are asked for,
/// as Python 2's xrange. Takes what range() takes, within the C long range.
///
/// >>> from legacyint import xrange
/// >>> list(xrange(1000, 1003))
/// [LegacyInt(1000), LegacyInt(1001), LegacyInt(1002)]
/// >>> len(xrange(0, 10, 3)), xrange(0, 10, 3)[-1]
/// (4, LegacyInt(9))
#[pyclass(module = "legacyint", name = "xrange", frozen)]
pub struct XRange {
    bounds: Bounds,
}

#[pymethods]
impl XRange {
    #[new]
    #[pyo3(signature = (*args))]
    fn new(args: &Bound<'_, PyTuple>) -> PyResult<Self> {
        Ok(XRange {
            bounds: Bounds::parse("xrange", args)?,
        })
    }

    fn __len__(&self) -> PyResult<usize> {
        self.bounds.checked_len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        iterator_over(py, self.bounds.start, self.bounds.step, self.bounds.len())
    }

    fn __reversed__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let len = self.bounds.len();
        let last = if len == 0 {
            0
        } else {
            self.bounds.nth(len - 1)
        };
        // The step back from the first value may not fit a C long (a step of
        // LONG_MIN): then the xrange holds one value, and it is never taken.
        iterator_over(py, last, self.bounds.step.wrapping_neg(), len)
    }

    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        index: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let len = self.bounds.len();
        // Any index beyond i128 is beyond every xrange too: IndexError, as
        // range says for 2**70.
        let Ok(index) = as_index(index)?.extract::<i128>() else {
            return Err(PyIndexError::new_err("xrange object index out of range"));
        };
        let i = if index < 0 {
            len as i128 + index
        } else {
            index
        };
        if i < 0 || i >= len as i128 {
            return Err(PyIndexError::new_err("xrange object index out of range"));
        }
        legacy_int(py, self.bounds.nth(i as u128))
    }

    fn __repr__(&self) -> String {
        let Bounds { start, stop, step } = self.bounds;
        if step == 1 {
            format!("xrange({start}, {stop})")
        } else {
            format!("xrange({start}, {stop}, {step})")
        }
    }

    /// (start, stop, step), as C longs.
    #[getter]
    fn bounds(&self) -> (c_long, c_long, c_long) {
        (self.bounds.start, self.bounds.stop, self.bounds.step)
    }

    /// Pickles as its arguments, as Python 2's xrange and Python 3's range.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> (Bound<'py, PyType>, (c_long, c_long, c_long)) {
        (slf.get_type(), slf.get().bounds())
    }

    /// An xrange is immutable: its copy is itself, as `copy` does for range.
    fn __copy__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __deepcopy__<'py>(slf: Bound<'py, Self>, _memo: &Bound<'py, PyAny>) -> Bound<'py, Self> {
        slf
    }
}

/// _xrange_iterator(next, step, remaining) -> an xrange iterator
///
/// What an xrange iterator's `__reduce__` names, so that it unpickles (and
/// copies) where it stood. The values it would yield must fit a C long, as
/// an xrange's do.
#[pyfunction]
pub fn _xrange_iterator(
    py: Python<'_>,
    next: c_long,
    step: c_long,
    remaining: u64,
) -> PyResult<Bound<'_, PyAny>> {
    // The last value, with the step as given, or for a step of LONG_MIN as
    // the +2**63 that a reversed xrange's iterator means by it (it steps
    // with wrapping arithmetic).
    let last_fits = |step: i128| {
        let last = next as i128 + (remaining as i128 - 1) * step;
        (c_long::MIN as i128..=c_long::MAX as i128).contains(&last)
    };
    let valid = remaining <= 1
        || step != 0
            && (last_fits(step as i128) || step == c_long::MIN && last_fits(-(step as i128)));
    if !valid {
        return Err(PyValueError::new_err(
            "an xrange iterator's values must fit a C long, by a non-zero step",
        ));
    }
    iterator_over(py, next, step, remaining as u128)
}

/// range(stop) / range(start, stop[, step]) -> list of LegacyInt
///
/// Python 2's range: a list, built in one go from the pool. Takes what
/// Python 3's range() takes, within the C long range.
///
/// >>> from legacyint import range as legacy_range
/// >>> legacy_range(1000, 1010, 4)
/// [LegacyInt(1000), LegacyInt(1004), LegacyInt(1008)]
#[pyfunction(name = "range")]
#[pyo3(signature = (*args))]
pub fn legacy_range<'py>(
    py: Python<'py>,
    args: &Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyList>> {
    let bounds = Bounds::parse("range", args)?;
    let len = bounds.checked_len()?;
    // SAFETY: GIL held (the token). PyList_New gives a list of `len` empty
    // slots that nobody else can see yet; each slot is filled once, with a new
    // reference that SET_ITEM steals. If the pool runs out midway, the list is
    // dropped with its remaining slots still empty, which list's dealloc
    // handles.
    unsafe {
        let list = Bound::from_owned_ptr_or_err(py, ffi::PyList_New(len as ffi::Py_ssize_t))?;
        for i in 0..len {
            let item = LegacyInt::from_value(bounds.nth(i as u128));
            if item.is_null() {
                return Err(PyErr::fetch(py));
            }
            ffi::PyList_SET_ITEM(list.as_ptr(), i as ffi::Py_ssize_t, item);
        }
        Ok(list.cast_into_unchecked())
    }
}
