"""LegacyInt against int, operation by operation (differential, hypothesis).

The rule under test: every operation gives the value that the same operation
on ints gives; an integer result that fits a C long is a LegacyInt, one that
does not is a plain int, a float result is a float; errors are int's.
"""

import copy
import fractions
import math
import operator
import pickle

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import legacyint
from legacyint import LONG_MAX, LONG_MIN, LegacyInt

EDGES = [
    0, 1, -1, 2, -2, 3, 7, -7,
    -6, -5, 256, 257,
    LONG_MIN, LONG_MIN + 1, LONG_MAX, LONG_MAX - 1,
    LONG_MIN - 1, LONG_MAX + 1, 2**62, -(2**62), 2**32, 2**53 + 1,
]
fits = st.one_of(st.integers(LONG_MIN, LONG_MAX), st.sampled_from([e for e in EDGES if LONG_MIN <= e <= LONG_MAX]))
anyint = st.one_of(st.integers(), st.sampled_from(EDGES), st.integers(-300, 300))


class Sub(LegacyInt):
    pass


def fitting(v):
    return LONG_MIN <= v <= LONG_MAX


def legacy_forms(v):
    """The ways a value can appear as an operand: LegacyInt, subclass, int."""
    forms = [v]
    if fitting(v):
        forms += [LegacyInt(v), Sub(v)]
    return forms


def outcome(f, *args):
    try:
        return ("value", f(*args))
    except Exception as error:  # noqa: BLE001 - compared with int's
        return ("error", type(error))


def check_result(got, expected):
    """`got` from LegacyInt operands, `expected` from the same on ints."""
    if expected[0] == "error":
        assert got[0] == "error" and got[1] is expected[1], (got, expected)
        return
    assert got[0] == "value", got
    g, e = got[1], expected[1]
    if isinstance(e, tuple):
        assert isinstance(g, tuple) and len(g) == len(e)
        for gi, ei in zip(g, e):
            check_result(("value", gi), ("value", ei))
        return
    if type(e) is int:
        assert g == e
        if fitting(e):
            assert type(g) is LegacyInt, (g, e)
        else:
            assert type(g) is int, (g, e)
        return
    if type(e) is float and math.isnan(e):
        assert type(g) is float and math.isnan(g)
        return
    assert type(g) is type(e) and g == e, (g, e)


BINARY = [
    operator.add,
    operator.sub,
    operator.mul,
    operator.floordiv,
    operator.mod,
    divmod,
    operator.truediv,
    operator.lshift,
    operator.rshift,
    operator.and_,
    operator.or_,
    operator.xor,
]


@pytest.mark.parametrize("op", BINARY, ids=lambda f: f.__name__)
@given(a=anyint, b=anyint)
@example(a=LONG_MIN, b=-1)
@example(a=LONG_MAX, b=1)
@example(a=1, b=63)
@example(a=-1, b=63)
@example(a=5, b=0)
@example(a=5, b=-1)
def test_binary_operations_match_int(op, a, b):
    if op in (operator.lshift, operator.rshift) and b > 10_000:
        b %= 200  # int itself would need gigabytes for 1 << 2**62
    expected = outcome(op, a, b)
    for x in legacy_forms(a):
        for y in legacy_forms(b):
            if type(x) is int and type(y) is int:
                continue
            check_result(outcome(op, x, y), expected)


@given(a=anyint, b=st.integers(-70, 70))
@example(a=2, b=63)
@example(a=-2, b=63)
@example(a=0, b=-1)
def test_power_matches_int(a, b):
    expected = outcome(operator.pow, a, b)
    for x in legacy_forms(a):
        for y in legacy_forms(b):
            if type(x) is int and type(y) is int:
                continue
            check_result(outcome(operator.pow, x, y), expected)


@given(a=anyint, b=st.integers(-70, 200), m=anyint)
@example(a=3, b=-1, m=7)
@example(a=2, b=-1, m=4)
@example(a=2, b=5, m=0)
def test_three_argument_pow_matches_int(a, b, m):
    expected = outcome(pow, a, b, m)
    for x in legacy_forms(a)[:2]:
        for y in legacy_forms(b)[:2]:
            for z in legacy_forms(m)[:2]:
                if int in (type(x), type(y), type(z)) and (type(x), type(y), type(z)) == (int, int, int):
                    continue
                check_result(outcome(pow, x, y, z), expected)


