"""LegacyFloat against float, operation by operation (differential, hypothesis),
and the float pool."""

import copy
import gc
import math
import operator
import pickle
import sys

import pytest
from conftest import assert_pool_consistent
from hypothesis import example, given, settings
from hypothesis import strategies as st

import legacyint
from legacyint import LONG_MAX, LONG_MIN, LegacyFloat, LegacyInt

SPECIALS = [0.0, -0.0, 1.0, -1.0, 0.5, 0.1, math.nan, math.inf, -math.inf, 5e-324, -5e-324,
            2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308, 1e-300, 2.0**53, 2.0**63]
floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(SPECIALS))
ints = st.one_of(st.integers(-(2**70), 2**70), st.sampled_from([0, 1, -1, 7, LONG_MAX, LONG_MIN, 2**53 + 1]))


class SubF(LegacyFloat):
    pass


def same(g, e):
    """Value and type as float gives them: float -> LegacyFloat, int -> LegacyInt
    (or int beyond a C long); nan equals nan, -0.0 differs from 0.0."""
    if isinstance(e, tuple):
        return isinstance(g, tuple) and len(g) == len(e) and all(map(same, g, e))
    if type(e) is float:
        if type(g) is not LegacyFloat:
            return False
        g = float(g)
        if math.isnan(e):
            return math.isnan(g)
        return g == e and math.copysign(1, g) == math.copysign(1, e)
    if type(e) is int:
        expected_type = LegacyInt if LONG_MIN <= e <= LONG_MAX else int
        return type(g) is expected_type and g == e
    if type(e) is complex:
        return type(g) is complex and (g == e or (math.isnan(g.real) and math.isnan(e.real)))
    return type(g) is type(e) and g == e


def outcome(f, *args):
    try:
        return ("value", f(*args))
    except Exception as error:  # noqa: BLE001 - compared with float's
        return ("error", type(error))


def check(got, expected):
    if expected[0] == "error" or got[0] == "error":
        assert got[0] == expected[0] == "error" and got[1] is expected[1], (got, expected)
    else:
        assert same(got[1], expected[1]), (got, expected)


def forms(v):
    """A float operand as it may come: LegacyFloat, subclass, plain float."""
    return [LegacyFloat(v), SubF(v), v]


BINARY = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod,
          divmod, operator.pow]


@pytest.mark.parametrize("op", BINARY, ids=lambda f: f.__name__)
@settings(max_examples=300, deadline=None)
@given(a=floats, b=floats)
@example(a=1.0, b=0.0)
@example(a=-0.0, b=-0.0)
@example(a=math.inf, b=0.0)
@example(a=-8.0, b=1 / 3)
@example(a=1e308, b=10.0)
def test_binary_operations_match_float(op, a, b):
    expected = outcome(op, a, b)
    for x in forms(a):
        for y in forms(b):
            if type(x) is float and type(y) is float:
                continue
            check(outcome(op, x, y), expected)


@pytest.mark.parametrize("op", BINARY[:7] + [operator.eq, operator.lt, operator.ge], ids=lambda f: f.__name__)
@settings(max_examples=200, deadline=None)
@given(a=floats, n=ints)
@example(a=1.0, n=2**53 + 1)
@example(a=2.0**63, n=LONG_MAX)
@example(a=1.0, n=0)
@example(a=math.inf, n=2**70)
def test_mixed_with_int_and_legacy_int_matches_float(op, a, n):
    x = LegacyFloat(a)
    for y in ([n, LegacyInt(n)] if LONG_MIN <= n <= LONG_MAX else [n]):
        check(outcome(op, x, y), outcome(op, a, n))
        check(outcome(op, y, x), outcome(op, n, a))


@given(a=floats, b=floats)
def test_comparisons_and_hash_match_float(a, b):
    x = LegacyFloat(a)
    for y in forms(b):
        assert (x < y, x <= y, x == y, x != y, x > y, x >= y) == (a < b, a <= b, a == b, a != b, a > b, a >= b)
    if not math.isnan(a):
        assert hash(x) == hash(a)
        assert {x: 1}[a] == 1
    else:
        assert hash(x) == object.__hash__(x)  # by identity, as float's (test_nan_hashes_by_identity_as_float)


@pytest.mark.parametrize("cls", [LegacyFloat, SubF], ids=lambda c: c.__name__)
def test_nan_hashes_by_identity_as_float(cls):
    """A NaN hashes as object.__hash__ does, so that distinct NaNs are
    distinct dictionary keys (float's rule since 3.10), and so does a
    LegacyFloat NaN, exact or subclass."""
    nans = [cls(math.nan) for _ in range(8)] + [cls(-math.nan), cls(math.inf - math.inf)]
    assert [hash(x) for x in nans] == [object.__hash__(x) for x in nans]
    assert len({hash(x) for x in nans}) == len(nans)
    assert len({x: None for x in nans}) == len(nans)
    floats = [float("nan") for _ in range(3)]
    assert len({hash(f) for f in floats}) == 3, "this CPython hashes float NaNs alike: the test's premise"


