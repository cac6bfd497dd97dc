//! What every pooled type shares, written once: its lifecycle (type
//! creation, `tp_new`, vectorcall, `tp_dealloc`, subclass allocation),
//! pickling, the `__class__` guard, the dispatch of operations that its
//! fast paths leave, and calling the builtin's own methods.
//!
//! A pooled type is described by a [`PooledType`]: its object layout and
//! value, its pool, the builtin it stands for, and its own slots. LegacyInt
//! (`crate::int`) and LegacyFloat (`crate::float`) are two of them; a third
//! is one more implementation of the trait.

pub mod delegated;
pub mod dispatch;
pub mod lifecycle;
pub mod pickling;
pub mod pool;

use crate::arena::PoolSlot;
use crate::capi::gil_cell::GilCell;
use crate::capi::owned::Owned;
use pool::Pool;
use pyo3::ffi;
use std::ffi::CStr;

/// One pooled type: what is particular to it.
pub trait PooledType: Sized + 'static {
    /// The object layout: a `PyObject` header, then the value.
    type Object: PoolSlot;
    /// What an object holds (`c_long`, `f64`).
    type Value: Copy;

    /// The type's qualified name (`legacyint.LegacyInt`).
    const NAME: &'static CStr;
    /// Its docstring.
    const DOC: &'static CStr;

    /// Where the type object is kept once made: a pointer that holds one
    /// reference for the life of the process. Exact instances rely on it:
    /// they hold no reference to their type of their own.
    fn type_cell() -> &'static GilCell<*mut ffi::PyTypeObject>;

    /// The pool that serves the type's exact instances.
    fn pool() -> &'static Pool<Self::Object>;

    /// The value of an instance (a subclass instance included).
    ///
    /// # Safety
    /// `obj` is a live instance of the type or of a subclass.
    unsafe fn read_instance(obj: *mut ffi::PyObject) -> Self::Value;

    /// Writes the value of a new object, past its header.
    ///
    /// # Safety
    /// `obj` points at an object of the type's layout being initialised.
    unsafe fn write(obj: *mut Self::Object, value: Self::Value);

    /// A new reference to a pooled object holding `value`, or null with an
    /// exception set. The pool's allocation, or a cached object (int's
    /// small values).
    ///
    /// # Safety
    /// The GIL is held and the type exists.
    unsafe fn from_value(value: Self::Value) -> *mut ffi::PyObject;

    /// A new builtin object (int, float) holding `value`; null with an
    /// exception set.
    ///
    /// # Safety
    /// The GIL is held.
    unsafe fn to_builtin(value: Self::Value) -> *mut ffi::PyObject;

    /// The value of what calling the builtin gave (an exact builtin
    /// instance); None with an exception set if the type cannot hold it.
    ///
    /// # Safety
    /// The GIL is held and `obj` is a live instance of the builtin.
    unsafe fn read_builtin(obj: *mut ffi::PyObject) -> Option<Self::Value>;

    /// The value of an operand that the type's arithmetic computes with
    /// itself, without the dispatch (its own objects, the exact builtin
    /// values it can hold); None for anything else.
    ///
    /// # Safety
    /// The GIL is held and `obj` is live.
    unsafe fn read_operand(obj: *mut ffi::PyObject) -> Option<Self::Value>;

    /// `read_operand` for the operands it reads without any call: exact
    /// instances of the pooled types and the exact builtin values read in
    /// place. None where `read_operand` may still find a value. Kept apart
    /// so that the hot path of a number slot calls nothing and saves no
    /// registers. The value is also what the builtin's constructor makes of
    /// such an operand (`int(x)` is `x`; `float(n)` rounds an int to
    /// nearest, as the conversion to `f64` does), so `P(x)` reads it too.
    ///
    /// # Safety
    /// The GIL is held and `obj` is live.
    unsafe fn read_exact(obj: *mut ffi::PyObject) -> Option<Self::Value>;

    /// The builtin the type stands for.
    fn builtin() -> *mut ffi::PyTypeObject;

    /// Whether a subclass with an `__init__` of its own takes keyword
    /// arguments that the builtin's constructor would refuse (float does,
    /// int does not).
    const SUBCLASS_INIT_TAKES_KEYWORDS: bool;

    /// The type's own slots (number protocol, comparison, hash, str), its
    /// methods and its attributes, without terminators: the lifecycle adds
    /// `tp_new`, `tp_dealloc`, `tp_repr`, pickling and `__class__`.
    fn slots() -> Vec<ffi::PyType_Slot>;
    fn methods() -> Vec<ffi::PyMethodDef>;
    fn getset() -> Vec<ffi::PyGetSetDef>;

    /// What the builtin's slots should see for `obj` (see `dispatch`): a new
    /// reference to the plain value of a pooled object the builtin takes as
    /// its own, `obj` itself otherwise.
    ///
    /// # Safety
    /// The GIL is held and `obj` is live.
    unsafe fn plain(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
        // SAFETY: GIL held, obj live (caller's contract).
        unsafe {
            if is_instance::<Self>(obj) {
                Self::to_builtin(Self::read_instance(obj))
            } else {
                ffi::compat::Py_NewRef(obj)
            }
        }
    }

    /// Whether `obj` stands for an exact builtin once made plain (an exact
    /// pooled object), not for a subclass instance.
    ///
    /// # Safety
    /// The GIL is held and `obj` is live.
    unsafe fn is_exact_pooled(obj: *mut ffi::PyObject) -> bool {
        // SAFETY: GIL held, obj live.
        unsafe { ffi::Py_TYPE(obj) == type_object::<Self>() }
    }

    /// Brings a result that only builtin code produced into the pools,
    /// Python 2's way for the type; takes ownership of `result`.
    ///
    /// # Safety
    /// The GIL is held.
    unsafe fn bring_back(result: Owned) -> Option<Owned>;
}

