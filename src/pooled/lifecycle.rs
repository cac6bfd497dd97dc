//! The life of a pooled object, for every pooled type: the type is made
//! from a spec, exact instances are popped from the pool in `tp_new` (and
//! the type's vectorcall) and pushed back in `tp_dealloc`, as Python 2's
//! `PyInt_FromLong` and `int_dealloc` did; subclass instances come from
//! their own `tp_alloc` and go to their own `tp_free`, never the pool.
//!
//! The pool is kept behind `tp_new` and `tp_dealloc` with an exact-type
//! check on both sides, not in `tp_alloc`/`tp_free`, which subclasses
//! would inherit: their instances carry a GC header and a dict, and must
//! never reach a free list.

use super::{is_instance, pickling, type_object, PooledType};
use crate::capi::heap_type;
use crate::capi::object_header::{init_through_the_api, try_init_inline};
use crate::capi::owned::Owned;
use crate::capi::type_spec::{
    getset_def, getset_end, new_str, no_keywords, slot, slot_end, TYPE_FLAGS,
};
use pyo3::{ffi, Python};
use std::ffi::CStr;
use std::os::raw::{c_int, c_void};
use std::ptr::{self, NonNull};

/// Makes the type `P`, or returns the one already made (a new reference
/// either way; null with an exception set on failure).
///
/// # Safety
/// The GIL is held.
pub unsafe fn create_type<P: PooledType>() -> *mut ffi::PyObject {
    // SAFETY: GIL held throughout. The spec's name is 'static (older
    // CPythons keep pointing at it) and the slots are read during
    // PyType_FromSpec only. The method and attribute tables are leaked
    // because the type's descriptors keep pointers into them; this runs
    // once per type and process.
    unsafe {
        heap_type::make_once(P::type_cell(), || {
            let mut methods = pickling::methods::<P>().to_vec();
            methods.extend(P::methods());
            methods.push(ffi::PyMethodDef::zeroed());
            let mut getset = vec![class_guard()];
            getset.extend(P::getset());
            getset.push(getset_end());
            let mut slots = vec![
                slot(ffi::Py_tp_doc, P::DOC.as_ptr() as *mut c_void),
                slot(ffi::Py_tp_new, tp_new::<P> as *mut c_void),
                slot(ffi::Py_tp_dealloc, tp_dealloc::<P> as *mut c_void),
                slot(ffi::Py_tp_repr, tp_repr::<P> as *mut c_void),
                slot(ffi::Py_tp_str, tp_str::<P> as *mut c_void),
                slot(ffi::Py_tp_methods, methods.leak().as_mut_ptr().cast()),
                slot(ffi::Py_tp_getset, getset.leak().as_mut_ptr().cast()),
            ];
            slots.extend(P::slots());
            slots.push(slot_end());
            let mut spec = ffi::PyType_Spec {
                name: P::NAME.as_ptr(),
                basicsize: std::mem::size_of::<P::Object>() as c_int,
                itemsize: 0,
                flags: TYPE_FLAGS as _,
                slots: slots.as_mut_ptr(),
            };
            let tp = ffi::PyType_FromSpec(&mut spec);
            if !tp.is_null() {
                // Calling the type goes through tp_vectorcall when it is
                // set, skipping the argument tuple and type_call's generic
                // path. PyType_FromSpec only takes it as a slot from 3.14
                // on. Subclasses do not inherit it: they keep type_call,
                // and with it their __init__.
                (*tp.cast::<ffi::PyTypeObject>()).tp_vectorcall = Some(vectorcall::<P>);
            }
            tp
        })
    }
}

/// A new exact `P` in a slot popped from its pool: the header as
/// `PyObject_Init` writes it, without a reference to the type, which lives
/// as long as the process (`try_init_inline`), then the value.
/// Null with MemoryError set when no block can be
/// had. Python 2's `PyInt_FromLong` without the cache.
///
/// # Safety
/// The GIL is held and the type exists.
#[inline(always)]
pub unsafe fn new_pooled<P: PooledType>(value: P::Value) -> *mut ffi::PyObject {
    // SAFETY: the GIL is held (caller's contract).
    let py = unsafe { Python::assume_attached() };
    // SAFETY: popping runs no Python code: no nested loan.
    match unsafe { P::pool().with(py, |arena| arena.pop_free()) } {
        // SAFETY: GIL held, the type exists, the slot just popped.
        Some(slot) => unsafe { init_slot::<P>(slot, value) },
        // SAFETY: GIL held, the type exists.
        None => unsafe { new_pooled_in_new_block::<P>(value) },
    }
}