UNARY = [operator.neg, operator.pos, abs, operator.invert, int, float, bool, operator.index,
         round, math.trunc, math.floor, math.ceil, hash, str]


@pytest.mark.parametrize("op", UNARY, ids=lambda f: f.__name__)
@given(a=fits)
@example(a=LONG_MIN)
@example(a=-1)
def test_unary_operations_match_int(op, a):
    expected = outcome(op, a)
    for x in (LegacyInt(a), Sub(a)):
        got = outcome(op, x)
        if op in (int, operator.index, hash, bool, str, float):
            assert got == expected and type(got[1]) is type(expected[1])
        else:
            check_result(got, expected)


@given(a=fits, f=st.floats(allow_nan=True, allow_infinity=True))
@example(a=LONG_MAX, f=2.0**63)
@example(a=0, f=-0.0)
@example(a=1, f=5e-324)
def test_mixed_with_float_matches_int(a, f):
    for op in (operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv,
               operator.mod, divmod, operator.pow, operator.eq, operator.lt, operator.ge):
        for x, y, ix, iy in ((LegacyInt(a), f, a, f), (f, LegacyInt(a), f, a)):
            expected = outcome(op, ix, iy)
            got = outcome(op, x, y)
            if expected[0] == "error":
                assert got[0] == "error" and got[1] is expected[1]
            else:
                check_result(got, expected)


@given(a=fits, b=anyint)
def test_comparisons_and_hash_consistent(a, b):
    x = LegacyInt(a)
    for y in legacy_forms(b):
        assert (x < y, x <= y, x == y, x != y, x > y, x >= y) == (a < b, a <= b, a == b, a != b, a > b, a >= b)
        if x == y:
            assert hash(x) == hash(y)
    assert x == float(a) if float(a) == a else x != float(a)


@given(a=fits, ndigits=st.integers(-25, 5))
def test_round_with_ndigits(a, ndigits):
    check_result(outcome(round, LegacyInt(a), ndigits), outcome(round, a, ndigits))


FORMAT_SPECS = ["", "d", "x", "X", "o", "b", "08b", "#x", "+d", " d", ",", "_", "_x", ">20", "<10", "^9",
                "=+12,", "e", ".3f", "%", "n", "c"]


@pytest.mark.parametrize("spec", FORMAT_SPECS)
@given(a=fits)
@example(a=LONG_MIN)
def test_format_matches_int(spec, a):
    expected = outcome(format, a, spec)
    assert outcome(format, LegacyInt(a), spec) == expected


@given(a=fits)
def test_methods_match_int(a):
    x = LegacyInt(a)
    assert x.bit_length() == a.bit_length()
    assert x.bit_count() == bin(a).count("1")
    assert x.as_integer_ratio() == (a, 1)
    assert (x.real, x.imag, x.numerator, x.denominator) == (a, 0, a, 1)
    assert type(x.real) is LegacyInt and type(x.imag) is LegacyInt
    assert x.conjugate() == a and type(x.conjugate()) is LegacyInt
    assert x.is_integer() is True
    for length, order, signed in ((8, "big", True), (8, "little", True), (9, "big", False)):
        expected = outcome(lambda: a.to_bytes(length, order, signed=signed))
        assert outcome(lambda: x.to_bytes(length, order, signed=signed)) == expected
    data = a.to_bytes(8, "big", signed=True)
    y = LegacyInt.from_bytes(data, "big", signed=True)
    assert y == a and type(y) is LegacyInt
    assert type(Sub.from_bytes(data, "big", signed=True)) is Sub
    assert x == fractions.Fraction(a) and fractions.Fraction(x, 1) == a


def test_from_bytes_beyond_a_c_long_is_an_int():
    big = LegacyInt.from_bytes(b"\x01" + b"\x00" * 8, "big")
    assert big == 2**64 and type(big) is int


