"""Reference-leak check, in the spirit of CPython's ``regrtest -R``.

Runs under a debug CPython (``python3.11d``, which has
``sys.gettotalrefcount()``) against a legacyint built for it, and against
the release build, which such an interpreter loads as well; see
``scripts/check-refleaks``. Each public operation runs in a loop, several
times over; after a warm-up the total reference count, the LegacyInt type's
own count and the number of allocated memory blocks must not grow with the
number of iterations. Exits 1 and names the operations that leak.

With ``--release-interpreter`` it runs under a release CPython instead,
against the release build as every wheel ships it: the path a debug
interpreter never takes, where the pooled objects' headers are written
inline. There is no reference total to read there, so each operation is
measured by what a leak would move: both pools' live objects (exact: an
object leaked per call is CALLS more), the interpreter's allocated blocks
(``sys.getallocatedblocks()``), the bytes malloc has handed out and not
had back (glibc's ``mallinfo2``: a leak of the Rust side's own memory),
and the resident set over many repetitions of everything.
"""

import copy
import ctypes
from decimal import Decimal
from fractions import Fraction
import gc
import operator
import os
import pickle
import sys

import legacyint
from legacyint import LegacyFloat, LegacyInt

RELEASE_INTERPRETER = "--release-interpreter" in sys.argv[1:]
if RELEASE_INTERPRETER == hasattr(sys, "gettotalrefcount"):
    sys.exit("refleaks.py --release-interpreter needs a release CPython" if RELEASE_INTERPRETER
             else "refleaks.py needs a debug build of CPython (python3.11d)")


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


def debug_counters():
    return sys.gettotalrefcount(), sys.getrefcount(LegacyInt), sys.getallocatedblocks()


def measure(op, counters=debug_counters, calls=CALLS):
    """What `calls` calls of op move each of counters(), repetition by
    repetition after the warm-up, collected before and after."""
    deltas = []
    for repeat in range(WARMUP + REPEATS):
        gc.collect()
        before = counters()
        for _ in range(calls):
            op()
        gc.collect()
        if repeat >= WARMUP:
            deltas.append(tuple(a - b for a, b in zip(counters(), before)))
    return deltas


def check(operations, measure_one, judge, per):
    """Measures every operation and the empty loop (the baseline), prints a
    line each, and returns those that leak, with what leaked."""
    failed = []
    baseline = measure_one(lambda: None)
    print(f"baseline (an empty loop): {baseline}")
    for name, op in operations.items():
        deltas = measure_one(op)
        leaked = judge(deltas, baseline)
        print(f"{'LEAK' if leaked else 'ok  '} {name:<32} {per}: {deltas}")
        if leaked:
            failed.append(f"{name} ({', '.join(leaked)})")
    return failed


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


# -- under a release interpreter (--release-interpreter) -----------------------

class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


_libc = ctypes.CDLL(None)
_libc.mallinfo2.restype = _MallInfo2


def malloced_bytes():
    """Bytes malloc has handed out and not had back (mallinfo2's uordblks
    plus its mmapped blocks), to the byte."""
    info = _libc.mallinfo2()
    return info.uordblks + info.hblkhd


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def pooled_live():
    return legacyint.pool_stats().in_use + legacyint.pool_stats("float").in_use


RELEASE_CALLS = 1000


def release_counters():
    return pooled_live(), sys.getallocatedblocks(), malloced_bytes()


def measure_release(op):
    return measure(op, release_counters, RELEASE_CALLS)


def release_leaks(deltas, baseline):
    # Pooled objects: exact, as each repetition frees all it made (the
    # small ints are made once, at import). Blocks and bytes: regrtest's
    # criterion, a growth in every repetition, above what the interpreter's
    # caches move (one block every ten calls; eight bytes a call).
    found = []
    if any(d[0] != 0 for d in deltas):
        found.append("pooled objects")
    if all(d[1] - b[1] >= RELEASE_CALLS // 10 for d, b in zip(deltas, baseline)):
        found.append("memory blocks")
    if all(d[2] - b[2] >= 8 * RELEASE_CALLS for d, b in zip(deltas, baseline)):
        found.append("malloc'd bytes")
    return found


RSS_ROUNDS, RSS_WARMUP, RSS_SLACK = 40, 10, 2 * 2**20


def main_release_interpreter():
    writer = legacyint._core._HEADER_WRITER
    if writer == "PyObject_Init":
        print(f"this build writes headers through PyObject_Init here ({writer}), not inline: nothing to check")
        return 1
    print(f"legacyint from {legacyint.__file__}, header writer: {writer}; {RELEASE_CALLS} calls a repetition")
    failed = check(OPERATIONS, measure_release, release_leaks,
                   f"(pooled, blocks, malloc'd bytes) per {RELEASE_CALLS} calls")
    # The resident set over many rounds of everything: it settles after a
    # warm-up, and must not climb by more than the slack after it.
    rss = []
    for _ in range(RSS_ROUNDS):
        for op in OPERATIONS.values():
            for _ in range(100):
                op()
        gc.collect()
        rss.append(rss_bytes())
    growth = rss[-1] - rss[RSS_WARMUP - 1]
    print(f"resident set over {RSS_ROUNDS} rounds of every operation x100: {rss[0] / 2**20:.1f} MiB after the first, "
          f"{rss[RSS_WARMUP - 1] / 2**20:.1f} after {RSS_WARMUP}, {rss[-1] / 2**20:.1f} at the end "
          f"({growth / 2**10:+.0f} KiB since the warm-up)")
    if growth > RSS_SLACK:
        failed.append(f"the resident set ({growth / 2**20:+.1f} MiB after the warm-up)")
    s = legacyint.pool_stats()
    assert s.in_use + s.free == s.capacity, s
    if failed:
        print("leaks under the release interpreter in: " + "; ".join(failed))
        return 1
    print(f"no leaks in {len(OPERATIONS)} operations, {RELEASE_CALLS * (WARMUP + REPEATS)} calls each, "
          f"under a release interpreter")
    return 0


def main():
    if RELEASE_INTERPRETER:
        return main_release_interpreter()
    release_build = "--release-build" in sys.argv[1:]
    operations = RELEASE_OPERATIONS if release_build else OPERATIONS
    def judge(deltas, baseline):
        leaked = leaks(deltas, baseline)
        if release_build and any(d[0] != b[0] for d, b in zip(deltas, baseline)):
            # Exact here: these loops make 20,000 objects a repetition.
            leaked = leaked or ["references (the total moves)"]
        return leaked

    failed = check(operations, measure, judge, f"deltas per {CALLS} calls")
    s = legacyint.pool_stats()
    assert s.in_use + s.free == s.capacity, s
    if failed:
        print("reference leaks in: " + "; ".join(failed))
        return 1
    print(f"no leaks in {len(operations)} operations, {CALLS * (WARMUP + REPEATS)} calls each")
    return 0


if __name__ == "__main__":
    sys.exit(main())