/// `new_pooled` when the free list is empty: one block is filled first
/// (Python 2's `fill_free_list`). Out of line, so that the inline path
/// calls nothing and keeps no value across a call.
///
/// # Safety
/// As `new_pooled`.
#[cold]
#[inline(never)]
unsafe fn new_pooled_in_new_block<P: PooledType>(value: P::Value) -> *mut ffi::PyObject {
    // SAFETY: the GIL is held (caller's contract).
    let py = unsafe { Python::assume_attached() };
    // SAFETY: popping and filling run no Python code: no nested loan.
    match unsafe { P::pool().with(py, |arena| arena.pop()) } {
        // SAFETY: GIL held, the type exists, the slot just popped.
        Some(slot) => unsafe { init_slot::<P>(slot, value) },
        // SAFETY: GIL held.
        None => unsafe { ffi::PyErr_NoMemory() },
    }
}

/// Makes a popped slot a new `P` holding `value`.
///
/// # Safety
/// The GIL is held, the type exists, and `slot` was just popped from `P`'s
/// pool.
#[inline(always)]
unsafe fn init_slot<P: PooledType>(
    slot: NonNull<P::Object>,
    value: P::Value,
) -> *mut ffi::PyObject {
    let obj = slot.as_ptr();
    // SAFETY: the slot is memory of the object's size and alignment, owned
    // by nobody else until returned, and not a block of CPython's
    // allocators; writing the header runs no Python code.
    unsafe {
        if !try_init_inline(obj.cast(), type_object::<P>()) {
            // A tail call: the inline path stays free of calls.
            return init_slot_through_the_api::<P>(slot, value);
        }
        P::write(obj, value);
    }
    obj.cast()
}

/// `init_slot` where the interpreter writes the header (a tracer is set,
/// a debug interpreter): out of line.
///
/// # Safety
/// As `init_slot`.
#[cold]
#[inline(never)]
unsafe fn init_slot_through_the_api<P: PooledType>(
    slot: NonNull<P::Object>,
    value: P::Value,
) -> *mut ffi::PyObject {
    let obj = slot.as_ptr();
    // SAFETY: as in `init_slot`. The value goes in first: PyObject_Init
    // tells a reference tracer of the new object, which then sees it whole.
    unsafe {
        P::write(obj, value);
        init_through_the_api(obj.cast(), type_object::<P>());
    }
    // Opaque to the optimiser: seen to return its argument, this function
    // was called, not jumped to, with the object kept across the call in a
    // callee-saved register, at a cost on the inline path as well.
    std::hint::black_box(obj.cast())
}

/// `P(*args, **kwargs)` for `P` and its subclasses.
unsafe extern "C" fn tp_new<P: PooledType>(
    subtype: *mut ffi::PyTypeObject,
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: called by the interpreter with the GIL held, a tuple and a
    // dict or null; both type objects are live.
    unsafe {
        let exact = subtype == type_object::<P>();
        let init = |tp: *mut ffi::PyTypeObject| (*tp).tp_init.map(|f| f as usize);
        // float() takes no keywords, but a subclass with an __init__ of its
        // own gets them there: float's tp_new ignores them then.
        let kwargs = if P::SUBCLASS_INIT_TAKES_KEYWORDS
            && !exact
            && init(subtype) != init(type_object::<P>())
        {
            ptr::null_mut()
        } else {
            kwargs
        };
        let Some(value) = value_from_args::<P>(args, kwargs) else {
            return ptr::null_mut();
        };
        if exact {
            return P::from_value(value);
        }
        // A subclass instance: its own type allocates it, with whatever GC
        // header and dict the subclass needs, and the pool is not involved.
        let alloc = (*subtype).tp_alloc.unwrap_or(ffi::PyType_GenericAlloc);
        let obj = alloc(subtype, 0);
        if !obj.is_null() {
            P::write(obj.cast(), value);
        }
        obj
    }
}

