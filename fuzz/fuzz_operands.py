"""Coverage-guided differential fuzzing of the pooled types (atheris).

Each input becomes one expression: an operator (binary, comparison, in-place,
three-argument pow, unary, round(x, n), format(x, spec)) over operands of
every kind tests/operand_matrix.py knows (pooled on either side, values
fuzzed), an operand possibly the result of another operation (one level of
nesting). The expression is evaluated with the pooled objects and with their
twins (LegacyInt -> int, LegacyFloat -> float, pooled subclass -> twin
subclass) and compared by operand_matrix's rules (its module docstring: the
same normalised result or exception and message, the same user methods in
the same order but for the documented divergences); any difference raises
AssertionError, a crash is a crash; after each input both pools must satisfy
in_use + free == capacity.

    python fuzz/fuzz_operands.py [libFuzzer options] [corpus dir or input files]

With FUZZ_VERBOSE=1 each expression is printed before it runs (how
scripts/fuzz shows the reproducer of a crashing input).
"""

import math
import os
import sys

# atheris's own libFuzzer, loaded before the extension and with its symbols
# global, so that an extension built with SanitizerCoverage (scripts/fuzz
# --native) finds the __sanitizer_cov_* callbacks it calls, and its edges
# and comparisons guide the fuzzer beside the harness's Python ones (Setup
# is told to use this libFuzzer, not to look for one linked into Python).
# An uninstrumented build calls none of them.
_flags = sys.getdlopenflags()
sys.setdlopenflags(_flags | os.RTLD_GLOBAL)
import atheris.core_with_libfuzzer  # noqa: E402,F401
sys.setdlopenflags(_flags)

import atheris  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tests"))

with atheris.instrument_imports():
    import operand_matrix as om

from decimal import Decimal  # noqa: E402
from fractions import Fraction  # noqa: E402

import legacyint  # noqa: E402
from legacyint import LONG_MAX, LONG_MIN, LegacyFloat, LegacyInt  # noqa: E402

VERBOSE = os.environ.get("FUZZ_VERBOSE") == "1"

INT_EDGES = [0, 1, -1, 2, -2, 5, -7, 256, 257, -5, -6, LONG_MAX, LONG_MIN, LONG_MAX - 1, LONG_MIN + 1,
             2**31, 2**32, 2**53 + 1, 2**62, -(2**62), 2**63, -(2**63) - 1, 2**64, 10**30, 63, 64, -64]
FLOAT_EDGES = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 1.5, 2.5, 7.0, math.nan, -math.nan, math.inf, -math.inf, 1e300,
               -1e300, 5e-324, 2.0**63, -(2.0**63), 2.0**53, 1e-300, 0.1]


def fuzz_int(fdp, fits=False):
    if fdp.ConsumeBool():
        v = fdp.PickValueInList(INT_EDGES)
    else:
        v = fdp.ConsumeIntInRange(-(2**70), 2**70) if fdp.ConsumeBool() else fdp.ConsumeIntInRange(-300, 300)
    if fits and not LONG_MIN <= v <= LONG_MAX:
        v = max(LONG_MIN, min(LONG_MAX, v))
    return v


def fuzz_float(fdp):
    if fdp.ConsumeBool():
        return fdp.PickValueInList(FLOAT_EDGES)
    return fdp.ConsumeFloat()


def pooled_leaf(cls, value):
    twin = om.TWIN[cls]
    return (f"{cls.__name__}({value!r})", lambda pooled: cls(value) if pooled else twin(value), True)


def shared_leaf(label, make):
    return (label, lambda pooled: make(), False)


def make_leaf(fdp):
    """(label, factory(pooled) -> object, is_pooled)."""
    kind = fdp.ConsumeIntInRange(0, 26)
    if kind <= 2:
        return pooled_leaf((LegacyInt, om.PlainLI, om.LoudLI)[kind], fuzz_int(fdp, fits=True))
    if kind <= 5:
        return pooled_leaf((LegacyFloat, om.PlainLF, om.LoudLF)[kind - 3], fuzz_float(fdp))
    if kind == 6:
        v = fuzz_int(fdp)
        return shared_leaf(repr(v), lambda: v)
    if kind == 7:
        v = fdp.ConsumeBool()
        return shared_leaf(repr(v), lambda: v)
    if kind == 8:
        v = fuzz_float(fdp)
        return shared_leaf(repr(v), lambda: v)
    if kind == 9:
        v = complex(fuzz_float(fdp), fuzz_float(fdp))
        return shared_leaf(repr(v), lambda: v)
    if kind == 10:
        n, d = fdp.ConsumeIntInRange(-10**6, 10**6), fdp.ConsumeIntInRange(1, 10**6)
        return shared_leaf(f"Fraction({n}, {d})", lambda: Fraction(n, d))
    if kind == 11:
        text = fdp.PickValueInList(["0.5", "7", "-0", "NaN", "Infinity", "1E+30", "-2.5", "3"])
        return shared_leaf(f"Decimal({text!r})", lambda: Decimal(text))
    if kind == 12:
        v = fdp.PickValueInList(["", "ab", "3", "1.5"])
        return shared_leaf(repr(v), lambda: v)
    if kind == 13:
        return shared_leaf("b'ab'", lambda: b"ab")
    if kind == 14:
        return shared_leaf("[1]", lambda: [1])
    if kind == 15:
        return shared_leaf("(1,)", lambda: (1,))
    if kind == 16:
        return shared_leaf("None", lambda: None)
    if kind == 17:
        return shared_leaf("object()", object)
    if kind <= 20:
        cls = (om.SubInt, om.LogInt, om.NoReflInt)[kind - 18]
        v = fuzz_int(fdp)
        return shared_leaf(f"{cls.__name__}({v!r})", lambda: cls(v))
    if kind <= 22:
        cls = (om.SubFloat, om.LogFloat)[kind - 21]
        v = fuzz_float(fdp)
        return shared_leaf(f"{cls.__name__}({v!r})", lambda: cls(v))
    if kind == 23:
        return shared_leaf("SubComplex(1+1j)", lambda: om.SubComplex(1 + 1j))
    if kind == 24:
        return shared_leaf("SubFraction(1, 3)", lambda: om.SubFraction(1, 3))
    if kind == 25:
        return shared_leaf("Foreign()", om.Foreign)
    return shared_leaf(*fdp.PickValueInList([("IndexOnly()", om.IndexOnly), ("FloatOnly()", om.FloatOnly)]))


