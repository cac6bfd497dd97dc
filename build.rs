// The rule of which builds are read and written directly, shared with the
// crate (and unit-tested there).
#[path = "src/capi/checked_cpython.rs"]
#[allow(dead_code)]
mod checked_cpython;

use pyo3_build_config::BuildFlag;

fn main() {
    // Makes `#[cfg(Py_3_12)]`, `#[cfg(Py_GIL_DISABLED)]` and friends work in
    // this crate, so version-dependent code is chosen at compile time.
    pyo3_build_config::use_pyo3_cfgs();

    println!("cargo::rustc-check-cfg=cfg(legacyint_checked_layout)");
    println!("cargo::rustc-check-cfg=cfg(legacyint_inline_header)");
    let config = pyo3_build_config::get();
    let version = (config.version().major, config.version().minor);
    let flags = &config.build_flags().0;
    let free_threaded = flags.contains(&BuildFlag::Py_GIL_DISABLED);
    let debug = flags.contains(&BuildFlag::Py_DEBUG) || flags.contains(&BuildFlag::Py_REF_DEBUG);
    if checked_cpython::layout_is_checked(version) {
        println!("cargo::rustc-cfg=legacyint_checked_layout");
    } else {
        let (major, minor) = checked_cpython::NEWEST_CHECKED;
        println!(
            "cargo::warning=legacyint: CPython {}.{} is newer than the newest checked ({major}.{minor}): \
             objects are made through PyObject_Init and ints read through the public long API",
            version.0, version.1
        );
    }
    if checked_cpython::inline_header_allowed(version, free_threaded, debug) {
        println!("cargo::rustc-cfg=legacyint_inline_header");
    }
}