/// The value `P(*args, **kwargs)` holds: what the builtin gives for the
/// same arguments (every argument form, every error), if `P` can hold it.
///
/// # Safety
/// The GIL is held; `args` is a tuple and `kwargs` null or a dict.
unsafe fn value_from_args<P: PooledType>(
    args: *mut ffi::PyObject,
    kwargs: *mut ffi::PyObject,
) -> Option<P::Value> {
    // SAFETY: GIL held; args a tuple (caller's contract), kwargs checked.
    unsafe {
        if no_keywords(kwargs) && ffi::PyTuple_GET_SIZE(args) == 1 {
            if let Some(value) = P::read_exact(ffi::PyTuple_GET_ITEM(args, 0)) {
                return Some(value);
            }
        }
        let made = Owned::new(ffi::PyObject_Call(P::builtin().cast(), args, kwargs))?;
        P::read_builtin(made.as_ptr())
    }
}

/// `P(x)` through vectorcall: an exact operand (`P::read_exact`) read
/// in place without a call, anything else by the general path.
unsafe extern "C" fn vectorcall<P: PooledType>(
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargsf: usize,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: called by the interpreter with the GIL held; `args` holds
    // `nargs` positional arguments followed by one per name in `kwnames`.
    unsafe {
        let nargs = ffi::PyVectorcall_NARGS(nargsf);
        if callable == type_object::<P>().cast() && kwnames.is_null() && nargs == 1 {
            if let Some(value) = P::read_exact(*args) {
                return P::from_value(value);
            }
        }
        vectorcall_general(callable, args, nargs, kwnames)
    }
}

/// A call that the vectorcall fast path does not take: the tuple and dict
/// that type_call expects, then type_call itself (tp_new, and tp_init for a
/// subclass). Kept out of line so that the fast path saves no registers
/// for it.
///
/// # Safety
/// As a type's tp_vectorcall, with `nargs` already extracted.
#[cold]
#[inline(never)]
unsafe fn vectorcall_general(
    callable: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held; `args` holds `nargs` positional arguments followed
    // by one per name in `kwnames` (the vectorcall convention).
    unsafe {
        let Some(type_call) = (*ptr::addr_of_mut!(ffi::PyType_Type)).tp_call else {
            ffi::PyErr_SetString(ffi::PyExc_SystemError, c"type has no tp_call".as_ptr());
            return ptr::null_mut();
        };
        let Some(tuple) = Owned::new(ffi::PyTuple_New(nargs)) else {
            return ptr::null_mut();
        };
        for i in 0..nargs {
            // Steals a new reference into a tuple nobody else has seen.
            ffi::PyTuple_SET_ITEM(tuple.as_ptr(), i, ffi::compat::Py_NewRef(*args.offset(i)));
        }
        let mut kwargs = None;
        if !kwnames.is_null() {
            let Some(dict) = Owned::new(ffi::PyDict_New()) else {
                return ptr::null_mut();
            };
            for k in 0..ffi::PyTuple_GET_SIZE(kwnames) {
                let name = ffi::PyTuple_GET_ITEM(kwnames, k);
                if ffi::PyDict_SetItem(dict.as_ptr(), name, *args.offset(nargs + k)) < 0 {
                    return ptr::null_mut();
                }
            }
            kwargs = Some(dict);
        }
        type_call(
            callable,
            tuple.as_ptr(),
            kwargs.as_ref().map_or(ptr::null_mut(), Owned::as_ptr),
        )
    }
}

unsafe extern "C" fn tp_dealloc<P: PooledType>(obj: *mut ffi::PyObject) {
    // SAFETY: called once, with the GIL held, when obj's refcount reached
    // zero. The type is read before the object's memory is given up.
    unsafe {
        let tp = ffi::Py_TYPE(obj);
        if tp == type_object::<P>() {
            // Exact instances are only made by new_pooled, so the slot came
            // from this pool, and the object is dead. It held no reference
            // to its type (see new_pooled).
            let slot = NonNull::new_unchecked(obj.cast::<P::Object>());
            // Pushing runs no Python code: no nested loan.
            P::pool().with(Python::assume_attached(), |arena| arena.push(slot));
        } else {
            free_subclass_instance(obj, tp);
        }
    }
}

