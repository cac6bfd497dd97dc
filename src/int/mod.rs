//! `LegacyInt`: Python 2's int, a C long in a 24-byte object from the int
//! pool, with the small-int cache of -5..256.
//!
//! What is particular to it: its value and how it is read (`number`'s
//! operand reader, the int layout for one-digit ints), its number protocol
//! and comparison (`number`), the rest of int's interface (`methods`), and
//! the cache (`small_ints`). Its lifecycle is the pooled types' own
//! (`crate::pooled`).

pub mod methods;
pub mod number;
pub mod small_ints;

use crate::arena::PoolSlot;
use crate::capi::gil_cell::GilCell;
use crate::capi::int_layout;
use crate::capi::owned::Owned;
use crate::pooled::pool::Pool;
use crate::pooled::{is_instance, PooledType};
use pyo3::ffi;
use std::ffi::CStr;
use std::os::raw::{c_int, c_long};
use std::ptr;

/// A LegacyInt: the object header and one C long, 24 bytes on 64-bit
/// builds, as Python 2's `PyIntObject`.
#[repr(C)]
pub struct LegacyIntObject {
    pub ob_base: ffi::PyObject,
    pub ob_ival: c_long,
}

// SAFETY: the second word of a LegacyInt is its header's `ob_type` (checked
// below on the builds that can import the module: free-threaded builds
// refuse to), which PyObject_Init writes before anyone sees the object and
// which points at a type object, never at the arena's FREE_MARK.
unsafe impl PoolSlot for LegacyIntObject {}
#[cfg(not(Py_GIL_DISABLED))]
const _: () = assert!(std::mem::offset_of!(ffi::PyObject, ob_type) == std::mem::size_of::<usize>());

/// The type object, made once per process and never freed: every LegacyInt
/// holds a reference to it, and they can outlive the module.
static TYPE: GilCell<*mut ffi::PyTypeObject> = GilCell::new(ptr::null_mut());

/// The int pool.
static POOL: Pool<LegacyIntObject> = Pool::new();

/// The pooled int type.
pub struct LegacyInt;

impl PooledType for LegacyInt {
    type Object = LegacyIntObject;
    type Value = c_long;

    const NAME: &'static CStr = c"legacyint.LegacyInt";
    const DOC: &'static CStr = c"LegacyInt(x=0, /)\n\
LegacyInt(x, /, base=10)\n\
\n\
An integer held in a C long and allocated from Python 2's int pool.\n\
\n\
Takes the same arguments as int() and gives the same value; a value outside\n\
the C long range raises OverflowError. Values -5..256 are cached, one object\n\
each, as in Python 2:\n\
\n\
>>> from legacyint import LegacyInt\n\
>>> LegacyInt(7) is LegacyInt(7)\n\
True\n\
>>> LegacyInt('ff', base=16)\n\
LegacyInt(255)";

