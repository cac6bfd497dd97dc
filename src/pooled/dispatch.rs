//! Who answers an operation on a pooled object once its fast path does not
//! apply: whoever would answer it if the pooled object were the builtin it
//! stands for.
//!
//! CPython picks the method that answers `a + b` from the operands' types
//! (`binary_op1`, `ternary_op` in Objects/abstract.c, `do_richcompare` in
//! Objects/object.c): the right operand's slot first when its type is a
//! proper subclass of the left's, then the left's slot, then the right's,
//! and for `pow(a, b, m)` the modulus's last. A LegacyInt is not an int, so
//! CPython does not order things for it as it would for an int (`5 + MyInt(3)`
//! asks `MyInt.__radd__` first, `LegacyInt(5) + MyInt(3)` asks LegacyInt),
//! and neither int's slots nor other types' methods (`Fraction.__eq__`)
//! know a pooled object when they meet one.
//!
//! So a pooled type's slot replaces the pooled operands by their plain
//! values (a new int or float) and runs CPython's own ordering on those,
//! calling the slots exactly as CPython would. The same slots then see the
//! same operands in the same order as with an int or float in its place,
//! and a slot of a builtin type never meets a pooled object, so no slot can
//! send the operation back to the pooled type that started it (the three-
//! argument `pow` whose modulus is a LegacyFloat once recursed until the C
//! stack overflowed).
//!
//! What cannot be the same: a method that CPython has already asked with
//! the pooled object, and that declined it (`super().__add__(x)` in an int
//! subclass returns NotImplemented for a LegacyInt), is asked again with the
//! plain value. And a pooled subclass instance becomes a plain value, so it
//! must not let another type's subclass go first as an exact int would: the
//! caller says whether the left operand stood for the exact builtin.

use super::PooledType;
use crate::capi::builtin_numbers::builtin_numbers;
use crate::capi::errors::reword_pending;
use crate::capi::owned::{not_implemented, Owned};
use crate::capi::type_spec::type_name;
use pyo3::ffi;
use std::os::raw::c_int;
use std::ptr;

/// A binary slot of `PyNumberMethods`, by the field that holds it.
#[derive(Clone, Copy)]
pub struct BinarySlot(fn(&ffi::PyNumberMethods) -> Option<ffi::binaryfunc>);

pub const ADD: BinarySlot = BinarySlot(|nb| nb.nb_add);
pub const SUBTRACT: BinarySlot = BinarySlot(|nb| nb.nb_subtract);
pub const MULTIPLY: BinarySlot = BinarySlot(|nb| nb.nb_multiply);
pub const TRUE_DIVIDE: BinarySlot = BinarySlot(|nb| nb.nb_true_divide);
pub const FLOOR_DIVIDE: BinarySlot = BinarySlot(|nb| nb.nb_floor_divide);
pub const REMAINDER: BinarySlot = BinarySlot(|nb| nb.nb_remainder);
pub const DIVMOD: BinarySlot = BinarySlot(|nb| nb.nb_divmod);
pub const LSHIFT: BinarySlot = BinarySlot(|nb| nb.nb_lshift);
pub const RSHIFT: BinarySlot = BinarySlot(|nb| nb.nb_rshift);
pub const AND: BinarySlot = BinarySlot(|nb| nb.nb_and);
pub const OR: BinarySlot = BinarySlot(|nb| nb.nb_or);
pub const XOR: BinarySlot = BinarySlot(|nb| nb.nb_xor);

/// The slot an operation calls: a binary one, or `nb_power` (ternary).
#[derive(Clone, Copy)]
enum Slot {
    Binary(BinarySlot),
    Power,
}

/// One type's function for a slot. Compared by address, as CPython compares
/// slots to decide whether two types share one.
#[derive(Clone, Copy)]
enum SlotFn {
    Binary(ffi::binaryfunc),
    Ternary(ffi::ternaryfunc),
}

impl SlotFn {
    fn address(self) -> usize {
        match self {
            SlotFn::Binary(f) => f as usize,
            SlotFn::Ternary(f) => f as usize,
        }
    }

    /// # Safety
    /// The GIL is held and the operands are live; `z` is only read by a
    /// ternary slot.
    unsafe fn call(
        self,
        v: *mut ffi::PyObject,
        w: *mut ffi::PyObject,
        z: *mut ffi::PyObject,
    ) -> Option<Owned> {
        // SAFETY: a type's own slot, called with live operands and the GIL,
        // as CPython calls it; it returns a new reference or null.
        unsafe {
            Owned::new(match self {
                SlotFn::Binary(f) => f(v, w),
                SlotFn::Ternary(f) => f(v, w, z),
            })
        }
    }
}