/// `tp_dealloc` for an instance of a subclass, which its type's `tp_alloc`
/// allocated. Out of line, so that the exact path keeps no register.
///
/// # Safety
/// As `tp_dealloc`, `tp` being the object's type.
#[inline(never)]
unsafe fn free_subclass_instance(obj: *mut ffi::PyObject, tp: *mut ffi::PyTypeObject) {
    // SAFETY: the caller's contract. A subclass instance holds a reference
    // to its type (tp_alloc took it); subtype_dealloc leaves dropping it to
    // us because our base type is a heap type too.
    unsafe { heap_type::free_instance(obj, tp) }
}

/// `str(obj)`: the builtin's text for the value. int and float have no
/// `__str__` of their own (their str is their repr), so a subclass that
/// overrides `__repr__` is printed by it; a pooled subclass is too.
unsafe extern "C" fn tp_str<P: PooledType>(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live instance of P; both types are live.
    unsafe {
        let repr = |tp: *mut ffi::PyTypeObject| (*tp).tp_repr.map(|f| f as usize);
        if repr(ffi::Py_TYPE(obj)) != repr(type_object::<P>()) {
            return ffi::PyObject_Repr(obj);
        }
        builtin_repr::<P>(obj)
    }
}

/// The builtin's repr of `obj`'s value (`5`, `0.5`).
///
/// # Safety
/// The GIL is held and `obj` is a live instance of P.
unsafe fn builtin_repr<P: PooledType>(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live instance of P (caller's contract).
    unsafe {
        let Some(plain) = Owned::new(P::to_builtin(P::read_instance(obj))) else {
            return ptr::null_mut();
        };
        ffi::PyObject_Repr(plain.as_ptr())
    }
}

/// `repr(obj)`: `LegacyInt(5)`, with the short name of the object's type.
unsafe extern "C" fn tp_repr<P: PooledType>(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live instance of P; tp_name lives as long as
    // the type, which obj keeps alive.
    unsafe {
        let Some(text) = Owned::new(builtin_repr::<P>(obj)) else {
            return ptr::null_mut();
        };
        let Some(value) = crate::capi::type_spec::str_text(text.as_ptr()) else {
            return ptr::null_mut();
        };
        let full = CStr::from_ptr((*ffi::Py_TYPE(obj)).tp_name).to_string_lossy();
        let name = full.rsplit('.').next().unwrap_or(&full);
        new_str(&format!("{name}({value})"))
    }
}

/// The `__class__` entry of a pooled type's attribute table.
fn class_guard() -> ffi::PyGetSetDef {
    getset_def(
        c"__class__",
        get_class,
        Some(set_class),
        c"the object's type (not assignable)",
    )
}

/// `__class__`: the object's type, as object's own getter gives it.
unsafe extern "C" fn get_class(obj: *mut ffi::PyObject, _: *mut c_void) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj live (a getter).
    unsafe { ffi::compat::Py_NewRef(ffi::Py_TYPE(obj).cast()) }
}

/// `__class__` assignment would move an object between the pool and the
/// generic allocator without moving its memory: tp_dealloc would then give
/// pool memory to tp_free, or generic memory to the free list. CPython
/// refuses it for immutable types; this setter refuses it for subclass
/// instances too.
unsafe extern "C" fn set_class(
    _: *mut ffi::PyObject,
    _: *mut ffi::PyObject,
    _: *mut c_void,
) -> c_int {
    // SAFETY: GIL held (a setter).
    unsafe {
        ffi::PyErr_SetString(
            ffi::PyExc_TypeError,
            c"__class__ assignment is not supported for pooled types: an object's memory belongs to its allocator"
                .as_ptr(),
        );
    }
    -1
}

/// `+obj`, and every operation that is the identity on the builtin
/// (`__trunc__` of an int, `conjugate`, `real`, `round()`): the object
/// itself if exact, as int and float return themselves, else a pooled
/// object of the same value.
///
/// # Safety
/// The GIL is held and `obj` is a live instance of P.
pub unsafe fn identity<P: PooledType>(obj: *mut ffi::PyObject) -> *mut ffi::PyObject {
    // SAFETY: GIL held, obj a live instance of P.
    unsafe {
        if ffi::Py_TYPE(obj) == type_object::<P>() {
            ffi::compat::Py_NewRef(obj)
        } else {
            debug_assert!(is_instance::<P>(obj));
            P::from_value(P::read_instance(obj))
        }
    }
}