class TooBig(Exception):
    """int itself would take too long: the input is skipped."""


class OutsideClaim(Exception):
    """A cell the claim does not cover (operand_matrix.outside_the_claim):
    the input is skipped."""


BINARY = dict(om.BINARY, **om.INPLACE)
BINARY_NAMES = sorted(BINARY)
UNARY_NAMES = sorted(om.UNARY)


def make_node(fdp, depth):
    """A node: (label, evaluate(pooled) -> object, has_pooled)."""
    if depth > 0 and fdp.ConsumeIntInRange(0, 3) == 0:
        label, evaluate, has_pooled = make_op(fdp, depth - 1)
        return (f"({label})", evaluate, has_pooled)
    return make_leaf(fdp)


# Whether an operation of the pooled run fell under the matrix's rule 4
# (operand_matrix.comparison_order_exempt): its log is then not compared.
LOG_EXEMPT = []


def _checked(name, fn, children, pooled):
    def evaluate():
        args = [child(pooled) for child in children]
        if pooled and om.comparison_order_exempt(name, args):
            LOG_EXEMPT.append(name)
        if om.too_big(name, [om.twin_of(a) for a in args]):
            raise TooBig(name)
        if pooled and om.outside_the_claim(name, args) or om.crashes_cpython(name, args):
            raise OutsideClaim(name)
        return fn(*args)
    return evaluate


def make_op(fdp, depth):
    choice = fdp.ConsumeIntInRange(0, 9)
    if choice <= 5:  # binary, comparisons and in-place: the most of the space
        name = fdp.PickValueInList(BINARY_NAMES)
        template, fn = BINARY[name]
        a, b = make_node(fdp, depth), make_node(fdp, depth)
        label = template.format(a=a[0], b=b[0])
        children = [a, b]
    elif choice == 6:
        name, fn = "pow", pow
        children = [make_node(fdp, depth) for _ in range(3)]
        label = "pow({}, {}, {})".format(*(c[0] for c in children))
    elif choice == 7:
        name = fdp.PickValueInList(UNARY_NAMES)
        template, fn = om.UNARY[name]
        a = make_node(fdp, depth)
        label = template.format(a=a[0])
        children = [a]
    elif choice == 8:
        name, fn = "round_n", round
        a = make_node(fdp, depth)
        n = make_leaf(fdp) if fdp.ConsumeBool() else shared_leaf(repr(v := fdp.ConsumeIntInRange(-30, 30)),
                                                                  lambda v=v: v)
        label = f"round({a[0]}, {n[0]})"
        children = [a, n]
    else:
        name, fn = "format", format
        a = make_node(fdp, depth)
        spec = fdp.PickValueInList(om.FORMAT_SPECS) if fdp.ConsumeBool() else fdp.ConsumeUnicodeNoSurrogates(6)
        label = f"format({a[0]}, {spec!r})"
        children = [a, shared_leaf(repr(spec), lambda: spec)]
    makers = [c[1] for c in children]
    has_pooled = any(c[2] for c in children)
    return (label, lambda pooled: _checked(name, fn, [lambda p, m=m: m(p) for m in makers], pooled)(), has_pooled)


def TestOneInput(data):
    fdp = atheris.FuzzedDataProvider(data)
    label, evaluate, has_pooled = make_op(fdp, depth=1)
    if not has_pooled:
        return
    if VERBOSE:
        print("expression:", label, flush=True)
    twin = om.evaluate(lambda: evaluate(False), [])
    if twin[0][0] == "error" and twin[0][1] in ("TooBig", "OutsideClaim"):
        return
    LOG_EXEMPT.clear()
    pooled = om.evaluate(lambda: evaluate(True), [])
    if pooled[0][0] == "error" and pooled[0][1] == "OutsideClaim":
        return
    if pooled[0][0] == "error" and pooled[0][1] == "TooBig":
        raise AssertionError(f"{label}: the pooled run grew too big where the twin's did not")
    why = om.differ(pooled, twin, log_exempt=bool(LOG_EXEMPT))
    if why:
        raise AssertionError(f"{label}: {why} differs\n  pooled: {pooled[0]}\n  twin:   {twin[0]}\n"
                             f"  pooled log: {pooled[1]}\n  twin log:   {twin[1]}")
    breach = om.check_pools()
    if breach:
        raise AssertionError(f"{label}: {breach}")


def main():
    atheris.Setup(sys.argv, TestOneInput, internal_libfuzzer=True)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
