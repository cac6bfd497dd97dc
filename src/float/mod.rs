//! `LegacyFloat`: Python 2's float, a C double in a 24-byte object from the
//! float pool, a second instance of the same arena (Python 2's
//! `floatobject.c` kept floats exactly as `intobject.c` kept ints, without
//! a cache of small values).
//!
//! What is particular to it: its value, its number protocol and comparison
//! (`number`), float's hash restated (`hash`), and the rest of float's
//! interface (`methods`). Its lifecycle is the pooled types' own.

pub mod hash;
pub mod methods;
pub mod number;
pub mod value;

pub use value::{is_legacy_float, LegacyFloat, LegacyFloatObject};

use crate::capi::gil_cell::GilCell;
use crate::capi::owned::Owned;
use crate::pooled::lifecycle::new_pooled;
use crate::pooled::pool::Pool;
use crate::pooled::{type_object, PooledType};
use crate::tower;
use pyo3::ffi;
use std::ffi::CStr;
use std::ptr;
use value::{POOL, TYPE};

impl PooledType for LegacyFloat {
    type Object = LegacyFloatObject;
    type Value = f64;

    const NAME: &'static CStr = c"legacyint.LegacyFloat";
    const DOC: &'static CStr = c"LegacyFloat(x=0.0, /)\n\
\n\
A float allocated from Python 2's float pool: 992-byte blocks of 41\n\
24-byte objects and a free list, returned to malloc only when the free\n\
list is cleared. Takes what float() takes and behaves as float does.\n\
\n\
>>> from legacyint import LegacyFloat\n\
>>> LegacyFloat('2.5') * 2\n\
LegacyFloat(5.0)";

    fn type_cell() -> &'static GilCell<*mut ffi::PyTypeObject> {
        &TYPE
    }

    fn pool() -> &'static Pool<LegacyFloatObject> {
        &POOL
    }

    #[inline(always)]
    unsafe fn read_instance(obj: *mut ffi::PyObject) -> f64 {
        // SAFETY: every LegacyFloat, subclass instances included, starts
        // with the LegacyFloatObject layout.
        unsafe { (*obj.cast::<LegacyFloatObject>()).ob_fval }
    }

    #[inline(always)]
    unsafe fn write(obj: *mut LegacyFloatObject, value: f64) {
        // SAFETY: obj points at a LegacyFloat being initialised (contract).
        unsafe { ptr::addr_of_mut!((*obj).ob_fval).write(value) }
    }

    #[inline(always)]
    unsafe fn from_value(value: f64) -> *mut ffi::PyObject {
        // SAFETY: GIL held and the type exists (the trait's contract).
        unsafe { new_pooled::<LegacyFloat>(value) }
    }

    unsafe fn to_builtin(value: f64) -> *mut ffi::PyObject {
        // SAFETY: GIL held (the trait's contract).
        unsafe { ffi::PyFloat_FromDouble(value) }
    }

    unsafe fn read_builtin(obj: *mut ffi::PyObject) -> Option<f64> {
        // SAFETY: obj is a live float (the trait's contract).
        Some(unsafe { ffi::PyFloat_AS_DOUBLE(obj) })
    }

    #[inline(always)]
    unsafe fn read_operand(obj: *mut ffi::PyObject) -> Option<f64> {
        // SAFETY: GIL held, obj live (the trait's contract).
        unsafe { number::pooled_or_exact_double(obj) }
    }

    #[inline(always)]
    unsafe fn read_exact(obj: *mut ffi::PyObject) -> Option<f64> {
        // SAFETY: GIL held, obj live (the trait's contract).
        unsafe { number::exact_double(obj) }
    }

    fn builtin() -> *mut ffi::PyTypeObject {
        ptr::addr_of_mut!(ffi::PyFloat_Type)
    }

    const SUBCLASS_INIT_TAKES_KEYWORDS: bool = true;

    fn slots() -> Vec<ffi::PyType_Slot> {
        number::slots()
    }

    fn methods() -> Vec<ffi::PyMethodDef> {
        methods::methods()
    }

    fn getset() -> Vec<ffi::PyGetSetDef> {
        methods::getset()
    }

    /// float's operations take ints as their own, so a LegacyInt becomes a
    /// plain int too.
    unsafe fn plain(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
        // SAFETY: GIL held, obj live (the trait's contract).
        unsafe {
            if is_legacy_float(obj) {
                ffi::PyFloat_FromDouble(Self::read_instance(obj))
            } else if let Some(int) = tower::plain_int(obj) {
                int
            } else {
                ffi::compat::Py_NewRef(obj)
            }
        }
    }

    unsafe fn is_exact_pooled(obj: *mut ffi::PyObject) -> bool {
        // SAFETY: GIL held, obj live (the trait's contract).
        unsafe { ffi::Py_TYPE(obj) == type_object::<LegacyFloat>() || tower::is_exact_int(obj) }
    }

    unsafe fn bring_back(result: Owned) -> Option<Owned> {
        // SAFETY: GIL held (the trait's contract).
        unsafe { number::into_pool(result) }
    }
}
