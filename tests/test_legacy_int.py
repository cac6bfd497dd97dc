"""LegacyInt: construction, conversion, hashing, comparison, the small-int cache."""

import copy
import math
import operator
import pickle
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

import legacyint
from legacyint import LONG_MAX, LONG_MIN, LegacyInt

c_longs = st.integers(min_value=LONG_MIN, max_value=LONG_MAX)
# The edges that matter: zero, the cache bounds, the C long bounds and beyond.
EDGES = [0, 1, -1, -6, -5, 256, 257, 1000, LONG_MIN, LONG_MAX, LONG_MIN - 1, LONG_MAX + 1]
interesting = st.one_of(c_longs, st.sampled_from(EDGES), st.integers())


def test_size_is_header_plus_c_long():
    assert sys.getsizeof(LegacyInt(1000)) == 24
    assert LegacyInt.__basicsize__ == 24
    assert LONG_MAX == 2**63 - 1 and LONG_MIN == -(2**63)


def test_type_identity():
    assert LegacyInt.__module__ == "legacyint"
    assert LegacyInt.__name__ == "LegacyInt"
    assert type(LegacyInt(5)) is LegacyInt
    assert not isinstance(LegacyInt(5), int)


@pytest.mark.parametrize("v", range(legacyint.SMALL_INT_MIN, legacyint.SMALL_INT_MAX + 1))
def test_small_ints_are_shared(v):
    assert LegacyInt(v) is LegacyInt(v)
    assert LegacyInt(v) is LegacyInt(str(v))


@pytest.mark.parametrize("v", [-6, 257, 1000, -1000])
def test_values_outside_the_cache_are_new_objects(v):
    assert LegacyInt(v) is not LegacyInt(v)


def test_small_ints_fill_the_first_seven_blocks():
    assert (legacyint.SMALL_INT_MIN, legacyint.SMALL_INT_MAX) == (-5, 256)
    occupancy = legacyint.block_occupancy()
    # The cache was the first thing allocated: 262 = 6 * 41 + 16.
    assert occupancy[:6] == [41] * 6
    assert occupancy[6] >= 16
    assert legacyint.pool_stats().small_ints == 262


def test_small_int_allocation_does_not_touch_the_pool(pool_consistent):
    before = legacyint.pool_stats()
    xs = [LegacyInt(v) for v in range(-5, 257)]
    after = legacyint.pool_stats()
    assert after.allocations == before.allocations
    assert len(xs) == 262


def test_allocation_and_deallocation_counters(pool_consistent):
    before = legacyint.pool_stats()
    xs = [LegacyInt(10**6 + i) for i in range(100)]
    middle = legacyint.pool_stats()
    assert middle.allocations - before.allocations == 100
    assert middle.in_use - before.in_use == 100
    del xs
    after = legacyint.pool_stats()
    assert after.deallocations - middle.deallocations == 100
    assert after.in_use == before.in_use
    assert after.free - middle.free == 100


def test_freed_slot_is_reused_first():
    x = LegacyInt(123456)
    address = id(x)
    del x
    assert id(LegacyInt(654321)) == address


@given(c_longs)
def test_round_trips_every_c_long(v):
    x = LegacyInt(v)
    assert int(x) == v and type(int(x)) is int
    assert operator.index(x) == v
    assert float(x) == float(v)
    assert bool(x) is bool(v)
    assert str(x) == str(v)
    assert repr(x) == f"LegacyInt({v})"
    assert hash(x) == hash(v)
    assert x == v and v == x and x == LegacyInt(v)
    assert LegacyInt(x) == x


@given(
    st.one_of(
        st.integers(min_value=LONG_MAX + 1),
        st.integers(max_value=LONG_MIN - 1),
    )
)
def test_out_of_range_raises_overflow_error_naming_the_range(v):
    with pytest.raises(OverflowError, match=str(LONG_MAX)):
        LegacyInt(v)


@pytest.mark.parametrize("v", [LONG_MAX + 1, LONG_MIN - 1, 10**100, -(2**64)])
def test_out_of_range_from_every_source(v, pool_consistent):
    before = legacyint.pool_stats()
    sources = [v, str(v), Index(v)]
    if not LONG_MIN <= int(float(v)) <= LONG_MAX:  # float(LONG_MIN - 1) == LONG_MIN
        sources.append(float(v))
    for source in sources:
        with pytest.raises(OverflowError, match="C long"):
            LegacyInt(source)
    assert legacyint.pool_stats().in_use == before.in_use