def test_identity_operations_return_self_for_exact_instances():
    x = LegacyInt(10**6)
    for f in (operator.pos, round, math.trunc, math.floor, math.ceil, lambda v: v.real, lambda v: v.conjugate()):
        assert f(x) is x
        s = Sub(10**6)
        assert type(f(s)) is LegacyInt


@pytest.mark.parametrize(
    "expression",
    [
        "LegacyInt(5) + 1", "1 + LegacyInt(5)", "LegacyInt(5) + True", "True + LegacyInt(5)",
        "LegacyInt(5) * LegacyInt(1000)", "-LegacyInt(5000)", "LegacyInt(7) // 2", "divmod(LegacyInt(7), 2)[0]",
        "Sub(5) + Sub(5)", "LegacyInt(2**62) // 2**63 + 1",
    ],
)
def test_integer_results_that_fit_are_legacy_ints(expression):
    assert type(eval(expression)) is LegacyInt


@pytest.mark.parametrize(
    "expression, result_type",
    [
        ("LegacyInt(LONG_MAX) + 1", int), ("LegacyInt(LONG_MIN) - 1", int), ("-LegacyInt(LONG_MIN)", int),
        ("abs(LegacyInt(LONG_MIN))", int), ("LegacyInt(LONG_MIN) // -1", int), ("LegacyInt(2) ** 64", int),
        ("LegacyInt(1) << 64", int), ("LegacyInt(5) + 2**70", int), ("LegacyInt(5) / 1", float),
        ("LegacyInt(2) ** -1", float), ("LegacyInt(5) + 0.5", float), ("LegacyInt(5) * 1j", complex),
        ("divmod(LegacyInt(LONG_MIN), -1)[0]", int),
    ],
)
def test_results_beyond_a_c_long_are_promoted_never_wrapped(expression, result_type):
    value = eval(expression)
    assert type(value) is result_type
    assert value == eval(expression.replace("LegacyInt", "int"))


@pytest.mark.parametrize(
    "expression, error",
    [
        ("LegacyInt(5) // 0", ZeroDivisionError), ("LegacyInt(5) % 0", ZeroDivisionError),
        ("divmod(LegacyInt(5), 0)", ZeroDivisionError), ("LegacyInt(5) / 0", ZeroDivisionError),
        ("LegacyInt(5) // LegacyInt(0)", ZeroDivisionError), ("5 / LegacyInt(0)", ZeroDivisionError),
        ("LegacyInt(0) ** -1", ZeroDivisionError), ("LegacyInt(5) << -1", ValueError),
        ("LegacyInt(5) >> -1", ValueError), ("pow(LegacyInt(2), 3, 0)", ValueError),
        ("pow(LegacyInt(2), -1, 4)", ValueError), ("pow(LegacyInt(2), 3, 1.5)", TypeError),
        ("LegacyInt(5) + 'a'", TypeError), ("'a' + LegacyInt(5)", TypeError), ("LegacyInt(5) + None", TypeError),
        ("LegacyInt(5) @ LegacyInt(5)", TypeError), ("LegacyInt(5) < 'a'", TypeError),
        ("LegacyInt(10) ** 400.0", OverflowError), ("float(LegacyInt(10)) ** 400", OverflowError),
    ],
)
def test_errors_are_ints(expression, error):
    with pytest.raises(error):
        eval(expression.replace("LegacyInt", "int"))
    with pytest.raises(error):
        eval(expression)


def test_type_error_names_the_types_as_int_does():
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for \+: 'legacyint.LegacyInt' and 'str'"):
        LegacyInt(5) + "a"
    with pytest.raises(TypeError, match="'<' not supported between instances of 'legacyint.LegacyInt' and 'str'"):
        LegacyInt(5) < "a"


def test_unsupported_operands_get_not_implemented_as_from_int():
    for method in ("__add__", "__radd__", "__mul__", "__floordiv__", "__lshift__", "__pow__", "__divmod__"):
        assert getattr(1, method)("a") is NotImplemented
        assert getattr(LegacyInt(1), method)("a") is NotImplemented, method
    assert LegacyInt(1).__eq__("a") is NotImplemented and (1).__eq__("a") is NotImplemented
    assert LegacyInt(1).__lt__(object()) is NotImplemented


