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
pub mod value;

pub use value::{is_legacy_int, LegacyInt, LegacyIntObject};

use crate::capi::gil_cell::GilCell;
use crate::capi::owned::Owned;
use crate::pooled::pool::Pool;
use crate::pooled::PooledType;
use pyo3::ffi;
use std::ffi::CStr;
use std::os::raw::{c_int, c_long};
use std::ptr;
use value::{POOL, TYPE};

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
    unsafe fn read_instance(obj: *mut ffi::PyObject) -> c_long {
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

    unsafe fn read_builtin(obj: *mut ffi::PyObject) -> Option<c_long> {
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
            unsafe { crate::capi::errors::set_error(ffi::PyExc_OverflowError, &message) };
            return None;
        }
        // SAFETY: GIL held.
        if value == -1 && unsafe { !ffi::PyErr_Occurred().is_null() } {
            return None;
        }
        Some(value)
    }

    #[inline(always)]
    unsafe fn read_operand(obj: *mut ffi::PyObject) -> Option<c_long> {
        // SAFETY: GIL held, obj live (the trait's contract).
        unsafe { number::pooled_or_exact_long(obj) }
    }

    #[inline(always)]
    unsafe fn read_exact(obj: *mut ffi::PyObject) -> Option<c_long> {
        // SAFETY: GIL held, obj live (the trait's contract).
        unsafe { number::exact_long(obj) }
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