class Index:
    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value


@given(interesting, st.integers(min_value=2, max_value=36))
def test_strings_in_any_base_as_int_reads_them(v, base):
    text = _to_base(v, base)
    expected = int(text, base)
    if LONG_MIN <= expected <= LONG_MAX:
        assert LegacyInt(text, base) == expected
        assert LegacyInt(text, base=base) == expected
    else:
        with pytest.raises(OverflowError):
            LegacyInt(text, base=base)


def _to_base(v, base):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if v == 0:
        return "0"
    out = []
    n = abs(v)
    while n:
        n, d = divmod(n, base)
        out.append(digits[d])
    return ("-" if v < 0 else "") + "".join(reversed(out))


@given(st.text(max_size=12), st.sampled_from([10, 0, 2, 16, 36]))
def test_arbitrary_text_gives_what_int_gives(text, base):
    try:
        expected = int(text, base)
    except Exception as error:
        with pytest.raises(type(error)):
            LegacyInt(text, base)
    else:
        if LONG_MIN <= expected <= LONG_MAX:
            assert LegacyInt(text, base) == expected
        else:
            with pytest.raises(OverflowError):
                LegacyInt(text, base)


@pytest.mark.parametrize(
    "args, kwargs, expected",
    [
        ((), {}, 0),
        (("0x1f",), {"base": 0}, 31),
        (("  -1_000 ",), {}, -1000),
        ((b"77",), {"base": 8}, 63),
        ((3.99,), {}, 3),
        ((-3.99,), {}, -3),
        ((True,), {}, 1),
        ((Index(10**6),), {}, 10**6),
        ((LegacyInt(10**6),), {}, 10**6),
    ],
)
def test_constructs_from_what_int_accepts(args, kwargs, expected):
    x = LegacyInt(*args, **kwargs)
    assert type(x) is LegacyInt and x == expected


@pytest.mark.parametrize(
    "args, kwargs, error",
    [
        (("x",), {}, ValueError),
        (("",), {}, ValueError),
        ((None,), {}, TypeError),
        (([],), {}, TypeError),
        ((1.5,), {"base": 10}, TypeError),
        (("10",), {"base": 1}, ValueError),
        (("10",), {"base": 37}, ValueError),
        ((float("nan"),), {}, ValueError),
        ((float("inf"),), {}, OverflowError),
        (("1", 2, 3), {}, TypeError),
        (("1",), {"bogus": 2}, TypeError),
    ],
)
def test_bad_input_raises_what_int_raises(args, kwargs, error, pool_consistent):
    with pytest.raises(error):
        int(*args, **kwargs)
    before = legacyint.pool_stats()
    with pytest.raises(error):
        LegacyInt(*args, **kwargs)
    assert legacyint.pool_stats().in_use == before.in_use


def test_index_that_raises_or_lies():
    class Raises:
        def __index__(self):
            raise RuntimeError("boom")

    class NotAnInt:
        def __index__(self):
            return "seven"

    with pytest.raises(RuntimeError, match="boom"):
        LegacyInt(Raises())
    with pytest.raises(TypeError):
        LegacyInt(NotAnInt())


def test_usable_as_dict_key_next_to_ints():
    d = {LegacyInt(3): "a", 10**6: "b"}
    assert d[3] == "a"
    assert d[LegacyInt(10**6)] == "b"
    assert {3: "x"}[LegacyInt(3)] == "x"
    assert len({LegacyInt(5), 5, LegacyInt(5)}) == 1


@given(interesting, interesting)
def test_comparisons_agree_with_int(a, b):
    if not LONG_MIN <= a <= LONG_MAX:
        return
    x = LegacyInt(a)
    for other in (b, LegacyInt(b) if LONG_MIN <= b <= LONG_MAX else b):
        assert (x < other) == (a < b)
        assert (x <= other) == (a <= b)
        assert (x == other) == (a == b)
        assert (x != other) == (a != b)
        assert (x > other) == (a > b)
        assert (x >= other) == (a >= b)
        assert (other < x) == (b < a)


@given(c_longs, st.floats(allow_nan=True, allow_infinity=True))
def test_comparisons_with_float_are_exact_like_int(a, f):
    x = LegacyInt(a)
    assert (x == f) == (a == f)
    assert (x < f) == (a < f)
    assert (f <= x) == (f <= a)