def test_a_foreign_method_that_declines_is_asked_again_with_the_plain_int():
    # CPython shows Counting.__add__ the LegacyInt first; once it declines,
    # LegacyInt's slot asks it what it would have been asked with an int.
    class Counting:
        seen = []

        def __add__(self, other):
            Counting.seen.append(type(other))
            return NotImplemented

        def __eq__(self, other):
            Counting.seen.append(type(other))
            return NotImplemented

    with pytest.raises(TypeError):
        Counting() + LegacyInt(1)
    assert Counting.seen == [LegacyInt, int]
    assert (Counting() == LegacyInt(1)) is False
    assert Counting.seen == [LegacyInt, int, LegacyInt, int]
    # Put first, LegacyInt asks it once, with an int, as int would.
    Counting.seen = []
    with pytest.raises(TypeError):
        LegacyInt(1) + Counting()
    assert Counting.seen == []


def test_reflected_methods_see_what_int_would_show_them_and_keep_their_result():
    class Reflect:
        def __radd__(self, other):
            return (other, 7)

    got = LegacyInt(1000) + Reflect()
    assert got == (1000, 7) and type(got[0]) is int and type(got[1]) is int


def test_float_subclass_overriding_the_operation():
    class MyFloat(float):
        def __radd__(self, other):
            return ("mine", other)

    assert LegacyInt(2) + MyFloat(1.5) == ("mine", 2)  # as 2 + MyFloat(1.5)
    assert 2 + MyFloat(1.5) == ("mine", 2)
    assert MyFloat(1.5) + LegacyInt(2) == 3.5  # float's own __add__, via int


def test_format_with_an_empty_spec_uses_str_as_int_does():
    class Loud(LegacyInt):
        def __str__(self):
            return "loud"

    class LoudInt(int):
        def __str__(self):
            return "loud"

    assert format(LoudInt(5), "") == f"{LoudInt(5)}" == "loud"
    assert format(Loud(5), "") == f"{Loud(5)}" == "loud"
    assert format(Loud(5), "d") == "5"


def test_pickling_keeps_slots_and_dict_of_subclasses():
    s = SlottedInt(5)
    s.tag = "kept"
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        t = pickle.loads(pickle.dumps(s, protocol)) if protocol >= 2 else copy.copy(s)
        assert type(t) is SlottedInt and t == 5 and t.tag == "kept"


def test_other_number_types_work_as_with_int():
    from decimal import Decimal

    x = LegacyInt(3)
    for other in (fractions.Fraction(1, 2), Decimal("1.5"), 2.5, 1j):
        for op in (operator.add, operator.sub, operator.mul, operator.truediv, operator.eq, operator.lt):
            for a, b, ia, ib in ((x, other, 3, other), (other, x, other, 3)):
                if isinstance(other, complex) and op is operator.lt:
                    continue
                assert op(a, b) == op(ia, ib) and type(op(a, b)) is type(op(ia, ib)), (op, a, b)
    assert Decimal(3) == x and x == Decimal(3) and x < Decimal("3.5")
    assert x + Decimal(1) == Decimal(1) + x == Decimal(4) and type(x + Decimal(1)) is Decimal
    assert fractions.Fraction(x) == 3
    assert type(x.numerator) is int and type(x.denominator) is int
    import statistics

    assert statistics.mean([LegacyInt(1), LegacyInt(2), LegacyInt(6)]) == 3


def test_foreign_types_with_reflected_methods_are_asked():
    class Meters:
        def __radd__(self, other):
            return ("radd", other)

        def __rlt__(self, other):
            return "unused"

        def __gt__(self, other):
            return ("gt", other)

    assert LegacyInt(5) + Meters() == ("radd", 5)
    assert (LegacyInt(5) < Meters()) == ("gt", 5)


