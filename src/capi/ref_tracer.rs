//! Where CPython 3.13+ keeps its reference tracer, found once at import, so
//! that making an object can ask "is a tracer set?" with one load.
//!
//! A profiler installs a tracer with `PyRefTracer_SetTracer`; `_Py_NewReference`
//! then reports every new object to it (CREATE) and `_Py_Dealloc` every dead
//! one (DESTROY). The pooled types write a new object's header themselves
//! (`object_header`), so they must take `PyObject_Init` while a tracer is
//! set, or the profiler sees objects die that were never made. Asking
//! `PyRefTracer_GetTracer` is a call into libpython on every allocation,
//! which cost the inline header what it had saved.
//!
//! The tracer is a field pair of the runtime state, `_PyRuntime.ref_tracer`
//! (`{tracer_func, tracer_data}`: `Include/internal/pycore_runtime.h` in
//! 3.13, `pycore_runtime_structs.h` since 3.14), at an offset that changes
//! with the version and the build, in a structure no public header
//! describes. So it is found the way a debugger would find it: install a
//! tracer of our own with a marker as its data, look for that pair in
//! `_PyRuntime` (its extent from the dynamic symbol table), check the find
//! with a second marker, and remove the tracer again. A single match for
//! both markers is the field; anything else (or a tracer already set at
//! import, which must not be disturbed), and the allocation path keeps
//! taking `PyObject_Init` (correct, only slower).

use pyo3::ffi;
use std::ffi::{c_int, c_void};
use std::ptr;

type RefTracer = unsafe extern "C" fn(*mut ffi::PyObject, c_int, *mut c_void) -> c_int;

extern "C" {
    // CPython 3.13+ (Include/cpython/object.h); not in pyo3's bindings.
    fn PyRefTracer_SetTracer(tracer: Option<RefTracer>, data: *mut c_void) -> c_int;
    fn PyRefTracer_GetTracer(data: *mut *mut c_void) -> Option<RefTracer>;
}

/// The tracer installed while searching: it counts nothing and touches
/// nothing it is told about (3.15 also calls it with a null object, to say
/// that it was removed).
unsafe extern "C" fn probe(_: *mut ffi::PyObject, _: c_int, _: *mut c_void) -> c_int {
    0
}

/// Two distinct addresses to pass as the probe's data.
static MARKERS: [u8; 2] = [0, 0];

/// The address of the runtime's tracer function pointer (null while no
/// tracer is set), or None if it cannot be found with certainty.
///
/// # Safety
/// The GIL is held, and no Python code runs during the call (none does: the
/// probe tracer calls nothing).
pub unsafe fn locate() -> Option<*const usize> {
    // SAFETY: GIL held (caller's contract); `runtime_words` returns the
    // extent of the exported `_PyRuntime` object, which lives as long as the
    // process; no tracer was set, and none is left set on any path.
    unsafe {
        let words = runtime_words()?;
        let mut old_data = ptr::null_mut();
        if PyRefTracer_GetTracer(&mut old_data).is_some() {
            // A profiler is already tracing: replacing its tracer, even for a
            // moment, would tell it so (3.15 calls the old tracer with
            // PyRefTracer_TRACKER_REMOVED). Headers then always take
            // PyObject_Init in this process, which is correct, and slower.
            return None;
        }
        let mut slot = None;
        for marker in &MARKERS {
            let data = ptr::from_ref(marker).cast_mut().cast::<c_void>();
            if PyRefTracer_SetTracer(Some(probe), data) != 0 {
                ffi::PyErr_Clear();
                slot = None;
                break;
            }
            let found = find_pair(words, probe as *const () as usize, data as usize);
            if found.is_none() || (slot.is_some() && slot != found) {
                slot = None;
                break;
            }
            slot = found;
        }
        // No tracer again, as it was. (3.15 tells the probe it was removed.)
        if PyRefTracer_SetTracer(None, ptr::null_mut()) != 0 {
            ffi::PyErr_Clear();
            return None;
        }
        let slot = slot?;
        (slot.read_volatile() == 0).then_some(slot)
    }
}

/// The one place in `words` where `first` is followed by `second`; None if
/// there is none or more than one.
///
/// # Safety
/// `words` is valid for reads for its whole extent.
unsafe fn find_pair(
    words: (*const usize, usize),
    first: usize,
    second: usize,
) -> Option<*const usize> {
    let (start, len) = words;
    let mut found = None;
    for i in 0..len.saturating_sub(1) {
        // SAFETY: i + 1 < len, within the extent (caller's contract). The
        // reads are volatile: other threads may write fields of the runtime
        // state, none of which can look like this pair.
        unsafe {
            let here = start.add(i);
            if here.read_volatile() == first && here.add(1).read_volatile() == second {
                if found.is_some() {
                    return None;
                }
                found = Some(here);
            }
        }
    }
    found
}

/// `_PyRuntime`'s start and length in words, from the dynamic symbol table.
#[cfg(all(target_env = "gnu", target_pointer_width = "64"))]
unsafe fn runtime_words() -> Option<(*const usize, usize)> {
    /// glibc's `RTLD_DL_SYMENT`: ask `dladdr1` for the symbol's ELF entry.
    const RTLD_DL_SYMENT: c_int = 1;
    // SAFETY: dlsym and dladdr1 only read the loaded objects' tables; the
    // symbol entry they return belongs to a loaded object that is never
    // unloaded (the interpreter itself).
    unsafe {
        let start = libc::dlsym(libc::RTLD_DEFAULT, c"_PyRuntime".as_ptr());
        if start.is_null() || start as usize % std::mem::align_of::<usize>() != 0 {
            return None;
        }
        let mut info: libc::Dl_info = std::mem::zeroed();
        let mut symbol: *mut c_void = ptr::null_mut();
        if libc::dladdr1(start, &mut info, &mut symbol, RTLD_DL_SYMENT) == 0 || symbol.is_null() {
            return None;
        }
        let size = (*symbol.cast::<libc::Elf64_Sym>()).st_size as usize;
        if info.dli_saddr != start || size == 0 {
            return None;
        }
        Some((
            start.cast::<usize>().cast_const(),
            size / std::mem::size_of::<usize>(),
        ))
    }
}

#[cfg(not(all(target_env = "gnu", target_pointer_width = "64")))]
unsafe fn runtime_words() -> Option<(*const usize, usize)> {
    None
}
