fn main() {
    // Makes `#[cfg(Py_3_12)]`, `#[cfg(Py_GIL_DISABLED)]` and friends work in
    // this crate, so version-dependent code is chosen at compile time.
    pyo3_build_config::use_pyo3_cfgs();
}
