//! The contender legacyint is measured against: an integer type written the
//! way a PyO3 user would write it, with nothing tuned.

use pyo3::prelude::*;

#[pyclass(frozen)]
struct PyClassInt {
    value: i64,
}

#[pymethods]
impl PyClassInt {
    #[new]
    fn new(value: i64) -> Self {
        PyClassInt { value }
    }

    fn __add__(&self, other: &Self) -> Self {
        PyClassInt { value: self.value + other.value }
    }

    fn __int__(&self) -> i64 {
        self.value
    }
}

#[pymodule]
fn pyclass_int(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyClassInt>()
}
