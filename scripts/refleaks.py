"""Reference-leak check, in the spirit of CPython's ``regrtest -R``.

Runs under a debug CPython (``python3.11d``, which has
``sys.gettotalrefcount()``) against a legacyint built for it, and against
the release build, which such an interpreter loads as well; see
``scripts/check-refleaks``. Each public operation runs in a loop, several
times over; after a warm-up the total reference count, the LegacyInt type's
own count and the number of allocated memory blocks must not grow with the
number of iterations. Exits 1 and names the operations that leak.
"""

import copy
from decimal import Decimal
from fractions import Fraction
import gc
import operator
import pickle
import sys

import legacyint
from legacyint import LegacyFloat, LegacyInt

if not hasattr(sys, "gettotalrefcount"):
    sys.exit("refleaks.py needs a debug build of CPython (python3.11d)")


class Sub(LegacyInt):
    pass


class SubF(LegacyFloat):
    pass


class RAddInt(int):
    def __radd__(self, other):
        return super().__radd__(other)

    def __gt__(self, other):
        return super().__gt__(other)


class Declines:
    def __add__(self, other):
        return NotImplemented


def imul(x, y):
    x *= y
    return x


class P(LegacyFloat):
    def __init__(self, x, *, tag=None):
        self.tag = tag


class Index:
    def __index__(self):
        return 10**6


class Raises:
    def __index__(self):
        raise RuntimeError("no")


def expect(error, f, *args, **kwargs):
    try:
        f(*args, **kwargs)
    except error:
        return
    raise AssertionError(f"{f} did not raise {error}")


A, B, BIG = LegacyInt(10**6), LegacyInt(7), 2**70
F, G = LegacyFloat(2.5), LegacyFloat(-0.75)