    fn type_cell() -> &'static GilCell<*mut ffi::PyTypeObject> {
        &TYPE
    }

    fn pool() -> &'static Pool<LegacyIntObject> {
        &POOL
    }

    #[inline(always)]
    unsafe fn read(obj: *mut ffi::PyObject) -> c_long {
        // SAFETY: every LegacyInt, subclass instances included, starts with
        // the LegacyIntObject layout (basicsize is inherited and only grows).
        unsafe { (*obj.cast::<LegacyIntObject>()).ob_ival }
    }

    #[inline(always)]
    unsafe fn write(obj: *mut LegacyIntObject, value: c_long) {
        // SAFETY: obj points at a LegacyInt being initialised (contract).
        unsafe { ptr::addr_of_mut!((*obj).ob_ival).write(value) }
    }

    #[inline(always)]
    unsafe fn from_value(value: c_long) -> *mut ffi::PyObject {
        // SAFETY: GIL held and the type exists (the trait's contract).
        unsafe { small_ints::from_long(value) }
    }

    unsafe fn to_builtin(value: c_long) -> *mut ffi::PyObject {
        // SAFETY: GIL held (the trait's contract).
        unsafe { ffi::PyLong_FromLong(value) }
    }

    /// An exact LegacyInt, or an exact int that fits a C long.
    #[inline(always)]
    unsafe fn quick_value(arg: *mut ffi::PyObject) -> Option<c_long> {
        // SAFETY: GIL held, arg live (the trait's contract).
        unsafe {
            if ffi::Py_TYPE(arg) == TYPE.get().read() {
                return Some(Self::read(arg));
            }
            if ffi::PyLong_CheckExact(arg) != 0 {
                return int_layout::read(arg).or_else(|| exact_int_as_long(arg));
            }
            None
        }
    }

    unsafe fn value_of_builtin(obj: *mut ffi::PyObject) -> Option<c_long> {
        let mut overflow: c_int = 0;
        // SAFETY: GIL held, obj a live int (the trait's contract).
        let value = unsafe { ffi::PyLong_AsLongAndOverflow(obj, &mut overflow) };
        if overflow != 0 {
            let message = format!(
                "value out of range for LegacyInt, a C long: it holds {} to {}",
                c_long::MIN,
                c_long::MAX
            );
            // SAFETY: GIL held.
            unsafe { crate::capi::type_spec::set_error(ffi::PyExc_OverflowError, &message) };
            return None;
        }
        // SAFETY: GIL held.
        if value == -1 && unsafe { !ffi::PyErr_Occurred().is_null() } {
            return None;
        }
        Some(value)
    }

    fn builtin() -> *mut ffi::PyTypeObject {
        ptr::addr_of_mut!(ffi::PyLong_Type)
    }

    const SUBCLASS_INIT_TAKES_KEYWORDS: bool = false;

    fn slots() -> Vec<ffi::PyType_Slot> {
        number::slots()
    }

    fn methods() -> Vec<ffi::PyMethodDef> {
        methods::methods()
    }

    fn getset() -> Vec<ffi::PyGetSetDef> {
        methods::getset()
    }

    unsafe fn bring_back(result: Owned) -> Option<Owned> {
        // SAFETY: GIL held (the trait's contract).
        unsafe { number::into_pool_deep(result) }
    }
}

/// The C long in an exact int, without setting an error: None if it does
/// not fit.
///
/// # Safety
/// The GIL is held and `n` is a live exact int.
#[inline]
unsafe fn exact_int_as_long(n: *mut ffi::PyObject) -> Option<c_long> {
    let mut overflow: c_int = 0;
    // SAFETY: GIL held, n a live exact int: no __index__ runs, no error is
    // set for a value out of range.
    let value = unsafe { ffi::PyLong_AsLongAndOverflow(n, &mut overflow) };
    (overflow == 0).then_some(value)
}

/// Whether `obj` is a LegacyInt or an instance of a subclass.
///
/// # Safety
/// The GIL is held and `obj` is live.
#[inline(always)]
pub unsafe fn is_legacy_int(obj: *mut ffi::PyObject) -> bool {
    // SAFETY: GIL held, obj live.
    unsafe { is_instance::<LegacyInt>(obj) }
}

/// The value of a LegacyInt (a subclass instance included).
///
/// # Safety
/// `obj` is a live LegacyInt or subclass instance.
#[inline(always)]
pub unsafe fn value_of(obj: *mut ffi::PyObject) -> c_long {
    // SAFETY: as LegacyInt::read.
    unsafe { LegacyInt::read(obj) }
}

/// A new reference to a LegacyInt holding `value` (the cache's for small
/// values), or null with MemoryError set. Python 2's `PyInt_FromLong`.
///
/// # Safety
/// The GIL is held and the type exists.
#[inline(always)]
pub unsafe fn from_long(value: c_long) -> *mut ffi::PyObject {
    // SAFETY: the caller's contract.
    unsafe { small_ints::from_long(value) }
}

/// The value of an int argument (xrange's bounds), with LegacyInt's
/// OverflowError if it does not fit a C long.
///
/// # Safety
/// The GIL is held and `n` is a live int.
pub unsafe fn long_value(n: *mut ffi::PyObject) -> Option<c_long> {
    // SAFETY: the caller's contract.
    unsafe { LegacyInt::value_of_builtin(n) }
}