def test_sequence_repetition_and_indexing():
    assert [0] * LegacyInt(3) == [0, 0, 0]
    assert "ab" * LegacyInt(2) == "abab"
    assert (1, 2, 3)[LegacyInt(-1)] == 3


def test_pool_counters_follow_results():
    x = LegacyInt(10**6)
    before = legacyint.pool_stats()
    y = x + 1
    assert legacyint.pool_stats().allocations == before.allocations + 1
    before = legacyint.pool_stats()
    z = x * 2**60
    assert type(z) is int and legacyint.pool_stats().allocations == before.allocations
    before = legacyint.pool_stats()
    w = x - x  # 0: from the small-int cache
    assert w is LegacyInt(0) and legacyint.pool_stats().allocations == before.allocations
    before = legacyint.pool_stats()
    q, r = divmod(x, 7)
    assert legacyint.pool_stats().allocations == before.allocations + 1  # r = 1 is cached
    del y, z, q, r


def test_in_place_operators_rebind():
    x = LegacyInt(10)
    y = x
    x += 5
    assert x == 15 and y == 10 and type(x) is LegacyInt


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_copy_of_arithmetic_results(protocol):
    x = LegacyInt(123456789) * 3
    assert pickle.loads(pickle.dumps(x, protocol)) == x
    assert copy.deepcopy(x) == x


def test_subclass_can_override_operators():
    class Loud(LegacyInt):
        def __add__(self, other):
            return "loud"

    assert Loud(1) + 1 == "loud"
    assert 1 - Loud(3) == -2 and type(1 - Loud(3)) is LegacyInt


# -- xrange and range ---------------------------------------------------------

range_args = st.one_of(
    st.tuples(st.integers(-50, 50)),
    st.tuples(st.integers(-50, 50), st.integers(-50, 50)),
    st.tuples(st.integers(-50, 50), st.integers(-50, 50), st.integers(-7, 7)),
    st.tuples(st.sampled_from([LONG_MIN, LONG_MAX - 3]), st.sampled_from([LONG_MAX, LONG_MIN + 3]),
              st.sampled_from([2**62, -(2**62), 2**63 - 1, -(2**63)])),
)


@given(range_args)
def test_xrange_and_range_match_python_range(args):
    expected = outcome(lambda: list(range(*args)))
    got_lazy = outcome(lambda: list(legacyint.xrange(*args)))
    got_list = outcome(lambda: legacyint.range(*args))
    for got in (got_lazy, got_list):
        assert got[0] == expected[0]
        if got[0] == "value":
            assert got[1] == expected[1]
            assert all(type(v) is LegacyInt for v in got[1])
        else:
            assert got[1] is expected[1]
    if expected[0] == "value":
        xr = legacyint.xrange(*args)
        assert len(xr) == len(range(*args))
        if len(xr):
            assert xr[0] == range(*args)[0] and xr[-1] == range(*args)[-1]
        assert list(reversed(xr)) == list(reversed(range(*args)))


@pytest.mark.parametrize(
    "args, error",
    [
        ((), TypeError), ((1, 2, 3, 4), TypeError), ((1, 2, 0), ValueError), ((1.5,), TypeError),
        (("3",), TypeError), ((None,), TypeError), ((2**63,), OverflowError), ((0, -(2**63) - 1), OverflowError),
    ],
)
def test_xrange_errors_are_ranges(args, error):
    if error is not OverflowError:
        with pytest.raises(error):
            range(*args)
    with pytest.raises(error):
        legacyint.xrange(*args)
    with pytest.raises(error):
        legacyint.range(*args)


def test_xrange_takes_index_objects_and_legacy_ints():
    assert list(legacyint.xrange(LegacyInt(3))) == [0, 1, 2]
    assert legacyint.range(True) == [0]