impl Slot {
    /// `tp`'s function for this slot, if it has one.
    ///
    /// # Safety
    /// `tp` is a live type object.
    unsafe fn of(self, tp: *mut ffi::PyTypeObject) -> Option<SlotFn> {
        // SAFETY: a live type's tp_as_number is null or a valid table.
        let nb = unsafe { (*tp).tp_as_number.as_ref()? };
        match self {
            Slot::Binary(BinarySlot(field)) => field(nb).map(SlotFn::Binary),
            Slot::Power => nb.nb_power.map(SlotFn::Ternary),
        }
    }

    /// Whether `f` is this slot of one of the builtin numeric types, so that
    /// only builtin code produced its result.
    ///
    /// # Safety
    /// The GIL is held.
    unsafe fn is_builtin(self, f: SlotFn) -> bool {
        builtin_numbers().into_iter().any(|tp| {
            // SAFETY: the builtin type objects are static and fully
            // initialised.
            unsafe { self.of(tp) }.map(SlotFn::address) == Some(f.address())
        })
    }
}

/// A result, and whether a builtin type's slot gave it.
type Answer = (Owned, bool);

/// `binary_op1` and `ternary_op` of Objects/abstract.c on `v`, `w` (and `z`
/// for `pow`): the first answer that is not NotImplemented, or
/// NotImplemented. `subtype_first`: whether `w`'s type may go first when it
/// is a proper subclass of `v`'s, which CPython allows whenever it holds.
///
/// # Safety
/// The GIL is held and the operands are live.
unsafe fn number_op(
    v: *mut ffi::PyObject,
    w: *mut ffi::PyObject,
    z: *mut ffi::PyObject,
    slot: Slot,
    subtype_first: bool,
) -> Option<Answer> {
    // SAFETY: GIL held, live operands (caller's contract); each slot is
    // called as CPython calls it.
    unsafe {
        let answer = |f: SlotFn| -> Option<Option<Answer>> {
            let r = f.call(v, w, z);
            match r {
                None => Some(None),
                Some(r) if r.is_not_implemented() => None,
                Some(r) => Some(Some((r, slot.is_builtin(f)))),
            }
        };
        let (tv, tw) = (ffi::Py_TYPE(v), ffi::Py_TYPE(w));
        let slotv = slot.of(tv);
        let mut slotw = if tw != tv { slot.of(tw) } else { None };
        if slotw.map(SlotFn::address) == slotv.map(SlotFn::address) {
            slotw = None;
        }
        if let Some(fv) = slotv {
            if let Some(fw) = slotw {
                if subtype_first && ffi::PyType_IsSubtype(tw, tv) != 0 {
                    if let Some(done) = answer(fw) {
                        return done;
                    }
                    slotw = None;
                }
            }
            if let Some(done) = answer(fv) {
                return done;
            }
        }
        if let Some(fw) = slotw {
            if let Some(done) = answer(fw) {
                return done;
            }
        }
        if !z.is_null() && z != ffi::Py_None() {
            let address = |f: Option<SlotFn>| f.map(SlotFn::address);
            if let Some(fz) = slot.of(ffi::Py_TYPE(z)) {
                let a = Some(fz.address());
                if a != address(slotv) && a != address(slotw) {
                    if let Some(done) = answer(fz) {
                        return done;
                    }
                }
            }
        }
        Some((Owned::new(not_implemented())?, false))
    }
}

/// What the builtin's slots see for `a` and `b` (see `PooledType::plain`);
/// None with an exception set if a plain value cannot be made.
///
/// # Safety
/// The GIL is held and `a`, `b` are live.
unsafe fn plain_pair<P: PooledType>(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
) -> Option<(Owned, Owned)> {
    // SAFETY: GIL held, live operands (caller's contract).
    unsafe { Some((Owned::new(P::plain(a))?, Owned::new(P::plain(b))?)) }
}

/// Whether `subtype_first` holds for a left operand `a`: CPython lets the
/// right operand's subclass go first against an exact builtin, and so
/// against anything not replaced, but not against a pooled subclass
/// instance, which stands for a subclass of the builtin.
///
/// # Safety
/// The GIL is held, `a` is live and `v` is what `P::plain` made of it.
unsafe fn subtype_first<P: PooledType>(a: *mut ffi::PyObject, v: &Owned) -> bool {
    // SAFETY: GIL held, a live.
    v.as_ptr() == a || unsafe { P::is_exact_pooled(a) }
}