@given(n=st.integers(LONG_MIN, LONG_MAX))
def test_integral_floats_hash_and_compare_as_ints(n):
    f = float(n)
    assert hash(LegacyFloat(f)) == hash(f) == hash(int(f))
    assert (LegacyFloat(f) == LegacyInt(n)) == (f == n)
    assert (LegacyInt(n) < LegacyFloat(f)) == (n < f)


UNARY = [operator.neg, operator.pos, abs, bool, float, math.trunc, math.floor, math.ceil, round,
         str, repr, hash, int, math.isnan, math.isinf, math.sqrt, math.fabs]


@pytest.mark.parametrize("op", UNARY, ids=lambda f: f.__name__)
@settings(max_examples=200, deadline=None)
@given(a=floats)
@example(a=-0.0)
@example(a=math.nan)
@example(a=math.inf)
@example(a=2.5)
@example(a=-2.5)
def test_unary_operations_match_float(op, a):
    expected = outcome(op, a)
    for x in (LegacyFloat(a), SubF(a)):
        got = outcome(op, x)
        if op is repr:
            assert got[1] == f"{type(x).__name__}({a!r})"
        elif op is hash and math.isnan(a):
            assert got[0] == "value"
        elif op in (str, bool, float, int, math.isnan, math.isinf, math.sqrt, math.fabs, hash):
            assert got[0] == expected[0]
            if got[0] == "value":
                assert type(got[1]) is type(expected[1])
                assert got[1] == expected[1] or (isinstance(expected[1], float) and math.isnan(expected[1]))
            else:
                assert got[1] is expected[1]
        else:
            check(got, expected)


@settings(max_examples=200, deadline=None)
@given(a=floats, ndigits=st.integers(-5, 5))
def test_round_with_ndigits_matches_float(a, ndigits):
    check(outcome(round, LegacyFloat(a), ndigits), outcome(round, a, ndigits))


@pytest.mark.parametrize("spec", ["", ".3f", "e", "g", "%", ".0f", "+.2e", ">12.4", "_.2f", ",.1f", "a", "n"])
@given(a=floats)
def test_format_matches_float(spec, a):
    assert outcome(format, LegacyFloat(a), spec) == outcome(format, a, spec)


@given(a=floats)
def test_methods_match_float(a):
    x = LegacyFloat(a)
    assert x.is_integer() is a.is_integer()
    assert x.hex() == a.hex()
    check(outcome(x.as_integer_ratio), outcome(a.as_integer_ratio))
    assert same(x.conjugate(), a) and same(x.real, a) and same(x.imag, 0.0)
    assert same(LegacyFloat.fromhex(a.hex()), a)
    assert type(SubF.fromhex(a.hex())) is SubF


@given(text=st.one_of(st.text(max_size=10), st.sampled_from(["nan", "-inf", " 1_000.5 ", "1e400", "0x10", "1e-400"])))
def test_construction_from_text_matches_float(text):
    expected = outcome(float, text)
    got = outcome(LegacyFloat, text)
    check(got, expected)


@pytest.mark.parametrize(
    "arg, expected",
    [(7, 7.0), (LegacyInt(7), 7.0), (2**70, 2.0**70), (True, 1.0), (LegacyFloat(2.5), 2.5), (b"1.5", 1.5)],
)
def test_construction_from_numbers(arg, expected):
    x = LegacyFloat(arg)
    assert type(x) is LegacyFloat and x == expected


@pytest.mark.parametrize("arg, error", [(None, TypeError), ("x", ValueError), (10**400, OverflowError), ([], TypeError)])
def test_construction_errors_are_floats(arg, error):
    with pytest.raises(error):
        float(arg)
    before = legacyint.pool_stats("float")
    with pytest.raises(error):
        LegacyFloat(arg)
    assert legacyint.pool_stats("float").in_use == before.in_use


def test_size_and_identity():
    assert sys.getsizeof(LegacyFloat(1.5)) == 24
    assert LegacyFloat.__module__ == "legacyint" and type(LegacyFloat(1.0)) is LegacyFloat
    assert not isinstance(LegacyFloat(1.0), float)
    assert LegacyFloat() == 0.0


def test_results_come_from_the_float_pool():
    a, b = LegacyFloat(1.5), LegacyFloat(2.25)
    before = legacyint.pool_stats("float")
    c = a + b
    assert type(c) is LegacyFloat and legacyint.pool_stats("float").allocations == before.allocations + 1
    d = LegacyInt(3) * LegacyFloat(0.5)
    assert type(d) is LegacyFloat and d == 1.5
    e = LegacyFloat(0.5) + 1
    assert type(e) is LegacyFloat
    assert type(LegacyInt(3) + 0.5) is float  # no LegacyFloat involved: int's rule
    del c, d, e