/// `unsafe extern "C" fn $name(a, b)`: a binary number slot of the pooled
/// type `$ty`, computing `$fast` on two operands that `read_operand` reads
/// and leaving everything else to the dispatch (`$slot`).
macro_rules! binary_slot {
    ($ty:ty, $name:ident, $fast:expr, $slot:path) => {
        unsafe extern "C" fn $name(
            a: *mut pyo3::ffi::PyObject,
            b: *mut pyo3::ffi::PyObject,
        ) -> *mut pyo3::ffi::PyObject {
            // SAFETY: called by the interpreter with the GIL held and two
            // live operands, one of them of this type.
            unsafe { $crate::pooled::dispatch::fast_then_dispatch::<$ty>(a, b, $fast, $slot) }
        }
    };
}
pub(crate) use binary_slot;

/// `unsafe extern "C" fn $name(obj, args, kwargs)`: a method of the pooled
/// type `$ty` that is the builtin's own `$py_name` on the value, its result
/// brought back into the pools.
macro_rules! delegated_method {
    ($ty:ty, $name:ident, $py_name:literal) => {
        unsafe extern "C" fn $name(
            obj: *mut pyo3::ffi::PyObject,
            args: *mut pyo3::ffi::PyObject,
            kwargs: *mut pyo3::ffi::PyObject,
        ) -> *mut pyo3::ffi::PyObject {
            // SAFETY: a METH_VARARGS | METH_KEYWORDS method: the interpreter
            // passes a live instance of the type, a tuple and a dict or null.
            unsafe { $crate::pooled::delegated::ask_builtin::<$ty>(obj, $py_name, args, kwargs) }
        }
    };
}
pub(crate) use delegated_method;

/// The type object of `P` (borrowed), or null before it is made.
///
/// # Safety
/// The GIL is held.
#[inline(always)]
pub unsafe fn type_object<P: PooledType>() -> *mut ffi::PyTypeObject {
    // SAFETY: GIL held; a plain read of a pointer written once.
    unsafe { *P::type_cell().get() }
}

/// Whether `obj` is an instance of `P` or of a subclass.
///
/// # Safety
/// The GIL is held and `obj` is live.
#[inline(always)]
pub unsafe fn is_instance<P: PooledType>(obj: *mut ffi::PyObject) -> bool {
    // SAFETY: GIL held, obj live.
    unsafe { ffi::Py_TYPE(obj) == type_object::<P>() || is_subclass_instance::<P>(obj) }
}

/// Whether `obj` is an instance of a subclass of `P`: `is_instance` without
/// its exact-type compare, for a reader that has made that compare already.
///
/// # Safety
/// The GIL is held and `obj` is live.
#[inline]
pub unsafe fn is_subclass_instance<P: PooledType>(obj: *mut ffi::PyObject) -> bool {
    // SAFETY: GIL held, obj live; a type made once lives for the process.
    unsafe {
        let ours = type_object::<P>();
        !ours.is_null() && ffi::PyType_IsSubtype(ffi::Py_TYPE(obj), ours) != 0
    }
}