OPERATIONS = {
    "construct from int": lambda: LegacyInt(10**6 + 1),
    "construct from LegacyInt": lambda: LegacyInt(A),
    "construct from str with base": lambda: LegacyInt("ff", base=16),
    "construct from float": lambda: LegacyInt(3.5),
    "construct from __index__": lambda: LegacyInt(Index()),
    "construct small int": lambda: LegacyInt(7),
    "construct subclass": lambda: Sub(10**6),
    "subclass with dict": lambda: setattr(Sub(5), "note", [1, 2]),
    "constructor errors": lambda: (
        expect(ValueError, LegacyInt, "x"),
        expect(TypeError, LegacyInt, None),
        expect(OverflowError, LegacyInt, 2**63),
        expect(RuntimeError, LegacyInt, Raises()),
        expect(TypeError, LegacyInt, "1", base=1.5),
    ),
    "arithmetic": lambda: (A + B, A - B, A * B, A // B, A % B, divmod(A, B), A / B, A**2, -A, +A, abs(A), ~A),
    "bitwise": lambda: (A << 3, A >> 3, A & B, A | B, A ^ B),
    "mixed with int and float": lambda: (A + 1, 1 + A, A * 2.5, A + True, pow(A, 3, 7), pow(B, -1, 11)),
    "promotion to int": lambda: (LegacyInt(2**62) * 4, A + BIG, A << 70, -LegacyInt(-(2**63))),
    "arithmetic errors": lambda: (
        expect(ZeroDivisionError, operator.floordiv, A, 0),
        expect(ZeroDivisionError, operator.truediv, A, 0),
        expect(ValueError, operator.lshift, A, -1),
        expect(TypeError, operator.add, A, "x"),
        expect(TypeError, operator.lt, A, "x"),
    ),
    "foreign numbers": lambda: (A + Decimal(1), Decimal(1) + A, Fraction(1, 2) + A, A * Fraction(1, 3),
                                A == Decimal(10**6), F * Fraction(1, 2), expect(TypeError, operator.add, F, Decimal(1)),
                                expect(TypeError, operator.add, object(), A), A.__add__("x")),
    "operand dispatch": lambda: (
        A + RAddInt(3), RAddInt(3) + A, A < RAddInt(3), F == Fraction(5, 2), Fraction(5, 2) <= F,
        F < Decimal("2.6"), A == Fraction(10**6), G < RAddInt(3), imul(B, "ab"), imul([1], B), imul(F, 2),
        expect(TypeError, pow, 2, 3, F), expect(TypeError, pow, B, 2, SubF(5.0)), expect(ValueError, pow, B, 7, 1 + 2j),
        expect(TypeError, operator.add, Declines(), A), expect(TypeError, imul, B, Declines()),
        expect(TypeError, imul, F, "ab"), P(1.5, tag=1), LegacyFloat.__getformat__("double"),
        expect(ValueError, format, A, "s"), expect(ValueError, format, F, "d"),
    ),
    "comparison and hash": lambda: (A < B, A == 10**6, A == 1.0, A != "x", hash(A), {A: 1}[10**6]),
    "repr str format": lambda: (repr(A), str(A), format(A, "_x"), f"{A:,}", repr(Sub(3))),
    "methods": lambda: (
        A.bit_length(), A.bit_count(), A.to_bytes(8, "big"), LegacyInt.from_bytes(b"\x01\x02", "big"),
        Sub.from_bytes(b"\x01", "big"), A.as_integer_ratio(), round(A, -2), round(A), A.conjugate(),
        A.real, A.imag, A.numerator, A.denominator, A.is_integer(),
    ),
    "pickle and copy": lambda: (pickle.loads(pickle.dumps(A)), pickle.loads(pickle.dumps(Sub(4), 0)), copy.deepcopy(A)),
    "xrange": lambda: (list(legacyint.xrange(10**6, 10**6 + 50)), legacyint.xrange(5)[-1], list(reversed(legacyint.xrange(3)))),
    "range": lambda: legacyint.range(10**6, 10**6 + 50),
    "range errors": lambda: (expect(ValueError, legacyint.range, 1, 2, 0), expect(OverflowError, legacyint.xrange, 2**63)),
    "pool functions": lambda: (legacyint.pool_stats(), legacyint.block_occupancy(), legacyint.clear_free_list()),
    "class assignment refused": lambda: expect(TypeError, setattr, LegacyInt(10**6), "__class__", Sub),
    "float construct": lambda: (LegacyFloat(1.5), LegacyFloat("nan"), LegacyFloat(7), LegacyFloat(A), SubF(0.5)),
    "float construct errors": lambda: (expect(ValueError, LegacyFloat, "x"), expect(TypeError, LegacyFloat, None),
                                       expect(OverflowError, LegacyFloat, 10**400)),
    "float arithmetic": lambda: (F + G, F - G, F * G, F / G, F // G, F % G, divmod(F, G), F**2, -F, abs(G), +F,
                                 F + 1, 1 + F, A * F, F * A, F + 0.5, 2**F),
    "float errors": lambda: (expect(ZeroDivisionError, operator.truediv, F, 0), expect(TypeError, operator.add, F, "x"),
                             expect(OverflowError, operator.pow, LegacyFloat(1e300), 2)),
    "float compare hash": lambda: (F < G, F == 2.5, F == A, A < F, hash(F), hash(LegacyFloat("nan")), {F: 1}[2.5]),
    "float methods": lambda: (round(F), round(F, 1), F.hex(), LegacyFloat.fromhex("0x1p3"), F.as_integer_ratio(),
                              F.is_integer(), format(F, ".2e"), repr(F), str(F), int(F), float(F), F.real, F.imag),
    "float pickle": lambda: (pickle.loads(pickle.dumps(F)), pickle.loads(pickle.dumps(SubF(1.0), 0))),
    "float pool functions": lambda: (legacyint.pool_stats("float"), legacyint.clear_free_list("float"),
                                     legacyint.block_occupancy("float")),
}

WARMUP, REPEATS, CALLS = 3, 5, 200


def measure(op):
    deltas = []
    for repeat in range(WARMUP + REPEATS):
        gc.collect()
        refs, type_refs, blocks = sys.gettotalrefcount(), sys.getrefcount(LegacyInt), sys.getallocatedblocks()
        for _ in range(CALLS):
            op()
        gc.collect()
        if repeat >= WARMUP:
            deltas.append(
                (sys.gettotalrefcount() - refs, sys.getrefcount(LegacyInt) - type_refs, sys.getallocatedblocks() - blocks)
            )
    return deltas


def leaks(deltas, baseline):
    # A leak grows every repetition; noise does not (regrtest's criterion:
    # every repetition positive), once the measuring loop's own constant
    # cost (the baseline: the same loop calling nothing) is taken off.
    # Memory blocks also move with the interpreter's caches (pickle's,
    # the method cache), so a block leak must be at least one block every
    # ten calls in every repetition: an object lost per call shows as CALLS.
    # The reference total must not fall either: a total that falls with
    # every repetition means objects made without being counted (a release
    # build writing its headers inline under this debug interpreter).
    thresholds = (1, 1, CALLS // 10)
    names = ("references", "type references", "memory blocks")
    found = [name for i, name in enumerate(names)
             if all(d[i] - b[i] >= thresholds[i] for d, b in zip(deltas, baseline))]
    if all(d[0] - b[0] <= -thresholds[0] for d, b in zip(deltas, baseline)):
        found.append("references (the total falls)")
    return found


# For a release build under this debug interpreter (--release-build): the
# pooled objects' own lives, which must balance to the reference. Nothing
# else can: a release build's inline Py_INCREF and Py_DECREF (PyO3's, and
# any C extension's) leave the interpreter's total alone, so the total moves
# with every object the extension releases that the interpreter counted. A
# pooled object's header, though, is written by legacyint itself: made
# without PyObject_Init and freed by the interpreter's counted Py_DECREF, it
# would take one from the total each time (-199,998 over 100,000 LegacyInts
# and LegacyFloats, before it noticed the debug interpreter at import).
# (A small int from the cache is a new reference to a living object, taken
# inline like any other: not part of this.)
def _pooled_lives():
    for i in range(50):
        x, f, g = LegacyInt(i + 10**6), LegacyFloat(i + 0.5), LegacyFloat(A)
        del x, f, g


RELEASE_OPERATIONS = {
    "allocate and free LegacyInt and LegacyFloat": _pooled_lives,
}


def main():
    release_build = "--release-build" in sys.argv[1:]
    operations = RELEASE_OPERATIONS if release_build else OPERATIONS
    failed = []
    baseline = measure(lambda: None)
    print(f"baseline (an empty loop): {baseline}")
    for name, op in operations.items():
        deltas = measure(op)
        leaked = leaks(deltas, baseline)
        if release_build and any(d[0] != b[0] for d, b in zip(deltas, baseline)):
            # Exact here: these loops make 20,000 objects a repetition.
            leaked = leaked or ["references (the total moves)"]
        print(f"{'LEAK' if leaked else 'ok  '} {name:<32} deltas per {CALLS} calls: {deltas}")
        if leaked:
            failed.append(f"{name} ({', '.join(leaked)})")
    s = legacyint.pool_stats()
    assert s.in_use + s.free == s.capacity, s
    if failed:
        print("reference leaks in: " + "; ".join(failed))
        return 1
    print(f"no leaks in {len(operations)} operations, {CALLS * (WARMUP + REPEATS)} calls each")
    return 0


if __name__ == "__main__":
    sys.exit(main())