def test_float_pool_geometry_and_clear():
    legacyint.clear_free_list("float")
    start = legacyint.pool_stats("float")
    assert (start.block_size, start.objects_per_block, start.small_ints) == (992, 41, 0)
    xs = [LegacyFloat(i * 0.5) for i in range(41 * 20)]
    built = legacyint.pool_stats("float")
    assert built.blocks >= start.blocks + 20 - 1
    del xs
    deleted = legacyint.pool_stats("float")
    assert deleted.blocks == built.blocks and deleted.free == built.free + 41 * 20
    legacyint.clear_free_list("float")
    assert legacyint.pool_stats("float").blocks <= start.blocks
    assert legacyint.pool_stats().small_ints == 262  # the int pool is another pool
    with pytest.raises(ValueError):
        legacyint.pool_stats("complex")


def test_gc_hook_clears_the_float_pool_too():
    previous = legacyint.set_gc_clears_pool(True)
    try:
        xs = [LegacyFloat(i + 0.5) for i in range(41 * 10)]
        del xs
        blocks = legacyint.pool_stats("float").blocks
        gc.collect()
        assert legacyint.pool_stats("float").blocks <= blocks - 10
    finally:
        legacyint.set_gc_clears_pool(previous)


def test_block_occupancy_for_floats():
    legacyint.clear_free_list("float")
    xs = [LegacyFloat(i + 0.5) for i in range(41 * 3)]
    occupancy = legacyint.block_occupancy("float")
    assert sum(occupancy) == legacyint.pool_stats("float").in_use and occupancy[-1] > 0
    del xs


def test_float_pool_survives_block_allocation_failure():
    legacyint.clear_free_list("float")
    start = legacyint.pool_stats("float")
    legacyint._core._set_block_limit(start.blocks + 1, "float")
    held = []
    try:
        with pytest.raises(MemoryError):
            for i in range(10**5):
                held.append(LegacyFloat(i + 0.5))
        s = legacyint.pool_stats("float")
        assert s.in_use + s.free == s.capacity and s.free == 0
    finally:
        legacyint._core._set_block_limit(None, "float")
    del held
    assert LegacyFloat(2.5) * 2 == 5.0


def test_subclass_instances_do_not_enter_the_pool():
    before = legacyint.pool_stats("float")
    xs = [SubF(i + 0.5) for i in range(100)]
    xs[0].note = "dict"
    assert legacyint.pool_stats("float").allocations == before.allocations
    assert repr(xs[0]) == "SubF(0.5)" and xs[0].__dict__ == {"note": "dict"}
    del xs
    assert legacyint.pool_stats("float").deallocations == before.deallocations


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_and_copy(protocol):
    for v in (2.5, -0.0, math.inf, 1e-310):
        x = pickle.loads(pickle.dumps(LegacyFloat(v), protocol))
        assert type(x) is LegacyFloat and same(x, v)
    s = SubF(1.5)
    s.tag = "kept"
    y = pickle.loads(pickle.dumps(s, protocol))
    assert type(y) is SubF and y == 1.5 and y.tag == "kept"
    assert copy.deepcopy(LegacyFloat(0.25)) == 0.25


def test_class_assignment_refused_and_type_immutable():
    with pytest.raises(TypeError):
        LegacyFloat(1.0).__class__ = SubF
    if sys.version_info >= (3, 10):  # Py_TPFLAGS_IMMUTABLETYPE is 3.10+
        with pytest.raises(TypeError):
            LegacyFloat.__add__ = lambda a, b: 0


def test_numbers_abc_and_math():
    import numbers
    import statistics

    assert isinstance(LegacyFloat(1.0), numbers.Real)
    assert statistics.mean([LegacyFloat(1.0), LegacyFloat(2.0)]) == 1.5
    assert math.isclose(math.exp(LegacyFloat(1.0)), math.e)
    assert_pool_consistent()


def test_float_protocol_with_foreign_operands():
    class Counting:
        seen = []

        def __add__(self, other):
            Counting.seen.append(type(other))
            return NotImplemented

    with pytest.raises(TypeError):
        Counting() + LegacyFloat(1.0)
    assert Counting.seen == [LegacyFloat, float]  # declined, asked again as float would be
    assert LegacyFloat(1.0).__add__("a") is NotImplemented and (1.0).__add__("a") is NotImplemented
    assert LegacyFloat(1.0).__eq__("a") is NotImplemented

    class Loud(LegacyFloat):
        def __str__(self):
            return "loud"

    assert format(Loud(1.5), "") == "loud" and format(Loud(1.5), ".1f") == "1.5"


def test_pickling_keeps_slots_of_float_subclasses():
    s = SlottedFloat(0.5)
    s.tag = "kept"
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        t = pickle.loads(pickle.dumps(s, protocol)) if protocol >= 2 else copy.copy(s)
        assert type(t) is SlottedFloat and t == 0.5 and t.tag == "kept"


class SlottedFloat(LegacyFloat):
    """At module level, so that pickle finds it by name."""

    __slots__ = ("tag",)


def test_one_hypothesis_profile_for_every_file():
    """conftest.py's profile holds here even when this file runs alone
    (`pytest tests/test_float.py`): example counts do not depend on which
    other files were collected."""
    assert (settings.default.max_examples, settings.default.deadline) == (300, None)