def test_comparison_with_bool_complex_and_unrelated_types():
    assert LegacyInt(1) == True  # noqa: E712
    assert LegacyInt(0) < True
    assert LegacyInt(3) == 3 + 0j
    assert LegacyInt(3) != "3"
    assert LegacyInt(3) != None  # noqa: E711
    with pytest.raises(TypeError):
        LegacyInt(3) < "3"


def test_large_value_compares_exactly_with_float():
    # 2**63 - 1 rounds to 2**63 as a float; the comparison must not round.
    assert LegacyInt(LONG_MAX) != float(2**63)
    assert LegacyInt(LONG_MAX) < float(2**63)
    assert LegacyInt(LONG_MAX) == LONG_MAX


def test_math_functions_through_float_and_index():
    assert math.sqrt(LegacyInt(16)) == 4.0
    assert [0, 1, 2, 3][LegacyInt(2)] == 2
    assert list(range(LegacyInt(3))) == [0, 1, 2]
    assert hex(LegacyInt(255)) == "0xff"


class Sub(LegacyInt):
    pass


def test_subclass_instances_do_not_enter_the_pool(pool_consistent):
    before = legacyint.pool_stats()
    xs = [Sub(10**6 + i) for i in range(50)] + [Sub(5)]
    assert legacyint.pool_stats().allocations == before.allocations
    assert xs[-1] is not LegacyInt(5) and xs[-1] == 5
    assert type(xs[0]) is Sub and repr(xs[0]) == "Sub(1000000)"
    xs[0].note = "has a __dict__"
    assert xs[0].__dict__ == {"note": "has a __dict__"}
    del xs
    assert legacyint.pool_stats().deallocations == before.deallocations


def test_subclass_type_is_not_leaked_or_over_released():
    class Temp(LegacyInt):
        pass

    refs = sys.getrefcount(Temp)
    xs = [Temp(i) for i in range(1000)]
    assert sys.getrefcount(Temp) == refs + 1000
    del xs
    assert sys.getrefcount(Temp) == refs


def test_exact_instances_hold_no_reference_to_the_type():
    # The type lives as long as the process, as int's static type does, so
    # its pooled instances need no reference to it (one increment and one
    # decrement fewer per object); subclass instances still hold theirs.
    refs = sys.getrefcount(LegacyInt)
    xs = [LegacyInt(10**7 + i) for i in range(1000)]
    ys = legacyint.range(10**7, 10**7 + 1000)
    zs = [x + 1 for x in xs]
    assert sys.getrefcount(LegacyInt) == refs
    del xs, ys, zs
    assert sys.getrefcount(LegacyInt) == refs


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
@pytest.mark.parametrize("v", [0, 7, 10**6, LONG_MIN, LONG_MAX])
def test_pickle_round_trip(protocol, v):
    x = pickle.loads(pickle.dumps(LegacyInt(v), protocol))
    assert type(x) is LegacyInt and x == v
    s = Sub(v)
    s.tag = "kept"
    y = pickle.loads(pickle.dumps(s, protocol))
    assert type(y) is Sub and y == v and y.tag == "kept"


def test_copy_and_deepcopy():
    x = LegacyInt(10**6)
    assert copy.copy(x) == x and type(copy.copy(x)) is LegacyInt
    assert copy.deepcopy([x])[0] == x


def test_constructor_call_paths_agree():
    """The vectorcall fast path and the general path give the same results."""
    ctor = LegacyInt
    assert ctor(10**6) == ctor(*[10**6]) == ctor(**{}) + 10**6 == ctor("1000000", **{"base": 10})
    assert ctor(x := LegacyInt(10**6)) == x and type(ctor(x)) is LegacyInt
    with pytest.raises(TypeError):
        ctor(1, 2, 3)
    with pytest.raises(TypeError):
        ctor(x=5)

    class WithInit(LegacyInt):
        def __init__(self, value, base=10):
            self.label = f"{value} in base {base}"

    w = WithInit("11", base=2)
    assert w == 3 and w.label == "11 in base 2" and type(w) is WithInit
    # As with int, __new__ sees the arguments too: extra ones are refused,
    # with int's own message.
    class IntWithInit(int):
        def __init__(self, value, base=10):
            pass

    with pytest.raises(TypeError) as expected:
        IntWithInit(7, label="seven")
    with pytest.raises(TypeError) as got:
        WithInit(7, label="seven")
    assert str(got.value) == str(expected.value)
