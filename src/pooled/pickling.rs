//! Pickling and copying a pooled object: `copyreg.__newobj__(type(obj),
//! value)` with the instance's state, under every protocol.

use super::PooledType;
use crate::capi::owned::Owned;
use crate::capi::type_spec::{method, noargs, NOARGS};
use pyo3::ffi;
use std::ptr;

/// The two method-table entries that make a pooled type picklable and
/// copyable.
pub fn methods<P: PooledType>() -> [ffi::PyMethodDef; 2] {
    [
        method(
            c"__reduce_ex__",
            ffi::PyMethodDefPointer {
                PyCFunction: reduce_ex,
            },
            ffi::METH_O,
            c"Helper for pickle: object's protocol-2 reduction, under every protocol.",
        ),
        method(
            c"__getnewargs__",
            noargs(getnewargs::<P>),
            NOARGS,
            c"The arguments that rebuild the object: its plain value.",
        ),
    ]
}

/// `__reduce_ex__`, whatever the protocol: object's own protocol-2
/// reduction, `copyreg.__newobj__(type(obj), *obj.__getnewargs__())` with
/// the instance's state (a subclass's `__dict__` and `__slots__`). Plain
/// data under every protocol, where protocols 0 and 1 would otherwise go
/// through `copyreg._reduce_ex`, which cannot rebuild these types.
unsafe extern "C" fn reduce_ex(
    obj: *mut ffi::PyObject,
    _protocol: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: a METH_O method: GIL held, obj live.
    unsafe {
        let object_type = ptr::addr_of_mut!(ffi::PyBaseObject_Type).cast::<ffi::PyObject>();
        let Some(reduce) = Owned::new(ffi::PyObject_GetAttrString(
            object_type,
            c"__reduce_ex__".as_ptr(),
        )) else {
            return ptr::null_mut();
        };
        let Some(two) = Owned::new(ffi::PyLong_FromLong(2)) else {
            return ptr::null_mut();
        };
        ffi::PyObject_CallFunctionObjArgs(
            reduce.as_ptr(),
            obj,
            two.as_ptr(),
            ptr::null_mut::<ffi::PyObject>(),
        )
    }
}

/// `(value,)`, the arguments that rebuild a pooled object.
unsafe extern "C" fn getnewargs<P: PooledType>(
    obj: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live instance of P (METH_NOARGS).
    unsafe {
        let Some(value) = Owned::new(P::to_builtin(P::read_instance(obj))) else {
            return ptr::null_mut();
        };
        ffi::PyTuple_Pack(1, value.as_ptr())
    }
}
