//! Which CPython builds this crate reads and writes objects of directly.
//!
//! Two hot paths bypass the C API: a new object's header is written inline
//! (`object_header`) and a one-digit int is read in place (`int_layout`).
//! Both follow the memory layout of the CPython versions they were checked
//! against, by reading CPython's headers and by running the whole suite on
//! each. A version newer than those has not been checked: its header or its
//! int may have changed (3.12 changed both), so it takes the public API
//! (`PyObject_Init`, `PyLong_AsLongAndOverflow`) until someone checks it and
//! moves `NEWEST_CHECKED`. Debug and free-threaded builds take the public
//! API too: they keep more in the header than a refcount and a type.
//!
//! `build.rs` compiles this file as well and turns the answers into the cfgs
//! `legacyint_checked_layout` and `legacyint_inline_header`, so the rule
//! lives here once and its unit tests run with `cargo test`.

/// The newest CPython (major, minor) whose object header and int layout
/// were checked against `object_header` and `int_layout`: checked means the
/// layouts compared with that version's `Include/object.h` and
/// `Include/cpython/longintrepr.h`, and `scripts/test` passing on it.
pub const NEWEST_CHECKED: (u8, u8) = (3, 15);

/// Whether ints of CPython `version` may be read in place (their layout
/// has been checked; `int_layout` still checks itself at import).
pub fn layout_is_checked(version: (u8, u8)) -> bool {
    version <= NEWEST_CHECKED
}

/// Whether the object header of this build may be written inline: a checked
/// version, with the GIL, whose header is a plain refcount and type pointer
/// (no debug counting, no free-threaded fields).
pub fn inline_header_allowed(version: (u8, u8), free_threaded: bool, debug: bool) -> bool {
    layout_is_checked(version) && !free_threaded && !debug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supported_versions_are_checked() {
        for minor in 11..=15 {
            assert!(layout_is_checked((3, minor)));
            assert!(inline_header_allowed((3, minor), false, false));
        }
    }

    #[test]
    fn a_newer_version_takes_the_public_api() {
        assert!(!layout_is_checked((3, 16)));
        assert!(!inline_header_allowed((3, 16), false, false));
        assert!(!layout_is_checked((4, 0)));
    }

    #[test]
    fn debug_and_free_threaded_builds_take_the_public_api() {
        assert!(!inline_header_allowed((3, 14), true, false));
        assert!(!inline_header_allowed((3, 14), false, true));
    }
}