/// The body of a binary slot: `fast` on the values of two operands that
/// the type computes with itself, and what the builtin would do (`binary`)
/// for anything else or when `fast` gives up (None: an overflow, a zero
/// divisor).
///
/// Two exact operands take the inline path, which calls nothing (the pool
/// fills a block out of line too), so the slot needs no stack frame; any
/// other operand, and any result `fast` refuses, goes to `read_then_dispatch`.
///
/// # Safety
/// The GIL is held and `a`, `b` are live, one of them of type P.
#[inline(always)]
pub unsafe fn fast_then_dispatch<P: PooledType>(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
    fast: fn(P::Value, P::Value) -> Option<P::Value>,
    slot: BinarySlot,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, live operands (caller's contract).
    unsafe {
        compute::<P>(a, b, P::read_exact, fast)
            .unwrap_or_else(|| read_then_dispatch::<P>(a, b, fast, slot))
    }
}

/// `fast_then_dispatch` past its inline path: `fast` on any operands that
/// `read_operand` reads (subclass instances, bigger ints), else `binary`.
///
/// # Safety
/// As `fast_then_dispatch`.
#[inline(never)]
unsafe fn read_then_dispatch<P: PooledType>(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
    fast: fn(P::Value, P::Value) -> Option<P::Value>,
    slot: BinarySlot,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, live operands (caller's contract).
    unsafe { compute::<P>(a, b, P::read_operand, fast).unwrap_or_else(|| binary::<P>(a, b, slot)) }
}

/// `fast` on the values `read` gives for both operands, as a new pooled
/// object (or null with an exception set); None when `read` does not take
/// an operand or `fast` gives up. Always inlined, so that with
/// `read_exact` as the reader the slot's inline path still calls
/// nothing.
///
/// # Safety
/// As `fast_then_dispatch`; `read` reads a live operand with the GIL held.
#[inline(always)]
unsafe fn compute<P: PooledType>(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
    read: unsafe fn(*mut ffi::PyObject) -> Option<P::Value>,
    fast: fn(P::Value, P::Value) -> Option<P::Value>,
) -> Option<*mut ffi::PyObject> {
    // SAFETY: GIL held, live operands (caller's contract).
    unsafe {
        let (x, y) = (read(a)?, read(b)?);
        Some(P::from_value(fast(x, y)?))
    }
}

/// `a <slot> b` as CPython would answer it with every pooled operand
/// replaced by its plain value; a builtin's answer is brought back into the
/// pools, anyone else's is theirs. NotImplemented if nobody answers, so that
/// CPython raises its TypeError naming the real operand types.
///
/// # Safety
/// The GIL is held and `a`, `b` are live.
pub unsafe fn binary<P: PooledType>(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
    slot: BinarySlot,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, live operands (caller's contract).
    unsafe {
        let Some((v, w)) = plain_pair::<P>(a, b) else {
            return ptr::null_mut();
        };
        let first = subtype_first::<P>(a, &v);
        let answer = number_op(
            v.as_ptr(),
            w.as_ptr(),
            ptr::null_mut(),
            Slot::Binary(slot),
            first,
        );
        finish::<P>(answer)
    }
}

/// `a ** b` (`m` None) and `pow(a, b, m)`, as [`binary`] answers the others.
///
/// # Safety
/// The GIL is held and `a`, `b`, `m` are live.
pub unsafe fn power<P: PooledType>(
    a: *mut ffi::PyObject,
    b: *mut ffi::PyObject,
    m: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, live operands (caller's contract).
    unsafe {
        let Some((v, w)) = plain_pair::<P>(a, b) else {
            return ptr::null_mut();
        };
        let Some(z) = Owned::new(P::plain(m)) else {
            return ptr::null_mut();
        };
        let first = subtype_first::<P>(a, &v);
        let answer = number_op(v.as_ptr(), w.as_ptr(), z.as_ptr(), Slot::Power, first);
        finish::<P>(answer)
    }
}

/// A dispatch's answer as a slot's return value.
///
/// # Safety
/// The GIL is held.
unsafe fn finish<P: PooledType>(answer: Option<Answer>) -> *mut ffi::PyObject {
    match answer {
        None => ptr::null_mut(),
        // SAFETY: GIL held (caller's contract).
        Some((result, true)) => {
            unsafe { P::bring_back(result) }.map_or(ptr::null_mut(), Owned::into_ptr)
        }
        Some((result, false)) => result.into_ptr(),
    }
}

/// `n *= x` for a pooled `n`: its type's `nb_inplace_multiply`.
///
/// int has no in-place multiply, so for an int `PyNumber_InPlaceMultiply`
/// does what `n * x` does (the number slots in CPython's order, then a
/// sequence on the right repeated), only that it stops before the repeat
/// when the left operand's type has a `tp_as_sequence`, and a heap type
/// always has one (empty): `x = 3; x *= "a"` is `'aaa'`, but a pooled type
/// without this slot would end in TypeError. So this slot is `n * x`,
/// `PyNumber_Multiply` itself (a subclass's `__mul__` included), with the
/// TypeError naming `*=` as CPython's in-place error does. An instance of a
/// pooled subclass stands for an int subclass, which is a heap type with a
/// sequence table: CPython repeats nothing for it, so neither does this
/// slot (NotImplemented: CPython goes on as for the int subclass).
///
/// # Safety
/// Called by the interpreter: the GIL is held, `n` (of type `P`) and `x`
/// are live.
pub unsafe extern "C" fn nb_inplace_multiply<P: PooledType>(
    n: *mut ffi::PyObject,
    x: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, live operands (the interpreter's call).
    unsafe {
        if ffi::Py_TYPE(n) != super::type_object::<P>() {
            return not_implemented();
        }
        let product = ffi::PyNumber_Multiply(n, x);
        if product.is_null() {
            let binary = format!(
                "unsupported operand type(s) for *: '{}' and '{}'",
                type_name(n),
                type_name(x)
            );
            reword_pending(ffi::PyExc_TypeError, |text| {
                (text == binary).then(|| binary.replacen("for *:", "for *=:", 1))
            });
        }
        product
    }
}

/// The operator `op` becomes with its operands swapped (`<` for `>`).
fn swapped(op: c_int) -> c_int {
    match op {
        ffi::Py_LT => ffi::Py_GT,
        ffi::Py_LE => ffi::Py_GE,
        ffi::Py_GT => ffi::Py_LT,
        ffi::Py_GE => ffi::Py_LE,
        other => other,
    }
}

/// `obj <op> other` for a pooled `obj` (the first argument of its own type's
/// `tp_richcompare`), as `do_richcompare` would answer it with the pooled
/// operands replaced: the other's subclass first against an exact builtin,
/// then the builtin's comparison, then the other's. NotImplemented if nobody
/// answers, so that CPython falls back to identity or raises its TypeError.
///
/// # Safety
/// The GIL is held and `obj`, `other` are live.
pub unsafe fn richcompare<P: PooledType>(
    obj: *mut ffi::PyObject,
    other: *mut ffi::PyObject,
    op: c_int,
) -> *mut ffi::PyObject {
    // SAFETY: GIL held, live operands (caller's contract); each type's
    // tp_richcompare is called with an instance of it first, as CPython does.
    unsafe {
        let Some((v_held, w_held)) = plain_pair::<P>(obj, other) else {
            return ptr::null_mut();
        };
        let (v, w) = (v_held.as_ptr(), w_held.as_ptr());
        let (tv, tw) = (ffi::Py_TYPE(v), ffi::Py_TYPE(w));
        // A comparison's answer, or None to go on (NotImplemented, released).
        let answered = |r: *mut ffi::PyObject| match Owned::new(r) {
            Some(r) if r.is_not_implemented() => None,
            Some(r) => Some(r.into_ptr()),
            None => Some(ptr::null_mut()),
        };
        let mut checked_reverse = false;
        if P::is_exact_pooled(obj) && tv != tw && ffi::PyType_IsSubtype(tw, tv) != 0 {
            if let Some(f) = (*tw).tp_richcompare {
                checked_reverse = true;
                if let Some(r) = answered(f(w, v, swapped(op))) {
                    return r;
                }
            }
        }
        if let Some(f) = (*tv).tp_richcompare {
            if let Some(r) = answered(f(v, w, op)) {
                return r;
            }
        }
        if !checked_reverse {
            if let Some(f) = (*tw).tp_richcompare {
                return f(w, v, swapped(op));
            }
        }
        not_implemented()
    }
}
