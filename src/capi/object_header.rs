//! Writing the header of a new object in memory that CPython's allocators
//! did not give: what `PyObject_Init` does, inline where that is the same,
//! less the reference to the type, for types that live as long as the
//! process (as static types do).
//!
//! `PyObject_Init(op, tp)` sets the type, takes a reference to a heap type,
//! and calls `_Py_NewReference`, which on a release build with the GIL sets
//! the refcount to 1 and then:
//! - 3.10 to 3.12: tells tracemalloc, if it is tracing, that the memory
//!   block at `op` now holds a new object. tracemalloc only knows blocks by
//!   their start, and a pool slot is never the start of a block (each block
//!   begins with its 8-byte head), so for a slot this finds nothing and does
//!   nothing.
//! - 3.13 on: calls the reference tracer installed by
//!   `PyRefTracer_SetTracer`, if there is one. Profilers pair that CREATE
//!   with the DESTROY that `_Py_Dealloc` reports, so when a tracer is set
//!   the header goes through `PyObject_Init` to report it. Whether one is
//!   set is read in place, from the field that `ref_tracer` found at
//!   import.
//! - Debug builds (`Py_REF_DEBUG`) also count every new reference in a
//!   total that `sys.gettotalrefcount()` reports. A crate compiled for one
//!   always takes `PyObject_Init`; so does a release build loaded by a debug
//!   interpreter (the extension suffix and the wheel tag are the same),
//!   which `choose_at_import` detects by its `sys.gettotalrefcount`.
//! - Free-threaded builds and CPython versions newer than the newest checked
//!   (`checked_cpython`) have other or unknown header fields: their crates
//!   are compiled without the inline writer (no `legacyint_inline_header`).
//!
//! The call itself (with `_Py_NewReference` behind it) was about 23 of the
//! instructions of every pooled allocation under callgrind, more than the
//! pool's own pop; written here it is 4.
//!
//! An instance of a heap type normally holds a reference to its type, so
//! that the type outlives it. A type that is never freed needs no such
//! reference, as `int`'s instances take none to the static `int`: no
//! increment here, and no decrement when the object dies, which saved
//! another 3 instructions of each allocation and deallocation pair.

#[cfg(legacyint_inline_header)]
use crate::capi::gil_cell::GilCell;
use pyo3::ffi;

/// Makes `obj` a new object of type `tp` with one reference, as
/// `PyObject_Init(obj, tp)` would (the refcount and the type), but holding
/// no reference to `tp` (its deallocator must not release one), and returns
/// true; or, where the header must be written by the interpreter (see
/// `choose_at_import`), writes nothing and returns false: the caller then
/// calls `init_through_the_api`, out of line, so that this path calls
/// nothing and its caller needs no stack frame of its own.
///
/// # Safety
/// The GIL is held; `obj` points at writable memory of at least `tp`'s
/// basic size that no one else uses and that did not come from
/// `PyObject_Malloc` or `PyMem_Malloc` as a block of its own (a pool slot);
/// `tp` is a live type that is never freed (a reference to it is held for
/// the life of the process).
#[inline(always)]
pub unsafe fn try_init_inline(obj: *mut ffi::PyObject, tp: *mut ffi::PyTypeObject) -> bool {
    #[cfg(legacyint_inline_header)]
    // SAFETY: the GIL is held and nothing else sees `obj` yet (caller's
    // contract). On these builds (legacyint_inline_header) the header is the
    // refcount word then the type pointer (pyo3's `PyObject`, which matches
    // CPython's), and a whole-word refcount of 1 is what `_Py_NewReference`
    // writes, with any immortality or flag bits of 3.12+ clear. `inline_now`
    // is true only where nothing else of `_Py_NewReference` applies: no
    // reference total, and no tracer set at this moment (`choose_at_import`).
    unsafe {
        if inline_now() {
            // One word, whether the field is a plain count (3.11) or a
            // union over it (3.12+): see REFCOUNT_IS_FIRST_WORD.
            std::ptr::addr_of_mut!((*obj).ob_refcnt)
                .cast::<ffi::Py_ssize_t>()
                .write(1);
            std::ptr::addr_of_mut!((*obj).ob_type).write(tp);
            return true;
        }
    }
    let _ = (obj, tp);
    false
}