def test_xrange_is_lazy_and_reiterable():
    xr = legacyint.xrange(10**6, 10**6 + 10**15)
    before = legacyint.pool_stats()
    it = iter(xr)
    first = [next(it) for _ in range(3)]
    assert first == [10**6, 10**6 + 1, 10**6 + 2]
    assert legacyint.pool_stats().allocations == before.allocations + 3
    assert list(legacyint.xrange(3)) == list(legacyint.xrange(3))
    assert repr(legacyint.xrange(0, 10, 2)) == "xrange(0, 10, 2)"
    with pytest.raises(IndexError):
        legacyint.xrange(3)[3]
    for huge in (2**70, -(2**70)):
        with pytest.raises(IndexError):
            range(3)[huge]
        with pytest.raises(IndexError):
            legacyint.xrange(3)[huge]
    with pytest.raises(TypeError):
        legacyint.xrange(3)["1"]


def test_xrange_iterator_protocol_as_range_iterators():
    import operator

    it = iter(legacyint.xrange(10**6, 10**6 + 3))
    assert iter(it) is it and type(it).__name__ == "XRangeIterator"
    assert operator.length_hint(it) == 3
    assert next(it) == 10**6 and type(next(it)) is LegacyInt
    assert operator.length_hint(it) == 1
    assert list(it) == [10**6 + 2] and operator.length_hint(it) == 0
    with pytest.raises(StopIteration):
        next(it)
    assert list(it) == []  # stays exhausted
    # The last value's step would overflow a C long: never taken.
    assert list(legacyint.xrange(LONG_MAX - 2, LONG_MAX, 2)) == [LONG_MAX - 2]
    assert list(reversed(legacyint.xrange(LONG_MAX, LONG_MIN, LONG_MIN))) == [-1, LONG_MAX]
    with pytest.raises(TypeError):
        type(it)()  # not made from Python, as range_iterator is not


@given(range_args, st.integers(0, 5), st.integers(0, pickle.HIGHEST_PROTOCOL))
def test_xrange_and_its_iterator_pickle_and_copy_as_range_and_its_iterator(args, taken, protocol):
    """Python 2's xrange and Python 3's range pickle and copy; so do an
    xrange and its iterator, which goes on from where it stood."""
    try:
        expected = range(*args)
    except (TypeError, ValueError):
        return
    xr = legacyint.xrange(*args)
    back = pickle.loads(pickle.dumps(xr, protocol))
    assert type(back) is legacyint.xrange and back.bounds == xr.bounds
    assert copy.copy(xr) is xr and copy.deepcopy(xr) is xr  # immutable, as range
    expected_it, it = iter(expected), iter(xr)
    for _ in range(taken):
        assert next(it, None) == next(expected_it, None)
    rest = list(expected_it)
    for again in (pickle.loads(pickle.dumps(it, protocol)), copy.copy(it), copy.deepcopy(it)):
        assert type(again) is type(it)
        values = list(again)
        assert values == rest and all(type(v) is LegacyInt for v in values)
    assert list(it) == rest  # the copies did not move the original
    back = pickle.loads(pickle.dumps(reversed(xr), protocol))
    assert list(back) == list(reversed(expected))


@pytest.mark.parametrize("state", [(0, 0, 2), (LONG_MAX, 1, 2), (LONG_MIN, -1, 2), (0, 2**62, 3)])
def test_a_forged_iterator_state_is_refused(state):
    """What an iterator unpickles from must describe values that fit a C
    long, by a non-zero step: a forged pickle gets ValueError."""
    with pytest.raises(ValueError, match="fit a C long"):
        legacyint._core._xrange_iterator(*state)
    assert list(legacyint._core._xrange_iterator(5, 0, 1)) == [5]


def test_xrange_too_long_for_a_list():
    huge = legacyint.xrange(LONG_MIN, LONG_MAX)
    with pytest.raises(OverflowError):
        len(huge)
    with pytest.raises(OverflowError):
        legacyint.range(LONG_MIN, LONG_MAX)
    assert huge[-1] == LONG_MAX - 1


def test_range_builds_from_the_pool_with_no_python_int_per_element():
    before = legacyint.pool_stats()
    values = legacyint.range(10**6, 10**6 + 1000)
    assert legacyint.pool_stats().allocations - before.allocations == 1000
    assert values == list(range(10**6, 10**6 + 1000))


class SlottedInt(LegacyInt):
    """At module level, so that pickle finds it by name."""

    __slots__ = ("tag",)