/// The header as the interpreter writes it, its own bookkeeping included
/// (a reference total, a tracer's CREATE), less the reference to `tp`:
/// where `try_init_inline` declined.
///
/// # Safety
/// As `try_init_inline`.
pub unsafe fn init_through_the_api(obj: *mut ffi::PyObject, tp: *mut ffi::PyTypeObject) {
    // SAFETY: as PyObject_Init's own contract, which the caller's implies;
    // the reference it takes to `tp` is dropped at once, and never to zero,
    // since `tp` is held for the life of the process. `Py_DecRef` is the
    // interpreter's own function, not the inline macro of this build: a
    // debug interpreter counted the increment in its total and must count
    // the decrement too.
    unsafe {
        ffi::PyObject_Init(obj, tp);
        ffi::Py_DecRef(tp.cast());
    }
}

/// Whether a header may be written inline at this moment: one load and
/// compare, the only cost of the choice on the allocation path.
///
/// # Safety
/// The GIL is held.
#[cfg(legacyint_inline_header)]
#[inline(always)]
unsafe fn inline_now() -> bool {
    // SAFETY: GIL held (caller's contract); GATE points at a word that
    // lives as long as the process (a static, or the runtime state's field).
    #[cfg(Py_3_13)]
    return unsafe { **GATE.get() == 0 };
    // SAFETY: GIL held (caller's contract).
    #[cfg(not(Py_3_13))]
    return unsafe { *INLINE.get() };
}

/// 3.13+: a word that reads 0 where a header may be written inline and
/// anything else where it must go through `PyObject_Init`: the reference
/// tracer's function field (null while no tracer is set), or
/// ALWAYS_THE_API. Its address is only known at run time, so this is two
/// loads, where the tracer call it replaces was a call into libpython.
#[cfg(all(legacyint_inline_header, Py_3_13))]
static GATE: GilCell<*const usize> = GilCell::new(&ALWAYS_THE_API);
#[cfg(all(legacyint_inline_header, Py_3_13))]
static ALWAYS_THE_API: usize = 1;
/// Before 3.13 there is no tracer: whether the interpreter is a release
/// build is all there is to know, in one flag.
#[cfg(all(legacyint_inline_header, not(Py_3_13)))]
static INLINE: GilCell<bool> = GilCell::new(false);

/// How headers are written in this process, as `choose_at_import` decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // which of them a build can make depends on its version
pub enum HeaderWriter {
    /// Inline, with no reference tracer to consult (before 3.13).
    Inline,
    /// Inline while the tracer field, found at import, reads null (3.13+).
    InlineUnlessTraced,
    /// `PyObject_Init`, always: this build has no inline writer (debug,
    /// free-threaded or an unchecked version), the interpreter is a debug
    /// build, or the tracer field could not be found.
    Api,
}

impl HeaderWriter {
    /// Its name, for `legacyint._core._HEADER_WRITER`.
    pub fn name(self) -> &'static str {
        match self {
            HeaderWriter::Inline => "inline",
            HeaderWriter::InlineUnlessTraced => "inline unless a reference tracer is set",
            HeaderWriter::Api => "PyObject_Init",
        }
    }
}

/// Decides, once, how headers are written in this process: inline unless
/// the interpreter is a debug build (`debug_interpreter`: it has
/// `sys.gettotalrefcount`, and counts every reference), whose total the
/// inline writer would leave one short for each object; on 3.13+ inline
/// only while the tracer field reads null.
///
/// # Safety
/// The GIL is held and no pooled object has been made yet.
pub unsafe fn choose_at_import(debug_interpreter: bool) -> HeaderWriter {
    #[cfg(legacyint_inline_header)]
    // SAFETY: GIL held (caller's contract); the gate is pointed at a word
    // that lives as long as the process (the runtime state's field).
    unsafe {
        if debug_interpreter {
            return HeaderWriter::Api; // the gate's initial setting
        }
        #[cfg(Py_3_13)]
        {
            match crate::capi::ref_tracer::locate() {
                Some(field) => {
                    *GATE.get() = field;
                    HeaderWriter::InlineUnlessTraced
                }
                None => {
                    *GATE.get() = &ALWAYS_THE_API;
                    HeaderWriter::Api
                }
            }
        }
        #[cfg(not(Py_3_13))]
        {
            *INLINE.get() = true;
            HeaderWriter::Inline
        }
    }
    #[cfg(not(legacyint_inline_header))]
    {
        let _ = debug_interpreter;
        HeaderWriter::Api
    }
}

// REFCOUNT_IS_FIRST_WORD: the refcount is the header's first word and the
// type pointer its second, on the builds that write the header here.
#[cfg(legacyint_inline_header)]
const _: () = {
    assert!(std::mem::offset_of!(ffi::PyObject, ob_refcnt) == 0);
    assert!(std::mem::offset_of!(ffi::PyObject, ob_type) == std::mem::size_of::<ffi::Py_ssize_t>());
};
